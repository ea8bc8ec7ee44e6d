"""Message latency A→B through an onion relay on a private Tor network, next to the same
through a loopback relay, in one run.

    uv run python bench/bench_tor.py [--messages 40] [--quick] [--markdown]

Starts the test suite's private Tor network (tests/tor/network.py: 3 authorities, 3 relays
on 127.0.0.1), `hasteh relay serve --onion` (reachable only by its onion address), a
plain relay on 127.0.0.1, and one client tor (hasteh's `TorProcess`). B long-polls its
mailbox (`fetch`, wait 30 s) while A posts one sealed envelope; the latency is from the
start of A's post to the return of B's fetch holding it. Each message is a fresh post on
warm connections (A's and B's httpx clients stay open, as in `hasteh up`), so the figure is
Tor's per-message cost (a six-hop rendezvous circuit each way), not circuit building; the
first message through Tor, which builds the circuits, is reported apart.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.relay.harness import Group, RelayProcess, envelope  # noqa: E402
from tests.tor.helpers import start_onion_relay  # noqa: E402
from tests.tor.network import start_network  # noqa: E402

from hasteh.tor.process import DEFAULTS_ENV, TorProcess  # noqa: E402
from hasteh.transport.relay_client import RelayClient  # noqa: E402


def one_message(a: RelayClient, b: RelayClient, group: Group, after: str) -> tuple[float, str]:
    """Seconds from A's post to B's fetch returning the envelope; B's new cursor."""
    result: dict[str, object] = {}

    def wait() -> None:
        result["page"] = b.fetch(
            group.mailbox, after=after, wait=30.0, auth=group.auth(claim=False)
        )
        result["at"] = time.perf_counter()

    reader = threading.Thread(target=wait)
    reader.start()
    time.sleep(0.3)  # let B's long poll reach the relay first
    start = time.perf_counter()
    env = envelope(group.mailbox, os.urandom(200))
    a.post(env.to_bytes(), group.auth())
    reader.join(timeout=120)
    page = result["page"]
    assert page.envelopes, "B got nothing"  # type: ignore[attr-defined]
    return float(result["at"]) - start, page.cursor  # type: ignore[attr-defined,arg-type]


def series(url: str, proxy: str | None, n: int) -> tuple[float, list[float]]:
    group = Group()
    with (
        RelayClient(url, proxy=proxy, timeout=120) as a,
        RelayClient(url, proxy=proxy, timeout=120) as b,
    ):
        first, cursor = one_message(a, b, group, "0")
        times = []
        for _ in range(n):
            took, cursor = one_message(a, b, group, cursor)
            times.append(took)
    return first, times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    n = 8 if args.quick else args.messages
    root = Path(tempfile.mkdtemp(prefix="hasteh-benchtor-"))
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, nproc {os.cpu_count()}")
    network = start_network(root)
    os.environ[DEFAULTS_ENV] = str(network.defaults_file)
    loop = RelayProcess(f"sqlite:///{root / 'loop.sqlite3'}", extra=["--rate", "100000"]).start()
    (root / "onion").mkdir()
    onion = start_onion_relay(network, root / "onion")
    tor = TorProcess.start(root / "client", defaults=network.defaults_file)
    try:
        rows = [
            ("loopback relay", *series(loop.url, None, n)),
            ("onion relay (private Tor network)", *series(onion.url, tor.socks_url, n)),
        ]
    finally:
        tor.stop()
        onion.stop()
        loop.kill()
        network.stop()
        shutil.rmtree(root, ignore_errors=True)
    print()
    print("| path | messages | first (ms) | median (ms) | p95 (ms) |")
    print("|:--|--:|--:|--:|--:|")
    for name, first, times in rows:
        print(
            f"| {name} | {len(times)} | {first * 1000:.0f} | "
            f"{statistics.median(times) * 1000:.1f} | {p95(times) * 1000:.1f} |"
        )


if __name__ == "__main__":
    main()
