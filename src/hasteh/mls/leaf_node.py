"""LeafNode, Capabilities and Lifetime (RFC 9420 §7.2): a member's signed self-description.

Codec only. Validation (§7.3: signature, lifetime, capabilities against the group, key
uniqueness) needs a group and belongs to the tree code; this module gives it the
`LeafNodeTBS` bytes (`LeafNode.tbs`) to verify or sign.

Capabilities hold plain ints, not enums: they advertise values this implementation may
not know, including GREASE values (§13.5), and must round-trip unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from .codec import Reader, Writer, decode_all, encode, opaque_bytes
from .credential import Credential, decode_credential
from .errors import MLSDecodeError, UsageError
from .extensions import Extension, decode_extensions, encode_extensions


class LeafNodeSource(IntEnum):
    """§7.2: why this leaf node was made; selects lifetime / nothing / parent_hash."""

    KEY_PACKAGE = 1
    UPDATE = 2
    COMMIT = 3


def _u16(w: Writer, v: int) -> None:
    w.u16(v)


@dataclass(frozen=True, slots=True)
class Capabilities:
    """§7.2: what a client supports, checked against the group's requirements (§7.3)."""

    versions: tuple[int, ...] = ()
    cipher_suites: tuple[int, ...] = ()
    extensions: tuple[int, ...] = ()
    proposals: tuple[int, ...] = ()
    credentials: tuple[int, ...] = ()

    def encode(self, w: Writer) -> None:
        for values in (
            self.versions,
            self.cipher_suites,
            self.extensions,
            self.proposals,
            self.credentials,
        ):
            w.vector(values, _u16)

    @classmethod
    def decode(cls, r: Reader) -> Capabilities:
        return cls(r.u16_vector(), r.u16_vector(), r.u16_vector(), r.u16_vector(), r.u16_vector())

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> Capabilities:
        return decode_all(data, cls.decode)


@dataclass(frozen=True, slots=True)
class Lifetime:
    """§7.2: the validity window (seconds since the Unix epoch) of a KeyPackage's leaf."""

    not_before: int
    not_after: int

    def encode(self, w: Writer) -> None:
        w.u64(self.not_before)
        w.u64(self.not_after)

    @classmethod
    def decode(cls, r: Reader) -> Lifetime:
        return cls(r.u64(), r.u64())

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> Lifetime:
        return decode_all(data, cls.decode)


@dataclass(frozen=True, slots=True)
class LeafNode:
    """§7.2 LeafNode. `lifetime` is set iff the source is key_package, `parent_hash`
    iff it is commit; construction enforces that so encode cannot emit a wrong select.

    A joiner encodes every leaf of the tree twice (LeafNodeTBS for the signature check,
    §7.3, and the leaf's tree hash input, §7.8), so the encoding is kept: a decoded leaf
    keeps the bytes it came from (the codec is canonical, so they are what encode would
    write), a built one its first encoding. LeafNodeTBS starts with the same fields, so
    it is those bytes without the trailing signature. `dataclasses.replace` (a re-signed
    leaf) makes a new value without them.
    """

    encryption_key: bytes
    signature_key: bytes
    credential: Credential
    capabilities: Capabilities
    leaf_node_source: LeafNodeSource
    extensions: tuple[Extension, ...]
    signature: bytes
    lifetime: Lifetime | None = None
    parent_hash: bytes | None = None
    _encoding: bytes | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        source = self.leaf_node_source
        if (self.lifetime is not None) != (source == LeafNodeSource.KEY_PACKAGE):
            raise UsageError("a LeafNode has a lifetime exactly when its source is key_package")
        if (self.parent_hash is not None) != (source == LeafNodeSource.COMMIT):
            raise UsageError("a LeafNode has a parent_hash exactly when its source is commit")

    def _encode_body(self, w: Writer) -> None:
        w.opaque(self.encryption_key)
        w.opaque(self.signature_key)
        self.credential.encode(w)
        self.capabilities.encode(w)
        w.u8(self.leaf_node_source)
        if self.lifetime is not None:
            self.lifetime.encode(w)
        if self.parent_hash is not None:
            w.opaque(self.parent_hash)
        encode_extensions(w, self.extensions)

    def _encoded(self) -> bytes:
        encoding = self._encoding
        if encoding is None:
            w = Writer()
            self._encode_body(w)
            w.opaque(self.signature)
            encoding = w.getvalue()
            object.__setattr__(self, "_encoding", encoding)
        return encoding

    def encode(self, w: Writer) -> None:
        w.raw(self._encoded())

    def tbs(self, group_id: bytes | None = None, leaf_index: int | None = None) -> bytes:
        """The `LeafNodeTBS` encoding (§7.2) signed with label "LeafNodeTBS".

        Leaves made for an update or a commit are bound to a group and position, so
        those sources require `group_id` and `leaf_index`; key_package leaves forbid them.
        """
        w = Writer()
        encoding = self._encoded()
        w.raw(encoding[: len(encoding) - len(opaque_bytes(self.signature))])
        if self.leaf_node_source == LeafNodeSource.KEY_PACKAGE:
            if group_id is not None or leaf_index is not None:
                raise UsageError("a key_package LeafNodeTBS has no group_id or leaf_index")
        else:
            if group_id is None or leaf_index is None:
                raise UsageError("update and commit LeafNodeTBS need group_id and leaf_index")
            w.opaque(group_id)
            w.u32(leaf_index)
        return w.getvalue()

    @classmethod
    def decode(cls, r: Reader) -> LeafNode:
        start = r.position
        encryption_key = r.opaque()
        signature_key = r.opaque()
        credential = decode_credential(r)
        capabilities = Capabilities.decode(r)
        raw_source = r.u8()
        try:
            source = LeafNodeSource(raw_source)
        except ValueError:
            raise MLSDecodeError(f"unknown leaf node source {raw_source}") from None
        lifetime = Lifetime.decode(r) if source == LeafNodeSource.KEY_PACKAGE else None
        parent_hash = r.opaque() if source == LeafNodeSource.COMMIT else None
        extensions = decode_extensions(r)
        signature = r.opaque()
        leaf = cls(
            encryption_key,
            signature_key,
            credential,
            capabilities,
            source,
            extensions,
            signature,
            lifetime,
            parent_hash,
        )
        object.__setattr__(leaf, "_encoding", r.since(start))
        return leaf

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> LeafNode:
        return decode_all(data, cls.decode)
