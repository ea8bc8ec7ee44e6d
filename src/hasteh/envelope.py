"""The envelope: the one wire format shared by the relay and the client (docs/protocol.md).

This module sits at the top of the package, beside `hasteh.errors`, on purpose: the relay
(`hasteh.relay`) and the client side (`hasteh.transport`) both import it and neither imports
the other. It has no I/O; randomness comes in as an argument.

Layout of version 1 (all integers big-endian)::

    offset size  field
    0      1     version      = 1
    1      1     kind         1 message, 2 commit, 3 welcome
    2      1     bucket       index into BUCKETS (0..5)
    3      1     reserved     = 0
    4      8     epoch        the epoch a commit is for; 0 for other kinds
    12     32    mailbox      random id known only to the group
    44     16    nonce        random, fresh for every envelope
    60     n     body         exactly BUCKETS[bucket] bytes

The body is `len (u32) || payload || zeros` XORed with a ChaCha20 keystream under a key
derived from the mailbox id (HKDF-SHA256) and the nonce. A relay stores only SHA-256 of the
mailbox id, so a seized relay database shows a size bucket, not a length. The payload
itself is already end-to-end encrypted MLS ciphertext; this masking only hides its length.

The envelope id is SHA-256 over a domain label and the encoded envelope, so the same
envelope always has the same id (idempotent re-posts) and two different ones never share it.
"""

from __future__ import annotations

import enum
import hashlib
import struct
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hasteh.errors import HastehError

__all__ = [
    "BUCKETS",
    "HEADER_SIZE",
    "MAILBOX_SIZE",
    "MAX_ENVELOPE_SIZE",
    "MAX_PAYLOAD",
    "VERSION",
    "Envelope",
    "EnvelopeError",
    "Kind",
    "bucket_for",
    "envelope_id",
    "mailbox_hash",
    "open_payload",
    "seal",
]

VERSION = 1
MAILBOX_SIZE = 32
NONCE_SIZE = 16
HEADER_SIZE = 60
#: Body sizes. Larger data is chunked by the app before it reaches an envelope.
BUCKETS: tuple[int, ...] = (256, 1024, 4096, 16384, 65536, 262144)
_LEN_SIZE = 4
MAX_PAYLOAD = BUCKETS[-1] - _LEN_SIZE
MAX_ENVELOPE_SIZE = HEADER_SIZE + BUCKETS[-1]
_HEADER = struct.Struct(">BBBBQ32s16s")
_ID_LABEL = b"hasteh/envelope-id/v1\x00"
_MASK_INFO = b"hasteh/envelope-mask/v1"
_MAX_EPOCH = 2**64 - 1

Rng = Callable[[int], bytes]


class EnvelopeError(HastehError):
    """Bytes that are not a valid envelope, or a payload that cannot be enveloped.

    `reason` is a short stable slug tests can pin (for example ``"bad-version"``).
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


class Kind(enum.IntEnum):
    MESSAGE = 1
    COMMIT = 2
    WELCOME = 3


@dataclass(frozen=True, slots=True)
class Envelope:
    """One decoded envelope. Construction checks every field (a bad value cannot exist)."""

    kind: Kind
    epoch: int
    mailbox: bytes
    nonce: bytes
    body: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.kind, Kind):
            raise EnvelopeError("bad-kind", "unknown envelope kind")
        if not 0 <= self.epoch <= _MAX_EPOCH:
            raise EnvelopeError("bad-epoch", "epoch out of range")
        if self.kind is not Kind.COMMIT and self.epoch != 0:
            raise EnvelopeError("bad-epoch", "only a commit carries an epoch")
        if len(self.mailbox) != MAILBOX_SIZE:
            raise EnvelopeError("bad-mailbox", f"mailbox id must be {MAILBOX_SIZE} bytes")
        if len(self.nonce) != NONCE_SIZE:
            raise EnvelopeError("bad-nonce", f"nonce must be {NONCE_SIZE} bytes")
        if len(self.body) not in BUCKETS:
            raise EnvelopeError("bad-bucket", "body size is not a bucket size")
        if not _keystream_fits(self.nonce, len(self.body)):
            raise EnvelopeError("bad-nonce", "the nonce's counter leaves no room for the body")

    @property
    def bucket(self) -> int:
        return BUCKETS.index(len(self.body))

    @property
    def id(self) -> bytes:
        """The content-derived id: SHA-256 over a label and the encoded envelope."""
        return envelope_id(self.to_bytes())

    def to_bytes(self) -> bytes:
        head = _HEADER.pack(
            VERSION, self.kind, self.bucket, 0, self.epoch, self.mailbox, self.nonce
        )
        return head + self.body

    @classmethod
    def from_bytes(cls, data: bytes) -> Envelope:
        """Decode strictly: any deviation raises `EnvelopeError` with a precise reason."""
        if not isinstance(data, bytes | bytearray | memoryview):
            raise EnvelopeError("bad-type", "an envelope is bytes")
        data = bytes(data)
        if len(data) < HEADER_SIZE:
            raise EnvelopeError("truncated", f"shorter than the {HEADER_SIZE}-byte header")
        version, kind, bucket, reserved, epoch, mailbox, nonce = _HEADER.unpack_from(data)
        if version != VERSION:
            raise EnvelopeError("bad-version", f"version {version} is not supported")
        if kind not in Kind._value2member_map_:
            raise EnvelopeError("bad-kind", f"unknown kind {kind}")
        if bucket >= len(BUCKETS):
            raise EnvelopeError("bad-bucket", f"unknown bucket {bucket}")
        if reserved != 0:
            raise EnvelopeError("bad-reserved", "reserved byte must be zero")
        expected = HEADER_SIZE + BUCKETS[bucket]
        if len(data) != expected:
            raise EnvelopeError("bad-length", f"{len(data)} bytes, bucket says {expected}")
        return cls(Kind(kind), epoch, mailbox, nonce, data[HEADER_SIZE:])


def envelope_id(encoded: bytes) -> bytes:
    return hashlib.sha256(_ID_LABEL + encoded).digest()


def mailbox_hash(mailbox: bytes) -> bytes:
    """What a relay stores instead of the mailbox id."""
    return hashlib.sha256(b"hasteh/mailbox/v1\x00" + mailbox).digest()


def bucket_for(size: int) -> int:
    """The smallest body size that holds a payload of `size` bytes."""
    for bucket in BUCKETS:
        if size + _LEN_SIZE <= bucket:
            return bucket
    raise EnvelopeError("too-large", f"payload over {MAX_PAYLOAD} bytes: the app must chunk it")


def _keystream_fits(nonce: bytes, size: int) -> bool:
    """ChaCha20 here takes a 16-byte nonce whose first 4 bytes (little-endian) are the
    block counter; masking `size` bytes must not run the counter past 2**32, or
    cryptography raises ValueError (found by fuzzing: a hostile nonce crashed the reader)."""
    return int.from_bytes(nonce[:4], "little") + -(-size // 64) <= 2**32


def _mask(mailbox: bytes, nonce: bytes, data: bytes) -> bytes:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_MASK_INFO).derive(mailbox)
    encryptor = Cipher(algorithms.ChaCha20(key, nonce), mode=None).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def seal(*, kind: Kind, mailbox: bytes, payload: bytes, rng: Rng, epoch: int = 0) -> Envelope:
    """Wrap `payload` (MLS ciphertext) for `mailbox`, padded to its size bucket."""
    size = bucket_for(len(payload))
    plain = struct.pack(">I", len(payload)) + payload + bytes(size - _LEN_SIZE - len(payload))
    nonce = rng(NONCE_SIZE)
    if not _keystream_fits(nonce, size):  # about one nonce in a million: start the counter at 0
        nonce = bytes(4) + nonce[4:]
    if len(mailbox) != MAILBOX_SIZE:
        raise EnvelopeError("bad-mailbox", f"mailbox id must be {MAILBOX_SIZE} bytes")
    return Envelope(kind, epoch, mailbox, nonce, _mask(mailbox, nonce, plain))


def open_payload(envelope: Envelope) -> bytes:
    """Unmask the body and strip the padding; strict about the length and the zeros."""
    plain = _mask(envelope.mailbox, envelope.nonce, envelope.body)
    (length,) = struct.unpack_from(">I", plain)
    if length > len(plain) - _LEN_SIZE:
        raise EnvelopeError("bad-padding", "payload length exceeds the body")
    end = _LEN_SIZE + length
    if any(plain[end:]):
        raise EnvelopeError("bad-padding", "padding is not all zeros")
    return plain[_LEN_SIZE:end]
