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
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from hasteh import org, vault  # noqa: E402
from hasteh.app import Workspace, alliances, cells, runtime  # noqa: E402
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
from hasteh.vault.keyfile import KdfParams  # noqa: E402
from hasteh.web import create_web  # noqa: E402

FAST = KdfParams(memory_kib=8 * 1024, iterations=1, lanes=1)
PASS = "benchmark passphrase"
TOKEN = "bench-launch-token-0123456789abcdef"
PORT = 8798
NO_RELAY = "http://127.0.0.1:9"
DAY = 86_400


def build(home: Path, n: int, m: int) -> tuple[str, str]:
    """The profile; returns the cell's id and the alliance's short id."""
    vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
    ws = Workspace(vault.unlock(home, PASS, min_kdf=FAST))
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


#: Mean CPU milliseconds per request, page bytes and choices, by page (filled by `measure`).
CPU_MS: dict[str, float] = {}
SIZE: dict[str, tuple[int, int]] = {}


async def measure(home: Path, cell_id: str, alliance: str, requests: int) -> dict[str, list[float]]:
    app = create_web(home, launch_token=TOKEN, port=PORT, kdf=FAST, min_kdf=FAST)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=f"http://127.0.0.1:{PORT}") as c:
        await c.get(f"/launch?token={TOKEN}")
        csrf = re.search(r'name="csrf" value="([^"]+)"', (await c.get("/unlock")).text)
        assert csrf
        unlocked = await c.post(
            "/unlock", data={"csrf": csrf.group(1), "passphrase": PASS}, follow_redirects=True
        )
        assert unlocked.status_code == 200
        pages = {
            "delegates page": f"/cell/{cell_id}/delegates",
            "alliance page": f"/alliance/{alliance}",
        }
        times: dict[str, list[float]] = {name: [] for name in pages}
        for name, path in pages.items():
            for _ in range(5):
                html = (await c.get(path)).text
            SIZE[name] = (len(html.encode()), html.count("<option"))
            cpu = time.process_time()
            for _ in range(requests):
                begin = time.perf_counter()
                response = await c.get(path)
                times[name].append((time.perf_counter() - begin) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            CPU_MS[name] = (time.process_time() - cpu) * 1000 / requests
        return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


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
    print(
        f"# {time.strftime('%Y-%m-%d')} · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"Python {platform.python_version()} · {platform.platform()} · "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory(prefix="hasteh-bench-delegate-") as tmp:
        home = Path(tmp) / "profile"
        begin = time.perf_counter()
        cell_id, alliance = build(home, args.decisions, args.motions)
        print(
            f"setup: {args.decisions} decisions, {args.motions} motions in "
            f"{time.perf_counter() - begin:.1f} s"
        )
        times = asyncio.run(measure(home, cell_id, alliance, args.requests))
    print(f"{args.requests} requests per page after 5 warm-up; milliseconds")
    print("| page | p50 | p95 | max | CPU per request | KiB | choices |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, values in times.items():
        size, choices = SIZE[name]
        print(
            f"| {name} | {statistics.median(values):.1f} | {p95(values):.1f} | "
            f"{max(values):.1f} | {CPU_MS[name]:.1f} | {size / 1024:.0f} | {choices} |"
        )


if __name__ == "__main__":
    main()
