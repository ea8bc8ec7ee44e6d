"""Schema versions and migrations (`PRAGMA user_version`).

`MIGRATIONS[n]` takes a database from version n to n + 1. Each runs in its own
`BEGIN IMMEDIATE` transaction together with the `user_version` bump, so a crash leaves
either the old or the new version. A database whose version is newer than
`SCHEMA_VERSION` is refused with `NewerSchema` before anything is written.

Events are clustered by (group_id, seq) (`WITHOUT ROWID`), so reading one group's log
decrypts each page once instead of once per interleaved group.
"""

from __future__ import annotations

from typing import Any

import sqlcipher3

from hasteh.vault.errors import MigrationFailed, NewerSchema

_V1 = """
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE epochs (
    group_id BLOB NOT NULL,
    epoch    INTEGER NOT NULL,
    state    BLOB NOT NULL,
    PRIMARY KEY (group_id, epoch)
);
CREATE TABLE events (
    group_id   BLOB NOT NULL,
    seq        INTEGER NOT NULL,
    event_id   BLOB NOT NULL,
    kind       TEXT NOT NULL,
    body       BLOB NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL,
    PRIMARY KEY (group_id, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX events_event_id ON events (event_id);
CREATE INDEX events_expires_at ON events (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    envelope_id     BLOB UNIQUE NOT NULL,
    relay           TEXT NOT NULL,
    envelope        BLOB NOT NULL,
    state           TEXT NOT NULL,
    attempts        INT NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    created_at      REAL NOT NULL,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at, id);
CREATE TABLE cursors (
    relay   TEXT NOT NULL,
    mailbox BLOB NOT NULL,
    cursor  TEXT NOT NULL,
    PRIMARY KEY (relay, mailbox)
);
CREATE TABLE seen (
    envelope_id BLOB PRIMARY KEY,
    seen_at     REAL NOT NULL
);
CREATE INDEX seen_at ON seen (seen_at);
"""

#: Each delivery carries how its post is authorized on that relay (a serialized WriteAuth,
#: see hasteh.transport.outbox); NULL for rows queued before write access existed.
_V2 = """
ALTER TABLE outbox ADD COLUMN auth BLOB
"""

#: Files shared in a cell (hasteh.app.files): chunks checked and opened but not yet
#: complete, and whole files (`state` ok, or refused: an image that would not re-encode).
_V3 = """
CREATE TABLE IF NOT EXISTS file_chunks (
    file_id BLOB NOT NULL,
    idx     INTEGER NOT NULL,
    data    BLOB NOT NULL,
    PRIMARY KEY (file_id, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS files (
    file_id BLOB PRIMARY KEY,
    state   TEXT NOT NULL,
    data    BLOB NOT NULL
)
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3)
SCHEMA_VERSION = len(MIGRATIONS)


def version(conn: Any) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def check_not_newer(conn: Any) -> int:
    found = version(conn)
    if found > SCHEMA_VERSION:
        raise NewerSchema(found, SCHEMA_VERSION)
    return found


def migrate(conn: Any) -> None:
    """Bring the database up to `SCHEMA_VERSION`, one transaction per step."""
    while (current := check_not_newer(conn)) < SCHEMA_VERSION:
        conn.execute("BEGIN IMMEDIATE")
        try:
            if version(conn) == current:  # another process may have migrated meanwhile
                for statement in MIGRATIONS[current].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {current + 1}")
            conn.execute("COMMIT")
        except sqlcipher3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_READONLY")):
                raise
            raise MigrationFailed(current) from None
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
