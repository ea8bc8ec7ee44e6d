"""CLI start time: each command run N times in a fresh process, medians (like hyperfine).

    uv run python bench/bench_cli.py [--runs 15] [--quick] [--markdown] [--baseline-rev REV]
        [--core 1]

`hasteh --version` and `hasteh --help` show what starting costs; `hasteh read` is a real
command against a profile made here with the test-only small KDF (`MIN_KDF`, as
`tests/cli` makes profiles), so the figure is imports and work, not the unlock's Argon2id
(docs/benchmarks.md, "CLI start"). The unlock itself (that KDF and the vault's padding of
unlock time) is timed in process and subtracted for the `read` target. Targets:
`--version` ≤ 0.3 s, `read` without the unlock ≤ 0.6 s, on an idle machine. With
`--baseline-rev`, the CLI of that commit runs too, in turns with this one, so a busy
machine's load falls on both alike.
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


def timed(
    argv: list[str], envs: list[dict[str, str]], runs: int
) -> list[tuple[list[float], list[float]]]:
    """Wall-clock and CPU (user + system) seconds of `runs` runs of `argv` under each of
    `envs`, after one warm-up run each, each run in a new process. The environments take
    turns run by run, so a change in the machine's load falls on all of them alike. CPU
    time moves less than wall time on a busy machine."""
    for env in envs:
        subprocess.run(argv, env=env, check=True, capture_output=True)
    out: list[tuple[list[float], list[float]]] = [([], []) for _ in envs]
    for _ in range(runs):
        for env, (walls, cpus) in zip(envs, out, strict=True):
            cpu, start = _child_cpu(), time.perf_counter()
            subprocess.run(argv, env=env, check=True, capture_output=True)
            walls.append(time.perf_counter() - start)
            cpus.append(_child_cpu() - cpu)
    return out


def unlock_seconds(home: Path, runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of unlocking the profile in this process (the small
    test KDF and the vault's padding of unlock time, which sleeps): what `read` spends
    before it reads anything."""
    from hasteh import vault

    times, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        vault.unlock(home, PASS).close()
        times.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(times), statistics.median(cpus)


def baseline_source(rev: str, into: str) -> str:
    """`src/` of commit `rev` exported into `into` (to run the CLI as it was); its path."""
    root = Path(__file__).resolve().parents[1]
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", rev, "src"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", into], input=archive, check=True)
    return os.path.join(into, "src")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="3 runs each")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument(
        "--baseline-rev",
        default=None,
        help="also run the CLI of this commit (its src/ first on PYTHONPATH), in turns",
    )
    parser.add_argument(
        "--core",
        type=int,
        default=None,
        help="run this process and every command on this core only (like `taskset -c`)",
    )
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    if args.core is not None:  # children inherit the affinity
        os.sched_setaffinity(0, {args.core})
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}")
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.2f}, "
        f"cores {sorted(os.sched_getaffinity(0))}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "profile"
        make_profile(home)
        # As installed (pip writes bytecode at install; any run writes it to
        # __pycache__): a PYTHONDONTWRITEBYTECODE left in the shell would make every run
        # compile all its modules from source again, about 0.3 s of `read` here.
        base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env = {**base, "HASTEH_HOME": str(home), "HASTEH_PASSPHRASE": PASS}
        variants = [("now", env)]
        if args.baseline_rev:
            old = baseline_source(args.baseline_rev, tmp)
            variants.append((args.baseline_rev[:7], {**env, "PYTHONPATH": old}))
        cases = {
            "--version": [*hasteh(), "--version"],
            "--help": [*hasteh(), "--help"],
            "read": [*hasteh(), "read", CELL],
        }
        unlock, unlock_cpu = unlock_seconds(home, runs)
        rows = []
        for name, argv in cases.items():
            for (label, _), (walls, cpus) in zip(
                variants, timed(argv, [e for _, e in variants], runs), strict=True
            ):
                rows.append(
                    (
                        name if label == "now" else f"{name} ({label})",
                        statistics.median(walls),
                        min(walls),
                        max(walls),
                        statistics.median(cpus),
                    )
                )
    print(f"# load at end {os.getloadavg()[0]:.2f}")
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
    bullet = "- " if args.markdown else ""
    for name, median, _, _, cpu in rows:
        if name.startswith("read"):
            print(
                f"{bullet}`hasteh {name}` without the unlock ({unlock:.3f} s, CPU "
                f"{unlock_cpu:.3f} s): {median - unlock:.3f} s, CPU {cpu - unlock_cpu:.3f} s "
                "(target 0.6)"
            )


if __name__ == "__main__":
    main()
