"""Where we are in each relay mailbox, and which envelopes were already seen."""

from __future__ import annotations

from hasteh.vault.db import Connection, secrets_deleted


def get_cursor(conn: Connection, relay: str, mailbox: bytes) -> str | None:
    row = conn.execute(
        "SELECT cursor FROM cursors WHERE relay = ? AND mailbox = ?", (relay, mailbox)
    ).fetchone()
    return None if row is None else str(row[0])


def set_cursor(conn: Connection, relay: str, mailbox: bytes, cursor: str) -> None:
    conn.execute(
        "INSERT INTO cursors (relay, mailbox, cursor) VALUES (?, ?, ?) "
        "ON CONFLICT (relay, mailbox) DO UPDATE SET cursor = excluded.cursor",
        (relay, mailbox, cursor),
    )


def mark_seen(conn: Connection, envelope_id: bytes, now: float) -> bool:
    """Record `envelope_id` as seen; False if it was seen before."""
    cursor = conn.execute(
        "INSERT INTO seen (envelope_id, seen_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (envelope_id, now),
    )
    return bool(cursor.rowcount)


def forget_seen_before(conn: Connection, t: float) -> int:
    """Forget envelopes seen before `t`; returns how many."""
    deleted = int(conn.execute("DELETE FROM seen WHERE seen_at < ?", (t,)).rowcount)
    if deleted:
        secrets_deleted(conn)
    return deleted
