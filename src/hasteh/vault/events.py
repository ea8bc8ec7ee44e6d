"""Per-group event logs: ordered by `seq`, unique by `event_id`, optionally expiring."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlcipher3

from hasteh.vault.db import Connection, secrets_deleted
from hasteh.vault.errors import SequenceConflict

_INSERT = (
    "INSERT INTO events (group_id, seq, event_id, kind, body, created_at, expires_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING"
)
_COLUMNS = "group_id, seq, event_id, kind, body, created_at, expires_at"


@dataclass(frozen=True, slots=True)
class Event:
    group_id: bytes
    seq: int
    event_id: bytes
    kind: str
    body: bytes
    created_at: float
    expires_at: float | None = None

    def row(self) -> tuple[bytes, int, bytes, str, bytes, float, float | None]:
        return (
            self.group_id,
            self.seq,
            self.event_id,
            self.kind,
            self.body,
            self.created_at,
            self.expires_at,
        )


def append(
    conn: Connection,
    group_id: bytes,
    seq: int,
    event_id: bytes,
    kind: str,
    body: bytes,
    created_at: float,
    expires_at: float | None = None,
) -> bool:
    """Append one event. False if `event_id` is already stored (a duplicate delivery).

    Raises `SequenceConflict` if another event already holds (`group_id`, `seq`).
    """
    event = Event(group_id, seq, event_id, kind, body, created_at, expires_at)
    return append_many(conn, [event]) == 1


def append_many(conn: Connection, events: Iterable[Event]) -> int:
    """Append events in one statement batch; returns how many were new."""
    return append_rows(conn, (e.row() for e in events))


#: One event as `append_rows` takes it: the columns of `Event.row`, in its order.
Row = tuple[bytes, int, bytes, str, bytes, float, float | None]


def append_rows(conn: Connection, rows: Iterable[Row]) -> int:
    """`append_many` of rows already in column order (`Event.row`): a catch-up appends a
    page of a thousand events, and an `Event` made per row only to be taken apart again
    was a fifth of the append's cost. Same statement, same refusals."""
    before = conn.total_changes
    try:
        conn.executemany(_INSERT, rows)
    except sqlcipher3.IntegrityError:
        raise SequenceConflict() from None
    return int(conn.total_changes - before)


def read(conn: Connection, group_id: bytes, after_seq: int = -1, limit: int = 1000) -> list[Event]:
    """Up to `limit` events of `group_id` with seq > `after_seq`, in seq order."""
    cursor = conn.execute(
        f"SELECT {_COLUMNS} FROM events WHERE group_id = ? AND seq > ? ORDER BY seq LIMIT ?",  # noqa: S608
        (group_id, after_seq, limit),
    )
    return [Event(*row) for row in cursor.fetchall()]


def count(conn: Connection, group_id: bytes | None = None) -> int:
    """How many events are stored (in one group, or in all)."""
    if group_id is None:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    row = conn.execute("SELECT count(*) FROM events WHERE group_id = ?", (group_id,)).fetchone()
    return int(row[0])


def last_seq(conn: Connection, group_id: bytes) -> int | None:
    row = conn.execute("SELECT max(seq) FROM events WHERE group_id = ?", (group_id,)).fetchone()
    return None if row[0] is None else int(row[0])


def delete_expired(conn: Connection, now: float) -> int:
    """Delete events whose `expires_at` <= `now`; returns how many."""
    deleted = int(
        conn.execute(
            "DELETE FROM events WHERE expires_at IS NOT NULL AND expires_at <= ?", (now,)
        ).rowcount
    )
    if deleted:
        secrets_deleted(conn)
    return deleted


def delete_group(conn: Connection, group_id: bytes) -> int:
    deleted = int(conn.execute("DELETE FROM events WHERE group_id = ?", (group_id,)).rowcount)
    if deleted:
        secrets_deleted(conn)
    return deleted


def delete_ids(conn: Connection, event_ids: Iterable[bytes]) -> int:
    """Delete the events with these ids (a closed decision's stances, a deleted message)."""
    deleted = 0
    for event_id in event_ids:
        deleted += int(
            conn.execute("DELETE FROM events WHERE event_id = ?", (bytes(event_id),)).rowcount
        )
    if deleted:
        secrets_deleted(conn)
    return deleted
