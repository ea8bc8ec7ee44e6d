"""Several relays per cell: what reading a second copy of every message costs.

    uv run python bench/bench_relays.py [--messages 2000] [--rounds 3] [--quick] [--markdown]

Setup (not timed): two real relay processes on 127.0.0.1 (SQLite) and two cells of two
members each, formed through the app: one cell on one relay, one on both. A's client
protects N chat messages as `talk.say` does and posts each to every relay of its cell.

Timed, per round, from a fresh copy of B's profile: `sync.sync(B)`, i.e. fetch every page
from every relay of the cell and process the messages. With two relays every message
arrives twice; the second copy is recognized by its envelope id (`vault.cursors`) and only
advances the cursor (and, from the ordering relay, the window). The ratio two / one is the
price of the second relay on catch-up.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.relay.harness import RelayProcess  # noqa: E402

from hasteh import org, vault  # noqa: E402
from hasteh.app import Workspace, admission, cards, cells, frames, runtime, sync  # noqa: E402
from hasteh.app.write_auth import cell_write_auth  # noqa: E402
from hasteh.envelope import Kind, seal  # noqa: E402
from hasteh.org import MessagePosted  # noqa: E402
from hasteh.transport.relay_client import RelayClient  # noqa: E402
from hasteh.vault.keyfile import KdfParams  # noqa: E402

FAST = KdfParams(memory_kib=8 * 1024, iterations=1, lanes=1)
PASS = "benchmark passphrase"
TEXT = "meeting moved to the bakery at six; bring the leaflets and tea"


def workspace(home: Path) -> Workspace:
    return Workspace(vault.unlock(home, PASS, min_kdf=FAST))


def setup(base: Path, urls: list[str], n: int) -> Path:
    a_home, b_home = base / "a", base / "b"
    for home in (a_home, b_home):
        vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
    a, b = workspace(a_home), workspace(b_home)
    cells.create_cell(a, "bench", cover_name="a", relays=urls)
    admission.propose(a, "bench", cards.create_card(b, "b", relays=urls))
    sync.sync(a)
    sync.sync(b)
    b.close()
    rt = cells.find_cell(a, "bench")
    group = rt.require_group()
    thread = next(iter(rt.org.threads.values())).thread_id
    clients = {url: RelayClient(url) for url in urls}
    now = a.now()
    for _ in range(n):
        env = runtime.new_envelope(a, rt, MessagePosted(thread, TEXT, now + 86_400))
        wire = group.protect(frames.event_frame(org.encode(env)), rng=os.urandom)
        data = seal(
            kind=Kind.MESSAGE, mailbox=rt.record.mailbox, payload=wire, rng=os.urandom
        ).to_bytes()
        for url, client in clients.items():
            client.post(data, cell_write_auth(rt.record, group, url))
    for client in clients.values():
        client.close()
    a.close()
    return b_home


def catch_up(b_home: Path, scratch: Path) -> tuple[float, int]:
    copy = scratch / "b-copy"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(b_home, copy)
    b = workspace(copy)
    try:
        start = time.perf_counter()
        report = sync.sync(b)
        elapsed = time.perf_counter() - start
        held = len(cells.find_cell(b, "bench").org.messages)
    finally:
        b.close()
    assert report.dropped == 0, report
    return elapsed, held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="500 messages, one round")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    n, rounds = (500, 1) if args.quick else (args.messages, args.rounds)
    print(
        f"# {time.strftime('%Y-%m-%d')} · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"Python {platform.python_version()} · {platform.platform()}"
    )
    results: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="hasteh-bench-relays-") as tmp:
        base = Path(tmp)
        relays = [
            RelayProcess(f"sqlite:///{base / f'relay{i}.sqlite3'}", extra=["--rate", "1000000"])
            for i in range(2)
        ]
        for relay in relays:
            relay.start()
        try:
            for count in (1, 2):
                where = base / f"with-{count}"
                where.mkdir()
                b_home = setup(where, [r.url for r in relays[:count]], n)
                times = []
                for _ in range(rounds):
                    elapsed, held = catch_up(b_home, where)
                    assert held == n, held  # every message once, whatever the relays
                    times.append(elapsed)
                results[count] = statistics.median(times)
        finally:
            for relay in relays:
                relay.kill()
    if args.markdown:
        print(f"\n| catch-up of {n:,} messages, median of {rounds} | seconds | per message |")
        print("|:--|--:|--:|")
        for count, secs in results.items():
            print(f"| cell on {count} relay(s) | {secs:.2f} | {secs / n * 1e6:.0f} µs |")
        print(f"| **ratio two / one** | **{results[2] / results[1]:.2f}×** | |")
    else:
        for count, secs in results.items():
            print(f"cell on {count} relay(s) {secs:7.2f} s  {secs / n * 1e6:7.0f} µs/msg")
        print(f"ratio two / one {results[2] / results[1]:.2f}x")


if __name__ == "__main__":
    main()
