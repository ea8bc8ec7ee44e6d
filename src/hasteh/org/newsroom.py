"""The newsroom's part of a cell's state (``bulletin.*``): immutable values only.

`hasteh.org.bulletin` folds events into a `Newsroom`; the faces read it through the app.
Articles, issues and publications grow with the cell's life, so they are `PMap`s; the key
chain, inboxes and distribution records stay small (a handful of editors, a few keys).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hasteh.org.events import EventId, LeafIndex
from hasteh.org.events.bulletin import CopyForm, Pinned, RotationLink, SealedKey
from hasteh.org.pmap import PMap

__all__ = [
    "Article",
    "Comment",
    "Copies",
    "EditorsProposal",
    "IssueDraft",
    "KeyRecord",
    "Newsroom",
    "Publication",
    "Revision",
]


@dataclass(frozen=True, slots=True)
class Revision:
    revision_id: EventId
    title: str
    body: str
    author: LeafIndex
    at: int


@dataclass(frozen=True, slots=True)
class Comment:
    comment_id: EventId
    text: str
    author: LeafIndex
    at: int


@dataclass(frozen=True, slots=True)
class Article:
    """An article: its revisions, oldest first (the first is the draft), and comments."""

    article_id: EventId
    revisions: tuple[Revision, ...]
    comments: tuple[Comment, ...] = ()

    @property
    def latest(self) -> Revision:
        return self.revisions[-1]

    def revision(self, revision_id: bytes) -> Revision | None:
        return next((r for r in self.revisions if r.revision_id == revision_id), None)


@dataclass(frozen=True, slots=True)
class IssueDraft:
    """An assembled issue: its articles pinned at a revision, its approval decision (once
    linked) and its publication (once published)."""

    issue_id: EventId
    number: int
    masthead: str
    day: int
    articles: tuple[Pinned, ...]
    assembled_by: LeafIndex
    at: int
    decision_id: EventId | None = None
    publication_id: EventId | None = None


@dataclass(frozen=True, slots=True)
class EditorsProposal:
    proposal_id: EventId
    editors: tuple[LeafIndex, ...]
    at: int
    decision_id: EventId | None = None


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """One bulletin key of the chain: its public key, who holds it (leaf and cover name
    when it was handed over), and the rotation that made it (none for the first)."""

    event_id: EventId
    public: bytes
    at: int
    issued_by: LeafIndex
    holders: Mapping[LeafIndex, str]
    sealed: tuple[SealedKey, ...]
    rotation: RotationLink | None = None
    reason_id: EventId | None = None


@dataclass(frozen=True, slots=True)
class Publication:
    """A published file: complete once every chunk is in (its hash was checked)."""

    publication_id: EventId
    issue_id: EventId
    key: bytes
    size: int
    sha256: bytes
    chunk_count: int
    published_by: LeafIndex
    at: int
    chunks: Mapping[int, bytes] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return len(self.chunks) == self.chunk_count

    def data(self) -> bytes | None:
        """The file's bytes once complete."""
        if not self.complete:
            return None
        return b"".join(self.chunks[i] for i in range(self.chunk_count))


@dataclass(frozen=True, slots=True)
class Copies:
    """Copies of an issue that went out at a workplace (by code): counts only."""

    record_id: EventId
    issue_id: EventId
    workplace: str
    copies: int
    form: CopyForm
    at: int


@dataclass(frozen=True, slots=True)
class Newsroom:
    articles: PMap[EventId, Article] = field(default_factory=PMap)
    issues: PMap[EventId, IssueDraft] = field(default_factory=PMap)
    proposals: Mapping[EventId, EditorsProposal] = field(default_factory=dict)
    #: Each named editor's HPKE inbox public key.
    inboxes: Mapping[LeafIndex, bytes] = field(default_factory=dict)
    #: The key chain, oldest first; the last is the current key.
    keys: tuple[KeyRecord, ...] = ()
    publications: PMap[EventId, Publication] = field(default_factory=PMap)
    copies: tuple[Copies, ...] = ()

    @property
    def current_key(self) -> KeyRecord | None:
        return self.keys[-1] if self.keys else None
