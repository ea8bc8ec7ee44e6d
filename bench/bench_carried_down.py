"""A nationwide tree of small groups (issue 17): one national decision and its report-back
to every cell, and a delegate's week. Simulated in one process (no network is needed).

    uv run python bench/bench_carried_down.py [--cells 1000] [--quick]

The tree: cells of 5 members; alliances of 10 cells (each seat a cell's delegate);
regional councils of 10 alliances; a national council of the 10 regions. One national
decision: the motion, one vote per region, the close (12 events in the national council);
then each level's delegate carries it one level down as a `CarriedDown` (10 into the
regions, 100 into the alliances, 1,000 into the cells). Every event is folded by the real
rules (`hasteh.org.log.apply` with each kind's table) into each group's state, and its
wire size is measured as it travels: the org encoding, framed, protected by a real MLS
group of 10 (hasteh.mls, cipher suite 1) and sealed into the relay envelope (padded to
its size bucket). Sync rounds count the hops: a member has the decision once every group
on the path from the council down to its cell has the report.

A delegate's week: the worst placed delegate sits in four groups (its cell, its alliance,
its region, the national council); 50 messages a day in each group and two decisions a
week (a motion, 10 votes, a close) in each of the three councils and alliances: the CPU
to unprotect and fold each event (measured per event here, on this machine) and the bytes
stored (the sealed envelopes of the week).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fuzz import _org_cell  # noqa: E402

from hasteh import org  # noqa: E402
from hasteh.app.frames import event_frame  # noqa: E402
from hasteh.envelope import MAILBOX_SIZE, Kind, seal  # noqa: E402
from hasteh.mls.cipher_suite import get_suite  # noqa: E402
from hasteh.mls.credential import BasicCredential  # noqa: E402
from hasteh.mls.group import GroupState, create_group, join_from_welcome  # noqa: E402
from hasteh.mls.key_package_ops import KeyPackageSecrets, create_key_package  # noqa: E402
from hasteh.mls.proposals import Add  # noqa: E402
from hasteh.org import EventEnvelope, EventId, LeafIndex, log  # noqa: E402
from hasteh.org.alliance import ALLIANCE, AllianceState, close_due  # noqa: E402
from hasteh.org.events import (  # noqa: E402
    AllianceFormed,
    AllianceMessage,
    CellApproved,
    CellProposed,
    CellVoted,
    MemberAdded,
    MessagePosted,
    MotionOpened,
)
from hasteh.org.events.federation import CarriedDown  # noqa: E402

NOW = 1_780_000_000
DAY = 86_400
FANOUT = 10
CELL_SIZE = 5
SUITE = 1


class Ids:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> EventId:
        self.n += 1
        return EventId(self.n.to_bytes(16, "big"))


IDS = Ids()


def env(author: int, body: org.AnyEvent, at: int = NOW) -> EventEnvelope:
    return EventEnvelope(org.VERSION, IDS(), LeafIndex(author), at, body)


def alliance_of(n: int, name: str) -> AllianceState:
    """An alliance (or council) of `n` seats, every Add approved by every member."""
    state = log.apply(ALLIANCE, AllianceState(), env(0, AllianceFormed(name, "seat-0")))
    for leaf in range(1, n):
        cell = f"seat-{leaf}"
        card = leaf.to_bytes(32, "big")
        proposal = env(0, CellProposed(card, cell, NOW + 7 * DAY))
        state = log.apply(ALLIANCE, state, proposal)
        for other in range(1, leaf):
            state = log.apply(ALLIANCE, state, env(other, CellApproved(proposal.event_id)))
        state = log.apply(ALLIANCE, state, env(0, MemberAdded(leaf, cell, card, 0, leaf)))
    return state


def _kp() -> KeyPackageSecrets:
    suite = get_suite(SUITE)
    sk, _ = suite.generate_signature_key(os.urandom)
    return create_key_package(SUITE, BasicCredential(b"m"), sk, rng=os.urandom, now=NOW)


def mls_pair(size: int) -> tuple[GroupState, GroupState]:
    """Leaf 0 and the last leaf of a real MLS group of `size`."""
    kps = [_kp() for _ in range(size)]
    creator = create_group(SUITE, b"bench-federation", kps[0], rng=os.urandom)
    out = creator.commit([Add(k.key_package) for k in kps[1:]], rng=os.urandom, now=NOW)
    assert out.welcome is not None
    return creator.merge_pending(out.pending), join_from_welcome(out.welcome, kps[-1])


def wire(group: GroupState, e: EventEnvelope) -> bytes:
    payload = group.protect(event_frame(org.encode(e)), rng=os.urandom)
    return seal(
        kind=Kind.MESSAGE, mailbox=bytes(MAILBOX_SIZE), payload=payload, rng=os.urandom
    ).to_bytes()


def receive_cost(
    sender: GroupState,
    receiver: GroupState,
    kind: log.LogKind[object],
    state: object,
    e: EventEnvelope,
) -> tuple[float, int]:
    """CPU seconds for one member to unprotect and fold `e`, and its sealed size."""
    payload = sender.protect(event_frame(org.encode(e)), rng=os.urandom)
    sealed = seal(kind=Kind.MESSAGE, mailbox=bytes(MAILBOX_SIZE), payload=payload, rng=os.urandom)
    start = time.process_time()
    data = receiver.unprotect(payload)
    body = org.decode(data.data[1:])
    log.apply(kind, state, body, decoded=True)
    return time.process_time() - start, len(sealed.to_bytes())


def national_decision(cells: int, sender: GroupState) -> dict[str, float]:
    """The tree, one national decision and its report-back; counts and bytes."""
    alliances = cells // FANOUT
    regions = max(1, alliances // FANOUT)
    seats = min(FANOUT, regions)
    council = alliance_of(seats, "national")
    region = alliance_of(FANOUT, "region")
    alliance = region  # same shape: 10 seats
    cell, _ = _org_cell.build()
    sizes: dict[str, int] = {}
    events = 0

    def count(name: str, e: EventEnvelope) -> None:
        nonlocal events
        events += 1
        sizes.setdefault(name, len(wire(sender, e)))

    start = time.process_time()
    motion = env(0, MotionOpened("A national day of action on the 1st?", NOW + DAY))
    council = log.apply(ALLIANCE, council, motion)
    count("motion", motion)
    for leaf in range(seats):
        vote = env(leaf, CellVoted(motion.event_id, True))
        council = log.apply(ALLIANCE, council, vote)
        count("vote", vote)
    (close,) = close_due(council, NOW)
    closing = env(0, close)
    council = log.apply(ALLIANCE, council, closing)
    count("close", closing)
    outcome = council.motions[EventId(motion.event_id)].outcome
    report = CarriedDown("decision", "national", "A national day of action on the 1st?", outcome)
    folds = 0
    for name, groups, state, kind in (
        ("region", regions, region, ALLIANCE),
        ("alliance", alliances, alliance, ALLIANCE),
        ("cell", cells, cell, org.CELL),
    ):
        e = env(0, report)
        for _ in range(groups):
            log.apply(kind, state, e)
            folds += 1
            count(f"report into {name}", e)
    cpu = time.process_time() - start
    national_events = seats + 2
    worst = national_events + 3  # national council, then one report in region, alliance, cell
    members = cells * CELL_SIZE
    receipts = national_events * seats + regions * FANOUT + alliances * FANOUT + cells * CELL_SIZE
    return {
        "cells": cells,
        "members": members,
        "groups": 1 + regions + alliances + cells,
        "events": events,
        "receipts": receipts,
        "per member, ordinary": 1,
        "per member, worst (4 groups)": worst,
        "bytes, ordinary member": sizes["report into cell"],
        "bytes, worst member": sizes["motion"]
        + seats * sizes["vote"]
        + sizes["close"]
        + sizes["report into region"]
        + sizes["report into alliance"]
        + sizes["report into cell"],
        "rounds": 4,
        "simulation CPU s": cpu,
        "folds": folds,
        "report bytes": sizes["report into cell"],
    }


def delegate_week(sender: GroupState, receiver: GroupState, samples: int) -> dict[str, float]:
    """CPU and storage of the worst placed delegate (four groups) for one week."""
    alliance = alliance_of(FANOUT, "north")
    cell, _ = _org_cell.build()
    thread = next(iter(cell.threads)) if cell.threads else None
    chat_cpu, chat_bytes, vote_cpu, vote_bytes = [], [], [], []
    for i in range(samples):
        text = "پیام " * 30 + str(i)  # about 200 characters, a typical message
        seconds, size = receive_cost(
            sender, receiver, ALLIANCE, alliance, env(1, AllianceMessage(text))
        )
        chat_cpu.append(seconds)
        chat_bytes.append(size)
        if thread is not None:
            seconds, size = receive_cost(
                sender,
                receiver,
                org.CELL,
                cell,
                env(1, MessagePosted(thread, text, NOW + 14 * DAY)),
            )
            chat_cpu.append(seconds)
            chat_bytes.append(size)
        motion = env(0, MotionOpened(f"Decision {i}?", NOW + DAY))
        opened = log.apply(ALLIANCE, alliance, motion)
        seconds, size = receive_cost(
            sender, receiver, ALLIANCE, opened, env(1, CellVoted(motion.event_id, True))
        )
        vote_cpu.append(seconds)
        vote_bytes.append(size)
    chats = 50 * 7 * 4  # 50 a day, 7 days, 4 groups
    decision_events = 2 * (FANOUT + 2) * 3  # 2 decisions a week, 3 councils/alliances
    chat_s, vote_s = statistics.median(chat_cpu), statistics.median(vote_cpu)
    chat_b, vote_b = statistics.median(chat_bytes), statistics.median(vote_bytes)
    return {
        "events a week": chats + decision_events,
        "CPU per chat event ms": chat_s * 1000,
        "CPU per vote event ms": vote_s * 1000,
        "CPU a week s": chats * chat_s + decision_events * vote_s,
        "bytes per chat event": chat_b,
        "bytes per vote event": vote_b,
        "storage a week KiB": (chats * chat_b + decision_events * vote_b) / 1024,
    }


def machine() -> str:
    load = os.getloadavg()
    return (
        f"{date.today().isoformat()}; nproc={os.cpu_count()}, {platform.machine()}, "
        f"Python {platform.python_version()}, load average "
        f"{load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f} at start"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="100 cells, 5 samples")
    args = parser.parse_args()
    cells, samples = (100, 5) if args.quick else (args.cells, args.samples)
    print(machine())
    sender, _ = mls_pair(FANOUT)
    tree = national_decision(cells, sender)
    sender, receiver = mls_pair(FANOUT)
    print("\n| one national decision and its report-back | value |\n|---|---|")
    for name, value in tree.items():
        print(
            f"| {name} | {value:,.3f} |" if isinstance(value, float) else f"| {name} | {value:,} |"
        )
    week = delegate_week(sender, receiver, samples)
    print("\n| a delegate in four groups, one week | value |\n|---|---|")
    for name, value in week.items():
        print(f"| {name} | {value:,.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
