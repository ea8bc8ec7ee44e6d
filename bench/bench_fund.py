"""Fund benchmark: a ledger of N entries verified and balanced on load.

    uv run python bench/bench_fund.py [--entries 10000] [--rounds 5] [--quick]

A 5-member cell gets N fund entries in the mix a working fund has (per 9: 4 cash
contributions, 1 pledge, 1 pledge kept, 1 hardship request, 1 approval, 1 payment),
each written on the ledger's tips as an honest client does. Measured, as the median of
`--rounds` runs: what a member's device does on load — decode every stored envelope, fold
them (which recomputes every entry's hash and checks every `prev`: the chain
verification), then read the balances. The target (issue 15) is ≤ 200 ms for 10,000.

Prints Markdown with the machine and date on top, for docs/benchmarks.md "## fund".
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import time

from bench_org import Ids, five_member_cell, machine
from hasteh.org import EventEnvelope, apply, decode, encode, fold
from hasteh.org.events import (
    Contributed,
    Disbursed,
    HardshipRequested,
    PledgeKept,
    RequestApproved,
)
from hasteh.org.ledger import ACCOUNTS
from hasteh.org.state import OrgState

T0 = 1_760_000_000
TARGET_MS = 200.0


def build(n: int) -> tuple[OrgState, list[bytes]]:
    """The cell before its fund, and the N fund entries as stored bytes."""
    next_id = Ids()
    base, _ = five_member_cell(next_id)
    state = base
    stored: list[bytes] = []
    pledges: list[bytes] = []
    requests: list[bytes] = []
    at = T0 + 100
    i = 0
    while len(stored) < n:
        slot = i % 10
        author = i % 5
        prev = state.fund.prev
        body: object
        if slot in (0, 1, 2, 3):
            body = Contributed(prev, "cash", 100_000 + i, "")
        elif slot == 4:
            body = Contributed(prev, "pledge", 50_000, "")
        elif slot == 5 and pledges:
            body = PledgeKept(prev, pledges[-1], 50_000)
        elif slot == 6:
            body = HardshipRequested(prev, f"family{i % 40}", "food", 200_000, "normal", "")
        elif slot in (7, 8) and requests and not state.fund.requests[requests[-1]].approved:
            request = state.fund.requests[requests[-1]]
            approver = next(
                m for m in range(5) if m != request.requester and m not in request.approvers
            )
            author = approver
            body = RequestApproved(prev, requests[-1])
        elif slot == 9 and requests:
            body = Disbursed(prev, requests[-1], "cash", 100_000)
        else:
            i += 1
            continue
        env = EventEnvelope(1, next_id(), author, at, body)  # type: ignore[arg-type]
        state = apply(state, env)
        stored.append(encode(env))
        if isinstance(body, Contributed) and body.holding == "pledge":
            pledges.append(env.event_id)
        if isinstance(body, HardshipRequested):
            requests.append(env.event_id)
        at += 60
        i += 1
    return base, stored


def load(base: OrgState, stored: list[bytes]) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds of one load (the CPU time is what the load costs
    on a machine shared with other work, where wall-clock also counts waiting)."""
    start, cpu = time.perf_counter(), time.process_time()
    state = base
    for data in stored:
        state = fold(state, decode(data))
    balances = {a: state.fund.balance(a) for a in ACCOUNTS}
    elapsed = (time.perf_counter() - start) * 1000
    used = (time.process_time() - cpu) * 1000
    assert state.fund.broken is None and sum(balances.values()) == 0
    return elapsed, used


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1,000 entries, 2 rounds")
    args = parser.parse_args()
    n, rounds = (1_000, 2) if args.quick else (args.entries, args.rounds)
    base, stored = build(n)
    runs = [load(base, stored) for _ in range(rounds)]
    median = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    print(f"# fund benchmark, {datetime.date.today().isoformat()}")
    print(f"Machine: {machine()}")
    print(f"Entries: {n} (mixed kinds); median of {rounds} rounds\n")
    print("| measure | ms | target |")
    print("|---|---|---|")
    target = f"≤ {TARGET_MS:.0f}" if n == 10_000 else "—"
    what = f"decode + fold (chain verified) + balances, {n} entries"
    print(f"| {what}, wall clock | {median:.1f} | {target} |")
    print(f"| {what}, CPU time | {cpu:.1f} | {target} |")
    print(f"| per entry, CPU (µs) | {cpu * 1000 / n:.1f} | |")


if __name__ == "__main__":
    main()
