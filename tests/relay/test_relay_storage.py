"""One storage suite, run on both backends (SQLite embedded and a real PostgreSQL)."""

from __future__ import annotations

import os

from hasteh.envelope import Kind, mailbox_hash, parse_write_headers
from hasteh.relay.budget import DAY
from hasteh.relay.storage import (
    Accepted,
    AlreadyClaimed,
    BudgetExhausted,
    Denied,
    Fetched,
    Limits,
    MailboxFull,
    NotAllowed,
    PostItem,
    RelayFull,
    Storage,
    restore,
    stored_form,
)

from .harness import Group, envelope

LIMITS = Limits(max_mailbox_bytes=10_000_000)


def item(
    group: Group,
    *,
    kind: Kind = Kind.MESSAGE,
    epoch: int = 0,
    key_epoch: int | None = None,
    **kw: object,
) -> PostItem:
    env = envelope(group.mailbox, os.urandom(20), kind=kind, epoch=epoch)
    auth = group.auth(epoch if key_epoch is None else key_epoch, **kw)
    headers = {k.lower(): v for k, v in auth.headers(env.id).items()}
    return PostItem(
        mailbox_hash(group.mailbox),
        env.id,
        kind is Kind.COMMIT,
        epoch,
        stored_form(env.to_bytes()),
        parse_write_headers(headers),
    )


def read(storage: Storage, group: Group, epoch: int = 0, **kw: object) -> Fetched:
    key = group.key(epoch)
    got = storage.fetch(
        mailbox_hash(group.mailbox),
        key_id=group.auth(epoch).key_id,
        check=lambda k: k == key,
        **{"after": 0, "limit": 100, **kw},  # type: ignore[arg-type]
    )
    assert isinstance(got, Fetched), got
    return got


def test_post_then_fetch_in_order(storage: Storage) -> None:
    g = Group()
    items = [item(g) for _ in range(5)]
    results = storage.post_batch(items, now=1.0, limits=LIMITS)
    seqs = [r.seq for r in results if isinstance(r, Accepted)]
    assert len(seqs) == 5 and seqs == sorted(seqs)
    got = read(storage, g)
    assert [r.data for r in got.records] == [i.stored for i in items]
    assert [r.stamp for r in got.records] == [1] * 5
    assert restore(got.records[0].data, g.mailbox)[12:44] == g.mailbox
    assert got.epoch == 0
    later = read(storage, g, after=seqs[2], limit=1)
    assert [r.seq for r in later.records] == [seqs[3]] and later.more


def test_mailboxes_are_separate_and_unclaimed_reads_empty(storage: Storage) -> None:
    a, b = Group(), Group()
    storage.post_batch([item(a), item(b)], now=1.0, limits=LIMITS)
    assert len(read(storage, a).records) == 1
    unclaimed = storage.fetch(mailbox_hash(os.urandom(32)), after=0, limit=10)
    assert unclaimed == Fetched([], None)
    # A claimed mailbox without a key, or with another group's key, is refused.
    assert isinstance(storage.fetch(mailbox_hash(a.mailbox), after=0, limit=10), Denied)
    denied = storage.fetch(
        mailbox_hash(a.mailbox), after=0, limit=10, key_id=b.auth().key_id, check=lambda k: True
    )
    assert isinstance(denied, Denied)


def test_repost_is_idempotent(storage: Storage) -> None:
    g = Group()
    one = item(g)
    first = storage.post_batch([one, one], now=1.0, limits=LIMITS)
    again = storage.post_batch([one], now=2.0, limits=LIMITS)
    assert first[0] == first[1] == again[0]
    assert len(read(storage, g).records) == 1


def test_unknown_key_and_second_claim(storage: Storage) -> None:
    g = Group()
    assert isinstance(
        storage.post_batch([item(g, claim=False)], now=1, limits=LIMITS)[0], NotAllowed
    )
    assert isinstance(storage.post_batch([item(g)], now=1, limits=LIMITS)[0], Accepted)
    rival = Group(claim=g.claim)  # knows the claim but not the key
    assert storage.post_batch([item(rival)], now=1, limits=LIMITS) == [AlreadyClaimed()]


def test_commits_never_conflict(storage: Storage) -> None:
    g = Group()
    h = mailbox_hash(g.mailbox)
    storage.post_batch([item(g)], now=1, limits=LIMITS)
    first = item(g, kind=Kind.COMMIT, epoch=0, next_key=g.key(1))
    rival = item(g, kind=Kind.COMMIT, epoch=0, next_key=os.urandom(32))
    a, b = storage.post_batch([first, rival], now=1, limits=LIMITS)
    assert isinstance(a, Accepted) and isinstance(b, Accepted)
    assert (a.earlier_commits, b.earlier_commits) == (0, 1)
    assert a.key_registered and b.key_registered and b.seq > a.seq
    assert storage.post_batch([first], now=5, limits=LIMITS) == [a]  # same answer again
    assert read(storage, g).epoch == 1
    assert isinstance(
        storage.post_batch([item(g, epoch=0, key_epoch=1)], now=1, limits=LIMITS)[0], Accepted
    )
    assert h


def test_keys_per_epoch_are_capped(storage: Storage) -> None:
    g = Group()
    limits = Limits(max_keys_per_epoch=2)
    storage.post_batch([item(g)], now=1, limits=limits)
    commits = [item(g, kind=Kind.COMMIT, epoch=0, next_key=os.urandom(32)) for _ in range(3)]
    results = storage.post_batch(commits, now=1, limits=limits)
    assert [r.key_registered for r in results if isinstance(r, Accepted)] == [True, True, False]


def test_retire_and_grace(storage: Storage) -> None:
    g = Group()
    storage.post_batch([item(g)], now=1, limits=LIMITS)
    removal = item(g, kind=Kind.COMMIT, epoch=0, retire=True, next_key=g.key(1))
    (done,) = storage.post_batch([removal], now=10, limits=LIMITS)
    assert isinstance(done, Accepted)
    assert isinstance(storage.post_batch([item(g)], now=11, limits=LIMITS)[0], NotAllowed)
    late = item(g, kind=Kind.COMMIT, epoch=0)
    assert isinstance(storage.post_batch([late], now=11, limits=LIMITS)[0], Accepted)
    expired = item(g, kind=Kind.COMMIT, epoch=0)
    result = storage.post_batch([expired], now=10 + LIMITS.commit_grace, limits=LIMITS)
    assert isinstance(result[0], NotAllowed)
    new = item(g, epoch=0, key_epoch=1, claim=False)
    assert isinstance(storage.post_batch([new], now=12, limits=LIMITS)[0], Accepted)
    # The retired key reads up to the removal, plus the commits of its epoch after it.
    seen = [r.seq for r in read(storage, g).records]
    assert done.seq in seen and max(seen) < storage.post_batch([new], now=12, limits=LIMITS)[0].seq  # type: ignore[union-attr]
    assert len(read(storage, g, epoch=1).records) == 4
    # Keys are dropped after their retention.
    storage.sweep(before=0, keys_before=100)
    assert isinstance(
        storage.fetch(
            mailbox_hash(g.mailbox), after=0, limit=9, key_id=g.auth(0).key_id, check=lambda k: True
        ),
        Denied,
    )


def test_budgets(storage: Storage) -> None:
    g = Group()
    one = item(g)
    limits = Limits(key_bytes_per_day=3 * len(one.stored), key_commits_per_day=1)
    results = storage.post_batch([one, item(g), item(g), item(g)], now=100, limits=limits)
    assert isinstance(results[2], Accepted)
    assert isinstance(results[3], BudgetExhausted) and 0 < results[3].retry_after <= 2 * DAY
    assert isinstance(storage.post_batch([item(g)], now=100 + 2 * DAY, limits=limits)[0], Accepted)
    commits = [item(g, kind=Kind.COMMIT, epoch=0) for _ in range(2)]
    got = storage.post_batch(commits, now=100 + 4 * DAY, limits=limits)
    assert isinstance(got[0], Accepted) and isinstance(got[1], BudgetExhausted)


def test_relay_full_refuses_claims_first(storage: Storage) -> None:
    g = Group()
    one = item(g)
    limits = Limits(max_total_bytes=int(len(one.stored) * 2.1))
    assert isinstance(storage.post_batch([one], now=1, limits=limits)[0], Accepted)
    assert storage.post_batch([item(Group())], now=1, limits=limits) == [RelayFull()]
    assert isinstance(storage.post_batch([item(g)], now=1, limits=limits)[0], Accepted)
    assert storage.post_batch([item(g)], now=1, limits=limits) == [RelayFull()]


def test_mailbox_quota(storage: Storage) -> None:
    g = Group()
    one = item(g)
    limits = Limits(max_mailbox_bytes=2 * len(one.stored))
    results = storage.post_batch([one, item(g), item(g)], now=1, limits=limits)
    assert isinstance(results[1], Accepted) and results[2] == MailboxFull()


def test_fetch_is_capped_in_bytes(storage: Storage) -> None:
    g = Group()
    items = [item(g) for _ in range(10)]
    storage.post_batch(items, now=1, limits=LIMITS)
    size = len(items[0].stored)
    got = read(storage, g, max_bytes=3 * size + 1)
    assert len(got.records) == 3 and got.more
    assert len(read(storage, g, max_bytes=1).records) == 1  # always progress


def test_sweep_removes_old_envelopes(storage: Storage) -> None:
    g = Group()
    storage.post_batch([item(g)], now=10.0, limits=LIMITS)
    storage.post_batch([item(g)], now=100.0, limits=LIMITS)
    assert storage.sweep(before=50.0) == 1
    assert len(read(storage, g).records) == 1
    assert storage.sweep(before=1000.0) == 1
    storage.ping()


def test_sweeps_and_posts_from_two_threads_do_not_collide(storage: Storage) -> None:
    """The retention sweeper runs in another thread than the batch writer, on the same
    write connection; each must wait for the other's transaction (a regression: a sweep
    at start-up made the first post fail with SQLITE_ERROR)."""
    import threading

    g = Group()
    stop = threading.Event()
    errors: list[BaseException] = []

    def sweeper() -> None:
        while not stop.is_set():
            try:
                storage.sweep(before=0.0)
            except BaseException as exc:
                errors.append(exc)
                return

    thread = threading.Thread(target=sweeper)
    thread.start()
    try:
        for _ in range(100):
            storage.post_batch([item(g)], now=1.0, limits=LIMITS)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert errors == []
    assert len(read(storage, g, limit=200).records) == 100


def test_a_database_from_before_write_access_is_migrated(db_url: str) -> None:
    """Old tables (no `commit_epoch`, no keys) with a stored envelope: the relay opens it,
    the mailbox (envelopes, no keys) can be claimed, and its old envelope is readable."""
    g = Group()
    old = item(g)
    create = (
        "CREATE TABLE envelopes (seq {serial} PRIMARY KEY{auto}, mailbox {blob} NOT NULL,"
        " id {blob} NOT NULL, created_at {real} NOT NULL, data {blob} NOT NULL,"
        " UNIQUE (mailbox, id));"
        "CREATE TABLE mailboxes (hash {blob} PRIMARY KEY, epoch {int}, bytes {int} NOT NULL,"
        " last_at {real} NOT NULL)"
    )
    insert = "INSERT INTO envelopes (mailbox, id, created_at, data) VALUES ({p}, {p}, 5, {p})"
    row = (old.mailbox_hash, old.envelope_id, old.stored)
    if db_url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(db_url[len("sqlite:///") :])
        conn.executescript(
            create.format(
                serial="INTEGER", auto=" AUTOINCREMENT", blob="BLOB", real="REAL", int="INTEGER"
            )
        )
        conn.execute(insert.format(p="?"), row)
        conn.commit()
        conn.close()
    else:
        import psycopg

        with psycopg.connect(db_url, autocommit=True) as conn:
            for statement in create.format(
                serial="BIGSERIAL", auto="", blob="BYTEA", real="DOUBLE PRECISION", int="BIGINT"
            ).split(";"):
                conn.execute(statement)
            conn.execute(insert.format(p="%s"), row)
    from hasteh.relay.storage import open_storage

    store = open_storage(db_url)
    try:
        assert store.fetch(mailbox_hash(g.mailbox), after=0, limit=9) == Fetched([], None)
        (claimed,) = store.post_batch([item(g)], now=10, limits=LIMITS)
        assert isinstance(claimed, Accepted)
        got = read(store, g)
        assert got.records[0].data == old.stored and len(got.records) == 2
        commit = item(g, kind=Kind.COMMIT, epoch=0)
        assert isinstance(store.post_batch([commit], now=11, limits=LIMITS)[0], Accepted)
    finally:
        store.close()
