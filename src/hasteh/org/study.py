"""Study circles (``study.*``): a curriculum of readings with questions, sessions, and
a place per session that every honest device deletes once the session is over.

Who may do what, and why:

* Any member opens a circle and becomes its **convener**. Only the convener adds,
  reorders or removes readings, plans sessions and gives their places. A decision for
  every change would make a reading list as heavy as a removal; letting every member
  change it would let an informer rewrite the curriculum or send the circle to another
  place. One accountable member per circle, named on every page, is what a study
  circle already has. A convener who is removed or reported seized can change nothing
  more (`require_member`): the circle stays as it was, readable, and the cell opens a
  new one.
* Any member discusses a reading: a reading's id is a talk thread (`ReadingAdded`
  folds one into ``state.threads``), so its messages disappear like all chat.
* Nobody's reading progress is here: it is never an event (`hasteh.app.study` keeps it
  in the member's own vault).

The place (DESIGN §4, "delete what is no longer needed"): a `PlaceGiven` is kept only
until its session ends. Its row expires at that time, so the app deletes the stored
event from the vault, and `expire_places` drops it from memory with the same clock that
sweeps chat. A place for a session that is already over is refused (log time), and a
new place for a session forgets the earlier one.

Rules (checks, using only the state and the envelope, like every family):

* the author is a member not reported seized, and the circle's convener for all but
  `CircleOpened`;
* at most `MAX_CIRCLES` circles per cell, `MAX_READINGS` readings and `MAX_SESSIONS`
  sessions per circle (a hostile member cannot bloat every device);
* a reorder names exactly the circle's readings, each once;
* a session starts between a day before and `MAX_AHEAD` after its log time; its
  reading, if named, is in the circle's curriculum;
* a place is a clean name (`names.require_clean`: no invisible or look-alike tricks)
  and comes before its session ends.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from hasteh.org._checks import require_member
from hasteh.org.circles import Circle, Place, Reading, Session, Study
from hasteh.org.errors import InvalidEvent
from hasteh.org.events import (
    DAY,
    CircleOpened,
    EventEnvelope,
    EventId,
    LeafIndex,
    PlaceGiven,
    ReadingAdded,
    ReadingRemoved,
    ReadingsOrdered,
    SessionPlanned,
)
from hasteh.org.events.study import MAX_CURRICULUM
from hasteh.org.names import require_clean
from hasteh.org.policy import MembershipPolicy
from hasteh.org.state import OrgState, Thread

__all__ = [
    "MAX_AHEAD",
    "MAX_CIRCLES",
    "MAX_READINGS",
    "MAX_SESSIONS",
    "PlacesExpired",
    "expire_places",
    "next_place_expiry",
    "place_of",
]

MAX_CIRCLES: Final = 100
MAX_READINGS: Final = MAX_CURRICULUM
MAX_SESSIONS: Final = 1_000
#: A session may be planned at most this far ahead.
MAX_AHEAD: Final = 365 * DAY
HOUR: Final = 3_600


def _put(state: OrgState, study: Study) -> OrgState:
    return replace(state, study=study)


def _circle(state: OrgState, circle_id: bytes) -> Circle:
    circle = state.study.circles.get(EventId(circle_id))
    if circle is None:
        raise InvalidEvent("unknown-circle")
    return circle


def _convened(state: OrgState, env: EventEnvelope, circle_id: bytes) -> Circle:
    """The circle, if the author may change it (a member, not seized, its convener)."""
    require_member(state, env.author)
    circle = _circle(state, circle_id)
    if env.author != circle.convener:
        raise InvalidEvent("not-the-convener", name=circle.convener_name)
    return circle


def _set_circle(study: Study, circle: Circle) -> Study:
    return replace(study, circles=study.circles.set(circle.circle_id, circle))


# --- circles -----------------------------------------------------------------------------


def check_circle_opened(state: OrgState, env: EventEnvelope, body: CircleOpened) -> None:
    require_member(state, env.author)
    if env.event_id in state.study.circles:
        raise InvalidEvent("duplicate-id")
    if len(state.study.circles) >= MAX_CIRCLES:
        raise InvalidEvent("too-many-items", limit=MAX_CIRCLES)


def fold_circle_opened(
    state: OrgState, env: EventEnvelope, body: CircleOpened, policy: MembershipPolicy
) -> OrgState:
    leaf = LeafIndex(env.author)
    circle = Circle(
        EventId(env.event_id), body.title, body.note, leaf, state.cover_name(leaf), env.at
    )
    return _put(state, _set_circle(state.study, circle))


# --- the curriculum ----------------------------------------------------------------------


def check_reading_added(state: OrgState, env: EventEnvelope, body: ReadingAdded) -> None:
    circle = _convened(state, env, body.circle_id)
    if env.event_id in state.study.readings or env.event_id in state.threads:
        raise InvalidEvent("duplicate-id")
    if len(circle.readings) >= MAX_READINGS:
        raise InvalidEvent("too-many-items", limit=MAX_READINGS)
    if body.item is not None and EventId(body.item) not in state.library:
        raise InvalidEvent("unknown-item")


def fold_reading_added(
    state: OrgState, env: EventEnvelope, body: ReadingAdded, policy: MembershipPolicy
) -> OrgState:
    key = EventId(env.event_id)
    item = None if body.item is None else EventId(body.item)
    reading = Reading(
        key, EventId(body.circle_id), body.title, body.questions, body.note, item, env.at
    )
    study = state.study
    circle = study.circles[reading.circle_id]
    study = _set_circle(study, replace(circle, readings=(*circle.readings, key)))
    study = replace(study, readings=study.readings.set(key, reading))
    thread = Thread(key, body.title, LeafIndex(env.author), env.at)
    return replace(state, study=study, threads=state.threads.set(key, thread))


def check_readings_ordered(state: OrgState, env: EventEnvelope, body: ReadingsOrdered) -> None:
    circle = _convened(state, env, body.circle_id)
    if len(body.order) != len(circle.readings) or set(body.order) != set(circle.readings):
        raise InvalidEvent("bad-order")


def fold_readings_ordered(
    state: OrgState, env: EventEnvelope, body: ReadingsOrdered, policy: MembershipPolicy
) -> OrgState:
    circle = state.study.circles[EventId(body.circle_id)]
    order = tuple(EventId(r) for r in body.order)
    return _put(state, _set_circle(state.study, replace(circle, readings=order)))


def check_reading_removed(state: OrgState, env: EventEnvelope, body: ReadingRemoved) -> None:
    reading = state.study.readings.get(EventId(body.reading_id))
    if reading is None:
        raise InvalidEvent("unknown-reading")
    _convened(state, env, reading.circle_id)


def fold_reading_removed(
    state: OrgState, env: EventEnvelope, body: ReadingRemoved, policy: MembershipPolicy
) -> OrgState:
    """The reading leaves the curriculum and the map; its thread stays (its messages
    expire like all chat), and a session on it shows the reading as removed."""
    key = EventId(body.reading_id)
    study = state.study
    reading = study.readings[key]
    circle = study.circles[reading.circle_id]
    kept = tuple(r for r in circle.readings if r != key)
    study = _set_circle(study, replace(circle, readings=kept))
    return _put(state, replace(study, readings=study.readings.delete(key)))


# --- sessions and places -----------------------------------------------------------------


def check_session_planned(state: OrgState, env: EventEnvelope, body: SessionPlanned) -> None:
    circle = _convened(state, env, body.circle_id)
    if env.event_id in state.study.sessions:
        raise InvalidEvent("duplicate-id")
    if len(circle.sessions) >= MAX_SESSIONS:
        raise InvalidEvent("too-many-items", limit=MAX_SESSIONS)
    if body.reading_id is not None and body.reading_id not in circle.readings:
        raise InvalidEvent("unknown-reading")
    if not env.at - DAY <= body.starts <= env.at + MAX_AHEAD:
        raise InvalidEvent("date-out-of-range", days=MAX_AHEAD // DAY)


def fold_session_planned(
    state: OrgState, env: EventEnvelope, body: SessionPlanned, policy: MembershipPolicy
) -> OrgState:
    key = EventId(env.event_id)
    reading = None if body.reading_id is None else EventId(body.reading_id)
    ends = body.starts + body.hours * HOUR
    session = Session(key, EventId(body.circle_id), reading, body.starts, ends, env.at)
    study = state.study
    circle = study.circles[session.circle_id]
    study = _set_circle(study, replace(circle, sessions=(*circle.sessions, key)))
    return _put(state, replace(study, sessions=study.sessions.set(key, session)))


def check_place_given(state: OrgState, env: EventEnvelope, body: PlaceGiven) -> None:
    session = state.study.sessions.get(EventId(body.session_id))
    if session is None:
        raise InvalidEvent("unknown-session")
    _convened(state, env, session.circle_id)
    if env.at >= session.ends:
        raise InvalidEvent("session-over")
    require_clean(body.place)  # shown as a name: no hidden or look-alike tricks


def _drop_place(study: Study, place: Place) -> Study:
    return replace(
        study,
        places=study.places.delete(place.session_id),
        place_order=study.place_order.discard((place.expires_at, place.session_id)),
    )


def fold_place_given(
    state: OrgState, env: EventEnvelope, body: PlaceGiven, policy: MembershipPolicy
) -> OrgState:
    key = EventId(body.session_id)
    study = state.study
    held = study.places.get(key)
    if held is not None:
        study = _drop_place(study, held)
    ends = study.sessions[key].ends
    place = Place(key, EventId(env.event_id), body.place, ends)
    study = replace(
        study,
        places=study.places.set(key, place),
        place_order=study.place_order.add((ends, key)),
    )
    return _put(state, study)


def forgets_place_given(
    state: OrgState, env: EventEnvelope, body: PlaceGiven
) -> tuple[EventId, ...]:
    """A new place for a session deletes the stored event of the one it replaces."""
    held = state.study.places.get(EventId(body.session_id))
    return () if held is None else (held.event_id,)


def expires_place(state: OrgState, env: EventEnvelope, body: PlaceGiven) -> int:
    """When the stored `PlaceGiven` is deleted: when its session ends."""
    return state.study.sessions[EventId(body.session_id)].ends


@dataclass(frozen=True, slots=True)
class PlacesExpired:
    """The state without the places of sessions that are over, and the ids of their
    `PlaceGiven` events (sorted) to delete from storage."""

    state: OrgState
    forget: tuple[EventId, ...]


def expire_places(state: OrgState, now: int) -> PlacesExpired:
    """Drop every place with ``expires_at <= now``. `now` comes from the caller."""
    study = state.study
    first = study.place_order.first()
    if first is None or first[0] > now:  # the usual case: nothing due, nothing to copy
        return PlacesExpired(state, ())
    due = list(study.place_order.below((now + 1, EventId(b""))))
    gone: list[EventId] = []
    for _, session_id in due:
        held = study.places.get(session_id)
        if held is not None:
            study = _drop_place(study, held)
            gone.append(held.event_id)
    if not due:
        return PlacesExpired(state, ())
    return PlacesExpired(_put(state, study), tuple(sorted(gone)))


def next_place_expiry(state: OrgState) -> int | None:
    """When the soonest place held is deleted (None when none is held)."""
    first = state.study.place_order.first()
    return None if first is None else first[0]


def place_of(state: OrgState, session_id: bytes, now: int) -> str | None:
    """A session's place as shown: None once the session is over, even before the
    sweep has run (a view never shows what is due to be gone)."""
    held = state.study.places.get(EventId(session_id))
    if held is None or held.expires_at <= now:
        return None
    return held.code_word
