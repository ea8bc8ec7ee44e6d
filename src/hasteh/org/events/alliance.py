"""The ``alliance.*`` family: the log of an alliance, a group whose members are cells.

Each member of an alliance's MLS group is a cell's delegate, and its cover name there is
the cell's pseudonym in the alliance (never the cell's own name, never a person's cover
name). A cell may have two delegates (a delegate and an alternate): they share the
cell's pseudonym, and every count is by cell, so a cell has one voice whoever speaks.

An alliance reuses the membership facts every group has (``member.added``,
``member.removed``: synthesized from MLS commits) and adds the events below. Issue 17
adds the rest (joint actions, the programme, the bulletin, the council).
"""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from hasteh.org.events.base import (
    Body,
    Count,
    CoverName,
    Event,
    Fingerprint,
    Frozen,
    Id,
    Question,
    Seconds,
    Title,
)

__all__ = [
    "AllianceFormed",
    "AllianceMessage",
    "AlternateRegistered",
    "CellApproved",
    "CellKeyRegistered",
    "CellKeyRotated",
    "CellProposed",
    "CellVoted",
    "CellVouched",
    "DelegateSwapped",
    "MotionClosed",
    "MotionOpened",
    "MotionOutcome",
    "TallySigned",
]

#: A raw Ed25519 public key (RFC 8032 §5.1.5).
Key = Annotated[bytes, Meta(min_length=32, max_length=32)]
#: An Ed25519 signature (RFC 8032 §5.1.6).
Signature = Annotated[bytes, Meta(min_length=64, max_length=64)]
#: A SHA-256 commitment, or empty.
Digest = Annotated[bytes, Meta(max_length=32)]
#: An invitation card as `hasteh card` encodes it (a KeyPackage and its relays).
CardBytes = Annotated[bytes, Meta(min_length=1, max_length=16_384)]


class AllianceFormed(Event, tag="alliance.formed", frozen=True):
    """The first event of an alliance's log. Its author (MLS leaf 0) is the delegate of
    the founding cell, whose pseudonym is `founder_cell`."""

    name: Title
    founder_cell: CoverName


class CellProposed(Event, tag="alliance.proposed", frozen=True):
    """A delegate proposes a cell whose delegate handed over an invitation card in
    person: the card's fingerprint and expiry, and the cell's pseudonym in the alliance
    (the card's cover name). A pseudonym already in the alliance proposes that cell's
    second delegate (its alternate). Every member cell must approve (`CellApproved`; the
    proposer's cell approves by proposing) before the Add is authorized."""

    card_fingerprint: Fingerprint
    cell: CoverName
    card_expires_at: Seconds


class CellVouched(Event, tag="alliance.vouched", frozen=True):
    """A delegate proposes a cell whose delegate answered the proposer's one-time
    vouching code (`hasteh.app.vouching`) instead of handing over a card in person: the
    same fields and rules as `CellProposed`, and a proposal the other cells see came by a
    code (the proposer never met this delegate). Every member cell must still approve."""

    card_fingerprint: Fingerprint
    cell: CoverName
    card_expires_at: Seconds


class CellApproved(Event, tag="alliance.approved", frozen=True):
    """The author's cell approves proposal `proposal_id` (one answer per cell)."""

    proposal_id: Id


class AllianceMessage(Event, tag="alliance.message", frozen=True):
    """A message to every delegate of the alliance."""

    text: Body


class MotionOpened(Event, tag="alliance.motion", frozen=True):
    """A yes/no question put to the member cells; open until `deadline` (log time) or
    until every member cell voted."""

    question: Question
    deadline: Seconds


class CellVoted(Event, tag="alliance.vote", frozen=True):
    """The author's cell votes on motion `motion_id`: one vote per cell (a second vote
    by the cell's other delegate is refused). `mandate`: the commitment to the cell
    decision the vote carries out (`cell_key.mandate_ref`; empty: none), which only the
    cell can link to its own log."""

    motion_id: Id
    agree: bool
    mandate: Digest = b""


class MotionOutcome(Frozen, frozen=True):
    """What is kept of a closed motion: adopted when more cells agreed than disagreed."""

    adopted: bool
    agree: Count
    disagree: Count


class MotionClosed(Event, tag="alliance.closed", frozen=True):
    """Closes motion `motion_id` once due; every member recomputes `outcome` from the
    votes and refuses a different one (``wrong-outcome``)."""

    motion_id: Id
    outcome: MotionOutcome


# --- federation: the cells' keys, alternates, recalls, signed tallies (issue 17) ---------


class CellKeyRegistered(Event, tag="alliance.cell-key", frozen=True):
    """The author's cell registers its key (once; later keys come by rotation).
    `proof` is the key's signature over `cell_key.possession_body`."""

    public_key: Key
    proof: Signature


class CellKeyRotated(Event, tag="alliance.key-rotated", frozen=True):
    """Cell `cell`'s key is replaced by `new_key`, signed by the old key over
    `cell_key.rotation_body` (`decision`: the commitment to the cell's decision). Any
    delegate may carry it."""

    cell: CoverName
    new_key: Key
    decision: Digest
    signature: Signature


class AlternateRegistered(Event, tag="alliance.alternate", frozen=True):
    """The author's cell registers its alternate's card (its KeyPackage, under the
    cell's pseudonym), signed by the cell's key over `cell_key.alternate_body`: the
    card every delegate holds, so any of them can commit a recall's swap at once."""

    card: CardBytes
    card_fingerprint: Fingerprint
    card_expires_at: Seconds
    signature: Signature


class DelegateSwapped(Event, tag="alliance.recall", frozen=True):
    """Cell `cell` recalls its delegate: the cell key's signature over
    `cell_key.recall_body` (the registered alternate's card fingerprint and `recall`,
    the commitment to the cell's decision). Any delegate may carry it; every seat of the
    cell is then removed and the alternate added, by the first delegate who can."""

    cell: CoverName
    card_fingerprint: Fingerprint
    recall: Digest
    signature: Signature


class TallySigned(Event, tag="alliance.tally", frozen=True):
    """The author's cell signs the tally of closed motion `motion_id` with its key
    (over `cell_key.tally_body`): a witness its delegate's cell can check."""

    motion_id: Id
    signature: Signature
