"""Message framing (RFC 9420 §6): FramedContent, its authentication, and the MLSMessage
envelope with its public (§6.2) and private (§6.3) encodings.

These are the wire structures only. Turning an `AuthenticatedContent` into a
`PublicMessage` or `PrivateMessage` and back (signatures, membership tag, encryption) is
`message_protection`; transcript hashes over `AuthenticatedContent` are `transcript_hash`.

Content is the union `bytes | Proposal | Commit`: application data is plain bytes, and the
`ContentType` on the wire is derived from which it is, so it cannot disagree with the body.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TypeVar

from .codec import MAX_VECTOR_BYTES, Reader, Writer, decode_all, encode, encode_varint
from .commit import Commit
from .errors import MLSDecodeError, UsageError
from .group_context import MLS10, GroupContext
from .key_package import KeyPackage
from .proposals import Proposal, decode_proposal, encode_proposal
from .welcome import GroupInfo, Welcome

_E = TypeVar("_E", bound=IntEnum)


class WireFormat(IntEnum):
    """§6 / §17.2 "MLS Wire Formats": what an MLSMessage carries."""

    PUBLIC_MESSAGE = 0x0001
    PRIVATE_MESSAGE = 0x0002
    WELCOME = 0x0003
    GROUP_INFO = 0x0004
    KEY_PACKAGE = 0x0005


class ContentType(IntEnum):
    """§6 ContentType; it selects the body of FramedContent and PrivateMessageContent."""

    APPLICATION = 1
    PROPOSAL = 2
    COMMIT = 3


class SenderType(IntEnum):
    """§6 SenderType: who signs, which decides the signature key (§6.1)."""

    MEMBER = 1
    EXTERNAL = 2
    NEW_MEMBER_PROPOSAL = 3
    NEW_MEMBER_COMMIT = 4


def _enum_value(enum: type[_E], raw: int, what: str) -> _E:
    # The enum's own value map first (a dict lookup; calling the enum goes through
    # EnumType.__call__ in Python, several times per message received).
    member = enum._value2member_map_.get(raw)
    if member is not None:
        return member  # type: ignore[return-value]
    try:
        return enum(raw)
    except ValueError:
        raise MLSDecodeError(f"unknown {what} {raw}") from None


def read_wire_format(r: Reader) -> WireFormat:
    return _enum_value(WireFormat, r.u16(), "wire format")


def read_content_type(r: Reader) -> ContentType:
    return _enum_value(ContentType, r.u8(), "content type")


#: The body of FramedContent (§6): application data, a proposal, or a commit.
Content = bytes | Proposal | Commit


def content_type_of(content: Content) -> ContentType:
    if isinstance(content, bytes):
        return ContentType.APPLICATION
    if isinstance(content, Commit):
        return ContentType.COMMIT
    return ContentType.PROPOSAL


def encode_content(w: Writer, content: Content) -> None:
    """The `select (content_type)` body, without the content_type itself."""
    if isinstance(content, bytes):
        w.opaque(content)
    elif isinstance(content, Commit):
        content.encode(w)
    else:
        encode_proposal(w, content)


def decode_content(r: Reader, content_type: ContentType) -> Content:
    if content_type == ContentType.APPLICATION:
        return r.opaque()
    if content_type == ContentType.PROPOSAL:
        return decode_proposal(r)
    return Commit.decode(r)


#: Sender types that carry an index (a set of plain ints: a membership test that does
#: not go through IntEnum's comparison, since every message builds a Sender).
_INDEXED_SENDERS = frozenset({int(SenderType.MEMBER), int(SenderType.EXTERNAL)})


@dataclass(frozen=True, slots=True)
class Sender:
    """§6 Sender. `index` is the leaf index for a member, the index into the
    external_senders extension for an external sender, and None for new members."""

    sender_type: SenderType
    index: int | None = None

    def __post_init__(self) -> None:
        indexed = self.sender_type in _INDEXED_SENDERS
        if indexed != (self.index is not None):
            raise UsageError(
                f"a {self.sender_type.name} sender {'needs' if indexed else 'has no'} index"
            )

    @classmethod
    def member(cls, leaf_index: int) -> Sender:
        return _member_sender(operator.index(leaf_index))

    @classmethod
    def external(cls, sender_index: int) -> Sender:
        return cls(SenderType.EXTERNAL, sender_index)

    @classmethod
    def new_member_proposal(cls) -> Sender:
        return cls(SenderType.NEW_MEMBER_PROPOSAL)

    @classmethod
    def new_member_commit(cls) -> Sender:
        return cls(SenderType.NEW_MEMBER_COMMIT)

    def encode(self, w: Writer) -> None:
        w.u8(self.sender_type)
        if self.index is not None:
            w.u32(self.index)

    @classmethod
    def decode(cls, r: Reader) -> Sender:
        sender_type = _enum_value(SenderType, r.u8(), "sender type")
        if sender_type in (SenderType.MEMBER, SenderType.EXTERNAL):
            return cls(sender_type, r.u32())
        return cls(sender_type)

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> Sender:
        return decode_all(data, cls.decode)


@functools.lru_cache(maxsize=1024)
def _member_sender(leaf_index: int) -> Sender:
    """The member Sender of a leaf: an immutable public value, made once per leaf rather
    than once per message received (checked as any Sender is when first made)."""
    return Sender(SenderType.MEMBER, leaf_index)


@dataclass(frozen=True, slots=True)
class FramedContent:
    """§6: the content of a handshake or application message and its group/epoch.

    Its encoding is needed up to three times per message (FramedContentTBS for the
    signature, AuthenticatedContentTBM for the membership tag, the confirmed transcript
    hash input, §6.1-§6.2, §8.2), and for a commit it holds the whole UpdatePath. So it
    is kept: a decoded FramedContent keeps the bytes it was decoded from (the codec is
    canonical, §2.1.2: decode-then-encode gives the input back exactly, so these are the
    bytes any encode would produce), a built one keeps its first encoding. The value is
    immutable, so the kept bytes cannot go stale; `dataclasses.replace` makes a new
    value without them.
    """

    group_id: bytes
    epoch: int
    sender: Sender
    authenticated_data: bytes
    content: Content
    _encoding: bytes | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def content_type(self) -> ContentType:
        return content_type_of(self.content)

    def encoded(self) -> bytes:
        """The encoding (kept, see the class docstring)."""
        encoding = self._encoding
        if encoding is None:
            encoding = self._encode_application() or self._encode_fields()
            object.__setattr__(self, "_encoding", encoding)
        return encoding

    def _encode_fields(self) -> bytes:
        """The encoding, written field by field (§6)."""
        w = Writer()
        w.opaque(self.group_id)
        w.u64(self.epoch)
        self.sender.encode(w)
        w.opaque(self.authenticated_data)
        w.u8(self.content_type)
        encode_content(w, self.content)
        return w.getvalue()

    def _encode_application(self) -> bytes | None:
        """The encoding of application content from a member, joined in one step (each
        received message builds and signs one), or None for anything else, which
        `_encode_fields` writes. The same bytes as `_encode_fields`."""
        content, sender, epoch = self.content, self.sender, self.epoch
        if not (
            isinstance(content, bytes)
            and sender.sender_type == SenderType.MEMBER
            and 0 <= epoch < 1 << 64
            and sender.index is not None
            and 0 <= sender.index < 1 << 32
        ):
            return None
        group_id, aad = self.group_id, self.authenticated_data
        return b"".join(
            (
                encode_varint(len(group_id)),
                group_id,
                epoch.to_bytes(8, "big"),
                b"\x01",  # SenderType.MEMBER
                sender.index.to_bytes(4, "big"),
                encode_varint(len(aad)),
                aad,
                b"\x01",  # ContentType.APPLICATION
                encode_varint(len(content)),
                content,
            )
        )

    def encode(self, w: Writer) -> None:
        w.raw(self.encoded())

    @classmethod
    def decode(cls, r: Reader) -> FramedContent:
        start = r.position
        group_id = r.opaque()
        epoch = r.u64()
        sender = Sender.decode(r)
        authenticated_data = r.opaque()
        content = decode_content(r, read_content_type(r))
        framed = cls(group_id, epoch, sender, authenticated_data, content)
        object.__setattr__(framed, "_encoding", r.since(start))
        return framed

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> FramedContent:
        return decode_all(data, cls.decode)


@dataclass(frozen=True, slots=True)
class FramedContentAuthData:
    """§6.1: the sender's signature over FramedContentTBS and, for a commit only, the
    confirmation tag. Decoding needs the content type, which lives outside it."""

    signature: bytes
    confirmation_tag: bytes | None = None

    def check_matches(self, content_type: ContentType) -> None:
        if (self.confirmation_tag is not None) != (content_type == ContentType.COMMIT):
            raise UsageError("a confirmation tag is present exactly for commit content")

    def encode(self, w: Writer) -> None:
        w.opaque(self.signature)
        if self.confirmation_tag is not None:
            w.opaque(self.confirmation_tag)

    @classmethod
    def decode(cls, r: Reader, content_type: ContentType) -> FramedContentAuthData:
        signature = r.opaque()
        tag = r.opaque() if content_type == ContentType.COMMIT else None
        return cls(signature, tag)


@dataclass(frozen=True, slots=True)
class FramedContentTBS:
    """§6.1: what the sender signs. Members and new_member_commit senders also sign the
    GroupContext, tying the signature to one group and epoch."""

    wire_format: WireFormat
    content: FramedContent
    context: GroupContext | None
    version: int = MLS10

    def __post_init__(self) -> None:
        if (self.context is not None) != _signs_context(self.content.sender):
            raise UsageError(
                "FramedContentTBS carries a GroupContext exactly for member and"
                " new_member_commit senders"
            )

    def encode(self, w: Writer) -> None:
        w.u16(self.version)
        w.u16(self.wire_format)
        w.raw(self.content.encoded())
        if self.context is not None:
            w.raw(self.context.encoded)

    @classmethod
    def decode(cls, r: Reader) -> FramedContentTBS:
        version = r.u16()
        if version != MLS10:
            raise MLSDecodeError(f"unsupported protocol version {version}")
        wire_format = read_wire_format(r)
        content = FramedContent.decode(r)
        context = GroupContext.decode(r) if _signs_context(content.sender) else None
        return cls(wire_format, content, context, version)

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> FramedContentTBS:
        return decode_all(data, cls.decode)


def _signs_context(sender: Sender) -> bool:
    return sender.sender_type in (SenderType.MEMBER, SenderType.NEW_MEMBER_COMMIT)


@dataclass(frozen=True, slots=True)
class AuthenticatedContent:
    """§6: content, the wire format it travels in, and its authentication. This is what
    unprotecting a message yields, what proposal references and transcript hashes cover."""

    wire_format: WireFormat
    content: FramedContent
    auth: FramedContentAuthData

    def __post_init__(self) -> None:
        self.auth.check_matches(self.content.content_type)

    def tbs(self, context: GroupContext | None) -> FramedContentTBS:
        """The signed structure; `context` is needed only for senders that sign it."""
        return FramedContentTBS(
            self.wire_format, self.content, context if _signs_context(self.content.sender) else None
        )

    def encode(self, w: Writer) -> None:
        w.u16(self.wire_format)
        self.content.encode(w)
        self.auth.encode(w)

    @classmethod
    def decode(cls, r: Reader) -> AuthenticatedContent:
        wire_format = read_wire_format(r)
        content = FramedContent.decode(r)
        auth = FramedContentAuthData.decode(r, content.content_type)
        return cls(wire_format, content, auth)

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> AuthenticatedContent:
        return decode_all(data, cls.decode)


@dataclass(frozen=True, slots=True)
class PublicMessage:
    """§6.2: signed, not encrypted. Member senders add a membership tag (a MAC under the
    epoch's membership_key) proving group membership; other senders have none."""

    content: FramedContent
    auth: FramedContentAuthData
    membership_tag: bytes | None = None

    def __post_init__(self) -> None:
        self.auth.check_matches(self.content.content_type)
        is_member = self.content.sender.sender_type == SenderType.MEMBER
        if is_member != (self.membership_tag is not None):
            raise UsageError("a PublicMessage has a membership tag exactly for member senders")

    def encode(self, w: Writer) -> None:
        self.content.encode(w)
        self.auth.encode(w)
        if self.membership_tag is not None:
            w.opaque(self.membership_tag)

    @classmethod
    def decode(cls, r: Reader) -> PublicMessage:
        content = FramedContent.decode(r)
        auth = FramedContentAuthData.decode(r, content.content_type)
        is_member = content.sender.sender_type == SenderType.MEMBER
        tag = r.opaque() if is_member else None
        return cls(content, auth, tag)

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> PublicMessage:
        return decode_all(data, cls.decode)


@dataclass(frozen=True, slots=True)
class PrivateMessage:
    """§6.3: content and sender encrypted; only group, epoch, content type and the
    authenticated data are visible.

    The two AADs of §6.3.1-§6.3.2 are the encoding's first fields, so a decoded message
    keeps those bytes (`content_aad`, `sender_data_aad`); a built one encodes them.
    """

    group_id: bytes
    epoch: int
    content_type: ContentType
    authenticated_data: bytes
    encrypted_sender_data: bytes
    ciphertext: bytes
    #: PrivateContentAAD's bytes and where SenderDataAAD's end in them (when decoded).
    _aad: tuple[bytes, int] | None = field(default=None, init=False, repr=False, compare=False)

    def content_aad(self) -> bytes:
        """PrivateContentAAD (§6.3.1): group_id, epoch, content_type, authenticated_data."""
        if self._aad is not None:
            return self._aad[0]
        return PrivateContentAAD(
            self.group_id, self.epoch, self.content_type, self.authenticated_data
        ).to_bytes()

    def sender_data_aad(self) -> bytes:
        """SenderDataAAD (§6.3.2): group_id, epoch, content_type."""
        if self._aad is not None:
            content_aad, end = self._aad
            return content_aad[:end]
        return SenderDataAAD(self.group_id, self.epoch, self.content_type).to_bytes()

    def encode(self, w: Writer) -> None:
        w.opaque(self.group_id)
        w.u64(self.epoch)
        w.u8(self.content_type)
        w.opaque(self.authenticated_data)
        w.opaque(self.encrypted_sender_data)
        w.opaque(self.ciphertext)

    @classmethod
    def decode(cls, r: Reader) -> PrivateMessage:
        start = r.position
        group_id = r.opaque()
        epoch = r.u64()
        content_type = read_content_type(r)
        sender_data_aad_end = r.position - start
        authenticated_data = r.opaque()
        content_aad = r.since(start)
        encrypted_sender_data = r.opaque()
        message = cls(
            group_id, epoch, content_type, authenticated_data, encrypted_sender_data, r.opaque()
        )
        object.__setattr__(message, "_aad", (content_aad, sender_data_aad_end))
        return message

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> PrivateMessage:
        return decode_all(data, cls.decode)


@dataclass(frozen=True, slots=True)
class PrivateContentAAD:
    """§6.3.1: the AAD of the content encryption, binding the visible header fields."""

    group_id: bytes
    epoch: int
    content_type: ContentType
    authenticated_data: bytes

    def encode(self, w: Writer) -> None:
        w.opaque(self.group_id)
        w.u64(self.epoch)
        w.u8(self.content_type)
        w.opaque(self.authenticated_data)

    def to_bytes(self) -> bytes:
        return encode(self)


@dataclass(frozen=True, slots=True)
class SenderDataAAD:
    """§6.3.2: the AAD of the sender data encryption, PrivateMessage's first three fields."""

    group_id: bytes
    epoch: int
    content_type: ContentType

    def encode(self, w: Writer) -> None:
        w.opaque(self.group_id)
        w.u64(self.epoch)
        w.u8(self.content_type)

    def to_bytes(self) -> bytes:
        return encode(self)


@dataclass(frozen=True, slots=True)
class PrivateMessageContent:
    """§6.3.1: the plaintext of PrivateMessage.ciphertext. `padding` counts the zero
    bytes after the auth data; non-zero padding makes the message malformed."""

    content: Content
    auth: FramedContentAuthData
    padding: int = 0

    def __post_init__(self) -> None:
        self.auth.check_matches(content_type_of(self.content))
        if self.padding < 0:
            raise UsageError("padding cannot be negative")

    def encode(self, w: Writer) -> None:
        encode_content(w, self.content)
        self.auth.encode(w)
        w.raw(bytes(self.padding))

    @classmethod
    def decode(cls, r: Reader, content_type: ContentType) -> PrivateMessageContent:
        """Read the content and auth, then take every remaining byte as padding."""
        content = decode_content(r, content_type)
        auth = FramedContentAuthData.decode(r, content_type)
        padding = r.read(r.remaining)
        if any(padding):
            raise MLSDecodeError("PrivateMessageContent padding is not all zero")
        return cls(content, auth, len(padding))

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes, content_type: ContentType) -> PrivateMessageContent:
        return decode_all(data, lambda r: cls.decode(r, content_type))


@dataclass(frozen=True, slots=True)
class SenderData:
    """§6.3.2: which leaf sent, at which ratchet generation, and the reuse guard XORed
    into the content nonce (§6.3.1)."""

    leaf_index: int
    generation: int
    reuse_guard: bytes

    def encode(self, w: Writer) -> None:
        w.u32(self.leaf_index)
        w.u32(self.generation)
        w.fixed(self.reuse_guard, 4)

    @classmethod
    def decode(cls, r: Reader) -> SenderData:
        return cls(r.u32(), r.u32(), r.fixed(4))

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> SenderData:
        # Fixed size (uint32, uint32, opaque[4]): read in one step, as `decode_all` would
        # (a short or long plaintext is malformed); one is decrypted per message received.
        if len(data) != _SENDER_DATA_SIZE:
            raise MLSDecodeError(f"sender data is {_SENDER_DATA_SIZE} bytes, got {len(data)}")
        data = bytes(data)
        sender_data = object.__new__(SenderData)
        set_leaf, set_generation, set_guard = _SET_SENDER_DATA_FIELDS
        set_leaf(sender_data, int.from_bytes(data[:4], "big"))
        set_generation(sender_data, int.from_bytes(data[4:8], "big"))
        set_guard(sender_data, data[8:])
        return sender_data


#: SenderData's encoding: leaf_index (uint32), generation (uint32), reuse_guard[4].
_SENDER_DATA_SIZE = 12


#: What an MLSMessage can carry (§6).
MessageBody = PublicMessage | PrivateMessage | Welcome | GroupInfo | KeyPackage

_WIRE_FORMAT_OF: dict[type[MessageBody], WireFormat] = {
    PublicMessage: WireFormat.PUBLIC_MESSAGE,
    PrivateMessage: WireFormat.PRIVATE_MESSAGE,
    Welcome: WireFormat.WELCOME,
    GroupInfo: WireFormat.GROUP_INFO,
    KeyPackage: WireFormat.KEY_PACKAGE,
}

_BODY_OF: dict[WireFormat, type[MessageBody]] = {v: k for k, v in _WIRE_FORMAT_OF.items()}


@dataclass(frozen=True, slots=True)
class MLSMessage:
    """§6: the envelope every MLS object travels in. Only mls10 is decodable."""

    body: MessageBody
    version: int = MLS10

    @property
    def wire_format(self) -> WireFormat:
        return _WIRE_FORMAT_OF[type(self.body)]

    def encode(self, w: Writer) -> None:
        w.u16(self.version)
        w.u16(self.wire_format)
        self.body.encode(w)

    @classmethod
    def decode(cls, r: Reader) -> MLSMessage:
        version = r.u16()
        if version != MLS10:
            raise MLSDecodeError(f"unsupported protocol version {version}")
        body_type = _BODY_OF[read_wire_format(r)]
        return cls(body_type.decode(r), version)

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> MLSMessage:
        data = bytes(data)
        body = _read_private_message(data)
        if body is not None:
            message = object.__new__(MLSMessage)
            _SET_MLS_MESSAGE_BODY(message, body)
            _SET_MLS_MESSAGE_VERSION(message, MLS10)
            return message
        return decode_all(data, cls.decode)


# --- one-pass reading of a PrivateMessage (§6, §6.3) ---------------------------------
#
# Every message a member receives is an MLSMessage carrying a PrivateMessage, so it is
# read here in one pass over the bytes, with its values set straight into their slots (a
# frozen dataclass's `__init__` goes through `object.__setattr__` once per field). Only
# the common shape is read: lengths of one or two varint bytes, a known content type, no
# trailing byte. Anything else, malformed or merely unusual, gives None, and
# `MLSMessage.decode` reads it as always and gives its value or its error: this path never
# refuses anything itself, so it cannot refuse differently.


def _slot_setter(cls: type, name: str) -> Callable[[object, object], None]:
    """The slot's own setter: it stores without the frozen class's `__setattr__` guard,
    for values built here once and never changed after."""
    setter: Callable[[object, object], None] = vars(cls)[name].__set__
    return setter


_SET_SENDER_DATA_FIELDS = tuple(
    _slot_setter(SenderData, name) for name in ("leaf_index", "generation", "reuse_guard")
)
_SET_MLS_MESSAGE_BODY = _slot_setter(MLSMessage, "body")
_SET_MLS_MESSAGE_VERSION = _slot_setter(MLSMessage, "version")
_SET_PRIVATE_FIELDS = tuple(
    _slot_setter(PrivateMessage, name)
    for name in (
        "group_id",
        "epoch",
        "content_type",
        "authenticated_data",
        "encrypted_sender_data",
        "ciphertext",
        "_aad",
    )
)

#: MLSMessage's version (mls10) and wire_format (private_message), as they start it.
_PRIVATE_MESSAGE_HEAD = MLS10.to_bytes(2, "big") + WireFormat.PRIVATE_MESSAGE.to_bytes(2, "big")

_CONTENT_TYPE_OF_BYTE: dict[int, ContentType] = {int(t): t for t in ContentType}


def _opaque_span(data: bytes, pos: int) -> tuple[int, int] | None:
    """Where the `opaque<V>` at `pos` has its bytes (start, stop), when its length is a
    minimal varint (§2.1.2) within the decoder's limit and the bytes are all there;
    else None."""
    end = len(data)
    if pos >= end:
        return None
    first = data[pos]
    if first < 0x40:  # one length byte: the common case, always minimal
        stop = pos + 1 + first
        return (pos + 1, stop) if stop <= end else None
    prefix = first >> 6
    if prefix == 1 and pos + 2 <= end:
        n = ((first & 0x3F) << 8) | data[pos + 1]
        if n < 1 << 6:
            return None
        start = pos + 2
    elif prefix == 2 and pos + 4 <= end:
        n = int.from_bytes(data[pos : pos + 4], "big") & 0x3FFFFFFF
        if n < 1 << 14 or n > MAX_VECTOR_BYTES:
            return None
        start = pos + 4
    else:
        return None
    stop = start + n
    return (start, stop) if stop <= end else None


def _read_private_message(data: bytes) -> PrivateMessage | None:
    """The PrivateMessage of an MLSMessage read in one pass, or None (see above)."""
    if data[:4] != _PRIVATE_MESSAGE_HEAD:
        return None
    group_id = _opaque_span(data, 4)
    if group_id is None:
        return None
    type_at = group_id[1] + 8  # after the uint64 epoch
    content_type = _CONTENT_TYPE_OF_BYTE.get(data[type_at]) if type_at < len(data) else None
    if content_type is None:
        return None
    aad = _opaque_span(data, type_at + 1)
    sender_data = aad and _opaque_span(data, aad[1])
    ciphertext = sender_data and _opaque_span(data, sender_data[1])
    if not (aad and sender_data and ciphertext) or ciphertext[1] != len(data):
        return None
    message = object.__new__(PrivateMessage)
    set_group_id, set_epoch, set_type, set_aad, set_sender_data, set_ciphertext, set_kept = (
        _SET_PRIVATE_FIELDS
    )
    set_group_id(message, data[group_id[0] : group_id[1]])
    set_epoch(message, int.from_bytes(data[group_id[1] : type_at], "big"))
    set_type(message, content_type)
    set_aad(message, data[aad[0] : aad[1]])
    set_sender_data(message, data[sender_data[0] : sender_data[1]])
    set_ciphertext(message, data[ciphertext[0] : ciphertext[1]])
    # PrivateContentAAD's bytes and where SenderDataAAD's end, as `decode` keeps them.
    set_kept(message, (data[4 : aad[1]], type_at + 1 - 4))
    return message


def peek_epoch(message: bytes) -> int | None:
    """The epoch of a PublicMessage or PrivateMessage, read from its first fields without
    decoding the rest (§6: both begin with group_id, then epoch), for routing a message
    before processing it. None for anything else or anything malformed; `process` still
    checks everything."""
    r = Reader(message)
    try:
        if r.u16() != 1:  # ProtocolVersion mls10
            return None
        if r.u16() not in (WireFormat.PUBLIC_MESSAGE, WireFormat.PRIVATE_MESSAGE):
            return None
        r.opaque()  # group_id
        return r.u64()
    except MLSDecodeError:
        return None


# --- one-pass reading of decrypted application content (§6.3.1) ----------------------

_SET_FRAMED_FIELDS = tuple(
    _slot_setter(FramedContent, name)
    for name in ("group_id", "epoch", "sender", "authenticated_data", "content", "_encoding")
)
_SET_AUTH_FIELDS = tuple(
    _slot_setter(FramedContentAuthData, name) for name in ("signature", "confirmation_tag")
)
_SET_AUTHENTICATED_FIELDS = tuple(
    _slot_setter(AuthenticatedContent, name) for name in ("wire_format", "content", "auth")
)


def read_private_application(
    message: PrivateMessage, leaf: int, plaintext: bytes
) -> AuthenticatedContent | None:
    """The AuthenticatedContent of a decrypted application PrivateMessageContent sent by
    member `leaf`, read in one pass, or None for anything else (then the general decoder
    reads it and gives its value or refusal; this path refuses nothing itself).

    PrivateMessageContent for application data is `opaque application_data<V>`, `opaque
    signature<V>`, zero padding (§6.3.1). The FramedContent's encoding, which the
    signature covers (§6.1), is joined from bytes at hand instead of encoded again: its
    group_id and epoch are the head of the PrivateContentAAD just used to decrypt, then
    the member sender, the AAD's `authenticated_data`, the content type and the
    plaintext's own `application_data<V>` (§6).
    """
    kept = message._aad
    if kept is None or message.content_type is not ContentType.APPLICATION:
        return None
    if not 0 <= leaf < 1 << 32:
        return None
    data = _opaque_span(plaintext, 0)
    signature = data and _opaque_span(plaintext, data[1])
    if not (data and signature):
        return None
    stop = signature[1]
    if plaintext.count(0, stop) != len(plaintext) - stop:
        return None  # non-zero padding: the general decoder refuses it
    content_aad, sender_data_aad_end = kept
    encoding = b"".join(
        (
            content_aad[: sender_data_aad_end - 1],  # opaque group_id<V>, uint64 epoch
            _MEMBER_APPLICATION_SENDER_HEAD,
            leaf.to_bytes(4, "big"),
            content_aad[sender_data_aad_end:],  # opaque authenticated_data<V>
            _APPLICATION_BYTE,
            plaintext[: data[1]],  # opaque application_data<V>
        )
    )
    set_group_id, set_epoch, set_sender, set_aad, set_content, set_encoding = _SET_FRAMED_FIELDS
    content = object.__new__(FramedContent)
    set_group_id(content, message.group_id)
    set_epoch(content, message.epoch)
    set_sender(content, _member_sender(leaf))
    set_aad(content, message.authenticated_data)
    set_content(content, plaintext[data[0] : data[1]])
    set_encoding(content, encoding)
    set_signature, set_tag = _SET_AUTH_FIELDS
    auth = object.__new__(FramedContentAuthData)
    set_signature(auth, plaintext[signature[0] : signature[1]])
    set_tag(auth, None)  # application content has no confirmation tag (§6.1)
    set_wire_format, set_content_of, set_auth = _SET_AUTHENTICATED_FIELDS
    authenticated = object.__new__(AuthenticatedContent)
    set_wire_format(authenticated, WireFormat.PRIVATE_MESSAGE)
    set_content_of(authenticated, content)
    set_auth(authenticated, auth)
    return authenticated


#: SenderType.MEMBER, before the leaf index (§6 Sender).
_MEMBER_APPLICATION_SENDER_HEAD = bytes([SenderType.MEMBER])
#: ContentType.APPLICATION, before the application data (§6 FramedContent).
_APPLICATION_BYTE = bytes([ContentType.APPLICATION])
