"""Org benchmark: fold and codec throughput for a cell's talk.

    uv run python bench/bench_org.py [--events 10000] [--rounds 5] [--quick]

A 5-member cell with one thread gets N `MessagePosted` events (200-byte texts, authors in
turn). Measured, as the median of `--rounds` runs (µs per event):

* `apply` (validated: field bounds via one encode/decode round trip, then the rules), the
  path every received event takes;
* `fold` (no checks), the path of a replay of the device's own stored log;
* `decode` and `encode` of the envelopes alone, and decode + apply (what a receiver does);
* `expire` of all N messages at once (µs per message) and `messages_in` of the thread;
* `log.receive` (what a catch-up runs per chat message, fields already bounded by the
  decoder) of N more messages into the state that already holds the N, in CPU time (the
  process's, so other load on the machine counts less), with the garbage collector on as
  in the app and off (what is left of the fold itself).

Prints Markdown with the machine and date on top, for docs/benchmarks.md "## org".
"""

from __future__ import annotations

import argparse
import datetime
import gc
import hashlib
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from hasteh.org import (
    AdmissionApproved,
    CellCreated,
    EventEnvelope,
    MemberAdded,
    MessagePosted,
    NewcomerProposed,
    OrgState,
    ThreadOpened,
    Vouched,
    apply,
    decode,
    empty_state,
    encode,
    expire,
    fold,
    log,
    messages_in,
)
from hasteh.org.fold import CELL

T0 = 1_760_000_000
DAY = 86_400
NAMES = ("Bahar", "Kaveh", "Shirin", "Dariush", "Nasrin")


def machine() -> str:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"nproc={nproc}, {platform.machine()}, {cpu}, Python {platform.python_version()},"
        f" load average {load} at start"
    )


class Ids:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> bytes:
        self.n += 1
        return hashlib.sha256(self.n.to_bytes(8, "big")).digest()[:16]


def five_member_cell(next_id: Ids) -> tuple[OrgState, bytes]:
    state = empty_state()

    def do(author: int, body: object) -> bytes:
        nonlocal state
        env = EventEnvelope(1, next_id(), author, T0, body)  # type: ignore[arg-type]
        state = apply(state, env)
        return env.event_id

    do(0, CellCreated("bench", NAMES[0]))
    for leaf in range(1, 5):
        fp = hashlib.sha256(NAMES[leaf].encode()).digest()
        pid = do(0, NewcomerProposed(fp, NAMES[leaf], T0 + DAY))
        others = [m for m in sorted(state.members) if m != 0]
        if others:
            do(others[0], Vouched(pid))
            for m in others[1:]:
                do(m, AdmissionApproved(pid))
        do(0, MemberAdded(leaf, NAMES[leaf], fp, 0, leaf))
    thread = do(0, ThreadOpened("general"))
    return state, thread


def cpu_per_event(fn: Callable[[], object], n: int, rounds: int, *, collect: bool) -> float:
    """Median CPU time of `fn` per event, the garbage collector on or off."""
    runs = []
    for _ in range(rounds):
        if not collect:
            gc.disable()
        try:
            started = time.process_time()
            fn()
            runs.append(time.process_time() - started)
        finally:
            gc.enable()
    return statistics.median(runs) / n * 1e6


def per_event(fn: Callable[[], object], n: int, rounds: int) -> float:
    runs = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1,000 events, 2 rounds")
    args = parser.parse_args()
    n, rounds = (1_000, 2) if args.quick else (args.events, args.rounds)

    print(f"# org benchmark, {datetime.date.today().isoformat()}")
    print(f"Machine: {machine()}")
    print(f"Events: {n} MessagePosted, 200-byte texts; median of {rounds} rounds\n")

    next_id = Ids()
    base, thread = five_member_cell(next_id)
    text = "ک" * 100  # 200 bytes of UTF-8
    envelopes = [
        EventEnvelope(1, next_id(), i % 5, T0 + i, MessagePosted(thread, text, T0 + i + DAY))
        for i in range(n)
    ]
    wire = [encode(e) for e in envelopes]

    def apply_all() -> OrgState:
        state = base
        for env in envelopes:
            state = apply(state, env)
        return state

    def fold_all() -> OrgState:
        state = base
        for env in envelopes:
            state = fold(state, env)
        return state

    def receive_all() -> OrgState:
        state = base
        for data in wire:
            state = apply(state, decode(data))
        return state

    full = apply_all()
    assert len(full.messages) == n
    more = [
        decode(
            encode(
                EventEnvelope(
                    1,
                    next_id(),
                    i % 5,
                    T0 + n + i,
                    MessagePosted(thread, text, T0 + n + i + DAY),
                    n=i,
                )
            )
        )
        for i in range(n)
    ]

    def receive_more() -> OrgState:
        state = full
        for env in more:
            state = log.receive(CELL, state, env, decoded=True).state
        return state

    assert len(receive_more().messages) == 2 * n
    rows = [
        ("apply (validate + fold), per event", per_event(apply_all, n, rounds)),
        ("fold (replay, no checks), per event", per_event(fold_all, n, rounds)),
        ("decode, per event", per_event(lambda: [decode(w) for w in wire], n, rounds)),
        ("encode, per event", per_event(lambda: [encode(e) for e in envelopes], n, rounds)),
        ("decode + apply (receive path), per event", per_event(receive_all, n, rounds)),
        (f"expire all {n}, per message", per_event(lambda: expire(full, T0 + 2 * DAY), n, rounds)),
        (
            f"messages_in (sorted list of {n}), per message",
            per_event(lambda: messages_in(full, thread), n, rounds),
        ),
        (
            f"log.receive into a state of {n}, per message, CPU",
            cpu_per_event(receive_more, n, rounds, collect=True),
        ),
        (
            f"log.receive into a state of {n}, per message, CPU, no GC",
            cpu_per_event(receive_more, n, rounds, collect=False),
        ),
    ]
    size = statistics.mean(len(w) for w in wire)
    print("| operation | µs |")
    print("|:--|--:|")
    for label, micros in rows:
        print(f"| {label} | {micros:.2f} |")
    print(f"\nMean encoded MessagePosted envelope: {size:.0f} bytes.")


if __name__ == "__main__":
    main()
