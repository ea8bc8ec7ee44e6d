"""MLS group state by epoch. Saving epoch n deletes every older epoch of that group.

Keeping only the newest state is forward secrecy at rest: once a group moved on, a seized
device (even with the passphrase) cannot decrypt what the old epoch protected.
"""

from __future__ import annotations

from hasteh.vault.db import Connection, secrets_deleted
from hasteh.vault.errors import StaleEpoch


def put_epoch(conn: Connection, group_id: bytes, epoch: int, state: bytes) -> None:
    """Store `state` for `epoch` and delete all older epochs of `group_id`."""
    if epoch < 0:
        raise ValueError("epoch must be >= 0")
    row = conn.execute("SELECT max(epoch) FROM epochs WHERE group_id = ?", (group_id,)).fetchone()
    if row[0] is not None and epoch < row[0]:
        raise StaleEpoch()
    conn.execute(
        "INSERT INTO epochs (group_id, epoch, state) VALUES (?, ?, ?) "
        "ON CONFLICT (group_id, epoch) DO UPDATE SET state = excluded.state",
        (group_id, epoch, state),
    )
    deleted = conn.execute(
        "DELETE FROM epochs WHERE group_id = ? AND epoch < ?", (group_id, epoch)
    ).rowcount
    if deleted or row[0] == epoch:
        secrets_deleted(conn)


def get_epoch(conn: Connection, group_id: bytes) -> tuple[int, bytes] | None:
    """The newest (epoch, state) of `group_id`, or None."""
    row = conn.execute(
        "SELECT epoch, state FROM epochs WHERE group_id = ? ORDER BY epoch DESC LIMIT 1",
        (group_id,),
    ).fetchone()
    return None if row is None else (int(row[0]), bytes(row[1]))


def delete_group(conn: Connection, group_id: bytes) -> bool:
    """Delete every stored epoch of `group_id`."""
    deleted = conn.execute("DELETE FROM epochs WHERE group_id = ?", (group_id,)).rowcount
    if deleted:
        secrets_deleted(conn)
    return bool(deleted)


def group_ids(conn: Connection) -> list[bytes]:
    return [bytes(r[0]) for r in conn.execute("SELECT DISTINCT group_id FROM epochs")]
