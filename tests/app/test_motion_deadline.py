"""A motion chosen to last "one day" still lasts a day when it reaches the relay late.

A motion (a settings change, a removal, the end of a trial) must stay open a day from the
moment it enters the log, which is the relay's stamp, not the author's clock. Opened at
exactly one day and stamped a minute later, every member would refuse it and the author's
device would drop it on its return: the decision a worker just opened would vanish. The app
gives such a deadline `MOTION_MARGIN` more."""

from __future__ import annotations

from hasteh.app import decisions
from hasteh.app.cells import find_cell
from tests.app.helpers import CELL, form_cell, settle_relay


def test_a_one_day_motion_survives_a_late_relay_stamp(make_ws, relay, clock) -> None:
    a, b = form_cell(make_ws, relay.url, settle_relay, n=2)
    opened = decisions.change_settings(a, CELL, deadline=int(a.now()) + 86_400, cap=6)
    assert opened.deadline >= int(a.now()) + 86_400 + decisions.MOTION_MARGIN
    clock.advance(60)  # the relay stamps the motion a minute after it was made
    settle_relay([a, b])
    for ws in (a, b):
        shown = [s for s in decisions.show(ws, CELL) if s.number == opened.number]
        assert shown and shown[0].is_open, ws
    for ws in (a, b):
        decisions.vote(ws, CELL, str(opened.number), position="agree")
    settle_relay([a, b])
    decisions.close(a, CELL, str(opened.number))
    settle_relay([a, b])
    assert all(find_cell(ws, CELL).org.settings.size_cap == 6 for ws in (a, b))


def test_a_motion_shorter_than_a_day_is_still_refused(make_ws, relay, clock) -> None:
    a, _b = form_cell(make_ws, relay.url, settle_relay, n=2)
    before = len(decisions.show(a, CELL))
    try:
        decisions.change_settings(a, CELL, deadline=int(a.now()) + 86_399, cap=6)
    except Exception as refused:
        assert getattr(refused, "code", "") == "motion-too-soon"
    else:
        raise AssertionError("a motion of less than a day was accepted")
    assert len(decisions.show(a, CELL)) == before
