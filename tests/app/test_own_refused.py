"""Something a member did shows as done on their pages at once, before the cell's log has
it. When it comes back refused because another member's event came first, the member is
told by a notice instead of it silently vanishing: a vote cast just before the deadline,
sent only after the responsible member's automatic close. A close by hand that lost to
the automatic close is not worth a notice: the decision is closed all the same."""

from __future__ import annotations

from hasteh.app import decisions, sync
from tests.app.helpers import CELL, form_cell, settle_relay


def notices(ws) -> list[str]:  # type: ignore[no-untyped-def]
    return [a.code for a in sync.alarms(ws, CELL) if a.own]


def open_for_an_hour(ws):  # type: ignore[no-untyped-def]
    deadline = decisions.parse_deadline("+1h", ws.now())
    return decisions.open_decision(
        ws, CELL, kind="single", question="Where?", deadline=deadline, options=["park", "hall"]
    )


def test_a_vote_that_lost_the_race_is_told_to_its_voter(make_ws, relay, clock) -> None:  # type: ignore[no-untyped-def]
    a, b, c = form_cell(make_ws, relay.url, settle_relay, n=3)
    opened = open_for_an_hour(a)
    settle_relay([a, b, c])
    decisions.vote(a, CELL, str(opened.number), choices=["park"])
    settle_relay([a, b, c])
    clock.advance(3590)
    # c votes ten seconds before the deadline, but its device syncs only after a's
    # automatic close went out.
    decisions.vote(c, CELL, str(opened.number), choices=["hall"])
    assert next(s for s in decisions.show(c, CELL) if s.number == opened.number).voted == 2
    clock.advance(20)
    settle_relay([a, b])
    settle_relay([c, a, b])
    settle_relay([a, b, c])
    shown = [next(s for s in decisions.show(m, CELL) if s.number == opened.number) for m in (a, c)]
    assert not any(s.is_open for s in shown) and {s.winners for s in shown} == {("park",)}
    assert notices(a) == [] and notices(b) == [] and notices(c) == ["own-refused"]
    (told,) = [x for x in sync.alarms(c, CELL) if x.code == "own-refused"]
    assert "1" in told.text
    # Read and set aside, like every notice of this device.
    assert sync.dismiss_notices(c, CELL) == 1 and notices(c) == []


def test_a_close_by_hand_after_the_automatic_one_tells_nothing(make_ws, relay, clock) -> None:  # type: ignore[no-untyped-def]
    a, b = form_cell(make_ws, relay.url, settle_relay, n=2)
    opened = open_for_an_hour(a)
    settle_relay([a, b])
    clock.advance(3601)
    decisions.close(b, CELL, str(opened.number))  # a's device closes it too, at its sync
    settle_relay([a, b])
    settle_relay([a, b])
    assert not any(
        s.is_open for m in (a, b) for s in decisions.show(m, CELL) if s.number == opened.number
    )
    assert notices(a) == [] and notices(b) == []
