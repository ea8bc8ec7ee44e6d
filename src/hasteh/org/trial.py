"""Newcomers on trial (issue 15; the insider protections of docs/org.md).

A cell may set a trial (`CellSettings.trial`, e.g. four weeks). A newcomer added while it
is set is **on trial** until the cell adopts an `EndTrial` decision about them: the date
is when the cell should decide, not an automatic end (an informer's trial must not lapse
unreviewed). On trial, a member talks, studies and takes part in ordinary decisions, but
is kept out of everything that decides who is in the cell and by which rules:

* no proposing, vouching for, approving or objecting to a newcomer;
* no opening of, and no stance on, a decision that carries a motion (remove a member,
  end a trial, change the settings);
* no reporting of *another* member's device seized, and no review of a seizure;
* not counted in "all members": approvals, quorums and "everyone took part" count only
  the members not on trial (`full_members`).

Every member enforces these in the checks of the log (``on-trial``), so a modified client
on trial gains nothing: its events are refused everywhere. Ending a trial needs as many
stances as admitting a newcomer (`approvals_needed`), never the newcomer's own.
"""

from __future__ import annotations

from dataclasses import replace

from hasteh.org._checks import require_member
from hasteh.org.errors import InvalidEvent
from hasteh.org.events import CellSettings, EndTrial, EventId, LeafIndex
from hasteh.org.state import OrgState

__all__ = [
    "check_end_trial",
    "end_trial",
    "full_members",
    "on_trial",
    "require_full_member",
    "trial_until",
]


def on_trial(state: OrgState, leaf: int) -> bool:
    member = state.members.get(LeafIndex(leaf))
    return member is not None and member.on_trial


def full_members(state: OrgState) -> frozenset[LeafIndex]:
    """The members counted in "all members": everyone not on trial."""
    return frozenset(leaf for leaf, m in state.members.items() if not m.on_trial)


def require_full_member(state: OrgState, leaf: int) -> None:
    """`require_member`, and not on trial (``on-trial``)."""
    require_member(state, leaf)
    if on_trial(state, leaf):
        raise InvalidEvent("on-trial")


def trial_until(settings: CellSettings, at: int) -> int:
    """When the trial of a newcomer added at log time `at` is due to end (0: none)."""
    return at + settings.trial if settings.trial else 0


def check_end_trial(state: OrgState, motion: EndTrial) -> None:
    """The motion names a member on trial, under their cover name (``not-on-trial``)."""
    member = state.members.get(LeafIndex(motion.leaf))
    if member is None or member.cover_name != motion.cover_name or not member.on_trial:
        raise InvalidEvent("not-on-trial", name=motion.cover_name)


def end_trial(state: OrgState, motion: EndTrial, decision_id: EventId) -> OrgState:
    """Carry out an adopted `EndTrial` (when its decision closes): the member is full.
    A member no longer at that leaf under that name is left alone."""
    member = state.members.get(LeafIndex(motion.leaf))
    if member is None or member.cover_name != motion.cover_name:
        return state
    members = {**state.members, member.leaf: replace(member, trial_until=0)}
    decision = replace(state.decisions[decision_id], done=True)
    return replace(state, members=members, decisions=state.decisions.set(decision_id, decision))
