"""The storage API: transactions, migrations and each table module."""

from __future__ import annotations

import os
import typing
from pathlib import Path

import pytest
import sqlcipher3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hasteh import vault
from hasteh.vault import cursors, epochs, events, outbox, schema
from hasteh.vault.errors import SequenceConflict, SettingTypeMismatch, StaleEpoch
from hasteh.vault.events import Event
from hasteh.vault.settings import delete_setting, get_setting, set_setting, setting_keys

from .helpers import FAST, PASS

G1, G2 = b"group-one", b"group-two"


def test_write_commits_and_read_sees_it(opened: vault.Vault) -> None:
    opened.write(lambda c: set_setting(c, "lang", "fa"))
    assert opened.read(lambda c: get_setting(c, "lang", str)) == "fa"


def test_write_rolls_back_on_error(opened: vault.Vault) -> None:
    def boom(conn: vault.Connection) -> None:
        set_setting(conn, "lang", "fa")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        opened.write(boom)
    assert opened.read(lambda c: get_setting(c, "lang", str)) is None
    opened.write(lambda c: set_setting(c, "lang", "en"))  # the connection is still usable
    assert opened.read(lambda c: get_setting(c, "lang", str)) == "en"


def test_read_refuses_writes_and_nesting(opened: vault.Vault) -> None:
    with pytest.raises(sqlcipher3.OperationalError):
        opened.read(lambda c: set_setting(c, "x", 1))
    with pytest.raises(RuntimeError):
        opened.write(lambda c: opened.read(lambda c2: None))
    opened.write(lambda c: set_setting(c, "x", 1))


def test_pragmas(opened: vault.Vault) -> None:
    def pragmas(c: vault.Connection) -> tuple[object, ...]:
        return tuple(
            c.execute(f"PRAGMA {name}").fetchone()[0]
            for name in (
                "secure_delete",
                "journal_mode",
                "synchronous",
                "temp_store",
                "user_version",
            )
        )

    assert opened.read(pragmas) == (1, "wal", 2, 2, schema.SCHEMA_VERSION)


def test_reopen_keeps_data_and_migration_is_idempotent(home: Path) -> None:
    with vault.opened(home, PASS, min_kdf=FAST) as v:
        v.write(lambda c: set_setting(c, "n", 3))
    with vault.opened(home, PASS, min_kdf=FAST) as v:
        assert v.read(lambda c: get_setting(c, "n", int)) == 3
        schema.migrate(v._conn)  # already current: nothing to do
        assert v.read(schema.version) == schema.SCHEMA_VERSION


def test_settings_typed(opened: vault.Vault) -> None:
    opened.write(lambda c: set_setting(c, "relays", ["a.onion", "b.onion"]))
    opened.write(lambda c: set_setting(c, "cap", 5))
    assert opened.read(lambda c: get_setting(c, "relays", list[str])) == ["a.onion", "b.onion"]
    assert opened.read(lambda c: get_setting(c, "missing", int, 7)) == 7
    with pytest.raises(SettingTypeMismatch):
        opened.read(lambda c: get_setting(c, "relays", int))
    assert opened.read(setting_keys) == ["cap", "relays"]
    assert opened.write(lambda c: delete_setting(c, "cap")) is True
    assert opened.write(lambda c: delete_setting(c, "cap")) is False


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=64), st.sampled_from([int, str, list[int], dict[str, int], float, bool]))
def test_settings_decoder_total(opened: vault.Vault, raw: bytes, type_: type) -> None:
    def store(c: vault.Connection) -> None:
        c.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('k', ?)", (raw,))

    opened.write(store)
    try:
        value = opened.read(lambda c: get_setting(c, "k", type_))
    except SettingTypeMismatch:
        return
    # whatever decodes is a value of the type asked for, nothing else
    origin = typing.get_origin(type_) or type_
    assert isinstance(value, origin)
    if origin is list:
        assert all(isinstance(x, int) and not isinstance(x, bool) for x in value)
    if origin is dict:
        assert all(isinstance(k, str) and isinstance(v, int) for k, v in value.items())


def test_epochs_keep_only_the_newest(opened: vault.Vault) -> None:
    opened.write(lambda c: epochs.put_epoch(c, G1, 1, b"s1"))
    opened.write(lambda c: epochs.put_epoch(c, G2, 4, b"t4"))
    opened.write(lambda c: epochs.put_epoch(c, G1, 3, b"s3"))
    assert opened.read(lambda c: epochs.get_epoch(c, G1)) == (3, b"s3")
    assert opened.read(lambda c: c.execute("SELECT count(*) FROM epochs").fetchone()[0]) == 2
    opened.write(lambda c: epochs.put_epoch(c, G1, 3, b"s3'"))
    assert opened.read(lambda c: epochs.get_epoch(c, G1)) == (3, b"s3'")
    with pytest.raises(StaleEpoch):
        opened.write(lambda c: epochs.put_epoch(c, G1, 2, b"old"))
    assert opened.write(lambda c: epochs.delete_group(c, G1)) is True
    assert opened.read(lambda c: epochs.get_epoch(c, G1)) is None
    assert opened.read(lambda c: epochs.get_epoch(c, G2)) == (4, b"t4")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from([G1, G2, b"g3"]), st.integers(0, 20)), max_size=25))
def test_epochs_property(opened: vault.Vault, puts: list[tuple[bytes, int]]) -> None:
    opened.write(lambda c: c.execute("DELETE FROM epochs"))
    newest: dict[bytes, int] = {}
    for gid, epoch in puts:
        state = gid + epoch.to_bytes(2, "big")
        try:
            opened.write(lambda c: epochs.put_epoch(c, gid, epoch, state))  # noqa: B023
        except StaleEpoch:
            assert epoch < newest[gid]
            continue
        newest[gid] = epoch
    rows = opened.read(lambda c: c.execute("SELECT group_id, epoch FROM epochs").fetchall())
    assert sorted((bytes(g), e) for g, e in rows) == sorted(newest.items())


def ev(seq: int, group: bytes = G1, expires: float | None = None) -> Event:
    return Event(
        group, seq, group + seq.to_bytes(4, "big"), "chat", b"body%d" % seq, 100.0 + seq, expires
    )


def test_events_append_read_count_expire(opened: vault.Vault) -> None:
    assert opened.write(lambda c: events.append(c, G1, 0, b"e0", "chat", b"hi", 1.0, 50.0)) is True
    assert opened.write(lambda c: events.append(c, G1, 0, b"e0", "chat", b"hi", 1.0, 50.0)) is False
    with pytest.raises(SequenceConflict):
        opened.write(lambda c: events.append(c, G1, 0, b"other", "chat", b"x", 1.0))
    batch = [ev(i, expires=200.0 if i % 2 else None) for i in range(1, 11)] + [ev(1, G2)]
    assert opened.write(lambda c: events.append_many(c, batch)) == 11
    assert opened.write(lambda c: events.append_many(c, batch)) == 0
    assert opened.read(lambda c: events.count(c, G1)) == 11
    assert opened.read(lambda c: events.count(c)) == 12
    page = opened.read(lambda c: events.read(c, G1, after_seq=3, limit=4))
    assert [e.seq for e in page] == [4, 5, 6, 7]
    assert page[0] == ev(4)
    assert opened.read(lambda c: events.last_seq(c, G1)) == 10
    assert opened.write(lambda c: events.delete_expired(c, 49.0)) == 0
    assert opened.write(lambda c: events.delete_expired(c, 200.0)) == 1 + 5
    assert [e.seq for e in opened.read(lambda c: events.read(c, G1))] == [2, 4, 6, 8, 10]


def test_events_indexes(opened: vault.Vault) -> None:
    def plan(sql: str, params: tuple[object, ...]) -> str:
        return " ".join(
            str(r[3])
            for r in opened.read(
                lambda c: c.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
            )
        )

    assert "PRIMARY KEY" in plan(
        "SELECT * FROM events WHERE group_id=? AND seq>? ORDER BY seq", (G1, 0)
    )
    assert "events_expires_at" in plan(
        "DELETE FROM events WHERE expires_at IS NOT NULL AND expires_at<=?", (1.0,)
    )


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.builds(
            Event,
            group_id=st.sampled_from([G1, G2]),
            seq=st.integers(0, 10**12),
            event_id=st.binary(min_size=1, max_size=32),
            kind=st.text(max_size=20),
            body=st.binary(max_size=300),
            created_at=st.floats(allow_nan=False, allow_infinity=False),
            expires_at=st.none() | st.floats(allow_nan=False, allow_infinity=False),
        ),
        max_size=20,
        unique_by=(lambda e: e.event_id, lambda e: (e.group_id, e.seq)),
    )
)
def test_events_round_trip(opened: vault.Vault, batch: list[Event]) -> None:
    opened.write(lambda c: c.execute("DELETE FROM events"))
    assert opened.write(lambda c: events.append_many(c, batch)) == len(batch)
    for gid in (G1, G2):
        stored = opened.read(lambda c: events.read(c, gid, after_seq=-1, limit=100))  # noqa: B023
        assert stored == sorted((e for e in batch if e.group_id == gid), key=lambda e: e.seq)


def test_outbox(opened: vault.Vault) -> None:
    def enq(env_id: bytes, relay: str, now: float) -> bool:
        return opened.write(
            lambda c: outbox.enqueue(
                c, envelope_id=env_id, relay=relay, envelope=b"E" + env_id, now=now
            )
        )

    assert enq(b"a", "r1", 10.0) and enq(b"b", "r2", 11.0) and enq(b"c", "r1", 12.0)
    assert enq(b"a", "r1", 13.0) is False
    due = opened.read(lambda c: outbox.due(c, now=11.5))
    assert [i.envelope_id for i in due] == [b"a", b"b"]
    assert due[0] == outbox.OutboxItem(due[0].id, b"a", "r1", b"Ea", "queued", 0, 10.0, 10.0, None)
    assert [i.envelope_id for i in opened.read(lambda c: outbox.due(c, now=99, relay="r1"))] == [
        b"a",
        b"c",
    ]
    assert len(opened.read(lambda c: outbox.due(c, now=99, limit=1))) == 1
    opened.write(
        lambda c: outbox.mark(c, due[0].id, state="in_flight", attempts=1, next_attempt_at=10.0)
    )
    opened.write(
        lambda c: outbox.mark(
            c, due[1].id, state="queued", attempts=1, next_attempt_at=50.0, last_error="timeout"
        )
    )
    assert [i.envelope_id for i in opened.read(lambda c: outbox.due(c, now=20.0))] == [b"c"]
    assert (
        opened.read(lambda c: outbox.items(c, state="queued", relay="r2"))[0].last_error
        == "timeout"
    )
    assert opened.read(outbox.counts) == {
        "queued": 2,
        "in_flight": 1,
        "done": 0,
        "failed": 0,
        "conflict": 0,
    }
    with pytest.raises(ValueError):
        opened.write(
            lambda c: outbox.mark(c, due[0].id, state="lost", attempts=1, next_attempt_at=0)
        )
    opened.write(lambda c: outbox.remove(c, due[0].id))
    assert len(opened.read(outbox.items)) == 2


def test_cursors_and_seen(opened: vault.Vault) -> None:
    assert opened.read(lambda c: cursors.get_cursor(c, "r1", b"mb")) is None
    opened.write(lambda c: cursors.set_cursor(c, "r1", b"mb", "c-1"))
    opened.write(lambda c: cursors.set_cursor(c, "r1", b"mb", "c-2"))
    opened.write(lambda c: cursors.set_cursor(c, "r2", b"mb", "x"))
    assert opened.read(lambda c: cursors.get_cursor(c, "r1", b"mb")) == "c-2"
    assert opened.write(lambda c: cursors.mark_seen(c, b"env1", 10.0)) is True
    assert opened.write(lambda c: cursors.mark_seen(c, b"env1", 11.0)) is False
    assert opened.write(lambda c: cursors.mark_seen(c, b"env2", 20.0)) is True
    assert opened.write(lambda c: cursors.forget_seen_before(c, 15.0)) == 1
    assert opened.write(lambda c: cursors.mark_seen(c, b"env1", 30.0)) is True


def test_seen_many_matches_one_by_one(opened: vault.Vault) -> None:
    """A page marked at once gives the answers `mark_seen` gives one envelope at a time:
    what was seen before is not new, a repeat inside the page (a hostile relay sending
    the same envelope twice) is new only the first time; more ids than one query holds."""
    opened.write(lambda c: cursors.mark_seen(c, b"old", 1.0))
    page = [b"old", b"a", b"b", b"a", b"old"] + [i.to_bytes(4, "big") for i in range(1200)]
    got = opened.write(lambda c: cursors.mark_seen_many(c, page, 2.0))
    assert got[:5] == [False, True, True, False, False]
    assert all(got[5:])
    assert opened.write(lambda c: cursors.mark_seen_many(c, [b"a", b"new"], 3.0)) == [False, True]
    assert opened.write(lambda c: cursors.mark_seen_many(c, [], 3.0)) == []
    # Only what was seen before 2.0 goes (the page carries its own time).
    assert opened.write(lambda c: cursors.forget_seen_before(c, 2.0)) == 1


def test_seen_many_rolls_back_with_its_transaction(opened: vault.Vault) -> None:
    """Marking a page seen belongs to the transaction that hands its envelopes over:
    if handing one over fails, none is left marked (the next fetch sees them again)."""

    def fail(c: typing.Any) -> None:
        cursors.mark_seen_many(c, [b"x", b"y"], 1.0)
        raise RuntimeError("sink failed")

    with pytest.raises(RuntimeError):
        opened.write(fail)
    assert opened.write(lambda c: cursors.mark_seen_many(c, [b"x", b"y"], 2.0)) == [True, True]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seen=st.lists(st.binary(min_size=1, max_size=3), max_size=8),
    page=st.lists(st.binary(min_size=1, max_size=3), max_size=20),
)
def test_seen_many_property(opened: vault.Vault, seen: list[bytes], page: list[bytes]) -> None:
    """For any ids already seen and any page (repeats included), the batched answer is
    the one-at-a-time answer, and the table ends the same."""

    def both(c: typing.Any) -> tuple[list[bool], list[bool], set[bytes], set[bytes]]:
        c.execute("DELETE FROM seen")
        for eid in seen:
            cursors.mark_seen(c, eid, 1.0)
        one = [cursors.mark_seen(c, eid, 2.0) for eid in page]
        after_one = {bytes(r[0]) for r in c.execute("SELECT envelope_id FROM seen")}
        c.execute("DELETE FROM seen")
        for eid in seen:
            cursors.mark_seen(c, eid, 1.0)
        many = cursors.mark_seen_many(c, page, 2.0)
        after_many = {bytes(r[0]) for r in c.execute("SELECT envelope_id FROM seen")}
        return one, many, after_one, after_many

    one, many, after_one, after_many = opened.write(both)
    assert many == one
    assert after_many == after_one


def test_status_counts_only(opened: vault.Vault) -> None:
    opened.write(lambda c: epochs.put_epoch(c, G1, 1, b"s"))
    opened.write(lambda c: events.append_many(c, [ev(1, G2), ev(2, G2)]))
    opened.write(lambda c: outbox.enqueue(c, envelope_id=b"e", relay="r", envelope=b"x", now=1.0))
    info = opened.read(vault.collect)
    assert (info.groups, info.events, info.outbox["queued"]) == (2, 2, 1)
    assert info.schema_version == schema.SCHEMA_VERSION


def test_deleting_secrets_truncates_the_wal(opened: vault.Vault, home: Path) -> None:
    opened.write(lambda c: epochs.put_epoch(c, G1, 1, os.urandom(3000)))
    wal = home / next(p.name for p in home.iterdir() if p.name.endswith("-wal"))
    assert wal.stat().st_size > 0
    opened.write(lambda c: epochs.put_epoch(c, G1, 2, os.urandom(3000)))
    assert wal.stat().st_size == 0


def test_migration_step_applies_atomically(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = "CREATE TABLE extra (x INTEGER); INSERT INTO extra VALUES (1)"
    bad = "CREATE TABLE extra (x INTEGER); INSERT INTO missing_table VALUES (1)"
    base = len(schema.MIGRATIONS)
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, bad))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", base + 1)
    with pytest.raises(vault.MigrationFailed) as info:
        vault.unlock(home, PASS, min_kdf=FAST)
    assert info.value.step == base
    monkeypatch.setattr(schema, "SCHEMA_VERSION", base)
    with vault.opened(home, PASS, min_kdf=FAST) as v:  # the failed step left nothing behind
        assert v.read(schema.version) == base
        tables = v.read(lambda c: [r[0] for r in c.execute("SELECT name FROM sqlite_master")])
        assert "extra" not in tables
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS[:base], good))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", base + 1)
    with vault.opened(home, PASS, min_kdf=FAST) as v:
        assert v.read(schema.version) == base + 1
        assert v.read(lambda c: c.execute("SELECT x FROM extra").fetchone()[0]) == 1


def test_outbox_rows_from_version_1_survive_the_auth_column(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A profile made before write access: its queued deliveries keep their bytes and get
    no auth (the app supplies one when it restages them)."""
    fresh = home.parent / "v1"
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 1)
    vault.create(fresh, PASS, kdf=FAST, min_kdf=FAST)
    with vault.opened(fresh, PASS, min_kdf=FAST) as v:
        assert v.read(schema.version) == 1
        v.write(
            lambda c: c.execute(
                "INSERT INTO outbox (envelope_id, relay, envelope, state, attempts,"
                " next_attempt_at, created_at) VALUES (x'01', 'r', x'02', 'queued', 0, 1, 1)"
            )
        )
    monkeypatch.undo()
    with vault.opened(fresh, PASS, min_kdf=FAST) as v:
        [item] = v.read(outbox.items)
        assert (item.envelope_id, item.envelope, item.auth) == (b"\x01", b"\x02", None)
        assert v.read(schema.version) == schema.SCHEMA_VERSION
