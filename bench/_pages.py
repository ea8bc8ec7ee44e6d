"""What the page benchmarks share: a profile unlocked in the real web app (in-process,
`httpx.ASGITransport`), GETs timed after a warm-up, and the table they print.

    async with unlocked(home, port=8799) as client:
        times = await time_pages(client, {"fund": f"/cell/{cell}/fund"}, requests=200)
    print_table(times, requests=200)

Wall time is what a worker waits; CPU time (`time.process_time`, every thread of this
process: the app runs in a worker thread) is what a page costs whatever else the shared
machine is doing. Both are printed: on a busy machine, read the CPU columns.
"""

from __future__ import annotations

import os
import platform
import re
import statistics
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from hasteh import vault  # noqa: E402
from hasteh.app import Workspace  # noqa: E402
from hasteh.vault.keyfile import KdfParams  # noqa: E402
from hasteh.web import create_web  # noqa: E402

__all__ = [
    "FAST",
    "PASS",
    "Timing",
    "machine_line",
    "new_workspace",
    "p95",
    "print_table",
    "time_pages",
    "unlocked",
]

#: A cheap KDF: the benchmarks time pages, not the unlock.
FAST = KdfParams(memory_kib=8 * 1024, iterations=1, lanes=1)
PASS = "benchmark passphrase"
TOKEN = "bench-launch-token-0123456789abcdef"
WARM_UP = 5


def machine_line() -> str:
    """The first line of every result: date, machine, Python, load."""
    return (
        f"# {time.strftime('%Y-%m-%d')} · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"Python {platform.python_version()} · {platform.platform()} · "
        f"load average {os.getloadavg()[0]:.1f}"
    )


def new_workspace(home: Path) -> Workspace:
    """A new profile at `home`, unlocked (the caller closes it)."""
    vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
    return Workspace(vault.unlock(home, PASS, min_kdf=FAST))


@asynccontextmanager
async def unlocked(home: Path, *, port: int) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the web app on the profile at `home`, launched and unlocked."""
    app = create_web(home, launch_token=TOKEN, port=port, kdf=FAST, min_kdf=FAST)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=f"http://127.0.0.1:{port}") as c:
        await c.get(f"/launch?token={TOKEN}")
        csrf = re.search(r'name="csrf" value="([^"]+)"', (await c.get("/unlock")).text)
        assert csrf, "no unlock form"
        answer = await c.post(
            "/unlock", data={"csrf": csrf.group(1), "passphrase": PASS}, follow_redirects=True
        )
        assert answer.status_code == 200, answer.status_code
        yield c


@dataclass
class Timing:
    """Milliseconds per request: wall clock and CPU."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


async def time_pages(
    client: httpx.AsyncClient, pages: Mapping[str, str], *, requests: int
) -> dict[str, Timing]:
    """GET each page `WARM_UP` times, then `requests` times timed; every answer must be 200."""
    times = {name: Timing() for name in pages}
    for name, path in pages.items():
        for _ in range(WARM_UP):
            assert (await client.get(path)).status_code == 200, path
        for _ in range(requests):
            begin, cpu = time.perf_counter(), time.process_time()
            response = await client.get(path)
            times[name].wall.append((time.perf_counter() - begin) * 1000)
            times[name].cpu.append((time.process_time() - cpu) * 1000)
            assert response.status_code == 200, (path, response.status_code)
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def print_table(times: Mapping[str, Timing], *, requests: int) -> None:
    print(f"{requests} requests per page after {WARM_UP} warm-up; milliseconds")
    print("| page | p50 | p95 | max | CPU p50 | CPU p95 |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, t in times.items():
        print(
            f"| {name} | {statistics.median(t.wall):.1f} | {p95(t.wall):.1f} | "
            f"{max(t.wall):.1f} | {statistics.median(t.cpu):.1f} | {p95(t.cpu):.1f} |"
        )
