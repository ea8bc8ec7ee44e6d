"""Web page render time with 1,000 items in each family (issue 15: "all pages p95 < 100
ms with 1,000 items in each family"): the fund, the actions, the decisions and the members.

    uv run python bench/bench_pages.py [--items 1000] [--requests 200]

Setup (not timed): a profile with one cell (`cells.create_cell`; its relay is a closed
loopback port, nothing is sent), then, through the app's fold-and-store path
(`runtime.accept_event` + `runtime.write`, what `sync` does with received events): a
settings decision (cap 7, newcomers on trial 28 days), six newcomers added on trial (the
cell full: a cell never has more than 7 members, so the members' pages show 7 and the
rest of the cell's 1,000s), then N of each: fund contributions, hardship requests (half
approved, a quarter paid: N + N + N/2 + N/4 ledger entries), actions with a demand, and
open opt-in decisions with one opt-in each. No MLS protection (it plays no part in rendering).

Timed: GET through the real ASGI app in-process (`httpx.ASGITransport`), after unlocking
and 5 warm-up requests, 200 requests per page. p50/p95/max in milliseconds; target p95
< 100 ms.
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
from hasteh.app import cells, runtime  # noqa: E402
from hasteh.org import (  # noqa: E402
    CellSettings,
    ChangeSettings,
    Consent,
    DecisionClosed,
    DecisionOpened,
    EventEnvelope,
    EventId,
    LeafIndex,
    MemberAdded,
    NewcomerProposed,
    OptIn,
    SettingsChanged,
    StanceCast,
)
from hasteh.org.events import (  # noqa: E402
    ActionPlanned,
    Contributed,
    DemandAdded,
    Disbursed,
    HardshipRequested,
    RequestApproved,
)

PORT = 8799
NO_RELAY = "http://127.0.0.1:9"
DAY = 86_400
NEWCOMERS = ("کاوه", "شیرین", "داریوش", "نسرین", "فرهاد", "لاله")


def build(home: Path, n: int) -> str:
    """The profile with the full, busy cell; returns the cell's id."""
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
            trial = CellSettings(size_cap=7, trial=28 * DAY, relays=rt.org.settings.relays)
            opened = accept(
                0, at, DecisionOpened("consent", "?", at + 2 * DAY, motion=ChangeSettings(trial))
            )
            accept(0, at, StanceCast(opened.event_id, Consent()))
            decision = rt.org.decisions[EventId(opened.event_id)]
            accept(0, at, DecisionClosed(opened.event_id, org.compute_outcome(decision)))
            accept(0, at, SettingsChanged(opened.event_id))
            for leaf, name in enumerate(NEWCOMERS, 1):
                card = leaf.to_bytes(32, "big")
                accept(0, at, NewcomerProposed(card, name, at + DAY))
                accept(0, at, MemberAdded(leaf, name, card, 0, leaf))
            assert sum(m.on_trial for m in rt.org.members.values()) == len(NEWCOMERS)
            requests: list[bytes] = []
            for i in range(n):
                at = start + 10 + 4 * i
                fund = rt.org.fund
                accept(i % 7, at, Contributed(fund.prev, "cash", 1_000_000 + i, ""))
                asked = accept(
                    1 + i % 6,
                    at + 1,
                    HardshipRequested(
                        rt.org.fund.prev, f"خانواده {i}", "food", 200_000, "normal", ""
                    ),
                )
                requests.append(asked.event_id)
                if i % 2 == 0:
                    accept(0, at + 2, RequestApproved(rt.org.fund.prev, asked.event_id))
                if i % 4 == 0:
                    accept(0, at + 3, Disbursed(rt.org.fund.prev, asked.event_id, "cash", 200_000))
                action = accept(i % 7, at, ActionPlanned("strike", f"کارگاه {i}", now + 3 * DAY))
                accept(i % 7, at, DemandAdded(action.event_id, "دستمزد به موقع"))
                poll = accept(i % 7, at, DecisionOpened("opt-in", f"جلسهٔ {i}", now + 2 * DAY))
                accept(0, at, StanceCast(poll.event_id, OptIn()))

        runtime.write(ws, rt, fill)
        assert len(rt.org.actions) == n and len(rt.org.fund.requests) == n
        ws.forget_cache()
        return cells.summary(rt).cell_id
    finally:
        ws.close()


async def measure(home: Path, cell_id: str, requests: int) -> dict[str, Timing]:
    async with unlocked(home, port=PORT) as c:
        cell = f"/cell/{cell_id}"
        members = (await c.get(f"{cell}/members")).text
        assert members.count('class="trial"') == len(NEWCOMERS), "the trial is not shown"
        pages = {
            "fund (1,000 requests, 2,750 entries)": f"{cell}/fund",
            "fund as Beancount text": f"{cell}/fund/beancount",
            "members (7, six on trial)": f"{cell}/members",
            "a member on trial": f"{cell}/members/1",
            "settings of the cell": f"{cell}/settings",
            "list of actions": f"{cell}/actions",
            "decisions list": f"{cell}/decisions",
        }
        return await time_pages(c, pages, requests=requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    print(machine_line())
    with tempfile.TemporaryDirectory(prefix="hasteh-bench-pages-") as tmp:
        home = Path(tmp) / "profile"
        begin = time.perf_counter()
        cell_id = build(home, args.items)
        print(f"setup: {args.items} of each in {time.perf_counter() - begin:.1f} s")
        times = asyncio.run(measure(home, cell_id, args.requests))
    print_table(times, requests=args.requests)


if __name__ == "__main__":
    main()
