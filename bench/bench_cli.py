"""CLI start time: each command run N times in a fresh process, medians (like hyperfine).

    uv run python bench/bench_cli.py [--runs 15] [--quick] [--markdown]

`hasteh --version` and `hasteh --help` show what starting costs; `hasteh read` is a real
command against a profile made here with the test-only small KDF (`MIN_KDF`, as
`tests/cli` makes profiles), so the figure is imports and work, not the unlock's Argon2id
(docs/benchmarks.md, "CLI start"). The unlock itself (that KDF and the vault's padding of
unlock time) is timed in process and subtracted for the `read` target. Targets:
`--version` ≤ 0.3 s, `read` without the unlock ≤ 0.6 s, on an idle machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

PASS = "bench passphrase, not a secret"
CELL = "bench"
TARGETS = {"--version": 0.3, "read": 0.6}


def hasteh() -> list[str]:
    """The installed console script, else the module run by this Python."""
    script = shutil.which("hasteh", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "hasteh.cli.main"]


def make_profile(home: Path) -> None:
    """A profile with one cell and one message, made with the small test KDF."""
    from hasteh import vault
    from hasteh.app import cells, talk
    from hasteh.app.profile import workspace
    from hasteh.vault.keyfile import MIN_KDF

    vault.create(home, PASS, kdf=MIN_KDF)
    with workspace(home, PASS) as ws:
        # An address nothing listens on: nothing here goes to a relay.
        cells.create_cell(ws, CELL, cover_name="bench", relays=["http://127.0.0.1:9"])
        talk.say(ws, CELL, "hello")


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], env: dict[str, str], runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (user + system) seconds of `runs` runs, after one warm-up run,
    each in a new process. CPU time moves less than wall time on a busy machine."""
    subprocess.run(argv, env=env, check=True, capture_output=True)
    walls, cpus = [], []
    for _ in range(runs):
        cpu, start = _child_cpu(), time.perf_counter()
        subprocess.run(argv, env=env, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
        cpus.append(_child_cpu() - cpu)
    return walls, cpus


def unlock_seconds(home: Path, runs: int) -> float:
    """Median seconds of unlocking the profile in this process (the small test KDF and the
    vault's padding of unlock time): what `read` spends before it reads anything."""
    from hasteh import vault

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        vault.unlock(home, PASS).close()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="3 runs each")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}")
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.2f}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "profile"
        make_profile(home)
        env = {**os.environ, "HASTEH_HOME": str(home), "HASTEH_PASSPHRASE": PASS}
        cases = {
            "--version": [*hasteh(), "--version"],
            "--help": [*hasteh(), "--help"],
            "read": [*hasteh(), "read", CELL],
        }
        unlock = unlock_seconds(home, runs)
        rows = []
        for name, argv in cases.items():
            walls, cpus = timed(argv, env, runs)
            rows.append(
                (name, statistics.median(walls), min(walls), max(walls), statistics.median(cpus))
            )
    if args.markdown:
        print("| command | median s | min s | max s | median CPU s | target s |")
        print("|:--|--:|--:|--:|--:|--:|")
    for name, median, low, high, cpu in rows:
        target = TARGETS.get(name)
        shown = f"{target:.1f}" if target else "–"
        if args.markdown:
            print(
                f"| `hasteh {name}` | {median:.3f} | {low:.3f} | {high:.3f} | {cpu:.3f} | {shown} |"
            )
        else:
            print(
                f"hasteh {name:<10} median {median:.3f} s  (min {low:.3f}, max {high:.3f}, "
                f"CPU {cpu:.3f} s, target {shown}, {runs} runs)"
            )
    read = next(median for name, median, *_ in rows if name == "read")
    bullet = "- " if args.markdown else ""
    print(
        f"{bullet}unlock (small KDF and padding, in process): {unlock:.3f} s; "
        f"`hasteh read` without it: {read - unlock:.3f} s (target 0.6)"
    )


if __name__ == "__main__":
    main()
