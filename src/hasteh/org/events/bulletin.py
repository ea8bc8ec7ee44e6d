"""The ``bulletin.*`` family: the cell's newsroom (issue 16).

An article is named by the id of its `ArticleDrafted`, each revision by the id of the
event that wrote it (the draft is revision 1). An issue is named by its `IssueAssembled`,
which pins each article **at a revision**: later revisions do not change an assembled
issue, so what the cell approves is exactly what gets printed. Approval and the naming
of editors are ordinary decisions (``decision.*``, consent or proposal) tied to their
subject by a `BulletinLinked`, so they keep every protective default of decisions.

The bulletin key never travels in clear inside the cell: a holder seals its 32-byte seed
to each named editor's `EditorInbox` key (HPKE, RFC 9180, base mode), one sealed copy per
editor, inside the cell's MLS messages; the other members store ciphertext they cannot
open. A `KeyIssued` with a `rotation` replaces the current key: the old key signs the new
one (`RotationLink`, the wire form of `hasteh.publish.rotation`) naming the cell's reason
(a seizure report, an adopted removal, or an adopted editors decision).

The published file travels as an `IssuePublished` (its size, SHA-256 and the key that
signed it) and `IssueChunk`s of at most `CHUNK_SIZE` bytes, so every member holds the
same bytes. Distribution is counted by workplace code only: no event of this family has
a field for a person.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from msgspec import Meta

from hasteh.org.events.base import Event, Frozen, Id, Leaf, Reason, Title

__all__ = [
    "CHUNK_SIZE",
    "MAX_ARTICLE_CHARS",
    "MAX_CHUNKS",
    "MAX_ISSUE_ARTICLES",
    "ArticleCommented",
    "ArticleDrafted",
    "ArticleRevised",
    "BulletinLinked",
    "CopiesDistributed",
    "CopyForm",
    "EditorInbox",
    "EditorsProposed",
    "IssueAssembled",
    "IssueChunk",
    "IssuePublished",
    "KeyIssued",
    "KeyShared",
    "Pinned",
    "RotationLink",
    "SealedKey",
]

#: An article's text: 24,000 characters of Persian (two bytes each in UTF-8) fit one
#: event with room to spare; a longer piece is split into parts.
MAX_ARTICLE_CHARS: Final = 24_000
MAX_ISSUE_ARTICLES: Final = 60
#: One chunk of a published file; an event stays under `MAX_EVENT_BYTES` (64 KiB).
CHUNK_SIZE: Final = 48 * 1024
#: At most 64 chunks: a published file of 3 MiB (an 8-page A5 issue is ~150 KB).
MAX_CHUNKS: Final = 64

ArticleText = Annotated[str, Meta(min_length=1, max_length=MAX_ARTICLE_CHARS)]
Masthead = Annotated[str, Meta(min_length=1, max_length=120)]
Key32 = Annotated[bytes, Meta(min_length=32, max_length=32)]
Sha256 = Annotated[bytes, Meta(min_length=32, max_length=32)]
#: A workplace code name: short, never an address or a person.
WorkplaceCode = Annotated[str, Meta(min_length=1, max_length=64)]
CopyForm = Literal["paper", "file", "image"]


class ArticleDrafted(Event, tag="bulletin.article", frozen=True):
    """A new article (Markdown, raw HTML off when printed): its first revision."""

    title: Title
    body: ArticleText


class ArticleRevised(Event, tag="bulletin.revision", frozen=True):
    """A new revision of article `article_id` (the whole text, not a diff)."""

    article_id: Id
    title: Title
    body: ArticleText


class ArticleCommented(Event, tag="bulletin.comment", frozen=True):
    """A comment on article `article_id` (shown with the article, not printed)."""

    article_id: Id
    text: Reason


class Pinned(Frozen, frozen=True):
    """An article at one revision, as an issue prints it."""

    article_id: Id
    revision_id: Id


class IssueAssembled(Event, tag="bulletin.issue", frozen=True):
    """Issue `number` of the bulletin `masthead`, dated `day` (Gregorian ordinal, shown
    Jalali): its articles in print order, each pinned at a revision."""

    number: Annotated[int, Meta(ge=1, le=99_999)]
    masthead: Masthead
    day: Annotated[int, Meta(ge=730_000, le=800_000)]
    articles: Annotated[tuple[Pinned, ...], Meta(min_length=1, max_length=MAX_ISSUE_ARTICLES)]


class EditorsProposed(Event, tag="bulletin.editors", frozen=True):
    """The members (by leaf) who would hold the bulletin key; they hold it once a linked
    decision adopts this proposal."""

    editors: Annotated[tuple[Leaf, ...], Meta(min_length=1, max_length=7)]


class BulletinLinked(Event, tag="bulletin.linked", frozen=True):
    """Ties decision `decision_id` (consent or proposal, open) to `subject_id`: an issue
    (its approval) or an editors proposal. One decision per subject."""

    subject_id: Id
    decision_id: Id


class EditorInbox(Event, tag="bulletin.inbox", frozen=True):
    """A named editor's HPKE public key (X25519), to which holders seal the bulletin key."""

    public: Key32


class SealedKey(Frozen, frozen=True):
    """The bulletin key's seed sealed to the inbox of the editor at `leaf`."""

    leaf: Leaf
    enc: Key32
    ct: Annotated[bytes, Meta(max_length=64)]


class RotationLink(Frozen, frozen=True):
    """`hasteh.publish.rotation.Rotation` on the wire: the old key's signature over
    (sequence, old, new, reason digest)."""

    sequence: Annotated[int, Meta(ge=1, lt=2**32)]
    old: Key32
    signature: Annotated[bytes, Meta(min_length=64, max_length=64)]


class KeyIssued(Event, tag="bulletin.key", frozen=True):
    """A new bulletin key (`public`, Ed25519), sealed to the named editors. The first key
    of a cell has no `rotation`; every later one has, and `reason_id` names why."""

    public: Key32
    sealed: Annotated[tuple[SealedKey, ...], Meta(max_length=7)]
    rotation: RotationLink | None = None
    reason_id: Id | None = None


class KeyShared(Event, tag="bulletin.key-share", frozen=True):
    """The current key sealed to editors who posted their inbox after it was issued."""

    public: Key32
    sealed: Annotated[tuple[SealedKey, ...], Meta(min_length=1, max_length=7)]


class IssuePublished(Event, tag="bulletin.published", frozen=True):
    """The signed file of approved issue `issue_id`: `size` bytes in `chunks` chunks whose
    concatenation has SHA-256 `sha256`, signed by bulletin key `key`."""

    issue_id: Id
    key: Key32
    size: Annotated[int, Meta(ge=1, le=CHUNK_SIZE * MAX_CHUNKS)]
    chunks: Annotated[int, Meta(ge=1, le=MAX_CHUNKS)]
    sha256: Sha256


class IssueChunk(Event, tag="bulletin.chunk", frozen=True):
    """Chunk `index` of publication `publication_id`."""

    publication_id: Id
    index: Annotated[int, Meta(ge=0, lt=MAX_CHUNKS)]
    data: Annotated[bytes, Meta(min_length=1, max_length=CHUNK_SIZE)]


class CopiesDistributed(Event, tag="bulletin.copies", frozen=True):
    """`copies` of issue `issue_id` went out at the workplace known as `workplace`, as
    `form`. Counts only: there is no field for who carried or received them."""

    issue_id: Id
    workplace: WorkplaceCode
    copies: Annotated[int, Meta(ge=1, le=100_000)]
    form: CopyForm = "paper"
