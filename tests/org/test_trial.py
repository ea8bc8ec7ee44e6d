"""Newcomers on trial: every attack of a newcomer on trial is refused by every member's
log, with the state exactly as it was; the trial ends only by the cell's decision."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.org import (
    MAX_TRIAL,
    AdmissionApproved,
    AdmissionObjected,
    CellSettings,
    ChangeSettings,
    Consent,
    DecisionClosed,
    DecisionOpened,
    EndTrial,
    Event,
    EventId,
    InvalidEvent,
    MemberAdded,
    MemberRemoved,
    MemberSeized,
    MessagePosted,
    NewcomerProposed,
    Objection,
    OptIn,
    Outcome,
    RemoveMember,
    SeizureReviewed,
    SettingsChanged,
    StanceCast,
    ThreadOpened,
    Vouched,
    admission_status,
    approvals_needed,
    authorize,
    compute_outcome,
    replay,
)
from hasteh.org.trial import full_members, on_trial

from .helpers import DAY, Log, card, cell

TRIAL = 28 * DAY
#: Leaves of the cell below: Bahar (0), Kaveh (1), Shirin (2) are full members, Dariush (3)
#: joined on trial.
NEWCOMER = 3


def trial_cell() -> Log:
    """Three full members, then the trial setting, then a newcomer on trial at leaf 3."""
    log = cell(3)
    did = log.do(
        0,
        DecisionOpened(
            "consent", "Newcomers on trial?", log.now + DAY, motion=ChangeSettings(with_trial())
        ),
    ).event_id
    for voter in (0, 1, 2):
        log.do(voter, StanceCast(did, Consent()))
    log.do(1, DecisionClosed(did, Outcome("adopted", (), (3, 0), 3)))
    log.do(2, SettingsChanged(did))
    log.admit("Dariush", NEWCOMER)
    return log


def with_trial(trial: int = TRIAL) -> CellSettings:
    return CellSettings(size_cap=7, trial=trial)


def refused(log: Log, author: int, body: Event, code: str) -> None:
    """`body` from `author` is refused with `code`, the state exactly as it was."""
    before = log.state
    with pytest.raises(InvalidEvent) as err:
        log.do(author, body)
    assert err.value.code == code
    assert log.state is before


def propose(log: Log, name: str, by: int = 0) -> EventId:
    return log.do(by, NewcomerProposed(card(name), name, log.now + 7 * DAY)).event_id


def test_a_newcomer_joins_on_trial_until_the_date_the_setting_gives() -> None:
    log = trial_cell()
    member = log.state.members[NEWCOMER]  # type: ignore[index]
    assert member.on_trial
    assert member.trial_until == log.now + TRIAL
    assert full_members(log.state) == {0, 1, 2}
    # The trial is a fact of the log: a replay gives it on every member.
    assert replay(log.envelopes) == log.state


def test_members_before_the_setting_are_not_on_trial() -> None:
    log = trial_cell()
    assert not any(on_trial(log.state, leaf) for leaf in (0, 1, 2))


def test_without_the_setting_nobody_is_on_trial() -> None:
    log = cell(4)
    assert full_members(log.state) == {0, 1, 2, 3}


def test_a_trial_past_its_date_is_still_a_trial() -> None:
    log = trial_cell()
    log.now += TRIAL + DAY
    pid = propose(log, "Nasrin")
    refused(log, NEWCOMER, AdmissionApproved(pid), "on-trial")


# --- the attacks of a newcomer on trial ---------------------------------------------------


def test_newcomer_on_trial_cannot_propose_vouch_approve_or_object() -> None:
    log = trial_cell()
    refused(log, NEWCOMER, NewcomerProposed(card("Agent"), "Agent", log.now + DAY), "on-trial")
    pid = propose(log, "Nasrin")
    refused(log, NEWCOMER, Vouched(pid), "on-trial")
    refused(log, NEWCOMER, AdmissionApproved(pid), "on-trial")
    refused(log, NEWCOMER, AdmissionObjected(pid, "I do not trust her"), "on-trial")


def test_newcomer_on_trial_is_not_counted_for_unanimity() -> None:
    """ "All members" are the three full members: their approvals admit a newcomer, and
    an approval the newcomer on trial slipped in (a modified client) counts for nothing."""
    log = trial_cell()
    assert approvals_needed(log.state) == 3
    pid = propose(log, "Nasrin")
    log.do(1, Vouched(pid))
    assert admission_status(log.state.proposals[pid], log.state) == "waiting"
    log.do(2, AdmissionApproved(pid))
    assert admission_status(log.state.proposals[pid], log.state) == "approved"
    authorize(MemberAdded(4, "Nasrin", card("Nasrin"), 0, log.epoch + 1), log.state)


def test_an_add_approved_only_with_the_newcomers_help_raises_an_alarm() -> None:
    log = trial_cell()
    pid = propose(log, "Agent", by=0)
    log.do(1, Vouched(pid))
    # Kaveh and Bahar are 2 of the 3 full members; the newcomer's approval is refused.
    refused(log, NEWCOMER, AdmissionApproved(pid), "on-trial")
    log.do(0, MemberAdded(4, "Agent", card("Agent"), 0, log.next_epoch()))
    assert [a.code for a in log.state.alarms] == ["not-approved"]


def test_newcomer_on_trial_cannot_open_or_vote_on_a_removal() -> None:
    log = trial_cell()
    motion = RemoveMember(1, "Kaveh")
    refused(
        log,
        NEWCOMER,
        DecisionOpened("consent", "Remove Kaveh?", log.now + DAY, motion=motion),
        "on-trial",
    )
    did = log.do(
        0, DecisionOpened("consent", "Remove Kaveh?", log.now + DAY, motion=motion)
    ).event_id
    refused(log, NEWCOMER, StanceCast(did, Consent()), "on-trial")
    # Bahar and Shirin are every full member but Kaveh: they may close early without the
    # newcomer, and a majority of the full others (2 of 2) is the quorum.
    assert log.state.decisions[did].quorum == 2
    log.do(0, StanceCast(did, Consent()))
    log.do(2, StanceCast(did, Consent()))
    outcome = compute_outcome(log.state.decisions[did])
    log.do(2, DecisionClosed(did, outcome))
    assert outcome.status == "adopted"


def test_newcomer_on_trial_cannot_vote_on_the_cells_rules() -> None:
    log = trial_cell()
    motion = ChangeSettings(CellSettings(size_cap=7, admission="all-but-one", trial=TRIAL))
    refused(
        log,
        NEWCOMER,
        DecisionOpened("consent", "Easier?", log.now + DAY, motion=motion),
        "on-trial",
    )
    did = log.do(0, DecisionOpened("consent", "Easier?", log.now + DAY, motion=motion)).event_id
    refused(log, NEWCOMER, StanceCast(did, Consent()), "on-trial")


def test_newcomer_on_trial_talks_and_takes_part_in_ordinary_decisions() -> None:
    log = trial_cell()
    thread = log.do(NEWCOMER, ThreadOpened("Hello")).event_id
    log.do(NEWCOMER, MessagePosted(thread, "I am glad to be here", log.now + DAY))
    did = log.do(NEWCOMER, DecisionOpened("opt-in", "Who comes on Friday?", log.now + DAY))
    log.do(NEWCOMER, StanceCast(did.event_id, OptIn()))
    assert log.state.decisions[EventId(did.event_id)].optin_count == 1


def test_newcomer_on_trial_cannot_report_another_member_seized() -> None:
    log = trial_cell()
    refused(log, NEWCOMER, MemberSeized(0, "I saw it"), "on-trial")
    # Their own device: the rule for everyone (it is reported from another device).
    refused(log, NEWCOMER, MemberSeized(NEWCOMER), "self-seizure")
    # A full member reports the newcomer's device seized: the newcomer may not review it.
    sid = log.do(1, MemberSeized(0)).event_id
    refused(log, NEWCOMER, SeizureReviewed(sid, False, "not true"), "on-trial")


def test_a_full_member_may_report_the_newcomer_seized() -> None:
    log = trial_cell()
    sid = log.do(0, MemberSeized(NEWCOMER)).event_id
    assert log.state.seizures[sid].leaf == NEWCOMER  # type: ignore[index]


# --- ending a trial ------------------------------------------------------------------------


def end_trial_decision(log: Log, opener: int = 0) -> EventId:
    return log.do(
        opener,
        DecisionOpened(
            "consent",
            "End Dariush's trial?",
            log.now + 2 * DAY,
            motion=EndTrial(NEWCOMER, "Dariush"),
        ),
    ).event_id


def test_the_cell_ends_the_trial_by_decision() -> None:
    log = trial_cell()
    did = end_trial_decision(log)
    # Ending a trial needs as many stances as an admission: every full member.
    assert log.state.decisions[did].quorum == 3
    for voter in (0, 1, 2):
        log.do(voter, StanceCast(did, Consent()))
    log.do(1, DecisionClosed(did, Outcome("adopted", (), (3, 0), 3)))
    assert not log.state.members[NEWCOMER].on_trial  # type: ignore[index]
    assert log.state.decisions[did].done
    assert full_members(log.state) == {0, 1, 2, 3}
    assert approvals_needed(log.state) == 4
    # Now a full member: may approve newcomers.
    pid = propose(log, "Nasrin")
    log.do(NEWCOMER, AdmissionApproved(pid))
    assert replay(log.envelopes) == log.state


def test_newcomer_cannot_end_their_own_trial() -> None:
    log = trial_cell()
    refused(
        log,
        NEWCOMER,
        DecisionOpened(
            "consent", "End my trial?", log.now + 2 * DAY, motion=EndTrial(NEWCOMER, "Dariush")
        ),
        "on-trial",
    )
    did = end_trial_decision(log)
    refused(log, NEWCOMER, StanceCast(did, Consent()), "self-approval")


def test_a_trial_is_not_ended_by_too_few_stances() -> None:
    """One member alone (a consent with no objection) cannot end a trial: the quorum is
    every full member, as for an admission."""
    log = trial_cell()
    did = end_trial_decision(log)
    log.do(0, StanceCast(did, Consent()))
    log.now += 3 * DAY
    outcome = compute_outcome(log.state.decisions[did])
    assert outcome.status == "no-quorum"
    log.do(0, DecisionClosed(did, outcome))
    assert log.state.members[NEWCOMER].on_trial  # type: ignore[index]


def test_a_rejected_end_of_trial_keeps_the_trial() -> None:
    log = trial_cell()
    did = end_trial_decision(log)
    log.do(0, StanceCast(did, Consent()))
    log.do(1, StanceCast(did, Consent()))
    log.do(2, StanceCast(did, Objection("Too early")))
    log.do(1, DecisionClosed(did, compute_outcome(log.state.decisions[did])))
    assert log.state.members[NEWCOMER].on_trial  # type: ignore[index]


def test_end_trial_must_name_a_member_on_trial() -> None:
    log = trial_cell()
    for motion in (EndTrial(1, "Kaveh"), EndTrial(NEWCOMER, "Someone"), EndTrial(9, "Ghost")):
        refused(
            log,
            0,
            DecisionOpened("consent", "End?", log.now + 2 * DAY, motion=motion),
            "not-on-trial",
        )


def test_an_end_of_trial_does_not_apply_to_a_reused_leaf() -> None:
    """Dariush is removed while the decision is open; Nasrin joins at leaf 3 on trial:
    the adopted decision about Dariush does not end Nasrin's trial."""
    log = trial_cell()
    did = end_trial_decision(log)
    log.do(0, MemberSeized(NEWCOMER))
    log.do(0, MemberRemoved(NEWCOMER, 0, log.next_epoch()))
    log.admit("Nasrin", NEWCOMER)
    for voter in (0, 1, 2):
        log.do(voter, StanceCast(did, Consent()))
    log.do(1, DecisionClosed(did, Outcome("adopted", (), (3, 0), 3)))
    assert log.state.members[NEWCOMER].on_trial  # type: ignore[index]


def test_trial_setting_bounds() -> None:
    log = cell(2)
    for bad in (MAX_TRIAL + 1,):
        refused(
            log,
            0,
            DecisionOpened(
                "consent", "Trial?", log.now + DAY, motion=ChangeSettings(with_trial(bad))
            ),
            "bad-setting",
        )


ATTACKS: dict[str, Callable[[Log], Event]] = {
    "propose": lambda log: NewcomerProposed(card("Agent"), "Agent", log.now + DAY),
    "seize": lambda log: MemberSeized(0),
    "remove": lambda log: DecisionOpened(
        "consent", "Remove?", log.now + DAY, motion=RemoveMember(0, "Bahar")
    ),
    "end-own-trial": lambda log: DecisionOpened(
        "consent", "End?", log.now + DAY, motion=EndTrial(NEWCOMER, "Dariush")
    ),
}


@settings(max_examples=30, deadline=None)
@given(attack=st.sampled_from(sorted(ATTACKS)), days=st.integers(0, 400))
def test_no_attack_of_a_newcomer_on_trial_succeeds_at_any_time(attack: str, days: int) -> None:
    log = trial_cell()
    log.now += days * DAY
    refused(log, NEWCOMER, ATTACKS[attack](log), "on-trial")
