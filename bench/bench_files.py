"""Files in a cell: a 20 MiB attachment sent and received through a loopback relay, and
the files and library page with 1,000 items.

    uv run python bench/bench_files.py [--mib 20] [--runs 3] [--items 1000] [--requests 200]
    uv run python bench/bench_files.py --quick

**Transfer** (target ≤ 3 s). Setup (not timed): a relay process on 127.0.0.1 (SQLite), two
profiles, a cell of both formed through it. Timed, per run, with a fresh file of random
bytes (a PDF header, so it is carried as it is): `files.send` on A (cut, seal every chunk,
hash, queue the chunks and the `FileShared` in one vault write), `sync.sync(A)` (the
outbox posts every chunk and the event), `sync.sync(B)` (B folds the event) and
`files.fetch(B)` (fetch the chunks, check each hash, open, store, join): from the moment
A has the bytes to the moment B's vault holds them whole. Reported: wall-clock per step
and in all (median over runs), and the bytes B's copy was checked against.

**Pages** (target p95 < 100 ms). Setup (not timed): a profile with one cell whose log
holds N files (`FileShared`, their chunks absent: "not here yet") and N library items
(half pointing at a file), folded and stored through the app's path
(`runtime.accept_event` + `runtime.write`). Timed: GET of the files and library page
(newest page, then the last page) through the real ASGI app in-process.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._pages import Timing, machine_line, new_workspace, print_table, time_pages, unlocked  # noqa: E402
from tests.relay.harness import RelayProcess  # noqa: E402

from hasteh import org  # noqa: E402
from hasteh.app import Workspace, admission, cards, cells, files, runtime, sync  # noqa: E402
from hasteh.org import EventEnvelope, EventId, LeafIndex  # noqa: E402
from hasteh.org.events import FileShared, LibraryAdded  # noqa: E402
from hasteh.org.files import chunk_count  # noqa: E402
from hasteh.vault import files as vfiles  # noqa: E402

PORT = 8797
NO_RELAY = "http://127.0.0.1:9"


def form(base: Path, relay: RelayProcess) -> tuple[Workspace, Workspace]:
    a, b = new_workspace(base / "a"), new_workspace(base / "b")
    cells.create_cell(a, "bench", cover_name="a", relays=[relay.url])
    admission.propose(a, "bench", cards.create_card(b, "b", relays=[relay.url]))
    sync.sync(a)
    sync.sync(b)
    return a, b


def transfer(a: Workspace, b: Workspace, size: int, run: int) -> dict[str, float]:
    data = b"%PDF-1.7\n" + os.urandom(size - 9)
    steps: dict[str, float] = {}
    cpu = time.process_time()
    begin = mark = time.perf_counter()

    def step(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        steps[name] = now - mark
        mark = now

    sent = files.send(a, "bench", data, f"run {run}.pdf")
    step("send (seal, store)")
    sync.sync(a)
    step("sync A (post chunks and the event)")
    sync.sync(b)
    step("sync B (fold the event)")
    report = files.fetch(b)
    step("fetch B (fetch, check, open, store)")
    steps["total"] = time.perf_counter() - begin
    steps["total, CPU of both profiles (not the relay)"] = time.process_time() - cpu
    assert report.refused == 0 and report.complete >= 1, report
    rt = cells.find_cell(b, "bench")
    fid = next(f.file_id for f in rt.org.files.values() if f.file_id.hex()[:8] == sent.file_id)
    kept = b"".join(b.vault.read(lambda conn: vfiles.chunks(conn, fid)))
    assert hashlib.sha256(kept).digest() == hashlib.sha256(data).digest()
    return steps


def build_pages(home: Path, count: int) -> str:
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
            size = 100_000
            for i in range(count):
                at = now - count + i
                hashes = tuple(os.urandom(32) for _ in range(chunk_count(size)))
                body = FileShared(
                    f"گزارش {i}",
                    "pdf",
                    "pdf",
                    size,
                    os.urandom(32),
                    EventId(os.urandom(16)),
                    hashes,
                )
                shared = accept(at, body)
                link = shared.event_id if i % 2 == 0 else b""
                accept(at, LibraryAdded(f"متن {i}", "reading", f"یادداشت {i}", link))

        runtime.write(ws, rt, fill)
        assert len(rt.org.library) == count and len(rt.org.files) == count
        ws.forget_cache()
        return cells.summary(rt).cell_id
    finally:
        ws.close()


async def measure(home: Path, cell_id: str, requests: int) -> dict[str, Timing]:
    async with unlocked(home, port=PORT) as c:
        pages = {
            "files and library, newest page": f"/cell/{cell_id}/files",
            "files and library, last page": f"/cell/{cell_id}/files?page=999",
        }
        return await time_pages(c, pages, requests=requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--items", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="2 MiB, 1 run, 100 items")
    args = parser.parse_args()
    if args.quick:
        args.mib, args.runs, args.items, args.requests = 2, 1, 100, 20
    print(machine_line())
    with tempfile.TemporaryDirectory(prefix="hasteh-bench-files-") as tmp:
        base = Path(tmp)
        relay = RelayProcess(f"sqlite:///{base / 'relay.sqlite3'}", extra=["--rate", "1000000"])
        relay.start()
        try:
            a, b = form(base, relay)
            try:
                runs = [transfer(a, b, args.mib * 2**20, i) for i in range(args.runs)]
            finally:
                a.close()
                b.close()
        finally:
            relay.kill()
        print(f"transfer of {args.mib} MiB through a loopback relay, {args.runs} runs; seconds")
        print("| step | median | max |")
        print("|---|---:|---:|")
        for name in runs[0]:
            values = [r[name] for r in runs]
            print(f"| {name} | {statistics.median(values):.2f} | {max(values):.2f} |")
        home = base / "pages"
        begin = time.perf_counter()
        cell_id = build_pages(home, args.items)
        took = time.perf_counter() - begin
        print(f"setup: {args.items} files and {args.items} items in {took:.1f} s")
        times = asyncio.run(measure(home, cell_id, args.requests))
    print_table(times, requests=args.requests)


if __name__ == "__main__":
    main()
