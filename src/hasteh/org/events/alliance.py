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
    "CellApproved",
    "CellProposed",
    "CellVoted",
    "MotionClosed",
    "MotionOpened",
    "MotionOutcome",
]


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
    by the cell's other delegate is refused)."""

    motion_id: Id
    agree: bool


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
