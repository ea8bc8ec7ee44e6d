"""What the app puts inside MLS application messages and pickup envelopes.

An MLS application message of a cell carries one **frame**: a type byte, then the body.

* ``0x01`` event: one org `EventEnvelope` (msgpack, `hasteh.org.encode`), sent to the
  cell's mailbox;
* ``0x02`` history: `History` (msgpack): the cell's mailbox, relays, cursors, its log
  without chat and the mailbox claim (so the newcomer can create the mailbox on a relay
  too), sent to a newcomer only, inside the join package.

A **join package** is what the committer of an Add leaves in the newcomer's one-time
pickup mailbox, as one envelope of kind *welcome*: ``JoinPackage(v=1, welcome, history)``
where `welcome` is the MLS Welcome and `history` an MLS application message of the new
epoch holding a history frame. A newcomer cannot read anything sent before it joined
(MLS), so the history frame is how it learns the cell's name, settings, members and open
decisions; it leaves out chat, and stances of closed decisions are gone from every log.
"""

from __future__ import annotations

from typing import Annotated, Final

import msgspec

from hasteh.errors import msgpack_decode

EVENT: Final = 0x01
HISTORY: Final = 0x02
JOIN_VERSION: Final = 1


class History(msgspec.Struct, array_like=True, frozen=True):
    """What a newcomer is handed with the Welcome: where the cell lives, where to start
    reading, the log without chat, and the committer's log time and window of the
    ordering relay (so the newcomer's time and equivocation check start where the
    committer's are)."""

    mailbox: bytes
    relays: list[str]
    cursors: dict[str, str]
    events: list[bytes]
    #: The mailbox claim (`claimed_mailbox(claim) == mailbox`); empty from older senders.
    claim: bytes = b""
    log_time: int = 0
    window: list[tuple[int, bytes]] = msgspec.field(default_factory=list)
    #: Each member's counter as the committer knew it, so a newcomer notices a gap from
    #: its first message on (see `CellRecord.counters`).
    counters: dict[int, int] = msgspec.field(default_factory=dict)
    #: The kind of group (``cell``, ``alliance``): which rules the newcomer runs it by.
    kind: Annotated[str, msgspec.Meta(max_length=32)] = "cell"


class JoinPackage(msgspec.Struct, array_like=True, frozen=True):
    v: int
    welcome: bytes
    history: bytes


class FrameError(ValueError):
    """Not a frame this hasteh knows (the sender's fault)."""


def event_frame(event: bytes) -> bytes:
    return bytes([EVENT]) + event


def history_frame(history: History) -> bytes:
    return bytes([HISTORY]) + msgspec.msgpack.encode(history)


def split(data: bytes) -> tuple[int, bytes]:
    if not data or data[0] not in (EVENT, HISTORY):
        raise FrameError("unknown frame")
    return data[0], data[1:]


def decode_history(body: bytes) -> History:
    return msgpack_decode(body, History, lambda _detail: FrameError("bad history"))


def encode_join(package: JoinPackage) -> bytes:
    return msgspec.msgpack.encode(package)


def decode_join(data: bytes) -> JoinPackage:
    package = msgpack_decode(data, JoinPackage, lambda _detail: FrameError("bad join package"))
    if package.v != JOIN_VERSION:
        raise FrameError("join package version")
    return package
