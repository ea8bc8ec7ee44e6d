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
import functools
import hashlib
import hmac
import struct
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hasteh.errors import Domain, HastehError

__all__ = [
    "BUCKETS",
    "HEADER_SIZE",
    "MAILBOX_SIZE",
    "MAX_ENVELOPE_SIZE",
    "MAX_PAYLOAD",
    "VERSION",
    "WRITE_KEY_SIZE",
    "Envelope",
    "EnvelopeError",
    "Kind",
    "WriteAuth",
    "WriteAuthError",
    "WriteRequest",
    "bucket_for",
    "claimed_mailbox",
    "envelope_id",
    "fetch_tag",
    "mailbox_hash",
    "open_payload",
    "parse_write_headers",
    "seal",
    "write_key_id",
    "write_tag",
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


#: Why bytes are not an envelope (`EnvelopeError.code`).
EnvelopeCode = Literal[
    "bad-type",
    "truncated",
    "bad-version",
    "bad-kind",
    "bad-epoch",
    "bad-mailbox",
    "bad-nonce",
    "bad-bucket",
    "bad-reserved",
    "bad-length",
    "bad-padding",
    "too-large",
]

#: English templates of `EnvelopeCode`. `detail` is a fixed English phrase with sizes only
#: (never bytes of the envelope): these answers go to software more than to people.
ENVELOPE_MESSAGES: Mapping[EnvelopeCode, str] = {
    "bad-type": "This is not an envelope: {detail}.",
    "truncated": "The envelope is cut short: {detail}.",
    "bad-version": "The envelope's version is not supported: {detail}.",
    "bad-kind": "The envelope's kind is not valid: {detail}.",
    "bad-epoch": "The envelope's epoch is not valid: {detail}.",
    "bad-mailbox": "The envelope's mailbox is not valid: {detail}.",
    "bad-nonce": "The envelope's nonce is not valid: {detail}.",
    "bad-bucket": "The envelope's size is not valid: {detail}.",
    "bad-reserved": "The envelope's reserved byte is not valid: {detail}.",
    "bad-length": "The envelope's length is not valid: {detail}.",
    "bad-padding": "The envelope's padding is not valid: {detail}.",
    "too-large": "The payload is too large for one envelope: {detail}.",
}


class EnvelopeError(HastehError):
    """Bytes that are not a valid envelope, or a payload that cannot be enveloped.

    `code` (also `reason`) is a stable slug tests can pin (for example ``"bad-version"``).
    """

    domain: ClassVar[Domain] = "envelope"
    templates: ClassVar[Mapping[Any, str]] = ENVELOPE_MESSAGES
    code: EnvelopeCode

    def __init__(self, code: EnvelopeCode, detail: str) -> None:
        super().__init__(code, detail=detail)
        self.detail = detail

    @property
    def reason(self) -> EnvelopeCode:
        return self.code


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
    #: The id, computed once: a catch-up asks for it several times per envelope (the
    #: seen-set, the pending and deferred checks, the chain window), each a SHA-256 over
    #: up to a bucket of bytes. Not a field of the envelope's value.
    _id: bytes | None = field(default=None, init=False, repr=False, compare=False)

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
        if self._id is None:
            object.__setattr__(self, "_id", envelope_id(self.to_bytes()))
        assert self._id is not None
        return self._id

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
        # What `__post_init__` checks that the header's layout does not already guarantee
        # (the kind, the sizes and the epoch's range all come from the fixed layout), in
        # its order and with its errors; then the fields are set without it. A catch-up
        # decodes thousands of envelopes: this and the id from the bytes in hand (rather
        # than encoding them again) are half the cost of the general path.
        if kind != Kind.COMMIT and epoch != 0:
            raise EnvelopeError("bad-epoch", "only a commit carries an epoch")
        if not _keystream_fits(nonce, expected - HEADER_SIZE):
            raise EnvelopeError("bad-nonce", "the nonce's counter leaves no room for the body")
        envelope: Envelope = object.__new__(cls)
        _set = object.__setattr__
        _set(envelope, "kind", _KINDS[kind])
        _set(envelope, "epoch", epoch)
        _set(envelope, "mailbox", mailbox)
        _set(envelope, "nonce", nonce)
        _set(envelope, "body", data[HEADER_SIZE:])
        _set(envelope, "_id", envelope_id(data))
        return envelope


#: Kind by wire value (a dict lookup instead of the enum's call).
_KINDS: Mapping[int, Kind] = {kind.value: kind for kind in Kind}


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


def _mask_key(mailbox: bytes) -> bytes:
    """The masking key of a mailbox (derived from its id alone)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_MASK_INFO).derive(mailbox)


class _Masker:
    """A mailbox's ChaCha20 context, given each envelope's nonce in turn
    (`CipherContext.reset_nonce`, pyca's public call for one key and many nonces).
    Setting up a context costs two thirds of unmasking a small envelope, and a catch-up
    unmasks thousands for one mailbox. The lock keeps a nonce and its `update` together
    when two threads (the web face and a background sync) mask at once."""

    __slots__ = ("_context", "_lock")

    def __init__(self, key: bytes) -> None:
        # The nonce here is never used: every use sets its own first.
        self._context = Cipher(algorithms.ChaCha20(key, bytes(NONCE_SIZE)), mode=None).encryptor()
        self._lock = threading.Lock()

    def apply(self, nonce: bytes, data: bytes) -> bytes:
        with self._lock:
            self._context.reset_nonce(nonce)
            # A stream cipher: `update` returns every byte; nothing is left to finalize.
            return self._context.update(data)


@functools.lru_cache(maxsize=256)
def _masker(mailbox: bytes) -> _Masker:
    """The masking context of a mailbox. It holds the key the cache kept before, for as
    many mailboxes, and the key is derived from the mailbox id alone: it keeps nothing a
    holder of the id could not compute."""
    return _Masker(_mask_key(mailbox))


def _keystream_fits(nonce: bytes, size: int) -> bool:
    """ChaCha20 here takes a 16-byte nonce whose first 4 bytes (little-endian) are the
    block counter; masking `size` bytes must not run the counter past 2**32, or
    cryptography raises ValueError (found by fuzzing: a hostile nonce crashed the reader)."""
    return int.from_bytes(nonce[:4], "little") + -(-size // 64) <= 2**32


def _mask(mailbox: bytes, nonce: bytes, data: bytes) -> bytes:
    return _masker(mailbox).apply(nonce, data)


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
    if plain[end:] != bytes(len(plain) - end):  # one comparison, not a loop over bytes
        raise EnvelopeError("bad-padding", "padding is not all zeros")
    return plain[_LEN_SIZE:end]


# --------------------------------------------------------------------------- write access
#
# Only current members may post to or read a claimed mailbox (docs/protocol.md, "Write
# access"). A relay stores each registered key under its id and checks an HMAC tag over the
# envelope id (posts) or the mailbox id (fetches). Nothing here does I/O.

WRITE_KEY_SIZE = 32
KEY_ID_SIZE = 16
TAG_SIZE = 16
CLAIM_SIZE = 32
#: The largest epoch a relay stores (signed 64-bit SQL integers, room for E + 1).
MAX_WIRE_EPOCH = 2**63 - 2

H_WRITE = "hasteh-write"
H_CLAIM = "hasteh-claim"
H_KEY = "hasteh-key"
H_CLAIM_EPOCH = "hasteh-claim-epoch"
H_NEXT_KEY = "hasteh-next-key"
H_RETIRE = "hasteh-retire"
_HEX = frozenset("0123456789abcdef")


#: Why write-access headers (or a stored write auth) are refused (`WriteAuthError.code`).
WriteAuthCode = Literal[
    "missing-write",
    "bad-write",
    "bad-claim",
    "bad-key",
    "bad-next-key",
    "bad-claim-epoch",
    "incomplete-claim",
    "key-mismatch",
    "bad-retire",
    "bad-stored-auth",
    "no-auth",
]

#: English templates of `WriteAuthCode`; `detail` names the header and its expected form.
WRITE_AUTH_MESSAGES: Mapping[WriteAuthCode, str] = {
    "missing-write": "The write proof is missing: {detail}.",
    "bad-write": "The write proof is not valid: {detail}.",
    "bad-claim": "The write claim is not valid: {detail}.",
    "bad-key": "The write key is not valid: {detail}.",
    "bad-next-key": "The next write key is not valid: {detail}.",
    "bad-claim-epoch": "The claim's epoch is not valid: {detail}.",
    "incomplete-claim": "The write claim is incomplete: {detail}.",
    "key-mismatch": "The write proof names another key: {detail}.",
    "bad-retire": "The retire header is not valid: {detail}.",
    "bad-stored-auth": "A stored write access is damaged: {detail}.",
    "no-auth": "This message has no write access yet: {detail}.",
}

#: The `bad-…` code of each hex header `_hex_field` reads.
_BAD_HEADER: Mapping[str, WriteAuthCode] = {
    "hasteh-write": "bad-write",
    "hasteh-claim": "bad-claim",
    "hasteh-key": "bad-key",
    "hasteh-next-key": "bad-next-key",
}


class WriteAuthError(HastehError):
    """Write-access headers that do not follow the protocol; `code` (also `reason`) is a
    stable slug and the `detail` parameter names the header and what it must look like."""

    domain: ClassVar[Domain] = "write-auth"
    templates: ClassVar[Mapping[Any, str]] = WRITE_AUTH_MESSAGES
    code: WriteAuthCode

    def __init__(self, code: WriteAuthCode, detail: str) -> None:
        super().__init__(code, detail=detail)
        self.detail = detail

    @property
    def reason(self) -> WriteAuthCode:
        return self.code


def write_key_id(key: bytes) -> bytes:
    """The public name of a write key: a relay finds the key by it without it being secret."""
    return hashlib.sha256(b"hasteh/write-key-id/v1\x00" + key).digest()[:KEY_ID_SIZE]


def write_tag(key: bytes, envelope_id: bytes) -> bytes:
    """Proof that the poster holds `key`, bound to this one envelope (a replay posts the
    same envelope again, which the relay treats as idempotent)."""
    mac = hmac.new(key, b"hasteh/write/v1\x00" + envelope_id, hashlib.sha256)
    return mac.digest()[:TAG_SIZE]


def fetch_tag(key: bytes, mailbox: bytes) -> bytes:
    """Proof that the reader holds `key`, bound to the mailbox it reads."""
    return hmac.new(key, b"hasteh/fetch/v1\x00" + mailbox, hashlib.sha256).digest()[:TAG_SIZE]


def claimed_mailbox(claim: bytes) -> bytes:
    """The mailbox id a claim creates: self-certifying, so whoever knows `claim` (the group,
    or a joiner for a pickup mailbox) may create it, and a stranger who learns only the id
    cannot."""
    return hashlib.sha256(b"hasteh/mailbox-claim/v1\x00" + claim).digest()


@dataclass(frozen=True, slots=True)
class WriteAuth:
    """How one post to one relay is authorized.

    `key` signs the post. On a commit, `next_key` registers the key of the epoch it creates
    and `retire` retires every key up to the commit's epoch (a removal). `claim` with
    `claim_epoch` creates the mailbox on the relay and registers `key` for that epoch.
    """

    key: bytes
    next_key: bytes | None = None
    retire: bool = False
    claim: bytes | None = None
    claim_epoch: int = 0

    def __post_init__(self) -> None:
        if len(self.key) != WRITE_KEY_SIZE:
            raise WriteAuthError("bad-key", f"a write key is {WRITE_KEY_SIZE} bytes")
        if self.next_key is not None and len(self.next_key) != WRITE_KEY_SIZE:
            raise WriteAuthError("bad-next-key", f"a write key is {WRITE_KEY_SIZE} bytes")
        if self.claim is not None and len(self.claim) != CLAIM_SIZE:
            raise WriteAuthError("bad-claim", f"a claim is {CLAIM_SIZE} bytes")
        if not 0 <= self.claim_epoch <= MAX_WIRE_EPOCH:
            raise WriteAuthError("bad-claim-epoch", "claim epoch out of range")

    @property
    def key_id(self) -> bytes:
        return write_key_id(self.key)

    def headers(self, envelope_id: bytes) -> dict[str, str]:
        """The HTTP headers of a post of the envelope with id `envelope_id`."""
        out = {"Hasteh-Write": (self.key_id + write_tag(self.key, envelope_id)).hex()}
        if self.claim is not None:
            out["Hasteh-Claim"] = self.claim.hex()
            out["Hasteh-Key"] = self.key.hex()
            out["Hasteh-Claim-Epoch"] = str(self.claim_epoch)
        if self.next_key is not None:
            out["Hasteh-Next-Key"] = self.next_key.hex()
        if self.retire:
            out["Hasteh-Retire"] = "1"
        return out

    def fetch_fields(self, mailbox: bytes) -> dict[str, str]:
        """The `key` and `tag` fields of a fetch request for `mailbox`."""
        return {"key": self.key_id.hex(), "tag": fetch_tag(self.key, mailbox).hex()}


@dataclass(frozen=True, slots=True)
class WriteRequest:
    """The write-access headers of one post as a relay parsed them (keys not yet checked)."""

    key_id: bytes
    tag: bytes
    claim: bytes | None = None
    claim_key: bytes | None = None
    claim_epoch: int = 0
    next_key: bytes | None = None
    retire: bool = False


def _hex_field(headers: Mapping[str, str], name: str, size: int) -> bytes | None:
    value = headers.get(name)
    if value is None:
        return None
    if len(value) != 2 * size or not set(value) <= _HEX:
        raise WriteAuthError(
            _BAD_HEADER[name],
            f"{name} must be exactly {2 * size} lowercase hex digits",
        )
    return bytes.fromhex(value)


def parse_write_headers(headers: Mapping[str, str]) -> WriteRequest:
    """Parse the write-access headers strictly (names in lower case, as HTTP allows).

    Raises `WriteAuthError` naming the header at fault; the relay answers it with a 400.
    """
    write = _hex_field(headers, H_WRITE, KEY_ID_SIZE + TAG_SIZE)
    if write is None:
        raise WriteAuthError("missing-write", f"{H_WRITE} is required: key id and tag in hex")
    claim = _hex_field(headers, H_CLAIM, CLAIM_SIZE)
    claim_key = _hex_field(headers, H_KEY, WRITE_KEY_SIZE)
    raw_epoch = headers.get(H_CLAIM_EPOCH)
    present = (claim is not None, claim_key is not None, raw_epoch is not None)
    if any(present) and not all(present):
        raise WriteAuthError(
            "incomplete-claim", f"{H_CLAIM}, {H_KEY} and {H_CLAIM_EPOCH} go together"
        )
    claim_epoch = 0
    if raw_epoch is not None:
        if not (raw_epoch.isascii() and raw_epoch.isdigit() and len(raw_epoch) <= 19):
            raise WriteAuthError("bad-claim-epoch", f"{H_CLAIM_EPOCH} must be a decimal number")
        claim_epoch = int(raw_epoch)
        if claim_epoch > MAX_WIRE_EPOCH:
            raise WriteAuthError("bad-claim-epoch", f"{H_CLAIM_EPOCH} is too large")
    if claim_key is not None and write_key_id(claim_key) != write[:KEY_ID_SIZE]:
        raise WriteAuthError("key-mismatch", f"{H_WRITE} must name the key in {H_KEY}")
    retire_raw = headers.get(H_RETIRE)
    if retire_raw not in (None, "1"):
        raise WriteAuthError("bad-retire", f"{H_RETIRE} must be exactly 1 when present")
    return WriteRequest(
        key_id=write[:KEY_ID_SIZE],
        tag=write[KEY_ID_SIZE:],
        claim=claim,
        claim_key=claim_key,
        claim_epoch=claim_epoch,
        next_key=_hex_field(headers, H_NEXT_KEY, WRITE_KEY_SIZE),
        retire=retire_raw == "1",
    )
