"""The ``fed.*`` family: a cell's side of federation, in the cell's own log.

The cell elects a delegate and an alternate by a ranked decision (`DelegatesElected`,
with the term, the written mandate and the cell's pseudonym in the alliance), sets and
rotates the cell's key (`CellKeySet`), ties an alliance motion to the cell decision
that mandates its vote (`MandateGiven`), records a recall decided by the cell and signed
with its key (`DelegateRecalled`), and hears its delegate report back what the alliance
decided, with the tally the other cells signed (`ReportedBack`).

The signed tally (`SignedTally`) is what an alliance's motion leaves: each cell's vote
under its pseudonym, with the commitment to the cell decision that mandated it, and
the signatures of the cells' keys. It travels inside a `ReportedBack`, so a cell checks
how its vote was cast without trusting its own delegate's word.
"""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from hasteh.org.events.alliance import MotionOutcome
from hasteh.org.events.base import (
    CoverName,
    Event,
    Fingerprint,
    Frozen,
    Id,
    Leaf,
    Question,
    Reason,
    Seconds,
)

__all__ = [
    "CellKeySet",
    "DelegateRecalled",
    "DelegatesElected",
    "MandateGiven",
    "ReportedBack",
    "SignedTally",
    "TallySignature",
    "TallyVote",
]

#: A raw Ed25519 public key (RFC 8032 §5.1.5).
Key = Annotated[bytes, Meta(min_length=32, max_length=32)]
#: An Ed25519 signature (RFC 8032 §5.1.6), or empty where none is due.
Signature = Annotated[bytes, Meta(max_length=64)]
#: A SHA-256 commitment (`cell_key.mandate_ref`, `cell_key.recall_ref`), or empty.
Digest = Annotated[bytes, Meta(max_length=32)]
#: No alliance has more cells than this in one tally.
MAX_TALLY_CELLS = 64


class DelegatesElected(Event, tag="fed.elected", frozen=True):
    """The cell's delegate and alternate, elected by closed ranked decision
    `decision_id` (two seats: its first winner is the delegate, its second the
    alternate; each option is a member's cover name). `pseudonym` is the cell's name in
    the alliance (never its own name); the term ends at `term_end` (log time)."""

    decision_id: Id
    delegate: Leaf
    alternate: Leaf
    pseudonym: CoverName
    term_end: Seconds
    mandate: Reason


class CellKeySet(Event, tag="fed.key", frozen=True):
    """The cell's key is `public_key`, held by `holders` (leaves), as decided by closed
    decision `decision_id`. The first key needs no `signature`; every later one is
    signed by the key it replaces (`cell_key.rotation_body`, sequence = how many keys
    came before)."""

    public_key: Key
    holders: Annotated[tuple[Leaf, ...], Meta(min_length=1, max_length=7)]
    decision_id: Id
    signature: Signature = b""


class MandateGiven(Event, tag="fed.mandate", frozen=True):
    """Cell decision `decision_id` (consent or proposal) decides how the cell votes on
    alliance motion `motion_id`, whose question was `question`: adopted means yes."""

    motion_id: Id
    question: Question
    decision_id: Id


class DelegateRecalled(Event, tag="fed.recalled", frozen=True):
    """The cell recalls its delegate, by closed consent/proposal decision `decision_id`;
    the alternate becomes the delegate. `signature` is the cell key's over
    `cell_key.recall_body` for the alternate's alliance card `card_fingerprint`: any
    holder can carry it to the alliance, where any delegate commits the swap."""

    decision_id: Id
    card_fingerprint: Fingerprint
    signature: Signature


class TallyVote(Frozen, frozen=True):
    """One cell's vote in a tally: its pseudonym, yes or no, and the commitment to the
    cell decision that mandated it (empty if the delegate voted without one)."""

    cell: CoverName
    agree: bool
    mandate: Digest = b""


class TallySignature(Frozen, frozen=True):
    """A cell's signature on a tally, with the cell's public key in the alliance."""

    cell: CoverName
    key: Key
    signature: Signature


class SignedTally(Frozen, frozen=True):
    """What an alliance's closed motion leaves: the votes by cell, the outcome, and the
    signatures of the member cells' keys over `cell_key.tally_body`."""

    motion_id: Id
    question: Question
    votes: Annotated[tuple[TallyVote, ...], Meta(max_length=MAX_TALLY_CELLS)]
    outcome: MotionOutcome
    signatures: Annotated[tuple[TallySignature, ...], Meta(max_length=MAX_TALLY_CELLS)]


class ReportedBack(Event, tag="fed.report", frozen=True):
    """The delegate (or the alternate) reports back what the alliance decided: the
    signed tally of motion `tally.motion_id`, and a note in their own words."""

    tally: SignedTally
    note: Reason = ""
