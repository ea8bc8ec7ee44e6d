"""The ``member.*`` family: admission in person, membership facts synthesized from
commits, seizures, leaving and alarms raised by hand."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from hasteh.org.events.base import (
    CoverName,
    Epoch,
    Event,
    Fingerprint,
    Id,
    Leaf,
    Reason,
    Seconds,
)

__all__ = [
    "AdmissionApproved",
    "AdmissionObjected",
    "Alarm",
    "LeaveAnnounced",
    "MemberAdded",
    "MemberRemoved",
    "MemberSeized",
    "NewcomerProposed",
    "ProposalWithdrawn",
    "SeizureReviewed",
    "Vouched",
]


class NewcomerProposed(Event, tag="member.proposed", frozen=True):
    """A member proposes a newcomer whose invitation card they received in person.

    `card_fingerprint` is the hash of the card's KeyPackage (the app computes it);
    `card_expires_at` its lifetime's end. The commit that adds the newcomer must carry the
    same KeyPackage (`MemberAdded.card_fingerprint`).
    """

    card_fingerprint: Fingerprint
    cover_name: CoverName
    card_expires_at: Seconds


class Vouched(Event, tag="member.vouched", frozen=True):
    """ "I know this person": a voucher's approval of proposal `proposal_id`."""

    proposal_id: Id


class AdmissionApproved(Event, tag="member.approved", frozen=True):
    proposal_id: Id


class AdmissionObjected(Event, tag="member.objected", frozen=True):
    proposal_id: Id
    reason: Reason


class ProposalWithdrawn(Event, tag="member.withdrawn", frozen=True):
    """The proposer takes back proposal `proposal_id` (only the proposer may)."""

    proposal_id: Id


class MemberAdded(Event, tag="member.added", frozen=True):
    """Synthesized by the app from a processed Add commit (never sent by a member)."""

    leaf: Leaf
    cover_name: CoverName
    card_fingerprint: Fingerprint
    by_leaf: Leaf
    commit_epoch: Epoch


class MemberRemoved(Event, tag="member.removed", frozen=True):
    """Synthesized by the app from a processed Remove commit (never sent by a member)."""

    leaf: Leaf
    by_leaf: Leaf
    commit_epoch: Epoch


class MemberSeized(Event, tag="member.seized", frozen=True):
    """Emergency: the member at `leaf` (their device) is seized. Any member may send it;
    their client then commits the Remove at once and every member updates its keys."""

    leaf: Leaf
    note: Reason = ""


class SeizureReviewed(Event, tag="member.seizure-reviewed", frozen=True):
    """The cell's review of seizure `seizure_id`. `upheld=False` raises an alarm naming
    the member who ran the seizure."""

    seizure_id: Id
    upheld: bool
    note: Reason = ""


class LeaveAnnounced(Event, tag="member.leaving", frozen=True):
    """The author is leaving; this authorizes the commit that removes them."""


class Alarm(Event, tag="member.alarm", frozen=True):
    """A member raises an alarm by hand, e.g. ``safety-words-mismatch`` after comparing
    safety words in person. `code` is a short slug the faces know."""

    code: Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$")]
    leaf: Leaf | None = None
    note: Reason = ""
