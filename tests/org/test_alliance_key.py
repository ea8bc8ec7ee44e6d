"""The alliance's bulletin key in the alliance's log (issue 17), sans-I/O: editors named by
an adopted vote of the alliance, one vote per cell; only a named seat posts an inbox or
issues the key; a compiled issue only from a holder of the current key, naming it; a
rotation only when due and signed by the old key; a holder the alliance no longer names
may hand the key over; a seat that leaves takes its inbox with it. Every refusal leaves
the state as it was."""

from __future__ import annotations

import hashlib

import pytest

from hasteh import org
from hasteh.org import EventEnvelope, EventId, LeafIndex
from hasteh.org.alliance import ALLIANCE, AllianceState, close_due, editors, key_holders
from hasteh.org.errors import InvalidEvent
from hasteh.org.events import (
    AllianceFormed,
    CellApproved,
    CellProposed,
    CellVoted,
    EditorInbox,
    KeyIssued,
    MemberAdded,
    MemberRemoved,
    MotionOpened,
)
from hasteh.org.events.bulletin import RotationLink, SealedKey
from hasteh.org.events.federation import ArticleSubmitted, EditorsNamed, IssueCompiled
from hasteh.org.keychain import rotation_body, rotation_due
from hasteh.publish.keys import BulletinKey

NOW = 1_780_000_000
DAY = 86_400
CELLS = ("cell-a", "cell-b", "cell-c")
OLD = BulletinKey.from_seed(b"\x01" * 32)
NEW = BulletinKey.from_seed(b"\x02" * 32)


class Log:
    """An alliance's log built one event at a time (ids are a counter)."""

    def __init__(self) -> None:
        self.state = AllianceState()
        self.n = 0

    def env(self, author: int, body: org.AnyEvent) -> EventEnvelope:
        self.n += 1
        event_id = EventId(hashlib.sha256(self.n.to_bytes(4, "big")).digest()[:16])
        return EventEnvelope(org.VERSION, event_id, LeafIndex(author), NOW + self.n, body)

    def do(self, author: int, body: org.AnyEvent) -> EventEnvelope:
        env = self.env(author, body)
        self.state = org.log.receive(ALLIANCE, self.state, env).state
        return env

    def refused(self, author: int, body: org.AnyEvent) -> str:
        before = self.state
        with pytest.raises(InvalidEvent) as err:
            org.log.receive(ALLIANCE, self.state, self.env(author, body))
        assert self.state == before
        return err.value.code

    def vote(self, motion: bytes) -> None:
        for leaf in range(len(self.state.members)):
            self.do(leaf, CellVoted(motion, True))
        for close in close_due(self.state, NOW + self.n + 1):
            self.do(0, close)


def card(cell: str) -> bytes:
    return hashlib.sha256(cell.encode()).digest()


@pytest.fixture
def log() -> Log:
    """Three cells at leaves 0..2; cell-a's and cell-b's seats named editors."""
    log = Log()
    log.do(0, AllianceFormed("north", "cell-a"))
    for leaf, cell in ((1, "cell-b"), (2, "cell-c")):
        proposal = log.do(0, CellProposed(card(cell), cell, NOW + 7 * DAY))
        if leaf == 2:
            log.do(1, CellApproved(proposal.event_id))
        log.do(0, MemberAdded(leaf, cell, card(cell), 0, leaf))
    naming = log.do(2, EditorsNamed(("cell-a", "cell-b"), NOW + DAY))
    assert editors(log.state) == frozenset()  # not before the vote is adopted
    log.vote(naming.event_id)
    return log


def inbox(leaf: int) -> bytes:
    return bytes([leaf + 1]) * 32


def issue_first(log: Log) -> None:
    for leaf in (0, 1):
        log.do(leaf, EditorInbox(inbox(leaf)))
    log.do(0, KeyIssued(OLD.public, (SealedKey(1, bytes(32), bytes(48)),)))


def test_only_named_seats_post_inboxes_and_issue_the_key(log: Log) -> None:
    assert editors(log.state) == {0, 1}
    assert log.refused(2, EditorInbox(inbox(2))) == "bulletin-not-editor"
    assert log.refused(0, EditorsNamed(("cell-x",), NOW + DAY)) == "not-a-member-cell"
    assert log.refused(0, EditorsNamed(("cell-a", "cell-a"), NOW + DAY)) == "duplicate-option"
    log.do(0, EditorInbox(inbox(0)))
    assert log.refused(2, KeyIssued(OLD.public, ())) == "bulletin-not-editor"
    # a copy sealed to a seat that is not named, or named without an inbox: refused
    for leaf in (2, 1):
        sealed = (SealedKey(leaf, bytes(32), bytes(48)),)
        assert log.refused(0, KeyIssued(OLD.public, sealed)) == "bulletin-not-editor"
    log.do(1, EditorInbox(inbox(1)))
    log.do(0, KeyIssued(OLD.public, (SealedKey(1, bytes(32), bytes(48)),)))
    current = key_holders(log.state).current
    assert current is not None and set(current.holders) == {0, 1}
    # a second key while none is due: refused, however it is signed
    body = rotation_body(1, OLD.public, NEW.public, log.state.keychain.keys[0].event_id)
    link = RotationLink(1, OLD.public, OLD.sign(body))
    assert log.refused(1, KeyIssued(NEW.public, (), link, None)) == "bulletin-rotation-not-due"


def test_an_issue_only_from_a_holder_naming_the_current_key(log: Log) -> None:
    issue_first(log)
    article = log.do(2, ArticleSubmitted("Night shifts", "Nobody works nights alone."))
    motion = log.do(1, MotionOpened("Issue 1?", NOW + DAY))
    log.vote(motion.event_id)

    def compiled(key: BulletinKey) -> IssueCompiled:
        return IssueCompiled(motion.event_id, 1, "W", NOW, (article.event_id,), "HB1:X", key.public)

    assert log.refused(2, compiled(OLD)) == "bulletin-not-editor"  # not a holder
    assert log.refused(0, compiled(NEW)) == "bulletin-not-editor"  # not the current key
    log.do(1, compiled(OLD))
    assert log.state.issues[0].key == OLD.public


def test_naming_others_makes_the_rotation_due_and_an_old_holder_hands_over(log: Log) -> None:
    issue_first(log)
    renaming = log.do(0, EditorsNamed(("cell-c",), NOW + DAY))
    log.vote(renaming.event_id)
    assert editors(log.state) == {2}
    h = key_holders(log.state)
    assert rotation_due(h) == renaming.event_id
    log.do(2, EditorInbox(inbox(2)))
    sealed = (SealedKey(2, bytes(32), bytes(48)),)
    body = rotation_body(1, OLD.public, NEW.public, renaming.event_id)
    # signed by a key that is not the current one, or over another reason: refused
    forged = RotationLink(1, OLD.public, NEW.sign(body))
    code = log.refused(0, KeyIssued(NEW.public, sealed, forged, renaming.event_id))
    assert code == "bulletin-bad-rotation"
    wrong = rotation_body(1, OLD.public, NEW.public, bytes(16))
    link = RotationLink(1, OLD.public, OLD.sign(wrong))
    code = log.refused(0, KeyIssued(NEW.public, sealed, link, renaming.event_id))
    assert code == "bulletin-bad-rotation"
    # cell-c's seat holds no old key: it cannot sign; a non-holder, non-named seat neither
    link = RotationLink(1, OLD.public, OLD.sign(body))
    log.do(0, KeyIssued(NEW.public, sealed, link, renaming.event_id))
    current = key_holders(log.state).current
    assert current is not None and current.public == NEW.public
    assert set(current.holders) == {2}  # the handing-over seat does not hold the new key
    assert rotation_due(key_holders(log.state)) is None


def test_a_seat_that_leaves_takes_its_inbox_and_the_key_must_rotate(log: Log) -> None:
    issue_first(log)
    # the removal is a fact of the group (here unauthorized: an alarm), folded anyway
    log.do(0, MemberRemoved(1, 0, 5))
    assert LeafIndex(1) not in log.state.keychain.inboxes
    h = key_holders(log.state)
    assert rotation_due(h) is not None
    # a newcomer of cell-b on the same leaf is not the holder who sat there
    log.do(0, MemberAdded(1, "cell-b", card("cell-b2"), 0, 6))
    h = key_holders(log.state)
    assert 1 in h.named and rotation_due(h) is not None
