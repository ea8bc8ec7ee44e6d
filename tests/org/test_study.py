"""Study circles (``study.*``): the curriculum, sessions, places that are forgotten when
the session ends; what an informer member can and cannot do; every refusal leaves the
state as it was; a replay gives the same state; the events survive the codec."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.org import (
    EventId,
    InvalidEvent,
    MemberSeized,
    MessagePosted,
    decode,
    encode,
    receive,
    replay,
)
from hasteh.org.events import (
    CircleOpened,
    Event,
    PlaceGiven,
    ReadingAdded,
    ReadingRemoved,
    ReadingsOrdered,
    SessionPlanned,
)
from hasteh.org.fold import HANDLERS
from hasteh.org.study import MAX_CIRCLES, expire_places, next_place_expiry, place_of

from .helpers import DAY, Log, cell

HOUR = 3_600


def refused(log: Log, author: int, body: Event, code: str, at: int | None = None) -> None:
    before = log.state
    with pytest.raises(InvalidEvent) as caught:
        log.do(author, body, at=at)
    assert caught.value.code == code
    assert log.state is before


def circle_with_readings(log: Log, n: int = 3, by: int = 0) -> tuple[EventId, list[EventId]]:
    cid = EventId(log.do(by, CircleOpened("Wages and profit", "one a week")).event_id)
    readings = [
        EventId(log.do(by, ReadingAdded(cid, f"Chapter {i}", (f"Q{i}?",))).event_id)
        for i in range(1, n + 1)
    ]
    return cid, readings


def test_a_curriculum_in_order_with_its_discussion_threads() -> None:
    log = cell(3)
    cid, readings = circle_with_readings(log)
    circle = log.state.study.circles[cid]
    assert circle.readings == tuple(readings)
    assert circle.convener == 0 and circle.convener_name == "Bahar"
    log.do(0, ReadingsOrdered(cid, (readings[2], readings[0], readings[1])))
    assert log.state.study.circles[cid].readings == (readings[2], readings[0], readings[1])
    # Every member discusses a reading: its id is a talk thread.
    assert readings[0] in log.state.threads
    log.do(1, MessagePosted(readings[0], "Surplus value, page 3?", log.now + DAY))
    assert len(log.state.messages) == 1
    log.do(0, ReadingRemoved(readings[1]))
    assert log.state.study.circles[cid].readings == (readings[2], readings[0])
    assert readings[1] not in log.state.study.readings
    assert replay(log.envelopes) == log.state


def test_an_informer_cannot_rewrite_the_curriculum_or_move_the_meeting() -> None:
    """Leaf 2 (a member, maybe an informer) is not the convener: every change is refused
    and names the convener, so the circle sees who alone may change it."""
    log = cell(3)
    cid, readings = circle_with_readings(log)
    session = EventId(log.do(0, SessionPlanned(cid, log.now + DAY, 2, readings[0])).event_id)
    log.do(0, PlaceGiven(session, "Blue garden"))
    for body in (
        ReadingAdded(cid, "A planted text"),
        ReadingsOrdered(cid, tuple(reversed(readings))),
        ReadingRemoved(readings[0]),
        SessionPlanned(cid, log.now + DAY, 2, None),
        PlaceGiven(session, "Police yard"),
    ):
        refused(log, 2, body, "not-the-convener")
    assert place_of(log.state, session, log.now) == "Blue garden"


def test_a_seized_convener_can_change_nothing_more() -> None:
    log = cell(3)
    cid, _ = circle_with_readings(log, 1)
    log.do(1, MemberSeized(0, "phone taken"))
    refused(log, 0, ReadingAdded(cid, "From the seized phone"), "member-seized")


def test_a_reorder_names_exactly_the_curriculum() -> None:
    log = cell(2)
    cid, readings = circle_with_readings(log)
    for order in (
        (readings[0], readings[1]),
        (readings[0], readings[1], readings[1]),
        (readings[0], readings[1], readings[2], readings[2]),
        (readings[0], readings[1], EventId(b"x" * 16)),
    ):
        refused(log, 0, ReadingsOrdered(cid, order), "bad-order")


def test_unknown_things_are_refused() -> None:
    log = cell(2)
    cid, _readings = circle_with_readings(log, 1)
    ghost = EventId(b"g" * 16)
    refused(log, 0, ReadingAdded(ghost, "x"), "unknown-circle")
    refused(log, 0, ReadingAdded(cid, "x", (), "", ghost), "unknown-item")  # not in the library
    refused(log, 0, ReadingRemoved(ghost), "unknown-reading")
    refused(log, 0, SessionPlanned(cid, log.now + DAY, 2, ghost), "unknown-reading")
    refused(log, 0, PlaceGiven(ghost, "Park"), "unknown-session")
    refused(log, 0, SessionPlanned(cid, log.now + 400 * DAY, 2), "date-out-of-range")
    refused(log, 0, SessionPlanned(cid, log.now - 2 * DAY, 2), "date-out-of-range")


def test_a_place_is_forgotten_when_its_session_ends() -> None:
    log = cell(3)
    cid, readings = circle_with_readings(log, 1)
    starts = log.now + DAY
    session = EventId(log.do(0, SessionPlanned(cid, starts, 3, readings[0])).event_id)
    given_place = log.do(0, PlaceGiven(session, "Blue garden"))
    ends = starts + 3 * HOUR
    # The row expires the stored event when the session ends.
    row = HANDLERS[PlaceGiven]
    assert row.expires is not None
    assert row.expires(log.state, given_place, given_place.body) == ends
    assert next_place_expiry(log.state) == ends
    assert place_of(log.state, session, ends - 1) == "Blue garden"
    assert place_of(log.state, session, ends) is None  # shown no longer, even unswept
    early = expire_places(log.state, ends - 1)
    assert early.forget == () and early.state is log.state
    gone = expire_places(log.state, ends)
    assert gone.forget == (given_place.event_id,)
    assert gone.state.study.places.get(session) is None
    assert next_place_expiry(gone.state) is None
    # The session itself is kept as a record; a replay of the log without the place
    # event (deleted from the vault) gives the same state as the sweep.
    kept = [e for e in log.envelopes if e.event_id != given_place.event_id]
    assert replay(kept) == gone.state
    assert session in gone.state.study.sessions
    # After the end, no member can put a place back.
    refused(log, 0, PlaceGiven(session, "Blue garden"), "session-over", at=ends)


def test_a_new_place_forgets_the_old_one() -> None:
    log = cell(2)
    cid, _ = circle_with_readings(log, 1)
    session = EventId(log.do(0, SessionPlanned(cid, log.now + DAY, 2)).event_id)
    first = log.do(0, PlaceGiven(session, "Blue garden"))
    second = log.envelope(0, PlaceGiven(session, "Red door"))
    received = receive(log.state, second)
    assert received.forget == (first.event_id,)
    assert place_of(received.state, session, log.now) == "Red door"
    assert len(received.state.study.place_order) == 1


def test_a_place_code_word_is_a_clean_name() -> None:
    log = cell(2)
    cid, _ = circle_with_readings(log, 1)
    session = EventId(log.do(0, SessionPlanned(cid, log.now + DAY, 2)).event_id)
    refused(log, 0, PlaceGiven(session, "Blue\u202egarden"), "name-hidden-character")


def test_circles_are_bounded() -> None:
    log = cell(1)
    for i in range(MAX_CIRCLES):
        log.do(0, CircleOpened(f"c{i}"))
    refused(log, 0, CircleOpened("one too many"), "too-many-items")


def test_oversized_fields_are_refused_by_the_codec() -> None:
    log = cell(2)
    cid, _ = circle_with_readings(log, 1)
    refused(log, 0, ReadingAdded(cid, "t", tuple("q" for _ in range(17))), "field-too-large")
    refused(log, 0, SessionPlanned(cid, log.now + DAY, 13), "field-too-large")


BODIES = st.one_of(
    st.builds(CircleOpened, st.text(min_size=1, max_size=20), st.text(max_size=20)),
    st.builds(
        ReadingAdded,
        st.binary(min_size=16, max_size=16),
        st.text(min_size=1, max_size=20),
        st.lists(st.text(min_size=1, max_size=10), max_size=3).map(tuple),
        st.text(max_size=10),
        st.none() | st.binary(min_size=16, max_size=16),
    ),
    st.builds(
        SessionPlanned,
        st.binary(min_size=16, max_size=16),
        st.integers(0, 2**40 - 1),
        st.integers(1, 12),
        st.none() | st.binary(min_size=16, max_size=16),
    ),
    st.builds(PlaceGiven, st.binary(min_size=16, max_size=16), st.text(min_size=1, max_size=9)),
)


@settings(max_examples=200, deadline=None)
@given(BODIES)
def test_study_events_survive_the_codec(body: Event) -> None:
    log = Log()
    env = log.envelope(0, body)
    assert decode(encode(env)) == env


@settings(max_examples=200, deadline=None)
@given(BODIES, st.integers(0, 3))
def test_any_study_event_is_applied_or_refused_cleanly(body: Event, author: int) -> None:
    log = cell(2)
    circle_with_readings(log, 1)
    before = log.state
    try:
        log.do(author, body)
    except InvalidEvent:
        assert log.state is before
    else:
        assert replay(log.envelopes) == log.state
