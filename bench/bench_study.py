"""Web page render time for study circles: 1,000 readings and 1,000 sessions.

    uv run python bench/bench_study.py [--readings 1000] [--sessions 1000] [--requests 200]

Setup (not timed): a profile with one cell (`cells.create_cell`; its relay is a closed
loopback port, nothing is sent), then, through the app's fold-and-store path
(`runtime.accept_event` + `runtime.write`, what `sync` does with received events): 100
circles (the most a cell may hold), the first with R readings (two questions each) and S
sessions (each on a reading, each with its place), the others with one reading; the
member's own progress marks every other reading of the big circle read, with a note.
No MLS protection (it plays no part in rendering).

Timed: GET through the real ASGI app in-process (`httpx.ASGITransport`), after unlocking
and 5 warm-up requests: the list of circles, the big circle's page (as its convener: with
the forms), and a reading's page. p50/p95/max wall-clock milliseconds, and the process's
CPU time per request (what the page costs, apart from other programs on a shared
machine); target p95 < 100 ms.
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
from hasteh.app import Workspace, cells, records, runtime  # noqa: E402
from hasteh.org import EventEnvelope, EventId, LeafIndex  # noqa: E402
from hasteh.org.events import (  # noqa: E402
    CircleOpened,
    PlaceGiven,
    ReadingAdded,
    SessionPlanned,
)
from hasteh.vault.keyfile import KdfParams  # noqa: E402
from hasteh.web import create_web  # noqa: E402

FAST = KdfParams(memory_kib=8 * 1024, iterations=1, lanes=1)
PASS = "benchmark passphrase"
TOKEN = "bench-launch-token-0123456789abcdef"
PORT = 8799
NO_RELAY = "http://127.0.0.1:9"
DAY = 86_400
CIRCLES = 100


def build(home: Path, readings: int, sessions: int) -> str:
    """The profile with the busy cell; returns the cell's id."""
    vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
    ws = Workspace(vault.unlock(home, PASS, min_kdf=FAST))
    try:
        rt = cells.create_cell(ws, "bench", cover_name="sepideh", relays=[NO_RELAY])
        leaf = LeafIndex(0)
        now = ws.now()

        def accept(body: org.AnyEvent, at: int = now) -> EventEnvelope:
            env = EventEnvelope(org.VERSION, EventId(os.urandom(16)), leaf, at, body)
            runtime.accept_event(rt, env)
            return env

        ids: list[bytes] = []

        def fill(conn: object) -> None:
            big = accept(CircleOpened("مزد و سود", "هر هفته یک فصل"), now - 10)  # number 1
            for i in range(readings):
                questions = (f"پرسش اول فصل {i}؟", f"پرسش دوم فصل {i}؟")
                ids.append(accept(ReadingAdded(big.event_id, f"فصل {i}", questions)).event_id)
            for i in range(sessions):
                starts = now + DAY + i * 3_600 * 7
                planned = accept(SessionPlanned(big.event_id, starts, 2, ids[i % readings]))
                accept(PlaceGiven(planned.event_id, f"باغ {i}"))
            for c in range(CIRCLES - 1):
                small = accept(CircleOpened(f"حلقهٔ {c}"))
                accept(ReadingAdded(small.event_id, "متن یکم"))

        runtime.write(ws, rt, fill)
        progress = {
            rid.hex(): records.ReadingProgress(True, i % 4 == 0, "صفحهٔ ۱۲")
            for i, rid in enumerate(ids)
            if i % 2 == 0
        }
        ws.vault.write(lambda conn: records.set_study_progress(conn, rt.record.group_id, progress))
        assert len(rt.org.study.circles) == CIRCLES
        ws.forget_cache()
        return cells.summary(rt).cell_id
    finally:
        ws.close()


Times = dict[str, tuple[list[float], list[float]]]


async def measure(home: Path, cell_id: str, requests: int) -> Times:
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
        listing = (await c.get(f"/cell/{cell_id}/study")).text
        (circle,) = re.findall(rf'href="(/cell/{cell_id}/study/[0-9a-f]{{8}})">۱\.', listing)
        page = (await c.get(circle)).text
        page = (await c.get(f"{circle}?page=10")).text
        reading = re.findall(rf'href="({circle}/r/[0-9a-f]{{8}})"', page)[0]
        pages = {
            "list of circles (100, a page of 50)": f"/cell/{cell_id}/study",
            "the big circle (convener's page: 50 readings, 25 sessions)": circle,
            "a reading of it": reading,
        }
        times: Times = {name: ([], []) for name in pages}
        for name, path in pages.items():
            for _ in range(5):
                assert (await c.get(path)).status_code == 200
            for _ in range(requests):
                begin, cpu = time.perf_counter(), time.process_time()
                response = await c.get(path)
                times[name][0].append((time.perf_counter() - begin) * 1000)
                times[name][1].append((time.process_time() - cpu) * 1000)
                assert response.status_code == 200, (path, response.status_code)
        return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=1_000)
    parser.add_argument("--sessions", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    print(
        f"# {time.strftime('%Y-%m-%d')} · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"Python {platform.python_version()} · {platform.platform()} · "
        f"load {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory(prefix="hasteh-bench-study-") as tmp:
        home = Path(tmp) / "profile"
        begin = time.perf_counter()
        cell_id = build(home, args.readings, args.sessions)
        print(
            f"setup: {args.readings} readings, {args.sessions} sessions in "
            f"{time.perf_counter() - begin:.1f} s"
        )
        times = asyncio.run(measure(home, cell_id, args.requests))
    print(f"{args.requests} requests per page after 5 warm-up; milliseconds")
    print("| page | p50 | p95 | max | CPU p50 | CPU p95 |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, (wall, cpu) in times.items():
        print(
            f"| {name} | {statistics.median(wall):.1f} | {p95(wall):.1f} | {max(wall):.1f} "
            f"| {statistics.median(cpu):.1f} | {p95(cpu):.1f} |"
        )


if __name__ == "__main__":
    main()
