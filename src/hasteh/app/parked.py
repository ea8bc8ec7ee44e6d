"""Messages parked for a later epoch: what a cell keeps until the commit before them comes.

With courier bundles (or several relays) a member may receive a message of epoch n+1
before the commit that opens epoch n+1. Such a message is parked in the cell record
(`CellRecord.parked`) and processed again after each commit. Anyone who can post to the
mailbox could fill that list, and it is rewritten with the cell record, so what is kept
is bounded and checked first (`park`): only an MLS message framed for this group
(`group_id`), for an epoch a little ahead (at most `MAX_AHEAD`), not already parked, while
fewer than `MAX_COUNT` messages and `MAX_BYTES` bytes are kept. Anything else is dropped.
"""

from __future__ import annotations

from typing import Final

from hasteh.mls.errors import MLSError
from hasteh.mls.framing import MLSMessage, PrivateMessage, PublicMessage

__all__ = ["MAX_AHEAD", "MAX_BYTES", "MAX_COUNT", "framed_for", "park"]

#: At most this many messages parked per cell.
MAX_COUNT: Final = 256
#: At most this many bytes parked per cell (all messages together).
MAX_BYTES: Final = 2 * 1024 * 1024
#: A parked message is for at most this many epochs after the group's current one.
MAX_AHEAD: Final = 2


def framed_for(wire: bytes) -> tuple[bytes, int] | None:
    """The (group id, epoch) an MLS message is framed for; None if it is not a
    PublicMessage or PrivateMessage that decodes."""
    try:
        body = MLSMessage.from_bytes(wire).body
    except MLSError:
        return None
    if isinstance(body, PrivateMessage):
        return body.group_id, body.epoch
    if isinstance(body, PublicMessage):
        return body.content.group_id, body.content.epoch
    return None


def park(parked: list[bytes], wire: bytes, *, group_id: bytes, epoch: int) -> bool:
    """Append `wire` to `parked` if it may be a message of this group a little after
    `epoch` (see the module docstring); False if it was dropped instead."""
    framing = framed_for(wire)
    if framing is None:
        return False
    target_group, target_epoch = framing
    if target_group != group_id or not epoch < target_epoch <= epoch + MAX_AHEAD:
        return False
    if len(parked) >= MAX_COUNT or wire in parked:
        return False
    if sum(map(len, parked)) + len(wire) > MAX_BYTES:
        return False
    parked.append(wire)
    return True
