"""An alliance of three cells whose keys every member knows, with a ratified programme
(version 1, endorsed by cell-a), an open amendment, a joint action with two cells'
counts, an open motion with one vote, a warning and a report-back: what
`fuzz_federation` receives events against. Ids are a counter, so the seeds can name them;
the cell keys are fixed seeds, so a seed can carry a genuine endorsement."""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from fuzz._common import NOW
from hasteh import org
from hasteh.org import EventEnvelope, EventId, LeafIndex
from hasteh.org.alliance import ALLIANCE, AllianceState, close_due, with_cell_key
from hasteh.org.events import (
    AllianceFormed,
    CellApproved,
    CellProposed,
    CellVoted,
    MemberAdded,
    MotionOpened,
)
from hasteh.org.events.federation import (
    AmendmentProposed,
    AmendmentRatified,
    CarriedDown,
    JointActionProposed,
    JointOptedIn,
    ProgrammeEndorsed,
    WarningRaised,
)
from hasteh.org.programme import sign_endorsement

DAY = 86_400
CELLS = ("cell-a", "cell-b", "cell-c")
KEYS = {
    cell: Ed25519PrivateKey.from_private_bytes(bytes([i + 1]) * 32) for i, cell in enumerate(CELLS)
}


def event_id(n: int) -> EventId:
    return EventId(hashlib.sha256(b"fed" + n.to_bytes(8, "big")).digest()[:16])


def card(name: str) -> bytes:
    return hashlib.sha256(f"card of {name}".encode()).digest()


def public(cell: str) -> bytes:
    return KEYS[cell].public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def build() -> tuple[AllianceState, list[EventEnvelope]]:
    """The state and the log (in order) of the fuzzing alliance."""
    log: list[EventEnvelope] = []
    state = AllianceState()
    for cell in CELLS:
        state = with_cell_key(state, cell, public(cell))

    def do(author: int, body: org.AnyEvent, at: int = NOW) -> EventEnvelope:
        nonlocal state
        env = EventEnvelope(org.VERSION, event_id(len(log) + 1), LeafIndex(author), at, body)
        state = org.log.apply(ALLIANCE, state, env)
        log.append(env)
        return env

    do(0, AllianceFormed("north", "cell-a"))
    for leaf, cell in ((1, "cell-b"), (2, "cell-c")):
        proposal = do(0, CellProposed(card(cell), cell, NOW + 7 * DAY))
        if leaf == 2:
            do(1, CellApproved(proposal.event_id))
        do(0, MemberAdded(leaf, cell, card(cell), 0, leaf))
    wages = do(1, AmendmentProposed("Wages", "A living wage.", 0, NOW + DAY))
    for leaf in range(3):
        do(leaf, CellVoted(wages.event_id, True))
    for close in close_due(state, NOW):
        do(0, close)
    do(2, AmendmentRatified(wages.event_id))
    version = state.programme.versions[0]
    do(0, ProgrammeEndorsed(1, sign_endorsement(KEYS["cell-a"], version)))
    hours = do(2, AmendmentProposed("Hours", "Eight hours.", 1, NOW + DAY))
    do(0, CellVoted(hours.event_id, True))
    joint = do(0, JointActionProposed("Monday", ("Wages on time",), NOW + 5 * DAY, NOW + DAY))
    do(0, JointOptedIn(joint.event_id, 4))
    do(1, JointOptedIn(joint.event_id, 3))
    motion = do(1, MotionOpened("Meet on Friday?", NOW + DAY))
    do(2, CellVoted(motion.event_id, False))
    do(1, WarningRaised("informer", "A new foreman asks who reads the bulletin."))
    outcome = org.events.MotionOutcome(True, 2, 0)
    do(0, CarriedDown("decision", "national", "A national day?", outcome, ("national",)))
    return state, log
