"""A delegate's pages with a cell's long history (issue 17): the delegates page (its
forms choose among the cell's decisions and the open motions of the device's alliances)
and the alliance page (its forms, and the motions with a form each).

    uv run python bench/bench_delegate_pages.py [--decisions 1000] [--motions 100]
        [--requests 100] [--quick]

Setup (not timed): a profile with one cell of two members (`cells.create_cell`, its
relay a closed loopback port: nothing is sent) and, through the app's fold-and-store
path (`runtime.accept_event` + `runtime.write`, what `sync` does with received events):
an STV election of two seats, the delegates it elected, and N closed consent decisions;
an alliance formed by this profile (`alliances.form`) with M open motions.

Timed: GET through the real ASGI app in-process (`httpx.ASGITransport`), after unlocking
and 5 warm-up requests. p50/p95/max in milliseconds, CPU per request, the page's size and
the number of choices (`<option>`) in its lists.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._pages import Timing, machine_line, new_workspace, print_table, time_pages, unlocked  # noqa: E402

from hasteh import org  # noqa: E402
from hasteh.app import alliances, cells, runtime  # noqa: E402
from hasteh.org import (  # noqa: E402
    Consent,
    DecisionClosed,
    DecisionOpened,
    EventEnvelope,
    EventId,
    LeafIndex,
    MemberAdded,
    NewcomerProposed,
    StanceCast,
)
from hasteh.org.events import DelegatesElected, MotionOpened, Ranking  # noqa: E402

PORT = 8798
NO_RELAY = "http://127.0.0.1:9"
DAY = 86_400


def build(home: Path, n: int, m: int) -> tuple[str, str]:
    """The profile; returns the cell's id and the alliance's short id."""
    ws = new_workspace(home)
    try:
        rt = cells.create_cell(ws, "bench", cover_name="sepideh", relays=[NO_RELAY])
        now = ws.now()
        start = now - 4 * n - 10 * DAY

        def accept(author: int, at: int, body: org.AnyEvent) -> EventEnvelope:
            env = EventEnvelope(org.VERSION, EventId(os.urandom(16)), LeafIndex(author), at, body)
            runtime.accept_event(rt, env)
            return env

        def fill(conn: object) -> None:
            at = start
            card = (1).to_bytes(32, "big")
            accept(0, at, NewcomerProposed(card, "reza", at + DAY))
            accept(0, at, MemberAdded(1, "reza", card, 0, 1))
            vote = DecisionOpened(
                "ranked", "delegates?", at + DAY, options=("sepideh", "reza"), seats=2
            )
            election = accept(0, at, vote)
            for leaf in (0, 1):
                accept(leaf, at, StanceCast(election.event_id, Ranking((0, 1))))
            decision = rt.org.decisions[EventId(election.event_id)]
            accept(0, at, DecisionClosed(election.event_id, org.compute_outcome(decision)))
            accept(0, at, DelegatesElected(election.event_id, 0, 1, "north-1", now + 90 * DAY, ""))
            for i in range(n):
                at = start + 10 + 4 * i
                opened = accept(0, at, DecisionOpened("consent", f"پرسش {i}؟", at + DAY))
                for leaf in (0, 1):
                    accept(leaf, at, StanceCast(opened.event_id, Consent()))
                decision = rt.org.decisions[EventId(opened.event_id)]
                accept(0, at, DecisionClosed(opened.event_id, org.compute_outcome(decision)))

        runtime.write(ws, rt, fill)
        assert rt.org.fed.delegation is not None and len(rt.org.decisions) == n + 1
        art = alliances.form(ws, "north", cell="north-1", relays=[NO_RELAY])

        def motions(conn: object) -> None:
            for i in range(m):
                at = now - m + i
                env = EventEnvelope(
                    org.VERSION,
                    EventId(os.urandom(16)),
                    LeafIndex(art.own_leaf),
                    at,
                    MotionOpened(f"اعتصاب مشترک {i}؟", now + 3 * DAY),
                )
                runtime.accept_event(art, env)

        runtime.write(ws, art, motions)
        assert len(art.org.motions) == m
        ws.forget_cache()
        return cells.summary(rt).cell_id, art.group_id.hex()[:8]
    finally:
        ws.close()


#: Page bytes and choices (<option>s), by page (filled by `measure`).
SIZE: dict[str, tuple[int, int]] = {}


async def measure(home: Path, cell_id: str, alliance: str, requests: int) -> dict[str, Timing]:
    async with unlocked(home, port=PORT) as c:
        pages = {
            "delegates page": f"/cell/{cell_id}/delegates",
            "alliance page": f"/alliance/{alliance}",
        }
        for name, path in pages.items():
            html = (await c.get(path)).text
            SIZE[name] = (len(html.encode()), html.count("<option"))
        return await time_pages(c, pages, requests=requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=1_000)
    parser.add_argument("--motions", type=int, default=100)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument(
        "--quick", action="store_true", help="50 decisions, 10 motions, 10 requests"
    )
    args = parser.parse_args()
    if args.quick:
        args.decisions, args.motions, args.requests = 50, 10, 10
    print(machine_line())
    with tempfile.TemporaryDirectory(prefix="hasteh-bench-delegate-") as tmp:
        home = Path(tmp) / "profile"
        begin = time.perf_counter()
        cell_id, alliance = build(home, args.decisions, args.motions)
        print(
            f"setup: {args.decisions} decisions, {args.motions} motions in "
            f"{time.perf_counter() - begin:.1f} s"
        )
        times = asyncio.run(measure(home, cell_id, alliance, args.requests))
    print_table(times, requests=args.requests)
    print()
    print("| page | KiB | choices |")
    print("|---|---:|---:|")
    for name, (size, choices) in SIZE.items():
        print(f"| {name} | {size / 1024:.0f} | {choices} |")


if __name__ == "__main__":
    main()
