"""A deterministic cell log for the org harnesses: founded, three members admitted, a
thread and a message, an open newcomer proposal, a settings decision adopted and carried
out, an open removal decision with stances, a seizure report. Ids are a counter, so the
corpus seeds can name them."""

from __future__ import annotations

import hashlib

from fuzz._common import NOW
from hasteh import org
from hasteh.org import (
    AdmissionApproved,
    CellCreated,
    CellSettings,
    ChangeSettings,
    Consent,
    DecisionClosed,
    DecisionOpened,
    EventEnvelope,
    EventId,
    LeafIndex,
    MemberAdded,
    MemberSeized,
    MessagePosted,
    NewcomerProposed,
    OrgState,
    ProposalStance,
    RemoveMember,
    SettingsChanged,
    StanceCast,
    ThreadOpened,
    Vouched,
)

DAY = 86_400
NAMES = ("Bahar", "Kaveh", "Shirin", "Dariush")


def event_id(n: int) -> EventId:
    return EventId(hashlib.sha256(n.to_bytes(8, "big")).digest()[:16])


def card(name: str) -> bytes:
    return hashlib.sha256(f"card of {name}".encode()).digest()


def build() -> tuple[OrgState, list[EventEnvelope]]:
    """The state and the log (in order) of the fuzzing cell."""
    log: list[EventEnvelope] = []
    state = org.empty_state()
    epoch = 0

    def do(author: int, body: org.AnyEvent, at: int = NOW) -> EventEnvelope:
        nonlocal state
        env = EventEnvelope(org.VERSION, event_id(len(log) + 1), LeafIndex(author), at, body)
        state = org.apply(state, env)
        log.append(env)
        return env

    do(0, CellCreated("cell", NAMES[0], CellSettings()))
    for leaf in (1, 2):
        proposal = do(0, NewcomerProposed(card(NAMES[leaf]), NAMES[leaf], NOW + 7 * DAY))
        others = sorted(m for m in state.members if m != 0)
        if others:
            do(others[0], Vouched(proposal.event_id))
        epoch += 1
        do(0, MemberAdded(LeafIndex(leaf), NAMES[leaf], card(NAMES[leaf]), LeafIndex(0), epoch))
    thread = do(1, ThreadOpened("plans"))
    do(2, MessagePosted(thread.event_id, "hello", NOW + 14 * DAY))
    pending = do(1, NewcomerProposed(card(NAMES[3]), NAMES[3], NOW + 7 * DAY))
    do(2, AdmissionApproved(pending.event_id))
    settings = do(
        0,
        DecisionOpened(
            "consent", "cap 6?", NOW + DAY, motion=ChangeSettings(CellSettings(size_cap=6))
        ),
    )
    for leaf in (0, 1, 2):
        do(leaf, StanceCast(settings.event_id, Consent()))
    closed = org.close_due(state, NOW + DAY)[0]
    do(1, DecisionClosed(closed.decision_id, closed.outcome), at=NOW + DAY)
    do(0, SettingsChanged(settings.event_id), at=NOW + DAY)
    removal = do(
        1,
        DecisionOpened(
            "proposal", "remove?", NOW + 3 * DAY, motion=RemoveMember(LeafIndex(2), NAMES[2])
        ),
        at=NOW + DAY,
    )
    do(0, StanceCast(removal.event_id, ProposalStance("agree")), at=NOW + DAY)
    do(1, MemberSeized(LeafIndex(2), "taken"), at=NOW + DAY)
    return state, log
