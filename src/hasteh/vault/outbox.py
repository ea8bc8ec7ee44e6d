"""The durable outbox (storage only; the delivery state machine lives in hasteh.transport).

States: 'queued', 'in_flight', 'done', 'failed', 'conflict'.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from hasteh.vault.db import Connection, secrets_deleted

QUEUED: Final = "queued"
IN_FLIGHT: Final = "in_flight"
DONE: Final = "done"
FAILED: Final = "failed"
CONFLICT: Final = "conflict"
STATES: Final = (QUEUED, IN_FLIGHT, DONE, FAILED, CONFLICT)

_COLUMNS = (
    "id, envelope_id, relay, envelope, state, attempts, next_attempt_at, created_at, last_error,"
    " auth"
)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    envelope_id: bytes
    relay: str
    envelope: bytes
    state: str
    attempts: int
    next_attempt_at: float
    created_at: float
    last_error: str | None
    #: How the post is authorized on `relay` (opaque here; hasteh.transport reads it).
    auth: bytes | None = None


def _check_state(state: str) -> None:
    if state not in STATES:
        raise ValueError(f"unknown outbox state {state!r}")


def enqueue(
    conn: Connection,
    *,
    envelope_id: bytes,
    relay: str,
    envelope: bytes,
    now: float,
    auth: bytes | None = None,
) -> bool:
    """Queue an envelope for `relay`; False if this `envelope_id` is already present."""
    cursor = conn.execute(
        "INSERT INTO outbox (envelope_id, relay, envelope, state, attempts, next_attempt_at,"
        " created_at, last_error, auth) VALUES (?, ?, ?, 'queued', 0, ?, ?, NULL, ?)"
        " ON CONFLICT (envelope_id) DO NOTHING",
        (envelope_id, relay, envelope, now, now, auth),
    )
    return bool(cursor.rowcount)


def due(
    conn: Connection, *, now: float, limit: int = 100, relay: str | None = None
) -> list[OutboxItem]:
    """Queued items whose `next_attempt_at` <= `now`, oldest first."""
    sql = f"SELECT {_COLUMNS} FROM outbox WHERE state = 'queued' AND next_attempt_at <= ?"  # noqa: S608
    params: list[object] = [now]
    if relay is not None:
        sql += " AND relay = ?"
        params.append(relay)
    sql += " ORDER BY created_at, id LIMIT ?"
    params.append(limit)
    return [OutboxItem(*row) for row in conn.execute(sql, params).fetchall()]


def mark(
    conn: Connection,
    item_id: int,
    *,
    state: str,
    attempts: int,
    next_attempt_at: float,
    last_error: str | None = None,
) -> None:
    """Record the outcome of an attempt on item `item_id`."""
    _check_state(state)
    conn.execute(
        "UPDATE outbox SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?"
        " WHERE id = ?",
        (state, attempts, next_attempt_at, last_error, item_id),
    )


def items(
    conn: Connection, *, state: str | None = None, relay: str | None = None
) -> list[OutboxItem]:
    """All items, optionally of one state and/or one relay, in insertion order."""
    clauses: list[str] = []
    params: list[object] = []
    if state is not None:
        _check_state(state)
        clauses.append("state = ?")
        params.append(state)
    if relay is not None:
        clauses.append("relay = ?")
        params.append(relay)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    sql = f"SELECT {_COLUMNS} FROM outbox{where} ORDER BY id"  # noqa: S608
    return [OutboxItem(*row) for row in conn.execute(sql, params).fetchall()]


def remove(conn: Connection, item_id: int) -> None:
    """Delete item `item_id` (its envelope bytes are zeroed on disk by secure_delete)."""
    if conn.execute("DELETE FROM outbox WHERE id = ?", (item_id,)).rowcount:
        secrets_deleted(conn)


def counts(conn: Connection) -> dict[str, int]:
    """Number of items per state (every state present, zero if none)."""
    result = dict.fromkeys(STATES, 0)
    for state, n in conn.execute("SELECT state, count(*) FROM outbox GROUP BY state"):
        result[str(state)] = int(n)
    return result
