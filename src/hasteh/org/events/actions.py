"""The ``action.*`` family: a cell's work around its demands (strikes, slowdowns,
petitions, protests, gatherings).

An action is named by the id of its `ActionPlanned`; a demand, a task and a review by the
id of the event that added it. Priorities among the demands, the go/no-go and the
"I will take part" count are ordinary decisions (``decision.*``), tied to the action by an
`ActionLinked`: so they are hidden until close and their stances (the opt-ins included)
are deleted from every honest device when they close, exactly as every decision's are.
Nothing here carries a real place or person: the workplace is a code name the cell agreed
on, and a task names its assignee by leaf (shown with the cover name).
"""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta

from hasteh.org.events.base import Event, Id, Leaf, Reason, Seconds, Title

__all__ = [
    "ActionKind",
    "ActionLinked",
    "ActionPlanned",
    "ActionReviewed",
    "DemandAdded",
    "LinkRole",
    "TaskAdded",
    "TaskStatus",
    "TaskUpdated",
]

ActionKind = Literal["strike", "slowdown", "petition", "protest", "gathering"]
TaskStatus = Literal["todo", "doing", "done", "dropped"]
#: What a linked decision decides: the demands' priorities (ranked or multiple choice over
#: the demands), the go/no-go (consent or proposal), the turnout (an opt-in count).
LinkRole = Literal["priorities", "go", "turnout"]
#: A workplace code name: short, never an address.
CodeName = Annotated[str, Meta(min_length=1, max_length=64)]


class ActionPlanned(Event, tag="action.planned", frozen=True):
    """An action of `kind` at the workplace known as `code_name`, on `date` (unix
    seconds). `urgent`: a call for a spontaneous action; every member's device raises a
    discreet notification when it arrives."""

    kind: ActionKind
    code_name: CodeName
    date: Seconds
    note: Reason = ""
    urgent: bool = False


class DemandAdded(Event, tag="action.demand", frozen=True):
    action_id: Id
    text: Title


class ActionLinked(Event, tag="action.linked", frozen=True):
    """Ties decision `decision_id` to action `action_id` in `role` (one per role)."""

    action_id: Id
    decision_id: Id
    role: LinkRole


class TaskAdded(Event, tag="action.task", frozen=True):
    action_id: Id
    title: Title
    assignee: Leaf
    due: Seconds


class TaskUpdated(Event, tag="action.task-status", frozen=True):
    """A task's new status; only its assignee or the action's planner may set it."""

    task_id: Id
    status: TaskStatus


class ActionReviewed(Event, tag="action.review", frozen=True):
    """An after-action review: what went well, what to change (no names needed)."""

    action_id: Id
    went_well: Reason
    to_change: Reason = ""
