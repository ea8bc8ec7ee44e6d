"""The cell as a kind of group: the `GroupDomain` the runtime runs a cell by.

Everything the group runtime needs to know about a cell and nothing else: its log
(`org.CELL`: the table of `hasteh.org.fold`), its membership policy (`org.CellPolicy`,
DESIGN §4), that a seizure's removal obliges every other member to rotate its keys, the
commit a member is responsible for, and the events it must send (adopted settings,
decisions that are due).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from hasteh import org
from hasteh.app import bulletin_key, cell_relays
from hasteh.app.domain import GroupDomain
from hasteh.app.records import AddIntent, Intent, RemoveIntent, UpdateIntent
from hasteh.app.runtime import CellRuntime, responsible, send_event
from hasteh.org import MemberRemoved, OrgState

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = ["CELL_DOMAIN", "next_commit", "settings_to_carry_out"]


def rekeys_after(state: OrgState, removed: MemberRemoved) -> bool:
    """A removal that carries out a seizure: every other member rotates its keys too."""
    return any(s.leaf == removed.leaf and not s.removed for s in state.seizures.values())


def next_commit(rt: CellRuntime) -> Intent | None:
    """The commit this member is responsible for now, in this order: our key rotation
    after a seizure; the removal of a member we reported seized; an adopted removal
    decision (carried out by the member with the lowest leaf other than the one
    removed); the Add of a newcomer we proposed (we hold the card) once the cell's rule
    is met."""
    me = rt.own_leaf
    state = rt.base
    if rt.record.needs_update:
        return UpdateIntent()
    for s in sorted(state.seizures.values(), key=lambda s: (s.at, s.seizure_id)):
        if s.by_leaf == me and not s.removed and s.leaf in state.members:
            return RemoveIntent(int(s.leaf), s.cover_name)
    for d in sorted(state.decisions.values(), key=lambda d: (d.at, d.decision_id)):
        motion = d.motion
        if (
            isinstance(motion, org.RemoveMember)
            and not d.done
            and d.outcome is not None
            and d.outcome.status == "adopted"
            and motion.leaf in state.members
        ):
            others = [m for m in state.members if m != motion.leaf]
            if others and min(others) == me:
                return RemoveIntent(int(motion.leaf), motion.cover_name)
    for a in sorted(state.proposals.values(), key=lambda a: a.proposal_id):
        held = rt.record.cards.get(a.proposal_id.hex())
        if (
            a.proposer == me
            and held is not None
            and org.admission_status(a, state) == "approved"
            and len(state.members) < state.settings.size_cap
        ):
            return AddIntent(held)
    return None


def settings_to_carry_out(rt: CellRuntime) -> list[org.Decision]:
    """Adopted settings changes not yet carried out, if this member is responsible (the
    lowest leaf)."""
    if not responsible(rt):
        return []
    return [
        d
        for d in sorted(rt.base.decisions.values(), key=lambda d: (d.at, d.decision_id))
        if isinstance(d.motion, org.ChangeSettings)
        and not d.done
        and d.outcome is not None
        and d.outcome.status == "adopted"
    ]


def duties(ws: Workspace, rt: CellRuntime) -> int:
    """Send what this member is responsible for; how many events."""
    done = 0
    for decision in settings_to_carry_out(rt):
        # Posted to the new relays as well: its post claims the cell's mailbox there and
        # registers the epoch's write key, so the cell can move at once.
        send_event(
            ws,
            rt,
            org.SettingsChanged(decision.decision_id),
            extra_relays=cell_relays.added_relays(rt.record, decision),
        )
        done += 1
    # Deadlines close decisions by themselves: the member with the lowest leaf (the one
    # who also carries out adopted settings) sends the closing event with the outcome,
    # which every member recomputes and checks. Anyone may still close by hand.
    if responsible(rt):
        for event in org.close_due(rt.org, ws.now()):
            send_event(ws, rt, event)
            done += 1
    # The bulletin key: inboxes, the first key, sharing, rotation after a seizure or a
    # removal, and deleting keys this device must no longer hold (`hasteh.app.bulletin_key`).
    done += bulletin_key.duties(ws, rt)
    return done


#: A cell's rules, as the group runtime is given them.
CELL_DOMAIN: Final[GroupDomain[OrgState]] = GroupDomain(
    kind="cell",
    log=org.CELL,
    check=org.DEFAULT_POLICY.check,
    authorize=org.authorize,
    rekeys_after=rekeys_after,
    next_commit=next_commit,
    duties=duties,
)
