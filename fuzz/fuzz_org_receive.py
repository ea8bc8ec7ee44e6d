"""Org events as a member's client receives them: `org.decode`, then `org.receive` on a
cell with members, a thread, an open proposal, decisions (open, closed, carried out) and a
seizure report (`_org_cell`). Only `OrgError` may escape; a refused event leaves the state
as it was; an accepted one folds to the same state unchecked, survives encode/decode, and
every view of the new state (expiry, due closes, decision views) works."""

from __future__ import annotations

from fuzz import _org_cell
from fuzz._common import NOW, Finding, harness, main
from hasteh import org
from hasteh.org import OrgError

STATE, LOG = _org_cell.build()
PRISTINE, _ = _org_cell.build()  # built apart: equality, not identity


@harness
def TestOneInput(data: bytes) -> None:
    try:
        env = org.decode(data)
    except OrgError:
        return
    if org.decode(org.encode(env)) != env:
        raise Finding("an event does not survive encode/decode")
    try:
        received = org.receive(STATE, env)
    except OrgError:
        if STATE != PRISTINE:
            raise Finding("a refused event changed the state") from None
        return
    if org.fold(STATE, env) != received.state:
        raise Finding("checked and unchecked folds disagree")
    new = received.state
    for later in (NOW, NOW + 30 * 86_400):
        org.expire(new, later)
        org.close_due(new, later)
    for decision_id in new.decisions:
        org.view(new, decision_id)
    if STATE != PRISTINE:
        raise Finding("receiving changed the state it started from")


if __name__ == "__main__":
    main(TestOneInput)
