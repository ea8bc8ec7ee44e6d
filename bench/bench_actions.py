"""Web page render time for the cell's work: 1,000 actions (the most a cell may hold).

    uv run python bench/bench_actions.py [--actions 1000] [--requests 200]

Setup (not timed): a profile with one cell (`cells.create_cell`; its relay is a closed
loopback port, nothing is sent), then, through the app's fold-and-store path
(`runtime.accept_event` + `runtime.write`, what `sync` does with received events), A
actions with a demand each; one in four with a turnout (an opt-in decision, linked, with
one opt-in), half of those closed; the newest with 32 demands and 64 tasks (the most an
action may hold). No MLS protection (it plays no part in rendering).

Timed: GET through the real ASGI app in-process (`httpx.ASGITransport`), after unlocking
and 5 warm-up requests: the list of actions (all A), the biggest action's page, and a
small action's page. p50/p95/max in milliseconds; target p95 < 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._pages import Timing, machine_line, new_workspace, print_table, time_pages, unlocked  # noqa: E402

from hasteh import org  # noqa: E402
from hasteh.app import cells, runtime  # noqa: E402
from hasteh.org import (  # noqa: E402  # noqa: E402
    DecisionClosed,
    DecisionOpened,
    EventEnvelope,
    EventId,
    LeafIndex,
    OptIn,
    StanceCast,
)
from hasteh.org.events import ActionLinked, ActionPlanned, DemandAdded, TaskAdded  # noqa: E402

PORT = 8798
NO_RELAY = "http://127.0.0.1:9"
DAY = 86_400


def build(home: Path, count: int) -> str:
    """The profile with the busy cell; returns the cell's id."""
    ws = new_workspace(home)
    try:
        rt = cells.create_cell(ws, "bench", cover_name="sepideh", relays=[NO_RELAY])
        leaf = LeafIndex(0)
        now = ws.now()

        def accept(at: int, body: org.AnyEvent) -> EventEnvelope:
            env = EventEnvelope(org.VERSION, EventId(os.urandom(16)), leaf, at, body)
            runtime.accept_event(rt, env)
            return env

        def fill(conn: object) -> None:
            for i in range(count):
                at = now - count + i
                action = accept(at, ActionPlanned("strike", f"کارگاه {i}", at + 3 * DAY))
                accept(at, DemandAdded(action.event_id, "دستمزد به موقع"))
                if i == count - 1:
                    for j in range(31):
                        accept(at, DemandAdded(action.event_id, f"خواسته {j}"))
                    for j in range(64):
                        accept(at, TaskAdded(action.event_id, f"وظیفه {j}", 0, at + DAY))
                if i % 4 == 0:
                    opened = accept(at, DecisionOpened("opt-in", f"کارگاه {i}", at + DAY))
                    accept(at, ActionLinked(action.event_id, opened.event_id, "turnout"))
                    accept(at, StanceCast(opened.event_id, OptIn()))
                    if i % 8 == 0:
                        decision = rt.org.decisions[EventId(opened.event_id)]
                        closing = DecisionClosed(opened.event_id, org.compute_outcome(decision))
                        accept(at, closing)

        runtime.write(ws, rt, fill)
        assert len(rt.org.actions) == count
        ws.forget_cache()
        return cells.summary(rt).cell_id
    finally:
        ws.close()


async def measure(home: Path, cell_id: str, requests: int) -> dict[str, Timing]:
    async with unlocked(home, port=PORT) as c:
        listing = (await c.get(f"/cell/{cell_id}/actions")).text
        links = re.findall(rf'href="(/cell/{cell_id}/actions/[0-9a-f]{{8}})"', listing)
        pages = {
            "list of actions (all)": f"/cell/{cell_id}/actions",
            "biggest action (32 demands, 64 tasks)": links[0],
            "small action": links[-1],
        }
        return await time_pages(c, pages, requests=requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    print(machine_line())
    with tempfile.TemporaryDirectory(prefix="hasteh-bench-actions-") as tmp:
        home = Path(tmp) / "profile"
        begin = time.perf_counter()
        cell_id = build(home, args.actions)
        print(f"setup: {args.actions} actions in {time.perf_counter() - begin:.1f} s")
        times = asyncio.run(measure(home, cell_id, args.requests))
    print_table(times, requests=args.requests)


if __name__ == "__main__":
    main()
