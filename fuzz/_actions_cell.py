"""The harness cell of `_org_cell`, plus an action with its demands, a task, and an open
turnout (an opt-in count with two opt-ins) linked to it: what `fuzz_actions` receives
events against. Ids are a counter, so the corpus seeds can name them."""

from __future__ import annotations

from fuzz import _org_cell
from fuzz._common import NOW
from hasteh import org
from hasteh.org import EventEnvelope, LeafIndex, OptIn, OrgState, StanceCast
from hasteh.org.events import ActionLinked, ActionPlanned, DemandAdded, TaskAdded

DAY = _org_cell.DAY
AT = NOW + DAY


def build() -> tuple[OrgState, list[EventEnvelope]]:
    state, log = _org_cell.build()

    def do(author: int, body: org.AnyEvent) -> EventEnvelope:
        nonlocal state
        env = EventEnvelope(
            org.VERSION, _org_cell.event_id(1000 + len(log)), LeafIndex(author), AT, body
        )
        state = org.apply(state, env)
        log.append(env)
        return env

    action = do(0, ActionPlanned("strike", "Workshop 3", AT + 2 * DAY, "water", False))
    do(1, DemandAdded(action.event_id, "Wages on time"))
    do(0, DemandAdded(action.event_id, "Safety gear"))
    do(0, TaskAdded(action.event_id, "Leaflets", 1, AT + DAY))
    turnout = do(1, org.DecisionOpened("opt-in", "Workshop 3", AT + DAY))
    do(1, ActionLinked(action.event_id, turnout.event_id, "turnout"))
    do(0, StanceCast(turnout.event_id, OptIn()))
    do(1, StanceCast(turnout.event_id, OptIn()))
    return state, log
