"""What every event family shares: sizes, id and leaf types, bounded field types, and the
`Event` base a family's events derive from (tag ``"<family>.<name>"``).

Sizes are bounded in the schema (`msgspec.Meta`), so a hostile member cannot make every
other member store a megabyte title; `decode` refuses anything outside the bounds.
"""

from __future__ import annotations

from typing import Annotated, Final, NewType

import msgspec
from msgspec import Meta

__all__ = [
    "CARD_FINGERPRINT_SIZE",
    "DAY",
    "EVENT_ID_SIZE",
    "MAX_EVENT_BYTES",
    "MAX_MESSAGE_EXPIRY",
    "MIN_MESSAGE_EXPIRY",
    "VERSION",
    "Body",
    "Count",
    "CoverName",
    "Epoch",
    "Event",
    "EventId",
    "Fingerprint",
    "Frozen",
    "Id",
    "Leaf",
    "LeafIndex",
    "OptionIndex",
    "Question",
    "Reason",
    "Seconds",
    "ShortText",
    "Title",
]

VERSION: Final = 1
EVENT_ID_SIZE: Final = 16
CARD_FINGERPRINT_SIZE: Final = 32
#: No single event may exceed this many encoded bytes (a long message plus headroom).
MAX_EVENT_BYTES: Final = 64 * 1024

DAY: Final = 86_400
#: Bounds of a cell's `message_expiry` setting: one hour to one year.
MIN_MESSAGE_EXPIRY: Final = 3_600
MAX_MESSAGE_EXPIRY: Final = 365 * DAY

EventId = NewType("EventId", bytes)
LeafIndex = NewType("LeafIndex", int)

# Bounded field types. `decode` enforces them; `apply` re-checks events built in memory.
Id = Annotated[EventId, Meta(min_length=EVENT_ID_SIZE, max_length=EVENT_ID_SIZE)]
Leaf = Annotated[int, Meta(ge=0, lt=2**32)]
Seconds = Annotated[int, Meta(ge=0, lt=2**40)]
Epoch = Annotated[int, Meta(ge=0, le=2**63 - 1)]
Count = Annotated[int, Meta(ge=0, le=1_000)]
CoverName = Annotated[str, Meta(min_length=1, max_length=64)]
Fingerprint = Annotated[bytes, Meta(max_length=64)]
ShortText = Annotated[str, Meta(max_length=200)]
Reason = Annotated[str, Meta(max_length=2_000)]
Title = Annotated[str, Meta(min_length=1, max_length=200)]
Question = Annotated[str, Meta(min_length=1, max_length=2_000)]
Body = Annotated[str, Meta(min_length=1, max_length=16_000)]
OptionIndex = Annotated[int, Meta(ge=0, lt=64)]


class Frozen(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """Immutable, compact (msgpack array) value."""


class Event(Frozen, tag=True, frozen=True):
    """Base of every event body. Subclasses set `tag` to ``"<family>.<name>"``."""
