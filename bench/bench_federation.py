"""A nationwide federation, simulated in one process: one national decision reaching
every member, and a delegate's device cost per week (issue 17, "Speed and scale").

    uv run python bench/bench_federation.py [--fanout 10] [--quick]

The tree: cells of 5 members; alliances of `fanout` cells; regional councils of `fanout`
alliances; a national council of the `fanout` regions (fanout 10: 1,000 cells, 5,000
people). Each group above a cell has one member per group below it, its delegate, who
also sits in that group: the delegate of an alliance to its region is the delegate of the
alliance's first cell, and so on up, so the national delegate of region 0 sits in four
groups. Every group is a real `hasteh.mls` group (cipher suite 1, the app's
`GroupConfig`) built by one Add commit and Welcomes. Every message is a real org event
(`hasteh.org` encoding, an `EventEnvelope` with counter and chain hash as the app writes
it) in an event frame, protected by the author's MLS state, wrapped in a padded relay
envelope (`hasteh.envelope.seal`) and opened and unprotected by every other member.

**One national decision.** A sync round is one turn of every device: fetch what is new in
each of its groups' mailboxes, read it, post what it answers. What a device posts in a
round is on the relay for the next round. Round 0: the national chair opens a motion and
votes. Then the other national delegates vote; once every region voted the chair closes
the motion; whoever first learns the outcome (the closing, or a report-back from the
group above) posts a report-back into each of its lower groups that has none yet. The
run ends when every one of the people has the decision. Counted per person: messages
and bytes sent and fetched (own messages come back from the relay too, as the app reads
them) and the round they learned it.

**A delegate's week.** 50 messages a day in each of the delegate's groups from random
members, two decisions a week in the alliance and in each council (a motion, a vote per
member cell or region, the closing) and their report-backs into each of the delegate's
lower groups. The delegate's device's CPU (`time.process_time`) for what it does to every
message (open the envelope, MLS unprotect, decode the event; for its own: encode,
protect, seal), and the storage a week adds to a real SQLCipher vault (the events table
as the app fills it, after a checkpoint).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from hasteh import org
from hasteh.app.constants import CONFIG
from hasteh.app.frames import event_frame, split
from hasteh.envelope import MAILBOX_SIZE, Envelope, Kind, open_payload, seal
from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.credential import BasicCredential
from hasteh.mls.group import GroupState, create_group, join_from_welcome
from hasteh.mls.key_package_ops import KeyPackageSecrets, create_key_package
from hasteh.mls.proposals import Add
from hasteh.org.events import EventEnvelope
from hasteh.org.events.alliance import (
    AllianceMessage,
    CellVoted,
    MotionClosed,
    MotionOpened,
    MotionOutcome,
)
from hasteh.org.events.base import Event, EventId, LeafIndex
from hasteh.org.events.talk import MessagePosted
from hasteh.vault import db as vdb
from hasteh.vault import events as vevents

SUITE = 1
CELL_SIZE = 5
NOW = 1_790_000_000
DAY = 86_400
LEVELS = ("cell", "alliance", "region", "national")
rng = os.urandom

# Realistic Persian texts (UTF-8: two bytes a letter). A chat message of about 200
# letters; a motion of about 300; a report-back of about 600 (the question, the outcome
# and what the delegates agreed to do).
_WORDS = "کارگران کارخانه جلسه فردا اعتصاب دستمزد حقوق معوقه نماینده شورا تصمیم گزارش".split()


def persian(letters: int, seed: int) -> str:
    pick = random.Random(seed)
    out: list[str] = []
    while sum(len(w) + 1 for w in out) < letters:
        out.append(pick.choice(_WORDS))
    return " ".join(out)


CHAT = persian(200, 1)
QUESTION = persian(300, 2)
REPORT = persian(600, 3)


def _key_package(name: bytes) -> KeyPackageSecrets:
    sk, _ = get_suite(SUITE).generate_signature_key(rng)
    return create_key_package(SUITE, BasicCredential(name), sk, rng=rng, now=NOW)


@dataclass
class Stats:
    """What one person's device did."""

    sent: int = 0
    sent_bytes: int = 0
    fetched: int = 0
    fetched_bytes: int = 0
    learned_round: int | None = None


@dataclass
class Group:
    """A real MLS group with its relay mailbox (a list of sealed envelopes)."""

    level: int
    index: int
    people: list[int]  # person id of each leaf
    states: list[GroupState]
    mailbox: bytes
    posted: list[tuple[int, bytes]] = field(default_factory=list)  # (leaf, envelope bytes)
    counters: list[int] = field(default_factory=list)
    cursors: list[int] = field(default_factory=list)
    mls_bytes: list[int] = field(default_factory=list)

    @classmethod
    def build(cls, level: int, index: int, people: list[int]) -> Group:
        kps = [_key_package(b"p%d" % p) for p in people]
        gid = b"%s-%d" % (LEVELS[level].encode(), index)
        creator = create_group(SUITE, gid, kps[0], rng=rng, config=CONFIG)
        out = creator.commit([Add(k.key_package) for k in kps[1:]], rng=rng, now=NOW)
        states = [creator.merge_pending(out.pending)]
        assert out.welcome is not None
        states += [join_from_welcome(out.welcome, k, config=CONFIG) for k in kps[1:]]
        n = len(people)
        return cls(level, index, people, states, rng(MAILBOX_SIZE), [], [0] * n, [0] * n, [])

    def leaf_of(self, person: int) -> int:
        return self.people.index(person)

    def post(self, leaf: int, body: Event) -> tuple[bytes, EventEnvelope, bytes]:
        """`body` as the app sends it: an EventEnvelope in an event frame, protected,
        sealed for the mailbox. Returns the envelope bytes (what goes on the wire), the
        event and its encoding (what the vault stores)."""
        self.counters[leaf] += 1
        env = EventEnvelope(
            org.VERSION,
            EventId(rng(org.EVENT_ID_SIZE)),
            LeafIndex(leaf),
            NOW,
            body,  # type: ignore[arg-type]
            n=self.counters[leaf],
            seen=len(self.posted),
            chain=rng(32),
        )
        encoded = org.encode(env)
        wire = self.states[leaf].protect(event_frame(encoded), rng=rng)
        self.mls_bytes.append(len(wire))
        sealed = seal(kind=Kind.MESSAGE, mailbox=self.mailbox, payload=wire, rng=rng).to_bytes()
        self.posted.append((leaf, sealed))
        return sealed, env, encoded

    def fetch(self, leaf: int) -> Iterator[tuple[int, bytes, EventEnvelope | None]]:
        """What is new for `leaf` since its cursor: (author leaf, envelope bytes, event);
        the event is None for the leaf's own (it knows it, and MLS cannot open it)."""
        new = self.posted[self.cursors[leaf] :]
        self.cursors[leaf] = len(self.posted)
        for author, sealed in new:
            yield author, sealed, None if author == leaf else self.read(leaf, sealed)[0]

    def read(self, leaf: int, sealed: bytes) -> tuple[EventEnvelope, bytes]:
        """What a member's device does to a fetched envelope before the fold: the event
        and its encoding."""
        payload = open_payload(Envelope.from_bytes(sealed))
        data = self.states[leaf].unprotect(payload).data
        _, event = split(data)
        return org.decode(event), event


@dataclass
class Federation:
    fanout: int
    groups: list[list[Group]]  # by level
    member_of: dict[int, list[Group]]  # person -> groups, lowest level first

    @classmethod
    def build(cls, fanout: int) -> Federation:
        cells = fanout**3
        levels: list[list[Group]] = [[] for _ in LEVELS]
        # Person p = cell * CELL_SIZE + member; a cell's delegate is its member 0.
        for c in range(cells):
            levels[0].append(Group.build(0, c, [c * CELL_SIZE + m for m in range(CELL_SIZE)]))
        for level in range(1, len(LEVELS)):
            below = levels[level - 1]
            for i in range(len(below) // fanout):
                people = [g.people[0] for g in below[i * fanout : (i + 1) * fanout]]
                levels[level].append(Group.build(level, i, people))
        member_of: dict[int, list[Group]] = {}
        for level_groups in levels:
            for g in level_groups:
                for p in g.people:
                    member_of.setdefault(p, []).append(g)
        return cls(fanout, levels, member_of)


@dataclass
class Decision:
    """The national decision as one round-based run."""

    fed: Federation
    stats: dict[int, Stats]
    motion_id: bytes = b""
    votes: int = 0
    closed: bool = False
    reported: set[tuple[int, int]] = field(default_factory=set)  # (level, index)

    def post(self, group: Group, person: int, body: Event) -> EventEnvelope:
        sealed, env, _ = group.post(group.leaf_of(person), body)
        s = self.stats[person]
        s.sent += 1
        s.sent_bytes += len(sealed)
        return env

    def learn(self, person: int, rnd: int) -> None:
        s = self.stats[person]
        if s.learned_round is not None:
            return
        s.learned_round = rnd
        for g in self.fed.member_of[person]:
            if g.level < len(LEVELS) - 1 and (g.level, g.index) not in self.reported:
                self.reported.add((g.level, g.index))
                if g.level == 0:
                    self.post(
                        g, person, MessagePosted(EventId(self.motion_id), REPORT, NOW + 30 * DAY)
                    )
                else:
                    self.post(g, person, AllianceMessage(REPORT))

    def run(self) -> int:
        national = self.fed.groups[-1][0]
        chair = national.people[0]
        self.motion_id = self.post(national, chair, MotionOpened(QUESTION, NOW + 7 * DAY)).event_id
        self.post(national, chair, CellVoted(EventId(self.motion_id), True))
        self.votes = 1
        rnd = 0
        everyone = len(self.stats)
        while sum(s.learned_round is not None for s in self.stats.values()) < everyone:
            rnd += 1
            if rnd > 50:
                raise RuntimeError("the decision did not reach everyone")
            # Everyone fetches first (what was posted before this round), then answers.
            answers: list[tuple[int, Group, EventEnvelope]] = []
            for person, groups in self.fed.member_of.items():
                s = self.stats[person]
                for g in groups:
                    leaf = g.leaf_of(person)
                    for _author, sealed, event in g.fetch(leaf):
                        s.fetched += 1
                        s.fetched_bytes += len(sealed)
                        if event is not None:
                            answers.append((person, g, event))
            for person, g, event in answers:
                self.answer(person, g, event, rnd)
        return rnd

    def answer(self, person: int, g: Group, event: EventEnvelope, rnd: int) -> None:
        body = event.body
        chair = g.people[0]
        if isinstance(body, MotionOpened):
            self.post(g, person, CellVoted(EventId(self.motion_id), True))
        elif isinstance(body, CellVoted):
            if person == chair:
                self.votes += 1
                if self.votes == len(g.people) and not self.closed:
                    self.closed = True
                    outcome = MotionOutcome(True, self.votes, 0)
                    self.post(g, person, MotionClosed(EventId(self.motion_id), outcome))
                    self.learn(person, rnd)
        elif isinstance(body, MotionClosed | AllianceMessage | MessagePosted):
            self.learn(person, rnd)


def decision_table(fed: Federation) -> tuple[int, list[tuple[str, int, list[Stats]]]]:
    stats = {p: Stats() for p in fed.member_of}
    rounds = Decision(fed, stats).run()
    top = len(LEVELS) - 1
    by_role: dict[str, list[Stats]] = {}
    for p, groups in fed.member_of.items():
        highest = groups[-1].level
        role = (
            "member of a cell only"
            if highest == 0
            else "national chair"
            if p == fed.groups[top][0].people[0]
            else f"delegate up to the {LEVELS[highest]} level"
        )
        by_role.setdefault(role, []).append(stats[p])
    order = ["member of a cell only"] + [f"delegate up to the {x} level" for x in LEVELS[1:]]
    rows = [(r, len(by_role[r]), by_role[r]) for r in [*order, "national chair"] if r in by_role]
    return rounds, rows


# ----------------------------------------------------------------------------- a week


@dataclass
class WeekCost:
    groups: str
    received: int
    sent: int
    cpu_seconds: float
    event_bytes: int
    vault_bytes: int


def week(fed: Federation, person: int, seed: int) -> WeekCost:
    """A week in each of `person`'s groups, timed on `person`'s device."""
    pick = random.Random(seed)
    groups = fed.member_of[person]
    cpu = 0.0
    received = sent = event_bytes = 0
    stored: list[vevents.Event] = []

    def deliver(g: Group, author: int, body: Event) -> None:
        nonlocal cpu, received, sent, event_bytes
        me = g.leaf_of(person)
        if author == me:
            start = time.process_time()
            _, _, encoded = g.post(me, body)
            cpu += time.process_time() - start
            sent += 1
        else:
            g.post(author, body)  # on the author's device: not timed
            start = time.process_time()
            _, encoded = g.read(me, g.posted[-1][1])
            cpu += time.process_time() - start
            received += 1
        g.cursors[me] = len(g.posted)
        event_bytes += len(encoded)
        gid = b"%d-%d" % (g.level, g.index)
        stored.append(vevents.Event(gid, len(stored), rng(16), "e", encoded, float(NOW)))

    for day in range(7):
        for g in groups:
            for _ in range(50):
                chat = MessagePosted(EventId(rng(16)), CHAT, NOW + 30 * DAY)
                deliver(g, pick.randrange(len(g.people)), chat)
        if day not in (1, 4):  # two decisions a week in every group above the cell
            continue
        for up, g in enumerate(groups[1:], start=1):
            motion = EventId(rng(16))
            deliver(g, pick.randrange(len(g.people)), MotionOpened(QUESTION, NOW + 3 * DAY))
            for leaf in range(len(g.people)):
                deliver(g, leaf, CellVoted(motion, pick.random() < 0.6))
            deliver(g, 0, MotionClosed(motion, MotionOutcome(True, len(g.people), 0)))
            for lower in groups[:up]:  # the report-back, by the delegate from above
                report: Event = (
                    MessagePosted(motion, REPORT, NOW + 30 * DAY)
                    if lower.level == 0
                    else AllianceMessage(REPORT)
                )
                deliver(lower, 0, report)
    return WeekCost(
        " + ".join(LEVELS[g.level] for g in groups),
        received,
        sent,
        cpu,
        event_bytes,
        vault_growth(stored, [g.states[g.leaf_of(person)] for g in groups]),
    )


def vault_growth(rows: list[vevents.Event], states: list[GroupState]) -> int:
    """Bytes a week's events and the groups' current epoch states add to a real SQLCipher
    vault (file size after a checkpoint, against the same vault empty)."""
    from hasteh.vault import epochs as vepochs

    with tempfile.TemporaryDirectory(prefix="hasteh-bench-") as tmp:
        path = Path(tmp) / "vault.db"
        key = rng(32)
        vdb.create_database(path, key)
        conn = vdb.open_database(path, key)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            empty = path.stat().st_size
            conn.execute("BEGIN IMMEDIATE")
            vevents.append_many(conn, rows)
            for i, st in enumerate(states):
                vepochs.put_epoch(conn, b"group-%d" % i, st.epoch, st.to_bytes())
            conn.execute("COMMIT")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return path.stat().st_size - empty
        finally:
            conn.close()


# ----------------------------------------------------------------------------- output


def sizes(fed: Federation) -> list[tuple[str, int, int, int]]:
    """Each kind of message once, in an alliance: (kind, event bytes, MLS-protected
    bytes, envelope bytes on the wire)."""
    g = fed.groups[1][0]
    motion = EventId(rng(16))
    kinds: list[tuple[str, Event]] = [
        ("chat message (200 letters)", MessagePosted(motion, CHAT, NOW + 30 * DAY)),
        ("motion (300 letters)", MotionOpened(QUESTION, NOW + 7 * DAY)),
        ("vote", CellVoted(motion, True)),
        ("closing", MotionClosed(motion, MotionOutcome(True, 7, 3))),
        ("report-back (600 letters)", AllianceMessage(REPORT)),
    ]
    out = []
    for name, body in kinds:
        sealed, _, encoded = g.post(1, body)
        out.append((name, len(encoded), g.mls_bytes[-1], len(sealed)))
    return out


def machine() -> str:
    cpu = platform.machine()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {cpu}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.2f}"
    )


def _spread(values: list[int]) -> str:
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{mid:,.0f}" if low == high else f"{mid:,.0f} ({low:,}-{high:,})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fanout", type=int, default=10, help="cells per alliance, …")
    parser.add_argument("--quick", action="store_true", help="fanout 3 (27 cells)")
    args = parser.parse_args()
    fanout = 3 if args.quick else args.fanout
    print(f"# {machine()}")
    start = time.perf_counter()
    fed = Federation.build(fanout)
    people = len(fed.member_of)
    built = time.perf_counter() - start
    print(
        f"# {fanout**3:,} cells of {CELL_SIZE}, {fanout**2} alliances, {fanout} regions, "
        f"1 national council: {people:,} people, "
        f"{sum(len(x) for x in fed.groups):,} MLS groups, built in {built:.1f} s"
    )
    start = time.perf_counter()
    rounds, rows = decision_table(fed)
    print(
        f"# one national decision: {rounds} sync rounds, simulated in "
        f"{time.perf_counter() - start:.1f} s"
    )
    print("\n| who | people | sent | sent bytes | fetched | fetched bytes | round learned |")
    print("|:--|--:|--:|--:|--:|--:|--:|")
    for role, count, stats in rows:
        print(
            f"| {role} | {count:,} | {_spread([s.sent for s in stats])} "
            f"| {_spread([s.sent_bytes for s in stats])} | {_spread([s.fetched for s in stats])} "
            f"| {_spread([s.fetched_bytes for s in stats])} "
            f"| {_spread([s.learned_round or 0 for s in stats])} |"
        )
    every = [s for _, _, stats in rows for s in stats]
    total_msgs = sum(s.sent for s in every)
    print(
        f"\nall {people:,} people: {total_msgs:,} messages posted, "
        f"{sum(s.sent_bytes for s in every):,} bytes posted, "
        f"{sum(s.fetched_bytes for s in every):,} bytes fetched; "
        f"per person {sum(s.fetched_bytes for s in every) / people:,.0f} bytes fetched"
    )
    print("\n| message | event bytes | MLS-protected bytes | envelope bytes |\n|:--|--:|--:|--:|")
    for name, event, mls, sealed in sizes(fed):
        print(f"| {name} | {event:,} | {mls:,} | {sealed:,} |")
    print(
        "\n| delegate in | received | sent | CPU s per week | CPU µs per message "
        "| event bytes per week | vault bytes per week |\n|:--|--:|--:|--:|--:|--:|--:|"
    )
    delegates = [
        fed.groups[0][1].people[0],  # cell + alliance
        fed.groups[1][1].people[0],  # cell + alliance + region
        fed.groups[3][0].people[1],  # cell + alliance + region + national
    ]
    for n, person in enumerate(delegates):
        w = week(fed, person, seed=n)
        per = w.cpu_seconds / (w.received + w.sent) * 1e6
        print(
            f"| {w.groups} | {w.received:,} | {w.sent:,} | {w.cpu_seconds:.2f} | {per:.0f} "
            f"| {w.event_bytes:,} | {w.vault_bytes:,} |"
        )
    print(f"# load at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
