"""The cell's work (``action.*``): plan, demands, tasks, linked decisions, review; the
turnout count keeps no name after close; every refusal leaves the state as it was."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.org import (
    DecisionClosed,
    DecisionOpened,
    EventId,
    InvalidEvent,
    MemberSeized,
    OptIn,
    Ranking,
    StanceCast,
    close_due,
    decode,
    encode,
    optin_token,
    receive,
    view,
)
from hasteh.org.events import (
    ActionLinked,
    ActionPlanned,
    ActionReviewed,
    DemandAdded,
    Event,
    TaskAdded,
    TaskUpdated,
)

from .helpers import DAY, Log, cell


def plan(log: Log, *, by: int = 0, urgent: bool = False) -> EventId:
    body = ActionPlanned("strike", "Workshop 3", log.now + 3 * DAY, "bring water", urgent)
    return EventId(log.do(by, body).event_id)


def refused(log: Log, author: int, body: Event, code: str, at: int | None = None) -> None:
    before = log.state
    with pytest.raises(InvalidEvent) as caught:
        log.do(author, body, at=at)
    assert caught.value.code == code
    assert log.state is before


def opt_in_decision(log: Log, action: EventId) -> EventId:
    did = EventId(log.do(0, DecisionOpened("opt-in", "I will take part", log.now + DAY)).event_id)
    log.do(1, ActionLinked(action, did, "turnout"))
    return did


def test_an_action_from_plan_to_review() -> None:
    log = cell(4)
    action = plan(log)
    demands = ["Wages paid on time", "Safety gear", "No forced overtime"]
    for text in demands:
        log.do(1, DemandAdded(action, text))
    ranked = DecisionOpened("ranked", "Which demand first?", log.now + DAY, tuple(demands), seats=1)
    priorities = EventId(log.do(2, ranked).event_id)
    log.do(2, ActionLinked(action, priorities, "priorities"))
    go = EventId(log.do(0, DecisionOpened("consent", "Go?", log.now + DAY)).event_id)
    log.do(0, ActionLinked(action, go, "go"))
    task = EventId(log.do(0, TaskAdded(action, "Print leaflets", 3, log.now + DAY)).event_id)
    log.do(3, TaskUpdated(task, "doing"))
    log.do(0, TaskUpdated(task, "done"))
    for leaf in range(4):
        log.do(leaf, StanceCast(priorities, Ranking((leaf % 2, 2))))
    got = log.state.actions[action]
    assert [t for _, t in got.demands] == demands
    assert got.links == {"priorities": priorities, "go": go}
    assert log.state.tasks[task].status == "done"
    assert log.state.tasks[task].assignee_name == log.state.cover_name(3)
    log.now += 3 * DAY
    log.do(2, ActionReviewed(action, "Everyone came", "Start earlier"))
    (review,) = log.state.actions[action].reviews
    assert (review.went_well, review.to_change) == ("Everyone came", "Start earlier")
    assert not hasattr(review, "author")


def test_the_turnout_keeps_only_a_number_after_close() -> None:
    log = cell(5)
    action = plan(log)
    did = opt_in_decision(log, action)
    ids = {EventId(log.do(leaf, StanceCast(did, OptIn())).event_id) for leaf in (1, 3, 4)}
    assert view(log.state, did).voted == 3  # the same number for everyone, opted in or not
    (closing,) = close_due(log.state, log.now + DAY)
    env = log.envelope(2, closing, at=log.now + DAY)
    got = receive(log.state, env)
    assert set(got.forget) == ids  # every honest device deletes each opt-in event
    decision = got.state.decisions[did]
    assert decision.outcome is not None and decision.outcome.counts == (3,)
    assert decision.optin_tokens == frozenset() and decision.stance_events == frozenset()
    assert decision.stances == {}
    tokens = {optin_token(did, leaf) for leaf in range(5)}
    assert not any(t in repr(got.state) for t in map(repr, tokens))


@settings(max_examples=40, deadline=None)
@given(st.sets(st.integers(0, 4)))
def test_no_token_or_event_of_an_opt_in_survives_close(who: set[int]) -> None:
    """Whoever opted in, the state after close holds the count and nothing that links
    it to a leaf, and the forgotten ids are exactly the opt-in events."""
    log = cell(5)
    action = plan(log)
    did = opt_in_decision(log, action)
    ids = {EventId(log.do(leaf, StanceCast(did, OptIn())).event_id) for leaf in sorted(who)}
    at = log.now + DAY
    env = log.envelope(0, DecisionClosed(did, close_due(log.state, at)[0].outcome), at=at)
    got = receive(log.state, env)
    assert set(got.forget) == ids
    closed = got.state.decisions[did]
    assert closed.outcome is not None and closed.outcome.counts == (len(who),)
    assert (closed.optin_tokens, closed.stance_events, closed.stances) == (
        frozenset(),
        frozenset(),
        {},
    )


def test_refusals_change_nothing() -> None:
    log = cell(3)
    action = plan(log)
    unknown = EventId(b"\x01" * 16)
    refused(log, 0, DemandAdded(unknown, "x"), "unknown-action")
    refused(log, 0, ActionPlanned("protest", "Gate", log.now + 400 * DAY), "date-out-of-range")
    refused(log, 0, ActionPlanned("protest", "Gate", log.now - 2 * DAY), "date-out-of-range")
    refused(log, 5, ActionPlanned("protest", "Gate", log.now + DAY), "not-a-member")
    hidden = "Gate\u202e3"  # a right-to-left override hidden in the code name
    refused(log, 0, ActionPlanned("protest", hidden, log.now + DAY), "name-hidden-character")
    refused(log, 0, ActionPlanned("protest", " Gate", log.now + DAY), "name-unclean")
    refused(log, 0, TaskAdded(action, "t", 6, log.now + DAY), "not-a-member")
    refused(log, 0, TaskUpdated(unknown, "done"), "unknown-task")
    task = EventId(log.do(0, TaskAdded(action, "t", 1, log.now + DAY)).event_id)
    refused(log, 2, TaskUpdated(task, "done"), "not-your-task")
    log.do(1, DemandAdded(action, "A"))
    refused(log, 1, DemandAdded(action, "A"), "duplicate-id")
    refused(log, 0, ActionLinked(action, unknown, "go"), "unknown-decision")
    optin = EventId(log.do(0, DecisionOpened("opt-in", "In?", log.now + DAY)).event_id)
    refused(log, 0, ActionLinked(action, optin, "go"), "bad-link")
    refused(log, 0, ActionLinked(action, optin, "priorities"), "bad-link")
    wrong = DecisionOpened("ranked", "First?", log.now + DAY, ("A", "B"), seats=1)
    other = EventId(log.do(0, wrong).event_id)
    refused(log, 0, ActionLinked(action, other, "priorities"), "bad-link")
    log.do(0, ActionLinked(action, optin, "turnout"))
    refused(log, 0, ActionLinked(action, optin, "turnout"), "already-linked")
    refused(log, 0, ActionReviewed(action, "ok"), "review-too-early")


def test_a_closed_decision_cannot_be_linked() -> None:
    log = cell(2)
    action = plan(log)
    did = EventId(log.do(0, DecisionOpened("opt-in", "In?", log.now + DAY)).event_id)
    (closing,) = close_due(log.state, log.now + DAY)
    log.do(0, closing, at=log.now + DAY)
    refused(log, 0, ActionLinked(action, did, "turnout"), "already-closed", at=log.now + DAY)


def test_limits_bound_what_a_hostile_member_makes_everyone_store() -> None:
    log = cell(2)
    action = plan(log)
    for i in range(32):
        log.do(1, DemandAdded(action, f"demand {i}"))
    refused(log, 1, DemandAdded(action, "one more"), "too-many-items")
    for _ in range(64):
        log.do(1, TaskAdded(action, "t", 0, log.now + DAY))
    refused(log, 1, TaskAdded(action, "t", 0, log.now + DAY), "too-many-items")


def test_a_seized_device_cannot_plan() -> None:

    log = cell(3)
    log.do(0, MemberSeized(2, log.state.cover_name(2)))
    refused(log, 2, ActionPlanned("gathering", "Yard", log.now + DAY), "member-seized")


TEXT = st.characters(blacklist_categories=("Cs",))

events = st.one_of(
    st.builds(
        ActionPlanned,
        st.sampled_from(["strike", "slowdown", "petition", "protest", "gathering"]),
        st.text(TEXT, min_size=1, max_size=64),
        st.integers(0, 2**40 - 1),
        st.text(TEXT, max_size=50),
        st.booleans(),
    ),
    st.builds(
        DemandAdded, st.binary(min_size=16, max_size=16), st.text(TEXT, min_size=1, max_size=200)
    ),
    st.builds(
        TaskUpdated,
        st.binary(min_size=16, max_size=16),
        st.sampled_from(["todo", "doing", "done", "dropped"]),
    ),
)


@settings(max_examples=60, deadline=None)
@given(events)
def test_every_action_event_round_trips_through_the_codec(body: Event) -> None:
    log = Log()
    env = log.envelope(0, body)
    assert decode(encode(env)) == env
