"""The harness cell of `_org_cell`, plus a study circle (convened by leaf 0) with two
readings, a session on the first and its place: what `fuzz_study` receives events
against. Ids are a counter, so the corpus seeds can name them."""

from __future__ import annotations

from fuzz import _org_cell
from fuzz._common import NOW
from hasteh import org
from hasteh.org import EventEnvelope, LeafIndex, OrgState
from hasteh.org.events import CircleOpened, PlaceGiven, ReadingAdded, SessionPlanned

DAY = _org_cell.DAY
AT = NOW + DAY


def build() -> tuple[OrgState, list[EventEnvelope]]:
    state, log = _org_cell.build()

    def do(author: int, body: org.AnyEvent) -> EventEnvelope:
        nonlocal state
        env = EventEnvelope(
            org.VERSION, _org_cell.event_id(2000 + len(log)), LeafIndex(author), AT, body
        )
        state = org.apply(state, env)
        log.append(env)
        return env

    circle = do(0, CircleOpened("Wages and profit", "a chapter a week"))
    first = do(0, ReadingAdded(circle.event_id, "Chapter 1", ("What is a wage?",)))
    do(0, ReadingAdded(circle.event_id, "Chapter 2", (), "", _org_cell.event_id(77)))
    session = do(0, SessionPlanned(circle.event_id, AT + DAY, 2, first.event_id))
    do(0, PlaceGiven(session.event_id, "Blue garden"))
    return state, log
