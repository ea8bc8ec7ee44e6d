"""Federation, the cell's side (``fed.*``): delegates, the cell's key, mandates, recalls
and report-backs, in the cell's own log.

Rules (checks use only the state and the envelope, like every family):

* **Election.** `DelegatesElected` names a closed ranked decision of two or more seats
  whose first winner is the delegate and second the alternate (by the cover names that
  were its options), both members; the term ends within `MAX_TERM`; the pseudonym is a
  clean name. A new election replaces the last one.
* **The cell's key.** `CellKeySet` names a closed decision that elected or adopted (the
  election itself, or a decision to rotate). Its holders are members not reported
  seized, the delegate and alternate among them. The first key follows an election; a
  later one must be signed by the current key (`cell_key.rotation_body`) and never
  reuse an old key. `key_due` says when a rotation is owed: a holder was removed,
  reported seized, or recalled.
* **Mandates.** `MandateGiven` ties an alliance motion to a consent or proposal decision
  of the cell (once per motion): adopted means the delegate votes yes, rejected or
  blocked means no.
* **Recall.** `DelegateRecalled` names a closed, adopted consent or proposal decision
  (used once) and carries the cell key's signature over the recall (checked here, so a
  member who holds no key cannot write a recall every device would carry); the
  alternate becomes the delegate.
* **Report-back.** `ReportedBack` by the delegate or alternate carries the alliance's
  signed tally: every signature must verify, at least one cell other than ours must
  have signed, and the outcome must be the count of the votes. The report records how
  the tally says the cell voted and whether that follows the mandate.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from hasteh.org import cell_key
from hasteh.org._checks import is_seized, require_member
from hasteh.org.delegation import CellKey, Delegation, Federation, Mandate, Recall, Report
from hasteh.org.errors import InvalidEvent
from hasteh.org.events import (
    DAY,
    CellKeySet,
    DelegateRecalled,
    DelegatesElected,
    EventEnvelope,
    EventId,
    LeafIndex,
    MandateGiven,
    MotionOutcome,
    ReportedBack,
    SignedTally,
)
from hasteh.org.names import require_clean
from hasteh.org.policy import MembershipPolicy
from hasteh.org.state import Decision, OrgState

__all__ = [
    "MAX_MANDATES",
    "MAX_TERM",
    "adopted",
    "check_tally",
    "key_due",
    "mandated_vote",
    "tally_outcome",
]

#: A delegate's term is at most a year; the cell elects again after.
MAX_TERM: Final = 365 * DAY
#: At most this many mandates and reports a cell keeps (a member cannot bloat devices).
MAX_MANDATES: Final = 1_000


def _fed(state: OrgState, fed: Federation) -> OrgState:
    return replace(state, fed=fed)


def _closed(state: OrgState, decision_id: bytes) -> Decision:
    decision = state.decisions.get(EventId(decision_id))
    if decision is None:
        raise InvalidEvent("unknown-decision")
    if decision.outcome is None:
        raise InvalidEvent("not-due")
    return decision


def adopted(state: OrgState, decision_id: bytes) -> Decision:
    """A closed consent or proposal decision that adopted what it asked (else
    `InvalidEvent`: what the cell's key may act on; the app asks before endorsing)."""
    decision = _closed(state, decision_id)
    if decision.kind not in ("consent", "proposal") or decision.outcome is None:
        raise InvalidEvent("bad-motion")
    if decision.outcome.status != "adopted":
        raise InvalidEvent("motion-not-adopted")
    return decision


# --- election -----------------------------------------------------------------------------


def check_elected(state: OrgState, env: EventEnvelope, body: DelegatesElected) -> None:
    require_member(state, env.author)
    decision = _closed(state, body.decision_id)
    outcome = decision.outcome
    if (
        decision.kind != "ranked"
        or outcome is None
        or outcome.status != "elected"
        or len(outcome.winners) < 2
        or body.delegate == body.alternate
    ):
        raise InvalidEvent("not-elected")
    first, second = (decision.options[i] for i in outcome.winners[:2])
    for leaf, name in ((body.delegate, first), (body.alternate, second)):
        if leaf not in state.members or is_seized(state, leaf) or state.cover_name(leaf) != name:
            raise InvalidEvent("not-elected")
    current = state.fed.delegation
    if current is not None and current.decision_id == body.decision_id:
        raise InvalidEvent("motion-done")
    if not env.at < body.term_end <= env.at + MAX_TERM:
        raise InvalidEvent("date-out-of-range", days=MAX_TERM // DAY)
    require_clean(body.pseudonym)


def fold_elected(
    state: OrgState, env: EventEnvelope, body: DelegatesElected, policy: MembershipPolicy
) -> OrgState:
    delegation = Delegation(
        decision_id=EventId(body.decision_id),
        delegate=LeafIndex(body.delegate),
        delegate_name=state.cover_name(body.delegate),
        alternate=LeafIndex(body.alternate),
        alternate_name=state.cover_name(body.alternate),
        pseudonym=body.pseudonym,
        term_end=body.term_end,
        mandate=body.mandate,
        elected_at=env.at,
    )
    return _fed(state, replace(state.fed, delegation=delegation))


# --- the cell's key -----------------------------------------------------------------------


def _require_holders(state: OrgState, holders: tuple[int, ...]) -> None:
    delegation = state.fed.delegation
    if delegation is None:
        raise InvalidEvent("no-delegates")
    needed = {delegation.delegate} | (
        {delegation.alternate} if delegation.alternate is not None else set()
    )
    eligible = {leaf for leaf in state.members if not is_seized(state, leaf)}
    named = set(holders)
    if len(named) != len(holders) or not needed <= named <= eligible:
        raise InvalidEvent("bad-holders")


def check_key_set(state: OrgState, env: EventEnvelope, body: CellKeySet) -> None:
    require_member(state, env.author)
    decision = _closed(state, body.decision_id)
    if decision.outcome is None or decision.outcome.status not in ("elected", "adopted"):
        raise InvalidEvent("motion-not-adopted")
    _require_holders(state, body.holders)
    key = state.fed.key
    if key is None:
        if body.signature:
            raise InvalidEvent("bad-signature", what="first key")
        return
    if body.public_key == key.public_key or body.public_key in key.retired:
        raise InvalidEvent("key-reused")
    signed = cell_key.rotation_body(
        key.sequence + 1, key.public_key, body.public_key, cell_key.decision_ref(body.decision_id)
    )
    if not cell_key.verify(key.public_key, signed, body.signature):
        raise InvalidEvent("bad-signature", what="rotation")


def fold_key_set(
    state: OrgState, env: EventEnvelope, body: CellKeySet, policy: MembershipPolicy
) -> OrgState:
    old = state.fed.key
    new = CellKey(
        public_key=body.public_key,
        holders=frozenset(LeafIndex(h) for h in body.holders),
        decision_id=EventId(body.decision_id),
        sequence=0 if old is None else old.sequence + 1,
        retired=() if old is None else (*old.retired, old.public_key),
        signature=body.signature,
    )
    return _fed(state, replace(state.fed, key=new))


def key_due(state: OrgState) -> bool:
    """Whether the cell owes a new key: a holder is no longer a member, was reported
    seized, or was recalled (the key must not outlive anyone's trust)."""
    key = state.fed.key
    if key is None:
        return False
    recalled = {r.recalled for r in state.fed.recalls}
    return any(h not in state.members or is_seized(state, h) or h in recalled for h in key.holders)


# --- mandates -----------------------------------------------------------------------------


def check_mandate(state: OrgState, env: EventEnvelope, body: MandateGiven) -> None:
    require_member(state, env.author)
    decision = state.decisions.get(EventId(body.decision_id))
    if decision is None:
        raise InvalidEvent("unknown-decision")
    if decision.kind not in ("consent", "proposal"):
        raise InvalidEvent("bad-motion")
    if EventId(body.motion_id) in state.fed.mandates:
        raise InvalidEvent("already-linked", role="mandate")
    if len(state.fed.mandates) >= MAX_MANDATES:
        raise InvalidEvent("too-many-items", limit=MAX_MANDATES)


def fold_mandate(
    state: OrgState, env: EventEnvelope, body: MandateGiven, policy: MembershipPolicy
) -> OrgState:
    mandate = Mandate(
        motion_id=EventId(body.motion_id),
        question=body.question,
        decision_id=EventId(body.decision_id),
        ref=cell_key.mandate_ref(body.decision_id, body.motion_id),
    )
    mandates = state.fed.mandates.set(mandate.motion_id, mandate)
    return _fed(state, replace(state.fed, mandates=mandates))


def mandated_vote(state: OrgState, motion_id: bytes) -> bool | None:
    """How the cell's decision says its delegate votes on `motion_id`: yes, no, or None
    (no mandate, the decision still open, or closed without quorum)."""
    mandate = state.fed.mandates.get(EventId(motion_id))
    if mandate is None:
        return None
    decision = state.decisions.get(mandate.decision_id)
    if decision is None or decision.outcome is None:
        return None
    status = decision.outcome.status
    if status == "adopted":
        return True
    if status in ("rejected", "blocked"):
        return False
    return None


# --- recall -------------------------------------------------------------------------------


def check_recalled(state: OrgState, env: EventEnvelope, body: DelegateRecalled) -> None:
    require_member(state, env.author)
    delegation = state.fed.delegation
    if delegation is None:
        raise InvalidEvent("no-delegates")
    if delegation.alternate is None:
        raise InvalidEvent("no-alternate")
    key = state.fed.key
    if key is None:
        raise InvalidEvent("no-cell-key")
    adopted(state, body.decision_id)
    if any(r.decision_id == body.decision_id for r in state.fed.recalls):
        raise InvalidEvent("motion-done")
    signed = cell_key.recall_body(
        delegation.pseudonym, body.card_fingerprint, cell_key.decision_ref(body.decision_id)
    )
    if not cell_key.verify(key.public_key, signed, body.signature):
        raise InvalidEvent("bad-signature", what="recall")


def fold_recalled(
    state: OrgState, env: EventEnvelope, body: DelegateRecalled, policy: MembershipPolicy
) -> OrgState:
    old = state.fed.delegation
    assert old is not None and old.alternate is not None  # checked
    recall = Recall(
        recall_id=EventId(env.event_id),
        decision_id=EventId(body.decision_id),
        recalled=old.delegate,
        recalled_name=old.delegate_name,
        pseudonym=old.pseudonym,
        card_fingerprint=body.card_fingerprint,
        signature=body.signature,
        at=env.at,
    )
    delegation = replace(
        old,
        delegate=old.alternate,
        delegate_name=old.alternate_name,
        alternate=None,
        alternate_name="",
    )
    fed = replace(state.fed, delegation=delegation, recalls=(*state.fed.recalls, recall))
    return _fed(state, fed)


# --- report-back and the signed tally -------------------------------------------------------


def tally_outcome(tally: SignedTally) -> MotionOutcome:
    """Adopted when more cells agreed than disagreed (as `alliance.compute_outcome`)."""
    agree = sum(1 for v in tally.votes if v.agree)
    disagree = len(tally.votes) - agree
    return MotionOutcome(agree > disagree, agree, disagree)


def check_tally(tally: SignedTally, own_cell: str) -> None:
    """Refuse a tally that does not hold: a cell listed twice, an outcome that is not
    the count, a signature that does not verify, or no signature by another cell than
    `own_cell` (the delegate's own cell cannot vouch for its delegate)."""
    cells = [v.cell for v in tally.votes]
    signers = [s.cell for s in tally.signatures]
    if len(set(cells)) != len(cells) or len(set(signers)) != len(signers):
        raise InvalidEvent("vote-twice")
    if tally.outcome != tally_outcome(tally):
        raise InvalidEvent("wrong-outcome")
    body = cell_key.tally_body(tally.motion_id, tally.question, tally.votes, tally.outcome)
    for signature in tally.signatures:
        if not cell_key.verify(signature.key, body, signature.signature):
            raise InvalidEvent("bad-signature", what="tally")
    if not set(signers) - {own_cell}:
        raise InvalidEvent("tally-unsigned")


def _reporter(state: OrgState, leaf: int) -> Delegation:
    delegation = state.fed.delegation
    if delegation is None:
        raise InvalidEvent("no-delegates")
    if leaf not in (delegation.delegate, delegation.alternate):
        raise InvalidEvent("not-a-delegate")
    return delegation


def check_reported(state: OrgState, env: EventEnvelope, body: ReportedBack) -> None:
    require_member(state, env.author)
    delegation = _reporter(state, env.author)
    if EventId(body.tally.motion_id) in state.fed.reports:
        raise InvalidEvent("already-answered")
    if len(state.fed.reports) >= MAX_MANDATES:
        raise InvalidEvent("too-many-items", limit=MAX_MANDATES)
    check_tally(body.tally, delegation.pseudonym)


def fold_reported(
    state: OrgState, env: EventEnvelope, body: ReportedBack, policy: MembershipPolicy
) -> OrgState:
    delegation = state.fed.delegation
    assert delegation is not None  # checked
    tally = body.tally
    ours = next((v for v in tally.votes if v.cell == delegation.pseudonym), None)
    cast = None if ours is None else ours.agree
    mandated = mandated_vote(state, tally.motion_id)
    mandate = state.fed.mandates.get(EventId(tally.motion_id))
    followed: bool | None = None
    if mandate is not None and ours is not None:
        followed = ours.agree == mandated and ours.mandate == mandate.ref
    elif mandate is not None:
        followed = False  # the cell decided, and its delegate did not vote
    report = Report(
        report_id=EventId(env.event_id),
        motion_id=EventId(tally.motion_id),
        question=tally.question,
        outcome=tally.outcome,
        cast=cast,
        mandated=mandated,
        followed=followed,
        signed_by=tuple(sorted(s.cell for s in tally.signatures)),
        reported_by=LeafIndex(env.author),
        at=env.at,
        note=body.note,
    )
    reports = state.fed.reports.set(report.motion_id, report)
    return _fed(state, replace(state.fed, reports=reports))
