"""Decisions family (``decision.*``): open, take part, close.

Kinds: consent, proposal, single, multiple, ranked (IRV or STV), opt-in; counting lives in
`hasteh.org.tally`. Protective defaults (DESIGN §4):

* **Results are hidden until close.** While a decision is open, `view` shows only how
  many took part, and not even that with `hide_results`. The stances are kept (they are
  needed to count) but `view` never shows them and the faces must not either.
* **Stances are deleted at close.** A `DecisionClosed` replaces them with the `Outcome`;
  `receive` returns the ids of the stance events so the app deletes them from the vault.
  In `outcome_only` mode even the counts are dropped: only the status and the winners.
* **Opt-in counts never keep names.** An opt-in stores a count, plus one token per
  participant to refuse a second opt-in: ``blake2b(decision id ‖ leaf)``. Be clear about
  what that buys: every member must be able to refuse a double opt-in, so every member
  can recompute a token for each of the (at most 7) leaves and find who opted in, as long
  as the decision is open. The tokens keep leaf numbers out of plain sight in the state
  and in the vault, and they are deleted at close with the stance events, after which only
  the count remains. True unlinkability would need blind signatures or a mix, which a
  cell of five does not get from hashing.
* **Deadlines close decisions.** Time is passed in: `close_due(state, now)` returns the
  `DecisionClosed` events due (outcome computed), which the app sends; any member may.
  A stance whose `at` is at or after the deadline is refused (``vote-after-close``), and
  a close before the deadline is refused unless every member took part (``not-due``).
  Both use only the log, so every member agrees. When two members close the same
  decision, the second close is refused with ``already-closed`` (harmless).
* **Quorum**: with fewer stances than `quorum`, the outcome is ``no-quorum``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from hasteh.org import tally
from hasteh.org._checks import check_settings, require_member
from hasteh.org.errors import InvalidEvent
from hasteh.org.events import (
    DAY,
    ChangeSettings,
    Choice,
    Choices,
    Consent,
    DecisionClosed,
    DecisionKind,
    DecisionOpened,
    EndTrial,
    EventEnvelope,
    EventId,
    LeafIndex,
    Objection,
    OptIn,
    Outcome,
    ProposalStance,
    Ranking,
    RemoveMember,
    Stance,
    StanceCast,
)
from hasteh.org.policy import MembershipPolicy, approvals_needed
from hasteh.org.state import Decision, OrgState
from hasteh.org.trial import check_end_trial, end_trial, full_members, require_full_member

__all__ = [
    "MAX_DEADLINE",
    "DecisionView",
    "close_due",
    "compute_outcome",
    "optin_token",
    "view",
]

#: A deadline may be at most this far after the opening.
MAX_DEADLINE = 365 * DAY
#: A decision that carries a motion (removing a member, changing settings) stays open at
#: least this long, so one member cannot open, approve and close it before anyone looks.
MIN_MOTION_DEADLINE = DAY

STANCES: dict[DecisionKind, tuple[type[Stance], ...]] = {
    "consent": (Consent, Objection),
    "proposal": (ProposalStance,),
    "single": (Choice,),
    "multiple": (Choices,),
    "ranked": (Ranking,),
    "opt-in": (OptIn,),
}
WITH_OPTIONS = ("single", "multiple", "ranked")


def optin_token(decision_id: bytes, leaf: int) -> bytes:
    """The token that refuses a second opt-in by the same leaf (see the docstring)."""
    data = decision_id + leaf.to_bytes(4, "big")
    return hashlib.blake2b(data, digest_size=16, person=b"hasteh-optin").digest()


# --- open --------------------------------------------------------------------------------


def check_decision_opened(state: OrgState, env: EventEnvelope, body: DecisionOpened) -> None:
    require_member(state, env.author)
    if env.event_id in state.decisions:
        raise InvalidEvent("duplicate-id")
    if body.deadline <= env.at:
        raise InvalidEvent("deadline-in-past")
    if body.deadline - env.at > MAX_DEADLINE:
        raise InvalidEvent("deadline-too-far", days=MAX_DEADLINE // DAY)
    n = len(body.options)
    if body.kind in WITH_OPTIONS:
        if n < 2 or len(set(body.options)) != n or any(not o.strip() for o in body.options):
            raise InvalidEvent("bad-options", kind=body.kind, need="two or more distinct options")
    elif n:
        raise InvalidEvent("bad-options", kind=body.kind, need="no options")
    low, high = {"ranked": (1, n), "multiple": (0, n)}.get(body.kind, (0, 0))
    if not low <= body.seats <= high:
        raise InvalidEvent("bad-seats", kind=body.kind, low=low, high=high)
    if body.quorum > len(state.members):
        raise InvalidEvent("bad-quorum", count=len(state.members))
    if body.motion is not None:
        require_full_member(state, env.author)
        if body.kind not in ("consent", "proposal"):
            raise InvalidEvent("bad-motion")
        if isinstance(body.motion, ChangeSettings):
            check_settings(body.motion.settings, state)
        elif isinstance(body.motion, EndTrial):
            check_end_trial(state, body.motion)
        else:
            member = state.members.get(LeafIndex(body.motion.leaf))
            if member is None or member.cover_name != body.motion.cover_name:
                raise InvalidEvent("not-a-member", leaf=body.motion.leaf)
        if body.deadline - env.at < MIN_MOTION_DEADLINE:
            raise InvalidEvent("motion-too-soon", days=MIN_MOTION_DEADLINE // DAY)


def fold_decision_opened(
    state: OrgState, env: EventEnvelope, body: DecisionOpened, policy: MembershipPolicy
) -> OrgState:
    key = EventId(env.event_id)
    decision = Decision(
        decision_id=key,
        kind=body.kind,
        question=body.question,
        options=body.options,
        deadline=body.deadline,
        quorum=max(body.quorum, removal_quorum(state, body), end_trial_quorum(state, body)),
        hide_results=body.hide_results,
        outcome_only=body.outcome_only,
        seats=body.seats,
        motion=body.motion,
        opened_by=LeafIndex(env.author),
        at=env.at,
    )
    return replace(state, decisions=state.decisions.set(key, decision))


def removal_quorum(state: OrgState, body: DecisionOpened) -> int:
    """Removing a member needs stances from a majority of the other members, whatever
    quorum the opener asked for: one member alone never removes another."""
    if not isinstance(body.motion, RemoveMember):
        return 0
    others = sum(1 for leaf in full_members(state) if leaf != body.motion.leaf)
    return others // 2 + 1


def end_trial_quorum(state: OrgState, body: DecisionOpened) -> int:
    """Ending a newcomer's trial needs as many stances as admitting a newcomer."""
    return approvals_needed(state) if isinstance(body.motion, EndTrial) else 0


# --- take part ---------------------------------------------------------------------------


def _check_stance(decision: Decision, stance: Stance) -> None:
    if not isinstance(stance, STANCES[decision.kind]):
        raise InvalidEvent("wrong-stance", kind=decision.kind)
    if isinstance(stance, Objection) and not stance.reason.strip():
        raise InvalidEvent("reason-required")
    if isinstance(stance, ProposalStance) and stance.position == "block":
        if not stance.reason.strip():
            raise InvalidEvent("reason-required")
    chosen: Sequence[int] = ()
    if isinstance(stance, Choice):
        chosen = (stance.option,)
    elif isinstance(stance, Choices | Ranking):
        chosen = stance.options
    for index in chosen:
        if index >= len(decision.options):
            raise InvalidEvent("unknown-option", index=index)
    if len(set(chosen)) != len(chosen):
        raise InvalidEvent("duplicate-option")
    if isinstance(stance, Choices) and decision.seats and len(chosen) > decision.seats:
        raise InvalidEvent("too-many-choices", limit=decision.seats)


def check_stance_cast(state: OrgState, env: EventEnvelope, body: StanceCast) -> None:
    require_member(state, env.author)
    decision = state.decisions.get(EventId(body.decision_id))
    if decision is None:
        raise InvalidEvent("unknown-decision")
    if not decision.is_open or env.at >= decision.deadline:
        raise InvalidEvent("vote-after-close")
    if env.author in decision.stances or (
        decision.kind == "opt-in"
        and optin_token(decision.decision_id, env.author) in decision.optin_tokens
    ):
        raise InvalidEvent("vote-twice")
    if isinstance(decision.motion, RemoveMember | EndTrial) and decision.motion.leaf == env.author:
        raise InvalidEvent("self-approval")
    if decision.motion is not None:
        require_full_member(state, env.author)
    _check_stance(decision, body.stance)


def fold_stance_cast(
    state: OrgState, env: EventEnvelope, body: StanceCast, policy: MembershipPolicy
) -> OrgState:
    key = EventId(body.decision_id)
    decision = state.decisions[key]
    events = decision.stance_events | {EventId(env.event_id)}
    if decision.kind == "opt-in":
        decision = replace(
            decision,
            optin_tokens=decision.optin_tokens | {optin_token(key, env.author)},
            optin_count=decision.optin_count + 1,
            stance_events=events,
        )
    else:
        stances = {**decision.stances, LeafIndex(env.author): body.stance}
        decision = replace(decision, stances=stances, stance_events=events)
    return replace(state, decisions=state.decisions.set(key, decision))


# --- close -------------------------------------------------------------------------------


def compute_outcome(decision: Decision) -> Outcome:
    """The outcome every member computes from the stances of an open decision."""
    stances: list[Any] = [decision.stances[k] for k in sorted(decision.stances)]
    voters = decision.optin_count if decision.kind == "opt-in" else len(stances)
    n = len(decision.options)
    result: tally.Tally
    if decision.kind == "opt-in":
        return Outcome("counted", (), (voters,), voters)
    if decision.kind == "consent":
        result = tally.consent(stances)
    elif decision.kind == "proposal":
        result = tally.proposal(stances)
    elif decision.kind == "single":
        result = tally.single(stances, n)
    elif decision.kind == "multiple":
        result = tally.multiple(stances, n)
    elif decision.seats == 1:
        result = tally.irv(stances, n)
    else:
        result = tally.stv(stances, n, decision.seats)
    status = result.status
    winners = result.winners
    if voters == 0 or voters < decision.quorum:
        status, winners = "no-quorum", ()
    if decision.outcome_only:
        return Outcome(status, winners)  # type: ignore[arg-type]
    return Outcome(status, winners, result.counts, voters, result.reasons)  # type: ignore[arg-type]


def _everyone_took_part(state: OrgState, decision: Decision) -> bool:
    eligible = set(state.members if decision.motion is None else full_members(state))
    if isinstance(decision.motion, RemoveMember | EndTrial):
        eligible.discard(LeafIndex(decision.motion.leaf))
    if decision.kind == "opt-in":
        tokens = {optin_token(decision.decision_id, leaf) for leaf in eligible}
        return tokens <= decision.optin_tokens
    return eligible <= set(decision.stances)


def _open_decision(state: OrgState, env: EventEnvelope, body: DecisionClosed) -> Decision:
    """The open decision a close names, closed by a member (or `InvalidEvent`)."""
    require_member(state, env.author)
    decision = state.decisions.get(EventId(body.decision_id))
    if decision is None:
        raise InvalidEvent("unknown-decision")
    if not decision.is_open:
        raise InvalidEvent("already-closed")
    return decision


def check_decision_closed(state: OrgState, env: EventEnvelope, body: DecisionClosed) -> None:
    decision = _open_decision(state, env, body)
    if env.at < decision.deadline and not _everyone_took_part(state, decision):
        raise InvalidEvent("not-due")
    if body.outcome != compute_outcome(decision):
        raise InvalidEvent("wrong-outcome")


def check_decision_closed_in_history(
    state: OrgState, env: EventEnvelope, body: DecisionClosed
) -> None:
    """`check_decision_closed` for a log handed over by a member (a newcomer's join
    history): the stances of a closed decision are deleted from every log when it closes,
    so neither the outcome nor an early close can be recomputed; the rest is checked."""
    _open_decision(state, env, body)


def fold_decision_closed(
    state: OrgState, env: EventEnvelope, body: DecisionClosed, policy: MembershipPolicy
) -> OrgState:
    key = EventId(body.decision_id)
    closed = replace(
        state.decisions[key],
        outcome=body.outcome,
        stances={},
        stance_events=frozenset(),
        optin_tokens=frozenset(),
        optin_count=0,
    )
    new = replace(state, decisions=state.decisions.set(key, closed))
    if isinstance(closed.motion, EndTrial) and body.outcome.status == "adopted":
        return end_trial(new, closed.motion, key)
    return new


def close_due(state: OrgState, now: int) -> tuple[DecisionClosed, ...]:
    """The closing events of every open decision whose deadline is at or before `now`,
    oldest deadline first. Send them with ``at=now``."""
    due = sorted(
        (d for d in state.decisions.values() if d.is_open and d.deadline <= now),
        key=lambda d: (d.deadline, d.decision_id),
    )
    return tuple(DecisionClosed(d.decision_id, compute_outcome(d)) for d in due)


@dataclass(frozen=True, slots=True)
class DecisionView:
    """What the faces may show of a decision: never a stance, never a name."""

    decision_id: EventId
    kind: DecisionKind
    question: str
    options: tuple[str, ...]
    deadline: int
    is_open: bool
    #: While open: how many took part, or None when results are hidden.
    voted: int | None
    outcome: Outcome | None


def view(state: OrgState, decision_id: bytes) -> DecisionView:
    decision = state.decisions.get(EventId(decision_id))
    if decision is None:
        raise InvalidEvent("unknown-decision")
    return DecisionView(
        decision.decision_id,
        decision.kind,
        decision.question,
        decision.options,
        decision.deadline,
        decision.is_open,
        decision.voted if decision.is_open else None,
        decision.outcome,
    )


def forgets_decision_closed(
    state: OrgState, env: EventEnvelope, body: DecisionClosed
) -> tuple[EventId, ...]:
    """The stored stances of a decision that closes (only the outcome is kept)."""
    return tuple(sorted(state.decisions[EventId(body.decision_id)].stance_events))
