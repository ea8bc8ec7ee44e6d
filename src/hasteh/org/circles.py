"""Study circles as values: `Circle`, `Reading`, `Session`, `Place` and `Study`, the part
of a cell's state the ``study.*`` family folds into (`hasteh.org.study` has the rules;
this module only the shapes, so `hasteh.org.state` can hold a `Study` without importing
the folds)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hasteh.org.events import EventId, LeafIndex
from hasteh.org.pmap import PMap
from hasteh.org.psorted import PSorted

__all__ = ["Circle", "Place", "Reading", "Session", "Study"]


@dataclass(frozen=True, slots=True)
class Reading:
    """One reading of a curriculum; its id is also its discussion thread's id."""

    reading_id: EventId
    circle_id: EventId
    title: str
    questions: tuple[str, ...]
    note: str
    #: The cell library's item it is, if any.
    item: EventId | None
    at: int


@dataclass(frozen=True, slots=True)
class Session:
    session_id: EventId
    circle_id: EventId
    reading_id: EventId | None
    starts: int
    #: When it is over, and its place (if any) is deleted.
    ends: int
    at: int


@dataclass(frozen=True, slots=True)
class Place:
    """A session's place, held only until the session ends."""

    session_id: EventId
    #: The `PlaceGiven` that said it (deleted from the vault with it).
    event_id: EventId
    code_word: str
    expires_at: int


@dataclass(frozen=True, slots=True)
class Circle:
    circle_id: EventId
    title: str
    note: str
    #: Its author: the only member who shapes its curriculum and plans its sessions.
    convener: LeafIndex
    convener_name: str
    at: int
    #: The curriculum: reading ids in their order.
    readings: tuple[EventId, ...] = ()
    #: Its sessions, in the order they were planned.
    sessions: tuple[EventId, ...] = ()


@dataclass(frozen=True, slots=True)
class Study:
    """Every circle of a cell, their readings and sessions, and the places still held
    (with an index by expiry, so the places due are found without a scan)."""

    circles: PMap[EventId, Circle] = field(default_factory=PMap)
    readings: PMap[EventId, Reading] = field(default_factory=PMap)
    sessions: PMap[EventId, Session] = field(default_factory=PMap)
    #: Session id → its place, while the session is not over.
    places: PMap[EventId, Place] = field(default_factory=PMap)
    #: ``(expires_at, session_id)`` of every place held, soonest first.
    place_order: PSorted[tuple[int, EventId]] = field(default_factory=PSorted)
