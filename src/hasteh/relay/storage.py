"""Relay storage: one interface (`Storage`), two backends (SQLite embedded, PostgreSQL).

Every write goes through `post_batch`, called by the single writer (`relay.writer`), which
runs a whole batch in one transaction and acknowledges nothing before it commits: group
commit keeps every acknowledged envelope durable (SQLite WAL with synchronous=FULL, or a
PostgreSQL commit) while paying one fsync per batch instead of one per envelope.

Rules applied to each posted envelope, in order (docs/protocol.md):

1. the same envelope id already in the mailbox -> the same answer as the first time;
2. a commit for epoch E while the mailbox is at another known epoch -> `Conflict(epoch)`;
3. the mailbox would exceed its byte quota -> `MailboxFull`;
4. otherwise store it; a commit moves the mailbox to E + 1.

A mailbox that has never seen a commit (or was forgotten by retention) has no epoch; its
first commit, for whatever epoch, sets it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from hasteh.envelope import HEADER_SIZE
from hasteh.relay.errors import ConfigError, StorageError

#: Stored envelopes carry 32 zero bytes where the mailbox id was; fetch splices it back.
MAILBOX_SLICE = slice(12, 44)
ZERO_MAILBOX = bytes(32)
#: SQL integers are signed 64-bit; a commit must leave room for E + 1.
MAX_EPOCH = 2**63 - 2


@dataclass(frozen=True, slots=True)
class PostItem:
    """One envelope to store. `stored` is the encoded envelope with the mailbox zeroed."""

    mailbox_hash: bytes
    envelope_id: bytes
    is_commit: bool
    epoch: int
    stored: bytes


@dataclass(frozen=True, slots=True)
class Accepted:
    seq: int


@dataclass(frozen=True, slots=True)
class Conflict:
    epoch: int | None


@dataclass(frozen=True, slots=True)
class MailboxFull:
    pass


PostResult = Accepted | Conflict | MailboxFull


@dataclass(frozen=True, slots=True)
class Fetched:
    records: list[tuple[int, bytes]]  # (seq, stored envelope)
    epoch: int | None


class Storage(Protocol):
    """What the relay needs from a database. Methods are blocking; call them off the loop."""

    def post_batch(
        self, items: Sequence[PostItem], *, now: float, max_mailbox_bytes: int
    ) -> list[PostResult]: ...

    def fetch(self, mailbox_hash: bytes, *, after: int, limit: int) -> Fetched: ...

    def sweep(self, *, before: float) -> int: ...

    def ping(self) -> None: ...

    def close(self) -> None: ...


_SCHEMA_SQLITE = """
CREATE TABLE IF NOT EXISTS envelopes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    mailbox BLOB NOT NULL,
    id BLOB NOT NULL,
    created_at REAL NOT NULL,
    data BLOB NOT NULL,
    UNIQUE (mailbox, id)
);
CREATE INDEX IF NOT EXISTS envelopes_mailbox_seq ON envelopes (mailbox, seq);
CREATE INDEX IF NOT EXISTS envelopes_created ON envelopes (created_at);
CREATE TABLE IF NOT EXISTS mailboxes (
    hash BLOB PRIMARY KEY,
    epoch INTEGER,
    bytes INTEGER NOT NULL,
    last_at REAL NOT NULL
);
"""

_SCHEMA_POSTGRES = """
CREATE TABLE IF NOT EXISTS envelopes (
    seq BIGSERIAL PRIMARY KEY,
    mailbox BYTEA NOT NULL,
    id BYTEA NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    data BYTEA NOT NULL,
    UNIQUE (mailbox, id)
);
CREATE INDEX IF NOT EXISTS envelopes_mailbox_seq ON envelopes (mailbox, seq);
CREATE INDEX IF NOT EXISTS envelopes_created ON envelopes (created_at);
CREATE TABLE IF NOT EXISTS mailboxes (
    hash BYTEA PRIMARY KEY,
    epoch BIGINT,
    bytes BIGINT NOT NULL,
    last_at DOUBLE PRECISION NOT NULL
);
"""


class _SqlStorage:
    """The shared SQL of both backends; subclasses provide connections and a dialect."""

    P = "?"  # placeholder
    LOCK = False  # lock mailbox rows (FOR UPDATE) before writing

    def __init__(self) -> None:
        self._local = threading.local()
        self._readers: list[Any] = []
        self._lock = threading.Lock()
        # One connection writes; the batch writer thread and the retention sweeper (another
        # thread) both use it, and a connection holds one transaction at a time.
        self._write_lock = threading.Lock()
        self._writer: Any = self._connect()

    # -- to override ----------------------------------------------------------------
    def _connect(self) -> Any:
        raise NotImplementedError

    @contextmanager
    def _transaction(self, conn: Any) -> Iterator[Any]:
        raise NotImplementedError
        yield

    # -- shared ---------------------------------------------------------------------
    def _sql(self, text: str) -> str:
        return text.replace("?", self.P)

    def _reader(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._readers.append(conn)
        return conn

    def post_batch(
        self, items: Sequence[PostItem], *, now: float, max_mailbox_bytes: int
    ) -> list[PostResult]:
        try:
            with self._write_lock, self._transaction(self._writer) as cur:
                if self.LOCK:
                    self._lock_mailboxes(cur, sorted({i.mailbox_hash for i in items}), now)
                return [self._post_one(cur, item, now, max_mailbox_bytes) for item in items]
        except (sqlite3.Error, OSError) as exc:
            raise StorageError("the database refused a write") from exc
        except Exception as exc:
            if type(exc).__module__.startswith("psycopg"):
                raise StorageError("the database refused a write") from exc
            raise

    def _lock_mailboxes(self, cur: Any, hashes: list[bytes], now: float) -> None:
        for h in hashes:
            cur.execute(
                self._sql(
                    "INSERT INTO mailboxes (hash, epoch, bytes, last_at) VALUES (?, NULL, 0, ?)"
                    " ON CONFLICT (hash) DO NOTHING"
                ),
                (h, now),
            )
            cur.execute(self._sql("SELECT 1 FROM mailboxes WHERE hash = ? FOR UPDATE"), (h,))
            cur.fetchall()

    def _post_one(self, cur: Any, item: PostItem, now: float, cap: int) -> PostResult:
        sql = self._sql
        cur.execute(
            sql(
                "SELECT (SELECT seq FROM envelopes WHERE mailbox = ? AND id = ?),"
                " (SELECT epoch FROM mailboxes WHERE hash = ?),"
                " (SELECT bytes FROM mailboxes WHERE hash = ?)"
            ),
            (item.mailbox_hash, item.envelope_id, item.mailbox_hash, item.mailbox_hash),
        )
        seq, epoch, used = cur.fetchone()
        if seq is not None:
            return Accepted(int(seq))
        if item.is_commit and epoch is not None and epoch != item.epoch:
            return Conflict(int(epoch))
        size = len(item.stored)
        if int(used or 0) + size > cap:
            return MailboxFull()
        new_epoch = item.epoch + 1 if item.is_commit else epoch
        return Accepted(self._insert(cur, item, now, new_epoch))

    def _insert(self, cur: Any, item: PostItem, now: float, epoch: int | None) -> int:
        cur.execute(
            "INSERT INTO envelopes (mailbox, id, created_at, data) VALUES (?, ?, ?, ?)"
            " RETURNING seq",
            (item.mailbox_hash, item.envelope_id, now, item.stored),
        )
        seq = int(cur.fetchone()[0])
        cur.execute(
            "INSERT INTO mailboxes (hash, epoch, bytes, last_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (hash) DO UPDATE SET epoch = excluded.epoch,"
            " bytes = mailboxes.bytes + excluded.bytes, last_at = excluded.last_at",
            (item.mailbox_hash, epoch, len(item.stored), now),
        )
        return seq

    def fetch(self, mailbox_hash: bytes, *, after: int, limit: int) -> Fetched:
        conn = self._reader()
        cur = conn.cursor()
        try:
            cur.execute(
                self._sql(
                    "SELECT seq, data FROM envelopes WHERE mailbox = ? AND seq > ?"
                    " ORDER BY seq LIMIT ?"
                ),
                (mailbox_hash, after, limit),
            )
            records = [(int(s), bytes(d)) for s, d in cur.fetchall()]
            cur.execute(self._sql("SELECT epoch FROM mailboxes WHERE hash = ?"), (mailbox_hash,))
            row = cur.fetchone()
        finally:
            self._end_read(conn)
        epoch = None if row is None or row[0] is None else int(row[0])
        return Fetched(records, epoch)

    def _end_read(self, conn: Any) -> None:
        """Close a read transaction so the next read sees new commits."""

    def sweep(self, *, before: float) -> int:
        with self._write_lock, self._transaction(self._writer) as cur:
            cur.execute(self._sql("DELETE FROM envelopes WHERE created_at < ?"), (before,))
            removed = int(cur.rowcount or 0)
            cur.execute(
                "UPDATE mailboxes SET bytes = COALESCE((SELECT SUM(LENGTH(e.data))"
                " FROM envelopes e WHERE e.mailbox = mailboxes.hash), 0)"
            )
            cur.execute(
                self._sql("DELETE FROM mailboxes WHERE bytes = 0 AND last_at < ?"), (before,)
            )
        return removed

    def ping(self) -> None:
        conn = self._reader()
        cur = conn.cursor()
        cur.execute("SELECT 1")
        cur.fetchall()
        self._end_read(conn)

    def close(self) -> None:
        with self._lock:
            for conn in [*self._readers, self._writer]:
                try:
                    conn.close()
                except Exception:  # noqa: S112 - best effort at shutdown
                    continue
            self._readers.clear()


class SqliteStorage(_SqlStorage):
    """Embedded SQLite: WAL, synchronous=FULL, one writer connection, one reader per thread."""

    def __init__(self, path: str) -> None:
        self._path = path
        super().__init__()
        self._writer.executescript(_SCHEMA_SQLITE)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self._path, isolation_level=None, check_same_thread=False, timeout=30
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    @contextmanager
    def _transaction(self, conn: Any) -> Iterator[Any]:
        cur = conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        cur.execute("COMMIT")


class SealedSqliteStorage(SqliteStorage):
    """The embedded relay of `hasteh up`: the same SQLite schema inside SQLCipher, keyed
    by a random secret that the profile's vault keeps, so at rest the relay's folder is
    as opaque as the vault (no mailbox hash, epoch or stamp in clear), and it becomes
    noise when panic or a duress unlock shreds the vault. Stamps are rounded down to the
    hour: retention needs no more, and a decrypted copy then tells less about when.
    """

    #: Stamps (envelope `created_at`, mailbox `last_at`) are multiples of this, in s.
    STAMP = 3600

    def __init__(self, path: str, key: bytes) -> None:
        if len(key) != 32:
            raise ConfigError("the embedded relay's key must be 32 bytes")
        self._key = key
        try:
            super().__init__(path)
        except Exception as exc:
            if _is_sqlcipher_error(exc):
                raise StorageError("the embedded relay's database does not open") from exc
            raise

    def _connect(self) -> Any:
        import sqlcipher3

        conn = sqlcipher3.connect(
            self._path, isolation_level=None, check_same_thread=False, timeout=30
        )
        conn.execute(f"PRAGMA key = \"x'{self._key.hex()}'\"")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # a wrong key fails here
        return conn

    def post_batch(
        self, items: Sequence[PostItem], *, now: float, max_mailbox_bytes: int
    ) -> list[PostResult]:
        hour = float(int(now) - int(now) % self.STAMP)
        try:
            return super().post_batch(items, now=hour, max_mailbox_bytes=max_mailbox_bytes)
        except Exception as exc:
            if _is_sqlcipher_error(exc):
                raise StorageError("the database refused a write") from exc
            raise


def _is_sqlcipher_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("sqlcipher3")


class PostgresStorage(_SqlStorage):
    """PostgreSQL through psycopg 3. Mailbox rows are locked, so several relay processes
    may share one database and still give every mailbox one order and one epoch."""

    P = "%s"
    LOCK = True

    def __init__(self, url: str) -> None:
        self._url = url
        super().__init__()
        with self._transaction(self._writer) as cur:
            cur.execute("SELECT pg_advisory_xact_lock(7201)")
            cur.execute(_SCHEMA_POSTGRES)

    def _connect(self) -> Any:
        import psycopg

        return psycopg.connect(self._url, autocommit=True)

    @contextmanager
    def _transaction(self, conn: Any) -> Iterator[Any]:
        with conn.transaction(), conn.cursor() as cur:
            yield cur

    def _insert(self, cur: Any, item: PostItem, now: float, epoch: int | None) -> int:
        cur.execute(
            "WITH ins AS (INSERT INTO envelopes (mailbox, id, created_at, data)"
            " VALUES (%s, %s, %s, %s) RETURNING seq),"
            " mb AS (INSERT INTO mailboxes (hash, epoch, bytes, last_at) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (hash) DO UPDATE SET epoch = excluded.epoch,"
            " bytes = mailboxes.bytes + excluded.bytes, last_at = excluded.last_at)"
            " SELECT seq FROM ins",
            (
                item.mailbox_hash,
                item.envelope_id,
                now,
                item.stored,
                item.mailbox_hash,
                epoch,
                len(item.stored),
                now,
            ),
        )
        return int(cur.fetchone()[0])


def open_storage(url: str) -> Storage:
    """`sqlite:///PATH` (embedded) or `postgresql://...` (psycopg 3)."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        if not path:
            raise ConfigError("sqlite URL needs a path: sqlite:///PATH")
        return SqliteStorage(path)
    if url.startswith(("postgresql://", "postgres://")):
        try:
            return PostgresStorage(url)
        except Exception as exc:
            raise ConfigError("cannot connect to the PostgreSQL database") from exc
    raise ConfigError("database URL must start with sqlite:/// or postgresql://")


def stored_form(encoded: bytes) -> bytes:
    """The envelope as stored: its mailbox id replaced by zeros."""
    return encoded[: MAILBOX_SLICE.start] + ZERO_MAILBOX + encoded[MAILBOX_SLICE.stop :]


def restore(stored: bytes, mailbox: bytes) -> bytes:
    """Put the mailbox id (which the fetcher knows) back into a stored envelope."""
    return stored[: MAILBOX_SLICE.start] + mailbox + stored[MAILBOX_SLICE.stop :]


assert HEADER_SIZE == 60  # the slice above follows the v1 layout
