"""MLS group operations: hasteh next to mls-rs, in one run.

    uv run python bench/bench_mls_group.py [--quick] [--markdown] [--sizes 2 8 32 128 1024]
        [--rounds 3] [--original-uniffi] [--no-pin]

Fairness: the process (both implementations run in it) is pinned to one core (core 0,
`--no-pin` to leave it free), and the mls-rs wheel's per-byte RustBuffer write is replaced
for the run by one memmove, checked byte for byte against the original first
(`mlsrs_peer.fast_rustbuffer_writes`; `--original-uniffi` keeps the wheel as shipped).

Cipher suite 1 (X25519, AES-128-GCM, SHA-256, Ed25519). For each group size n, the median
seconds of:

- `protect_unprotect_1KiB`: one 1 KiB application message protected by leaf 0 and
  unprotected by the last leaf;
- `commit_create`: a self-update commit (an empty Commit with an UpdatePath) by leaf 0;
- `commit_process`: that commit processed by the last leaf;
- `join_welcome`: joining from the Welcome of the Add commit that built the group (tree
  in-band, every §12.4.3.1 check made, including every leaf signature).

The group is built the way `bench/mlsrs_peer.py` builds the mls-rs one, so both sides do
the same work: one Add commit of the n-1 others; only log2(n) + 2 members hold a state;
the first leaf of each copath subtree of leaf 0 (leaves 1, 2, 4, …) commits a
self-update in turn, which fills every copath node of leaf 0 ("a full tree" as far as
leaf 0's commits are concerned, see that file's docstring). mls-rs figures come from
`mlsrs_peer.measure_size` in the same process. Each size runs --rounds rounds, each
measuring both sides back to back (which goes first alternates); the table gives the
medians and the median of the per-round ratios, with their range.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.credential import BasicCredential
from hasteh.mls.group import CommitApplied, GroupState, create_group, join_from_welcome
from hasteh.mls.key_package_ops import KeyPackageSecrets, create_key_package
from hasteh.mls.proposals import Add
from mlsrs_peer import (
    OPS,
    fast_rustbuffer_writes,
    fill_leaves,
    pin_to_one_core,
    timed,
)
from mlsrs_peer import measure_size as measure_mlsrs_size

SIZES = (2, 8, 32, 128, 1024)
SUITE = 1
NOW = int(time.time())


def _kp(name: bytes) -> KeyPackageSecrets:
    suite = get_suite(SUITE)
    sk, _ = suite.generate_signature_key(os.urandom)
    return create_key_package(SUITE, BasicCredential(name), sk, rng=os.urandom, now=NOW)


def measure_hasteh_size(size: int, *, repeat: int = 5, messages: int = 50) -> dict[str, float]:
    kps = [_kp(f"member-{i}".encode()) for i in range(size)]
    creator = create_group(SUITE, b"bench-group-%d" % size, kps[0], rng=os.urandom)
    out = creator.commit([Add(k.key_package) for k in kps[1:]], rng=os.urandom, now=NOW)
    creator = creator.merge_pending(out.pending)
    assert out.welcome is not None
    active = sorted({*fill_leaves(size), size - 1})
    states: dict[int, GroupState] = {0: creator}
    joins = []
    for leaf in active:
        seconds, state = timed(lambda leaf=leaf: join_from_welcome(out.welcome, kps[leaf]))
        states[leaf] = state
        joins.append(seconds)

    def commit_and_relay(committer: int) -> tuple[float, float]:
        create, c = timed(lambda: states[committer].commit(force_path=True, rng=os.urandom))
        states[committer] = states[committer].merge_pending(c.pending)
        process = 0.0
        for leaf in list(states):
            if leaf == committer:
                continue
            seconds, result = timed(lambda leaf=leaf: states[leaf].process(c.commit))
            assert isinstance(result, CommitApplied) and result.new_state is not None
            states[leaf] = result.new_state
            if leaf == size - 1:
                process = seconds
        return create, process

    for leaf in fill_leaves(size):
        commit_and_relay(leaf)
    creates, processes = [], []
    for _ in range(repeat):
        create, process = commit_and_relay(0)
        creates.append(create)
        processes.append(process)

    sender, receiver = states[0], states[size - 1]
    payload = bytes(1024)
    app = []
    for _ in range(messages):
        start = time.perf_counter()
        receiver.unprotect(sender.protect(payload, rng=os.urandom))
        app.append(time.perf_counter() - start)
    return {
        "protect_unprotect_1KiB": statistics.median(app),
        "commit_create": statistics.median(creates),
        "commit_process": statistics.median(processes),
        "join_welcome": statistics.median(joins),
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}"
    )


def _ms(x: float) -> str:
    return f"{x * 1000:.3f}"


def table(rounds: list[tuple[int, dict[str, float], dict[str, float]]]) -> str:
    """Medians over rounds: of each side's seconds, and of the per-round ratios (each
    round measured both sides back to back, so a ratio compares like with like even when
    the load on the shared core drifts between rounds); the ratios' range shows the spread."""
    sizes = sorted({n for n, _, _ in rounds})
    lines = [
        "| operation | members | hasteh ms | mls-rs ms | hasteh/mls-rs | ratio range |",
        "|:--|--:|--:|--:|--:|:--|",
    ]
    for op in OPS:
        for n in sizes:
            ours = [o[op] for size, o, _ in rounds if size == n]
            theirs = [t[op] for size, _, t in rounds if size == n]
            ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
            lines.append(
                f"| {op} | {n} | {_ms(statistics.median(ours))} | "
                f"{_ms(statistics.median(theirs))} | {statistics.median(ratios):.2f} | "
                f"{min(ratios):.2f}-{max(ratios):.2f} |"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat")
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    parser.add_argument("--sizes", type=int, nargs="*", default=None)
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds per size, each measuring both sides"
    )
    parser.add_argument(
        "--original-uniffi", action="store_true", help="keep mls-rs's per-byte buffer write"
    )
    parser.add_argument("--no-pin", action="store_true", help="do not pin to core 0")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([2, 8, 32] if args.quick else list(SIZES))
    repeat, rounds = (1, 1) if args.quick else (5, args.rounds)
    if not args.no_pin:
        pin_to_one_core()
    if not args.original_uniffi:
        fast_rustbuffer_writes()  # raises if it does not match the original byte for byte
    print(f"# MLS group benchmark, {date.today().isoformat()}")
    print(f"# machine: {machine()}")
    print(
        f"# affinity: cores {sorted(os.sched_getaffinity(0))}; mls-rs RustBuffer write: "
        + ("original (per byte)" if args.original_uniffi else "memmove (checked identical)")
    )
    print(f"# load average at start: {os.getloadavg()[0]:.1f}")
    results = []
    for size in sizes:
        for r in range(rounds):
            # Alternate which side goes first, so neither always gets the warmer cache.
            if r % 2 == 0:
                ours = measure_hasteh_size(size, repeat=repeat)
                theirs = measure_mlsrs_size(size, repeat=repeat)
            else:
                theirs = measure_mlsrs_size(size, repeat=repeat)
                ours = measure_hasteh_size(size, repeat=repeat)
            results.append((size, ours, theirs))
    print(f"# load average at end: {os.getloadavg()[0]:.1f}; {rounds} rounds per size")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
