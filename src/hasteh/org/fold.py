"""A cell's log: its table (`HANDLERS`), and `apply`, `receive`, `fold` for a cell.

Rule 1 (after h11): everything that decides whether an event is accepted in a cell, what
it does, and what the app must do about it once it is in the log, is reached from
`HANDLERS` below: one `Row` per event type (its check and fold, the stored events it
forgets, whether a newcomer is handed it, when it expires, whether it is a commit's
fact). The machinery that reads a table is `hasteh.org.log`, shared with every kind of
group; `CELL` is the cell's kind. A check raises `InvalidEvent` and returns nothing; a
fold returns a new `OrgState` and never raises. Both read only the state (that is, the
log before the event) and the envelope, never a clock or a device setting, so the same
log gives the same state on every member.

    apply(state, env)    validate, then fold; on error raise, leaving `state` as it was
    receive(state, env)  `apply`, plus the ids of events the app must delete from storage
    fold(state, env)     fold without the checks: for replaying your own stored log,
                         which was validated when it arrived
    replay(envs)         `fold` from the empty state, in log order
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from hasteh.org import actions, decisions, fund, log, membership, reports, roster, talk
from hasteh.org.events import (
    ActionLinked,
    ActionPlanned,
    ActionReviewed,
    AdmissionApproved,
    AdmissionObjected,
    Alarm,
    CarriedDown,
    CellCreated,
    Contributed,
    DecisionClosed,
    DecisionOpened,
    DemandAdded,
    Disbursed,
    Event,
    EventEnvelope,
    FundRulesSet,
    HardshipRequested,
    LeaveAnnounced,
    MemberAdded,
    MemberRemoved,
    MemberSeized,
    MessageDeleted,
    MessagePosted,
    NewcomerProposed,
    PledgeKept,
    ProposalWithdrawn,
    RequestApproved,
    SeizureReviewed,
    SettingsChanged,
    StanceCast,
    TaskAdded,
    TaskUpdated,
    ThreadOpened,
    Vouched,
)
from hasteh.org.log import Received, Row
from hasteh.org.policy import DEFAULT_POLICY, MembershipPolicy
from hasteh.org.state import OrgState, empty_state

__all__ = [
    "CELL",
    "HANDLERS",
    "Received",
    "Row",
    "apply",
    "apply_history",
    "fold",
    "receive",
    "replay",
]

#: Every event type of a cell and its row. A roadmap family adds its rows here.
HANDLERS: Final[dict[type[Event], Row]] = {
    CellCreated: Row(membership.check_cell_created, membership.fold_cell_created, first=True),
    SettingsChanged: Row(membership.check_settings_changed, membership.fold_settings_changed),
    NewcomerProposed: Row(membership.check_newcomer_proposed, membership.fold_newcomer_proposed),
    Vouched: Row(membership.check_answer, membership.fold_answer),
    AdmissionApproved: Row(membership.check_answer, membership.fold_answer),
    AdmissionObjected: Row(membership.check_answer, membership.fold_answer),
    ProposalWithdrawn: Row(membership.check_withdrawn, membership.fold_withdrawn),
    MemberAdded: Row(roster.check_commit, membership.fold_member_added, fact=True),
    MemberRemoved: Row(roster.check_commit, membership.fold_member_removed, fact=True),
    MemberSeized: Row(membership.check_member_seized, membership.fold_member_seized),
    SeizureReviewed: Row(membership.check_seizure_reviewed, membership.fold_seizure_reviewed),
    LeaveAnnounced: Row(membership.check_leave, membership.fold_leave),
    Alarm: Row(membership.check_alarm, membership.fold_alarm),
    ThreadOpened: Row(talk.check_thread_opened, talk.fold_thread_opened),
    MessagePosted: Row(
        talk.check_message_posted,
        talk.fold_message_posted,
        in_history=False,
        expires=talk.expires_message,
    ),
    MessageDeleted: Row(
        talk.check_message_deleted,
        talk.fold_message_deleted,
        forgets=talk.forgets_message_deleted,
        in_history=False,
    ),
    DecisionOpened: Row(decisions.check_decision_opened, decisions.fold_decision_opened),
    StanceCast: Row(decisions.check_stance_cast, decisions.fold_stance_cast),
    DecisionClosed: Row(
        decisions.check_decision_closed,
        decisions.fold_decision_closed,
        history_check=decisions.check_decision_closed_in_history,
        forgets=decisions.forgets_decision_closed,
    ),
    # The fund: never forgotten, never expiring, handed to newcomers (the chain needs all).
    Contributed: Row(fund.check_contributed, fund.fold_contributed),
    PledgeKept: Row(fund.check_pledge_kept, fund.fold_pledge_kept),
    HardshipRequested: Row(fund.check_hardship_requested, fund.fold_hardship_requested),
    RequestApproved: Row(fund.check_request_approved, fund.fold_request_approved),
    Disbursed: Row(fund.check_disbursed, fund.fold_disbursed),
    FundRulesSet: Row(fund.check_rules_set, fund.fold_rules_set),
    # the cell's work (action.*)
    ActionPlanned: Row(actions.check_action_planned, actions.fold_action_planned),
    DemandAdded: Row(actions.check_demand_added, actions.fold_demand_added),
    ActionLinked: Row(actions.check_action_linked, actions.fold_action_linked),
    TaskAdded: Row(actions.check_task_added, actions.fold_task_added),
    TaskUpdated: Row(actions.check_task_updated, actions.fold_task_updated),
    ActionReviewed: Row(actions.check_action_reviewed, actions.fold_action_reviewed),
    CarriedDown: Row(reports.check_report, reports.fold_report),
}

#: The cell as a kind of group's log.
CELL: Final = log.LogKind("cell", empty_state, HANDLERS, DEFAULT_POLICY, unknown="unknown-cell")


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
    return log.apply(CELL, state, envelope, policy=policy, decoded=decoded)


def apply_history(
    state: OrgState, envelope: EventEnvelope, *, policy: MembershipPolicy = DEFAULT_POLICY
) -> OrgState:
    """`apply` for one event of a log another member hands over (a newcomer's join
    history, which starts from the empty state). Every check runs, except those that
    need what every log deletes (rows with a `history_check`: the stances of closed
    decisions). Raises `InvalidEvent` and leaves `state` unchanged if the log must
    refuse it."""
    return log.apply(CELL, state, envelope, policy=policy, history=True)


def fold(
    state: OrgState, envelope: EventEnvelope, *, policy: MembershipPolicy = DEFAULT_POLICY
) -> OrgState:
    """Fold without checks (a replay of a log already validated on this device). The
    policy still runs, so alarms are raised the same way."""
    return log.fold(CELL, state, envelope, policy=policy)


def replay(
    envelopes: Iterable[EventEnvelope], *, policy: MembershipPolicy = DEFAULT_POLICY
) -> OrgState:
    return log.replay(CELL, envelopes, policy=policy)


def receive(
    state: OrgState,
    envelope: EventEnvelope,
    *,
    policy: MembershipPolicy = DEFAULT_POLICY,
    decoded: bool = False,
) -> Received[OrgState]:
    """`apply`, plus what the app must delete from the vault as a consequence (the
    stances of a decision that just closed; the author's own message that a
    `MessageDeleted` deletes — never anything else)."""
    return log.receive(CELL, state, envelope, policy=policy, decoded=decoded)
