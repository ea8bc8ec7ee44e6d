"""Joining a group (a cell, an alliance): pick up the Welcome from the card's one-time
pickup mailbox.

The member who committed our Add left one envelope there, a join package (see
`hasteh.app.frames`): the MLS Welcome and, protected in the new epoch, the cell's
history (mailbox, relays, its log without chat). Joining stores the group state, the
history as the start of our log, registers the cell's mailbox, and deletes the card's
private keys (a KeyPackage is used once). The history names the group's kind; the
newcomer checks it by that kind's rules (`kinds.DOMAINS`) and refuses a kind it does not
run.

`join(ws)` is `sync(ws)` plus a precise error when nothing arrived: the pickup happens in
every sync, so a newcomer who just runs `hasteh sync` joins too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import msgspec

from hasteh import org
from hasteh.app import frames, runtime
from hasteh.app.domain import GroupDomain
from hasteh.app.kinds import DOMAINS
from hasteh.app.records import (
    CellRecord,
    Invitation,
    delete_invitation,
    invitations,
    load_cell,
    load_invitation,
    save_invitation,
)
from hasteh.app.runtime import CONFIG, GroupRuntime
from hasteh.envelope import Envelope, EnvelopeError, Kind, claimed_mailbox, open_payload
from hasteh.mls.errors import MLSError
from hasteh.mls.group import ApplicationData, GroupState, join_from_welcome
from hasteh.mls.key_package_ops import KeyPackageSecrets
from hasteh.org import OrgError
from hasteh.transport import registry
from hasteh.vault import Connection
from hasteh.vault import cursors as vcursors

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = ["join_from_package", "waiting_invitations"]

#: At most this many relays in a handed-over history (as on a card).
MAX_RELAYS: Final = 8


class _Refusal(Exception):
    """The join package's history, handed over by a member, is not valid."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def join_from_package(
    ws: Workspace, conn: Connection, invitation: Invitation, envelope: Envelope
) -> GroupRuntime[Any] | None:
    """Join from one pickup envelope, inside the caller's transaction; None if the
    envelope is not a join package for this card (it is then ignored) or if its history
    is refused (recorded on the invitation, which stays usable; see `JoinRefused`).

    The history is validated like any other input: decoded, then applied with checks
    (`org.apply_history`) in order from the empty state; one event refused and the whole
    history is refused. Nothing is written but the refusal count on the invitation."""
    if envelope.kind is not Kind.WELCOME:
        return None
    try:
        package = frames.decode_join(open_payload(envelope))
        secrets = KeyPackageSecrets.from_bytes(invitation.secrets)
        group = join_from_welcome(package.welcome, secrets, now=ws.now(), config=CONFIG)
    except (EnvelopeError, frames.FrameError, MLSError):
        return None  # not a Welcome for this card: junk anyone could leave here
    if load_cell(conn, group.group_id) is not None:
        return None  # already joined (a second copy of the package)
    if invitation.bound_group and group.group_id != invitation.bound_group:
        # A spoken-code card accepts only the cell the member who typed the code named:
        # someone holding a copy of the card tries to divert us into another group.
        _record_refusal(conn, invitation, "not-the-cell")
        return None
    try:
        history, domain, envelopes = _checked_history(ws, group, package.history)
    except _Refusal as refusal:
        _record_refusal(conn, invitation, refusal.reason)
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
        counters={int(k): int(v) for k, v in list(history.counters.items())[: org.HARD_CAP * 8]},
        kind=domain.kind,
    )
    rt = runtime.fresh(record, group, domain)
    for env in envelopes:
        runtime.accept_event(rt, env, check=False)  # validated by _checked_history
    delete_invitation(conn, invitation.pickup)
    registry.add_mailbox(conn, history.mailbox, list(history.relays))
    for relay, cursor in history.cursors.items():
        if relay in history.relays and cursor.isascii() and cursor.isdigit():
            vcursors.set_cursor(conn, relay, history.mailbox, cursor)
    ws._cells[group.group_id] = rt
    return rt


def _checked_history(
    ws: Workspace, group: GroupState, wire: bytes
) -> tuple[frames.History, GroupDomain[Any], list[org.EventEnvelope]]:
    """The history frame of a join package and its events, each checked in order against
    the log before it; `_Refusal` for anything the cell's rules would refuse."""
    try:
        data = group.process(wire, now=ws.now())
        if not isinstance(data, ApplicationData):
            raise _Refusal("history")
        kind, body = frames.split(data.data)
        if kind != frames.HISTORY:
            raise _Refusal("history")
        history = frames.decode_history(body)
    except (frames.FrameError, MLSError):
        raise _Refusal("history") from None
    if (
        len(history.mailbox) != 32
        or not 1 <= len(history.relays) <= MAX_RELAYS
        or not all(_relay_ok(r) for r in history.relays)
    ):
        raise _Refusal("history")
    domain = DOMAINS.get(history.kind)
    if domain is None:
        raise _Refusal("history")  # a kind of group this hasteh does not run
    state = domain.log.empty()
    envelopes = []
    for raw in history.events:
        try:
            env = org.decode(raw)
            state = org.log.apply(domain.log, state, env, history=True)
        except OrgError as exc:
            raise _Refusal(exc.code) from None
        envelopes.append(env)
    # The log must describe the group we joined: the same leaves under the same cover
    # names as the ratchet tree the Welcome gave us (a committer cannot invent members).
    in_tree = {int(i): runtime.cover_name_of(leaf) for i, leaf in group.members()}
    in_log = {int(leaf): state.cover_name(leaf) for leaf in state.members}
    if in_tree != in_log or not state.created:
        raise _Refusal("members")
    return history, domain, envelopes


def _relay_ok(url: str) -> bool:
    return (
        url.startswith(("http://", "https://"))
        and len(url) <= 2048
        and not any(c.isspace() for c in url)
    )


def _record_refusal(conn: Connection, invitation: Invitation, reason: str) -> None:
    current = load_invitation(conn, invitation.pickup) or invitation
    save_invitation(
        conn,
        msgspec.structs.replace(current, refused=current.refused + 1, refused_reason=reason[:64]),
    )


def waiting_invitations(ws: Workspace) -> list[Invitation]:
    return ws.vault.read(invitations)
