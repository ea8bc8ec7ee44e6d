"""Proof 5: the whole of scenario 1 with no relay reachable, by courier bundles only."""

from __future__ import annotations

from hasteh.app import sync
from tests.app.helpers import settle_courier
from tests.app.test_scenario import run_scenario
from tests.relay.harness import free_port


def test_scenario_one_by_courier_bundles_only(make_ws, clock) -> None:
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there: the relay is down
    members = run_scenario(make_ws, dead, settle_courier, clock)
    # Nothing ever reached a relay, and a sync says so without failing.
    report = sync.sync(members[0])
    assert report.sent == 0 and dead in report.unreachable
