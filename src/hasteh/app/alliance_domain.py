"""The alliance as a kind of group: the `GroupDomain` the runtime runs an alliance by.

An alliance's rules, and nothing of a cell's: its log (`org.alliance.ALLIANCE`), its
policy (an Add needs every member cell's approval; a removal only a cell's recall), no
key rotation owed after a removal, the swap of a recalled delegate for the registered
alternate (by the lowest seat that stays), the Add of a cell this delegate proposed once
every cell approved, the closing of motions that are due (by the lowest seat), and the
alliance's bulletin key on the editors' seats (`hasteh.app.bulletin_key`, the same code
as a cell's, given the alliance's rules: `org.alliance.key_holders`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from hasteh.app import bulletin_key, vouch_mailbox
from hasteh.app.domain import GroupDomain
from hasteh.app.records import AddIntent, Intent, RemoveIntent, UpdateIntent
from hasteh.app.runtime import GroupRuntime, responsible, send_event
from hasteh.org import MemberRemoved
from hasteh.org import alliance as rules
from hasteh.org.alliance import AllianceState

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = ["ALLIANCE_DOMAIN", "AllianceRuntime"]

#: An alliance in memory.
AllianceRuntime = GroupRuntime[AllianceState]


def rekeys_after(state: AllianceState, removed: MemberRemoved) -> bool:
    """No removal in an alliance obliges the others to rotate their keys (yet)."""
    return False


def next_commit(rt: AllianceRuntime) -> Intent | None:
    """Our key update when one is owed; else the Add of a cell we proposed (we hold its
    delegate's card) once every member cell approved."""
    if rt.record.needs_update:
        return UpdateIntent()
    swap = recall_commit(rt)
    if swap is not None:
        return swap
    state = rt.base
    me = rt.own_leaf
    for proposal in sorted(state.proposals.values(), key=lambda p: p.proposal_id):
        held = rt.record.cards.get(proposal.proposal_id.hex())
        if proposal.proposer == me and held is not None and rules.approved(proposal, state):
            return AddIntent(held)
    return None


def recall_commit(rt: AllianceRuntime) -> Intent | None:
    """A recall's swap, by the seat with the lowest leaf that stays: the removal of each
    seat the recalled cell held, then the Add of its registered alternate (one commit
    each; the policy authorizes exactly these)."""
    state = rt.base
    leaving = {leaf for recall in state.recalls.values() for leaf in recall.seats}
    staying = [leaf for leaf in state.members if leaf not in leaving]
    if not rt.active or not staying or min(staying) != rt.own_leaf:
        return None
    for cell, recall in sorted(state.recalls.items()):
        for leaf in sorted(recall.seats):
            if leaf in state.members:
                return RemoveIntent(int(leaf), cell)
        if not recall.added and recall.card:
            return AddIntent(recall.card)
    return None


def duties(ws: Workspace, rt: AllianceRuntime) -> int:
    """Every seat keeps the alliance's bulletin key as its naming says (post an inbox,
    issue, share, rotate, delete); a delegate who vouched proposes the cell whose card
    came through its code (`vouch_mailbox.collect`); the seat with the lowest leaf
    closes every motion that is due, then ratifies every programme amendment the
    alliance adopted (issue 17); how many events."""
    keys = bulletin_key.duties(ws, rt, rules.key_holders)
    vouched = vouch_mailbox.collect(ws, rt)
    if not responsible(rt):
        return keys + vouched
    closes = rules.close_due(rt.org, ws.now())
    for close in closes:
        send_event(ws, rt, close)
    ratified = rules.ratify_due(rt.org)
    for ratify in ratified:
        send_event(ws, rt, ratify)
    return keys + vouched + len(closes) + len(ratified)


#: An alliance's rules, as the group runtime is given them.
ALLIANCE_DOMAIN: Final[GroupDomain[AllianceState]] = GroupDomain(
    kind="alliance",
    log=rules.ALLIANCE,
    check=rules.ALLIANCE_POLICY.check,
    authorize=rules.authorize,
    rekeys_after=rekeys_after,
    next_commit=next_commit,
    duties=duties,
)
