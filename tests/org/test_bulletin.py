"""The newsroom (``bulletin.*``): drafts, revisions, comments, issues pinned at a revision,
approval and editors by decision, the key chain (issue, share, rotation after a seizure
or a removal), publication in chunks, distribution by workplace. Every refusal leaves the
state as it was; the attacks of issue 16 are written as tests."""

from __future__ import annotations

import hashlib

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.org import (
    Consent,
    DecisionClosed,
    DecisionOpened,
    EventId,
    InvalidEvent,
    LeafIndex,
    MemberSeized,
    StanceCast,
    compute_outcome,
    decode,
    encode,
)
from hasteh.org.bulletin import editors, reason_digest, rotation_body, rotation_due
from hasteh.org.events import (
    ArticleCommented,
    ArticleDrafted,
    ArticleRevised,
    BulletinLinked,
    CopiesDistributed,
    EditorInbox,
    EditorsProposed,
    Event,
    IssueAssembled,
    IssueChunk,
    IssuePublished,
    KeyIssued,
    KeyShared,
)
from hasteh.org.events.bulletin import CHUNK_SIZE, Pinned, RotationLink, SealedKey
from hasteh.publish import rotation
from hasteh.publish.keys import BulletinKey

from .helpers import DAY, Log, cell

DAY_ORDINAL = 739_500
INBOX = bytes(range(32))


def refused(log: Log, author: int, body: Event, code: str) -> None:
    before = log.state
    with pytest.raises(InvalidEvent) as caught:
        log.do(author, body)
    assert caught.value.code == code
    assert log.state is before


def adopt(log: Log, subject: EventId) -> EventId:
    """Open a consent decision on `subject`, link it, everyone consents, close it."""
    did = EventId(log.do(0, DecisionOpened("consent", "Approve?", log.now + DAY)).event_id)
    log.do(0, BulletinLinked(subject, did))
    for leaf in sorted(log.state.members):
        log.do(leaf, StanceCast(did, Consent()))
    outcome = compute_outcome(log.state.decisions[did])
    log.do(0, DecisionClosed(did, outcome))
    assert outcome.status == "adopted"
    return did


def name_editors(log: Log, *leaves: int) -> EventId:
    proposal = EventId(log.do(0, EditorsProposed(leaves)).event_id)
    adopt(log, proposal)
    return proposal


def sealed(leaf: int) -> SealedKey:
    return SealedKey(leaf, bytes(32), bytes(48))


def newsroom(members: int = 4) -> tuple[Log, BulletinKey]:
    """Editors 0 and 1, both with inboxes and the key (issued by 0, sealed to 1)."""
    log = cell(members)
    name_editors(log, 0, 1)
    log.do(0, EditorInbox(INBOX))
    log.do(1, EditorInbox(INBOX))
    key = BulletinKey.from_seed(b"k" * 32)
    log.do(0, KeyIssued(key.public, (sealed(1),)))
    return log, key


def approved_issue(log: Log, number: int = 1) -> EventId:
    article = EventId(log.do(2, ArticleDrafted("Wages", "The wages are **late**.")).event_id)
    issue = log.do(
        1, IssueAssembled(number, "Workers' voice", DAY_ORDINAL, (Pinned(article, article),))
    )
    adopt(log, EventId(issue.event_id))
    return EventId(issue.event_id)


def publish(log: Log, issue: EventId, key: BulletinKey, data: bytes, by: int = 0) -> EventId:
    chunks = [data[i : i + CHUNK_SIZE] for i in range(0, len(data), CHUNK_SIZE)]
    body = IssuePublished(issue, key.public, len(data), len(chunks), hashlib.sha256(data).digest())
    pub = EventId(log.do(by, body).event_id)
    for i, chunk in enumerate(chunks):
        log.do(by, IssueChunk(pub, i, chunk))
    return pub


def rotate(log: Log, old: BulletinKey, new: BulletinKey, reason: bytes, by: int = 0) -> KeyIssued:
    sequence = len(log.state.bulletin.keys)
    signature = old.sign(rotation_body(sequence, old.public, new.public, reason))
    return KeyIssued(new.public, (), RotationLink(sequence, old.public, signature), EventId(reason))


# --- articles and issues -------------------------------------------------------------------


def test_drafts_revisions_and_comments_and_an_issue_pins_a_revision() -> None:
    log = cell(3)
    article = EventId(log.do(1, ArticleDrafted("Title", "first text")).event_id)
    revised = log.do(2, ArticleRevised(article, "Title 2", "second text")).event_id
    log.do(0, ArticleCommented(article, "Shorter, please"))
    issue = log.do(0, IssueAssembled(7, "Voice", DAY_ORDINAL, (Pinned(article, article),)))
    log.do(1, ArticleRevised(article, "Title 3", "third text"))
    room = log.state.bulletin
    got = room.articles[article]
    assert [r.body for r in got.revisions] == ["first text", "second text", "third text"]
    assert got.comments[0].text == "Shorter, please"
    # the issue still prints the revision it pinned, whatever came later
    (pinned,) = room.issues[EventId(issue.event_id)].articles
    assert got.revision(pinned.revision_id) is not None
    assert got.revision(pinned.revision_id).body == "first text"  # type: ignore[union-attr]
    assert got.revision(revised) is not None


def test_bad_articles_and_issues_are_refused() -> None:
    log = cell(3)
    article = EventId(log.do(1, ArticleDrafted("Title", "text")).event_id)
    other = EventId(log.do(1, ArticleDrafted("Other", "text")).event_id)
    refused(log, 0, ArticleDrafted("Pay\u202eyad", "text"), "bulletin-hidden-text")
    refused(log, 0, ArticleRevised(EventId(b"\1" * 16), "T", "x"), "unknown-article")
    refused(log, 0, ArticleCommented(article, "   "), "bulletin-hidden-text")
    refused(log, 5, ArticleDrafted("T", "x"), "not-a-member")
    # a revision of another article cannot be pinned
    refused(
        log, 0, IssueAssembled(1, "V", DAY_ORDINAL, (Pinned(article, other),)), "unknown-article"
    )
    twice = (Pinned(article, article), Pinned(article, article))
    refused(log, 0, IssueAssembled(1, "V", DAY_ORDINAL, twice), "duplicate-id")


# --- approval: the key signs only approved issues ------------------------------------------


def test_an_editor_cannot_publish_an_unapproved_issue() -> None:
    log, key = newsroom()
    article = EventId(log.do(2, ArticleDrafted("Wages", "late")).event_id)
    issue = EventId(
        log.do(1, IssueAssembled(1, "V", DAY_ORDINAL, (Pinned(article, article),))).event_id
    )
    body = IssuePublished(issue, key.public, 10, 1, hashlib.sha256(b"x" * 10).digest())
    refused(log, 0, body, "bulletin-not-approved")
    # a decision that is linked but still open does not approve either
    did = EventId(log.do(0, DecisionOpened("consent", "Approve?", log.now + DAY)).event_id)
    log.do(0, BulletinLinked(issue, did))
    refused(log, 0, body, "bulletin-not-approved")


def test_a_rejected_approval_does_not_approve() -> None:
    log, key = newsroom()
    article = EventId(log.do(2, ArticleDrafted("Wages", "late")).event_id)
    issue = EventId(
        log.do(1, IssueAssembled(1, "V", DAY_ORDINAL, (Pinned(article, article),))).event_id
    )
    did = EventId(log.do(0, DecisionOpened("proposal", "Approve?", log.now + DAY)).event_id)
    log.do(0, BulletinLinked(issue, did))
    from hasteh.org import ProposalStance

    for leaf in sorted(log.state.members):
        log.do(leaf, StanceCast(did, ProposalStance("block", "not true")))
    log.do(0, DecisionClosed(did, compute_outcome(log.state.decisions[did])))
    body = IssuePublished(issue, key.public, 10, 1, hashlib.sha256(b"x" * 10).digest())
    refused(log, 0, body, "bulletin-not-approved")


def test_a_non_editor_member_cannot_publish_or_hold_the_key() -> None:
    log, key = newsroom()
    issue = approved_issue(log)
    body = IssuePublished(issue, key.public, 10, 1, hashlib.sha256(b"x" * 10).digest())
    refused(log, 2, body, "bulletin-not-editor")
    refused(log, 2, EditorInbox(INBOX), "bulletin-not-editor")
    # a holder may not seal the key to a member the cell did not name
    refused(log, 0, KeyShared(key.public, (sealed(2),)), "bulletin-not-editor")
    # nor issue a second key while the first is not due for rotation
    other = BulletinKey.from_seed(b"o" * 32)
    refused(log, 0, KeyIssued(other.public, ()), "bulletin-rotation-not-due")


def test_publication_in_chunks_gives_every_member_the_same_bytes() -> None:
    log, key = newsroom()
    issue = approved_issue(log)
    data = bytes(range(256)) * 500  # three chunks
    pub = publish(log, issue, key, data)
    publication = log.state.bulletin.publications[pub]
    assert publication.complete and publication.data() == data
    log.do(3, CopiesDistributed(issue, "Workshop 3", 40, "paper"))
    assert log.state.bulletin.copies[0].copies == 40
    # the same number cannot be published twice
    article = EventId(log.do(2, ArticleDrafted("Again", "x")).event_id)
    refused(
        log,
        1,
        IssueAssembled(1, "V", DAY_ORDINAL, (Pinned(article, article),)),
        "bulletin-already-published",
    )


def test_bad_chunks_are_refused() -> None:
    log, key = newsroom()
    issue = approved_issue(log)
    data = b"y" * (CHUNK_SIZE + 10)
    body = IssuePublished(issue, key.public, len(data), 2, hashlib.sha256(b"other").digest())
    pub = EventId(log.do(0, body).event_id)
    refused(log, 0, IssueChunk(pub, 1, b"y" * 11), "bulletin-bad-chunk")  # wrong length
    refused(log, 0, IssueChunk(pub, 2, b"y"), "bulletin-bad-chunk")  # out of range
    refused(log, 1, IssueChunk(pub, 0, data[:CHUNK_SIZE]), "bulletin-not-editor")  # not its author
    log.do(0, IssueChunk(pub, 0, data[:CHUNK_SIZE]))
    refused(log, 0, IssueChunk(pub, 0, data[:CHUNK_SIZE]), "bulletin-bad-chunk")  # twice
    refused(log, 0, IssueChunk(pub, 1, data[CHUNK_SIZE:]), "bulletin-bad-file")  # hash differs
    bad = IssuePublished(issue, key.public, 10, 2, bytes(32))
    refused(log, 0, bad, "bulletin-already-published")


def test_distribution_counts_workplaces_never_people() -> None:
    log, key = newsroom()
    issue = approved_issue(log)
    refused(log, 0, CopiesDistributed(issue, "Depot", 5), "bulletin-not-published")
    publish(log, issue, key, b"%PDF-1.7 tiny")
    cover = log.state.members[next(iter(log.state.members))].cover_name
    refused(log, 0, CopiesDistributed(issue, cover, 5), "bulletin-person-name")
    refused(log, 0, CopiesDistributed(issue, "Depot\u200e", 5), "name-hidden-character")
    assert not hasattr(CopiesDistributed, "person")  # no field for who carried them


# --- rotation ------------------------------------------------------------------------------


def test_the_rotation_body_is_the_press_rotation_body() -> None:
    old, new = BulletinKey.from_seed(b"a" * 32), BulletinKey.from_seed(b"b" * 32)
    reason = b"r" * 16
    made = rotation.rotate(old, new.public, 3, reason_digest(reason))
    assert made.body() == rotation_body(3, old.public, new.public, reason)


def test_a_seized_holder_forces_a_rotation_signed_by_the_old_key() -> None:
    log, key = newsroom()
    issue = approved_issue(log)
    seizure = EventId(log.do(2, MemberSeized(1, log.state.cover_name(1))).event_id)
    assert rotation_due(log.state) == seizure
    assert 1 not in editors(log.state)
    # nothing is published with the old key while the rotation is due
    body = IssuePublished(issue, key.public, 10, 1, hashlib.sha256(b"x" * 10).digest())
    refused(log, 0, body, "bulletin-rotation-due")
    new = BulletinKey.from_seed(b"n" * 32)
    # a forger without the old key cannot rotate; nor for another reason
    forged = rotate(log, new, new, seizure)
    refused(log, 0, forged, "bulletin-bad-rotation")
    refused(log, 0, rotate(log, key, new, b"\7" * 16), "bulletin-bad-rotation")
    # the seized holder cannot rotate (its device is in other hands)
    refused(log, 1, rotate(log, key, new, seizure), "member-seized")
    log.do(0, rotate(log, key, new, seizure))
    assert rotation_due(log.state) is None
    # readers follow the chain the log holds, with the press's own code
    links = [
        rotation.Rotation(
            k.rotation.sequence,
            k.rotation.old,
            k.public,
            reason_digest(k.reason_id),
            k.rotation.signature,
        )
        for k in log.state.bulletin.keys[1:]
        if k.rotation is not None and k.reason_id is not None
    ]
    chain = rotation.follow(key.fingerprint, links)
    assert chain.current == new.fingerprint and chain.retired == {key.fingerprint}
    # the old key signs nothing the log accepts afterwards
    body = IssuePublished(issue, key.public, 10, 1, hashlib.sha256(b"x" * 10).digest())
    refused(log, 0, body, "bulletin-bad-key")
    publish(log, issue, new, b"%PDF new key")


def remove_editor_1(log: Log) -> EventId:
    """The cell decides to remove the editor at leaf 1 and commits it; the decision's id."""
    from hasteh.org import MemberRemoved, RemoveMember

    motion = RemoveMember(1, log.state.cover_name(1))
    did = EventId(
        log.do(0, DecisionOpened("consent", "Remove?", log.now + 2 * DAY, motion=motion)).event_id
    )
    for leaf in (0, 2, 3):
        log.do(leaf, StanceCast(did, Consent()))
    log.now += 2 * DAY
    log.do(0, DecisionClosed(did, compute_outcome(log.state.decisions[did])))
    log.do(0, MemberRemoved(1, 0, log.next_epoch()))
    return did


def test_a_removed_holder_forces_a_rotation_naming_the_removal_decision() -> None:
    log, key = newsroom()
    did = remove_editor_1(log)
    assert rotation_due(log.state) == did
    new = BulletinKey.from_seed(b"n" * 32)
    log.do(0, rotate(log, key, new, did))
    assert log.state.bulletin.current_key is not None
    assert log.state.bulletin.current_key.public == new.public


def test_a_newcomer_at_a_removed_editors_leaf_inherits_no_seat_and_no_inbox() -> None:
    """MLS seats a newcomer at the leftmost free leaf: often the one a removed member left.
    The editors decision named that leaf, and the removed editor's HPKE inbox was stored
    for it; neither may pass to the newcomer, or the next key copy would be sealed to the
    removed member's inbox (or the newcomer would hold the key without a decision)."""
    log, key = newsroom()
    did = remove_editor_1(log)
    assert 1 not in log.state.bulletin.inboxes
    assert editors(log.state) == frozenset({LeafIndex(0)})
    log.admit("newcomer", 1)
    assert 1 in log.state.members
    assert editors(log.state) == frozenset({LeafIndex(0)})
    refused(log, 1, EditorInbox(INBOX), "bulletin-not-editor")
    new = BulletinKey.from_seed(b"n" * 32)
    rotated = rotate(log, key, new, did)
    refused(log, 0, msgspec.structs.replace(rotated, sealed=(sealed(1),)), "bulletin-not-editor")
    log.do(0, rotated)  # the rotation itself goes through, sealed to nobody


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_hostile_bytes_never_crash_the_decoder(data: bytes) -> None:
    try:
        decode(data)
    except InvalidEvent:  # pragma: no cover - decode raises OrgDecodeError only
        raise
    except Exception as exc:
        assert type(exc).__name__ == "OrgDecodeError"


def test_events_round_trip() -> None:
    log, _key = newsroom()
    for env in log.envelopes:
        assert decode(encode(env)) == env


def test_links_are_checked() -> None:
    log, _key = newsroom()
    article = EventId(log.do(2, ArticleDrafted("Wages", "late")).event_id)
    issue = EventId(
        log.do(1, IssueAssembled(1, "V", DAY_ORDINAL, (Pinned(article, article),))).event_id
    )
    single = DecisionOpened("single", "Which?", log.now + DAY, options=("a", "b"))
    did = EventId(log.do(0, single).event_id)
    refused(log, 0, BulletinLinked(issue, did), "bulletin-bad-link")
    refused(log, 0, BulletinLinked(EventId(b"\5" * 16), did), "unknown-issue")
    consent = EventId(log.do(0, DecisionOpened("consent", "OK?", log.now + DAY)).event_id)
    log.do(0, BulletinLinked(issue, consent))
    refused(log, 0, BulletinLinked(issue, consent), "bulletin-already-linked")


def test_every_bulletin_code_is_exercised_here() -> None:
    from pathlib import Path

    from hasteh.org import MESSAGES

    source = Path(__file__).read_text(encoding="utf-8")
    codes = {c for c in MESSAGES if c.startswith("bulletin-")} | {
        "unknown-article",
        "unknown-issue",
    }
    assert {c for c in codes if f'"{c}"' not in source} == set()
