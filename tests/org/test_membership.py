"""The cell, admission in person, removal, seizure, alarms, policy."""

from __future__ import annotations

import pytest

from hasteh.org import (
    AdmissionApproved,
    AdmissionObjected,
    Alarm,
    CellSettings,
    ChangeSettings,
    Consent,
    DecisionClosed,
    DecisionOpened,
    EventId,
    LeaveAnnounced,
    MemberAdded,
    MemberRemoved,
    MemberSeized,
    NewcomerProposed,
    Outcome,
    PolicyViolation,
    ProposalStance,
    RemoveMember,
    SeizureReviewed,
    SettingsChanged,
    StanceCast,
    Vouched,
    admission_status,
    approvals_needed,
    authorize,
    compute_outcome,
    replay,
)

from .helpers import DAY, Log, card, cell


def test_cell_created_makes_the_founder_a_member() -> None:
    log = cell(1)
    assert log.state.created
    assert log.state.name == "cell"
    assert [(m.leaf, m.cover_name) for m in log.state.members.values()] == [(0, "Bahar")]
    assert log.state.settings == CellSettings(5, "all", 14 * DAY)


def test_founder_alone_admits_the_first_newcomer() -> None:
    log = cell(1)
    proposal = log.do(0, NewcomerProposed(card("Kaveh"), "Kaveh", log.now + DAY)).event_id
    admission = log.state.proposals[proposal]
    assert admission_status(admission, log.state) == "approved"
    log.do(0, MemberAdded(1, "Kaveh", card("Kaveh"), 0, log.next_epoch()))
    assert set(log.state.members) == {0, 1}
    assert log.state.proposals == {}
    assert log.state.alarms == ()


def propose(log: Log, name: str, by: int = 0) -> EventId:
    return log.do(by, NewcomerProposed(card(name), name, log.now + 7 * DAY)).event_id


def test_admission_needs_a_voucher_and_every_member() -> None:
    log = cell(3)
    pid = propose(log, "Dariush")
    add = MemberAdded(3, "Dariush", card("Dariush"), 0, log.epoch + 1)
    with pytest.raises(PolicyViolation) as err:
        authorize(add, log.state)
    assert err.value.code == "no-voucher"
    log.do(1, Vouched(pid))
    with pytest.raises(PolicyViolation) as err:
        authorize(add, log.state)
    assert err.value.code == "not-approved"
    assert err.value.params == {"have": 2, "needed": 3}
    log.do(2, AdmissionApproved(pid))
    verdict = authorize(add, log.state)
    assert (verdict.authority, verdict.authorized_by) == ("proposal", pid)
    log.do(0, MemberAdded(3, "Dariush", card("Dariush"), 0, log.next_epoch()))
    assert log.state.members[3].authorized  # type: ignore[index]
    assert log.state.alarms == ()


def test_all_but_one_rule_tolerates_one_objection() -> None:
    log = cell(4, CellSettings(admission="all-but-one"))
    assert approvals_needed(log.state) == 3
    pid = propose(log, "Nasrin")
    log.do(1, Vouched(pid))
    log.do(3, AdmissionObjected(pid, "I do not know her"))
    admission = log.state.proposals[pid]
    assert admission_status(admission, log.state) == "waiting"
    assert admission.objection_reasons == ("I do not know her",)
    log.do(2, AdmissionApproved(pid))
    assert admission_status(log.state.proposals[pid], log.state) == "approved"


def test_one_objection_refuses_under_all_rule() -> None:
    log = cell(3)
    pid = propose(log, "Dariush")
    log.do(1, AdmissionObjected(pid, "informer risk"))
    assert admission_status(log.state.proposals[pid], log.state) == "refused"


def test_unapproved_add_raises_an_alarm_naming_the_committer() -> None:
    log = cell(3)
    propose(log, "Dariush", by=2)
    log.do(2, MemberAdded(3, "Dariush", card("Dariush"), 2, log.next_epoch()))
    assert 3 in log.state.members
    assert not log.state.members[3].authorized  # type: ignore[index]
    (alarm,) = log.state.alarms
    assert alarm.code == "no-voucher"
    assert (alarm.by_leaf, alarm.by_cover_name) == (2, "Shirin")
    assert (alarm.subject_leaf, alarm.subject_cover_name) == (3, "Dariush")


def test_add_without_any_proposal_raises_an_alarm() -> None:
    log = cell(2)
    log.do(1, MemberAdded(2, "Stranger", b"\x09" * 32, 1, log.next_epoch()))
    assert [a.code for a in log.state.alarms] == ["no-proposal"]
    assert log.state.alarms[0].by_cover_name == "Kaveh"


def test_add_with_another_cover_name_raises_an_alarm() -> None:
    log = cell(2)
    pid = propose(log, "Shirin")
    log.do(1, Vouched(pid))
    log.do(0, MemberAdded(2, "Someone", card("Shirin"), 0, log.next_epoch()))
    assert [a.code for a in log.state.alarms] == ["cover-name-mismatch"]


def test_add_by_a_non_member_raises_an_alarm() -> None:
    log = cell(2)
    log.do(6, MemberAdded(2, "X", b"\x01" * 32, 6, log.next_epoch()))
    assert [a.code for a in log.state.alarms] == ["committer-not-member"]


def test_add_over_the_cap_raises_an_alarm() -> None:
    log = cell(2, CellSettings(size_cap=3, admission="all-but-one"))
    first, second = propose(log, "Shirin"), propose(log, "Dariush")
    log.do(1, Vouched(first))
    log.do(1, Vouched(second))
    log.do(0, MemberAdded(2, "Shirin", card("Shirin"), 0, log.next_epoch()))
    add = MemberAdded(3, "Dariush", card("Dariush"), 0, log.epoch + 1)
    with pytest.raises(PolicyViolation) as err:
        authorize(add, log.state)
    assert err.value.code == "cap-reached"
    assert "full (3 members)" in err.value.message
    log.do(0, add)
    assert [a.code for a in log.state.alarms] == ["cap-reached"]
    assert len(log.state.members) == 4


def test_removal_without_decision_raises_an_alarm() -> None:
    log = cell(3)
    log.do(1, MemberRemoved(2, 1, log.next_epoch()))
    assert 2 not in log.state.members
    (alarm,) = log.state.alarms
    assert (alarm.code, alarm.by_cover_name, alarm.subject_cover_name) == (
        "no-decision",
        "Kaveh",
        "Shirin",
    )


def remove_by_decision(log: Log, leaf: int, name: str) -> EventId:
    did = log.do(
        0,
        DecisionOpened(
            "proposal", f"Remove {name}?", log.now + DAY, motion=RemoveMember(leaf, name)
        ),
    ).event_id
    for voter in sorted(log.state.members):
        if voter != leaf:
            log.do(voter, StanceCast(did, ProposalStance("agree")))
    log.do(0, DecisionClosed(did, compute_outcome(log.state.decisions[did])))
    return did


def test_removal_by_decision() -> None:
    log = cell(4)
    did = remove_by_decision(log, 3, "Dariush")
    assert log.state.decisions[did].outcome.status == "adopted"
    verdict = authorize(MemberRemoved(3, 0, log.epoch + 1), log.state)
    assert (verdict.authority, verdict.authorized_by) == ("decision", did)
    log.do(0, MemberRemoved(3, 0, log.next_epoch()))
    assert 3 not in log.state.members
    assert log.state.alarms == ()
    assert log.state.decisions[did].done
    # The decision authorizes one removal, not a second one of a reused leaf.
    log.admit("Nasrin", 3)
    log.do(0, MemberRemoved(3, 0, log.next_epoch()))
    assert [a.code for a in log.state.alarms] == ["no-decision"]


def test_target_of_a_removal_cannot_vote_on_it() -> None:
    log = cell(3)
    did = log.do(
        0,
        DecisionOpened(
            "consent", "Remove Shirin?", log.now + DAY, motion=RemoveMember(2, "Shirin")
        ),
    ).event_id
    from hasteh.org import InvalidEvent

    with pytest.raises(InvalidEvent) as err:
        log.do(2, StanceCast(did, Consent()))
    assert err.value.code == "self-approval"


def test_seizure_removes_at_once_and_is_reviewed() -> None:
    log = cell(4)
    sid = log.do(1, MemberSeized(3, "arrested at the factory gate")).event_id
    seizure = log.state.seizures[sid]
    assert (seizure.cover_name, seizure.by_cover_name, seizure.removed) == (
        "Dariush",
        "Kaveh",
        False,
    )
    verdict = authorize(MemberRemoved(3, 1, log.epoch + 1), log.state)
    assert verdict.authority == "seizure"
    log.do(1, MemberRemoved(3, 1, log.next_epoch()))
    assert 3 not in log.state.members
    assert log.state.seizures[sid].removed
    assert log.state.alarms == ()
    log.do(2, SeizureReviewed(sid, upheld=True))
    assert log.state.seizures[sid].upheld is True
    assert log.state.alarms == ()


def test_disputed_seizure_raises_an_alarm_naming_who_ran_it() -> None:
    log = cell(4)
    sid = log.do(1, MemberSeized(3)).event_id
    log.do(1, MemberRemoved(3, 1, log.next_epoch()))
    log.do(0, SeizureReviewed(sid, upheld=False, note="Dariush is fine, we met today"))
    (alarm,) = log.state.alarms
    assert (alarm.code, alarm.by_cover_name, alarm.subject_cover_name) == (
        "seizure-disputed",
        "Kaveh",
        "Dariush",
    )
    assert alarm.note == "Dariush is fine, we met today"


def test_leave_authorizes_own_removal() -> None:
    log = cell(3)
    log.do(2, LeaveAnnounced())
    assert authorize(MemberRemoved(2, 0, log.epoch + 1), log.state).authority == "leave"
    log.do(0, MemberRemoved(2, 0, log.next_epoch()))
    assert log.state.alarms == ()
    assert log.state.leaving == frozenset()


def test_manual_alarm_for_safety_words() -> None:
    log = cell(3)
    log.do(1, Alarm("safety-words-mismatch", leaf=2, note="words differ"))
    (alarm,) = log.state.alarms
    assert (alarm.code, alarm.by_cover_name, alarm.subject_cover_name) == (
        "manual",
        "Kaveh",
        "Shirin",
    )
    assert alarm.note == "safety-words-mismatch: words differ"


def test_settings_change_by_adopted_decision() -> None:
    log = cell(3)
    new = CellSettings(size_cap=7, admission="all-but-one", message_expiry=3 * DAY)
    did = log.do(
        0, DecisionOpened("consent", "Grow to 7?", log.now + DAY, motion=ChangeSettings(new))
    ).event_id
    for voter in (0, 1, 2):
        log.do(voter, StanceCast(did, Consent()))
    log.do(1, DecisionClosed(did, Outcome("adopted", (), (3, 0), 3)))
    log.do(2, SettingsChanged(did))
    assert log.state.settings == new
    assert log.state.decisions[did].done


def test_replay_gives_the_same_state_and_alarms() -> None:
    log = cell(4)
    log.do(1, MemberRemoved(2, 1, log.next_epoch()))
    assert replay(log.envelopes) == log.state


def test_one_commit_may_add_two_members() -> None:
    log = cell(2, CellSettings(admission="all-but-one"))
    first, second = propose(log, "Shirin"), propose(log, "Dariush")
    log.do(1, Vouched(first))
    log.do(1, Vouched(second))
    epoch = log.next_epoch()
    log.do(0, MemberAdded(2, "Shirin", card("Shirin"), 0, epoch))
    # all-but-one of three members: Bahar (proposer) and Kaveh (voucher) suffice
    log.do(0, MemberAdded(3, "Dariush", card("Dariush"), 0, epoch))
    assert set(log.state.members) == {0, 1, 2, 3}
    assert log.state.alarms == ()
    assert log.state.epoch == epoch
