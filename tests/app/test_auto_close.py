"""Deadlines close decisions by themselves: after the deadline, a sync by the responsible
member (the lowest leaf) closes the decision, and every member sees the same outcome
without anyone closing it by hand."""

from __future__ import annotations

from hasteh.app import decisions
from tests.app.helpers import CELL, form_cell, settle_relay


def test_a_decision_closes_at_its_deadline(make_ws, relay, clock) -> None:
    a, b, c = form_cell(make_ws, relay.url, settle_relay, n=3)
    opened = decisions.open_decision(
        b,
        CELL,
        kind="single",
        question="Where?",
        deadline=decisions.parse_deadline("+1h", a.now()),
        options=["park", "hall"],
    )
    settle_relay([a, b, c])
    for m, choice in ((a, "park"), (b, "park"), (c, "hall")):
        decisions.vote(m, CELL, str(opened.number), choices=[choice])
    settle_relay([a, b, c])
    settle_relay([a, b, c])
    # Before the deadline nothing closes it (not everyone is asked to close by hand).
    assert all(
        next(s for s in decisions.show(m, CELL) if s.number == opened.number).is_open
        for m in (a, b, c)
    )
    clock.advance(3601)
    settle_relay([a, b, c])
    shown = [
        next(s for s in decisions.show(m, CELL) if s.number == opened.number) for m in (a, b, c)
    ]
    assert not any(s.is_open for s in shown)
    assert {(s.status, s.winners) for s in shown} == {(shown[0].status, ("park",))}
