"""`talk.read_page`: pages of a thread, newest first, agreeing with the full `talk.read`."""

from __future__ import annotations

from hasteh.app import talk
from tests.app.helpers import CELL, form_cell, settle_relay


def test_pages_partition_the_thread_in_order(make_ws, relay) -> None:
    a, b = form_cell(make_ws, relay.url, settle_relay, n=2)
    for i in range(23):
        talk.say(a if i % 2 else b, CELL, f"m{i:02d}")
    settle_relay([a, b])
    orders = []
    for ws in (a, b):
        everything = [m.text for m in talk.read(ws, CELL)]
        assert sorted(everything) == [f"m{i:02d}" for i in range(23)]
        orders.append(everything)
        pages = [talk.read_page(ws, CELL, page=p, size=10) for p in range(4)]
        assert [len(p.messages) for p in pages] == [10, 10, 3, 0]
        assert all(p.total == 23 for p in pages)
        assert [(p.older, p.newer) for p in pages] == [
            (True, False),
            (True, True),
            (False, True),
            (False, True),
        ]
        # Newest page first; each page oldest first; together exactly the thread.
        joined = [m.text for p in reversed(pages) for m in p.messages]
        assert joined == everything
        assert pages[0].expires_next is not None
    # Both members see one order (this test's clock stands still, so it is the order of
    # (time, event id), not of sending).
    assert orders[0] == orders[1]
