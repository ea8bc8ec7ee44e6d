"""What `hasteh status` shows: counts only, never content, ids or names."""

from __future__ import annotations

from dataclasses import dataclass

from hasteh.vault import outbox, schema
from hasteh.vault.db import Connection


@dataclass(frozen=True, slots=True)
class Status:
    schema_version: int
    groups: int
    events: int
    outbox: dict[str, int]
    cursors: int
    seen: int
    settings: int


def _count(conn: Connection, sql: str) -> int:
    return int(conn.execute(sql).fetchone()[0])


def collect(conn: Connection) -> Status:
    return Status(
        schema_version=schema.version(conn),
        groups=_count(
            conn,
            "SELECT count(*) FROM (SELECT group_id FROM epochs UNION SELECT group_id FROM events)",
        ),
        events=_count(conn, "SELECT count(*) FROM events"),
        outbox=outbox.counts(conn),
        cursors=_count(conn, "SELECT count(*) FROM cursors"),
        seen=_count(conn, "SELECT count(*) FROM seen"),
        settings=_count(conn, "SELECT count(*) FROM settings"),
    )
