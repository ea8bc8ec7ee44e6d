"""Where we are in each relay mailbox, and which envelopes were already seen."""

from __future__ import annotations

from collections.abc import Sequence

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


#: Ids per multi-row insert (two parameters each): far below SQLite's bound on
#: parameters in one statement.
_SEEN_CHUNK = 500


def mark_seen_many(conn: Connection, envelope_ids: Sequence[bytes], now: float) -> list[bool]:
    """`mark_seen` for a fetched page at once: one multi-row insert per chunk of ids that
    skips those seen before and returns the ids it inserted (``ON CONFLICT DO NOTHING
    RETURNING``), instead of one statement per envelope (a catch-up of thousands of
    envelopes spent a good share of its time here) or a look-up and then an insert.
    Returns, for each id in order, whether it is new; an id repeated in the page is new
    only the first time."""
    unique = list(dict.fromkeys(envelope_ids))
    fresh: set[bytes] = set()
    for start in range(0, len(unique), _SEEN_CHUNK):
        chunk = unique[start : start + _SEEN_CHUNK]
        # Only "(?, ?)" placeholders are joined into the text; ids and time are bound.
        sql = (
            "INSERT INTO seen (envelope_id, seen_at) VALUES "  # noqa: S608
            + ", ".join(["(?, ?)"] * len(chunk))
            + " ON CONFLICT DO NOTHING RETURNING envelope_id"
        )
        params = [value for eid in chunk for value in (eid, now)]
        fresh.update(bytes(row[0]) for row in conn.execute(sql, params))
    out = []
    for eid in envelope_ids:
        out.append(eid in fresh)
        fresh.discard(eid)
    return out


def forget_seen_before(conn: Connection, t: float) -> int:
    """Forget envelopes seen before `t`; returns how many."""
    deleted = int(conn.execute("DELETE FROM seen WHERE seen_at < ?", (t,)).rowcount)
    if deleted:
        secrets_deleted(conn)
    return deleted
