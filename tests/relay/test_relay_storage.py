"""One storage suite, run on both backends (SQLite embedded and a real PostgreSQL)."""

from __future__ import annotations

import os

from hasteh.envelope import Kind, mailbox_hash
from hasteh.relay.storage import (
    Accepted,
    Conflict,
    MailboxFull,
    PostItem,
    Storage,
    restore,
    stored_form,
)

from .harness import envelope

CAP = 10_000_000


def item(mailbox: bytes, *, kind: Kind = Kind.MESSAGE, epoch: int = 0) -> PostItem:
    env = envelope(mailbox, os.urandom(20), kind=kind, epoch=epoch)
    data = env.to_bytes()
    return PostItem(mailbox_hash(mailbox), env.id, kind is Kind.COMMIT, epoch, stored_form(data))


def test_post_then_fetch_in_order(storage: Storage) -> None:
    mb = os.urandom(32)
    items = [item(mb) for _ in range(5)]
    results = storage.post_batch(items, now=1.0, max_mailbox_bytes=CAP)
    seqs = [r.seq for r in results if isinstance(r, Accepted)]
    assert len(seqs) == 5 and seqs == sorted(seqs)
    got = storage.fetch(mailbox_hash(mb), after=0, limit=100)
    assert [d for _, d in got.records] == [i.stored for i in items]
    assert restore(got.records[0][1], mb)[12:44] == mb
    assert got.epoch is None
    later = storage.fetch(mailbox_hash(mb), after=seqs[2], limit=1)
    assert [s for s, _ in later.records] == [seqs[3]]


def test_mailboxes_are_separate(storage: Storage) -> None:
    a, b = os.urandom(32), os.urandom(32)
    storage.post_batch([item(a), item(b)], now=1.0, max_mailbox_bytes=CAP)
    assert len(storage.fetch(mailbox_hash(a), after=0, limit=10).records) == 1
    assert storage.fetch(mailbox_hash(os.urandom(32)), after=0, limit=10).records == []


def test_repost_is_idempotent(storage: Storage) -> None:
    mb = os.urandom(32)
    one = item(mb)
    first = storage.post_batch([one, one], now=1.0, max_mailbox_bytes=CAP)
    again = storage.post_batch([one], now=2.0, max_mailbox_bytes=CAP)
    assert first[0] == first[1] == again[0]
    assert len(storage.fetch(mailbox_hash(mb), after=0, limit=10).records) == 1


def test_commit_epochs(storage: Storage) -> None:
    mb = os.urandom(32)
    h = mailbox_hash(mb)
    c0 = item(mb, kind=Kind.COMMIT, epoch=0)
    assert isinstance(storage.post_batch([c0], now=1, max_mailbox_bytes=CAP)[0], Accepted)
    assert storage.fetch(h, after=0, limit=10).epoch == 1
    rival = item(mb, kind=Kind.COMMIT, epoch=0)
    assert storage.post_batch([rival], now=1, max_mailbox_bytes=CAP) == [Conflict(1)]
    # The accepted commit posted again gets the same answer, not a conflict.
    assert isinstance(storage.post_batch([c0], now=1, max_mailbox_bytes=CAP)[0], Accepted)
    c1a, c1b = item(mb, kind=Kind.COMMIT, epoch=1), item(mb, kind=Kind.COMMIT, epoch=1)
    results = storage.post_batch([c1a, c1b], now=1, max_mailbox_bytes=CAP)
    assert isinstance(results[0], Accepted) and results[1] == Conflict(2)
    assert storage.fetch(h, after=0, limit=10).epoch == 2


def test_first_commit_sets_the_epoch(storage: Storage) -> None:
    mb = os.urandom(32)
    storage.post_batch([item(mb)], now=1, max_mailbox_bytes=CAP)
    c = item(mb, kind=Kind.COMMIT, epoch=41)
    assert isinstance(storage.post_batch([c], now=1, max_mailbox_bytes=CAP)[0], Accepted)
    assert storage.fetch(mailbox_hash(mb), after=0, limit=10).epoch == 42


def test_mailbox_quota(storage: Storage) -> None:
    mb = os.urandom(32)
    one = item(mb)
    cap = 2 * len(one.stored)
    results = storage.post_batch([one, item(mb), item(mb)], now=1, max_mailbox_bytes=cap)
    assert isinstance(results[1], Accepted) and results[2] == MailboxFull()


def test_sweep_removes_old_envelopes(storage: Storage) -> None:
    mb = os.urandom(32)
    storage.post_batch([item(mb)], now=10.0, max_mailbox_bytes=CAP)
    storage.post_batch([item(mb)], now=100.0, max_mailbox_bytes=CAP)
    assert storage.sweep(before=50.0) == 1
    assert len(storage.fetch(mailbox_hash(mb), after=0, limit=10).records) == 1
    assert storage.sweep(before=1000.0) == 1
    storage.ping()


def test_sweeps_and_posts_from_two_threads_do_not_collide(storage: Storage) -> None:
    """The retention sweeper runs in another thread than the batch writer, on the same
    write connection; each must wait for the other's transaction (a regression: a sweep
    at start-up made the first post fail with SQLITE_ERROR)."""
    import threading

    mb = os.urandom(32)
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
            storage.post_batch([item(mb)], now=1.0, max_mailbox_bytes=CAP)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert errors == []
    assert len(storage.fetch(mailbox_hash(mb), after=0, limit=200).records) == 100
