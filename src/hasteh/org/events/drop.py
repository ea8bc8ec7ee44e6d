"""The ``drop.*`` family: what outside workers hand the cell through its drop box.

An outsider (a worker who is not a member) writes through a member's drop-box page or
seals a file by hand (`hasteh.app.dropbox`); that member's hasteh puts it in the log as
`DropSubmitted` (its text) and one `DropImage` per photo, so every member reads it. The
editors answer with `DropReplied` and mark it `DropPublished`; the outsider reads both on
the page with their codename, which only the serving member's device can map to the
submission (the codename is never in the log).

Every event of a submission is forgotten by every member `days` days after it entered
the log (the fold table's expiry): nothing an outsider wrote is kept for ever.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from msgspec import Meta

from hasteh.org.events.base import Event, Id

__all__ = [
    "MAX_DROP_DAYS",
    "MAX_DROP_IMAGE",
    "MAX_DROP_IMAGES",
    "MAX_DROP_REPLY",
    "MAX_DROP_TEXT",
    "DropImage",
    "DropPublished",
    "DropReplied",
    "DropSubmitted",
]

#: A submission's text: about four pages (Persian is two bytes a letter in UTF-8).
MAX_DROP_TEXT: Final = 12_000
MAX_DROP_REPLY: Final = 2_000
#: One re-encoded photo per event, under the log's 64 KiB event limit.
MAX_DROP_IMAGE: Final = 56 * 1024
MAX_DROP_IMAGES: Final = 4
MAX_DROP_DAYS: Final = 90

DropText = Annotated[str, Meta(max_length=MAX_DROP_TEXT)]
ReplyText = Annotated[str, Meta(min_length=1, max_length=MAX_DROP_REPLY)]
ImageBytes = Annotated[bytes, Meta(min_length=1, max_length=MAX_DROP_IMAGE)]
DropDays = Annotated[int, Meta(ge=1, le=MAX_DROP_DAYS)]
#: How it arrived: through the onion page, or as a sealed file carried by hand.
Route = Literal["page", "sealed"]


class DropSubmitted(Event, tag="drop.submitted", frozen=True):
    """An outsider's submission (its text; photos follow as `DropImage`). Kept `days`
    days; `images` says how many photos belong to it."""

    text: DropText
    images: Annotated[int, Meta(ge=0, le=MAX_DROP_IMAGES)] = 0
    days: DropDays = 30
    route: Route = "page"


class DropImage(Event, tag="drop.image", frozen=True):
    """One photo of submission `submission_id`: a JPEG re-encoded from its pixels alone
    by the member's hasteh (no metadata)."""

    submission_id: Id
    data: ImageBytes


class DropReplied(Event, tag="drop.reply", frozen=True):
    """The editors' answer to a submission, shown to its writer with the codename."""

    submission_id: Id
    text: ReplyText


class DropPublished(Event, tag="drop.published", frozen=True):
    """The submission was used in the bulletin (its writer sees «published»)."""

    submission_id: Id
