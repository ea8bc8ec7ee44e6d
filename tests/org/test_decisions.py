"""Every decision kind end to end; hidden results; stances gone after close; opt-in."""

from __future__ import annotations

import dataclasses

import pytest

from hasteh.org import (
    Choice,
    Choices,
    Consent,
    DecisionClosed,
    DecisionOpened,
    EventId,
    InvalidEvent,
    Objection,
    OptIn,
    Outcome,
    ProposalStance,
    Ranking,
    Stance,
    StanceCast,
    close_due,
    optin_token,
    receive,
    view,
)

from .helpers import DAY, Log, cell


def open_decision(log: Log, **fields: object) -> EventId:
    fields.setdefault("question", "What do we do?")
    fields.setdefault("deadline", log.now + DAY)
    return log.do(0, DecisionOpened(**fields)).event_id  # type: ignore[arg-type]


def cast(log: Log, did: EventId, stances: dict[int, Stance]) -> list[EventId]:
    return [log.do(leaf, StanceCast(did, s)).event_id for leaf, s in stances.items()]


def close(log: Log, did: EventId, *, by: int = 0) -> tuple[Outcome, tuple[EventId, ...]]:
    (closing,) = close_due(log.state, log.now + DAY)
    assert closing.decision_id == did
    env = log.envelope(by, closing, at=log.now + DAY)
    got = receive(log.state, env)
    log.state = got.state
    log.envelopes.append(env)
    decision = log.state.decisions[did]
    assert decision.outcome is not None
    return decision.outcome, got.forget


def assert_stances_gone(log: Log, did: EventId) -> None:
    decision = log.state.decisions[did]
    assert decision.stances == {}
    assert decision.stance_events == frozenset()
    assert decision.optin_tokens == frozenset()


def test_consent_with_objection_end_to_end() -> None:
    log = cell(3)
    did = open_decision(log, kind="consent")
    ids = cast(log, did, {0: Consent(), 1: Objection("the date clashes"), 2: Consent()})
    outcome, forget = close(log, did)
    assert outcome == Outcome("rejected", (), (2, 1), 3, ("the date clashes",))
    assert sorted(forget) == sorted(ids)
    assert_stances_gone(log, did)


def test_proposal_adopted_end_to_end() -> None:
    log = cell(4)
    did = open_decision(log, kind="proposal", quorum=3)
    cast(
        log,
        did,
        {
            0: ProposalStance("agree"),
            1: ProposalStance("agree"),
            2: ProposalStance("abstain"),
            3: ProposalStance("disagree", "too early"),
        },
    )
    outcome, _ = close(log, did)
    assert outcome == Outcome("adopted", (), (2, 1, 1, 0), 4, ("too early",))


def test_proposal_blocked() -> None:
    log = cell(3)
    did = open_decision(log, kind="proposal")
    cast(log, did, {0: ProposalStance("agree"), 1: ProposalStance("block", "puts Kaveh at risk")})
    outcome, _ = close(log, did)
    assert outcome.status == "blocked"


def test_single_choice_end_to_end() -> None:
    log = cell(3)
    did = open_decision(log, kind="single", options=("Friday", "Saturday"))
    cast(log, did, {0: Choice(1), 1: Choice(1), 2: Choice(0)})
    outcome, _ = close(log, did)
    assert (outcome.status, outcome.winners, outcome.counts) == ("decided", (1,), (1, 2))


def test_multiple_choice_end_to_end() -> None:
    log = cell(3)
    did = open_decision(log, kind="multiple", options=("wages", "safety", "hours"), seats=2)
    cast(log, did, {0: Choices((0, 1)), 1: Choices((1, 2)), 2: Choices((1,))})
    outcome, _ = close(log, did)
    assert (outcome.winners, outcome.counts) == ((1,), (1, 3, 1))


def test_ranked_irv_end_to_end() -> None:
    log = cell(5)
    did = open_decision(log, kind="ranked", options=("A", "B", "C"), seats=1)
    # First preferences A 2, B 2, C 1; C goes, its ballot to B: B wins 3 to 2.
    cast(
        log,
        did,
        {
            0: Ranking((0, 1)),
            1: Ranking((0,)),
            2: Ranking((1, 0)),
            3: Ranking((1,)),
            4: Ranking((2, 1)),
        },
    )
    outcome, _ = close(log, did)
    assert (outcome.status, outcome.winners, outcome.counts) == ("elected", (1,), (2, 2, 1))


def test_ranked_stv_elects_two_delegates() -> None:
    log = cell(5)
    did = open_decision(log, kind="ranked", options=("A", "B", "C", "D"), seats=2)
    # 5 ballots, quota 2. A 3 -> elected, surplus 1: A's ballots go on at 1/3 each, and
    # only one ranks anyone next, so B gets 1/3. Round 2: B 1/3, C 1, D 1 -> B goes (its
    # ballot exhausts). C and D tie at 1 in every round: D, listed later, goes. C wins.
    cast(
        log,
        did,
        {
            0: Ranking((0, 1)),
            1: Ranking((0,)),
            2: Ranking((0,)),
            3: Ranking((2,)),
            4: Ranking((3,)),
        },
    )
    outcome, _ = close(log, did)
    assert outcome.winners == (0, 2)


def test_opt_in_never_keeps_names() -> None:
    log = cell(4)
    did = open_decision(log, kind="opt-in", question="Who joins the sit-in?")
    cast(log, did, {1: OptIn(), 3: OptIn()})
    decision = log.state.decisions[did]
    assert decision.optin_count == 2
    assert decision.stances == {}
    # No leaf number is stored: only 16-byte tokens.
    for value in dataclasses.astuple(decision):
        assert value not in ({1, 3}, frozenset({1, 3}), (1, 3))
    assert all(len(t) == 16 for t in decision.optin_tokens)
    assert view(log.state, did).voted == 2
    with pytest.raises(InvalidEvent) as err:
        log.do(3, StanceCast(did, OptIn()))
    assert err.value.code == "vote-twice"
    outcome, forget = close(log, did)
    assert outcome == Outcome("counted", (), (2,), 2)
    assert len(forget) == 2
    assert_stances_gone(log, did)
    assert log.state.decisions[did].optin_count == 0


def test_opt_in_token_differs_per_decision_and_leaf() -> None:
    a, b = b"a" * 16, b"b" * 16
    assert len({optin_token(a, 1), optin_token(a, 2), optin_token(b, 1)}) == 3


def test_results_hidden_while_open() -> None:
    log = cell(3)
    shown = open_decision(log, kind="single", options=("x", "y"))
    hidden = open_decision(log, kind="single", options=("x", "y"), hide_results=True)
    for did in (shown, hidden):
        cast(log, did, {0: Choice(0)})
    assert view(log.state, shown).voted == 1
    assert view(log.state, shown).outcome is None
    assert view(log.state, hidden).voted is None
    assert view(log.state, hidden).outcome is None


def test_outcome_only_keeps_no_counts() -> None:
    log = cell(3)
    did = open_decision(log, kind="consent", outcome_only=True)
    cast(log, did, {0: Consent(), 1: Objection("no")})
    outcome, _ = close(log, did)
    assert outcome == Outcome("rejected")
    assert outcome.counts is None and outcome.voters is None and outcome.reasons == ()


def test_no_quorum() -> None:
    log = cell(4)
    did = open_decision(log, kind="proposal", quorum=3)
    cast(log, did, {0: ProposalStance("agree"), 1: ProposalStance("agree")})
    outcome, _ = close(log, did)
    assert (outcome.status, outcome.counts) == ("no-quorum", (2, 0, 0, 0))


def test_early_close_when_everyone_took_part() -> None:
    log = cell(2)
    did = open_decision(log, kind="consent")
    cast(log, did, {0: Consent()})
    outcome = Outcome("adopted", (), (1, 0), 1)
    with pytest.raises(InvalidEvent) as err:
        log.do(1, DecisionClosed(did, outcome))
    assert err.value.code == "not-due"
    cast(log, did, {1: Consent()})
    log.do(1, DecisionClosed(did, Outcome("adopted", (), (2, 0), 2)))
    assert not log.state.decisions[did].is_open


def test_close_due_only_past_deadlines() -> None:
    log = cell(2)
    soon = open_decision(log, kind="consent", deadline=log.now + 10)
    open_decision(log, kind="consent", deadline=log.now + 20)
    assert close_due(log.state, log.now + 9) == ()
    assert [c.decision_id for c in close_due(log.state, log.now + 10)] == [soon]
    assert len(close_due(log.state, log.now + 20)) == 2


def test_wrong_outcome_is_refused() -> None:
    log = cell(2)
    did = open_decision(log, kind="single", options=("x", "y"))
    cast(log, did, {0: Choice(0), 1: Choice(0)})
    forged = Outcome("decided", (1,), (0, 2), 2)
    with pytest.raises(InvalidEvent) as err:
        log.do(1, DecisionClosed(did, forged), at=log.now + DAY)
    assert err.value.code == "wrong-outcome"


def test_second_close_is_refused_harmlessly() -> None:
    log = cell(2)
    did = open_decision(log, kind="consent")
    (closing,) = close_due(log.state, log.now + DAY)
    assert closing.decision_id == did
    log.do(0, closing, at=log.now + DAY)
    with pytest.raises(InvalidEvent) as err:
        log.do(1, closing, at=log.now + DAY)
    assert err.value.code == "already-closed"


def test_a_closed_decision_replays_from_a_log_without_its_stances() -> None:
    from hasteh.org import replay

    log = cell(3)
    did = open_decision(log, kind="consent")
    cast(log, did, {0: Consent(), 1: Consent()})
    _, forget = close(log, did)
    kept = [e for e in log.envelopes if e.event_id not in forget]
    assert len(kept) == len(log.envelopes) - 2
    assert replay(kept) == log.state
