"""Federation benchmark: one alliance decision, one vote per cell, and its signed tally.

    uv run python bench/bench_tally.py [--cells 10 64] [--rounds 5] [--quick]

For an alliance of N cells (each with its key registered): a motion, N votes carrying
their mandates' references, the close, and N `TallySigned` events (each fold checks one
Ed25519 signature). Measured, as the median of `--rounds` runs, CPU time:

* a delegate's device folding the whole decision (motion, votes, close, N signatures);
* a cell member's device checking the delegate's `ReportedBack` (the signed tally: N
  signature checks, `fed.check_tally`) and folding it;
* a recall's check in the alliance (one signature) and in the cell (one signature);

and the bytes of the signed tally a delegate carries back (the `ReportedBack` event).

Prints Markdown with the machine and date on top, for docs/benchmarks.md ("## Federation:
signed tallies").
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import statistics
import time

from bench_org import machine
from hasteh.org import EventEnvelope, EventId, LeafIndex, encode, log
from hasteh.org import cell_key as keys
from hasteh.org.alliance import ALLIANCE, AllianceState, signed_tally, tally_to_sign
from hasteh.org.events import (
    AllianceFormed,
    AlternateRegistered,
    CellKeyRegistered,
    CellVoted,
    DelegateSwapped,
    MemberAdded,
    MotionClosed,
    MotionOpened,
    MotionOutcome,
    ReportedBack,
    TallySigned,
)
from hasteh.org.fed import check_tally

T0 = 1_760_000_000


class Alliance:
    def __init__(self) -> None:
        self.state = AllianceState()
        self.n = 0

    def envelope(self, author: int, body: object) -> EventEnvelope:
        self.n += 1
        event_id = EventId(hashlib.sha256(self.n.to_bytes(8, "big")).digest()[:16])
        return EventEnvelope(1, event_id, LeafIndex(author), T0, body)  # type: ignore[arg-type]

    def do(self, author: int, body: object) -> EventEnvelope:
        env = self.envelope(author, body)
        self.state = log.apply(ALLIANCE, self.state, env)
        return env


def seed(i: int) -> bytes:
    return hashlib.sha256(f"bench cell {i}".encode()).digest()


def keyed(cells: int) -> Alliance:
    """An alliance of `cells` cells at leaves 0..cells-1, each with its key registered
    (the members' Adds folded as facts with alarms: admission is not what is measured)."""
    a = Alliance()
    a.do(0, AllianceFormed("bench", "cell-0"))
    for i in range(1, cells):
        a.state = log.fold(
            ALLIANCE, a.state, a.envelope(0, MemberAdded(i, f"cell-{i}", seed(i)[:32], 0, i))
        )
    for i in range(cells):
        public = keys.public_of(seed(i))
        proof = keys.sign(seed(i), keys.possession_body(f"cell-{i}", public))
        a.do(i, CellKeyRegistered(public, proof))
    return a


def decision(a: Alliance, cells: int) -> tuple[list[EventEnvelope], bytes]:
    """The envelopes of one decision (built on a copy), and the motion's id."""
    start = a.state
    envs = [a.do(0, MotionOpened("A joint strike on 1 May?", T0 + 86_400))]
    motion = envs[0].event_id
    for i in range(cells):
        ref = keys.mandate_ref(seed(i)[:16], motion)
        envs.append(a.do(i, CellVoted(motion, i % 3 != 0, ref)))
    agree = sum(1 for i in range(cells) if i % 3 != 0)
    envs.append(
        a.do(0, MotionClosed(motion, MotionOutcome(agree > cells - agree, agree, cells - agree)))
    )
    signed = tally_to_sign(a.state, motion)
    for i in range(cells):
        envs.append(a.do(i, TallySigned(motion, keys.sign(seed(i), signed))))
    tally = signed_tally(a.state, motion)
    a.state = start
    return envs, encode(a.envelope(0, ReportedBack(tally)))


def cpu_ms(fn: object, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.process_time()
        fn()  # type: ignore[operator]
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def measure(cells: int, rounds: int) -> list[tuple[str, str]]:
    a = keyed(cells)
    envs, report = decision(a, cells)
    base = a.state

    def fold_decision() -> None:
        state = base
        for env in envs:
            state = log.apply(ALLIANCE, state, env)

    def check_report() -> None:
        from hasteh.org import decode

        check_tally(decode(report).body.tally, "cell-0")  # type: ignore[union-attr]

    card = hashlib.sha256(b"the alternate's card").digest()
    alt_sig = keys.sign(seed(0), keys.alternate_body("cell-0", card))
    a.do(0, AlternateRegistered(b"card", card, T0 + 86_400, alt_sig))
    ref = keys.decision_ref(b"d" * 16)
    swap = a.envelope(
        1,
        DelegateSwapped(
            "cell-0", card, ref, keys.sign(seed(0), keys.recall_body("cell-0", card, ref))
        ),
    )
    with_alt = a.state

    def check_recall() -> None:
        log.apply(ALLIANCE, with_alt, swap)

    return [
        (
            f"fold one decision of {cells} cells (motion, votes, close, {cells} tally signatures)",
            f"{cpu_ms(fold_decision, rounds):.1f}",
        ),
        (
            f"check a report-back: the signed tally of {cells} cells",
            f"{cpu_ms(check_report, rounds):.2f}",
        ),
        ("check a recall in the alliance (one signature)", f"{cpu_ms(check_recall, rounds):.3f}"),
        (f"bytes of the report-back ({cells} cells)", f"{len(report)}"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, nargs="+", default=[10, 64])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    cells, rounds = ([5], 1) if args.quick else (args.cells, args.rounds)
    print(f"`uv run python bench/bench_tally.py` ({datetime.date.today()}; {machine()}).")
    print(f"CPU time, median of {rounds} runs.\n")
    print("| measure | ms (bytes for sizes) |")
    print("|---|---|")
    for n in cells:
        for name, value in measure(n, rounds):
            print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
