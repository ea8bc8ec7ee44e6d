"""Something a member did shows as done on their pages at once, before the cell's log has
it. When it comes back refused (another member's came first: two closes of one decision
at the same time), the member is told by a notice instead of it silently vanishing; the
other member, whose close counted, is told nothing."""

from __future__ import annotations

from hasteh.app import decisions, sync
from tests.app.helpers import CELL, form_cell, settle_relay


def notices(ws) -> list[str]:  # type: ignore[no-untyped-def]
    return [a.code for a in sync.alarms(ws, CELL) if a.own]


def test_a_close_that_lost_the_race_is_told_to_its_author(make_ws, relay, clock) -> None:  # type: ignore[no-untyped-def]
    a, b = form_cell(make_ws, relay.url, settle_relay, n=2)
    opened = decisions.open_decision(
        a,
        CELL,
        kind="single",
        question="Where?",
        deadline=decisions.parse_deadline("+1h", a.now()),
        options=["park", "hall"],
    )
    settle_relay([a, b])
    decisions.vote(a, CELL, str(opened.number), choices=["park"])
    decisions.vote(b, CELL, str(opened.number), choices=["park"])
    settle_relay([a, b])
    clock.advance(3601)
    # Both close it before either has seen the other's close.
    decisions.close(a, CELL, str(opened.number))
    decisions.close(b, CELL, str(opened.number))
    assert not any(  # each one's own page shows it closed already
        s.is_open for m in (a, b) for s in decisions.show(m, CELL) if s.number == opened.number
    )
    settle_relay([a, b])
    settle_relay([a, b])
    assert notices(a) == [] and notices(b) == ["own-refused"]
    shown = [next(s for s in decisions.show(m, CELL) if s.number == opened.number) for m in (a, b)]
    assert not any(s.is_open for s in shown) and shown[0].status == shown[1].status
    (told,) = [x for x in sync.alarms(b, CELL) if x.code == "own-refused"]
    assert "1" in told.text
    # Read and set aside, like every notice of this device.
    assert sync.dismiss_notices(b, CELL) == 1 and notices(b) == []
