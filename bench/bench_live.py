"""Background sync's CPU when idle: one profile in five cells, nothing arriving.

    uv run python bench/bench_live.py [--cells 5] [--seconds 120] [--quick]

Setup (not timed): a real relay process on 127.0.0.1 (`tests.relay.harness`), a profile
with `--cells` cells on it, one sync. Then, in this process:

1. **One round**: `BackgroundSync.turn()` (`hasteh.web.background`: a sync of at most two
   rounds: deliver the outbox, fetch every mailbox, plan), 30 times; CPU time of this
   process per round (median, p95), and wall time.
2. **Idle for `--seconds`**: the background task exactly as `hasteh up` runs it (first
   round 3 s after start, then every 10–25 s at random), in an asyncio loop with nothing
   else to do; this process's CPU time over wall time, as % of one core. The relay's own
   CPU is not counted (it is the relay's, elsewhere in real use).

Target: ≤ 1 % of one core with 5 cells.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.relay.harness import RelayProcess  # noqa: E402

from hasteh import vault  # noqa: E402
from hasteh.app import Workspace, cells, sync  # noqa: E402
from hasteh.vault.keyfile import KdfParams  # noqa: E402
from hasteh.web.app import WebState  # noqa: E402
from hasteh.web.background import BackgroundSync, Pace  # noqa: E402
from hasteh.web.security import LaunchToken, Origin  # noqa: E402

FAST = KdfParams(memory_kib=8 * 1024, iterations=1, lanes=1)
PASS = "benchmark passphrase"


def setup(home: Path, relay: RelayProcess, n: int) -> WebState:
    vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
    opened = vault.unlock(home, PASS, min_kdf=FAST)
    ws = Workspace(opened)
    for i in range(n):
        cells.create_cell(ws, f"cell {i}", cover_name="a", relays=[relay.url])
    sync.sync(ws)
    state = WebState(home=home, origin=Origin(8798), launch=LaunchToken("x" * 32))
    state.vault = opened
    state.workspace = ws
    return state


def one_round(state: WebState, runs: int) -> tuple[list[float], list[float]]:
    background = BackgroundSync(state, Pace())
    cpu, wall = [], []
    for _ in range(runs):
        c0, w0 = time.process_time(), time.perf_counter()
        assert background.turn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    assert background.status.outcome == "synced", background.status
    return cpu, wall


async def idle(state: WebState, seconds: float) -> tuple[float, int]:
    background = BackgroundSync(state, Pace())
    task = asyncio.create_task(background.run())
    await asyncio.sleep(0.5)  # started: count from here
    c0, w0 = time.process_time(), time.perf_counter()
    await asyncio.sleep(seconds)
    share = (time.process_time() - c0) / (time.perf_counter() - w0)
    task.cancel()
    return share, background.status.rounds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    seconds = 45.0 if args.quick else args.seconds
    print(
        f"# {time.strftime('%Y-%m-%d')} · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"Python {platform.python_version()} · {platform.platform()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        relay = RelayProcess(f"sqlite:///{base / 'relay.sqlite3'}", extra=["--rate", "1000000"])
        relay.start()
        try:
            state = setup(base / "profile", relay, args.cells)
            cpu, wall = one_round(state, 30)
            share, rounds = asyncio.run(idle(state, seconds))
        finally:
            relay.kill()
            if state.workspace is not None:
                state.workspace.close()
    p95 = statistics.quantiles(cpu, n=20)[-1]
    print(f"| cells | {args.cells} |")
    median = statistics.median(cpu)
    print(f"| one round: CPU median / p95 (ms) | {median * 1e3:.1f} / {p95 * 1e3:.1f} |")
    print(f"| one round: wall median (ms) | {statistics.median(wall) * 1e3:.1f} |")
    print(f"| idle {seconds:.0f} s as `hasteh up` runs it: rounds | {rounds} |")
    print(f"| idle: CPU, % of one core | {share * 100:.2f} |")
    print(f"| round CPU / mean pause (17.5 s), % of one core | {median / 17.5 * 100:.2f} |")


if __name__ == "__main__":
    main()
