"""Errors of the bulletin press and its verifier, under the contract of `hasteh.errors`.

    HastehError
     └── PublishError            (hasteh.publish, domain ``publish``)
          ├── BadSource          (the writer: Markdown or an issue file the press refuses)
          ├── BadImage           (the writer: an attachment that is not a usable image)
          ├── BadKey             (the person: a bulletin key file that cannot be opened)
          └── PressFailed        (the system: a library or tool the press needs failed)

Each carries a `code` (also `reason`, the stable slug the tests pin) and its parameters;
the English templates are `PUBLISH_MESSAGES`. A message never repeats the input text, so
no article line or key ends up in a log.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from hasteh.errors import HastehError, Param

__all__ = [
    "PUBLISH_MESSAGES",
    "BadImage",
    "BadKey",
    "BadSource",
    "PressFailed",
    "PublishCode",
    "PublishError",
]

PublishCode = Literal[
    "too-large",
    "too-many-pixels",
    "not-an-image",
    "no-header",
    "bad-date",
    "no-articles",
    "too-many-articles",
    "too-long",
    "not-text",
    "bidi-control",
    "bad-title",
    "bad-number",
    "bad-header",
    "title-too-long",
    "not-utf8",
    "no-article-title",
    "unreadable",
    "unknown-image",
    "too-deep",
    "table-too-large",
    "no-pdftoppm",
    "pdftoppm-failed",
    "fetch",
]

#: English templates of `PublishCode` (gettext msgids).
PUBLISH_MESSAGES: Mapping[PublishCode, str] = {
    "too-large": "An image is larger than {limit} MB.",
    "too-many-pixels": "An image has too many pixels.",
    "not-an-image": "A file is not a PNG or JPEG image.",
    "no-header": "An issue file starts with a header between two --- lines.",
    "bad-date": "The date is a Jalali date such as 1405/09/13.",
    "no-articles": "The issue has no article: start one with '# its title'.",
    "too-many-articles": "An issue holds at most {limit} articles.",
    "too-long": "An article or the issue file is longer than {limit} characters: split it.",
    "not-text": "The issue file holds a NUL character: it is not a text file.",
    "bidi-control": (
        "An article holds hidden direction controls that can change how it reads: "
        "retype the line without them."
    ),
    "bad-title": "The header needs a title of at most {limit} characters.",
    "bad-number": "The header needs an issue number such as 12.",
    "bad-header": "The header may hold only title, number and date, once each.",
    "title-too-long": "A title is longer than {limit} characters.",
    "not-utf8": "The issue file is not UTF-8 text: save it as UTF-8.",
    "no-article-title": "Each article starts with a line '# its title'.",
    "unreadable": "The key file cannot be opened with this passphrase.",
    "unknown-image": "An image is not among the attachments: add the image file or remove it.",
    "too-deep": "An article nests lists or quotes more than {limit} levels deep.",
    "table-too-large": "A table is larger than {rows} rows or {columns} columns: split it.",
    "no-pdftoppm": "pdftoppm (poppler-utils) is not installed.",
    "pdftoppm-failed": "pdftoppm could not draw a page.",
    "fetch": "The press was asked to fetch something it must not.",
}


class PublishError(HastehError):
    """Base class of the press's deliberate errors."""

    domain = "publish"
    templates: ClassVar[Mapping[Any, str]] = PUBLISH_MESSAGES
    code: PublishCode

    def __init__(self, code: PublishCode, /, **params: Param) -> None:
        super().__init__(code, **params)

    @property
    def reason(self) -> PublishCode:
        return self.code


class BadSource(PublishError):
    """The Markdown of an article, or the issue file around it, is refused."""


class BadImage(PublishError):
    """An image attachment is missing, too large, or not an image at all."""


class BadKey(PublishError):
    """A bulletin key file cannot be read or its passphrase is wrong."""


class PressFailed(PublishError):
    """A tool the press runs (pdftoppm) is missing or failed."""
