"""Newcomers on trial between real profiles through the loopback relay (and courier
bundles): the cell sets a trial by decision, a newcomer joins on trial on every member,
every attack of the newcomer is refused (by its own client, and, sent raw by a rogue
client, by every other member's log), and the cell ends the trial by decision."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from hasteh import org
from hasteh.app import Workspace, admission, cards, cells, decisions, removal, trial
from hasteh.app.errors import BadInput, Refused
from hasteh.org import (
    AdmissionApproved,
    Consent,
    DecisionOpened,
    EndTrial,
    MemberSeized,
    NewcomerProposed,
    RemoveMember,
    StanceCast,
    ThreadOpened,
)
from tests.app import rogue
from tests.app.helpers import (
    CELL,
    NAMES,
    Settle,
    assert_same_words,
    form_cell,
    settle_courier,
    settle_relay,
)

DAY = 86_400
TRIAL_DAYS = 28
NEWCOMER = NAMES[3]


def state(ws: Workspace) -> org.OrgState:
    return cells.find_cell(ws, CELL).org


def queued(ws: Workspace) -> int:
    return len(cells.find_cell(ws, CELL).record.own_pending)


def everyone_agrees(voters: Sequence[Workspace], number: int) -> None:
    for m in voters:
        decisions.vote(m, CELL, str(number), position="agree")


def set_trial(members: list[Workspace], settle: Settle) -> None:
    a = members[0]
    opened = decisions.change_settings(a, CELL, deadline=a.now() + 2 * DAY, trial_days=TRIAL_DAYS)
    assert isinstance(opened, decisions.DecisionSummary)
    settle(members)
    everyone_agrees(members, opened.number)
    settle(members)
    decisions.close(a, CELL, str(opened.number))
    settle(members)
    settle(members)  # the responsible member carries the settings out
    for m in members:
        assert state(m).settings.trial == TRIAL_DAYS * DAY


def admit(
    members: list[Workspace], newcomer: Workspace, name: str, relay_url: str, settle: Settle
) -> None:
    """Proposed by the first member, vouched and approved by the other full members."""
    code = cards.create_card(newcomer, name, relays=[relay_url])
    admission.propose(members[0], CELL, code)
    settle(members)
    full = [m for m in members[1:] if not me_on_trial(m)]
    admission.vouch(full[0], CELL, name)
    for m in full[1:]:
        admission.approve(m, CELL, name)
    settle([*members, newcomer])
    settle([*members, newcomer])


def me_on_trial(ws: Workspace) -> bool:
    return any(v.is_me and v.on_trial for v in cells.members(ws, CELL))


def on_trial(ws: Workspace, name: str) -> int:
    """When `name`'s trial is due to end as `ws` sees it (0: not on trial)."""
    view = next(v for v in cells.members(ws, CELL) if v.cover_name == name)
    return view.trial_until


def cell_with_a_newcomer_on_trial(make_ws, relay_url: str, settle: Settle) -> list[Workspace]:
    members = form_cell(make_ws, relay_url, settle, n=3)
    set_trial(members, settle)
    d = make_ws(NEWCOMER)
    admit(members, d, NEWCOMER, relay_url, settle)
    members.append(d)
    settle(members)
    return members


@pytest.mark.parametrize("way", ["relay", "courier"])
def test_a_newcomer_joins_on_trial_and_the_cell_ends_it(make_ws, relay, way: str) -> None:
    settle = settle_relay if way == "relay" else settle_courier
    members = cell_with_a_newcomer_on_trial(make_ws, relay.url, settle)
    a, b, c, d = members
    ends = {on_trial(m, NEWCOMER) for m in members}
    assert len(ends) == 1 and ends != {0}
    assert not any(on_trial(m, NAMES[0]) for m in members)
    assert_same_words(members)
    # The newcomer cannot end their own trial; the full members can.
    with pytest.raises(Refused) as err:
        trial.propose_end_of_trial(d, CELL, NEWCOMER, deadline=d.now() + 2 * DAY)
    assert err.value.code == "on-trial"
    opened = trial.propose_end_of_trial(a, CELL, NEWCOMER, deadline=a.now() + 2 * DAY)
    settle(members)
    with pytest.raises(Refused) as err:
        decisions.vote(d, CELL, str(opened.number), position="agree")
    assert err.value.code == "self-approval"
    everyone_agrees((a, b, c), opened.number)
    settle(members)
    decisions.close(b, CELL, str(opened.number))
    settle(members)
    for m in members:
        assert on_trial(m, NEWCOMER) == 0
        assert not me_on_trial(m)
        ended = [x for x in decisions.show(m, CELL) if x.decision_id == opened.decision_id]
        assert [x.status for x in ended] == ["adopted"]
    assert_same_words(members)


def test_the_newcomers_own_client_refuses_every_attack_and_sends_nothing(make_ws, relay) -> None:
    members = cell_with_a_newcomer_on_trial(make_ws, relay.url, settle_relay)
    a, d = members[0], members[3]
    e = make_ws(NAMES[4])
    code = cards.create_card(e, NAMES[4], relays=[relay.url])
    before = queued(d)
    attempts = {
        "propose": lambda: admission.propose(d, CELL, code),
        "seize": lambda: removal.seized(d, CELL, NAMES[0], note="I saw it"),
        "remove": lambda: removal.propose_removal(d, CELL, NAMES[1], deadline=d.now() + 2 * DAY),
        "end-own": lambda: trial.propose_end_of_trial(
            d, CELL, NEWCOMER, deadline=d.now() + 2 * DAY
        ),
        "settings": lambda: decisions.change_settings(
            d, CELL, deadline=d.now() + 2 * DAY, trial_days=0
        ),
    }
    for name, attempt in attempts.items():
        with pytest.raises(Refused) as err:
            attempt()
        assert err.value.code == "on-trial", name
    admission.propose(a, CELL, code)
    settle_relay(members)
    for answer in (admission.vouch, admission.approve):
        with pytest.raises(Refused) as err:
            answer(d, CELL, NAMES[4])
        assert err.value.code == "on-trial"
    assert queued(d) == before
    # Ending the trial of someone not on trial is refused before anything is sent.
    with pytest.raises(BadInput) as bad:
        trial.propose_end_of_trial(a, CELL, NAMES[1], deadline=a.now() + 2 * DAY)
    assert bad.value.code == "not-on-trial"


def test_a_rogue_newcomer_on_trial_moves_nobody(make_ws, relay) -> None:
    """The newcomer's client skips its own checks and sends, through the real relay: a
    seizure of the founder, a removal motion and a stance on it, an end of its own trial,
    a proposal and an approval. Every full member's log refuses each one."""
    members = cell_with_a_newcomer_on_trial(make_ws, relay.url, settle_relay)
    a, b, c, d = members
    e = make_ws(NAMES[4])
    code = cards.create_card(e, NAMES[4], relays=[relay.url])
    admission.propose(a, CELL, code)
    settle_relay(members)
    proposal = next(iter(state(a).proposals))
    removal_opened = decisions.open_decision(
        b,
        CELL,
        kind="consent",
        question="?",
        deadline=b.now() + 2 * DAY,
        remove_member=NAMES[2],
    )
    settle_relay(members)
    removal_id = next(
        k for k in state(a).decisions if k.hex().startswith(removal_opened.decision_id)
    )
    now = d.now()
    rogue.send(
        d,
        rogue.envelope(d, MemberSeized(0, "seized")),
        rogue.envelope(
            d, DecisionOpened("consent", "remove", now + 2 * DAY, motion=RemoveMember(1, NAMES[1]))
        ),
        rogue.envelope(
            d, DecisionOpened("consent", "me", now + 2 * DAY, motion=EndTrial(3, NEWCOMER))
        ),
        rogue.envelope(d, StanceCast(removal_id, Consent())),
        rogue.envelope(d, NewcomerProposed(b"\x01" * 32, "agent", now + DAY)),
        rogue.envelope(d, AdmissionApproved(proposal)),
        # What a newcomer on trial may do arrives: the batch did reach every member.
        rogue.envelope(d, ThreadOpened("hello from the newcomer")),
    )
    settle_relay(members)
    for m in (a, b, c):
        s = state(m)
        assert not s.seizures
        # The settings decision and b's removal motion: none of the newcomer's.
        assert len(s.decisions) == 2
        assert not any(isinstance(x.motion, EndTrial) for x in s.decisions.values())
        assert s.decisions[removal_id].voted == 0
        assert [x.cover_name for x in s.proposals.values()] == [NAMES[4]]
        assert 3 not in s.proposals[proposal].approvals
        assert cells.find_cell(m, CELL).active
        assert on_trial(m, NEWCOMER)
        assert "hello from the newcomer" in {t.title for t in s.threads.values()}
    assert_same_words(members)
