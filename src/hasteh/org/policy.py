"""Membership policy: which commits the cell authorized (DESIGN §2, §4).

Every member runs the same policy over the same log, so all reach the same verdict
(mls-rs calls this "each member MUST apply the same proposal rules"). The default,
`CellPolicy`, is DESIGN §4:

* **Add**: the newcomer's card was handed over in person and proposed by a member
  (`NewcomerProposed`, whose `card_fingerprint` the commit's KeyPackage must match, with
  the same cover name); at least one member other than the proposer vouched (a cell of
  one: the founder's proposal is the voucher); and the current members approved: all of
  them, or all but one if the cell chose ``all-but-one``. The proposer and the vouchers
  count as approving. The cell is below its cap (default 5; never above `HARD_CAP` = 7).
  "Members" here are the members not on trial (`hasteh.org.trial`): a newcomer on
  trial neither approves nor counts, and at least one approval is always needed.
* **Any change** committed from a device reported seized (`MemberSeized` in the log, the
  Remove not yet landed) is refused: whoever holds that device is not the member.
* **Remove**: an adopted decision with a `RemoveMember` motion for that leaf and cover
  name; or a `MemberSeized` for it (any member may run it; the cell reviews it later);
  or the member's own `LeaveAnnounced`.

A membership change is a fact of the MLS group before org sees it, so on receipt a change
the policy refuses is still folded (the person *is* in or out of the group) but raises an
`AlarmRecord` that names the committer's cover name: it is never silently accepted. Before
your own client commits, call `authorize`, which raises `PolicyViolation` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from hasteh.errors import Param
from hasteh.org._checks import is_seized
from hasteh.org.errors import OrgCode, PolicyViolation
from hasteh.org.events import (
    EventId,
    LeafIndex,
    MemberAdded,
    MemberRemoved,
    RemoveMember,
)
from hasteh.org.state import PROPOSAL_LIFETIME, Admission, Decision, OrgState
from hasteh.org.trial import full_members

__all__ = [
    "ALARMS",
    "DEFAULT_POLICY",
    "AdmissionNeeds",
    "AlarmCode",
    "CellPolicy",
    "MembershipChange",
    "MembershipPolicy",
    "Verdict",
    "admission_needs",
    "admission_status",
    "approvals_needed",
    "authorize",
    "lapsed",
]

MembershipChange = MemberAdded | MemberRemoved
Authority = Literal["proposal", "decision", "seizure", "leave", "recall"]

#: The codes of the alarms every member is shown (`AlarmRecord.code`): the policy's
#: refusals of a membership commit, a disputed seizure, and an alarm raised by hand.
AlarmCode = Literal[
    "no-proposal",
    "proposal-lapsed",
    "no-voucher",
    "not-approved",
    "cap-reached",
    "cover-name-mismatch",
    "leaf-taken",
    "committer-not-member",
    "committer-seized",
    "no-decision",
    "seizure-disputed",
    "fund-chain-broken",
    "manual",
]

#: English templates of the alarms every member is shown ({by}: the committer's or
#: sender's cover name, {subject}: the member concerned). Translated in the fa catalog.
#: (Keyed by `str`: stored records carry the code as text; a test holds the keys to
#: `AlarmCode`.)
ALARMS: Mapping[str, str] = {
    "no-proposal": "{by} added {subject} to the cell without an approved proposal.",
    "proposal-lapsed": "{by} added {subject} after the proposal had lapsed.",
    "no-voucher": "{by} added {subject} to the cell before any member vouched for them.",
    "not-approved": "{by} added {subject} to the cell before the cell approved them.",
    "cap-reached": "{by} added {subject} although the cell was full.",
    "cover-name-mismatch": "{by} added {subject} under another cover name than approved.",
    "leaf-taken": "{by} added {subject} in the place of an existing member.",
    "committer-not-member": "Someone who is not a member changed the cell's membership.",
    "committer-seized": "{by}'s device, reported seized, changed the cell's membership.",
    "no-decision": "{by} removed {subject} without a decision, a seizure or a leave.",
    "seizure-disputed": "The cell did not uphold {by}'s report that {subject} was seized.",
    "fund-chain-broken": (
        "The fund's ledger is broken at an entry by {by}: an entry was edited or dropped. "
        "Compare the fund's fingerprint in person."
    ),
    "manual": "{by} raised an alarm: {note}",
}


@dataclass(frozen=True, slots=True)
class Verdict:
    """The policy's answer. `ok` with what authorized it, or a refusal `code`."""

    ok: bool
    code: OrgCode | Literal[""] = ""
    authority: Authority | None = None
    authorized_by: EventId | None = None
    params: Mapping[str, Param] = field(default_factory=dict)

    @staticmethod
    def refuse(code: OrgCode, **params: Param) -> Verdict:
        return Verdict(False, code, params=params)


class MembershipPolicy(Protocol):
    """Injected policy; every member of a cell must use the same one."""

    def check(self, change: MembershipChange, state: OrgState) -> Verdict: ...


def approvals_needed(state: OrgState) -> int:
    """How many current members must approve a newcomer under the cell's rule (members
    on trial are not counted; never fewer than one)."""
    count = len(full_members(state))
    if state.settings.admission == "all-but-one":
        return max(1, count - 1)
    return max(1, count)


def _approvers(admission: Admission, state: OrgState) -> frozenset[LeafIndex]:
    current = full_members(state)
    return (admission.approvals | admission.vouchers | {admission.proposer}) & current


def _vouched(admission: Admission, state: OrgState) -> bool:
    full = full_members(state)
    if admission.vouchers & full:
        return True
    return len(full) == 1 and admission.proposer in full


def lapsed(admission: Admission, at: int) -> bool:
    """Whether a proposal has lapsed at log time `at` (seven days after it was made, or
    once the newcomer's card expired)."""
    return at >= admission.proposed_at + PROPOSAL_LIFETIME or at >= admission.card_expires_at


@dataclass(frozen=True, slots=True)
class AdmissionNeeds:
    """What a proposal still needs, for the faces to say in words: whether a voucher is
    missing, how many more approvals, and when the proposal lapses."""

    voucher: bool
    approvals: int
    lapses_at: int


def admission_needs(admission: Admission, state: OrgState) -> AdmissionNeeds:
    have, needed = len(_approvers(admission, state)), approvals_needed(state)
    return AdmissionNeeds(
        voucher=not _vouched(admission, state),
        approvals=max(0, needed - have),
        lapses_at=min(admission.proposed_at + PROPOSAL_LIFETIME, admission.card_expires_at),
    )


def admission_status(
    admission: Admission, state: OrgState
) -> Literal["approved", "waiting", "refused", "lapsed"]:
    """``approved`` (a member may commit the Add), ``waiting``, ``refused`` (too many
    members objected for the cell's rule ever to be met) or ``lapsed`` (seven days passed
    in the log, or the card expired: the proposer may propose again)."""
    if lapsed(admission, state.time):
        return "lapsed"
    full = full_members(state)
    objectors = len(admission.objections & full)
    if objectors > len(full) - approvals_needed(state):
        return "refused"
    if _vouched(admission, state) and len(_approvers(admission, state)) >= approvals_needed(state):
        return "approved"
    return "waiting"


class CellPolicy:
    """DESIGN §4 defaults; see the module docstring."""

    def check(self, change: MembershipChange, state: OrgState) -> Verdict:
        if change.by_leaf not in state.members:
            return Verdict.refuse("committer-not-member", leaf=change.by_leaf)
        if is_seized(state, change.by_leaf):
            return Verdict.refuse("committer-seized", leaf=change.by_leaf)
        if isinstance(change, MemberAdded):
            return self._check_add(change, state)
        return self._check_remove(change, state)

    def _check_add(self, change: MemberAdded, state: OrgState) -> Verdict:
        if change.leaf in state.members:
            return Verdict.refuse("leaf-taken", leaf=change.leaf)
        admission = next(
            (a for a in state.proposals.values() if a.card_fingerprint == change.card_fingerprint),
            None,
        )
        if admission is None:
            return Verdict.refuse("no-proposal")
        if lapsed(admission, state.time):
            return Verdict.refuse("proposal-lapsed")
        if admission.cover_name != change.cover_name:
            return Verdict.refuse("cover-name-mismatch")
        if not _vouched(admission, state):
            return Verdict.refuse("no-voucher")
        have, needed = len(_approvers(admission, state)), approvals_needed(state)
        if have < needed:
            return Verdict.refuse("not-approved", have=have, needed=needed)
        if len(state.members) >= state.settings.size_cap:
            return Verdict.refuse("cap-reached", cap=state.settings.size_cap)
        return Verdict(True, authority="proposal", authorized_by=admission.proposal_id)

    def _check_remove(self, change: MemberRemoved, state: OrgState) -> Verdict:
        member = state.members.get(LeafIndex(change.leaf))
        if member is None:
            return Verdict.refuse("no-decision", leaf=change.leaf)
        for seizure in sorted(state.seizures.values(), key=lambda s: s.at):
            if seizure.leaf == change.leaf and not seizure.removed:
                if seizure.cover_name == member.cover_name:
                    return Verdict(True, authority="seizure", authorized_by=seizure.seizure_id)
        for decision in _adopted_removals(state):
            motion = decision.motion
            assert isinstance(motion, RemoveMember)
            if motion.leaf == change.leaf and motion.cover_name == member.cover_name:
                return Verdict(True, authority="decision", authorized_by=decision.decision_id)
        if change.leaf in state.leaving:
            return Verdict(True, authority="leave")
        return Verdict.refuse("no-decision", leaf=change.leaf)


def _adopted_removals(state: OrgState) -> list[Decision]:
    found = [
        d
        for d in state.decisions.values()
        if isinstance(d.motion, RemoveMember)
        and not d.done
        and d.outcome is not None
        and d.outcome.status == "adopted"
    ]
    return sorted(found, key=lambda d: (d.at, d.decision_id))


DEFAULT_POLICY: MembershipPolicy = CellPolicy()


def authorize(
    change: MembershipChange, state: OrgState, policy: MembershipPolicy = DEFAULT_POLICY
) -> Verdict:
    """Ask before your own client commits `change`: the verdict, or `PolicyViolation`
    with the refusal's code (``not-approved``, ``cap-reached``, ``no-decision``, …)."""
    verdict = policy.check(change, state)
    if not verdict.ok:
        raise PolicyViolation(verdict.code or "policy-refused", **verdict.params)
    return verdict
