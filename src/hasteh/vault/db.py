"""One SQLCipher database opened with a raw key, and the `Vault` that guards it.

SQLCipher 4 settings: raw 256-bit key (no PBKDF2 over a passphrase), 4 KiB pages,
AES-256-CBC with a random IV per page write, HMAC-SHA256 per page.

All access goes through `Vault.write(fn)` (one writer, `BEGIN IMMEDIATE`, commit or roll
back) and `Vault.read(fn)` (a read transaction with `query_only`). Every connection runs
with `secure_delete=ON` (freed bytes are zeroed before they reach the file), WAL with
`synchronous=FULL`, and temporary storage in memory. When a write transaction deleted a
secret (the table modules call `secrets_deleted(conn)`), the WAL is checkpointed with
TRUNCATE after the commit, so the deleted bytes do not linger in `-wal`; the same happens
on close.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

import sqlcipher3

from hasteh.vault import schema
from hasteh.vault.errors import CorruptProfile, ProfileNotWritable, VaultError

#: A SQLCipher connection (`sqlcipher3.dbapi2.Connection`, untyped upstream).
Connection: TypeAlias = Any
T = TypeVar("T")

PAGE_SIZE = 4096
HMAC_ALGORITHM = "HMAC_SHA256"
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
_NOT_WRITABLE = {"SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH"}

# Connections whose current write transaction deleted a secret (keyed by id(); the sqlcipher3
# connection type takes no attributes and no weak references).
_SHRED_PENDING: set[int] = set()


def secrets_deleted(conn: Connection) -> None:
    """Note that this transaction deleted secret rows: checkpoint(TRUNCATE) after commit."""
    _SHRED_PENDING.add(id(conn))


def _error_name(exc: BaseException) -> str:
    return str(getattr(exc, "sqlite_errorname", ""))


def map_sqlite_error(exc: BaseException) -> VaultError:
    """Turn a SQLite failure while opening into the most specific vault error."""
    name = _error_name(exc)
    if any(name.startswith(prefix) for prefix in _NOT_WRITABLE):
        return ProfileNotWritable()
    return CorruptProfile("database")


def _connect(path: Path, key: bytes) -> Connection:
    conn = sqlcipher3.connect(
        str(path), isolation_level=None, check_same_thread=False, timeout=10.0
    )
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        # HMAC-SHA256 instead of the default SHA512 for page integrity: same strength for
        # this purpose, and SHA-256 has hardware support (SHA-NI) on common CPUs.
        conn.execute(f"PRAGMA cipher_hmac_algorithm = {HMAC_ALGORITHM}")
    except BaseException:
        conn.close()
        raise
    return conn


def _configure(conn: Connection) -> None:
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise ProfileNotWritable()
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA cache_size = -32768")  # 32 MiB of decrypted pages, in memory only


def _check_file_shape(path: Path) -> None:
    """Cheap checks before SQLite touches the file (a truncated file must not be 'new')."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise CorruptProfile("database missing") from None
    if size < PAGE_SIZE or size % PAGE_SIZE:
        raise CorruptProfile("database size")


def _check_page_count(conn: Connection, path: Path) -> None:
    wal = Path(str(path) + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return  # committed pages may live in the WAL until the next checkpoint
    pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    if pages * PAGE_SIZE > path.stat().st_size:
        raise CorruptProfile("database truncated")


def create_database(path: Path, key: bytes) -> None:
    """Create a new database at `path` with the current schema, then close it."""
    conn = _connect(path, key)
    try:
        _configure(conn)
        schema.migrate(conn)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def open_database(path: Path, key: bytes) -> Connection:
    """Open an existing database; refuse a damaged or newer one before writing anything."""
    _check_file_shape(path)
    try:
        conn = _connect(path, key)
    except sqlcipher3.Error as exc:
        raise map_sqlite_error(exc) from None
    try:
        found = schema.check_not_newer(conn)
        if found < 1:
            raise CorruptProfile("database schema")
        _check_page_count(conn, path)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        _configure(conn)
        schema.migrate(conn)
    except sqlcipher3.Error as exc:
        conn.close()
        raise map_sqlite_error(exc) from None
    except BaseException:
        conn.close()
        raise
    return conn


class Vault:
    """An unlocked profile: one connection, one writer at a time."""

    def __init__(self, conn: Connection, home: Path) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.home = home
        _SHRED_PENDING.discard(id(conn))

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._conn is None

    def _connection(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("the vault is closed")
        if self._conn.in_transaction:
            raise RuntimeError("vault.write/read cannot be nested")
        return self._conn

    def write(self, fn: Callable[[Connection], T]) -> T:
        """Run `fn(conn)` inside `BEGIN IMMEDIATE`; commit if it returns, roll back if it raises."""
        with self._lock:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(conn)
                conn.execute("COMMIT")
            except BaseException:
                _SHRED_PENDING.discard(id(conn))
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            if id(conn) in _SHRED_PENDING:
                _SHRED_PENDING.discard(id(conn))
                self.checkpoint()
            return result

    def read(self, fn: Callable[[Connection], T]) -> T:
        """Run `fn(conn)` in one read transaction (a consistent snapshot; writes refused)."""
        with self._lock:
            conn = self._connection()
            conn.execute("PRAGMA query_only = ON")
            conn.execute("BEGIN")
            try:
                return fn(conn)
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")
                conn.execute("PRAGMA query_only = OFF")

    def checkpoint(self) -> None:
        """Copy the WAL into the database and truncate it to zero bytes."""
        with self._lock:
            if self._conn is not None:
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()

    def close(self) -> None:
        with self._lock:
            if self._conn is None:
                return
            try:
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                _SHRED_PENDING.discard(id(self._conn))
                self._conn.close()
                self._conn = None


def side_files(path: Path) -> list[Path]:
    return [Path(str(path) + suffix) for suffix in SIDE_SUFFIXES]


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
