"""The harness cell of `_org_cell`, plus a library item (id 77) and a study circle
(convened by leaf 0) with two readings, the second from the library, a session on the
first and its place: what `fuzz_study` receives events against. Ids are a counter, so
the corpus seeds can name them (the library item is not counted, so they stay as they
were before it)."""

from __future__ import annotations

from fuzz import _org_cell
from fuzz._common import NOW
from hasteh import org
from hasteh.org import EventEnvelope, LeafIndex, OrgState
from hasteh.org.events import (
    CircleOpened,
    LibraryAdded,
    PlaceGiven,
    ReadingAdded,
    SessionPlanned,
)

DAY = _org_cell.DAY
AT = NOW + DAY


def build() -> tuple[OrgState, list[EventEnvelope]]:
    state, log = _org_cell.build()
    item = _org_cell.event_id(77)
    library = EventEnvelope(
        org.VERSION, item, LeafIndex(1), AT, LibraryAdded("Wage labour and capital", "reading")
    )
    state = org.apply(state, library)
    log.append(library)
    base = 2000 - 1  # the library item is not counted: the seeds' ids stay as they were

    def do(author: int, body: org.AnyEvent) -> EventEnvelope:
        nonlocal state
        env = EventEnvelope(
            org.VERSION, _org_cell.event_id(base + len(log)), LeafIndex(author), AT, body
        )
        state = org.apply(state, env)
        log.append(env)
        return env

    circle = do(0, CircleOpened("Wages and profit", "a chapter a week"))
    first = do(0, ReadingAdded(circle.event_id, "Chapter 1", ("What is a wage?",)))
    do(0, ReadingAdded(circle.event_id, "Chapter 2", (), "", item))
    session = do(0, SessionPlanned(circle.event_id, AT + DAY, 2, first.event_id))
    do(0, PlaceGiven(session.event_id, "Blue garden"))
    return state, log
