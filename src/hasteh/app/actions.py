"""The cell's work (issue 15): plan an action, its demands and tasks, the decisions it
hangs on, "I will take part", an after-action review (through org's ``action.*`` events).

Priorities, go/no-go and turnout are ordinary decisions (`hasteh.app.decisions`) linked
to the action, so they keep the protective defaults of decisions: results hidden until
close, stances (opt-ins included) deleted from every vault at close. The turnout is shown
as a number only, the same to everyone, including whoever opted in: no summary here says
"you opted in" (the view has no such field, so no face can show it).

Actions and tasks are referred to by their number (1, 2, … by planning time; Persian
digits accepted) or by the start of their id, like decisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, get_args

from hasteh import org
from hasteh.app import decisions, runtime
from hasteh.app.cells import find_cell, find_member
from hasteh.app.errors import BadInput, clean_or_refuse
from hasteh.app.runtime import CellRuntime
from hasteh.i18n import parse_digits, whole_number
from hasteh.org.events import (
    ActionKind,
    ActionLinked,
    ActionPlanned,
    ActionReviewed,
    DemandAdded,
    LinkRole,
    TaskAdded,
    TaskStatus,
    TaskUpdated,
)
from hasteh.org.state import Action, OrgState

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = [
    "KINDS",
    "STATUSES",
    "ActionLine",
    "ActionSummary",
    "TaskSummary",
    "add_demand",
    "add_task",
    "lines",
    "one",
    "open_go",
    "open_priorities",
    "open_turnout",
    "plan",
    "review",
    "set_task",
    "show",
    "take_part",
    "urgent_calls",
]

KINDS: Final[tuple[str, ...]] = get_args(ActionKind)
STATUSES: Final[tuple[str, ...]] = get_args(TaskStatus)


@dataclass(frozen=True, slots=True)
class TaskSummary:
    number: int
    title: str
    assignee: str
    due: int
    status: str


@dataclass(frozen=True, slots=True)
class ActionSummary:
    """What the faces show of an action: never who opted in, never who reviewed."""

    number: int
    action_id: str
    kind: str
    code_name: str
    date: int
    note: str
    urgent: bool
    demands: tuple[str, ...]
    tasks: tuple[TaskSummary, ...]
    #: Role → the linked decision as shown (its own protective view).
    decisions: dict[str, decisions.DecisionSummary]
    #: The turnout: while open the number so far (None when hidden), after close the count.
    turnout: int | None
    reviews: tuple[tuple[str, str], ...]


def _actions(rt: CellRuntime) -> list[Action]:
    return sorted(rt.org.actions.values(), key=lambda a: (a.at, a.action_id))


def _find(rt: CellRuntime, ref: str) -> Action:
    value = parse_digits(ref).strip().lstrip("#")
    found = _actions(rt)
    number = whole_number(value, max_digits=6)
    if number is not None and 1 <= number <= len(found):
        return found[number - 1]
    low = value.lower()
    if len(low) >= 4:
        matches = [a for a in found if a.action_id.hex().startswith(low)]
        if len(matches) == 1:
            return matches[0]
    raise BadInput("unknown-action")


def _summary(
    rt: CellRuntime, action: Action, number: int, numbers: dict[bytes, int] | None = None
) -> ActionSummary:
    """`action` as shown; `numbers`: the decisions' numbers, when many actions are shown."""
    linked: dict[str, decisions.DecisionSummary] = {}
    for role, did in sorted(action.links.items()):
        if did in rt.org.decisions:
            place = None if numbers is None else numbers.get(did)
            linked[role] = decisions.summary_of(rt, rt.org.decisions[did], place)
    turnout = _turnout(rt, action)
    tasks = tuple(
        TaskSummary(i, t.title, t.assignee_name, t.due, t.status)
        for i, t in enumerate((rt.org.tasks[k] for k in action.task_ids), 1)
    )
    return ActionSummary(
        number=number,
        action_id=action.action_id.hex()[:8],
        kind=action.kind,
        code_name=action.code_name,
        date=action.date,
        note=action.note,
        urgent=action.urgent,
        demands=tuple(text for _, text in action.demands),
        tasks=tasks,
        decisions=linked,
        turnout=turnout,
        reviews=tuple((r.went_well, r.to_change) for r in action.reviews),
    )


@dataclass(frozen=True, slots=True)
class ActionLine:
    """One line of the list of actions: what a list shows, cheap to make for 1,000."""

    number: int
    action_id: str
    kind: str
    code_name: str
    date: int
    urgent: bool
    turnout: int | None


def _turnout(rt: CellRuntime, action: Action) -> int | None:
    """The count as shown: while open the number so far (None when hidden), then the
    kept count (None in outcome-only mode, which an opt-in never is)."""
    did = action.links.get("turnout")
    decision = rt.org.decisions.get(did) if did is not None else None
    if decision is None:
        return None
    if decision.is_open:
        return decision.voted
    outcome = decision.outcome
    return None if outcome is None or not outcome.counts else outcome.counts[0]


def lines(ws: Workspace, cell: str) -> list[ActionLine]:
    """Every action of the cell as a line of the list, by number."""
    rt = find_cell(ws, cell)
    return [
        ActionLine(n, a.action_id.hex()[:8], a.kind, a.code_name, a.date, a.urgent, _turnout(rt, a))
        for n, a in enumerate(_actions(rt), 1)
    ]


def one(ws: Workspace, cell: str, action: str) -> ActionSummary:
    """One action in full, by number or the start of its id."""
    rt = find_cell(ws, cell)
    return _one(rt, _find(rt, action))


def show(ws: Workspace, cell: str) -> list[ActionSummary]:
    """Every action of the cell, by number."""
    rt = find_cell(ws, cell)
    numbers = decisions.numbers(rt)
    return [_summary(rt, a, n, numbers) for n, a in enumerate(_actions(rt), 1)]


def _one(rt: CellRuntime, action: Action) -> ActionSummary:
    number = next(i for i, a in enumerate(_actions(rt), 1) if a.action_id == action.action_id)
    return _summary(rt, rt.org.actions[action.action_id], number)


def plan(
    ws: Workspace,
    cell: str,
    *,
    kind: str,
    code_name: str,
    date: int,
    note: str = "",
    urgent: bool = False,
) -> ActionSummary:
    """Plan an action (or, `urgent`, call one now: every member is notified)."""
    rt = find_cell(ws, cell)
    rt.require_group()
    if kind not in KINDS:
        raise BadInput("bad-action-kind", kinds=", ".join(KINDS))
    code = clean_or_refuse(code_name)
    body = ActionPlanned(kind, code, date, note.strip(), urgent)  # type: ignore[arg-type]
    env = runtime.send_event(ws, rt, body)
    return _one(rt, rt.org.actions[org.EventId(env.event_id)])


def add_demand(ws: Workspace, cell: str, action: str, text: str) -> ActionSummary:
    rt = find_cell(ws, cell)
    rt.require_group()
    found = _find(rt, action)
    runtime.send_event(ws, rt, DemandAdded(found.action_id, text.strip()))
    return _one(rt, found)


def add_task(
    ws: Workspace, cell: str, action: str, *, title: str, assignee: str, due: int
) -> ActionSummary:
    """A task for the member under cover name `assignee`."""
    rt = find_cell(ws, cell)
    rt.require_group()
    found = _find(rt, action)
    leaf = find_member(rt, assignee)
    runtime.send_event(ws, rt, TaskAdded(found.action_id, title.strip(), leaf, due))
    return _one(rt, found)


def set_task(ws: Workspace, cell: str, action: str, task: str, status: str) -> ActionSummary:
    rt = find_cell(ws, cell)
    rt.require_group()
    found = _find(rt, action)
    if status not in STATUSES:
        raise BadInput("bad-task-status", statuses=", ".join(STATUSES))
    number = whole_number(parse_digits(task).strip().lstrip("#"), max_digits=4)
    if number is None or not 1 <= number <= len(found.task_ids):
        raise BadInput("unknown-task")
    body = TaskUpdated(found.task_ids[number - 1], status)  # type: ignore[arg-type]
    runtime.send_event(ws, rt, body)
    return _one(rt, found)


def _link(ws: Workspace, rt: CellRuntime, action: Action, role: LinkRole, did: str) -> None:
    decision = decisions.find(rt, did)
    runtime.send_event(ws, rt, ActionLinked(action.action_id, decision.decision_id, role))


def open_turnout(ws: Workspace, cell: str, action: str, *, deadline: int) -> ActionSummary:
    """Open the "I will take part" count (an opt-in decision) and link it."""
    rt = find_cell(ws, cell)
    found = _find(rt, action)
    opened = decisions.open_decision(
        ws, cell, kind="optin", question=found.code_name, deadline=deadline
    )
    _link(ws, rt, found, "turnout", opened.decision_id)
    return _one(rt, found)


def open_go(ws: Workspace, cell: str, action: str, *, deadline: int) -> ActionSummary:
    """Open the go/no-go (a consent decision) and link it."""
    rt = find_cell(ws, cell)
    found = _find(rt, action)
    opened = decisions.open_decision(
        ws, cell, kind="consent", question=found.code_name, deadline=deadline
    )
    _link(ws, rt, found, "go", opened.decision_id)
    return _one(rt, found)


def open_priorities(
    ws: Workspace, cell: str, action: str, *, deadline: int, dots: bool = False
) -> ActionSummary:
    """Open the vote on the demands' priorities (ranked; `dots`: a dot-vote, that is a
    multiple choice) and link it."""
    rt = find_cell(ws, cell)
    found = _find(rt, action)
    demands = [text for _, text in found.demands]
    if len(demands) < 2:
        raise BadInput("too-few-demands")
    opened = decisions.open_decision(
        ws,
        cell,
        kind="multiple" if dots else "ranked",
        question=found.code_name,
        deadline=deadline,
        options=demands,
    )
    _link(ws, rt, found, "priorities", opened.decision_id)
    return _one(rt, found)


def take_part(ws: Workspace, cell: str, action: str) -> ActionSummary:
    """ "I will take part": one opt-in in the action's open turnout count."""
    rt = find_cell(ws, cell)
    found = _find(rt, action)
    did = found.links.get("turnout")
    decision = rt.org.decisions.get(did) if did is not None else None
    if decision is None or not decision.is_open:
        raise BadInput("no-turnout")
    decisions.vote(ws, cell, decision.decision_id.hex())
    return _one(rt, found)


def review(
    ws: Workspace, cell: str, action: str, *, went_well: str, to_change: str = ""
) -> ActionSummary:
    rt = find_cell(ws, cell)
    rt.require_group()
    found = _find(rt, action)
    body = ActionReviewed(found.action_id, went_well.strip(), to_change.strip())
    runtime.send_event(ws, rt, body)
    return _one(rt, found)


def urgent_calls(before: OrgState, after: OrgState) -> int:
    """How many urgent calls entered the log between two states (what a notification
    announces: a number, no content, no cell name)."""
    return sum(1 for k, a in after.actions.items() if a.urgent and k not in before.actions)
