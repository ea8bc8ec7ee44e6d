"""Property: with two relays, members who read them in any interleaving apply the same
commits (no fork). Two members commit at once; each relay may store the two commits in
either order; each member is shown the two relays' envelopes in an interleaving chosen by
hypothesis. Whatever the interleaving, every member ends in the same epoch with the same
safety words, and the commit that counts is the first in the ordering relay's order.

The cell is formed through two real relays (tests/app/test_relays.py); the relays are
then simulated in-process (tests/app/simrelay.py), one per URL, so the orders can vary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from hasteh import vault
from hasteh.app import Workspace, cells, open_workspace, runtime
from tests.app.conftest import FAST, PASS
from tests.app.helpers import CELL, assert_same_words
from tests.app.simrelay import Posted, SimRelay
from tests.app.test_relays import Relays, form

SETTINGS = settings(
    max_examples=8,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MakeWs = Callable[[str], Workspace]


@pytest.fixture
def relays(tmp_path: Path, relay_clock_file: Path) -> Iterator[Relays]:
    pair = Relays(tmp_path, [relay_clock_file, relay_clock_file])
    try:
        yield pair
    finally:
        pair.close()


@pytest.fixture
def fresh(tmp_path_factory: pytest.TempPathFactory, clock: Any) -> Iterator[Callable[[], MakeWs]]:
    """A new folder of profiles for each hypothesis example."""
    opened: list[Workspace] = []

    def factory() -> MakeWs:
        base = tmp_path_factory.mktemp("example")

        def make(name: str) -> Workspace:
            vault.create(base / name, PASS, kdf=FAST, min_kdf=FAST)
            ws = open_workspace(base / name, PASS, min_kdf=FAST, clock=clock)
            opened.append(ws)
            return ws

        return make

    yield factory
    for ws in opened:
        if not ws.vault.closed:
            ws.close()


def stage_update(ws: Workspace) -> bytes:
    """Stage a key update (a commit) in `ws`; its envelope id."""
    rt = cells.find_cell(ws, CELL)
    rt.record.needs_update = True
    assert runtime.plan(ws, rt) == "update"
    pending = rt.record.pending
    assert pending is not None
    return pending.envelope_id


@SETTINGS
@given(data=st.data())
def test_any_interleaving_of_two_relays_applies_one_commit_everywhere(
    fresh: Callable[[], MakeWs], relays: Relays, data: st.DataObject
) -> None:
    a, b, c = form(fresh(), relays.urls)
    start = cells.find_cell(a, CELL).require_group().epoch
    sims = [SimRelay(url) for url in relays.urls]
    mine = {stage_update(a): a, stage_update(b): b}
    committers = [a, b]
    for sim in sims:  # each relay stores the two commits in an order of its own
        for ws in data.draw(st.permutations(committers), label=f"order at {sim.url}"):
            sim.collect(ws)
    assert all(len(sim.log) == 2 for sim in sims)
    for member in (a, b, c):
        queues: list[list[Posted]] = [list(sim.log) for sim in sims]
        steps = data.draw(st.permutations([0] * len(queues[0]) + [1] * len(queues[1])))
        for i in steps:
            sims[i].show(member, [queues[i].pop(0)])
    assert_same_words([a, b, c])
    first = sims[0].log[0].envelope.id
    for member in (a, b, c):
        rt = cells.find_cell(member, CELL)
        assert rt.require_group().epoch == start + 1
        assert not rt.record.deferred
    winner = mine[first]
    assert cells.find_cell(winner, CELL).record.pending is None  # merged its own
