"""Federation benchmark: the alliance's bulletin key (issue 17).

    uv run python bench/bench_alliance_key.py [--rounds 5] [--quick]

Measured, as the median of `--rounds` runs, CPU time of:

* the key's rules on an alliance of 10 cells with a named editor and a chain of 10
  keys (`org.alliance.key_holders` + `org.keychain.rotation_due`: what every seat runs
  at every sync, and every `IssueCompiled` check);
* checking the republished issues a cell holds (`app.federation.bulletin_statuses`):
  the claim, the content hash and the key chain of each, for 10 and 100 issues over a
  chain of 10 keys;

and the bytes a republished issue's key chain adds (the ``keys:`` line) per rotation.

Prints Markdown with the machine and date on top, for docs/benchmarks.md ("## Federation:
the alliance's bulletin key").
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import statistics
import time
from collections.abc import Callable
from dataclasses import replace

from bench_org import machine
from hasteh.app import federation
from hasteh.org import EventEnvelope, EventId, LeafIndex, log
from hasteh.org.alliance import ALLIANCE, AllianceState, close_due, key_holders
from hasteh.org.events import AllianceFormed, CellVoted, EditorInbox, KeyIssued, MemberAdded
from hasteh.org.events.bulletin import RotationLink, SealedKey
from hasteh.org.events.federation import EditorsNamed
from hasteh.org.keychain import rotation_body, rotation_due
from hasteh.org.reports import Report
from hasteh.publish.claim import make_claim
from hasteh.publish.issue import parse_issue
from hasteh.publish.keys import BulletinKey

T0 = 1_760_000_000
CELLS = 10
KEYS = 10


class Alliance:
    def __init__(self) -> None:
        self.state = AllianceState()
        self.n = 0

    def do(self, author: int, body: object) -> EventEnvelope:
        self.n += 1
        event_id = EventId(hashlib.sha256(self.n.to_bytes(8, "big")).digest()[:16])
        env = EventEnvelope(1, event_id, LeafIndex(author), T0 + self.n, body)  # type: ignore[arg-type]
        self.state = log.receive(ALLIANCE, self.state, env).state
        return env


def build() -> tuple[AllianceState, list[BulletinKey]]:
    """10 cells and a chain of `KEYS` keys: the alliance names cell-0's seat, then
    cell-1's, then cell-0's again…; each naming makes a rotation due, and the seat that
    holds the key hands it over to the newly named one, signed by the old key."""
    a = Alliance()
    a.do(0, AllianceFormed("north", "cell-0"))
    for leaf in range(1, CELLS):
        card = hashlib.sha256(f"card {leaf}".encode()).digest()
        a.do(0, MemberAdded(leaf, f"cell-{leaf}", card, 0, leaf))  # unauthorized: folded
    keys = [BulletinKey.from_seed(bytes([i + 1]) * 32) for i in range(KEYS)]

    def name(leaf: int) -> EventId:
        naming = EventId(a.do(0, EditorsNamed((f"cell-{leaf}",), T0 + 10**6)).event_id)
        for voter in range(CELLS):
            a.do(voter, CellVoted(naming, True))
        for close in close_due(a.state, T0 + a.n + 1):
            a.do(0, close)
        a.do(leaf, EditorInbox(bytes([leaf + 1]) * 32))
        return naming

    name(0)
    a.do(0, KeyIssued(keys[0].public, ()))
    for i in range(1, KEYS):
        reason = name(i % 2)
        body = rotation_body(i, keys[i - 1].public, keys[i].public, reason)
        link = RotationLink(i, keys[i - 1].public, keys[i - 1].sign(body))
        sealed = (SealedKey(i % 2, bytes(32), bytes(48)),)
        a.do((i - 1) % 2, KeyIssued(keys[i].public, sealed, link, reason))
    return a.state, keys


def reports(state: AllianceState, keys: list[BulletinKey], n: int) -> list[Report]:
    """`n` republished issues, signed by the chain's keys in turn (oldest first)."""
    chain = federation.chain_line(state)
    found = []
    for number in range(1, n + 1):
        key = keys[min((number - 1) * KEYS // n, KEYS - 1)]
        source = f"---\ntitle: W\nnumber: {number}\ndate: 1405/01/01\n---\n\n# A\n\nText.\n"
        claim = make_claim(key, number, parse_issue(source.encode()).digest()).to_text()
        text = f"{claim}\n{chain}\n{source}"
        found.append(
            Report(
                EventId(number.to_bytes(16, "big")),
                LeafIndex(0),
                "bulletin",
                "north",
                text,
                None,
                ("north",),
                number,
            )
        )
    return found


def median(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rounds = 2 if args.quick else args.rounds
    state, keys = build()
    assert len(state.keychain.keys) == KEYS and rotation_due(key_holders(state)) is None
    rules = median(lambda: [rotation_due(key_holders(state)) for _ in range(100)], rounds) / 100
    print(f"# {machine()} · {datetime.date.today().isoformat()}\n")
    print("| what | CPU |")
    print("|---|---|")
    print(
        f"| the key's rules, 10 cells, chain of {KEYS} keys (every sync, every issue check) "
        f"| {rules * 1e3:.3f} ms |"
    )
    for n in (10, 100):
        found = reports(state, keys, n)
        statuses = federation.bulletin_statuses(found)
        assert set(statuses.values()) == {"genuine"}, statuses
        cost = median(lambda found=found: federation.bulletin_statuses(found), rounds)
        print(
            f"| a cell checks {n} republished issues (chain of {KEYS} keys) | {cost * 1e3:.1f} ms |"
        )
    line = federation.chain_line(state)
    one = federation.chain_line(
        replace(state, keychain=replace(state.keychain, keys=state.keychain.keys[:1]))
    )
    per = (len(line) - len(one)) / (KEYS - 1)
    print(
        f"\nA republished issue's key chain: {len(one)} bytes for the first key, "
        f"{per:.0f} bytes per rotation ({len(line)} bytes for {KEYS} keys)."
    )


if __name__ == "__main__":
    main()
