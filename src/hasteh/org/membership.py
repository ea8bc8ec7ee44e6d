"""Membership family (``cell.*`` and ``member.*``): the cell, admission, removal, alarms.

Each event type has a `check_*` (raises `InvalidEvent`, touches nothing) and a `fold_*`
(returns the new state, assumes the event passed its check). `hasteh.org.fold` joins them
in one table. `MemberAdded` / `MemberRemoved` are facts of the MLS group: their check
refuses only a commit epoch older than the last one seen (one commit may carry several
changes, so an equal epoch is fine); the policy's verdict decides between a
quiet fold and a fold that raises an alarm (see `hasteh.org.policy`).
"""

from __future__ import annotations

from dataclasses import replace

import msgspec

from hasteh.org import bulletin
from hasteh.org._checks import check_settings, require_member
from hasteh.org.errors import InvalidEvent
from hasteh.org.events import (
    CARD_FINGERPRINT_SIZE,
    AdmissionApproved,
    AdmissionObjected,
    Alarm,
    CellCreated,
    ChangeSettings,
    EventEnvelope,
    EventId,
    LeafIndex,
    LeaveAnnounced,
    MemberAdded,
    MemberRemoved,
    MemberSeized,
    NewcomerProposed,
    ProposalWithdrawn,
    SeizureReviewed,
    SettingsChanged,
    Vouched,
)
from hasteh.org.names import look_alike, require_clean
from hasteh.org.policy import MembershipPolicy, lapsed
from hasteh.org.roster import alarm_record
from hasteh.org.state import Admission, AlarmRecord, Member, OrgState, Seizure
from hasteh.org.trial import on_trial, require_full_member, trial_until


def _id(envelope: EventEnvelope) -> EventId:
    return EventId(envelope.event_id)


# --- cell --------------------------------------------------------------------------------


def check_cell_created(state: OrgState, env: EventEnvelope, body: CellCreated) -> None:
    if state.created:
        raise InvalidEvent("cell-exists")
    require_clean(body.name, limit=200)
    require_clean(body.founder_cover_name)
    check_settings(body.settings, None)


def fold_cell_created(
    state: OrgState, env: EventEnvelope, body: CellCreated, policy: MembershipPolicy
) -> OrgState:
    founder = Member(LeafIndex(env.author), body.founder_cover_name, joined_epoch=0)
    return replace(
        state,
        created=True,
        name=body.name,
        settings=body.settings,
        members={founder.leaf: founder},
    )


def _settings_decision(state: OrgState, body: SettingsChanged) -> ChangeSettings:
    decision = state.decisions.get(EventId(body.decision_id))
    if decision is None:
        raise InvalidEvent("unknown-decision")
    if not isinstance(decision.motion, ChangeSettings):
        raise InvalidEvent("wrong-motion")
    if decision.outcome is None or decision.outcome.status != "adopted":
        raise InvalidEvent("motion-not-adopted")
    if decision.done:
        raise InvalidEvent("motion-done")
    return decision.motion


def check_settings_changed(state: OrgState, env: EventEnvelope, body: SettingsChanged) -> None:
    require_member(state, env.author)
    check_settings(_settings_decision(state, body).settings, state)


def fold_settings_changed(
    state: OrgState, env: EventEnvelope, body: SettingsChanged, policy: MembershipPolicy
) -> OrgState:
    key = EventId(body.decision_id)
    decision = state.decisions[key]
    assert isinstance(decision.motion, ChangeSettings)
    settings = decision.motion.settings
    if settings.relays is None:  # the motion leaves the relay list as it is
        settings = msgspec.structs.replace(settings, relays=state.settings.relays)
    return replace(
        state,
        settings=settings,
        decisions=state.decisions.set(key, replace(decision, done=True)),
    )


# --- admission ---------------------------------------------------------------------------


def check_newcomer_proposed(state: OrgState, env: EventEnvelope, body: NewcomerProposed) -> None:
    require_full_member(state, env.author)
    if _id(env) in state.proposals:
        raise InvalidEvent("duplicate-id")
    if len(body.card_fingerprint) != CARD_FINGERPRINT_SIZE:
        raise InvalidEvent("malformed-card", size=CARD_FINGERPRINT_SIZE)
    if body.card_expires_at <= env.at:
        raise InvalidEvent("expired-card")
    require_clean(body.cover_name)
    live = [a for a in state.proposals.values() if not lapsed(a, env.at)]
    taken = {m.cover_name for m in state.members.values()}
    taken |= {a.cover_name for a in live}
    if any(look_alike(body.cover_name, name) for name in taken):
        raise InvalidEvent("cover-name-taken", name=body.cover_name)
    if any(a.card_fingerprint == body.card_fingerprint for a in live):
        raise InvalidEvent("card-pending")
    if len(state.members) >= state.settings.size_cap:
        raise InvalidEvent("cap-reached", cap=state.settings.size_cap)


def fold_newcomer_proposed(
    state: OrgState, env: EventEnvelope, body: NewcomerProposed, policy: MembershipPolicy
) -> OrgState:
    proposer = LeafIndex(env.author)
    admission = Admission(
        proposal_id=_id(env),
        cover_name=body.cover_name,
        card_fingerprint=body.card_fingerprint,
        card_expires_at=body.card_expires_at,
        proposer=proposer,
        proposed_at=env.at,
        approvals=frozenset({proposer}),
    )
    # A lapsed proposal for the same card or name gives way to the new one.
    kept = {
        k: a
        for k, a in state.proposals.items()
        if not (
            lapsed(a, env.at)
            and (a.card_fingerprint == body.card_fingerprint or a.cover_name == body.cover_name)
        )
    }
    return replace(state, proposals={**kept, admission.proposal_id: admission})


def _open_admission(
    state: OrgState, env: EventEnvelope, body: Vouched | AdmissionApproved | AdmissionObjected
) -> Admission:
    require_full_member(state, env.author)
    admission = state.proposals.get(EventId(body.proposal_id))
    if admission is None:
        raise InvalidEvent("unknown-proposal")
    if lapsed(admission, env.at):
        raise InvalidEvent("proposal-lapsed")
    if isinstance(body, Vouched) and env.author == admission.proposer:
        raise InvalidEvent("self-vouch")
    # A member who approved may still vouch (in a cell of two, the only other member
    # must vouch; approving first must not leave the proposal stuck for ever).
    answered = admission.vouchers | admission.objections
    if not isinstance(body, Vouched):
        answered |= admission.approvals
    if env.author in answered:
        raise InvalidEvent("already-answered")
    return admission


def check_answer(
    state: OrgState, env: EventEnvelope, body: Vouched | AdmissionApproved | AdmissionObjected
) -> None:
    _open_admission(state, env, body)


def fold_answer(
    state: OrgState,
    env: EventEnvelope,
    body: Vouched | AdmissionApproved | AdmissionObjected,
    policy: MembershipPolicy,
) -> OrgState:
    key = EventId(body.proposal_id)
    admission = state.proposals[key]
    who = frozenset({LeafIndex(env.author)})
    if isinstance(body, Vouched):
        admission = replace(
            admission, vouchers=admission.vouchers | who, approvals=admission.approvals | who
        )
    elif isinstance(body, AdmissionApproved):
        admission = replace(admission, approvals=admission.approvals | who)
    else:
        admission = replace(
            admission,
            objections=admission.objections | who,
            objection_reasons=tuple(sorted((*admission.objection_reasons, body.reason))),
        )
    return replace(state, proposals={**state.proposals, key: admission})


def check_withdrawn(state: OrgState, env: EventEnvelope, body: ProposalWithdrawn) -> None:
    require_member(state, env.author)
    admission = state.proposals.get(EventId(body.proposal_id))
    if admission is None:
        raise InvalidEvent("unknown-proposal")
    if admission.proposer != env.author:
        raise InvalidEvent("not-your-proposal")


def fold_withdrawn(
    state: OrgState, env: EventEnvelope, body: ProposalWithdrawn, policy: MembershipPolicy
) -> OrgState:
    key = EventId(body.proposal_id)
    return replace(state, proposals={k: v for k, v in state.proposals.items() if k != key})


# --- commits (synthesized by the app) -----------------------------------------------------


def fold_member_added(
    state: OrgState, env: EventEnvelope, body: MemberAdded, policy: MembershipPolicy
) -> OrgState:
    verdict = policy.check(body, state)
    member = Member(
        LeafIndex(body.leaf),
        body.cover_name,
        body.commit_epoch,
        verdict.ok,
        trial_until=trial_until(state.settings, env.at),
    )
    members = {**state.members, member.leaf: member}
    if verdict.ok:
        assert verdict.authorized_by is not None
        proposals = {k: v for k, v in state.proposals.items() if k != verdict.authorized_by}
        return replace(state, epoch=body.commit_epoch, members=members, proposals=proposals)
    return replace(
        state,
        epoch=body.commit_epoch,
        members=members,
        alarms=(*state.alarms, alarm_record(state, env, verdict, body)),
    )


def fold_member_removed(
    state: OrgState, env: EventEnvelope, body: MemberRemoved, policy: MembershipPolicy
) -> OrgState:
    verdict = policy.check(body, state)
    leaf = LeafIndex(body.leaf)
    members = {k: v for k, v in state.members.items() if k != leaf}
    new = replace(state, epoch=body.commit_epoch, members=members, leaving=state.leaving - {leaf})
    new = bulletin.member_gone(new, leaf)
    if not verdict.ok:
        return replace(new, alarms=(*state.alarms, alarm_record(state, env, verdict, body)))
    key = verdict.authorized_by
    if verdict.authority == "seizure" and key is not None:
        seizure = replace(state.seizures[key], removed=True)
        new = replace(new, seizures={**state.seizures, key: seizure})
    elif verdict.authority == "decision" and key is not None:
        done = replace(state.decisions[key], done=True)
        new = replace(new, decisions=state.decisions.set(key, done))
    return new


# --- emergencies and leaving -------------------------------------------------------------


def check_member_seized(state: OrgState, env: EventEnvelope, body: MemberSeized) -> None:
    require_member(state, env.author)
    if _id(env) in state.seizures:
        raise InvalidEvent("duplicate-id")
    if body.leaf == env.author:
        raise InvalidEvent("self-seizure")
    if on_trial(state, env.author):
        raise InvalidEvent("on-trial")
    require_member(state, body.leaf)


def fold_member_seized(
    state: OrgState, env: EventEnvelope, body: MemberSeized, policy: MembershipPolicy
) -> OrgState:
    seizure = Seizure(
        seizure_id=_id(env),
        leaf=LeafIndex(body.leaf),
        cover_name=state.cover_name(body.leaf),
        by_leaf=LeafIndex(env.author),
        by_cover_name=state.cover_name(env.author),
        at=env.at,
    )
    return replace(state, seizures={**state.seizures, seizure.seizure_id: seizure})


def check_seizure_reviewed(state: OrgState, env: EventEnvelope, body: SeizureReviewed) -> None:
    require_full_member(state, env.author)
    seizure = state.seizures.get(EventId(body.seizure_id))
    if seizure is None:
        raise InvalidEvent("unknown-seizure")
    if seizure.upheld is not None:
        raise InvalidEvent("already-reviewed")
    if seizure.by_leaf == env.author:
        raise InvalidEvent("self-approval")


def fold_seizure_reviewed(
    state: OrgState, env: EventEnvelope, body: SeizureReviewed, policy: MembershipPolicy
) -> OrgState:
    key = EventId(body.seizure_id)
    seizure = replace(state.seizures[key], upheld=body.upheld)
    new = replace(state, seizures={**state.seizures, key: seizure})
    if body.upheld:
        return new
    alarm = AlarmRecord(
        code="seizure-disputed",
        by_leaf=seizure.by_leaf,
        by_cover_name=seizure.by_cover_name,
        subject_leaf=seizure.leaf,
        subject_cover_name=seizure.cover_name,
        epoch=state.epoch,
        event_id=_id(env),
        note=body.note,
    )
    return replace(new, alarms=(*state.alarms, alarm))


def check_leave(state: OrgState, env: EventEnvelope, body: LeaveAnnounced) -> None:
    require_member(state, env.author)
    if env.author in state.leaving:
        raise InvalidEvent("already-leaving")


def fold_leave(
    state: OrgState, env: EventEnvelope, body: LeaveAnnounced, policy: MembershipPolicy
) -> OrgState:
    return replace(state, leaving=state.leaving | {LeafIndex(env.author)})


def check_alarm(state: OrgState, env: EventEnvelope, body: Alarm) -> None:
    require_member(state, env.author)


def fold_alarm(
    state: OrgState, env: EventEnvelope, body: Alarm, policy: MembershipPolicy
) -> OrgState:
    alarm = AlarmRecord(
        code="manual",
        by_leaf=LeafIndex(env.author),
        by_cover_name=state.cover_name(env.author),
        subject_leaf=None if body.leaf is None else LeafIndex(body.leaf),
        subject_cover_name="" if body.leaf is None else state.cover_name(body.leaf),
        epoch=state.epoch,
        event_id=_id(env),
        note=f"{body.code}: {body.note}" if body.note else body.code,
    )
    return replace(state, alarms=(*state.alarms, alarm))
