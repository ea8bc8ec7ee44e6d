"""A rogue member against the cell's work, through the real relay: its client skips every
check and sends what it likes (`tests.app.rogue`), with its own leaf as MLS sender. The
honest members refuse each attempt and their state stays as it was.

What no test can remove, said plainly: while a turnout is open, MLS authenticates every
sender, so a rogue client can note which leaf opted in at the moment it receives the
opt-in. What it cannot do is learn it afterwards from any honest device: after close
the count is all the state and every honest vault holds (`test_actions.py` scans them)."""

from __future__ import annotations

from hasteh.app import Workspace, actions, decisions
from hasteh.app.cells import find_cell
from hasteh.org import DecisionClosed, EventId, OptIn, Outcome, StanceCast
from hasteh.org.events import ActionLinked, DemandAdded, TaskUpdated
from tests.app import rogue
from tests.app.helpers import CELL, NAMES, form_cell, settle_relay

DAY = 86_400


def state_of(ws: Workspace) -> object:
    rt = find_cell(ws, CELL)
    return (rt.org.actions, rt.org.tasks, rt.org.decisions)


def test_a_rogue_member_changes_nothing(make_ws, relay, clock) -> None:
    members = form_cell(make_ws, relay.url, settle_relay, n=3)
    a, b, c = members  # c is the rogue
    now = a.now()
    actions.plan(a, CELL, kind="strike", code_name="Workshop 3", date=now + 2 * DAY)
    settle_relay(members)
    for text in ("Wages on time", "Safety gear"):
        actions.add_demand(a, CELL, "1", text)
    actions.add_task(a, CELL, "1", title="Leaflets", assignee=NAMES[1], due=now + DAY)
    actions.open_turnout(a, CELL, "1", deadline=now + DAY)
    settle_relay(members)
    actions.take_part(a, CELL, "1")
    actions.take_part(c, CELL, "1")
    settle_relay(members)
    rt = find_cell(a, CELL)
    (action,) = rt.org.actions.values()
    turnout = action.links["turnout"]
    task = action.task_ids[0]
    before = [state_of(ws) for ws in (a, b)]

    forged = [
        StanceCast(turnout, OptIn()),  # a second opt-in under a new id
        TaskUpdated(task, "dropped"),  # someone else's task
        ActionLinked(action.action_id, turnout, "go"),  # an opt-in as the go/no-go
        DecisionClosed(turnout, Outcome("counted", (), (5,), 5)),  # an inflated count
    ]
    rogue.send(c, *(rogue.envelope(c, body) for body in forged))
    settle_relay(members)
    assert [state_of(ws) for ws in (a, b)] == before
    for ws in (a, b):
        (shown,) = actions.show(ws, CELL)
        assert shown.turnout == 2 and shown.tasks[0].status == "todo"
        assert set(shown.decisions) == {"turnout"}

    # A flood of demands stops at the bound on every honest device.
    flood = [rogue.envelope(c, DemandAdded(action.action_id, f"d{i}")) for i in range(40)]
    rogue.send(c, *flood)
    settle_relay(members)
    for ws in (a, b):
        assert len(find_cell(ws, CELL).org.actions[action.action_id].demands) == 32

    # The honest close: the count stays 2; nothing on any device names who opted in.
    clock.advance(DAY + 1)
    decisions.close_due(a, CELL)
    settle_relay(members)
    for ws in members:
        closed = find_cell(ws, CELL).org.decisions[EventId(turnout)]
        assert closed.outcome is not None and closed.outcome.counts == (2,)
        assert (closed.optin_tokens, closed.stance_events) == (frozenset(), frozenset())
