"""Bulletin family (``bulletin.*``): the newsroom's rules (issue 16).

    draft ─▶ revise / comment ─▶ assemble an issue (articles pinned at a revision)
          ─▶ link an approval decision ─▶ adopted ─▶ an editor publishes the signed file
    propose editors ─▶ link a decision ─▶ adopted ─▶ editors post inboxes ─▶ a key is
          issued, sealed to them ─▶ a holder removed or seized ─▶ a holder rotates it

Rules (checks use only the state and the envelope, like every family):

* every author is a member not reported seized (`require_member`);
* text is bounded in the schema; a title holds no bidi override (U+202A–U+202E,
  U+2066–U+2069: it could make the printed line read differently from the stored one);
* an issue pins existing articles at one of their own revisions, each article once, at
  most `MAX_ISSUE_CHARS` characters in all; a number already published is refused;
* approval and editors are decided by a consent or proposal decision, linked once while
  open; "adopted" is the only outcome that counts;
* **the editors** are those of the latest adopted editors proposal. Only an editor posts
  an inbox, issues or shares the key, or publishes. Sealed copies go to editors with an
  inbox, never to anyone else (the log refuses a copy for a non-editor);
* **rotation is due** when a holder of the current key was reported seized after it
  was issued, is no longer a member, or is no longer an editor (`rotation_due`). Then
  the only key the log accepts is one whose `RotationLink` is signed by the current key
  (Ed25519, RFC 8032) over the new key and the digest of exactly that reason, and it
  may not be issued by the holder the reason names. A rotation that is not due is
  refused, so a holder cannot quietly replace the key;
* a publication names an approved issue and the current key, and comes from a holder
  of it; its chunks come from the publisher, in range, each once, the right length, and
  the last one completes a file whose SHA-256 is the announced one;
* distribution is counted by workplace code (a clean name, not a member's cover name).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Final

from hasteh.org import keychain
from hasteh.org._checks import is_seized, require_member
from hasteh.org.errors import InvalidEvent
from hasteh.org.events import EventEnvelope, EventId, LeafIndex
from hasteh.org.events.bulletin import (
    CHUNK_SIZE,
    ArticleCommented,
    ArticleDrafted,
    ArticleRevised,
    BulletinLinked,
    CopiesDistributed,
    EditorInbox,
    EditorsProposed,
    IssueAssembled,
    IssueChunk,
    IssuePublished,
    KeyIssued,
    KeyShared,
)
from hasteh.org.keychain import ROTATION_CONTEXT, reason_digest, rotation_body
from hasteh.org.names import look_alike, require_clean
from hasteh.org.newsroom import (
    Article,
    Comment,
    Copies,
    EditorsProposal,
    IssueDraft,
    Newsroom,
    Publication,
    Revision,
)
from hasteh.org.policy import MembershipPolicy
from hasteh.org.state import OrgState

__all__ = [
    "MAX_ARTICLES",
    "MAX_COMMENTS",
    "MAX_COPIES_RECORDS",
    "MAX_ISSUE_CHARS",
    "MAX_REVISIONS",
    "ROTATION_CONTEXT",
    "editors",
    "holders",
    "holds_current_key",
    "is_approved",
    "reason_digest",
    "rotation_body",
    "rotation_due",
]

MAX_ARTICLES: Final = 1_000
MAX_REVISIONS: Final = 50
MAX_COMMENTS: Final = 200
MAX_ISSUES: Final = 1_000
MAX_ISSUE_CHARS: Final = 400_000
MAX_COPIES_RECORDS: Final = 5_000
_SPOOFING: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_DECISION_KINDS: Final = ("consent", "proposal")


def _room(state: OrgState) -> Newsroom:
    return state.bulletin


def _put(state: OrgState, room: Newsroom) -> OrgState:
    return replace(state, bulletin=room)


def _clean_title(title: str) -> None:
    if _SPOOFING.intersection(title) or not title.strip():
        raise InvalidEvent("bulletin-hidden-text")


def _article(state: OrgState, article_id: bytes) -> Article:
    article = _room(state).articles.get(EventId(article_id))
    if article is None:
        raise InvalidEvent("unknown-article")
    return article


def _issue(state: OrgState, issue_id: bytes) -> IssueDraft:
    issue = _room(state).issues.get(EventId(issue_id))
    if issue is None:
        raise InvalidEvent("unknown-issue")
    return issue


def _adopted(state: OrgState, decision_id: EventId | None) -> bool:
    decision = state.decisions.get(decision_id) if decision_id is not None else None
    return (
        decision is not None
        and decision.outcome is not None
        and (decision.outcome.status == "adopted")
    )


def is_approved(state: OrgState, issue: IssueDraft) -> bool:
    """Whether the cell adopted the issue's approval decision."""
    return _adopted(state, issue.decision_id)


def _editors_proposal(state: OrgState) -> EditorsProposal | None:
    adopted = [p for p in _room(state).proposals.values() if _adopted(state, p.decision_id)]
    return max(adopted, key=lambda p: (p.at, p.proposal_id), default=None)


def member_gone(state: OrgState, leaf: LeafIndex) -> OrgState:
    """A removed member's newsroom seat goes with them. MLS seats the next newcomer at the
    leftmost free leaf, often this one: the editors decision named the leaf, and the
    removed editor's HPKE inbox is stored under it. Neither may pass to the newcomer, or a
    key copy could be sealed to the removed member's inbox and the newcomer would hold the
    key without any decision naming them. The key they held is rotated as before
    (`rotation_due`: a holder no longer a member)."""
    room = _room(state)
    named = [p for p in room.proposals.values() if leaf in p.editors]
    if leaf not in room.inboxes and not named:
        return state
    proposals = {
        **room.proposals,
        **{
            p.proposal_id: replace(p, editors=tuple(e for e in p.editors if e != leaf))
            for p in named
        },
    }
    inboxes = {k: v for k, v in room.inboxes.items() if k != leaf}
    return _put(state, replace(room, proposals=proposals, inboxes=inboxes))


def editors(state: OrgState) -> frozenset[LeafIndex]:
    """The editors the cell named last (members only, none reported seized)."""
    proposal = _editors_proposal(state)
    if proposal is None:
        return frozenset()
    return frozenset(
        leaf for leaf in proposal.editors if leaf in state.members and not is_seized(state, leaf)
    )


def holds_current_key(state: OrgState, leaf: int) -> bool:
    key = _room(state).current_key
    return key is not None and LeafIndex(leaf) in key.holders


def holders(state: OrgState) -> keychain.Holders:
    """What the key's rules (`hasteh.org.keychain`) read of the cell: its named editors,
    its members' cover names, seizure reports and adopted removal decisions."""
    room = _room(state)
    proposal = _editors_proposal(state)
    return keychain.Holders(
        chain=keychain.KeyChain(room.inboxes, room.keys),
        named=editors(state),
        identities={leaf: m.cover_name for leaf, m in state.members.items()},
        named_by=proposal.decision_id if proposal is not None else None,
        seizures=tuple(
            keychain.SeizedHolder(s.seizure_id, s.leaf, s.cover_name, s.at)
            for s in state.seizures.values()
        ),
        removal=lambda leaf, cover: _removal_decision(state, leaf, cover),
    )


def rotation_due(state: OrgState) -> EventId | None:
    """The reason the current key must be rotated, or None (`keychain.rotation_due`):
    the first holder reported seized after the key was issued (the seizure's id), no
    longer a member or no longer an editor (the adopted removal decision naming them,
    else the latest editors decision, else the key's own event)."""
    return keychain.rotation_due(holders(state))


def _removal_decision(state: OrgState, leaf: int, cover: str) -> EventId | None:
    for d in sorted(state.decisions.values(), key=lambda d: (d.at, d.decision_id)):
        motion = d.motion
        if (
            motion is not None
            and getattr(motion, "leaf", None) == leaf
            and getattr(motion, "cover_name", None) == cover
            and _adopted(state, d.decision_id)
        ):
            return d.decision_id
    return None


# --- articles ------------------------------------------------------------------------------


def check_article_drafted(state: OrgState, env: EventEnvelope, body: ArticleDrafted) -> None:
    require_member(state, env.author)
    if env.event_id in _room(state).articles:
        raise InvalidEvent("duplicate-id")
    if len(_room(state).articles) >= MAX_ARTICLES:
        raise InvalidEvent("too-many-items", limit=MAX_ARTICLES)
    _clean_title(body.title)


def fold_article_drafted(
    state: OrgState, env: EventEnvelope, body: ArticleDrafted, policy: MembershipPolicy
) -> OrgState:
    key = EventId(env.event_id)
    revision = Revision(key, body.title, body.body, LeafIndex(env.author), env.at)
    room = _room(state)
    return _put(state, replace(room, articles=room.articles.set(key, Article(key, (revision,)))))


def check_article_revised(state: OrgState, env: EventEnvelope, body: ArticleRevised) -> None:
    require_member(state, env.author)
    article = _article(state, body.article_id)
    if len(article.revisions) >= MAX_REVISIONS:
        raise InvalidEvent("too-many-items", limit=MAX_REVISIONS)
    if article.revision(env.event_id) is not None:
        raise InvalidEvent("duplicate-id")
    _clean_title(body.title)


def fold_article_revised(
    state: OrgState, env: EventEnvelope, body: ArticleRevised, policy: MembershipPolicy
) -> OrgState:
    room = _room(state)
    article = room.articles[EventId(body.article_id)]
    revision = Revision(EventId(env.event_id), body.title, body.body, LeafIndex(env.author), env.at)
    article = replace(article, revisions=(*article.revisions, revision))
    return _put(state, replace(room, articles=room.articles.set(article.article_id, article)))


def check_article_commented(state: OrgState, env: EventEnvelope, body: ArticleCommented) -> None:
    require_member(state, env.author)
    article = _article(state, body.article_id)
    if len(article.comments) >= MAX_COMMENTS:
        raise InvalidEvent("too-many-items", limit=MAX_COMMENTS)
    if not body.text.strip():
        raise InvalidEvent("bulletin-hidden-text")


def fold_article_commented(
    state: OrgState, env: EventEnvelope, body: ArticleCommented, policy: MembershipPolicy
) -> OrgState:
    room = _room(state)
    article = room.articles[EventId(body.article_id)]
    comment = Comment(EventId(env.event_id), body.text, LeafIndex(env.author), env.at)
    article = replace(article, comments=(*article.comments, comment))
    return _put(state, replace(room, articles=room.articles.set(article.article_id, article)))


# --- issues --------------------------------------------------------------------------------


def check_issue_assembled(state: OrgState, env: EventEnvelope, body: IssueAssembled) -> None:
    require_member(state, env.author)
    room = _room(state)
    if env.event_id in room.issues:
        raise InvalidEvent("duplicate-id")
    if len(room.issues) >= MAX_ISSUES:
        raise InvalidEvent("too-many-items", limit=MAX_ISSUES)
    _clean_title(body.masthead)
    seen: set[bytes] = set()
    chars = 0
    for pinned in body.articles:
        revision = _article(state, pinned.article_id).revision(pinned.revision_id)
        if revision is None:
            raise InvalidEvent("unknown-article")
        if pinned.article_id in seen:
            raise InvalidEvent("duplicate-id")
        seen.add(pinned.article_id)
        chars += len(revision.body) + len(revision.title)
    if chars > MAX_ISSUE_CHARS:
        raise InvalidEvent("too-many-items", limit=MAX_ISSUE_CHARS)
    for issue in room.issues.values():
        if issue.number == body.number and issue.publication_id is not None:
            raise InvalidEvent("bulletin-already-published", number=body.number)


def fold_issue_assembled(
    state: OrgState, env: EventEnvelope, body: IssueAssembled, policy: MembershipPolicy
) -> OrgState:
    key = EventId(env.event_id)
    issue = IssueDraft(
        key, body.number, body.masthead, body.day, body.articles, LeafIndex(env.author), env.at
    )
    room = _room(state)
    return _put(state, replace(room, issues=room.issues.set(key, issue)))


# --- editors and decisions -----------------------------------------------------------------


def check_editors_proposed(state: OrgState, env: EventEnvelope, body: EditorsProposed) -> None:
    require_member(state, env.author)
    if env.event_id in _room(state).proposals:
        raise InvalidEvent("duplicate-id")
    if len(_room(state).proposals) >= MAX_ISSUES:
        raise InvalidEvent("too-many-items", limit=MAX_ISSUES)
    if len(set(body.editors)) != len(body.editors):
        raise InvalidEvent("duplicate-id")
    for leaf in body.editors:
        require_member(state, leaf)


def fold_editors_proposed(
    state: OrgState, env: EventEnvelope, body: EditorsProposed, policy: MembershipPolicy
) -> OrgState:
    key = EventId(env.event_id)
    leaves = tuple(LeafIndex(leaf) for leaf in body.editors)
    room = _room(state)
    proposals = {**room.proposals, key: EditorsProposal(key, leaves, env.at)}
    return _put(state, replace(room, proposals=proposals))


def check_bulletin_linked(state: OrgState, env: EventEnvelope, body: BulletinLinked) -> None:
    require_member(state, env.author)
    room = _room(state)
    subject = room.issues.get(EventId(body.subject_id)) or room.proposals.get(
        EventId(body.subject_id)
    )
    if subject is None:
        raise InvalidEvent("unknown-issue")
    if subject.decision_id is not None:
        raise InvalidEvent("bulletin-already-linked")
    decision = state.decisions.get(EventId(body.decision_id))
    if decision is None:
        raise InvalidEvent("unknown-decision")
    if not decision.is_open:
        raise InvalidEvent("already-closed")
    if decision.kind not in _DECISION_KINDS or decision.motion is not None:
        raise InvalidEvent("bulletin-bad-link", kind=decision.kind)
    linked = {i.decision_id for i in room.issues.values()}
    linked |= {p.decision_id for p in room.proposals.values()}
    if decision.decision_id in linked:
        raise InvalidEvent("bulletin-already-linked")


def fold_bulletin_linked(
    state: OrgState, env: EventEnvelope, body: BulletinLinked, policy: MembershipPolicy
) -> OrgState:
    room = _room(state)
    key, decision = EventId(body.subject_id), EventId(body.decision_id)
    issue = room.issues.get(key)
    if issue is not None:
        return _put(
            state, replace(room, issues=room.issues.set(key, replace(issue, decision_id=decision)))
        )
    proposals = {**room.proposals, key: replace(room.proposals[key], decision_id=decision)}
    return _put(state, replace(room, proposals=proposals))


# --- the key -------------------------------------------------------------------------------


def _require_editor(state: OrgState, leaf: int) -> None:
    require_member(state, leaf)
    if leaf not in editors(state):
        raise InvalidEvent("bulletin-not-editor")


def _with_chain(state: OrgState, chain: keychain.KeyChain) -> OrgState:
    return _put(state, replace(_room(state), inboxes=chain.inboxes, keys=chain.keys))


def check_editor_inbox(state: OrgState, env: EventEnvelope, body: EditorInbox) -> None:
    require_member(state, env.author)
    keychain.check_inbox(holders(state), env.author)


def fold_editor_inbox(
    state: OrgState, env: EventEnvelope, body: EditorInbox, policy: MembershipPolicy
) -> OrgState:
    chain = keychain.fold_inbox(holders(state).chain, env.author, body.public)
    return _with_chain(state, chain)


def check_key_issued(state: OrgState, env: EventEnvelope, body: KeyIssued) -> None:
    require_member(state, env.author)
    keychain.check_issued(holders(state), env.author, body)


def fold_key_issued(
    state: OrgState, env: EventEnvelope, body: KeyIssued, policy: MembershipPolicy
) -> OrgState:
    return _with_chain(state, keychain.fold_issued(holders(state), env, body))


def check_key_shared(state: OrgState, env: EventEnvelope, body: KeyShared) -> None:
    require_member(state, env.author)
    keychain.check_shared(holders(state), env.author, body)


def fold_key_shared(
    state: OrgState, env: EventEnvelope, body: KeyShared, policy: MembershipPolicy
) -> OrgState:
    return _with_chain(state, keychain.fold_shared(holders(state), body))


# --- publication ---------------------------------------------------------------------------


def check_issue_published(state: OrgState, env: EventEnvelope, body: IssuePublished) -> None:
    _require_editor(state, env.author)
    room = _room(state)
    issue = _issue(state, body.issue_id)
    if not is_approved(state, issue):
        raise InvalidEvent("bulletin-not-approved")
    if issue.publication_id is not None:
        raise InvalidEvent("bulletin-already-published", number=issue.number)
    if env.event_id in room.publications:
        raise InvalidEvent("duplicate-id")
    current = room.current_key
    if current is None or current.public != body.key or env.author not in current.holders:
        raise InvalidEvent("bulletin-bad-key")
    if rotation_due(state) is not None:
        raise InvalidEvent("bulletin-rotation-due")
    if not (body.chunks - 1) * CHUNK_SIZE < body.size <= body.chunks * CHUNK_SIZE:
        raise InvalidEvent("bulletin-bad-chunk")


def fold_issue_published(
    state: OrgState, env: EventEnvelope, body: IssuePublished, policy: MembershipPolicy
) -> OrgState:
    key = EventId(env.event_id)
    room = _room(state)
    publication = Publication(
        key,
        EventId(body.issue_id),
        body.key,
        body.size,
        body.sha256,
        body.chunks,
        LeafIndex(env.author),
        env.at,
    )
    issue = replace(room.issues[EventId(body.issue_id)], publication_id=key)
    return _put(
        state,
        replace(
            room,
            publications=room.publications.set(key, publication),
            issues=room.issues.set(issue.issue_id, issue),
        ),
    )


def check_issue_chunk(state: OrgState, env: EventEnvelope, body: IssueChunk) -> None:
    require_member(state, env.author)
    publication = _room(state).publications.get(EventId(body.publication_id))
    if publication is None:
        raise InvalidEvent("unknown-issue")
    if env.author != publication.published_by:
        raise InvalidEvent("bulletin-not-editor")
    if body.index >= publication.chunk_count or body.index in publication.chunks:
        raise InvalidEvent("bulletin-bad-chunk")
    last = publication.chunk_count - 1
    expected = publication.size - last * CHUNK_SIZE if body.index == last else CHUNK_SIZE
    if len(body.data) != expected:
        raise InvalidEvent("bulletin-bad-chunk")
    if len(publication.chunks) == last:
        chunks = {**publication.chunks, body.index: body.data}
        data = b"".join(chunks[i] for i in range(publication.chunk_count))
        if hashlib.sha256(data).digest() != publication.sha256:
            raise InvalidEvent("bulletin-bad-file")


def fold_issue_chunk(
    state: OrgState, env: EventEnvelope, body: IssueChunk, policy: MembershipPolicy
) -> OrgState:
    room = _room(state)
    key = EventId(body.publication_id)
    publication = room.publications[key]
    publication = replace(publication, chunks={**publication.chunks, body.index: body.data})
    return _put(state, replace(room, publications=room.publications.set(key, publication)))


# --- distribution --------------------------------------------------------------------------


def check_copies_distributed(state: OrgState, env: EventEnvelope, body: CopiesDistributed) -> None:
    require_member(state, env.author)
    issue = _issue(state, body.issue_id)
    if issue.publication_id is None:
        raise InvalidEvent("bulletin-not-published")
    if len(_room(state).copies) >= MAX_COPIES_RECORDS:
        raise InvalidEvent("too-many-items", limit=MAX_COPIES_RECORDS)
    require_clean(body.workplace)
    if any(look_alike(body.workplace, m.cover_name) for m in state.members.values()):
        raise InvalidEvent("bulletin-person-name")


def fold_copies_distributed(
    state: OrgState, env: EventEnvelope, body: CopiesDistributed, policy: MembershipPolicy
) -> OrgState:
    room = _room(state)
    record = Copies(
        EventId(env.event_id),
        EventId(body.issue_id),
        body.workplace,
        body.copies,
        body.form,
        env.at,
    )
    return _put(state, replace(room, copies=(*room.copies, record)))
