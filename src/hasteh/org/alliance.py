"""An alliance's log: a second kind of group, whose members are cells (``alliance.*``).

Each member of an alliance's MLS group is a cell's delegate; its cover name there is the
cell's pseudonym in the alliance. A cell may hold two seats (its delegate and an
alternate, under the same pseudonym), but every count is by cell: a proposal needs the
approval of every member cell, and a motion counts one vote per cell. Nothing here is a
copy of the cell's rules: the shared machinery is `hasteh.org.log`, the membership facts
are the same events every group gets from its commits, and this module adds the state,
the checks and folds, the policy and the table (`HANDLERS`, `ALLIANCE`).

What is kept is small on purpose (issue 17 adds removals, joint actions, the programme,
the bulletin and the council): the member cells, open proposals of cells, messages,
motions with their votes by cell and their outcomes, and alarms about commits the
alliance did not authorize.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Final

from hasteh.org import cell_key as keys
from hasteh.org import keychain, log, programme
from hasteh.org.errors import InvalidEvent, PolicyViolation
from hasteh.org.events import (
    CARD_FINGERPRINT_SIZE,
    AllianceFormed,
    AllianceMessage,
    AlternateRegistered,
    CellApproved,
    CellKeyRegistered,
    CellKeyRotated,
    CellProposed,
    CellVoted,
    CellVouched,
    DelegateSwapped,
    EditorInbox,
    Event,
    EventEnvelope,
    EventId,
    KeyIssued,
    KeyShared,
    LeafIndex,
    MemberAdded,
    MemberRemoved,
    MotionClosed,
    MotionOpened,
    MotionOutcome,
    SignedTally,
    TallySignature,
    TallySigned,
    TallyVote,
)
from hasteh.org.events.federation import (
    AmendmentProposed,
    AmendmentRatified,
    ArticleSubmitted,
    CarriedDown,
    CouncilDeclared,
    EditorsNamed,
    IssueCompiled,
    JointActionProposed,
    JointOptedIn,
    ProgrammeEndorsed,
    WarningRaised,
)
from hasteh.org.joint import JointAction
from hasteh.org.log import Row
from hasteh.org.names import look_alike, require_clean
from hasteh.org.nationwide import CompiledIssue, SubmittedArticle
from hasteh.org.pmap import PMap
from hasteh.org.policy import MembershipChange, Verdict
from hasteh.org.programme import Amendment, Endorsement, Programme
from hasteh.org.psorted import PSorted
from hasteh.org.reports import CellWarning, Report, check_report, fold_report
from hasteh.org.roster import alarm_record, check_commit
from hasteh.org.state import PROPOSAL_LIFETIME, AlarmRecord

__all__ = [
    "ALLIANCE",
    "ALLIANCE_POLICY",
    "HANDLERS",
    "AllianceNote",
    "AlliancePolicy",
    "AllianceState",
    "Alternate",
    "CellProposal",
    "Delegate",
    "Motion",
    "PendingRecall",
    "approved",
    "authorize",
    "cell_key",
    "close_due",
    "compute_outcome",
    "editors",
    "key_holders",
    "notes",
    "ratify_due",
    "signed_tally",
    "tally_to_sign",
    "with_cell_key",
]


@dataclass(frozen=True, slots=True)
class Delegate:
    """A seat of the alliance: the leaf of a cell's delegate, and the cell it speaks for."""

    leaf: LeafIndex
    cell: str
    joined_epoch: int
    #: False if the commit that added them had no authorizing proposal (an alarm was raised).
    authorized: bool = True


@dataclass(frozen=True, slots=True)
class CellProposal:
    """A cell proposed to the alliance (or a second delegate of a member cell)."""

    proposal_id: EventId
    cell: str
    card_fingerprint: bytes
    card_expires_at: int
    proposer: LeafIndex
    proposed_at: int
    #: The member cells that approved (the proposer's cell approves by proposing).
    approvals: frozenset[str] = frozenset()
    #: The card came through the proposer's vouching code (`CellVouched`), not from
    #: hand to hand.
    vouched: bool = False


@dataclass(frozen=True, slots=True)
class AllianceNote:
    """A message to the alliance, under the pseudonym of the cell that sent it."""

    message_id: EventId
    cell: str
    at: int
    text: str


@dataclass(frozen=True, slots=True)
class Motion:
    """A yes/no question to the member cells: their votes by cell while open, the
    outcome once closed."""

    motion_id: EventId
    question: str
    deadline: int
    opened_by: str
    at: int
    votes: Mapping[str, bool] = field(default_factory=dict)
    outcome: MotionOutcome | None = None
    #: Per cell, the commitment to the cell decision its vote carried out (if any).
    mandates: Mapping[str, bytes] = field(default_factory=dict)
    #: Per cell, ``(its key, its signature)`` over the closed motion's tally.
    signatures: Mapping[str, tuple[bytes, bytes]] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.outcome is None


@dataclass(frozen=True, slots=True)
class Alternate:
    """A cell's alternate, registered at election: the card every delegate holds, so any
    of them can commit the swap when the cell recalls its delegate."""

    card: bytes
    card_fingerprint: bytes
    card_expires_at: int
    registered_at: int


@dataclass(frozen=True, slots=True)
class PendingRecall:
    """A recall signed by the cell's key, until its swap is committed: the cell's seats
    at the time (each may be removed) and the alternate's card (it may be added once)."""

    recall: bytes
    card_fingerprint: bytes
    seats: frozenset[LeafIndex]
    added: bool = False
    #: The alternate's card as registered when the recall arrived: what the Add commits
    #: (a later registration, by a holder of the old key, cannot change who comes in).
    card: bytes = b""

    @property
    def done(self) -> bool:
        return self.added and not self.seats


@dataclass(frozen=True, slots=True)
class AllianceState:
    """Everything a delegate knows about one alliance, folded from its log."""

    created: bool = False
    #: The log time (see `OrgState.time`).
    time: int = field(default=0, compare=False)
    name: str = ""
    #: The last commit epoch seen in a membership event.
    epoch: int = 0
    members: Mapping[LeafIndex, Delegate] = field(default_factory=dict)
    proposals: Mapping[EventId, CellProposal] = field(default_factory=dict)
    #: Messages and motions grow with the log: persistent maps, so an event costs the
    #: same at the 10,000th message as at the 10th (`org/pmap.py`, as in a cell).
    messages: PMap[EventId, AllianceNote] = field(default_factory=PMap)
    #: The ``(at, message id)`` of every message, oldest first.
    message_order: PSorted[tuple[int, EventId]] = field(default_factory=PSorted)
    motions: PMap[EventId, Motion] = field(default_factory=PMap)
    alarms: tuple[AlarmRecord, ...] = ()
    # federation (issue 17): the cells' keys, alternates and recalls
    #: Each member cell's public key (pseudonym → 32-byte Ed25519 key), registered at
    #: admission and changed only by a rotation the old key signed.
    cell_keys: PMap[str, bytes] = field(default_factory=PMap)
    #: Per cell, how many rotations its key has had.
    key_sequences: Mapping[str, int] = field(default_factory=dict)
    #: Every key a cell has retired (never accepted again, for any cell).
    retired_keys: frozenset[bytes] = frozenset()
    alternates: Mapping[str, Alternate] = field(default_factory=dict)
    recalls: Mapping[str, PendingRecall] = field(default_factory=dict)
    #: The recalls carried out (their commitments), so none is replayed.
    used_recalls: frozenset[bytes] = frozenset()
    # --- issue 17: federation (cell keys, council, joint actions, programme, warnings) ---
    #: A council: an alliance whose member "cells" are alliances' delegates.
    council: bool = False
    joint: PMap[EventId, JointAction] = field(default_factory=PMap)
    programme: Programme = field(default_factory=Programme)
    warnings: PMap[EventId, CellWarning] = field(default_factory=PMap)
    carried: PMap[EventId, Report] = field(default_factory=PMap)
    #: The nationwide bulletin: submitted articles, and issues compiled, oldest first.
    articles: PMap[EventId, SubmittedArticle] = field(default_factory=PMap)
    issues: tuple[CompiledIssue, ...] = ()
    #: The alliance's bulletin key: each editors naming (its motion's id → the cells it
    #: names), and the editors' inboxes and key chain (`hasteh.org.keychain`).
    editor_namings: Mapping[EventId, tuple[str, ...]] = field(default_factory=dict)
    keychain: keychain.KeyChain = field(default_factory=keychain.KeyChain)

    def cover_name(self, leaf: int) -> str:
        """The pseudonym of the cell whose delegate sits at `leaf` ("" for nobody)."""
        member = self.members.get(LeafIndex(leaf))
        return member.cell if member else ""

    def is_member(self, leaf: int) -> bool:
        return leaf in self.members

    @property
    def cells(self) -> frozenset[str]:
        """The member cells, by pseudonym (one per cell, however many seats it holds)."""
        return frozenset(m.cell for m in self.members.values())


def _id(env: EventEnvelope) -> EventId:
    return EventId(env.event_id)


def _cell_of(state: AllianceState, leaf: int) -> str:
    """The author's cell; `InvalidEvent` if the author holds no seat."""
    member = state.members.get(LeafIndex(leaf))
    if member is None:
        raise InvalidEvent("not-a-member", leaf=leaf)
    return member.cell


def _lapsed(proposal: CellProposal, at: int) -> bool:
    return at >= proposal.proposed_at + PROPOSAL_LIFETIME or at >= proposal.card_expires_at


def approved(proposal: CellProposal, state: AllianceState) -> bool:
    """Whether every member cell approved `proposal` (the Add may be committed)."""
    return not _lapsed(proposal, state.time) and state.cells <= proposal.approvals


# --- forming and admission ---------------------------------------------------------------


def check_formed(state: AllianceState, env: EventEnvelope, body: AllianceFormed) -> None:
    if state.created:
        raise InvalidEvent("alliance-exists")
    require_clean(body.name, limit=200)
    require_clean(body.founder_cell)


def fold_formed(
    state: AllianceState, env: EventEnvelope, body: AllianceFormed, policy: object
) -> AllianceState:
    founder = Delegate(LeafIndex(env.author), body.founder_cell, joined_epoch=0)
    return replace(state, created=True, name=body.name, members={founder.leaf: founder})


def check_cell_proposed(state: AllianceState, env: EventEnvelope, body: CellProposed) -> None:
    _cell_of(state, env.author)
    if _id(env) in state.proposals:
        raise InvalidEvent("duplicate-id")
    if len(body.card_fingerprint) != CARD_FINGERPRINT_SIZE:
        raise InvalidEvent("malformed-card", size=CARD_FINGERPRINT_SIZE)
    if body.card_expires_at <= env.at:
        raise InvalidEvent("expired-card")
    require_clean(body.cell)
    live = [p for p in state.proposals.values() if not _lapsed(p, env.at)]
    if any(p.card_fingerprint == body.card_fingerprint for p in live):
        raise InvalidEvent("card-pending")
    # A member cell's own pseudonym names its alternate; one that only looks like a
    # member cell's (or like another proposed cell's) would confuse every count by cell.
    others = (state.cells | {p.cell for p in live}) - {body.cell}
    if any(look_alike(body.cell, name) for name in others):
        raise InvalidEvent("cover-name-taken", name=body.cell)


def fold_cell_proposed(
    state: AllianceState, env: EventEnvelope, body: CellProposed, policy: object
) -> AllianceState:
    proposal = CellProposal(
        proposal_id=_id(env),
        cell=body.cell,
        card_fingerprint=body.card_fingerprint,
        card_expires_at=body.card_expires_at,
        proposer=LeafIndex(env.author),
        proposed_at=env.at,
        approvals=frozenset({state.cover_name(env.author)}),
    )
    kept = {k: p for k, p in state.proposals.items() if not _lapsed(p, env.at)}
    return replace(state, proposals={**kept, proposal.proposal_id: proposal})


def check_cell_vouched(state: AllianceState, env: EventEnvelope, body: CellVouched) -> None:
    """A proposal by vouching code is checked as one by card, and names a new cell only:
    a member cell's second seat (its alternate) comes from that cell, by a card handed
    over in person or registered with the cell's key, never from whoever held a code."""
    check_cell_proposed(
        state, env, CellProposed(body.card_fingerprint, body.cell, body.card_expires_at)
    )
    if body.cell in state.cells:
        raise InvalidEvent("cover-name-taken", name=body.cell)


def fold_cell_vouched(
    state: AllianceState, env: EventEnvelope, body: CellVouched, policy: object
) -> AllianceState:
    as_card = CellProposed(body.card_fingerprint, body.cell, body.card_expires_at)
    folded = fold_cell_proposed(state, env, as_card, policy)
    proposal = folded.proposals[_id(env)]
    return replace(
        folded,
        proposals={**folded.proposals, proposal.proposal_id: replace(proposal, vouched=True)},
    )


def check_cell_approved(state: AllianceState, env: EventEnvelope, body: CellApproved) -> None:
    cell = _cell_of(state, env.author)
    proposal = state.proposals.get(EventId(body.proposal_id))
    if proposal is None:
        raise InvalidEvent("unknown-proposal")
    if _lapsed(proposal, env.at):
        raise InvalidEvent("proposal-lapsed")
    if cell in proposal.approvals:
        raise InvalidEvent("already-answered")


def fold_cell_approved(
    state: AllianceState, env: EventEnvelope, body: CellApproved, policy: object
) -> AllianceState:
    key = EventId(body.proposal_id)
    proposal = state.proposals[key]
    approvals = proposal.approvals | {state.cover_name(env.author)}
    return replace(
        state, proposals={**state.proposals, key: replace(proposal, approvals=approvals)}
    )


# --- membership facts (from commits) -------------------------------------------------------


class AlliancePolicy:
    """Which membership commits the alliance authorized, the same on every delegate.

    * **Add**: an open `CellProposed` with the card's fingerprint and the card's cover
      name as the cell's pseudonym, approved by every member cell.
    * **Remove**: a seat of a cell whose recall, signed by the cell's key, is pending
      (`DelegateSwapped`); nothing else yet (leaving, removal by decision). Any other
      removal is still a fact of the group, folded with an alarm.
    * **Add** by recall: the alternate the recalling cell registered, under its
      pseudonym, once.
    """

    def check(self, change: MembershipChange, state: AllianceState) -> Verdict:
        if change.by_leaf not in state.members:
            return Verdict.refuse("committer-not-member", leaf=change.by_leaf)
        if isinstance(change, MemberRemoved):
            if _recalled_seat(state, change.leaf) is not None:
                return Verdict(True, authority="recall")
            return Verdict.refuse("no-decision", leaf=change.leaf)
        if change.leaf in state.members:
            return Verdict.refuse("leaf-taken", leaf=change.leaf)
        recall = state.recalls.get(change.cover_name)
        if recall is not None and not recall.added:
            if recall.card_fingerprint == change.card_fingerprint:
                return Verdict(True, authority="recall")
        proposal = next(
            (p for p in state.proposals.values() if p.card_fingerprint == change.card_fingerprint),
            None,
        )
        if proposal is None:
            return Verdict.refuse("no-proposal")
        if _lapsed(proposal, state.time):
            return Verdict.refuse("proposal-lapsed")
        if proposal.cell != change.cover_name:
            return Verdict.refuse("cover-name-mismatch")
        have = len(proposal.approvals & state.cells)
        if have < len(state.cells):
            return Verdict.refuse("not-approved", have=have, needed=len(state.cells))
        return Verdict(True, authority="proposal", authorized_by=proposal.proposal_id)


ALLIANCE_POLICY: Final = AlliancePolicy()


def authorize(change: MembershipChange, state: AllianceState) -> Verdict:
    """Ask before your own client commits `change`: the verdict, or `PolicyViolation`
    with the refusal's code."""
    verdict = ALLIANCE_POLICY.check(change, state)
    if not verdict.ok:
        raise PolicyViolation(verdict.code or "policy-refused", **verdict.params)
    return verdict


def fold_member_added(
    state: AllianceState, env: EventEnvelope, body: MemberAdded, policy: AlliancePolicy
) -> AllianceState:
    verdict = policy.check(body, state)
    seat = Delegate(LeafIndex(body.leaf), body.cover_name, body.commit_epoch, verdict.ok)
    new = replace(state, epoch=body.commit_epoch, members={**state.members, seat.leaf: seat})
    if verdict.authority == "recall":
        return _swap_step(new, body.cover_name, added=True)
    if verdict.ok:
        proposals = {k: p for k, p in state.proposals.items() if k != verdict.authorized_by}
        return replace(new, proposals=proposals)
    return replace(new, alarms=(*state.alarms, alarm_record(state, env, verdict, body)))


def fold_member_removed(
    state: AllianceState, env: EventEnvelope, body: MemberRemoved, policy: AlliancePolicy
) -> AllianceState:
    verdict = policy.check(body, state)
    leaf = LeafIndex(body.leaf)
    members = {k: v for k, v in state.members.items() if k != leaf}
    # A seat's inbox goes with it: whoever sits at this leaf next posts their own.
    inboxes = {k: v for k, v in state.keychain.inboxes.items() if k != leaf}
    chain = replace(state.keychain, inboxes=inboxes)
    new = replace(state, epoch=body.commit_epoch, members=members, keychain=chain)
    if verdict.authority == "recall":
        return _swap_step(new, _recalled_seat(state, leaf) or "", removed=leaf)
    if verdict.ok:
        return new
    return replace(new, alarms=(*state.alarms, alarm_record(state, env, verdict, body)))


# --- messages and motions ------------------------------------------------------------------


def check_message(state: AllianceState, env: EventEnvelope, body: AllianceMessage) -> None:
    _cell_of(state, env.author)


def fold_message(
    state: AllianceState, env: EventEnvelope, body: AllianceMessage, policy: object
) -> AllianceState:
    note = AllianceNote(_id(env), state.cover_name(env.author), env.at, body.text)
    return replace(
        state,
        messages=state.messages.set(note.message_id, note),
        message_order=state.message_order.add((note.at, note.message_id)),
    )


def notes(state: AllianceState) -> list[AllianceNote]:
    """The alliance's messages, oldest first (by log time, then id: the same everywhere)."""
    return [state.messages[key] for _at, key in state.message_order]


def check_motion_opened(state: AllianceState, env: EventEnvelope, body: MotionOpened) -> None:
    _cell_of(state, env.author)
    if _id(env) in state.motions:
        raise InvalidEvent("duplicate-id")
    if body.deadline <= env.at:
        raise InvalidEvent("deadline-in-past")


def fold_motion_opened(
    state: AllianceState, env: EventEnvelope, body: MotionOpened, policy: object
) -> AllianceState:
    motion = Motion(_id(env), body.question, body.deadline, state.cover_name(env.author), env.at)
    return replace(state, motions=state.motions.set(motion.motion_id, motion))


def _open_motion(state: AllianceState, motion_id: bytes) -> Motion:
    motion = state.motions.get(EventId(motion_id))
    if motion is None:
        raise InvalidEvent("unknown-decision")
    return motion


def check_cell_voted(state: AllianceState, env: EventEnvelope, body: CellVoted) -> None:
    cell = _cell_of(state, env.author)
    motion = _open_motion(state, body.motion_id)
    if not motion.is_open:
        raise InvalidEvent("vote-after-close")
    if cell in motion.votes:
        raise InvalidEvent("vote-twice")  # the cell has voted, through either seat


def fold_cell_voted(
    state: AllianceState, env: EventEnvelope, body: CellVoted, policy: object
) -> AllianceState:
    motion = state.motions[EventId(body.motion_id)]
    cell = state.cover_name(env.author)
    votes = {**motion.votes, cell: body.agree}
    mandates = {**motion.mandates, cell: body.mandate} if body.mandate else motion.mandates
    voted = replace(motion, votes=votes, mandates=mandates)
    return replace(state, motions=state.motions.set(motion.motion_id, voted))


def compute_outcome(motion: Motion) -> MotionOutcome:
    """Adopted when more cells agreed than disagreed (one vote per cell)."""
    agree = sum(1 for v in motion.votes.values() if v)
    disagree = len(motion.votes) - agree
    return MotionOutcome(agree > disagree, agree, disagree)


def check_motion_closed(state: AllianceState, env: EventEnvelope, body: MotionClosed) -> None:
    _cell_of(state, env.author)
    motion = _open_motion(state, body.motion_id)
    if not motion.is_open:
        raise InvalidEvent("already-closed")
    if env.at < motion.deadline and not state.cells <= set(motion.votes):
        raise InvalidEvent("not-due")
    if body.outcome != compute_outcome(motion):
        raise InvalidEvent("wrong-outcome")


def fold_motion_closed(
    state: AllianceState, env: EventEnvelope, body: MotionClosed, policy: object
) -> AllianceState:
    motion = replace(state.motions[EventId(body.motion_id)], outcome=body.outcome)
    return replace(state, motions=state.motions.set(motion.motion_id, motion))


def close_due(state: AllianceState, now: int) -> tuple[MotionClosed, ...]:
    """The closing events of every open motion that is due at `now` (deadline past, or
    every member cell voted), oldest first."""
    due = sorted(
        (
            m
            for m in state.motions.values()
            if m.is_open and (m.deadline <= now or state.cells <= set(m.votes))
        ),
        key=lambda m: (m.deadline, m.motion_id),
    )
    return tuple(MotionClosed(m.motion_id, compute_outcome(m)) for m in due)


# --- federation: the cells' keys, alternates, recalls and signed tallies (issue 17) --------


def cell_key(state: AllianceState, cell: str) -> bytes | None:
    """The public key of member cell `cell` (by pseudonym), or None if it registered none."""
    return state.cell_keys.get(cell)


def _key_of(state: AllianceState, cell: str) -> bytes:
    key = state.cell_keys.get(cell)
    if key is None:
        raise InvalidEvent("no-cell-key")
    return key


def check_key_registered(state: AllianceState, env: EventEnvelope, body: CellKeyRegistered) -> None:
    cell = _cell_of(state, env.author)
    if cell in state.cell_keys:
        raise InvalidEvent("key-registered")
    if body.public_key in state.retired_keys or body.public_key in state.cell_keys.values():
        raise InvalidEvent("key-reused")
    if not keys.verify(body.public_key, keys.possession_body(cell, body.public_key), body.proof):
        raise InvalidEvent("bad-signature", what="key")


def fold_key_registered(
    state: AllianceState, env: EventEnvelope, body: CellKeyRegistered, policy: object
) -> AllianceState:
    cell = state.cover_name(env.author)
    return replace(state, cell_keys=state.cell_keys.set(cell, body.public_key))


def check_key_rotated(state: AllianceState, env: EventEnvelope, body: CellKeyRotated) -> None:
    _cell_of(state, env.author)
    old = _key_of(state, body.cell)
    if body.new_key == old or body.new_key in state.retired_keys:
        raise InvalidEvent("key-reused")
    if body.new_key in state.cell_keys.values():
        raise InvalidEvent("key-reused")
    sequence = state.key_sequences.get(body.cell, 0) + 1
    signed = keys.rotation_body(sequence, old, body.new_key, body.decision)
    if not keys.verify(old, signed, body.signature):
        raise InvalidEvent("bad-signature", what="rotation")


def fold_key_rotated(
    state: AllianceState, env: EventEnvelope, body: CellKeyRotated, policy: object
) -> AllianceState:
    old = state.cell_keys[body.cell]
    return replace(
        state,
        cell_keys=state.cell_keys.set(body.cell, body.new_key),
        key_sequences={**state.key_sequences, body.cell: state.key_sequences.get(body.cell, 0) + 1},
        retired_keys=state.retired_keys | {old},
    )


def check_alternate(state: AllianceState, env: EventEnvelope, body: AlternateRegistered) -> None:
    cell = _cell_of(state, env.author)
    key = _key_of(state, cell)
    if len(body.card_fingerprint) != CARD_FINGERPRINT_SIZE:
        raise InvalidEvent("malformed-card", size=CARD_FINGERPRINT_SIZE)
    if body.card_expires_at <= env.at:
        raise InvalidEvent("expired-card")
    if not keys.verify(key, keys.alternate_body(cell, body.card_fingerprint), body.signature):
        raise InvalidEvent("bad-signature", what="alternate")


def fold_alternate(
    state: AllianceState, env: EventEnvelope, body: AlternateRegistered, policy: object
) -> AllianceState:
    cell = state.cover_name(env.author)
    alternate = Alternate(body.card, body.card_fingerprint, body.card_expires_at, env.at)
    return replace(state, alternates={**state.alternates, cell: alternate})


def check_swapped(state: AllianceState, env: EventEnvelope, body: DelegateSwapped) -> None:
    _cell_of(state, env.author)  # any delegate may carry a cell's recall
    if body.cell not in state.cells:
        raise InvalidEvent("not-a-member", leaf=env.author)
    key = _key_of(state, body.cell)
    alternate = state.alternates.get(body.cell)
    if alternate is None or alternate.card_fingerprint != body.card_fingerprint:
        raise InvalidEvent("no-alternate")
    if alternate.card_expires_at <= env.at:
        raise InvalidEvent("expired-card")
    if body.recall in state.used_recalls or body.cell in state.recalls:
        raise InvalidEvent("motion-done")
    signed = keys.recall_body(body.cell, body.card_fingerprint, body.recall)
    if not keys.verify(key, signed, body.signature):
        raise InvalidEvent("bad-signature", what="recall")


def fold_swapped(
    state: AllianceState, env: EventEnvelope, body: DelegateSwapped, policy: object
) -> AllianceState:
    seats = frozenset(m.leaf for m in state.members.values() if m.cell == body.cell)
    card = state.alternates[body.cell].card
    pending = PendingRecall(body.recall, body.card_fingerprint, seats, card=card)
    return replace(
        state,
        recalls={**state.recalls, body.cell: pending},
        used_recalls=state.used_recalls | {body.recall},
    )


def _recalled_seat(state: AllianceState, leaf: int) -> str | None:
    """The cell whose pending recall removes the seat at `leaf`, if any."""
    for cell, recall in state.recalls.items():
        if leaf in recall.seats:
            return cell
    return None


def _swap_step(
    state: AllianceState, cell: str, *, added: bool = False, removed: int | None = None
) -> AllianceState:
    """One membership fact of a recall's swap: the alternate added, or an old seat gone;
    the recall is done (and the alternate's card spent) once both are."""
    recall = state.recalls[cell]
    recall = replace(
        recall,
        added=recall.added or added,
        seats=recall.seats - ({LeafIndex(removed)} if removed is not None else set()),
    )
    alternates = state.alternates
    if added:
        alternates = {k: v for k, v in alternates.items() if k != cell}
    recalls = {k: v for k, v in state.recalls.items() if k != cell}
    if not recall.done:
        recalls[cell] = recall
    return replace(state, recalls=recalls, alternates=alternates)


def _tally_votes(motion: Motion) -> tuple[TallyVote, ...]:
    return tuple(
        TallyVote(cell, motion.votes[cell], motion.mandates.get(cell, b""))
        for cell in sorted(motion.votes)
    )


def check_tally_signed(state: AllianceState, env: EventEnvelope, body: TallySigned) -> None:
    cell = _cell_of(state, env.author)
    signed = tally_to_sign(state, body.motion_id)  # not-due while the motion is open
    if cell in state.motions[EventId(body.motion_id)].signatures:
        raise InvalidEvent("already-answered")
    if not keys.verify(_key_of(state, cell), signed, body.signature):
        raise InvalidEvent("bad-signature", what="tally")


def fold_tally_signed(
    state: AllianceState, env: EventEnvelope, body: TallySigned, policy: object
) -> AllianceState:
    motion = state.motions[EventId(body.motion_id)]
    cell = state.cover_name(env.author)
    key = state.cell_keys[cell]
    signed = replace(motion, signatures={**motion.signatures, cell: (key, body.signature)})
    return replace(state, motions=state.motions.set(motion.motion_id, signed))


def tally_to_sign(state: AllianceState, motion_id: bytes) -> bytes:
    """The bytes a cell's key signs for closed motion `motion_id` (`TallySigned`)."""
    motion = _open_motion(state, motion_id)
    if motion.outcome is None:
        raise InvalidEvent("not-due")
    return keys.tally_body(motion.motion_id, motion.question, _tally_votes(motion), motion.outcome)


def signed_tally(state: AllianceState, motion_id: bytes) -> SignedTally:
    """The tally of closed motion `motion_id` with every signature given so far: what a
    delegate carries back to its cell (`ReportedBack`)."""
    motion = _open_motion(state, motion_id)
    if motion.outcome is None:
        raise InvalidEvent("not-due")
    signatures = tuple(
        TallySignature(cell, key, signature)
        for cell, (key, signature) in sorted(motion.signatures.items())
    )
    return SignedTally(
        motion.motion_id, motion.question, _tally_votes(motion), motion.outcome, signatures
    )


# --- issue 17: federation -----------------------------------------------------------------


def with_cell_key(state: AllianceState, cell: str, public_key: bytes) -> AllianceState:
    """`state` knowing `cell`'s public key (the cell keys' events set it in the log)."""
    return replace(state, cell_keys=state.cell_keys.set(cell, public_key))


def _vote_on(
    state: AllianceState, env: EventEnvelope, question: str, deadline: int
) -> AllianceState:
    """Open the alliance's vote named by the event's own id (one vote per cell)."""
    motion = Motion(_id(env), question, deadline, state.cover_name(env.author), env.at)
    return replace(state, motions=state.motions.set(motion.motion_id, motion))


def check_council(state: AllianceState, env: EventEnvelope, body: CouncilDeclared) -> None:
    _cell_of(state, env.author)
    if state.council or len(state.members) != 1:
        raise InvalidEvent("council-too-late")


def fold_council(
    state: AllianceState, env: EventEnvelope, body: CouncilDeclared, policy: object
) -> AllianceState:
    return replace(state, council=True)


def check_joint(state: AllianceState, env: EventEnvelope, body: JointActionProposed) -> None:
    _cell_of(state, env.author)
    if _id(env) in state.motions or _id(env) in state.joint:
        raise InvalidEvent("duplicate-id")
    if body.decide_by <= env.at or body.date <= env.at:
        raise InvalidEvent("deadline-in-past")
    if len(set(body.demands)) != len(body.demands):
        raise InvalidEvent("duplicate-option")


def fold_joint(
    state: AllianceState, env: EventEnvelope, body: JointActionProposed, policy: object
) -> AllianceState:
    action = JointAction(
        _id(env), body.title, tuple(body.demands), body.date, state.cover_name(env.author), env.at
    )
    state = _vote_on(state, env, body.title, body.decide_by)
    return replace(state, joint=state.joint.set(action.action_id, action))


def check_opt_in(state: AllianceState, env: EventEnvelope, body: JointOptedIn) -> None:
    _cell_of(state, env.author)
    action = state.joint.get(EventId(body.action_id))
    if action is None:
        raise InvalidEvent("unknown-action")
    if env.at >= action.date:
        raise InvalidEvent("joint-action-past")


def fold_opt_in(
    state: AllianceState, env: EventEnvelope, body: JointOptedIn, policy: object
) -> AllianceState:
    action = state.joint[EventId(body.action_id)]
    counts = {**action.counts, state.cover_name(env.author): body.count}
    return replace(state, joint=state.joint.set(action.action_id, replace(action, counts=counts)))


def check_amendment(state: AllianceState, env: EventEnvelope, body: AmendmentProposed) -> None:
    _cell_of(state, env.author)
    prog = state.programme
    if _id(env) in state.motions or _id(env) in prog.amendments:
        raise InvalidEvent("duplicate-id")
    if body.deadline <= env.at:
        raise InvalidEvent("deadline-in-past")
    if body.base > prog.number:
        raise InvalidEvent("unknown-version", version=body.base)
    if programme.changed_since(prog, body.section, body.base):
        raise InvalidEvent("programme-changed", section=body.section)
    if not body.text and all(s.title != body.section for s in prog.sections):
        raise InvalidEvent("unknown-section", section=body.section)


def fold_amendment(
    state: AllianceState, env: EventEnvelope, body: AmendmentProposed, policy: object
) -> AllianceState:
    cell = state.cover_name(env.author)
    amendment = Amendment(_id(env), body.section, body.text, body.base, cell, env.at)
    prog = replace(
        state.programme,
        amendments=state.programme.amendments.set(amendment.amendment_id, amendment),
    )
    return replace(_vote_on(state, env, body.section, body.deadline), programme=prog)


def _ratifiable(state: AllianceState, amendment_id: EventId) -> Amendment:
    """The amendment, if it may be ratified now; else `InvalidEvent`."""
    amendment = state.programme.amendments.get(amendment_id)
    if amendment is None:
        raise InvalidEvent("unknown-amendment")
    if amendment.ratified_as is not None:
        raise InvalidEvent("motion-done")
    outcome = state.motions[amendment_id].outcome
    if outcome is None or not outcome.adopted:
        raise InvalidEvent("motion-not-adopted")
    if programme.changed_since(state.programme, amendment.section, amendment.base):
        raise InvalidEvent("programme-changed", section=amendment.section)
    return amendment


def check_ratified(state: AllianceState, env: EventEnvelope, body: AmendmentRatified) -> None:
    _cell_of(state, env.author)
    _ratifiable(state, EventId(body.amendment_id))


def fold_ratified(
    state: AllianceState, env: EventEnvelope, body: AmendmentRatified, policy: object
) -> AllianceState:
    prog = programme.ratify(state.programme, EventId(body.amendment_id), env.at)
    return replace(state, programme=prog)


def ratify_due(state: AllianceState) -> tuple[AmendmentRatified, ...]:
    """The ratifications owed now: adopted amendments whose section is unchanged since
    their base, in the order their votes were opened (then by id)."""
    due: list[Amendment] = []
    for amendment in sorted(
        state.programme.amendments.values(), key=lambda a: (a.at, a.amendment_id)
    ):
        try:
            _ratifiable(state, amendment.amendment_id)
        except InvalidEvent:
            continue
        if not any(d.section == amendment.section for d in due):
            due.append(amendment)
    return tuple(AmendmentRatified(a.amendment_id) for a in due)


def check_endorsed(state: AllianceState, env: EventEnvelope, body: ProgrammeEndorsed) -> None:
    cell = _cell_of(state, env.author)
    version = state.programme.version(body.version)
    if version is None:
        raise InvalidEvent("unknown-version", version=body.version)
    if (cell, body.version) in state.programme.endorsements:
        raise InvalidEvent("already-endorsed")
    key = cell_key(state, cell)
    if key is None:
        raise InvalidEvent("cell-key-unknown", cell=cell)
    if not programme.verify_endorsement(key, version, body.signature):
        raise InvalidEvent("forged-endorsement", cell=cell)


def fold_endorsed(
    state: AllianceState, env: EventEnvelope, body: ProgrammeEndorsed, policy: object
) -> AllianceState:
    cell = state.cover_name(env.author)
    endorsement = Endorsement(cell, body.version, body.signature, env.at)
    prog = replace(
        state.programme,
        endorsements=state.programme.endorsements.set((cell, body.version), endorsement),
    )
    return replace(state, programme=prog)


def check_warning(state: AllianceState, env: EventEnvelope, body: WarningRaised) -> None:
    _cell_of(state, env.author)
    if _id(env) in state.warnings:
        raise InvalidEvent("duplicate-id")


def fold_warning(
    state: AllianceState, env: EventEnvelope, body: WarningRaised, policy: object
) -> AllianceState:
    warning = CellWarning(_id(env), state.cover_name(env.author), body.kind, body.text, env.at)
    return replace(state, warnings=state.warnings.set(warning.warning_id, warning))


def check_article(state: AllianceState, env: EventEnvelope, body: ArticleSubmitted) -> None:
    _cell_of(state, env.author)
    if _id(env) in state.articles:
        raise InvalidEvent("duplicate-id")


def fold_article(
    state: AllianceState, env: EventEnvelope, body: ArticleSubmitted, policy: object
) -> AllianceState:
    cell = state.cover_name(env.author)
    article = SubmittedArticle(_id(env), cell, body.title, body.body, env.at)
    return replace(state, articles=state.articles.set(article.article_id, article))


def check_issue(state: AllianceState, env: EventEnvelope, body: IssueCompiled) -> None:
    """An issue needs the alliance's editorial decision: an adopted motion of its own
    (not an amendment's or a joint action's vote), used once; the next number; articles
    of this log, each once."""
    _cell_of(state, env.author)
    motion_id = EventId(body.motion_id)
    motion = _open_motion(state, motion_id)
    if motion_id in state.programme.amendments or motion_id in state.joint:
        raise InvalidEvent("wrong-motion")
    if motion.outcome is None or not motion.outcome.adopted:
        raise InvalidEvent("motion-not-adopted")
    if any(issue.motion_id == motion_id for issue in state.issues):
        raise InvalidEvent("motion-done")
    if body.number != len(state.issues) + 1:
        raise InvalidEvent("issue-number", number=len(state.issues) + 1)
    if len(set(body.articles)) != len(body.articles):
        raise InvalidEvent("duplicate-option")
    if any(EventId(a) not in state.articles for a in body.articles):
        raise InvalidEvent("unknown-issue-article")
    holders = key_holders(state)
    current = holders.current
    if current is None or current.public != body.key or env.author not in current.holders:
        raise InvalidEvent("bulletin-not-editor")
    if env.author not in holders.named:
        raise InvalidEvent("bulletin-not-editor")
    if keychain.rotation_due(holders) is not None:
        raise InvalidEvent("bulletin-rotation-due")


def fold_issue(
    state: AllianceState, env: EventEnvelope, body: IssueCompiled, policy: object
) -> AllianceState:
    issue = CompiledIssue(
        body.number,
        EventId(body.motion_id),
        body.title,
        body.day,
        tuple(EventId(a) for a in body.articles),
        body.claim,
        state.cover_name(env.author),
        env.at,
        body.key,
    )
    return replace(state, issues=(*state.issues, issue))


# --- issue 17: the alliance's bulletin key -------------------------------------------------


def check_editors_named(state: AllianceState, env: EventEnvelope, body: EditorsNamed) -> None:
    _cell_of(state, env.author)
    if _id(env) in state.motions:
        raise InvalidEvent("duplicate-id")
    if body.deadline <= env.at:
        raise InvalidEvent("deadline-in-past")
    if len(set(body.cells)) != len(body.cells):
        raise InvalidEvent("duplicate-option")
    for cell in body.cells:
        if cell not in state.cells:
            raise InvalidEvent("not-a-member-cell", cell=cell)


def fold_editors_named(
    state: AllianceState, env: EventEnvelope, body: EditorsNamed, policy: object
) -> AllianceState:
    question = "editors: " + ", ".join(body.cells)
    named = {**state.editor_namings, _id(env): tuple(body.cells)}
    return replace(_vote_on(state, env, question, body.deadline), editor_namings=named)


def _naming(state: AllianceState) -> tuple[EventId, tuple[str, ...]] | None:
    """The latest adopted editors naming (by when its vote opened), if any."""
    adopted = [
        (state.motions[m].at, m)
        for m in state.editor_namings
        if (outcome := state.motions[m].outcome) is not None and outcome.adopted
    ]
    if not adopted:
        return None
    _, motion_id = max(adopted)
    return motion_id, state.editor_namings[motion_id]


def _seat(member: Delegate) -> str:
    """A seat's identity as a key holder: its cell and the epoch it joined at, so a
    recalled delegate's replacement is never taken for them, even on the same leaf."""
    return f"{member.cell}#{member.joined_epoch}"


def editors(state: AllianceState) -> frozenset[LeafIndex]:
    """The seats that hold the alliance's bulletin key: every seat of the cells the
    latest adopted naming names (a delegate, and an alternate seated beside them)."""
    naming = _naming(state)
    if naming is None:
        return frozenset()
    cells = set(naming[1])
    return frozenset(leaf for leaf, m in state.members.items() if m.cell in cells)


def key_holders(state: AllianceState) -> keychain.Holders:
    """What the key's rules read of the alliance: no seizure reports (a cell whose
    delegate is seized recalls them), no removal decisions (a recall swaps the seat):
    a holder gone or no longer named makes the rotation due, for the latest naming."""
    naming = _naming(state)
    return keychain.Holders(
        chain=state.keychain,
        named=editors(state),
        identities={leaf: _seat(m) for leaf, m in state.members.items()},
        named_by=naming[0] if naming is not None else None,
    )


def check_editor_inbox(state: AllianceState, env: EventEnvelope, body: EditorInbox) -> None:
    _cell_of(state, env.author)
    keychain.check_inbox(key_holders(state), env.author)


def fold_editor_inbox(
    state: AllianceState, env: EventEnvelope, body: EditorInbox, policy: object
) -> AllianceState:
    return replace(state, keychain=keychain.fold_inbox(state.keychain, env.author, body.public))


def check_key_issued(state: AllianceState, env: EventEnvelope, body: KeyIssued) -> None:
    _cell_of(state, env.author)
    keychain.check_issued(key_holders(state), env.author, body)


def fold_key_issued(
    state: AllianceState, env: EventEnvelope, body: KeyIssued, policy: object
) -> AllianceState:
    return replace(state, keychain=keychain.fold_issued(key_holders(state), env, body))


def check_key_shared(state: AllianceState, env: EventEnvelope, body: KeyShared) -> None:
    _cell_of(state, env.author)
    keychain.check_shared(key_holders(state), env.author, body)


def fold_key_shared(
    state: AllianceState, env: EventEnvelope, body: KeyShared, policy: object
) -> AllianceState:
    return replace(state, keychain=keychain.fold_shared(key_holders(state), body))


#: Every event type of an alliance and its row.
HANDLERS: Final[dict[type[Event], Row]] = {
    AllianceFormed: Row(check_formed, fold_formed, first=True),
    CellProposed: Row(check_cell_proposed, fold_cell_proposed),
    CellApproved: Row(check_cell_approved, fold_cell_approved),
    MemberAdded: Row(check_commit, fold_member_added, fact=True),
    MemberRemoved: Row(check_commit, fold_member_removed, fact=True),
    AllianceMessage: Row(check_message, fold_message, in_history=False),
    MotionOpened: Row(check_motion_opened, fold_motion_opened),
    CellVoted: Row(check_cell_voted, fold_cell_voted),
    MotionClosed: Row(check_motion_closed, fold_motion_closed),
    # federation (issue 17)
    CellKeyRegistered: Row(check_key_registered, fold_key_registered),
    CellKeyRotated: Row(check_key_rotated, fold_key_rotated),
    AlternateRegistered: Row(check_alternate, fold_alternate),
    DelegateSwapped: Row(check_swapped, fold_swapped),
    TallySigned: Row(check_tally_signed, fold_tally_signed),
    # issue 17: federation
    CouncilDeclared: Row(check_council, fold_council),
    JointActionProposed: Row(check_joint, fold_joint),
    JointOptedIn: Row(check_opt_in, fold_opt_in),
    AmendmentProposed: Row(check_amendment, fold_amendment),
    AmendmentRatified: Row(check_ratified, fold_ratified),
    ProgrammeEndorsed: Row(check_endorsed, fold_endorsed),
    WarningRaised: Row(check_warning, fold_warning),
    CarriedDown: Row(check_report, fold_report),
    ArticleSubmitted: Row(check_article, fold_article),
    IssueCompiled: Row(check_issue, fold_issue),
    # issue 17: the alliance's bulletin key
    EditorsNamed: Row(check_editors_named, fold_editors_named),
    EditorInbox: Row(check_editor_inbox, fold_editor_inbox),
    KeyIssued: Row(check_key_issued, fold_key_issued),
    KeyShared: Row(check_key_shared, fold_key_shared),
    # issue 17: a cell proposed through a delegate's vouching code
    CellVouched: Row(check_cell_vouched, fold_cell_vouched),
}

#: The alliance as a kind of group's log.
ALLIANCE: Final = log.LogKind(
    "alliance", AllianceState, HANDLERS, ALLIANCE_POLICY, unknown="unknown-alliance"
)
