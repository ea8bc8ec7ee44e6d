"""Admission: propose a newcomer with their card, vouch, approve, object.

    admission.propose(ws, "bakery", card_code)     # NewcomerProposed; the card stays with us
    admission.vouch(ws, "bakery", "reza")          # Vouched ("I know this person")
    admission.approve(ws, "bakery", "reza")        # AdmissionApproved

When the cell's rule is met (org's `admission_status` is ``approved``: a voucher other
than the proposer, and all members, or all but one, approving), the **proposer's** client
commits the Add (it holds the card's KeyPackage), at the next `sync` or right away. The
commit is merged only after the relay accepted it, and only then is the Welcome sent to
the newcomer's pickup mailbox (see `hasteh.app.runtime`). On a 409 the client fetches,
processes the newer commit, and rebuilds its Add on the new epoch if still approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hasteh import org
from hasteh.app import runtime
from hasteh.app.cards import Card, card_bytes, card_cover_name, read_card_input
from hasteh.app.cells import find_cell
from hasteh.app.errors import BadInput, Refused, UnknownMember
from hasteh.app.runtime import CellRuntime
from hasteh.i18n import _, display_number
from hasteh.org import (
    AdmissionApproved,
    AdmissionObjected,
    NewcomerProposed,
    ProposalWithdrawn,
    Vouched,
)
from hasteh.vault import Connection

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = [
    "AdmissionView",
    "approve",
    "object_to",
    "pending",
    "propose",
    "propose_card",
    "vouch",
    "withdraw",
]


@dataclass(frozen=True, slots=True)
class AdmissionView:
    cover_name: str
    proposer: str
    vouchers: int
    approvals: int
    needed: int
    objections: int
    status: str  # approved | waiting | refused | lapsed
    expires_at: int
    #: What is still needed, in words (translated): a voucher, approvals, or nothing.
    needs: str = ""
    #: When the proposal lapses (log time, unix seconds).
    lapses_at: int = 0
    #: This member made the proposal (and may withdraw it).
    mine: bool = False


def propose(ws: Workspace, cell: str, card_input: str) -> AdmissionView:
    return propose_card(ws, cell, read_card_input(card_input, now=ws.now()))


def propose_card(ws: Workspace, cell: str, card: Card) -> AdmissionView:
    """Propose the newcomer of a decoded card (a spoken code's card arrives decoded)."""
    rt = find_cell(ws, cell)
    rt.require_group()
    state = rt.org
    if len(state.members) >= state.settings.size_cap:
        raise Refused("cap-reached", cap=state.settings.size_cap)
    body = NewcomerProposed(card.fingerprint, card_cover_name(card), card.expires_at)

    def keep(conn: Connection, env: org.EventEnvelope) -> None:
        rt.record.cards[bytes(env.event_id).hex()] = card_bytes(card)
        rt.record_dirty = True

    env = runtime.send_event(ws, rt, body, also=keep)
    runtime.plan(ws, rt)
    return _view(rt, rt.org.proposals[org.EventId(env.event_id)])


def _admission(rt: CellRuntime, newcomer: str) -> org.Admission:
    wanted = newcomer.strip()
    for a in rt.org.proposals.values():
        if a.cover_name == wanted:
            return a
    raise UnknownMember()


def _answer(ws: Workspace, cell: str, newcomer: str, kind: str, reason: str = "") -> AdmissionView:
    rt = find_cell(ws, cell)
    rt.require_group()
    admission = _admission(rt, newcomer)
    body: org.AnyEvent
    if kind == "vouch":
        body = Vouched(admission.proposal_id)
    elif kind == "approve":
        body = AdmissionApproved(admission.proposal_id)
    else:
        if not reason.strip():
            raise BadInput("objection-needs-reason")
        body = AdmissionObjected(admission.proposal_id, reason.strip())
    runtime.send_event(ws, rt, body)
    runtime.plan(ws, rt)
    current = rt.org.proposals.get(admission.proposal_id, admission)
    return _view(rt, current)


def vouch(ws: Workspace, cell: str, newcomer: str) -> AdmissionView:
    return _answer(ws, cell, newcomer, "vouch")


def approve(ws: Workspace, cell: str, newcomer: str) -> AdmissionView:
    return _answer(ws, cell, newcomer, "approve")


def object_to(ws: Workspace, cell: str, newcomer: str, reason: str) -> AdmissionView:
    return _answer(ws, cell, newcomer, "object", reason)


def withdraw(ws: Workspace, cell: str, newcomer: str) -> None:
    """The proposer takes the proposal back (the card is forgotten); it can be made again."""
    rt = find_cell(ws, cell)
    rt.require_group()
    admission = _admission(rt, newcomer)

    def forget_card(conn: Connection, env: org.EventEnvelope) -> None:
        rt.record.cards.pop(bytes(admission.proposal_id).hex(), None)
        rt.record_dirty = True

    runtime.send_event(ws, rt, ProposalWithdrawn(admission.proposal_id), also=forget_card)


def needs_text(a: org.Admission, state: org.OrgState) -> str:
    """What a proposal still needs, said so a member knows what to do next."""
    status = org.admission_status(a, state)
    if status == "lapsed":
        return _("This proposal has lapsed. The member who proposed it can propose again.")
    if status == "refused":
        return _("Too many members objected: the newcomer cannot be admitted.")
    if status == "approved":
        return _("Approved: the member who proposed will add the newcomer at the next sync.")
    needs = org.admission_needs(a, state)
    parts = []
    if needs.voucher:
        parts.append(_("a member other than the proposer must vouch (“I know this person”)"))
    if needs.approvals:
        parts.append(_("{n} more member(s) must approve").format(n=display_number(needs.approvals)))
    return _("Still needed: {what}.").format(what=_(", ").join(parts))


def _view(rt: CellRuntime, a: org.Admission) -> AdmissionView:
    state = rt.org
    needs = org.admission_needs(a, state)
    return AdmissionView(
        cover_name=a.cover_name,
        proposer=state.cover_name(a.proposer),
        vouchers=len(a.vouchers),
        approvals=len((a.approvals | a.vouchers | {a.proposer}) & frozenset(state.members)),
        needed=org.approvals_needed(state),
        objections=len(a.objections),
        status=org.admission_status(a, state),
        expires_at=a.card_expires_at,
        needs=needs_text(a, state),
        lapses_at=needs.lapses_at,
        mine=rt.active and int(a.proposer) == rt.own_leaf,
    )


def pending(ws: Workspace, cell: str) -> list[AdmissionView]:
    rt = find_cell(ws, cell)
    return [
        _view(rt, a)
        for a in sorted(rt.org.proposals.values(), key=lambda a: (a.cover_name, a.proposal_id))
    ]
