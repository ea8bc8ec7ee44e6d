"""Spoken-code invitations, sans I/O: the code, the frames and both sides' state machines.

The newcomer's device shows a short code, a number and three words read aloud in person
(«۴۲ ـ گنجشک ـ قطار ـ فندق»); the member types it. The number picks a rendezvous slot
on a relay both can reach; the words are the password of a SPAKE2 exchange (the `spake2`
package, Ed25519 group, as magic-wormhole uses it). After it, one key protects the
newcomer's card (member-bound) and the cell's answer; both screens show the same check
words. Bytes in, events out (h11 style): the driver (`hasteh.app.spoken`) moves the
bytes through the relay.

Frames (msgpack arrays, `Frame`), in order::

    newcomer → A0 OPEN    [1, 1, spake2 message A, b"", expires_at]
    member   → B0 REPLY   [1, 2, spake2 message B, sealed_b2a(0, HELLO)]
    newcomer → A1 SEALED  [1, 3, sealed_a2b(0, card payload)]       or ABORT [1, 4, reason]
    member   → B1 SEALED  [1, 3, sealed_b2a(1, Answer)]              or ABORT [1, 4, reason]

An ABORT says why in plain words (``wrong-code``, ``expired``, ``refused``): it is not
authenticated (whoever holds the slot's next position could write one), so all it can do
is end an exchange that a stranger could end anyway by taking that position.

Keys: K is SPAKE2's shared key; transcript = SHA-256(label ‖ A0 ‖ B0's spake2 message),
so the expiry the newcomer announced and both messages are bound; then HKDF-SHA256
(RFC 5869) with the transcript as salt and the labels ``a2b``, ``b2a``, ``check`` as info.
Sealing is ChaCha20-Poly1305 (RFC 8439) with the frame's index as nonce and the
direction and index as associated data.

Why it is safe: an eavesdropper (the relay, or someone who hears the code later) sees two
SPAKE2 messages and ciphertext: SPAKE2 gives nothing to test a guess offline. An active
attacker who knows the slot gets **one guess**: whoever answers first takes the slot's
reply position, and the first failed key check ends the exchange on both sides
(`wrong-code`); the code is then burned, since the relay never lets the reply position be
taken twice. The expiry travels in A0 and is bound into the keys, so it cannot be
stretched.
"""

from __future__ import annotations

import enum
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

import msgspec
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from spake2 import SPAKE2_A, SPAKE2_B  # type: ignore[import-untyped]
from spake2.ed25519_basic import NotOnCurve  # type: ignore[import-untyped]
from spake2.spake2 import SPAKEError  # type: ignore[import-untyped]

from hasteh.app.code_words import WORDS, word_index
from hasteh.app.errors import AppCode, AppError
from hasteh.errors import msgpack_decode
from hasteh.i18n import display_number, parse_digits

__all__ = [
    "CHECK_WORDS",
    "CODE_WORDS",
    "MAX_MESSAGE",
    "PURPOSES",
    "Answer",
    "Answered",
    "Confirmed",
    "InviteCodeError",
    "Member",
    "Newcomer",
    "Offered",
    "Outgoing",
    "SpokenCode",
    "decode_answer",
    "decode_frame",
    "encode_answer",
    "make_code",
    "parse_code",
]

#: Words in a code: 24 bits, so a single guess wins once in 16.7 million.
CODE_WORDS: Final = 3
#: Check words shown on both screens after the exchange (from the key).
CHECK_WORDS: Final = 4
#: The largest frame either side accepts (a card is about 1 KiB; 8 long relay URLs fit).
MAX_MESSAGE: Final = 24 * 1024
#: The largest code number (a slot number times the number of rendezvous relays).
MAX_NUMBER: Final = 99_999_999
#: The longest typed code accepted before parsing.
MAX_CODE_TEXT: Final = 512

_LABEL: Final = b"hasteh/spoken/v1\x00"
_ID_A: Final = b"hasteh/spoken/v1/newcomer"
_ID_B: Final = b"hasteh/spoken/v1/member"
_HELLO: Final = b"hasteh/spoken/v1 hello"
#: The SPAKE2 identities per purpose (the shared key depends on them): a code made to
#: hand over a contact can never complete an invitation, nor the other way round.
PURPOSES: Final[Mapping[str, tuple[bytes, bytes]]] = {
    "invite": (_ID_A, _ID_B),
    "contact": (b"hasteh/spoken/v1/contact-giver", b"hasteh/spoken/v1/contact-receiver"),
}
_VERSION: Final = 1


class InviteCodeError(AppError):
    """A spoken-code exchange that cannot go on. `reason` is a stable slug:

    ``bad-code`` (not a code: the number or a word is missing or unknown),
    ``wrong-code`` (the key check failed: a mistyped code, or someone guessing; the code
    is burned on both sides), ``expired``, ``unknown-code`` (no such slot on the
    rendezvous relay: expired, or never made), ``taken`` (someone else answered first:
    burned), ``malformed`` (a frame that breaks the protocol), ``refused`` (the member's
    device could not propose the newcomer), ``no-rendezvous`` (no relay answered)."""

    def __init__(self, reason: str) -> None:
        known: InviteReason = reason if reason in _CODES else "malformed"  # type: ignore[assignment]
        super().__init__(_CODES[known])
        self.reason = known


#: The reasons of `InviteCodeError` (a peer's word for one is checked against these).
InviteReason = Literal[
    "bad-code",
    "wrong-code",
    "expired",
    "unknown-code",
    "taken",
    "malformed",
    "refused",
    "no-rendezvous",
]
#: Each reason's `AppCode` (``spoken-<reason>``).
_CODES: Final[Mapping[str, AppCode]] = {
    "bad-code": "spoken-bad-code",
    "wrong-code": "spoken-wrong-code",
    "expired": "spoken-expired",
    "unknown-code": "spoken-unknown-code",
    "taken": "spoken-taken",
    "malformed": "spoken-malformed",
    "refused": "spoken-refused",
    "no-rendezvous": "spoken-no-rendezvous",
}


# --- the code --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpokenCode:
    """A number (the slot and the relay) and three word indices (the password)."""

    number: int
    words: tuple[int, ...]

    def text(self, language: str = "fa") -> str:
        """As shown and read aloud: «۴۲ - گنجشک - قطار - فندق» (Persian digits in Persian)."""
        return " - ".join([display_number(self.number, language), *(WORDS[i] for i in self.words)])

    def password(self) -> bytes:
        """The SPAKE2 password: the number and the words, so a code read for another slot
        never matches."""
        return _LABEL + str(self.number).encode() + b":" + bytes(self.words)


def make_code(number: int, rng: Callable[[int], bytes]) -> SpokenCode:
    if not 1 <= number <= MAX_NUMBER:
        raise InviteCodeError("bad-code")
    return SpokenCode(number, tuple(rng(CODE_WORDS)))


_SEPARATORS: Final = re.compile(r"[\s\-ـ–—_,،.:/|]+")


def parse_code(text: str) -> SpokenCode:
    """A typed code: digits in any script, words in the list (typed as they sound),
    separated by spaces or dashes, in any order of number and words. `bad-code` otherwise."""
    if len(text) > MAX_CODE_TEXT:
        raise InviteCodeError("bad-code")
    parts = [p for p in _SEPARATORS.split(parse_digits(text).strip()) if p]
    numbers = [p for p in parts if p.isascii() and p.isdigit()]
    words = [p for p in parts if not (p.isascii() and p.isdigit())]
    if len(numbers) != 1 or len(numbers[0]) > 8 or len(words) != CODE_WORDS:
        raise InviteCodeError("bad-code")
    indices = [word_index(w) for w in words]
    number = int(numbers[0])
    if any(i is None for i in indices) or not 1 <= number <= MAX_NUMBER:
        raise InviteCodeError("bad-code")
    return SpokenCode(number, tuple(i for i in indices if i is not None))


# --- frames ----------------------------------------------------------------------------


class Kind(enum.IntEnum):
    OPEN = 1
    REPLY = 2
    SEALED = 3
    ABORT = 4


class Frame(msgspec.Struct, array_like=True, frozen=True, forbid_unknown_fields=True):
    v: int
    kind: int
    body: bytes = b""
    sealed: bytes = b""
    expires_at: int = 0


class Answer(msgspec.Struct, array_like=True, frozen=True, forbid_unknown_fields=True):
    """The member's answer: proposed (`ok`), into which cell, by whom, and the cell's
    relays, where the welcome will be left (the member's device put them on the card)."""

    ok: bool
    group_id: bytes = b""
    cell: str = ""
    proposer: str = ""
    relays: list[str] = msgspec.field(default_factory=list)


def decode_frame(data: bytes) -> Frame:
    """A frame from the other side, strictly: `malformed` for anything else."""
    if len(data) > MAX_MESSAGE:
        raise InviteCodeError("malformed")
    frame = msgpack_decode(data, Frame, lambda _d: InviteCodeError("malformed"))
    if frame.v != _VERSION or frame.kind not in set(Kind):
        raise InviteCodeError("malformed")
    if frame.kind in (Kind.OPEN, Kind.REPLY) and len(frame.body) != 33:
        raise InviteCodeError("malformed")  # an Ed25519-group SPAKE2 message: side byte + 32
    if frame.kind == Kind.OPEN and not 0 < frame.expires_at < 2**40:
        raise InviteCodeError("malformed")
    return frame


def encode_answer(answer: Answer) -> bytes:
    return msgspec.msgpack.encode(answer)


def decode_answer(data: bytes) -> Answer:
    answer = msgpack_decode(data, Answer, lambda _d: InviteCodeError("malformed"))
    if answer.ok and (not 1 <= len(answer.group_id) <= 255 or not answer.proposer):
        raise InviteCodeError("malformed")
    if len(answer.cell) > 256 or len(answer.proposer) > 256 or len(answer.relays) > 8:
        raise InviteCodeError("malformed")
    if any(
        not r.startswith(("http://", "https://")) or len(r) > 2048 or any(c.isspace() for c in r)
        for r in answer.relays
    ):
        raise InviteCodeError("malformed")
    return answer


def _encode(frame: Frame) -> bytes:
    return msgspec.msgpack.encode(frame)


# --- keys ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Keys:
    a2b: bytes
    b2a: bytes
    check: tuple[int, ...]


def _derive(shared: bytes, open_frame: bytes, reply_message: bytes) -> _Keys:
    transcript = hashlib.sha256(_LABEL + open_frame + reply_message).digest()

    def expand(info: bytes, length: int) -> bytes:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=transcript, info=info)
        return hkdf.derive(shared)

    return _Keys(
        expand(b"hasteh/spoken/v1 a2b", 32),
        expand(b"hasteh/spoken/v1 b2a", 32),
        tuple(expand(b"hasteh/spoken/v1 check", CHECK_WORDS)),
    )


def _seal(key: bytes, direction: bytes, index: int, plaintext: bytes) -> bytes:
    return ChaCha20Poly1305(key).encrypt(
        index.to_bytes(12, "big"), plaintext, _LABEL + direction + bytes([index])
    )


def _open(key: bytes, direction: bytes, index: int, sealed: bytes) -> bytes:
    try:
        return ChaCha20Poly1305(key).decrypt(
            index.to_bytes(12, "big"), sealed, _LABEL + direction + bytes([index])
        )
    except InvalidTag:
        raise InviteCodeError("wrong-code") from None


# --- events ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outgoing:
    """Bytes for the driver to post, on this side's next index."""

    data: bytes


@dataclass(frozen=True, slots=True)
class Confirmed:
    """Both sides hold the same key: the check words' indices (into the safety-word lists)."""

    check: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Offered:
    """(Member) The newcomer's card payload, authenticated by the code."""

    payload: bytes


@dataclass(frozen=True, slots=True)
class Answered:
    """(Newcomer) The member's answer, authenticated by the code."""

    answer: Answer


Event = Outgoing | Confirmed | Offered | Answered


class _State(enum.Enum):
    START = "start"
    OPENED = "opened"
    CONFIRMED = "confirmed"
    OFFERED = "offered"
    DONE = "done"
    FAILED = "failed"


#: What an ABORT frame may say; anything else reads as ``malformed``.
_ABORT_REASONS: Final = frozenset({"wrong-code", "expired", "refused"})


def _abort(reason: str) -> bytes:
    body = reason.encode() if reason in _ABORT_REASONS else b""
    return _encode(Frame(_VERSION, Kind.ABORT, body))


def _abort_reason(frame: Frame) -> str:
    reason = frame.body.decode("ascii", "replace")
    return reason if reason in _ABORT_REASONS else "malformed"


def _spake_finish(side: object, message: bytes) -> bytes:
    try:
        key = side.finish(message)  # type: ignore[attr-defined]
    except (SPAKEError, NotOnCurve, ValueError, AssertionError, IndexError):
        # NotOnCurve is not a SPAKEError: a point off the curve (found by fuzz_rendezvous).
        raise InviteCodeError("malformed") from None
    return bytes(key)


class Newcomer:
    """The newcomer's side: open, then receive the reply, offer the card, get the answer.
    Any failure moves it to a final failed state: one code, one try."""

    def __init__(
        self,
        code: SpokenCode,
        *,
        expires_at: int,
        rng: Callable[[int], bytes],
        purpose: str = "invite",
    ) -> None:
        self.code = code
        self.expires_at = expires_at
        id_a, id_b = PURPOSES[purpose]
        self._spake = SPAKE2_A(code.password(), idA=id_a, idB=id_b, entropy_f=rng)
        self._state = _State.START
        self._open_frame = b""
        self._keys: _Keys | None = None

    @property
    def failed(self) -> bool:
        return self._state is _State.FAILED

    def open(self) -> bytes:
        """A0: the frame to post first."""
        self._require(_State.START)
        message = bytes(self._spake.start())
        self._open_frame = _encode(Frame(_VERSION, Kind.OPEN, message, b"", self.expires_at))
        self._state = _State.OPENED
        return self._open_frame

    def receive(self, data: bytes) -> list[Event]:
        """The member's next frame."""
        try:
            return self._receive(data)
        except InviteCodeError:
            self._state = _State.FAILED
            raise

    def _receive(self, data: bytes) -> list[Event]:
        frame = decode_frame(data)
        if frame.kind == Kind.ABORT:
            raise InviteCodeError(_abort_reason(frame))
        if self._state is _State.OPENED and frame.kind == Kind.REPLY:
            keys = _derive(_spake_finish(self._spake, frame.body), self._open_frame, frame.body)
            if _open(keys.b2a, b"b2a", 0, frame.sealed) != _HELLO:
                raise InviteCodeError("wrong-code")
            self._keys = keys
            self._state = _State.CONFIRMED
            return [Confirmed(keys.check)]
        if self._state is _State.OFFERED and frame.kind == Kind.SEALED and self._keys:
            answer = decode_answer(_open(self._keys.b2a, b"b2a", 1, frame.body))
            self._state = _State.DONE
            return [Answered(answer)]
        raise InviteCodeError("malformed")

    def offer(self, payload: bytes) -> bytes:
        """A1: the card payload, sealed to the member."""
        self._require(_State.CONFIRMED)
        assert self._keys is not None
        self._state = _State.OFFERED
        return _encode(Frame(_VERSION, Kind.SEALED, _seal(self._keys.a2b, b"a2b", 0, payload)))

    def abort(self, reason: str = "wrong-code") -> bytes:
        """A frame telling the member the exchange is over, and why."""
        self._state = _State.FAILED
        return _abort(reason)

    def _require(self, state: _State) -> None:
        if self._state is not state:
            raise InviteCodeError("malformed")


class Member:
    """The member's side: receive the open (answer with a reply), receive the offer,
    answer. `now` refuses an expired code before any key is made."""

    def __init__(
        self,
        code: SpokenCode,
        *,
        now: int,
        rng: Callable[[int], bytes],
        purpose: str = "invite",
    ) -> None:
        self.code = code
        self._now = now
        id_a, id_b = PURPOSES[purpose]
        self._spake = SPAKE2_B(code.password(), idA=id_a, idB=id_b, entropy_f=rng)
        self._state = _State.START
        self._keys: _Keys | None = None
        self.expires_at = 0

    @property
    def failed(self) -> bool:
        return self._state is _State.FAILED

    def receive(self, data: bytes) -> list[Event]:
        try:
            return self._receive(data)
        except InviteCodeError:
            self._state = _State.FAILED
            raise

    def _receive(self, data: bytes) -> list[Event]:
        frame = decode_frame(data)
        if frame.kind == Kind.ABORT:
            raise InviteCodeError(_abort_reason(frame))
        if self._state is _State.START and frame.kind == Kind.OPEN:
            if frame.expires_at <= self._now:
                raise InviteCodeError("expired")
            self.expires_at = frame.expires_at
            message = bytes(self._spake.start())
            keys = _derive(_spake_finish(self._spake, frame.body), data, message)
            self._keys = keys
            self._state = _State.OPENED
            hello = _seal(keys.b2a, b"b2a", 0, _HELLO)
            return [Outgoing(_encode(Frame(_VERSION, Kind.REPLY, message, hello)))]
        if self._state is _State.OPENED and frame.kind == Kind.SEALED and self._keys:
            payload = _open(self._keys.a2b, b"a2b", 0, frame.body)
            self._state = _State.CONFIRMED
            return [Confirmed(self._keys.check), Offered(payload)]
        raise InviteCodeError("malformed")

    def answer(self, answer: Answer) -> bytes:
        """B1: the answer, sealed to the newcomer."""
        if self._state is not _State.CONFIRMED or self._keys is None:
            raise InviteCodeError("malformed")
        self._state = _State.DONE
        sealed = _seal(self._keys.b2a, b"b2a", 1, encode_answer(answer))
        return _encode(Frame(_VERSION, Kind.SEALED, sealed))

    def abort(self, reason: str = "wrong-code") -> bytes:
        """A frame telling the newcomer the exchange is over, and why."""
        self._state = _State.FAILED
        return _abort(reason)
