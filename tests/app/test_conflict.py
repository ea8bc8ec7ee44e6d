"""Two members commit in the same epoch: the relay stores both in one order and tells the
second it was not first; that member processes the first, never merges its own, and
rebuilds on the new epoch."""

from __future__ import annotations

from hasteh.app import cells, runtime, sync, talk
from tests.app.helpers import CELL, assert_same_words, form_cell, settle_relay


def test_losing_commit_is_rebuilt_not_merged(make_ws, relay) -> None:
    a, b, c = form_cell(make_ws, relay.url, settle_relay, n=3)
    base = cells.find_cell(a, CELL).require_group().epoch
    for ws in (a, b):  # both must rotate their keys: both stage a self-update at `base`
        rt = cells.find_cell(ws, CELL)
        rt.record.needs_update = True
        assert runtime.plan(ws, rt) == "update"
        assert rt.record.pending is not None and rt.record.pending.base_epoch == base
    first = sync.sync(a)
    assert first.conflicts == 0
    assert cells.find_cell(a, CELL).require_group().epoch == base + 1
    second = sync.sync(b)
    assert second.conflicts == 1  # the relay already held a's commit for `base`
    assert second.dropped >= 1  # b's own commit came back after a's: skipped, not merged
    rt_b = cells.find_cell(b, CELL)
    # b processed a's commit, dropped its own, rebuilt it on base + 1, and that one won.
    assert rt_b.require_group().epoch == base + 2
    assert rt_b.record.pending is None and not rt_b.record.needs_update
    settle_relay([a, b, c])
    assert_same_words([a, b, c])
    talk.say(b, CELL, "still one history")
    settle_relay([a, b, c])
    assert "still one history" in {m.text for m in talk.read(c, CELL)}
