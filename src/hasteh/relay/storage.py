"""Relay storage: one interface (`Storage`), two backends (SQLite embedded, PostgreSQL).

Every write goes through `post_batch`, called by the single writer (`relay.writer`), which
runs a whole batch in one transaction and acknowledges nothing before it commits: group
commit keeps every acknowledged envelope durable (SQLite WAL with synchronous=FULL, or a
PostgreSQL commit) while paying one fsync per batch instead of one per envelope.

Rules applied to each posted envelope, in order (docs/protocol.md, "Write access"):

1. the write key must be registered for the mailbox, or the post must claim a mailbox that
   has no keys yet (the claim was checked against the mailbox id by the caller);
2. the tag must be the key's HMAC over the envelope id -> otherwise `NotAllowed`;
3. the same envelope id already in the mailbox -> the same answer as the first time;
4. the relay must be under its global byte budget (a claim: under 90 %) -> `RelayFull`;
5. a message or welcome needs a key that is not retired; a commit for epoch E needs a key
   of epoch E retired less than `commit_grace` ago -> `NotAllowed`;
6. the key's daily byte and commit budgets -> `BudgetExhausted`;
7. the mailbox's byte quota -> `MailboxFull`;
8. otherwise store it. A commit may register the key of epoch E + 1 (`next_key`, at most
   `max_keys_per_epoch` per epoch) and retire every key of epoch <= E (`retire`).

Commits never conflict: every commit is stored in the relay's order and members take the
first valid one. The mailbox epoch kept here is only a hint (the highest registered epoch).
"""

from __future__ import annotations

import hmac
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import msgspec

from hasteh.envelope import HEADER_SIZE, MAX_WIRE_EPOCH, WriteRequest, write_key_id, write_tag
from hasteh.relay.budget import DAY, Window
from hasteh.relay.errors import ConfigError, StorageError

#: Stored envelopes carry 32 zero bytes where the mailbox id was; fetch splices it back.
MAILBOX_SLICE = slice(12, 44)
ZERO_MAILBOX = bytes(32)
#: SQL integers are signed 64-bit; a commit must leave room for E + 1.
MAX_EPOCH = MAX_WIRE_EPOCH
#: How long the global byte total may be stale when several processes share a database.
TOTAL_REFRESH = 10.0


@dataclass(frozen=True, slots=True)
class Limits:
    """The relay's write limits (RelayConfig carries the operator's values)."""

    max_mailbox_bytes: int = 256 * 1024 * 1024
    max_keys_per_epoch: int = 16
    commit_grace: float = 7 * DAY
    key_bytes_per_day: int = 64 * 1024 * 1024
    key_commits_per_day: int = 256
    max_total_bytes: int = 20 * 1024**3


@dataclass(frozen=True, slots=True)
class PostItem:
    """One envelope to store. `stored` is the encoded envelope with the mailbox zeroed.

    `auth` is the parsed write headers; a claim in it already matches the mailbox id."""

    mailbox_hash: bytes
    envelope_id: bytes
    is_commit: bool
    epoch: int
    stored: bytes
    auth: WriteRequest


@dataclass(frozen=True, slots=True)
class Accepted:
    seq: int
    stamp: int
    earlier_commits: int = 0
    key_registered: bool | None = None


@dataclass(frozen=True, slots=True)
class NotAllowed:
    detail: str


@dataclass(frozen=True, slots=True)
class AlreadyClaimed:
    pass


@dataclass(frozen=True, slots=True)
class BudgetExhausted:
    retry_after: int
    what: str


@dataclass(frozen=True, slots=True)
class RelayFull:
    pass


@dataclass(frozen=True, slots=True)
class MailboxFull:
    pass


PostResult = Accepted | NotAllowed | AlreadyClaimed | BudgetExhausted | RelayFull | MailboxFull


class Record(msgspec.Struct, frozen=True):
    """One stored envelope as a fetch serves it. A Struct, not a dataclass: a page makes
    up to a thousand of them, and a Struct is made in a sixth of the time."""

    seq: int
    data: bytes  # the stored envelope (mailbox zeroed)
    stamp: int  # receive time, whole unix seconds


@dataclass(frozen=True, slots=True)
class Fetched:
    records: list[Record]
    epoch: int | None
    more: bool = False


@dataclass(frozen=True, slots=True)
class Denied:
    detail: str


#: Given a key's bytes, whether the fetch tag was made with it.
TagCheck = Callable[[bytes], bool]


class Storage(Protocol):
    """What the relay needs from a database. Methods are blocking; call them off the loop."""

    def post_batch(
        self, items: Sequence[PostItem], *, now: float, limits: Limits
    ) -> list[PostResult]: ...

    def fetch(
        self,
        mailbox_hash: bytes,
        *,
        after: int,
        limit: int,
        key_id: bytes | None = None,
        check: TagCheck | None = None,
        max_bytes: int = 2**62,
    ) -> Fetched | Denied: ...

    def sweep(self, *, before: float, keys_before: float | None = None) -> int: ...

    def ping(self) -> None: ...

    def close(self) -> None: ...


_SCHEMA_SQLITE = """
CREATE TABLE IF NOT EXISTS envelopes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    mailbox BLOB NOT NULL,
    id BLOB NOT NULL,
    created_at REAL NOT NULL,
    data BLOB NOT NULL,
    commit_epoch INTEGER,
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
CREATE TABLE IF NOT EXISTS write_keys (
    mailbox BLOB NOT NULL,
    key_id BLOB NOT NULL,
    key BLOB NOT NULL,
    epoch INTEGER NOT NULL,
    retired_seq INTEGER,
    retired_at REAL,
    bytes_start REAL NOT NULL,
    bytes_now INTEGER NOT NULL,
    bytes_before INTEGER NOT NULL,
    commits_start REAL NOT NULL,
    commits_now INTEGER NOT NULL,
    commits_before INTEGER NOT NULL,
    PRIMARY KEY (mailbox, key_id)
);
CREATE INDEX IF NOT EXISTS write_keys_epoch ON write_keys (mailbox, epoch);
"""

_SCHEMA_POSTGRES = """
CREATE TABLE IF NOT EXISTS envelopes (
    seq BIGSERIAL PRIMARY KEY,
    mailbox BYTEA NOT NULL,
    id BYTEA NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    data BYTEA NOT NULL,
    commit_epoch BIGINT,
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
CREATE TABLE IF NOT EXISTS write_keys (
    mailbox BYTEA NOT NULL,
    key_id BYTEA NOT NULL,
    key BYTEA NOT NULL,
    epoch BIGINT NOT NULL,
    retired_seq BIGINT,
    retired_at DOUBLE PRECISION,
    bytes_start DOUBLE PRECISION NOT NULL,
    bytes_now BIGINT NOT NULL,
    bytes_before BIGINT NOT NULL,
    commits_start DOUBLE PRECISION NOT NULL,
    commits_now BIGINT NOT NULL,
    commits_before BIGINT NOT NULL,
    PRIMARY KEY (mailbox, key_id)
);
CREATE INDEX IF NOT EXISTS write_keys_epoch ON write_keys (mailbox, epoch);
ALTER TABLE envelopes ADD COLUMN IF NOT EXISTS commit_epoch BIGINT;
"""

#: After the migration has added `commit_epoch` to an older database.
_INDEX_COMMITS = (
    "CREATE INDEX IF NOT EXISTS envelopes_commits ON envelopes (mailbox, commit_epoch)"
    " WHERE commit_epoch IS NOT NULL"
)

_KEY_COLUMNS = (
    "key, epoch, retired_seq, retired_at, bytes_start, bytes_now, bytes_before,"
    " commits_start, commits_now, commits_before"
)


@dataclass(frozen=True, slots=True)
class _Key:
    """One registered write key of a mailbox, with its budget windows."""

    key: bytes
    epoch: int
    retired_seq: int | None
    retired_at: float | None
    usage: tuple[Window, Window]  # bytes, commits

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> _Key:
        return cls(
            bytes(row[0]),
            int(row[1]),
            None if row[2] is None else int(row[2]),
            None if row[3] is None else float(row[3]),
            (
                Window(float(row[4]), int(row[5]), int(row[6])),
                Window(float(row[7]), int(row[8]), int(row[9])),
            ),
        )


#: Budget use counted during one batch, written once per key at its end.
_Usage = dict[tuple[bytes, bytes], tuple[Window, Window]]


@dataclass(slots=True)
class _Total:
    """The relay's stored bytes: refreshed from the database now and then (other processes
    may write too), counted in memory in between."""

    value: int = 0
    at: float = field(default=-1e18)


class _SqlStorage:
    """The shared SQL of both backends; subclasses provide connections and a dialect."""

    P = "?"  # placeholder

    def __init__(self) -> None:
        self._local = threading.local()
        self._readers: list[Any] = []
        self._lock = threading.Lock()
        # One connection writes; the batch writer thread and the retention sweeper (another
        # thread) both use it, and a connection holds one transaction at a time.
        self._write_lock = threading.Lock()
        self._writer: Any = self._connect()
        self._total = _Total()

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
        self, items: Sequence[PostItem], *, now: float, limits: Limits
    ) -> list[PostResult]:
        try:
            with self._write_lock, self._transaction(self._writer) as cur:
                return self._post_all(cur, items, now, limits)
        except (sqlite3.Error, OSError) as exc:
            self._total.at = -1e18  # the in-memory count may include rolled-back posts
            raise StorageError("write-refused") from exc
        except Exception as exc:
            self._total.at = -1e18
            if type(exc).__module__.startswith("psycopg"):
                raise StorageError("write-refused") from exc
            raise

    def _post_all(
        self, cur: Any, items: Sequence[PostItem], now: float, limits: Limits
    ) -> list[PostResult]:
        """The batch inside its transaction: the rules statement by statement."""
        self._refresh_total(cur, now)
        used: _Usage = {}
        results = [self._post_one(cur, item, now, limits, used) for item in items]
        self._charge(cur, used)
        return results

    def _refresh_total(self, cur: Any, now: float) -> None:
        if now - self._total.at < TOTAL_REFRESH:
            return
        cur.execute("SELECT COALESCE(SUM(bytes), 0) FROM mailboxes")
        self._total.value = int(cur.fetchone()[0])
        self._total.at = now

    def _key(self, cur: Any, mailbox_hash: bytes, key_id: bytes) -> _Key | None:
        cur.execute(
            self._sql(
                f"SELECT {_KEY_COLUMNS} FROM write_keys WHERE mailbox = ? AND key_id = ?"  # noqa: S608
            ),
            (mailbox_hash, key_id),
        )
        row = cur.fetchone()
        return None if row is None else _Key.from_row(row)

    def _has_keys(self, cur: Any, mailbox_hash: bytes) -> bool:
        cur.execute(
            self._sql("SELECT 1 FROM write_keys WHERE mailbox = ? LIMIT 1"), (mailbox_hash,)
        )
        return cur.fetchone() is not None

    def _post_one(
        self, cur: Any, item: PostItem, now: float, limits: Limits, used: _Usage
    ) -> PostResult:
        auth = item.auth
        key = self._key(cur, item.mailbox_hash, auth.key_id)
        if key is not None and (item.mailbox_hash, auth.key_id) in used:
            key = replace(key, usage=used[item.mailbox_hash, auth.key_id])
        claiming = False
        if key is None:
            if auth.claim_key is None:
                return NotAllowed("this write key is not registered for the mailbox")
            if self._has_keys(cur, item.mailbox_hash):
                return AlreadyClaimed()
            claiming = True
            key = _Key(auth.claim_key, auth.claim_epoch, None, None, (Window(now), Window(now)))
        if not hmac.compare_digest(write_tag(key.key, item.envelope_id), auth.tag):
            return NotAllowed("the write tag does not match the key and envelope")
        cur.execute(
            self._sql(
                "SELECT (SELECT seq FROM envelopes WHERE mailbox = ? AND id = ?),"
                " (SELECT epoch FROM mailboxes WHERE hash = ?),"
                " (SELECT bytes FROM mailboxes WHERE hash = ?)"
            ),
            (item.mailbox_hash, item.envelope_id, item.mailbox_hash, item.mailbox_hash),
        )
        seq, hint, in_mailbox = cur.fetchone()
        if seq is not None:
            return self._again(cur, item, int(seq))
        full_at = limits.max_total_bytes * (9 if claiming else 10) // 10
        if self._total.value + len(item.stored) > full_at:
            return RelayFull()
        if (refused := _key_refuses(key, item, now, limits)) is not None:
            return refused
        size = len(item.stored)
        bytes_used = key.usage[0].rolled(now)
        commits_used = key.usage[1].rolled(now)
        wait = bytes_used.retry_after(now, size, limits.key_bytes_per_day)
        if wait is not None:
            return BudgetExhausted(wait, "bytes")
        if item.is_commit:
            wait = commits_used.retry_after(now, 1, limits.key_commits_per_day)
            if wait is not None:
                return BudgetExhausted(wait, "commits")
        if int(in_mailbox or 0) + size > limits.max_mailbox_bytes:
            return MailboxFull()
        if claiming:
            self._register(cur, item.mailbox_hash, key.key, key.epoch, now)
        new_seq = self._insert(cur, item, now)
        self._total.value += size
        bytes_used = bytes_used.add(size)
        commits_used = commits_used.add(1) if item.is_commit else commits_used
        used[item.mailbox_hash, auth.key_id] = (bytes_used, commits_used)
        epochs = [key.epoch] if claiming else []
        answer = Accepted(new_seq, int(now))
        if item.is_commit:
            if auth.retire:
                self._retire(cur, item.mailbox_hash, item.epoch, new_seq, now)
            registered = None
            if auth.next_key is not None:
                registered = self._register_limited(
                    cur, item.mailbox_hash, auth.next_key, item.epoch + 1, now, limits
                )
                if registered:
                    epochs.append(item.epoch + 1)
            answer = Accepted(new_seq, int(now), self._earlier(cur, item, new_seq), registered)
        if epochs:
            top = max([*epochs, *([] if hint is None else [int(hint)])])
            cur.execute(
                self._sql("UPDATE mailboxes SET epoch = ? WHERE hash = ?"),
                (top, item.mailbox_hash),
            )
        return answer

    def _again(self, cur: Any, item: PostItem, seq: int) -> Accepted:
        """The answer to an envelope posted again: as close to the first as can be rebuilt."""
        cur.execute(self._sql("SELECT created_at FROM envelopes WHERE seq = ?"), (seq,))
        stamp = int(cur.fetchone()[0])
        if not item.is_commit:
            return Accepted(seq, stamp)
        registered = None
        if item.auth.next_key is not None:
            found = self._key(cur, item.mailbox_hash, write_key_id(item.auth.next_key))
            registered = found is not None
        return Accepted(seq, stamp, self._earlier(cur, item, seq), registered)

    def _earlier(self, cur: Any, item: PostItem, seq: int) -> int:
        cur.execute(
            self._sql(
                "SELECT COUNT(*) FROM envelopes WHERE mailbox = ? AND commit_epoch = ? AND seq < ?"
            ),
            (item.mailbox_hash, item.epoch, seq),
        )
        return int(cur.fetchone()[0])

    def _register(self, cur: Any, mailbox_hash: bytes, key: bytes, epoch: int, now: float) -> None:
        cur.execute(
            self._sql(
                "INSERT INTO write_keys (mailbox, key_id, key, epoch, retired_seq, retired_at,"
                " bytes_start, bytes_now, bytes_before, commits_start, commits_now,"
                " commits_before) VALUES (?, ?, ?, ?, NULL, NULL, ?, 0, 0, ?, 0, 0)"
                " ON CONFLICT (mailbox, key_id) DO NOTHING"
            ),
            (mailbox_hash, write_key_id(key), key, epoch, now, now),
        )

    def _register_limited(
        self, cur: Any, mailbox_hash: bytes, key: bytes, epoch: int, now: float, limits: Limits
    ) -> bool:
        """Register `key` for `epoch` unless that epoch already has its maximum of keys."""
        if self._key(cur, mailbox_hash, write_key_id(key)) is not None:
            return True
        cur.execute(
            self._sql("SELECT COUNT(*) FROM write_keys WHERE mailbox = ? AND epoch = ?"),
            (mailbox_hash, epoch),
        )
        if int(cur.fetchone()[0]) >= limits.max_keys_per_epoch:
            return False
        self._register(cur, mailbox_hash, key, epoch, now)
        return True

    def _retire(self, cur: Any, mailbox_hash: bytes, epoch: int, seq: int, now: float) -> None:
        cur.execute(
            self._sql(
                "UPDATE write_keys SET retired_seq = ?, retired_at = ?"
                " WHERE mailbox = ? AND epoch <= ? AND retired_seq IS NULL"
            ),
            (seq, now, mailbox_hash, epoch),
        )

    def _charge(self, cur: Any, used: _Usage) -> None:
        """Write the batch's budget use: once per key, however many posts it made."""
        if not used:
            return
        cur.executemany(
            self._sql(
                "UPDATE write_keys SET bytes_start = ?, bytes_now = ?, bytes_before = ?,"
                " commits_start = ?, commits_now = ?, commits_before = ?"
                " WHERE mailbox = ? AND key_id = ?"
            ),
            [
                (b.start, b.current, b.previous, c.start, c.current, c.previous, mb, kid)
                for (mb, kid), (b, c) in sorted(used.items())
            ],
        )

    def _insert(self, cur: Any, item: PostItem, now: float) -> int:
        cur.execute(
            self._sql(
                "INSERT INTO envelopes (mailbox, id, created_at, data, commit_epoch)"
                " VALUES (?, ?, ?, ?, ?) RETURNING seq"
            ),
            (
                item.mailbox_hash,
                item.envelope_id,
                now,
                item.stored,
                item.epoch if item.is_commit else None,
            ),
        )
        seq = int(cur.fetchone()[0])
        cur.execute(
            self._sql(
                "INSERT INTO mailboxes (hash, epoch, bytes, last_at) VALUES (?, NULL, ?, ?)"
                " ON CONFLICT (hash) DO UPDATE SET"
                " bytes = mailboxes.bytes + excluded.bytes, last_at = excluded.last_at"
            ),
            (item.mailbox_hash, len(item.stored), now),
        )
        return seq

    def fetch(
        self,
        mailbox_hash: bytes,
        *,
        after: int,
        limit: int,
        key_id: bytes | None = None,
        check: TagCheck | None = None,
        max_bytes: int = 2**62,
    ) -> Fetched | Denied:
        """Up to `limit` envelopes after `after` whose stored size fits in `max_bytes` (at
        least one), as the key `key_id` may see them (`check` verifies its fetch tag)."""
        conn = self._reader()
        cur = conn.cursor()
        try:
            return self._fetch(cur, mailbox_hash, after, limit, key_id, check, max_bytes)
        finally:
            self._end_read(conn)

    def _fetch(
        self,
        cur: Any,
        mailbox_hash: bytes,
        after: int,
        limit: int,
        key_id: bytes | None,
        check: TagCheck | None,
        max_bytes: int,
    ) -> Fetched | Denied:
        key = None if key_id is None else self._key(cur, mailbox_hash, key_id)
        if key is None and not self._has_keys(cur, mailbox_hash):
            return Fetched([], None)  # unclaimed: nothing to show anyone
        if key is None or check is None or not check(key.key):
            return Denied("a current write key of this mailbox and its fetch tag are needed")
        window = ""
        params: list[Any] = [mailbox_hash, after]
        if key.retired_seq is not None:
            # A retired key reads up to its retirement, and the commits of its own epoch.
            window = " AND (seq <= ? OR commit_epoch = ?)"
            params += [key.retired_seq, key.epoch]
        records, more = self._page(cur, window, params, limit, max_bytes)
        cur.execute(self._sql("SELECT epoch FROM mailboxes WHERE hash = ?"), (mailbox_hash,))
        row = cur.fetchone()
        epoch = None if row is None or row[0] is None else int(row[0])
        return Fetched(records, epoch, more)

    def _page(
        self, cur: Any, window: str, params: list[Any], limit: int, max_bytes: int
    ) -> tuple[list[Record], bool]:
        """Up to `limit` records after the cursor whose sizes fit `max_bytes` (at least one),
        and whether more wait. Sizes first, then the data of the ones that fit, so that no
        more than the cap is ever read into memory (a client-side cursor holds every row)."""
        cur.execute(
            self._sql(
                "SELECT seq, LENGTH(data) FROM envelopes WHERE mailbox = ? AND seq > ?"  # noqa: S608 - fixed text
                + window
                + " ORDER BY seq LIMIT ?"
            ),
            (*params, limit + 1),
        )
        sizes = [(int(s), int(n)) for s, n in cur.fetchall()]
        taken, total = 0, 0
        for _, size in sizes[:limit]:
            if taken and total + size > max_bytes:
                break
            taken, total = taken + 1, total + size
        if not taken:
            return [], False
        cur.execute(
            self._sql(
                "SELECT seq, data, created_at FROM envelopes WHERE mailbox = ?"  # noqa: S608 - fixed text
                " AND seq >= ? AND seq <= ?" + window + " ORDER BY seq"
            ),
            (params[0], sizes[0][0], sizes[taken - 1][0], *params[2:]),
        )
        records = [Record(int(s), bytes(d), int(c)) for s, d, c in cur.fetchall()]
        return records, len(sizes) > taken

    def _end_read(self, conn: Any) -> None:
        """Close a read transaction so the next read sees new commits."""

    def sweep(self, *, before: float, keys_before: float | None = None) -> int:
        """Delete envelopes received before `before`, and keys retired before `keys_before`."""
        with self._write_lock, self._transaction(self._writer) as cur:
            self._lock_all_mailboxes(cur)
            cur.execute(self._sql("DELETE FROM envelopes WHERE created_at < ?"), (before,))
            removed = int(cur.rowcount or 0)
            cur.execute(
                "UPDATE mailboxes SET bytes = COALESCE((SELECT SUM(LENGTH(e.data))"
                " FROM envelopes e WHERE e.mailbox = mailboxes.hash), 0)"
            )
            if keys_before is not None:
                cur.execute(
                    self._sql("DELETE FROM write_keys WHERE retired_at < ?"), (keys_before,)
                )
            cur.execute(
                self._sql(
                    "DELETE FROM mailboxes WHERE bytes = 0 AND last_at < ? AND NOT EXISTS"
                    " (SELECT 1 FROM write_keys k WHERE k.mailbox = mailboxes.hash)"
                ),
                (before,),
            )
            self._total.at = -1e18
        return removed

    def _lock_all_mailboxes(self, cur: Any) -> None:
        """Before a sweep rewrites every mailbox row (other processes may be writing)."""

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


def _key_refuses(key: _Key, item: PostItem, now: float, limits: Limits) -> NotAllowed | None:
    """Whether this key may post this kind of envelope (rule 5 of the module docstring)."""
    if not item.is_commit:
        if key.retired_seq is not None:
            return NotAllowed("this write key was retired by a commit: fetch and process it")
        return None
    if key.epoch != item.epoch:
        return NotAllowed(
            f"a commit for epoch {item.epoch} needs a key of that epoch, not of {key.epoch}"
        )
    if key.retired_at is not None and now - key.retired_at >= limits.commit_grace:
        return NotAllowed("this write key was retired too long ago to commit with it")
    return None


class SqliteStorage(_SqlStorage):
    """Embedded SQLite: WAL, synchronous=FULL, one writer connection, one reader per thread."""

    def __init__(self, path: str) -> None:
        self._path = path
        super().__init__()
        self._writer.executescript(_SCHEMA_SQLITE)
        columns = {row[1] for row in self._writer.execute("PRAGMA table_info(envelopes)")}
        if "commit_epoch" not in columns:  # a database from before write access
            self._writer.execute("ALTER TABLE envelopes ADD COLUMN commit_epoch INTEGER")
        self._writer.execute(_INDEX_COMMITS)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self._path, isolation_level=None, check_same_thread=False, timeout=30
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    def _page(
        self, cur: Any, window: str, params: list[Any], limit: int, max_bytes: int
    ) -> tuple[list[Record], bool]:
        """One pass: SQLite steps through rows only as they are taken, so stopping at the
        cap reads no more than it."""
        cur.execute(
            "SELECT seq, data, created_at FROM envelopes WHERE mailbox = ? AND seq > ?"  # noqa: S608 - fixed text
            + window
            + " ORDER BY seq LIMIT ?",
            (*params, limit + 1),
        )
        records: list[Record] = []
        total = 0
        for seq, data, created in cur:
            if len(records) == limit or (records and total + len(data) > max_bytes):
                return records, True
            records.append(Record(int(seq), bytes(data), int(created)))
            total += len(data)
        return records, False

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
    noise when panic or a duress unlock shreds the vault. Stamps are kept to the second:
    members' log time rests on them (docs/org.md, "Order, time and write access").
    """

    def __init__(self, path: str, key: bytes) -> None:
        if len(key) != 32:
            raise ConfigError("bad-embedded-key")
        self._secret = key
        try:
            super().__init__(path)
        except Exception as exc:
            if _is_sqlcipher_error(exc):
                raise StorageError("embedded-database-closed") from exc
            raise

    def _connect(self) -> Any:
        import sqlcipher3

        conn = sqlcipher3.connect(
            self._path, isolation_level=None, check_same_thread=False, timeout=30
        )
        conn.execute(f"PRAGMA key = \"x'{self._secret.hex()}'\"")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # a wrong key fails here
        return conn

    def post_batch(
        self, items: Sequence[PostItem], *, now: float, limits: Limits
    ) -> list[PostResult]:
        try:
            return super().post_batch(items, now=now, limits=limits)
        except Exception as exc:
            if _is_sqlcipher_error(exc):
                raise StorageError("write-refused") from exc
            raise


def _is_sqlcipher_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("sqlcipher3")


class PostgresStorage(_SqlStorage):
    """PostgreSQL through psycopg 3. Mailbox rows are locked, so several relay processes
    may share one database and still give every mailbox one order and one epoch.

    Arrays of bytes go as binary parameters (`%b`): in text form psycopg quotes every
    element through a regular expression, which cost about a fifth of a batch's CPU.

    A batch costs a fixed number of round trips, not a few per envelope (`_PgBatch`): one
    pipeline locks the batch's mailbox rows and then reads everything the rules need; the
    rules run in memory on that snapshot (nobody else can change it while the mailbox rows
    are locked); a second pipeline writes: one multi-row INSERT for the envelopes, the key
    registrations and retirements in the order the rules made them, one UPDATE of the
    mailboxes, one of the budgets. Then the commit.
    """

    P = "%s"

    def __init__(self, url: str) -> None:
        self._url = url
        super().__init__()
        with self._transaction(self._writer) as cur:
            cur.execute("SELECT pg_advisory_xact_lock(7201)")
            cur.execute(_SCHEMA_POSTGRES)
            cur.execute(_INDEX_COMMITS)

    def _connect(self) -> Any:
        import psycopg

        return psycopg.connect(self._url, autocommit=True)

    def _post_all(
        self, cur: Any, items: Sequence[PostItem], now: float, limits: Limits
    ) -> list[PostResult]:
        return _PgBatch(self, cur, now, limits).run(items)

    def _lock_all_mailboxes(self, cur: Any) -> None:
        """The sweep updates every mailbox row. Taking their locks first, in the order the
        batches take them, keeps a sweep in one process from deadlocking with a batch in
        another (which would fail that batch's posts with a 503)."""
        cur.execute("SELECT 1 FROM mailboxes ORDER BY hash FOR UPDATE")
        cur.fetchall()

    @contextmanager
    def _transaction(self, conn: Any) -> Iterator[Any]:
        with conn.transaction(), conn.cursor() as cur:
            yield cur


#: A placeholder for the seq of the n-th envelope a batch inserts (allocated at its end).
_Slot = int


class _PgBatch:
    """One PostgreSQL batch: `_SqlStorage._post_one`'s rules, on a snapshot read in bulk.

    Under the mailbox row locks no other transaction may post to these mailboxes, so what
    is read once at the start (keys, duplicates, counts, mailbox bytes and epochs) stays
    true except for this batch's own changes, which are kept in memory as the rules make
    them. Envelopes accepted get slots 0, 1, 2, … in batch order, and slot n the n-th
    smallest of the seqs drawn from the table's sequence once the locks are held (one per
    item; those of refused and repeated posts are left unused, so seqs may skip numbers, as
    they already did after a rollback). Every mailbox's seqs therefore follow the order of
    its posts, across processes too: a later transaction on the mailbox waits for the lock
    and draws its seqs after this one's.
    """

    def __init__(self, store: PostgresStorage, cur: Any, now: float, limits: Limits) -> None:
        self.store, self.cur, self.now, self.limits = store, cur, now, limits
        self.keys: dict[tuple[bytes, bytes], _Key | None] = {}
        self.has_keys: set[bytes] = set()
        self.key_counts: dict[tuple[bytes, int], int] = {}
        self.commit_counts: dict[tuple[bytes, int], int] = {}
        self.existing: dict[tuple[bytes, bytes], tuple[int, float]] = {}
        self.epoch: dict[bytes, int | None] = {}
        self.bytes: dict[bytes, int] = {}
        self.added: dict[bytes, int] = {}
        self.used: _Usage = {}
        self.seqs: list[int] = []  # drawn under the locks, one per item, ascending
        # This batch's own envelopes: (mailbox, id) -> slot; per (mailbox, epoch) the slots
        # of its commits; the rows to insert, in slot order.
        self.mine: dict[tuple[bytes, bytes], _Slot] = {}
        self.my_commits: dict[tuple[bytes, int], list[_Slot]] = {}
        self.rows: list[PostItem] = []
        # Key writes in the order the rules made them: ("register", mailbox, key, epoch) or
        # ("retire", mailbox, epoch, slot).
        self.ops: list[tuple[Any, ...]] = []

    # -- reading ------------------------------------------------------------------------
    def _read(self, items: Sequence[PostItem]) -> None:
        """Lock the batch's mailbox rows, then read everything the rules need and draw a
        seq for every item, all in one pipeline (one round trip). The statements run in
        order on the server, so the reads and the seqs come after the locks are held."""
        hashes = sorted({i.mailbox_hash for i in items})
        key_pairs: set[tuple[bytes, bytes]] = set()
        count_pairs: set[tuple[bytes, int]] = set()
        commit_pairs: set[tuple[bytes, int]] = set()
        for item in items:
            key_pairs.add((item.mailbox_hash, item.auth.key_id))
            if item.is_commit:
                commit_pairs.add((item.mailbox_hash, item.epoch))
                if item.auth.next_key is not None:
                    key_pairs.add((item.mailbox_hash, write_key_id(item.auth.next_key)))
                    count_pairs.add((item.mailbox_hash, item.epoch + 1))
        env_pairs = sorted({(i.mailbox_hash, i.envelope_id) for i in items})
        kp, cp, mp = sorted(key_pairs), sorted(count_pairs), sorted(commit_pairs)
        total = self.store._total
        refresh = self.now - total.at >= TOTAL_REFRESH
        conn = self.cur.connection
        with conn.pipeline():
            c = [conn.cursor() for _ in range(8)]
            try:
                # Mailbox rows: created if new, then locked, in hash order (as every batch
                # and sweep does, so that two processes cannot deadlock).
                c[0].execute(
                    "INSERT INTO mailboxes (hash, epoch, bytes, last_at)"
                    " SELECT h, NULL, 0, %s FROM unnest(%b::bytea[]) AS h ORDER BY h"
                    " ON CONFLICT (hash) DO NOTHING",
                    (self.now, hashes),
                )
                c[0].execute(
                    "SELECT hash, epoch, bytes,"
                    " EXISTS (SELECT 1 FROM write_keys WHERE mailbox = hash)"
                    " FROM mailboxes WHERE hash = ANY(%b::bytea[]) ORDER BY hash FOR UPDATE",
                    (hashes,),
                )
                c[1].execute(
                    f"SELECT q.m, q.k, {_KEY_COLUMNS} FROM unnest(%b::bytea[], %b::bytea[])"  # noqa: S608 - fixed text
                    " AS q(m, k) JOIN write_keys w ON w.mailbox = q.m AND w.key_id = q.k",
                    ([m for m, _ in kp], [k for _, k in kp]),
                )
                c[3].execute(
                    "SELECT e.mailbox, e.id, e.seq, e.created_at"
                    " FROM unnest(%b::bytea[], %b::bytea[]) AS q(m, i)"
                    " JOIN envelopes e ON e.mailbox = q.m AND e.id = q.i",
                    ([m for m, _ in env_pairs], [i for _, i in env_pairs]),
                )
                if cp:
                    c[4].execute(
                        "SELECT q.m, q.e, (SELECT COUNT(*) FROM write_keys"
                        " WHERE mailbox = q.m AND epoch = q.e)"
                        " FROM unnest(%b::bytea[], %s::bigint[]) AS q(m, e)",
                        ([m for m, _ in cp], [e for _, e in cp]),
                    )
                if mp:
                    c[5].execute(
                        "SELECT q.m, q.e, (SELECT COUNT(*) FROM envelopes"
                        " WHERE mailbox = q.m AND commit_epoch = q.e)"
                        " FROM unnest(%b::bytea[], %s::bigint[]) AS q(m, e)",
                        ([m for m, _ in mp], [e for _, e in mp]),
                    )
                c[6].execute(
                    "SELECT nextval(pg_get_serial_sequence('envelopes', 'seq'))"
                    " FROM generate_series(1, %s)",
                    (len(items),),
                )
                if refresh:
                    c[7].execute("SELECT COALESCE(SUM(bytes), 0) FROM mailboxes")
                for h, epoch, size, keyed in c[0].fetchall():
                    self.epoch[bytes(h)] = None if epoch is None else int(epoch)
                    self.bytes[bytes(h)] = int(size)
                    if keyed:
                        self.has_keys.add(bytes(h))
                found = {(bytes(r[0]), bytes(r[1])): _Key.from_row(r[2:]) for r in c[1]}
                self.keys = {pair: found.get(pair) for pair in key_pairs}
                self.existing = {
                    (bytes(m), bytes(i)): (int(seq), float(at)) for m, i, seq, at in c[3]
                }
                if cp:
                    self.key_counts = {(bytes(m), int(e)): int(n) for m, e, n in c[4]}
                if mp:
                    self.commit_counts = {(bytes(m), int(e)): int(n) for m, e, n in c[5]}
                self.seqs = sorted(int(r[0]) for r in c[6].fetchall())
                if refresh:
                    total.value, total.at = int(c[7].fetchone()[0]), self.now
            finally:
                for cursor in c:
                    cursor.close()

    # -- the rules ----------------------------------------------------------------------
    def run(self, items: Sequence[PostItem]) -> list[PostResult]:
        if not items:
            return []
        self._read(items)
        pending = [self._post_one(item) for item in items]
        self._write()
        seqs = self.seqs
        results: list[PostResult] = []
        for result in pending:
            if isinstance(result, Accepted):
                result = replace(result, seq=seqs[result.seq] if result.seq >= 0 else ~result.seq)
            results.append(result)
        return results

    def _key(self, mailbox: bytes, key_id: bytes) -> _Key | None:
        return self.keys.get((mailbox, key_id))

    def _register(self, mailbox: bytes, key: bytes, epoch: int) -> None:
        self.keys[mailbox, write_key_id(key)] = _Key(
            key, epoch, None, None, (Window(self.now), Window(self.now))
        )
        self.has_keys.add(mailbox)
        self.key_counts[mailbox, epoch] = self.key_counts.get((mailbox, epoch), 0) + 1
        self.ops.append(("register", mailbox, key, epoch))

    def _retire(self, mailbox: bytes, epoch: int, slot: _Slot) -> None:
        for (m, kid), key in self.keys.items():
            if m == mailbox and key is not None and key.epoch <= epoch and key.retired_seq is None:
                self.keys[m, kid] = replace(key, retired_seq=-1, retired_at=self.now)
        self.ops.append(("retire", mailbox, epoch, slot))

    def _earlier(self, item: PostItem, before: _Slot) -> int:
        """Commits of the item's mailbox and epoch stored before this batch's slot
        `before`: all those of earlier transactions, and this batch's before it."""
        pair = (item.mailbox_hash, item.epoch)
        mine = self.my_commits.get(pair, [])
        return self.commit_counts.get(pair, 0) + sum(1 for s in mine if s < before)

    def _post_one(self, item: PostItem) -> PostResult:
        """`_SqlStorage._post_one`, on the snapshot. An Accepted's seq is a slot (>= 0) of
        this batch, or ~seq for an envelope stored before it."""
        now, limits, auth, mb = self.now, self.limits, item.auth, item.mailbox_hash
        key = self._key(mb, auth.key_id)
        if key is not None and (mb, auth.key_id) in self.used:
            key = replace(key, usage=self.used[mb, auth.key_id])
        claiming = False
        if key is None:
            if auth.claim_key is None:
                return NotAllowed("this write key is not registered for the mailbox")
            if mb in self.has_keys:
                return AlreadyClaimed()
            claiming = True
            key = _Key(auth.claim_key, auth.claim_epoch, None, None, (Window(now), Window(now)))
        if not hmac.compare_digest(write_tag(key.key, item.envelope_id), auth.tag):
            return NotAllowed("the write tag does not match the key and envelope")
        if (slot := self.mine.get((mb, item.envelope_id))) is not None:
            return self._again(item, slot, None)
        if (old := self.existing.get((mb, item.envelope_id))) is not None:
            return self._again(item, None, old)
        hint = self.epoch[mb]
        full_at = limits.max_total_bytes * (9 if claiming else 10) // 10
        total = self.store._total
        if total.value + len(item.stored) > full_at:
            return RelayFull()
        if (refused := _key_refuses(key, item, now, limits)) is not None:
            return refused
        size = len(item.stored)
        bytes_used = key.usage[0].rolled(now)
        commits_used = key.usage[1].rolled(now)
        wait = bytes_used.retry_after(now, size, limits.key_bytes_per_day)
        if wait is not None:
            return BudgetExhausted(wait, "bytes")
        if item.is_commit:
            wait = commits_used.retry_after(now, 1, limits.key_commits_per_day)
            if wait is not None:
                return BudgetExhausted(wait, "commits")
        if self.bytes[mb] + size > limits.max_mailbox_bytes:
            return MailboxFull()
        if claiming:
            self._register(mb, key.key, key.epoch)
        slot = len(self.rows)
        self.rows.append(item)
        self.mine[mb, item.envelope_id] = slot
        self.bytes[mb] += size
        self.added[mb] = self.added.get(mb, 0) + size
        total.value += size
        self.used[mb, auth.key_id] = (
            bytes_used.add(size),
            commits_used.add(1) if item.is_commit else commits_used,
        )
        epochs = [key.epoch] if claiming else []
        answer = Accepted(slot, int(now))
        if item.is_commit:
            if auth.retire:
                self._retire(mb, item.epoch, slot)
            registered = None
            if auth.next_key is not None:
                registered = self._register_limited(mb, auth.next_key, item.epoch + 1)
                if registered:
                    epochs.append(item.epoch + 1)
            answer = Accepted(slot, int(now), self._earlier(item, slot), registered)
            self.my_commits.setdefault((mb, item.epoch), []).append(slot)
        if epochs:
            self.epoch[mb] = max([*epochs, *([] if hint is None else [hint])])
        return answer

    def _register_limited(self, mailbox: bytes, key: bytes, epoch: int) -> bool:
        if self._key(mailbox, write_key_id(key)) is not None:
            return True
        if self.key_counts.get((mailbox, epoch), 0) >= self.limits.max_keys_per_epoch:
            return False
        self._register(mailbox, key, epoch)
        return True

    def _again(self, item: PostItem, slot: _Slot | None, old: tuple[int, float] | None) -> Accepted:
        """`_SqlStorage._again`: for an envelope of this batch (`slot`) or an older one."""
        if slot is not None:
            seq, stamp = slot, int(self.now)
        else:
            assert old is not None
            seq, stamp = ~old[0], int(old[1])
        if not item.is_commit:
            return Accepted(seq, stamp)
        registered = None
        if item.auth.next_key is not None:
            found = self._key(item.mailbox_hash, write_key_id(item.auth.next_key))
            registered = found is not None
        if slot is not None:
            earlier = self._earlier(item, slot)
        else:
            assert old is not None
            self.cur.execute(
                "SELECT COUNT(*) FROM envelopes WHERE mailbox = %s AND commit_epoch = %s"
                " AND seq < %s",
                (item.mailbox_hash, item.epoch, old[0]),
            )
            earlier = int(self.cur.fetchone()[0])
        return Accepted(seq, stamp, earlier, registered)

    # -- writing ------------------------------------------------------------------------
    def _write(self) -> None:
        """Everything the batch changed: the key registrations and retirements in the order
        the rules made them (a pipeline; commits only), then one statement that inserts the
        envelopes and updates the mailboxes and the keys' budgets."""
        cur, now, rows = self.cur, self.now, self.rows
        if not rows:  # nothing accepted, nothing changed
            return
        seqs = self.seqs[: len(rows)]  # slot n gets the n-th smallest seq drawn
        if self.ops:
            with cur.connection.pipeline():
                for op in self.ops:
                    if op[0] == "register":
                        self.store._register(cur, op[1], op[2], op[3], now)
                    else:
                        self.store._retire(cur, op[1], op[2], seqs[op[3]], now)
        changed = sorted(self.added)  # epochs change only with an envelope stored
        used = sorted(self.used.items())
        cur.execute(
            "WITH stored AS (INSERT INTO envelopes"
            " (seq, mailbox, id, created_at, data, commit_epoch)"
            " SELECT s, m, i, %(now)s, d, c FROM unnest(%(seq)s::bigint[], %(mb)b::bytea[],"
            " %(id)b::bytea[], %(data)b::bytea[], %(ce)s::bigint[]) AS q(s, m, i, d, c)),"
            " boxes AS (UPDATE mailboxes AS b SET bytes = b.bytes + q.added,"
            " last_at = %(now)s, epoch = q.epoch FROM unnest(%(h)b::bytea[],"
            " %(added)s::bigint[], %(epoch)s::bigint[]) AS q(h, added, epoch)"
            " WHERE b.hash = q.h)"
            " UPDATE write_keys AS w SET bytes_start = q.bs, bytes_now = q.bn,"
            " bytes_before = q.bb, commits_start = q.cs, commits_now = q.cn,"
            " commits_before = q.cb FROM unnest(%(km)b::bytea[], %(kid)b::bytea[],"
            " %(bs)s::float8[], %(bn)s::bigint[], %(bb)s::bigint[], %(cs)s::float8[],"
            " %(cn)s::bigint[], %(cb)s::bigint[]) AS q(m, k, bs, bn, bb, cs, cn, cb)"
            " WHERE w.mailbox = q.m AND w.key_id = q.k",
            {
                "now": now,
                "seq": seqs,
                "mb": [r.mailbox_hash for r in rows],
                "id": [r.envelope_id for r in rows],
                "data": [r.stored for r in rows],
                "ce": [r.epoch if r.is_commit else None for r in rows],
                "h": changed,
                "added": [self.added[m] for m in changed],
                "epoch": [self.epoch[m] for m in changed],
                "km": [m for (m, _), _ in used],
                "kid": [k for (_, k), _ in used],
                "bs": [b.start for _, (b, _) in used],
                "bn": [b.current for _, (b, _) in used],
                "bb": [b.previous for _, (b, _) in used],
                "cs": [c.start for _, (_, c) in used],
                "cn": [c.current for _, (_, c) in used],
                "cb": [c.previous for _, (_, c) in used],
            },
        )


def open_storage(url: str) -> Storage:
    """`sqlite:///PATH` (embedded) or `postgresql://...` (psycopg 3)."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        if not path:
            raise ConfigError("sqlite-needs-path")
        return SqliteStorage(path)
    if url.startswith(("postgresql://", "postgres://")):
        try:
            return PostgresStorage(url)
        except Exception as exc:
            raise ConfigError("postgres-unreachable") from exc
    raise ConfigError("bad-database-url")


def stored_form(encoded: bytes) -> bytes:
    """The envelope as stored: its mailbox id replaced by zeros."""
    return encoded[: MAILBOX_SLICE.start] + ZERO_MAILBOX + encoded[MAILBOX_SLICE.stop :]


def restore(stored: bytes, mailbox: bytes) -> bytes:
    """Put the mailbox id (which the fetcher knows) back into a stored envelope."""
    return stored[: MAILBOX_SLICE.start] + mailbox + stored[MAILBOX_SLICE.stop :]


assert HEADER_SIZE == 60  # the slice above follows the v1 layout
