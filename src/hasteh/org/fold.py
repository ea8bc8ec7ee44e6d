"""Folding a cell's log into its state: `apply` (check, then fold), `fold`, `receive`.

Rule 1 (after h11): everything that decides whether an event is accepted and what it does
is reached from `HANDLERS` below: one row per event type, a check and a fold. A check
raises `InvalidEvent` and returns nothing; a fold returns a new `OrgState` and never raises.
Both read only the state (that is, the log before the event) and the envelope, never a
clock or a device setting, so the same log gives the same state on every member.

    apply(state, env)    validate, then fold; on error raise, leaving `state` as it was
    receive(state, env)  `apply`, plus the ids of events the app must delete from storage
    fold(state, env)     fold without the checks: for replaying your own stored log,
                         which was validated when it arrived
    replay(envs)         `fold` from the empty state, in log order
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import msgspec

from hasteh.org import decisions, membership, talk
from hasteh.org.errors import InvalidEvent, OrgDecodeError
from hasteh.org.events import (
    VERSION,
    AdmissionApproved,
    AdmissionObjected,
    Alarm,
    CellCreated,
    DecisionClosed,
    DecisionOpened,
    Event,
    EventEnvelope,
    EventId,
    LeaveAnnounced,
    MemberAdded,
    MemberRemoved,
    MemberSeized,
    MessageDeleted,
    MessagePosted,
    NewcomerProposed,
    ProposalWithdrawn,
    SeizureReviewed,
    SettingsChanged,
    StanceCast,
    ThreadOpened,
    Vouched,
    decode,
    encode,
)
from hasteh.org.policy import DEFAULT_POLICY, MembershipPolicy
from hasteh.org.state import OrgState, empty_state

__all__ = [
    "HANDLERS",
    "HISTORY_CHECKS",
    "Received",
    "apply",
    "apply_history",
    "fold",
    "receive",
    "replay",
]

Check = Callable[[OrgState, EventEnvelope, Any], None]
Fold = Callable[[OrgState, EventEnvelope, Any, MembershipPolicy], OrgState]

#: Every event type's check and fold. A roadmap family adds its rows here.
HANDLERS: dict[type[Event], tuple[Check, Fold]] = {
    CellCreated: (membership.check_cell_created, membership.fold_cell_created),
    SettingsChanged: (membership.check_settings_changed, membership.fold_settings_changed),
    NewcomerProposed: (membership.check_newcomer_proposed, membership.fold_newcomer_proposed),
    Vouched: (membership.check_answer, membership.fold_answer),
    AdmissionApproved: (membership.check_answer, membership.fold_answer),
    AdmissionObjected: (membership.check_answer, membership.fold_answer),
    ProposalWithdrawn: (membership.check_withdrawn, membership.fold_withdrawn),
    MemberAdded: (membership.check_commit, membership.fold_member_added),
    MemberRemoved: (membership.check_commit, membership.fold_member_removed),
    MemberSeized: (membership.check_member_seized, membership.fold_member_seized),
    SeizureReviewed: (membership.check_seizure_reviewed, membership.fold_seizure_reviewed),
    LeaveAnnounced: (membership.check_leave, membership.fold_leave),
    Alarm: (membership.check_alarm, membership.fold_alarm),
    ThreadOpened: (talk.check_thread_opened, talk.fold_thread_opened),
    MessagePosted: (talk.check_message_posted, talk.fold_message_posted),
    MessageDeleted: (talk.check_message_deleted, talk.fold_message_deleted),
    DecisionOpened: (decisions.check_decision_opened, decisions.fold_decision_opened),
    StanceCast: (decisions.check_stance_cast, decisions.fold_stance_cast),
    DecisionClosed: (decisions.check_decision_closed, decisions.fold_decision_closed),
}


def _check_fields(envelope: EventEnvelope) -> None:
    """Events built in memory skip msgspec's bounds; run them through the codec once."""
    try:
        decode(encode(envelope))
    except OrgDecodeError as exc:
        raise InvalidEvent(exc.code, **exc.params) from None
    except (TypeError, ValueError, msgspec.EncodeError) as exc:  # a wrong Python type
        raise InvalidEvent("malformed-event", detail=str(exc)) from None


#: Where a handed-over log (`apply_history`) is checked differently from a live event.
HISTORY_CHECKS: dict[type[Event], Check] = {
    DecisionClosed: decisions.check_decision_closed_in_history,
}


def _check(
    state: OrgState, envelope: EventEnvelope, *, decoded: bool = False, history: bool = False
) -> Fold:
    if envelope.v != VERSION:
        raise InvalidEvent("unsupported-version", version=envelope.v, supported=VERSION)
    if not decoded:
        _check_fields(envelope)
    body = envelope.body
    if not state.created and not isinstance(body, CellCreated):
        raise InvalidEvent("unknown-cell")
    check, fold_ = HANDLERS[type(body)]
    if history:
        check = HISTORY_CHECKS.get(type(body), check)
    check(state, envelope, body)
    return fold_


def apply(
    state: OrgState,
    envelope: EventEnvelope,
    *,
    policy: MembershipPolicy = DEFAULT_POLICY,
    decoded: bool = False,
) -> OrgState:
    """Validate `envelope` against `state` and fold it. Raises `InvalidEvent` (with a
    stable `code`) and leaves `state` unchanged if the log must refuse it. `decoded`:
    the envelope came from `decode` (its fields were bounded there; only `author` and
    `at` may have been replaced, with values in range), so the codec round trip that
    bounds events built in memory is skipped."""
    fold_ = _check(state, envelope, decoded=decoded)
    return fold_(_advance(state, envelope), envelope, envelope.body, policy)


def _advance(state: OrgState, envelope: EventEnvelope) -> OrgState:
    """The log time moves forward with each event and never back; a fold already sees
    the time of the event it folds (the policy judges a commit at its log time)."""
    return state if envelope.at <= state.time else replace(state, time=envelope.at)


def apply_history(
    state: OrgState, envelope: EventEnvelope, *, policy: MembershipPolicy = DEFAULT_POLICY
) -> OrgState:
    """`apply` for one event of a log another member hands over (a newcomer's join
    history, which starts from the empty state). Every check runs, except those that
    need what every log deletes (`HISTORY_CHECKS`: the stances of closed decisions).
    Raises `InvalidEvent` and leaves `state` unchanged if the log must refuse it."""
    fold_ = _check(state, envelope, history=True)
    return fold_(_advance(state, envelope), envelope, envelope.body, policy)


def fold(
    state: OrgState, envelope: EventEnvelope, *, policy: MembershipPolicy = DEFAULT_POLICY
) -> OrgState:
    """Fold without checks (a replay of a log already validated on this device). The
    policy still runs, so alarms are raised the same way."""
    body = envelope.body
    _, fold_ = HANDLERS[type(body)]
    return fold_(_advance(state, envelope), envelope, body, policy)


def replay(
    envelopes: Iterable[EventEnvelope], *, policy: MembershipPolicy = DEFAULT_POLICY
) -> OrgState:
    state = empty_state()
    for envelope in envelopes:
        state = fold(state, envelope, policy=policy)
    return state


@dataclass(frozen=True, slots=True)
class Received:
    """The new state, and the ids of stored events that must now be deleted (the stances
    of a decision that just closed; the author's own message that a `MessageDeleted`
    deletes — never anything else)."""

    state: OrgState
    forget: tuple[EventId, ...] = ()


def receive(
    state: OrgState,
    envelope: EventEnvelope,
    *,
    policy: MembershipPolicy = DEFAULT_POLICY,
    decoded: bool = False,
) -> Received:
    """`apply`, plus what the app must delete from the vault as a consequence."""
    new = apply(state, envelope, policy=policy, decoded=decoded)
    body = envelope.body
    if isinstance(body, DecisionClosed):
        old = state.decisions[EventId(body.decision_id)]
        return Received(new, tuple(sorted(old.stance_events)))
    if isinstance(body, MessageDeleted):
        held = state.messages.get(EventId(body.message_id))
        if held is not None and held.author == envelope.author:
            return Received(new, (held.message_id,))
    return Received(new)
