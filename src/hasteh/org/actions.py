"""Actions family (``action.*``): plan a strike, slowdown, petition, protest or gathering,
its demands, tasks, the decisions it hangs on, and an after-action review.

What this module deliberately does not hold:

* **Who takes part.** "I will take part" is an opt-in decision linked as the action's
  ``turnout``: `hasteh.org.decisions` keeps only a count and one token per participant
  while it is open, and at close the count alone remains; `receive` returns the opt-in
  events so every honest device deletes them from its vault. While the count is open MLS
  authenticates every sender, so a modified client can record who opted in; nothing in a
  log of leaf-authenticated messages can prevent that, and the faces say so plainly.
* **Who reviewed.** A review is kept without its author (what was learned matters, not who
  said it); the envelope's author is used for the check and then dropped.

Rules (checks, using only the state and the envelope, like every family):

* the author is a member not reported seized (`require_member`);
* a code name is a clean name (`names.require_clean`: no invisible, control or
  direction characters, no mixed scripts), like a cover name;
* an action's date lies between a day before and `MAX_AHEAD` after its log time;
* at most `MAX_DEMANDS` demands, `MAX_TASKS` tasks and `MAX_REVIEWS` reviews per action,
  and `MAX_ACTIONS` actions per cell (a hostile member cannot bloat every device);
* a task's assignee is a member; only the assignee or the action's planner changes a
  task's status;
* a linked decision exists, is open, and fits its role: ``priorities`` a ranked or
  multiple choice whose options are exactly the demands (in any order: two members
  may see concurrent demands in different orders until the log settles), ``go`` a
  consent or proposal, ``turnout`` an opt-in; each role is linked once;
* a review comes on or after the action's date.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from hasteh.org._checks import require_member
from hasteh.org.errors import InvalidEvent
from hasteh.org.events import (
    DAY,
    ActionLinked,
    ActionPlanned,
    ActionReviewed,
    DemandAdded,
    EventEnvelope,
    EventId,
    LeafIndex,
    LinkRole,
    TaskAdded,
    TaskUpdated,
)
from hasteh.org.names import require_clean
from hasteh.org.policy import MembershipPolicy
from hasteh.org.state import Action, OrgState, Review, Task

__all__ = [
    "MAX_ACTIONS",
    "MAX_AHEAD",
    "MAX_DEMANDS",
    "MAX_REVIEWS",
    "MAX_TASKS",
    "ROLE_KINDS",
]

MAX_ACTIONS: Final = 1_000
MAX_DEMANDS: Final = 32
MAX_TASKS: Final = 64
MAX_REVIEWS: Final = 16
#: An action or a task's due date may be at most this far after it is planned.
MAX_AHEAD: Final = 365 * DAY
#: A role and the decision kinds that may fill it.
ROLE_KINDS: Final[dict[LinkRole, tuple[str, ...]]] = {
    "priorities": ("ranked", "multiple"),
    "go": ("consent", "proposal"),
    "turnout": ("opt-in",),
}


def _action(state: OrgState, action_id: bytes) -> Action:
    action = state.actions.get(EventId(action_id))
    if action is None:
        raise InvalidEvent("unknown-action")
    return action


def _in_range(when: int, at: int) -> None:
    if not at - DAY <= when <= at + MAX_AHEAD:
        raise InvalidEvent("date-out-of-range", days=MAX_AHEAD // DAY)


def _put(state: OrgState, action: Action) -> OrgState:
    return replace(state, actions=state.actions.set(action.action_id, action))


# --- plan --------------------------------------------------------------------------------


def check_action_planned(state: OrgState, env: EventEnvelope, body: ActionPlanned) -> None:
    require_member(state, env.author)
    if env.event_id in state.actions:
        raise InvalidEvent("duplicate-id")
    if len(state.actions) >= MAX_ACTIONS:
        raise InvalidEvent("too-many-items", limit=MAX_ACTIONS)
    require_clean(body.code_name)  # shown as a name: no hidden or look-alike tricks
    _in_range(body.date, env.at)


def fold_action_planned(
    state: OrgState, env: EventEnvelope, body: ActionPlanned, policy: MembershipPolicy
) -> OrgState:
    action = Action(
        action_id=EventId(env.event_id),
        kind=body.kind,
        code_name=body.code_name,
        date=body.date,
        note=body.note,
        urgent=body.urgent,
        planned_by=LeafIndex(env.author),
        at=env.at,
    )
    return _put(state, action)


# --- demands -----------------------------------------------------------------------------


def check_demand_added(state: OrgState, env: EventEnvelope, body: DemandAdded) -> None:
    require_member(state, env.author)
    action = _action(state, body.action_id)
    if len(action.demands) >= MAX_DEMANDS:
        raise InvalidEvent("too-many-items", limit=MAX_DEMANDS)
    if any(text == body.text for _, text in action.demands):
        raise InvalidEvent("duplicate-id")


def fold_demand_added(
    state: OrgState, env: EventEnvelope, body: DemandAdded, policy: MembershipPolicy
) -> OrgState:
    action = state.actions[EventId(body.action_id)]
    demands = (*action.demands, (EventId(env.event_id), body.text))
    return _put(state, replace(action, demands=demands))


# --- decisions ---------------------------------------------------------------------------


def check_action_linked(state: OrgState, env: EventEnvelope, body: ActionLinked) -> None:
    require_member(state, env.author)
    action = _action(state, body.action_id)
    if body.role in action.links:
        raise InvalidEvent("already-linked", role=body.role)
    decision = state.decisions.get(EventId(body.decision_id))
    if decision is None:
        raise InvalidEvent("unknown-decision")
    if not decision.is_open:
        raise InvalidEvent("already-closed")
    if decision.kind not in ROLE_KINDS[body.role]:
        raise InvalidEvent("bad-link", role=body.role, kind=decision.kind)
    demands = sorted(t for _, t in action.demands)
    if body.role == "priorities" and sorted(decision.options) != demands:
        raise InvalidEvent("bad-link", role=body.role, kind=decision.kind)


def fold_action_linked(
    state: OrgState, env: EventEnvelope, body: ActionLinked, policy: MembershipPolicy
) -> OrgState:
    action = state.actions[EventId(body.action_id)]
    links = {**action.links, body.role: EventId(body.decision_id)}
    return _put(state, replace(action, links=links))


# --- tasks -------------------------------------------------------------------------------


def check_task_added(state: OrgState, env: EventEnvelope, body: TaskAdded) -> None:
    require_member(state, env.author)
    action = _action(state, body.action_id)
    if env.event_id in state.tasks:
        raise InvalidEvent("duplicate-id")
    if len(action.task_ids) >= MAX_TASKS:
        raise InvalidEvent("too-many-items", limit=MAX_TASKS)
    if body.assignee not in state.members:
        raise InvalidEvent("not-a-member", leaf=body.assignee)
    _in_range(body.due, env.at)


def fold_task_added(
    state: OrgState, env: EventEnvelope, body: TaskAdded, policy: MembershipPolicy
) -> OrgState:
    key = EventId(env.event_id)
    leaf = LeafIndex(body.assignee)
    task = Task(key, EventId(body.action_id), body.title, leaf, state.cover_name(leaf), body.due)
    action = state.actions[EventId(body.action_id)]
    state = _put(state, replace(action, task_ids=(*action.task_ids, key)))
    return replace(state, tasks=state.tasks.set(key, task))


def check_task_updated(state: OrgState, env: EventEnvelope, body: TaskUpdated) -> None:
    require_member(state, env.author)
    task = state.tasks.get(EventId(body.task_id))
    if task is None:
        raise InvalidEvent("unknown-task")
    planner = state.actions[task.action_id].planned_by
    if env.author not in (task.assignee, planner):
        raise InvalidEvent("not-your-task")


def fold_task_updated(
    state: OrgState, env: EventEnvelope, body: TaskUpdated, policy: MembershipPolicy
) -> OrgState:
    key = EventId(body.task_id)
    task = replace(state.tasks[key], status=body.status)
    return replace(state, tasks=state.tasks.set(key, task))


# --- review ------------------------------------------------------------------------------


def check_action_reviewed(state: OrgState, env: EventEnvelope, body: ActionReviewed) -> None:
    require_member(state, env.author)
    action = _action(state, body.action_id)
    if env.at < action.date:
        raise InvalidEvent("review-too-early")
    if len(action.reviews) >= MAX_REVIEWS:
        raise InvalidEvent("too-many-items", limit=MAX_REVIEWS)


def fold_action_reviewed(
    state: OrgState, env: EventEnvelope, body: ActionReviewed, policy: MembershipPolicy
) -> OrgState:
    action = state.actions[EventId(body.action_id)]
    review = Review(EventId(env.event_id), body.went_well, body.to_change)
    return _put(state, replace(action, reviews=(*action.reviews, review)))
