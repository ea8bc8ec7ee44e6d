"""The ``study.*`` events as a member's client receives them (`org.decode`, then
`org.receive`) on a cell with a study circle, two readings, a session and its place
(`_study_cell`). Only `OrgError` may escape; a refused event leaves the state as it was;
an accepted one folds to the same state unchecked; no one but a circle's convener changes
its curriculum, sessions or places; the curriculum names only readings the state holds,
each once; a place is held only for a session that exists and until it ends; `forget`
names only the place event a new place replaces; and once every session is over, the
sweep leaves no place at all."""

from __future__ import annotations

from fuzz import _study_cell
from fuzz._common import Finding, harness, main
from hasteh import org
from hasteh.org import OrgError
from hasteh.org.events import CircleOpened
from hasteh.org.study import MAX_READINGS, MAX_SESSIONS, expire_places

STATE, LOG = _study_cell.build()
PRISTINE, _ = _study_cell.build()
#: Long after any session the harness can accept (a year ahead, plus its hours).
FAR = _study_cell.AT + 400 * _study_cell.DAY


def _check(before: org.OrgState, new: org.OrgState, env: org.EventEnvelope) -> None:
    study = new.study
    changed = [c for k, c in study.circles.items() if before.study.circles.get(k) != c]
    if not isinstance(env.body, CircleOpened | org.MessagePosted):
        if any(c.convener != env.author for c in changed):
            raise Finding("someone other than the convener changed a circle")
    for circle in study.circles.values():
        if len(set(circle.readings)) != len(circle.readings):
            raise Finding("a curriculum names a reading twice")
        if len(circle.readings) > MAX_READINGS or len(circle.sessions) > MAX_SESSIONS:
            raise Finding("a circle outgrew its bounds")
        if any(r not in study.readings for r in circle.readings):
            raise Finding("a curriculum names a reading the state does not hold")
        if any(r not in new.threads for r in circle.readings):
            raise Finding("a reading has no discussion thread")
    for session_id, place in study.places.items():
        session = study.sessions.get(session_id)
        if session is None or place.expires_at != session.ends:
            raise Finding("a place outlives its session")
    if len(study.place_order) != len(study.places):
        raise Finding("the places and their expiry index disagree")
    if expire_places(new, FAR).state.study.places:
        raise Finding("a place survived the sweep after every session")


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
    _check(STATE, new, env)
    held = {p.event_id for p in STATE.study.places.values()}
    if not set(received.forget) <= held:
        raise Finding("an event forgets something other than a replaced place")
    if STATE != PRISTINE:
        raise Finding("receiving changed the state it started from")


if __name__ == "__main__":
    main(TestOneInput)
