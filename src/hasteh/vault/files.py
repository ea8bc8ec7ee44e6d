"""Files of a cell in the vault: a file is its opened chunks, in order.

Chunks arrive in any order (relay pages, courier bundles, again after a refusal); a
chunk is stored only once it was checked against its hash and opened. When the last one
is in, the app marks the file whole (`set_state`), or refused. A file this device shared
also has a row per relay saying how many of its chunks that relay has been sent
(`pushes`), so an interrupted upload resumes where it stopped. Deleting a file (the cell
forgot it) deletes all three and shreds the freed pages (`secrets_deleted`).
"""

from __future__ import annotations

from collections.abc import Iterable

from hasteh.vault.db import Connection, secrets_deleted

__all__ = [
    "chunk",
    "chunks",
    "count_chunks",
    "delete",
    "pushes",
    "put_chunk",
    "replace_chunks",
    "set_pushed",
    "set_state",
    "state",
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


def count_chunks(conn: Connection, file_id: bytes) -> int:
    """How many chunks of `file_id` are stored (the index alone answers)."""
    row = conn.execute("SELECT count(*) FROM file_chunks WHERE file_id = ?", (file_id,))
    return int(row.fetchone()[0])


def chunk(conn: Connection, file_id: bytes, index: int) -> bytes | None:
    row = conn.execute(
        "SELECT data FROM file_chunks WHERE file_id = ? AND idx = ?", (file_id, index)
    ).fetchone()
    return None if row is None else bytes(row[0])


def chunks(conn: Connection, file_id: bytes) -> list[bytes]:
    """The stored chunks of `file_id`, in order."""
    rows = conn.execute("SELECT data FROM file_chunks WHERE file_id = ? ORDER BY idx", (file_id,))
    return [bytes(r[0]) for r in rows]


def replace_chunks(conn: Connection, file_id: bytes, pieces: list[bytes]) -> None:
    """Replace the chunks of `file_id` (an image re-encoded on receipt)."""
    conn.execute("DELETE FROM file_chunks WHERE file_id = ?", (file_id,))
    for index, piece in enumerate(pieces):
        put_chunk(conn, file_id, index, piece)
    secrets_deleted(conn)


def set_state(conn: Connection, file_id: bytes, state: str) -> None:
    """The file is whole (``ok``) or refused (``refused``: its chunks are deleted)."""
    conn.execute(
        "INSERT INTO files (file_id, state) VALUES (?, ?) "
        "ON CONFLICT (file_id) DO UPDATE SET state = excluded.state",
        (file_id, state),
    )
    if state != "ok":
        conn.execute("DELETE FROM file_chunks WHERE file_id = ?", (file_id,))
        secrets_deleted(conn)


def state(conn: Connection, file_id: bytes) -> str | None:
    row = conn.execute("SELECT state FROM files WHERE file_id = ?", (file_id,)).fetchone()
    return None if row is None else str(row[0])


def states(conn: Connection) -> dict[bytes, str]:
    """Every whole or refused file's state."""
    return {bytes(r[0]): str(r[1]) for r in conn.execute("SELECT file_id, state FROM files")}


def pushes(conn: Connection) -> list[tuple[bytes, str, int]]:
    """(file id, relay, chunks already sent) of every upload not yet finished."""
    rows = conn.execute("SELECT file_id, relay, sent FROM file_pushes ORDER BY rowid")
    return [(bytes(r[0]), str(r[1]), int(r[2])) for r in rows]


def set_pushed(conn: Connection, file_id: bytes, relay: str, sent: int | None) -> None:
    """`sent` chunks of `file_id` reached `relay` (None: all of them; the row goes)."""
    if sent is None:
        conn.execute("DELETE FROM file_pushes WHERE file_id = ? AND relay = ?", (file_id, relay))
        return
    conn.execute(
        "INSERT INTO file_pushes (file_id, relay, sent) VALUES (?, ?, ?) "
        "ON CONFLICT (file_id, relay) DO UPDATE SET sent = excluded.sent",
        (file_id, relay, sent),
    )


_DELETES = (
    "DELETE FROM files WHERE file_id = ?",
    "DELETE FROM file_chunks WHERE file_id = ?",
    "DELETE FROM file_pushes WHERE file_id = ?",
)


def delete(conn: Connection, file_ids: Iterable[bytes]) -> int:
    """Delete these files, their chunks and uploads (ids that are not files: ignored)."""
    deleted = 0
    for file_id in file_ids:
        for statement in _DELETES:
            deleted += conn.execute(statement, (file_id,)).rowcount
    if deleted:
        secrets_deleted(conn)
    return deleted
