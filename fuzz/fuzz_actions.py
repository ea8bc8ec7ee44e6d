"""The ``action.*`` events as a member's client receives them (`org.decode`, then
`org.receive`) on a cell with an action, demands, a task and an open turnout
(`_actions_cell`). Only `OrgError` may escape; a refused event leaves the state as it
was; an accepted one folds to the same state unchecked; the bounds hold (demands, tasks,
reviews); every task an action names exists; and once a turnout closes, no opt-in token
or stance event of it is left, and `forget` lists every opt-in event."""

from __future__ import annotations

from fuzz import _actions_cell
from fuzz._common import Finding, harness, main
from hasteh import org
from hasteh.org import EventId, OrgError
from hasteh.org.actions import MAX_DEMANDS, MAX_REVIEWS, MAX_TASKS

STATE, LOG = _actions_cell.build()
PRISTINE, _ = _actions_cell.build()


@harness
def TestOneInput(data: bytes) -> None:
    try:
        env = org.decode(data)
    except OrgError:
        return
    try:
        received = org.receive(STATE, env)
    except OrgError:
        if STATE != PRISTINE:
            raise Finding("a refused event changed the state") from None
        return
    new = received.state
    if org.fold(STATE, env) != new:
        raise Finding("checked and unchecked folds disagree")
    for action in new.actions.values():
        if len(action.demands) > MAX_DEMANDS or len(action.task_ids) > MAX_TASKS:
            raise Finding("an action outgrew its bounds")
        if len(action.reviews) > MAX_REVIEWS:
            raise Finding("an action holds too many reviews")
        if any(t not in new.tasks for t in action.task_ids):
            raise Finding("an action names a task the state does not hold")
        for role, did in action.links.items():
            decision = new.decisions.get(EventId(did))
            if decision is None:
                raise Finding(f"the {role} of an action names no decision")
            before = STATE.decisions.get(EventId(did))
            if decision.outcome is not None and before is not None and before.is_open:
                if decision.optin_tokens or decision.stance_events or decision.stances:
                    raise Finding("a closed decision kept who took part")
                if set(received.forget) != set(before.stance_events):
                    raise Finding("a close does not forget every opt-in event")
    if STATE != PRISTINE:
        raise Finding("receiving changed the state it started from")


if __name__ == "__main__":
    main(TestOneInput)
