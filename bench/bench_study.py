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
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._pages import Timing, machine_line, new_workspace, print_table, time_pages, unlocked  # noqa: E402

from hasteh import org  # noqa: E402
from hasteh.app import cells, records, runtime  # noqa: E402
from hasteh.org import EventEnvelope, EventId, LeafIndex  # noqa: E402
from hasteh.org.events import (  # noqa: E402
    CircleOpened,
    PlaceGiven,
    ReadingAdded,
    SessionPlanned,
)

PORT = 8799
NO_RELAY = "http://127.0.0.1:9"
DAY = 86_400
CIRCLES = 100


def build(home: Path, readings: int, sessions: int) -> str:
    """The profile with the busy cell; returns the cell's id."""
    ws = new_workspace(home)
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


async def measure(home: Path, cell_id: str, requests: int) -> dict[str, Timing]:
    async with unlocked(home, port=PORT) as c:
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
        return await time_pages(c, pages, requests=requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=1_000)
    parser.add_argument("--sessions", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    print(machine_line())
    with tempfile.TemporaryDirectory(prefix="hasteh-bench-study-") as tmp:
        home = Path(tmp) / "profile"
        begin = time.perf_counter()
        cell_id = build(home, args.readings, args.sessions)
        print(
            f"setup: {args.readings} readings, {args.sessions} sessions in "
            f"{time.perf_counter() - begin:.1f} s"
        )
        times = asyncio.run(measure(home, cell_id, args.requests))
    print_table(times, requests=args.requests)


if __name__ == "__main__":
    main()
