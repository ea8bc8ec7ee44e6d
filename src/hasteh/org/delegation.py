"""What a cell knows of its place in alliances (`OrgState.fed`), folded from ``fed.*``.

Plain values, no rules (those are in `hasteh.org.fed`): kept apart from the state module
so the state can hold them without importing the rules, as the fund's ledger is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hasteh.org.events import EventId, LeafIndex, MotionOutcome
from hasteh.org.pmap import PMap

__all__ = ["CellKey", "Delegation", "Federation", "Mandate", "Recall", "Report"]


@dataclass(frozen=True, slots=True)
class Delegation:
    """The cell's delegate and alternate, elected by `decision_id`, for a term, with a
    written mandate. Cover names are pinned at election (a leaf may be reused later)."""

    decision_id: EventId
    delegate: LeafIndex
    delegate_name: str
    #: None once a recall made the alternate the delegate (until the next election).
    alternate: LeafIndex | None
    alternate_name: str
    pseudonym: str
    term_end: int
    mandate: str
    elected_at: int


@dataclass(frozen=True, slots=True)
class CellKey:
    """The cell's current key, who holds it, and the keys it replaced (oldest first)."""

    public_key: bytes
    holders: frozenset[LeafIndex]
    decision_id: EventId
    #: How many keys came before this one (0 for the first).
    sequence: int = 0
    retired: tuple[bytes, ...] = ()
    #: The old key's signature over this one (`cell_key.rotation_body`); empty for the
    #: first: a delegate carries it to the alliance as it is.
    signature: bytes = b""


@dataclass(frozen=True, slots=True)
class Mandate:
    """Cell decision `decision_id` decides the cell's vote on alliance motion
    `motion_id`; `ref` is what the delegate's vote must carry (`cell_key.mandate_ref`)."""

    motion_id: EventId
    question: str
    decision_id: EventId
    ref: bytes


@dataclass(frozen=True, slots=True)
class Recall:
    """A recall the cell decided and signed: any holder carries it to the alliance."""

    recall_id: EventId
    decision_id: EventId
    recalled: LeafIndex
    recalled_name: str
    pseudonym: str
    card_fingerprint: bytes
    signature: bytes
    at: int


@dataclass(frozen=True, slots=True)
class Report:
    """A delegate's report of an alliance motion, checked against the signed tally.

    `cast`: how the tally says the cell voted (None: it did not vote). `mandated`: how
    the cell's decision said to vote (None: no mandate, or the decision has not closed
    with a yes or no). `followed`: False when the delegate voted against the mandate,
    or without the mandate's reference: every member sees it.
    """

    report_id: EventId
    motion_id: EventId
    question: str
    outcome: MotionOutcome
    cast: bool | None
    mandated: bool | None
    followed: bool | None
    #: The pseudonyms of the cells whose keys signed the tally, sorted.
    signed_by: tuple[str, ...]
    reported_by: LeafIndex
    at: int
    note: str = ""


@dataclass(frozen=True, slots=True)
class Federation:
    """A cell's federation: its delegates, key, mandates, recalls and report-backs."""

    delegation: Delegation | None = None
    key: CellKey | None = None
    mandates: PMap[EventId, Mandate] = field(default_factory=PMap)
    recalls: tuple[Recall, ...] = ()
    reports: PMap[EventId, Report] = field(default_factory=PMap)
