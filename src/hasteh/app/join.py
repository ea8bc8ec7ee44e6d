"""Joining a cell: pick up the Welcome from the card's one-time pickup mailbox.

The member who committed our Add left one envelope there, a join package (see
`hasteh.app.frames`): the MLS Welcome and, protected in the new epoch, the cell's
history (mailbox, relays, its log without chat). Joining stores the group state, the
history as the start of our log, registers the cell's mailbox, and deletes the card's
private keys (a KeyPackage is used once).

`join(ws)` is `sync(ws)` plus a precise error when nothing arrived: the pickup happens in
every sync, so a newcomer who just runs `hasteh sync` joins too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hasteh import org
from hasteh.app import frames, runtime
from hasteh.app.records import CellRecord, Invitation, delete_invitation, invitations, load_cell
from hasteh.app.runtime import CONFIG, CellRuntime
from hasteh.envelope import Envelope, EnvelopeError, Kind, claimed_mailbox, open_payload
from hasteh.mls.errors import MLSError
from hasteh.mls.group import ApplicationData, join_from_welcome
from hasteh.mls.key_package_ops import KeyPackageSecrets
from hasteh.org import OrgError
from hasteh.transport import registry
from hasteh.vault import Connection
from hasteh.vault import cursors as vcursors

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = ["join_from_package", "waiting_invitations"]


def join_from_package(
    ws: Workspace, conn: Connection, invitation: Invitation, envelope: Envelope
) -> CellRuntime | None:
    """Join from one pickup envelope, inside the caller's transaction; None if the
    envelope is not a join package for this card (it is then ignored)."""
    if envelope.kind is not Kind.WELCOME:
        return None
    try:
        package = frames.decode_join(open_payload(envelope))
        secrets = KeyPackageSecrets.from_bytes(invitation.secrets)
        group = join_from_welcome(package.welcome, secrets, now=ws.now(), config=CONFIG)
        data = group.process(package.history, now=ws.now())
        if not isinstance(data, ApplicationData):
            return None
        kind, body = frames.split(data.data)
        if kind != frames.HISTORY:
            return None
        history = frames.decode_history(body)
        envelopes = [org.decode(b) for b in history.events]
    except (EnvelopeError, frames.FrameError, MLSError, OrgError, ValueError):
        return None
    if load_cell(conn, group.group_id) is not None or len(history.mailbox) != 32:
        return None
    if history.claim and claimed_mailbox(history.claim) != history.mailbox:
        return None  # a claim that does not create this mailbox: not from a hasteh member
    record = CellRecord(
        group_id=group.group_id,
        mailbox=history.mailbox,
        relays=list(history.relays),
        joined_at=ws.now(),
        claim=history.claim or None,
        log_time=history.log_time,
        window=[(int(seq), bytes(eid)) for seq, eid in history.window][-runtime.WINDOW :],
    )
    rt = CellRuntime(record, group, org.empty_state(), group_dirty=True, record_dirty=True)
    for env in envelopes:
        runtime.accept_event(rt, env, check=False)  # the committer's log, as of our Add
    # The log must describe the group we joined: the same leaves under the same cover
    # names as the ratchet tree the Welcome gave us (a committer cannot invent members).
    in_tree = {int(i): runtime.cover_name_of(leaf) for i, leaf in group.members()}
    in_log = {int(m.leaf): m.cover_name for m in rt.org.members.values()}
    if in_tree != in_log or not rt.org.created:
        return None
    delete_invitation(conn, invitation.pickup)
    registry.add_mailbox(conn, history.mailbox, list(history.relays))
    for relay, cursor in history.cursors.items():
        if relay in history.relays and cursor.isascii() and cursor.isdigit():
            vcursors.set_cursor(conn, relay, history.mailbox, cursor)
    ws._cells[group.group_id] = rt
    return rt


def waiting_invitations(ws: Workspace) -> list[Invitation]:
    return ws.vault.read(invitations)
