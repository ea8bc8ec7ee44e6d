"""The nationwide bulletin, on the alliance's side: articles submitted by member cells and
issues compiled by the alliance's editorial decision (sans-I/O data for the alliance's
rows, `hasteh.org.alliance`, "issue 17").

The press itself (`hasteh.publish`) renders and signs; org keeps what the log must agree
on: which articles, in which order, under which number, by which adopted motion, and the
press's claim (text, signed with the alliance's bulletin key). Checking the claim against
the articles is the app's work (`hasteh.app.federation.issue_status`): org imports no
press.
"""

from __future__ import annotations

from dataclasses import dataclass

from hasteh.org.events.base import EventId

__all__ = ["CompiledIssue", "SubmittedArticle"]


@dataclass(frozen=True, slots=True)
class SubmittedArticle:
    """An article a member cell submitted, under its pseudonym."""

    article_id: EventId
    cell: str
    title: str
    body: str
    at: int


@dataclass(frozen=True, slots=True)
class CompiledIssue:
    """An issue as the alliance decided it."""

    number: int
    motion_id: EventId
    title: str
    day: int
    articles: tuple[EventId, ...]
    claim: str
    compiled_by: str
    at: int
    #: The alliance's bulletin key (public) that was current when it was compiled.
    key: bytes = b""
