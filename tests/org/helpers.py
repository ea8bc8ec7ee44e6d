"""A small in-memory cell log for the org tests."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from hasteh.org import (
    AdmissionApproved,
    CellCreated,
    CellSettings,
    Event,
    EventEnvelope,
    EventId,
    MemberAdded,
    NewcomerProposed,
    OrgState,
    Vouched,
    apply,
    empty_state,
)

T0 = 1_760_000_000
DAY = 86_400
NAMES = ("Bahar", "Kaveh", "Shirin", "Dariush", "Nasrin", "Farhad", "Laleh", "Omid")


def card(name: str) -> bytes:
    return hashlib.sha256(f"card of {name}".encode()).digest()


@dataclass
class Log:
    """Appends validated events; ids are a counter, time a settable clock."""

    now: int = T0
    counter: int = 0
    epoch: int = 0
    state: OrgState = field(default_factory=empty_state)
    envelopes: list[EventEnvelope] = field(default_factory=list)

    def envelope(self, author: int, body: Event, at: int | None = None) -> EventEnvelope:
        self.counter += 1
        event_id = EventId(hashlib.sha256(self.counter.to_bytes(8, "big")).digest()[:16])
        return EventEnvelope(1, event_id, author, self.now if at is None else at, body)  # type: ignore[arg-type]

    def do(self, author: int, body: Event, at: int | None = None) -> EventEnvelope:
        env = self.envelope(author, body, at)
        self.state = apply(self.state, env)
        self.envelopes.append(env)
        return env

    def next_epoch(self) -> int:
        self.epoch += 1
        return self.epoch

    def admit(self, name: str, leaf: int, by: int = 0) -> EventId:
        """Propose, vouch and approve `name` by every member, then commit the Add."""
        proposal = self.do(by, NewcomerProposed(card(name), name, self.now + 7 * DAY)).event_id
        others = sorted(  # members on trial neither vouch nor approve
            leaf for leaf, m in self.state.members.items() if leaf != by and not m.on_trial
        )
        if others:
            self.do(others[0], Vouched(proposal))
            for leaf_ in others[1:]:
                self.do(leaf_, AdmissionApproved(proposal))
        self.do(by, MemberAdded(leaf, name, card(name), by, self.next_epoch()))
        return proposal


def cell(members: int = 3, settings: CellSettings | None = None) -> Log:
    """A cell founded by leaf 0 with `members` members at leaves 0..members-1."""
    log = Log()
    log.do(0, CellCreated("cell", NAMES[0], settings or CellSettings()))
    for leaf in range(1, members):
        log.admit(NAMES[leaf], leaf)
    return log
