"""The ``study.*`` family: study circles (issue 15).

A circle is named by the id of its `CircleOpened`, a reading by its `ReadingAdded`, a
session by its `SessionPlanned`. A reading's id is also the id of its discussion thread
(a talk thread, ``talk.*`` messages name it), so a reading needs no second event.

A session's place travels apart from the session (`PlaceGiven`), as a code word the
members agreed on, never an address: the session (date, reading) stays in the log as a
record, while the place is deleted from every honest device once the session is over
(its row in `hasteh.org.fold.HANDLERS` expires). A member's reading progress is never an
event: it stays in the member's own vault (`hasteh.app.study`).
"""

from __future__ import annotations

from typing import Annotated, Final

from msgspec import Meta

from hasteh.org.events.base import Event, Id, Question, Reason, Seconds, Title

__all__ = [
    "MAX_CURRICULUM",
    "MAX_QUESTIONS",
    "MAX_SESSION_HOURS",
    "CircleOpened",
    "PlaceGiven",
    "ReadingAdded",
    "ReadingRemoved",
    "ReadingsOrdered",
    "SessionPlanned",
]

#: Questions per reading: enough for a session, too few to bloat every device.
MAX_QUESTIONS: Final = 16
#: A session lasts at most this long; its place is deleted when it ends.
MAX_SESSION_HOURS: Final = 12
#: The most readings a curriculum can hold (the bound of a reorder's list).
MAX_CURRICULUM: Final = 1_000

Questions = Annotated[tuple[Question, ...], Meta(max_length=MAX_QUESTIONS)]
Order = Annotated[tuple[Id, ...], Meta(max_length=MAX_CURRICULUM)]
Hours = Annotated[int, Meta(ge=1, le=MAX_SESSION_HOURS)]
#: A place's code word: short, never an address.
CodeWord = Annotated[str, Meta(min_length=1, max_length=64)]


class CircleOpened(Event, tag="study.circle", frozen=True):
    """A study circle; its author is its convener (the one who shapes its curriculum)."""

    title: Title
    note: Reason = ""


class ReadingAdded(Event, tag="study.reading", frozen=True):
    """A reading at the end of circle `circle_id`'s curriculum, with its questions.
    `item`: the cell library's item it is, if any (an id of a ``library.*`` event)."""

    circle_id: Id
    title: Title
    questions: Questions = ()
    note: Reason = ""
    item: Id | None = None


class ReadingsOrdered(Event, tag="study.order", frozen=True):
    """The curriculum's new order: exactly the circle's readings, each once."""

    circle_id: Id
    order: Order


class ReadingRemoved(Event, tag="study.removed", frozen=True):
    reading_id: Id


class SessionPlanned(Event, tag="study.session", frozen=True):
    """A session of circle `circle_id` at `starts` (unix seconds) for `hours`, on reading
    `reading_id` (None: an open session). Its place comes apart, in `PlaceGiven`."""

    circle_id: Id
    starts: Seconds
    hours: Hours = 2
    reading_id: Id | None = None


class PlaceGiven(Event, tag="study.place", frozen=True):
    """Where session `session_id` meets, as a code word; replaces an earlier one."""

    session_id: Id
    place: CodeWord
