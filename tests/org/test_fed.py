"""Federation in the logs (`hasteh.org.fed`, the federation rows of `hasteh.org.alliance`):
a cell elects its delegate and alternate, sets its key, mandates its vote and hears the
report-back with the tally the other cells signed; the alliance registers each cell's key
and alternate, and a recall signed with the cell's key swaps the delegate.

The attacks: a delegate votes against the cell's mandate (the cell sees it), casts two
votes for one cell, a cell not in the alliance votes, a forged recall, a forged or
doctored tally, a forged rotation, a second key. Each is refused (the state unchanged) or
flagged."""

from __future__ import annotations

import hashlib

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.org import (
    DecisionOpened,
    EventId,
    InvalidEvent,
    MemberRemoved,
    MemberSeized,
    OrgDecodeError,
    PolicyViolation,
    ProposalStance,
    Ranking,
    StanceCast,
    close_due,
    decode,
    encode,
    log,
    receive,
    replay,
)
from hasteh.org import cell_key as keys
from hasteh.org._checks import is_seized
from hasteh.org.alliance import ALLIANCE, authorize, cell_key, signed_tally, tally_to_sign
from hasteh.org.events import (
    AlternateRegistered,
    CellKeyRegistered,
    CellKeyRotated,
    CellKeySet,
    CellVoted,
    DelegateRecalled,
    DelegatesElected,
    DelegateSwapped,
    EventEnvelope,
    MandateGiven,
    MemberAdded,
    MotionClosed,
    MotionOpened,
    MotionOutcome,
    ReportedBack,
    SignedTally,
    TallySignature,
    TallySigned,
    TallyVote,
)
from hasteh.org.fed import check_tally, key_due
from tests.org.helpers import DAY, NAMES, Log, card, cell
from tests.org.test_alliance import Alliance, alliance

SEED = {name: hashlib.sha256(f"key of {name}".encode()).digest() for name in ("a", "b", "c")}
ROGUE = hashlib.sha256(b"a key nobody elected").digest()
PSEUDONYM = "cell-a"


def refused(log_: Log, author: int, body: object, code: str) -> None:
    before = log_.state
    with pytest.raises(InvalidEvent) as err:
        log_.do(author, body)  # type: ignore[arg-type]
    assert err.value.code == code
    assert log_.state is before


def close_all(log_: Log) -> None:
    log_.now += DAY
    for closing in close_due(log_.state, log_.now):
        log_.state = receive(log_.state, log_.envelope(0, closing)).state


def decide(log_: Log, question: str, *, agree: bool = True) -> EventId:
    """A proposal decision every member answers alike, closed."""
    did = EventId(log_.do(0, DecisionOpened("proposal", question, log_.now + DAY)).event_id)
    for leaf in sorted(log_.state.members):
        if not is_seized(log_.state, leaf):
            log_.do(leaf, StanceCast(did, ProposalStance("agree" if agree else "disagree")))
    close_all(log_)
    return did


def elect(log_: Log) -> EventId:
    """A ranked election of two seats: Kaveh (leaf 1) first, Shirin (leaf 2) second."""
    options = tuple(NAMES[: len(log_.state.members)])
    opened = DecisionOpened("ranked", "Our delegates?", log_.now + DAY, options, seats=2)
    did = EventId(log_.do(0, opened).event_id)
    ballots = {0: (1, 2), 1: (1, 2), 2: (1, 2), 3: (2, 1)}
    for leaf, ranking in ballots.items():
        log_.do(leaf, StanceCast(did, Ranking(ranking)))
    close_all(log_)
    outcome = log_.state.decisions[did].outcome
    assert outcome is not None and outcome.winners[:2] == (1, 2)
    return did


def delegated_cell() -> tuple[Log, EventId]:
    """Cell A: four members, Kaveh its delegate, Shirin its alternate, its key set."""
    c = cell(4)
    election = elect(c)
    c.do(0, DelegatesElected(election, 1, 2, PSEUDONYM, c.now + 180 * DAY, "Strike if paid late"))
    c.do(1, CellKeySet(keys.public_of(SEED["a"]), (1, 2), election))
    return c, election


def keyed_alliance() -> Alliance:
    """Cells a, b, c at leaves 0, 1, 2, each with its key registered."""
    a = alliance(3)
    for leaf, name in enumerate("abc"):
        public = keys.public_of(SEED[name])
        proof = keys.sign(SEED[name], keys.possession_body(f"cell-{name}", public))
        a.do(leaf, CellKeyRegistered(public, proof))
    return a


def test_a_cell_elects_its_delegates_and_sets_its_key() -> None:
    c, _election = delegated_cell()
    fed = c.state.fed
    assert fed.delegation is not None
    assert (fed.delegation.delegate_name, fed.delegation.alternate_name) == ("Kaveh", "Shirin")
    assert (fed.delegation.pseudonym, fed.delegation.mandate) == (PSEUDONYM, "Strike if paid late")
    assert fed.key is not None and fed.key.holders == {1, 2} and fed.key.sequence == 0
    assert not key_due(c.state)
    # A cell's log replays to the same federation (newcomers are handed these events).
    assert replay(c.envelopes).fed == c.state.fed


def test_an_election_must_match_the_decision() -> None:
    c = cell(4)
    election = elect(c)
    term = c.now + 30 * DAY
    refused(c, 0, DelegatesElected(election, 2, 1, PSEUDONYM, term, ""), "not-elected")
    refused(c, 0, DelegatesElected(election, 1, 1, PSEUDONYM, term, ""), "not-elected")
    refused(c, 0, DelegatesElected(election, 1, 2, PSEUDONYM, c.now - 1, ""), "date-out-of-range")
    far = c.now + 400 * DAY
    refused(c, 0, DelegatesElected(election, 1, 2, PSEUDONYM, far, ""), "date-out-of-range")
    refused(
        c, 0, DelegatesElected(election, 1, 2, "cell\u200ba", term, ""), "name-hidden-character"
    )
    other = decide(c, "Strike on Monday?")
    refused(c, 0, DelegatesElected(other, 1, 2, PSEUDONYM, term, ""), "not-elected")
    refused(c, 0, CellKeySet(keys.public_of(SEED["a"]), (1, 2), election), "no-delegates")
    refused(c, 7, DelegatesElected(election, 1, 2, PSEUDONYM, term, ""), "not-a-member")
    c.do(0, DelegatesElected(election, 1, 2, PSEUDONYM, term, ""))
    refused(c, 0, DelegatesElected(election, 1, 2, PSEUDONYM, term, ""), "motion-done")
    public = keys.public_of(SEED["a"])
    refused(c, 0, CellKeySet(public, (1,), election), "bad-holders")  # the alternate too
    refused(c, 0, CellKeySet(public, (1, 2, 2), election), "bad-holders")
    refused(c, 0, CellKeySet(public, (1, 2, 6), election), "bad-holders")  # not a member
    refused(c, 0, CellKeySet(public, (1, 2), election, b"\x01" * 64), "bad-signature")


def test_a_rotation_is_owed_when_a_holder_is_seized_or_removed() -> None:
    c, _election = delegated_cell()
    c.do(3, MemberSeized(2))  # the alternate's phone is taken
    assert key_due(c.state)
    rotate = decide(c, "A new key: Shirin's phone was taken")
    new = keys.public_of(SEED["b"])
    body = keys.rotation_body(1, keys.public_of(SEED["a"]), new, keys.decision_ref(rotate))
    signature = keys.sign(SEED["a"], body)
    # the seized device may not hold the new key
    refused(c, 1, CellKeySet(new, (1, 2), rotate, signature), "bad-holders")
    c.do(0, MemberRemoved(2, 0, c.next_epoch()))
    assert key_due(c.state)
    # the alternate is gone: the cell elects again before its key can be set
    refused(c, 1, CellKeySet(new, (1,), rotate, signature), "bad-holders")


def rotated_cell() -> tuple[Log, bytes]:
    c, _election = delegated_cell()
    rotate = decide(c, "A new key after a holder's phone was taken")
    new = keys.public_of(SEED["b"])
    body = keys.rotation_body(1, keys.public_of(SEED["a"]), new, keys.decision_ref(rotate))
    forged = keys.sign(ROGUE, body)
    refused(c, 1, CellKeySet(new, (1, 2), rotate, forged), "bad-signature")
    refused(c, 1, CellKeySet(new, (1, 2), rotate), "bad-signature")
    c.do(1, CellKeySet(new, (1, 2), rotate, keys.sign(SEED["a"], body)))
    return c, new


def test_a_rotation_is_signed_by_the_old_key_and_never_reuses_one() -> None:
    c, new = rotated_cell()
    assert c.state.fed.key is not None
    assert c.state.fed.key.public_key == new and c.state.fed.key.sequence == 1
    assert c.state.fed.key.retired == (keys.public_of(SEED["a"]),)
    again = decide(c, "Back to the old key?")
    old = keys.public_of(SEED["a"])
    body = keys.rotation_body(2, new, old, keys.decision_ref(again))
    refused(c, 1, CellKeySet(old, (1, 2), again, keys.sign(SEED["b"], body)), "key-reused")


def test_the_alliance_registers_each_cells_key_once_and_follows_its_rotation() -> None:
    a = keyed_alliance()
    assert cell_key(a.state, "cell-b") == keys.public_of(SEED["b"])
    assert cell_key(a.state, "cell-x") is None
    second = keys.public_of(ROGUE)
    proof = keys.sign(ROGUE, keys.possession_body("cell-a", second))
    assert a.refused(0, CellKeyRegistered(second, proof)) == "key-registered"
    # a proof made for another pseudonym, or by another key, proves nothing
    fresh = alliance(2)
    wrong_name = keys.sign(ROGUE, keys.possession_body("cell-b", second))
    assert fresh.refused(0, CellKeyRegistered(second, wrong_name)) == "bad-signature"
    not_held = keys.sign(SEED["a"], keys.possession_body("cell-a", second))
    assert fresh.refused(0, CellKeyRegistered(second, not_held)) == "bad-signature"
    # a rotation: signed by the old key; any delegate may carry it
    ref = keys.decision_ref(b"d" * 16)
    old = keys.public_of(SEED["a"])
    body = keys.rotation_body(1, old, second, ref)
    forged = CellKeyRotated("cell-a", second, ref, keys.sign(ROGUE, body))
    assert a.refused(2, forged) == "bad-signature"
    a.do(2, CellKeyRotated("cell-a", second, ref, keys.sign(SEED["a"], body)))
    assert cell_key(a.state, "cell-a") == second
    back = keys.rotation_body(2, second, old, ref)
    assert a.refused(0, CellKeyRotated("cell-a", old, ref, keys.sign(ROGUE, back))) == (
        "key-reused"
    )


def vote_round(
    a: Alliance, c: Log, election: EventId, *, cell_says: bool, delegate_votes: bool
) -> EventId:
    """An alliance motion; cell A decides its mandate first, its delegate votes (as told
    or not), cells b and c vote yes and no; the motion closes and every cell signs."""
    motion = EventId(a.do(1, MotionOpened("A joint strike on 1 May?", a.now + DAY)).event_id)
    mandate = decide(c, "Do we vote yes to the joint strike on 1 May?", agree=cell_says)
    c.do(1, MandateGiven(motion, "A joint strike on 1 May?", mandate))
    ref = keys.mandate_ref(mandate, motion)
    a.do(0, CellVoted(motion, delegate_votes, ref))
    a.do(1, CellVoted(motion, True))
    a.do(2, CellVoted(motion, False))
    (closing,) = (m for m in a.state.motions.values() if m.motion_id == motion)
    assert closing.votes.keys() == {"cell-a", "cell-b", "cell-c"}
    outcome = MotionOutcome(delegate_votes, 1 + delegate_votes, 2 - delegate_votes)
    a.do(0, MotionClosed(motion, outcome))
    signed = tally_to_sign(a.state, motion)
    for leaf, name in enumerate("abc"):
        a.do(leaf, TallySigned(motion, keys.sign(SEED[name], signed)))
    return motion


def test_the_delegate_votes_as_mandated_and_the_cell_checks_the_signed_tally() -> None:
    c, election = delegated_cell()
    a = keyed_alliance()
    motion = vote_round(a, c, election, cell_says=True, delegate_votes=True)
    tally = signed_tally(a.state, motion)
    assert [s.cell for s in tally.signatures] == ["cell-a", "cell-b", "cell-c"]
    c.do(1, ReportedBack(tally, "Adopted, two cells to one."))
    report = c.state.fed.reports[motion]
    assert (report.cast, report.mandated, report.followed) == (True, True, True)
    assert report.outcome == MotionOutcome(True, 2, 1)
    assert report.signed_by == ("cell-a", "cell-b", "cell-c")
    refused(c, 2, ReportedBack(tally), "already-answered")


def test_a_delegate_who_votes_against_the_mandate_is_seen_by_the_cell() -> None:
    c, election = delegated_cell()
    a = keyed_alliance()
    motion = vote_round(a, c, election, cell_says=False, delegate_votes=True)
    tally = signed_tally(a.state, motion)
    # The delegate cannot hide it: a tally with its vote flipped no longer verifies.
    flipped = msgspec.structs.replace(
        tally,
        votes=tuple(
            msgspec.structs.replace(v, agree=False) if v.cell == "cell-a" else v
            for v in tally.votes
        ),
        outcome=MotionOutcome(False, 1, 2),
    )
    refused(c, 1, ReportedBack(flipped), "bad-signature")
    # Nor by keeping only its own cell's signature.
    own = msgspec.structs.replace(tally, signatures=tally.signatures[:1])
    refused(c, 1, ReportedBack(own), "tally-unsigned")
    refused(c, 3, ReportedBack(tally), "not-a-delegate")  # not the delegate or alternate
    c.do(2, ReportedBack(tally))  # the alternate carries it back
    report = c.state.fed.reports[motion]
    assert (report.cast, report.mandated, report.followed) == (True, False, False)


def test_a_vote_without_the_mandates_reference_is_flagged() -> None:
    c, _election = delegated_cell()
    a = keyed_alliance()
    motion = EventId(a.do(1, MotionOpened("Stop on Monday?", a.now + DAY)).event_id)
    mandate = decide(c, "Yes to stopping on Monday?")
    c.do(1, MandateGiven(motion, "Stop on Monday?", mandate))
    a.do(0, CellVoted(motion, True))  # the right way, but not under the cell's decision
    a.do(1, CellVoted(motion, True))
    a.do(2, CellVoted(motion, True))
    a.do(0, MotionClosed(motion, MotionOutcome(True, 3, 0)))
    signed = tally_to_sign(a.state, motion)
    a.do(1, TallySigned(motion, keys.sign(SEED["b"], signed)))
    c.do(1, ReportedBack(signed_tally(a.state, motion)))
    assert c.state.fed.reports[motion].followed is False


def test_two_votes_for_one_cell_and_a_vote_from_outside_are_refused() -> None:
    a = keyed_alliance()
    a.admit("cell-b", 3)  # a second seat of cell-b
    motion = EventId(a.do(0, MotionOpened("Strike?", a.now + DAY)).event_id)
    a.do(1, CellVoted(motion, True))
    assert a.refused(3, CellVoted(motion, False)) == "vote-twice"
    assert a.refused(9, CellVoted(motion, False)) == "not-a-member"
    assert a.refused(1, TallySigned(motion, b"\0" * 64)) == "not-due"


def test_a_tally_signature_is_the_cells_own_and_given_once() -> None:
    a = keyed_alliance()
    motion = EventId(a.do(0, MotionOpened("Strike?", a.now + DAY)).event_id)
    for leaf in range(3):
        a.do(leaf, CellVoted(motion, True))
    a.do(0, MotionClosed(motion, MotionOutcome(True, 3, 0)))
    signed = tally_to_sign(a.state, motion)
    assert a.refused(1, TallySigned(motion, keys.sign(SEED["a"], signed))) == "bad-signature"
    a.do(1, TallySigned(motion, keys.sign(SEED["b"], signed)))
    assert a.refused(1, TallySigned(motion, keys.sign(SEED["b"], signed))) == "already-answered"


ALT_CARD = b"the alternate's card: a KeyPackage under cell-a"
ALT = card("alternate of cell-a")


def register_alternate(a: Alliance) -> None:
    signature = keys.sign(SEED["a"], keys.alternate_body("cell-a", ALT))
    a.do(0, AlternateRegistered(ALT_CARD, ALT, a.now + 30 * DAY, signature))


def recall_of(c: Log) -> DelegateRecalled:
    did = decide(c, "Recall Kaveh: Shirin speaks for us")
    body = keys.recall_body(PSEUDONYM, ALT, keys.decision_ref(did))
    return DelegateRecalled(did, ALT, keys.sign(SEED["a"], body))


def test_a_recall_is_a_signed_cell_decision_and_the_alternate_becomes_delegate() -> None:
    c, _election = delegated_cell()
    recall = recall_of(c)
    forged = msgspec.structs.replace(recall, signature=keys.sign(ROGUE, b"anything"))
    refused(c, 3, forged, "bad-signature")
    c.do(3, recall)
    refused(c, 3, recall, "no-alternate")  # the alternate is the delegate now
    fed = c.state.fed
    assert fed.delegation is not None
    assert (fed.delegation.delegate, fed.delegation.alternate) == (2, None)
    assert [r.recalled_name for r in fed.recalls] == ["Kaveh"]
    assert key_due(c.state)  # Kaveh still holds the key: the cell owes a new one


def test_a_recall_needs_an_adopted_decision_and_a_key() -> None:
    c, _election = delegated_cell()
    rejected = decide(c, "Recall Kaveh?", agree=False)
    body = keys.recall_body(PSEUDONYM, ALT, keys.decision_ref(rejected))
    recall = DelegateRecalled(rejected, ALT, keys.sign(SEED["a"], body))
    refused(c, 3, recall, "motion-not-adopted")
    unkeyed = cell(4)
    election = elect(unkeyed)
    term = unkeyed.now + 30 * DAY
    unkeyed.do(0, DelegatesElected(election, 1, 2, PSEUDONYM, term, ""))
    refused(unkeyed, 3, recall, "no-cell-key")


def test_a_recall_in_the_alliance_authorizes_exactly_the_swap() -> None:
    c, _election = delegated_cell()
    a = keyed_alliance()
    register_alternate(a)
    motion = EventId(a.do(1, MotionOpened("Strike?", a.now + DAY)).event_id)
    a.do(1, CellVoted(motion, True))  # mid-decision: cell-b voted, cell-a not yet
    recall = recall_of(c)
    c.do(3, recall)
    ref = keys.decision_ref(recall.decision_id)
    swap = DelegateSwapped("cell-a", ALT, ref, recall.signature)
    # forged: signed by another key, or naming a card the cell never registered
    assert a.refused(1, msgspec.structs.replace(swap, signature=keys.sign(ROGUE, b"x"))) == (
        "bad-signature"
    )
    assert a.refused(1, msgspec.structs.replace(swap, card_fingerprint=card("x"))) == (
        "no-alternate"
    )
    assert a.refused(1, msgspec.structs.replace(swap, cell="cell-z")) == "not-a-member"
    a.do(2, swap)  # cell-c's delegate received it: it commits the swap at once
    assert a.refused(1, swap) == "motion-done"
    # Nothing but the swap is authorized: not another seat's removal, not another card.
    with pytest.raises(PolicyViolation):
        authorize(MemberRemoved(1, 2, a.epoch + 1), a.state)
    with pytest.raises(PolicyViolation):
        authorize(MemberAdded(3, "cell-a", card("someone else"), 2, a.epoch + 1), a.state)
    authorize(MemberRemoved(0, 2, a.epoch + 1), a.state)
    authorize(MemberAdded(3, "cell-a", ALT, 2, a.epoch + 1), a.state)
    a.epoch += 1
    a.do(2, MemberRemoved(0, 2, a.epoch))
    a.do(2, MemberAdded(3, "cell-a", ALT, 2, a.epoch))
    assert not a.state.alarms
    assert a.state.recalls == {} and a.state.alternates == {}
    assert {int(k): m.cell for k, m in a.state.members.items()} == {
        1: "cell-b",
        2: "cell-c",
        3: "cell-a",
    }
    # The old delegate's seat is gone; the new one completes the decision, once per cell.
    assert a.refused(0, CellVoted(motion, False)) == "not-a-member"
    a.do(3, CellVoted(motion, False))
    assert a.refused(3, CellVoted(motion, True)) == "vote-twice"
    a.do(2, CellVoted(motion, True))
    a.do(1, MotionClosed(motion, MotionOutcome(True, 2, 1)))
    # A replay of the spent recall, even re-registered, swaps nothing.
    assert a.refused(2, swap) in {"no-alternate", "motion-done"}
    assert log.replay(ALLIANCE, a.envelopes) == a.state


def test_an_alternate_is_registered_only_under_the_cells_key() -> None:
    a = keyed_alliance()
    forged = keys.sign(ROGUE, keys.alternate_body("cell-a", ALT))
    assert a.refused(0, AlternateRegistered(ALT_CARD, ALT, a.now + DAY, forged)) == (
        "bad-signature"
    )
    signed_for_b = keys.sign(SEED["a"], keys.alternate_body("cell-b", ALT))
    assert a.refused(0, AlternateRegistered(ALT_CARD, ALT, a.now + DAY, signed_for_b)) == (
        "bad-signature"
    )
    good = keys.sign(SEED["a"], keys.alternate_body("cell-a", ALT))
    assert a.refused(0, AlternateRegistered(ALT_CARD, ALT, a.now - 1, good)) == "expired-card"
    assert a.refused(0, AlternateRegistered(ALT_CARD, b"short", a.now + DAY, good)) == (
        "malformed-card"
    )
    unkeyed = alliance(2)
    assert unkeyed.refused(0, AlternateRegistered(ALT_CARD, ALT, a.now + DAY, good)) == (
        "no-cell-key"
    )


# --- parsers: tallies and federation events from hostile bytes ------------------------------


def tally_of(motion: bytes, votes: list[tuple[str, bool]], signers: list[str]) -> SignedTally:
    tvotes = tuple(TallyVote(cell, agree) for cell, agree in votes)
    agree = sum(v for _c, v in votes)
    outcome = MotionOutcome(agree > len(votes) - agree, agree, len(votes) - agree)
    body = keys.tally_body(motion, "Q?", tvotes, outcome)
    sigs = tuple(
        TallySignature(name, keys.public_of(SEED[name[-1]]), keys.sign(SEED[name[-1]], body))
        for name in signers
    )
    return SignedTally(motion, "Q?", tvotes, outcome, sigs)


@given(
    votes=st.lists(st.tuples(st.sampled_from(["cell-a", "cell-b", "cell-c"]), st.booleans())),
    signers=st.lists(st.sampled_from(["cell-a", "cell-b", "cell-c"]), unique=True),
    flip=st.integers(min_value=0, max_value=200),
)
@settings(max_examples=60, deadline=None)
def test_check_tally_accepts_exactly_the_tallies_that_hold(
    votes: list[tuple[str, bool]], signers: list[str], flip: int
) -> None:
    tally = tally_of(b"m" * 16, votes, signers)
    cells = [c for c, _ in votes]
    holds = len(set(cells)) == len(cells) and bool(set(signers) - {"cell-a"})
    if holds:
        check_tally(tally, "cell-a")
    else:
        with pytest.raises(InvalidEvent):
            check_tally(tally, "cell-a")
    if tally.signatures:  # one flipped bit in a signature breaks it
        sig = tally.signatures[0]
        raw = bytearray(sig.signature)
        raw[flip % 64] ^= 1 << (flip % 8)
        broken = msgspec.structs.replace(
            tally, signatures=(TallySignature(sig.cell, sig.key, bytes(raw)),)
        )
        with pytest.raises(InvalidEvent) as err:
            check_tally(broken, "cell-a")
        assert err.value.code in {"bad-signature", "vote-twice", "tally-unsigned"}


@given(st.binary(max_size=600))
@settings(max_examples=150, deadline=None)
def test_hostile_bytes_never_crash_the_federation_decoder(data: bytes) -> None:
    prefix = encode(
        EventEnvelope(1, EventId(b"i" * 16), 0, 0, ReportedBack(tally_of(b"m" * 16, [], [])))
    )
    for wire in (data, prefix[:20] + data, prefix + data):
        try:
            env = decode(wire)
        except OrgDecodeError:
            continue
        assert isinstance(env, EventEnvelope)


def test_federation_events_round_trip() -> None:
    tally = tally_of(b"m" * 16, [("cell-a", True), ("cell-b", False)], ["cell-b"])
    for body in (
        ReportedBack(tally, "note"),
        DelegatesElected(b"d" * 16, 1, 2, "cell-a", 5, "mandate"),
        CellKeySet(b"k" * 32, (1, 2), b"d" * 16),
        DelegateSwapped("cell-a", ALT, b"r" * 32, b"s" * 64),
    ):
        env = EventEnvelope(1, EventId(b"i" * 16), 0, 0, body)
        assert decode(encode(env)) == env
    with pytest.raises(OrgDecodeError):
        bad = EventEnvelope(1, EventId(b"i" * 16), 0, 0, CellKeySet(b"k" * 32, (1,), b"d" * 16))
        wire = encode(bad).replace(b"k" * 32, b"k" * 31 + b"")
        decode(wire)
