"""One issue of a bulletin: what the editors approved, before any page exists.

An issue file (what `hasteh bulletin render` reads) is Markdown with a short header:

    ---
    title: صدای کارگر
    number: ۱۲
    date: ۱۴۰۵/۰۹/۱۳
    ---
    # First article's title
    Its text, in Markdown.
    # Second article's title
    ...

`date` is a Jalali date (Persian or ASCII digits). Each level-one heading starts an
article. `Issue.digest()` is the content hash the back-page claim carries: SHA-256 of the
canonical msgpack encoding of every field and every attachment's bytes, so two parties
holding the same approved issue compute the same hash without any PDF.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Final

import msgspec

from hasteh.errors import Param
from hasteh.i18n import parse_digits, whole_number
from hasteh.jalali import to_gregorian
from hasteh.publish.errors import BadSource, PublishCode
from hasteh.publish.markdown import MAX_CHARS, SPOOFING

__all__ = ["MAX_ARTICLES", "MAX_ISSUE_CHARS", "Article", "Issue", "parse_day", "parse_issue"]

MAX_ARTICLES: Final = 60
MAX_ISSUE_CHARS: Final = 400_000
MAX_TITLE_CHARS: Final = 120
_DATE: Final = re.compile(r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$")
_HEADING: Final = re.compile(r"^# +(.+?)\s*#*\s*$")


class Article(msgspec.Struct, frozen=True, array_like=True):
    """One article: its title and its Markdown body."""

    title: str
    body: str


class Issue(msgspec.Struct, frozen=True, array_like=True):
    """An issue as approved: masthead title, number, day (Gregorian; shown Jalali),
    articles in order, and the attachments (cleaned image bytes by name) they show."""

    title: str
    number: int
    day: dt.date
    articles: tuple[Article, ...]
    images: dict[str, bytes] = msgspec.field(default_factory=dict)

    def digest(self) -> bytes:
        """SHA-256 of the canonical encoding (msgpack, fields in order, images sorted)."""
        canonical = msgspec.structs.replace(self, images=dict(sorted(self.images.items())))
        return hashlib.sha256(
            b"hasteh-bulletin-issue-v1\0" + msgspec.msgpack.encode(canonical)
        ).digest()


def _bad(reason: PublishCode, **params: Param) -> BadSource:
    return BadSource(reason, **params)


def _header(lines: list[str]) -> tuple[dict[str, str], int]:
    if not lines or lines[0].strip() != "---":
        raise _bad("no-header")
    fields: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return fields, number + 1
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if not sep or key not in ("title", "number", "date") or key in fields:
            raise _bad("bad-header")
        fields[key] = value.strip()
    raise _bad("no-header")


def _day(text: str) -> dt.date:
    match = _DATE.match(parse_digits(text).strip())
    if match is None:
        raise _bad("bad-date")
    year, month, day = (int(g) for g in match.groups())
    try:
        return to_gregorian(year, month, day, 0, 0).date()
    except ValueError:
        raise _bad("bad-date") from None


def parse_day(text: str) -> dt.date:
    """A Jalali date as typed (``۱۴۰۵/۰۹/۱۳``, Persian or ASCII digits), or `BadSource`
    (``bad-date``): the issue date of an issue assembled in a cell."""
    return _day(text)


def _articles(lines: list[str]) -> tuple[Article, ...]:
    articles: list[Article] = []
    title: str | None = None
    body: list[str] = []
    fenced = False
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        if heading is not None:
            if title is not None:
                articles.append(Article(title, "\n".join(body).strip("\n")))
            title, body = heading.group(1), []
        elif title is None:
            if line.strip():
                raise _bad("no-article-title")
        else:
            body.append(line)
    if title is not None:
        articles.append(Article(title, "\n".join(body).strip("\n")))
    if not articles:
        raise _bad("no-articles")
    if len(articles) > MAX_ARTICLES:
        raise _bad("too-many-articles", limit=MAX_ARTICLES)
    for article in articles:
        if len(article.title) > MAX_TITLE_CHARS:
            raise _bad(
                "title-too-long",
                limit=MAX_TITLE_CHARS,
            )
        if len(article.body) > MAX_CHARS:
            raise _bad(
                "too-long",
                limit=MAX_CHARS,
            )
    return tuple(articles)


def parse_issue(data: bytes, images: dict[str, bytes] | None = None) -> Issue:
    """The issue in an issue file's bytes (UTF-8), or `BadSource` saying what is wrong.
    `images` are the attachments, already cleaned (`attachments.clean_image`)."""
    if len(data) > MAX_ISSUE_CHARS * 4:
        raise _bad("too-long", limit=MAX_ISSUE_CHARS)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad("not-utf8") from None
    if len(text) > MAX_ISSUE_CHARS:
        raise _bad("too-long", limit=MAX_ISSUE_CHARS)
    if "\0" in text:
        raise _bad("not-text")
    if any(ch in SPOOFING for ch in text):
        raise _bad(
            "bidi-control",
        )
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    fields, start = _header(lines)
    title = fields.get("title", "").strip()
    if not title or len(title) > MAX_TITLE_CHARS:
        raise _bad(
            "bad-title",
            limit=MAX_TITLE_CHARS,
        )
    number = whole_number(fields.get("number", ""), max_digits=6)
    if number is None or number < 1:
        raise _bad("bad-number")
    day = _day(fields.get("date", ""))
    return Issue(title, number, day, _articles(lines[start:]), dict(images or {}))
