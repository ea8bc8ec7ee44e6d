"""The mailboxes a profile reads and the relays it talks to, across all its groups (cells,
alliances) and cards.

Above `kinds` (it walks every group) and below `sync` and `courier` (which use it), so the
write credentials themselves (`write_auth`) stay below the runtime.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from hasteh.app.kinds import all_groups
from hasteh.app.records import invitations
from hasteh.app.write_auth import cell_write_auth, invitation_read_auth
from hasteh.envelope import WriteAuth
from hasteh.transport import registry
from hasteh.transport.courier import profile_relays

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = ["read_auth_for", "relays_in_use"]


def read_auth_for(ws: Workspace) -> Callable[[str, bytes], WriteAuth | None]:
    """(relay, mailbox) -> the key to read that mailbox with: the current epoch's key of a
    cell, the pickup key of one of our cards, or a key registered by hand with the
    mailbox (`hasteh mailbox add --key`). Built once per sync round."""
    cells = {rt.record.mailbox: rt for rt in all_groups(ws) if rt.active}
    cards = {inv.pickup: inv for inv in ws.vault.read(invitations)}
    by_hand = ws.vault.read(registry.read_keys)

    def auth(relay: str, mailbox: bytes) -> WriteAuth | None:
        rt = cells.get(mailbox)
        if rt is not None and rt.group is not None:
            return cell_write_auth(rt.record, rt.group, relay)
        card = cards.get(mailbox)
        if card is not None:
            return invitation_read_auth(card)
        key = by_hand.get(mailbox)
        return WriteAuth(key) if key is not None else None

    return auth


def relays_in_use(ws: Workspace) -> set[str]:
    """The relays this profile already talks to: its cells', its cards', its outbox's."""
    used = {r for rt in all_groups(ws) for r in rt.record.relays}
    used.update(r for inv in ws.vault.read(invitations) for r in inv.relays)
    used.update(ws.vault.read(profile_relays))
    return used
