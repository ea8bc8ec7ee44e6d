"""Files of a cell in the vault: opened chunks until a file is whole, then the file.

Chunks arrive in any order (relay pages, courier bundles, again after a refusal); a
chunk is stored only once it was checked against its hash and opened. When the last one
is in, the app joins them into one row of `files` and deletes the chunks. Deleting a
file (the cell forgot it) deletes both and shreds the freed pages (`secrets_deleted`).
"""

from __future__ import annotations

from collections.abc import Iterable

from hasteh.vault.db import Connection, secrets_deleted

__all__ = [
    "chunk_indices",
    "chunks",
    "delete",
    "get",
    "put_chunk",
    "put_file",
    "states",
]


def put_chunk(conn: Connection, file_id: bytes, index: int, data: bytes) -> bool:
    """Store one opened chunk; False if it was already there."""
    cursor = conn.execute(
        "INSERT INTO file_chunks (file_id, idx, data) VALUES (?, ?, ?) "
        "ON CONFLICT (file_id, idx) DO NOTHING",
        (file_id, index, data),
    )
    return bool(cursor.rowcount)


def chunk_indices(conn: Connection, file_id: bytes) -> set[int]:
    rows = conn.execute("SELECT idx FROM file_chunks WHERE file_id = ?", (file_id,))
    return {int(r[0]) for r in rows}


def chunks(conn: Connection, file_id: bytes) -> list[bytes]:
    """The stored chunks of `file_id`, in order."""
    rows = conn.execute("SELECT data FROM file_chunks WHERE file_id = ? ORDER BY idx", (file_id,))
    return [bytes(r[0]) for r in rows]


def put_file(conn: Connection, file_id: bytes, state: str, data: bytes) -> None:
    """Store the whole file (its chunks are deleted)."""
    conn.execute(
        "INSERT INTO files (file_id, state, data) VALUES (?, ?, ?) "
        "ON CONFLICT (file_id) DO UPDATE SET state = excluded.state, data = excluded.data",
        (file_id, state, data),
    )
    conn.execute("DELETE FROM file_chunks WHERE file_id = ?", (file_id,))


def get(conn: Connection, file_id: bytes) -> tuple[str, bytes] | None:
    row = conn.execute("SELECT state, data FROM files WHERE file_id = ?", (file_id,)).fetchone()
    return None if row is None else (str(row[0]), bytes(row[1]))


def states(conn: Connection) -> dict[bytes, str]:
    """Every whole file's state (``ok``, ``refused``), without the bytes."""
    return {bytes(r[0]): str(r[1]) for r in conn.execute("SELECT file_id, state FROM files")}


def delete(conn: Connection, file_ids: Iterable[bytes]) -> int:
    """Delete these files and their chunks (ids that are not files are ignored)."""
    deleted = 0
    for file_id in file_ids:
        deleted += conn.execute("DELETE FROM files WHERE file_id = ?", (file_id,)).rowcount
        deleted += conn.execute("DELETE FROM file_chunks WHERE file_id = ?", (file_id,)).rowcount
    if deleted:
        secrets_deleted(conn)
    return deleted
