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

from hasteh.org import (
    actions,
    bulletin,
    contacts,
    decisions,
    drop,
    fed,
    files,
    fund,
    log,
    membership,
    reports,
    roster,
    study,
    talk,
)
from hasteh.org.events import (
    ActionLinked,
    ActionPlanned,
    ActionReviewed,
    AdmissionApproved,
    AdmissionObjected,
    Alarm,
    CarriedDown,
    CellCreated,
    CellKeySet,
    ContactsShared,
    Contributed,
    DecisionClosed,
    DecisionOpened,
    DelegateRecalled,
    DelegatesElected,
    DemandAdded,
    Disbursed,
    DropImage,
    DropPublished,
    DropReplied,
    DropSubmitted,
    Event,
    EventEnvelope,
    FileRemoved,
    FileShared,
    FundRulesSet,
    HardshipRequested,
    LeaveAnnounced,
    LibraryAdded,
    LibraryNoted,
    LibraryRemoved,
    MandateGiven,
    MemberAdded,
    MemberRemoved,
    MemberSeized,
    MessageDeleted,
    MessagePosted,
    NewcomerProposed,
    PledgeKept,
    ProposalWithdrawn,
    ReportedBack,
    RequestApproved,
    SeizureReviewed,
    SettingsChanged,
    StanceCast,
    TaskAdded,
    TaskUpdated,
    ThreadOpened,
    Vouched,
)
from hasteh.org.events.bulletin import (
    ArticleCommented,
    ArticleDrafted,
    ArticleRevised,
    BulletinLinked,
    CopiesDistributed,
    EditorInbox,
    EditorsProposed,
    IssueAssembled,
    IssueChunk,
    IssuePublished,
    KeyIssued,
    KeyShared,
)
from hasteh.org.events.study import (
    CircleOpened,
    PlaceGiven,
    ReadingAdded,
    ReadingRemoved,
    ReadingsOrdered,
    SessionPlanned,
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
        sets_time=True,
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
    # Their folds move the log time themselves (`sets_time`): one copy of the state each.
    Contributed: Row(fund.check_contributed, fund.fold_contributed, sets_time=True),
    PledgeKept: Row(fund.check_pledge_kept, fund.fold_pledge_kept, sets_time=True),
    HardshipRequested: Row(
        fund.check_hardship_requested, fund.fold_hardship_requested, sets_time=True
    ),
    RequestApproved: Row(fund.check_request_approved, fund.fold_request_approved, sets_time=True),
    Disbursed: Row(fund.check_disbursed, fund.fold_disbursed, sets_time=True),
    FundRulesSet: Row(fund.check_rules_set, fund.fold_rules_set, sets_time=True),
    # the cell's work (action.*)
    ActionPlanned: Row(actions.check_action_planned, actions.fold_action_planned),
    DemandAdded: Row(actions.check_demand_added, actions.fold_demand_added),
    ActionLinked: Row(actions.check_action_linked, actions.fold_action_linked),
    TaskAdded: Row(actions.check_task_added, actions.fold_task_added),
    TaskUpdated: Row(actions.check_task_updated, actions.fold_task_updated),
    ActionReviewed: Row(actions.check_action_reviewed, actions.fold_action_reviewed),
    # study circles (study.*): a session's place is deleted everywhere when it ends
    CircleOpened: Row(study.check_circle_opened, study.fold_circle_opened),
    ReadingAdded: Row(study.check_reading_added, study.fold_reading_added),
    ReadingsOrdered: Row(study.check_readings_ordered, study.fold_readings_ordered),
    ReadingRemoved: Row(study.check_reading_removed, study.fold_reading_removed),
    SessionPlanned: Row(study.check_session_planned, study.fold_session_planned),
    PlaceGiven: Row(
        study.check_place_given,
        study.fold_place_given,
        forgets=study.forgets_place_given,
        expires=study.expires_place,
    ),
    # files and the library (file.*, library.*)
    FileShared: Row(files.check_file_shared, files.fold_file_shared),
    FileRemoved: Row(
        files.check_file_removed, files.fold_file_removed, forgets=files.forgets_file_removed
    ),
    LibraryAdded: Row(files.check_library_added, files.fold_library_added),
    LibraryNoted: Row(files.check_library_noted, files.fold_library_noted),
    LibraryRemoved: Row(files.check_library_removed, files.fold_library_removed),
    # the newsroom (bulletin.*): a published file's chunks are not handed to newcomers
    ArticleDrafted: Row(bulletin.check_article_drafted, bulletin.fold_article_drafted),
    ArticleRevised: Row(bulletin.check_article_revised, bulletin.fold_article_revised),
    ArticleCommented: Row(bulletin.check_article_commented, bulletin.fold_article_commented),
    IssueAssembled: Row(bulletin.check_issue_assembled, bulletin.fold_issue_assembled),
    EditorsProposed: Row(bulletin.check_editors_proposed, bulletin.fold_editors_proposed),
    BulletinLinked: Row(bulletin.check_bulletin_linked, bulletin.fold_bulletin_linked),
    EditorInbox: Row(bulletin.check_editor_inbox, bulletin.fold_editor_inbox),
    KeyIssued: Row(bulletin.check_key_issued, bulletin.fold_key_issued),
    KeyShared: Row(bulletin.check_key_shared, bulletin.fold_key_shared),
    IssuePublished: Row(bulletin.check_issue_published, bulletin.fold_issue_published),
    IssueChunk: Row(bulletin.check_issue_chunk, bulletin.fold_issue_chunk, in_history=False),
    CopiesDistributed: Row(bulletin.check_copies_distributed, bulletin.fold_copies_distributed),
    # the drop box (drop.*): forgotten on every member when the submission expires
    DropSubmitted: Row(drop.check_submitted, drop.fold_submitted, expires=drop.expires_submitted),
    DropImage: Row(drop.check_image, drop.fold_image, expires=drop.expires_part),
    DropReplied: Row(drop.check_replied, drop.fold_replied, expires=drop.expires_part),
    DropPublished: Row(drop.check_published, drop.fold_published, expires=drop.expires_part),
    # federation, the cell's side (fed.*): kept and handed to newcomers like decisions
    DelegatesElected: Row(fed.check_elected, fed.fold_elected),
    CellKeySet: Row(fed.check_key_set, fed.fold_key_set),
    MandateGiven: Row(fed.check_mandate, fed.fold_mandate),
    DelegateRecalled: Row(fed.check_recalled, fed.fold_recalled),
    ReportedBack: Row(fed.check_reported, fed.fold_reported),
    # contacts with leading workers: only a count and chosen code names (contact.*)
    ContactsShared: Row(contacts.check_contacts_shared, contacts.fold_contacts_shared),
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
