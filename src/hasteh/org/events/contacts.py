"""The ``contact.*`` family: what a member lets the cell see of their contacts with
leading workers. The contacts themselves never leave the member's device
(`hasteh.app.contacts`); this is only a count and the code names the member chose."""

from __future__ import annotations

from typing import Annotated, Final

from msgspec import Meta

from hasteh.org.events.base import Count, CoverName, Event

__all__ = ["MAX_SHARED_NAMES", "ContactsShared"]

#: At most this many code names in one `ContactsShared`.
MAX_SHARED_NAMES: Final = 64


class ContactsShared(Event, tag="contact.shared", frozen=True):
    """The author keeps `count` contacts, and lets the cell see these code names (at
    most `count`; never a workplace or a note). Each one replaces the author's last."""

    count: Count
    names: Annotated[tuple[CoverName, ...], Meta(max_length=MAX_SHARED_NAMES)] = ()
