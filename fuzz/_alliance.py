"""The harness alliance of `fuzz_alliance`: three cells (a, b, c at leaves 0..2) with
their keys registered, cell a's alternate registered, one motion closed with the tally
signed by cells a and b, and one motion open with cell b's vote. Ids are a counter and
the cells' keys fixed seeds, so the corpus seeds can name and sign them."""

from __future__ import annotations

import hashlib

from fuzz._common import NOW
from hasteh import org
from hasteh.org import EventEnvelope, EventId, LeafIndex
from hasteh.org import cell_key as keys
from hasteh.org.alliance import ALLIANCE, AllianceState, tally_to_sign
from hasteh.org.events import (
    AllianceFormed,
    AlternateRegistered,
    CellApproved,
    CellKeyRegistered,
    CellProposed,
    CellVoted,
    MemberAdded,
    MotionClosed,
    MotionOpened,
    MotionOutcome,
    TallySigned,
)

DAY = 86_400
AT = NOW
CELLS = ("cell-a", "cell-b", "cell-c")
SEEDS = {cell: hashlib.sha256(f"fuzz key of {cell}".encode()).digest() for cell in CELLS}
ALTERNATE_CARD = hashlib.sha256(b"fuzz alternate of cell-a").digest()


def event_id(n: int) -> EventId:
    return EventId(hashlib.sha256(b"alliance" + n.to_bytes(4, "big")).digest()[:16])


def card(cell: str) -> bytes:
    return hashlib.sha256(f"fuzz card of {cell}".encode()).digest()


def build() -> tuple[AllianceState, list[EventEnvelope]]:
    state = AllianceState()
    log: list[EventEnvelope] = []

    def do(author: int, body: org.AnyEvent) -> EventEnvelope:
        nonlocal state
        env = EventEnvelope(org.VERSION, event_id(len(log)), LeafIndex(author), AT, body)
        state = org.log.apply(ALLIANCE, state, env)
        log.append(env)
        return env

    do(0, AllianceFormed("north", "cell-a"))
    for leaf, cell in enumerate(CELLS[1:], start=1):
        proposal = do(0, CellProposed(card(cell), cell, AT + 7 * DAY)).event_id
        for other in range(1, leaf):
            do(other, CellApproved(proposal))
        do(0, MemberAdded(leaf, cell, card(cell), 0, leaf))
    for leaf, cell in enumerate(CELLS):
        public = keys.public_of(SEEDS[cell])
        do(
            leaf,
            CellKeyRegistered(public, keys.sign(SEEDS[cell], keys.possession_body(cell, public))),
        )
    signature = keys.sign(SEEDS["cell-a"], keys.alternate_body("cell-a", ALTERNATE_CARD))
    do(0, AlternateRegistered(b"a card", ALTERNATE_CARD, AT + 7 * DAY, signature))
    closed = do(1, MotionOpened("Strike on 1 May?", AT + DAY)).event_id
    for leaf in range(3):
        do(leaf, CellVoted(closed, leaf != 2))
    do(0, MotionClosed(closed, MotionOutcome(True, 2, 1)))
    signed = tally_to_sign(state, closed)
    for leaf, cell in enumerate(CELLS[:2]):
        do(leaf, TallySigned(closed, keys.sign(SEEDS[cell], signed)))
    opened = do(2, MotionOpened("Stop on Monday?", AT + DAY)).event_id
    do(1, CellVoted(opened, True))
    return state, log
