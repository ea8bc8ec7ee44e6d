"""Proposals (RFC 9420 §12.1): the changes a Commit can apply to a group.

Each proposal kind is its own frozen class holding the §12.1.x body; `Proposal` is their
union, and `encode_proposal`/`decode_proposal` add and read the `ProposalType` tag.
`ProposalType` is a uint16 registry (§17.4), but `Proposal`'s select gives no length,
so a proposal of a type not defined here cannot be delimited: `MLSDecodeError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar

from .codec import Reader, Writer, decode_all, encode
from .errors import MLSDecodeError
from .extensions import Extension, decode_extensions, encode_extensions
from .key_package import KeyPackage
from .leaf_node import LeafNode
from .psk_id import PreSharedKeyID


class ProposalType(IntEnum):
    """§17.4 registered proposal types that RFC 9420 defines."""

    ADD = 0x0001
    UPDATE = 0x0002
    REMOVE = 0x0003
    PSK = 0x0004
    REINIT = 0x0005
    EXTERNAL_INIT = 0x0006
    GROUP_CONTEXT_EXTENSIONS = 0x0007


@dataclass(frozen=True, slots=True)
class Add:
    """§12.1.1: add the client that published `key_package`."""

    key_package: KeyPackage
    proposal_type: ClassVar[ProposalType] = ProposalType.ADD

    def encode(self, w: Writer) -> None:
        self.key_package.encode(w)

    @classmethod
    def decode(cls, r: Reader) -> Add:
        return cls(KeyPackage.decode(r))

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> Add:
        return decode_all(data, cls.decode)


@dataclass(frozen=True, slots=True)
class Update:
    """§12.1.2: the sender replaces its own leaf node."""

    leaf_node: LeafNode
    proposal_type: ClassVar[ProposalType] = ProposalType.UPDATE

    def encode(self, w: Writer) -> None:
        self.leaf_node.encode(w)

    @classmethod
    def decode(cls, r: Reader) -> Update:
        return cls(LeafNode.decode(r))

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> Update:
        return decode_all(data, cls.decode)


@dataclass(frozen=True, slots=True)
class Remove:
    """§12.1.3: remove the member at leaf index `removed`."""

    removed: int
    proposal_type: ClassVar[ProposalType] = ProposalType.REMOVE

    def encode(self, w: Writer) -> None:
        w.u32(self.removed)

    @classmethod
    def decode(cls, r: Reader) -> Remove:
        return cls(r.u32())

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> Remove:
        return decode_all(data, cls.decode)


@dataclass(frozen=True, slots=True)
class PreSharedKey:
    """§12.1.4: inject the PSK `psk` into the next epoch's key schedule."""

    psk: PreSharedKeyID
    proposal_type: ClassVar[ProposalType] = ProposalType.PSK

    def encode(self, w: Writer) -> None:
        self.psk.encode(w)

    @classmethod
    def decode(cls, r: Reader) -> PreSharedKey:
        return cls(PreSharedKeyID.decode(r))

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> PreSharedKey:
        return decode_all(data, cls.decode)


@dataclass(frozen=True, slots=True)
class ReInit:
    """§12.1.5: close this group and restart it with new parameters. `version` and
    `cipher_suite` stay plain ints: a reinit may name a version or suite this client
    cannot use, which is a policy decision, not a malformed message."""

    group_id: bytes
    version: int
    cipher_suite: int
    extensions: tuple[Extension, ...]
    proposal_type: ClassVar[ProposalType] = ProposalType.REINIT

    def encode(self, w: Writer) -> None:
        w.opaque(self.group_id)
        w.u16(self.version)
        w.u16(self.cipher_suite)
        encode_extensions(w, self.extensions)

    @classmethod
    def decode(cls, r: Reader) -> ReInit:
        return cls(r.opaque(), r.u16(), r.u16(), decode_extensions(r))

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> ReInit:
        return decode_all(data, cls.decode)


@dataclass(frozen=True, slots=True)
class ExternalInit:
    """§12.1.6: the KEM output an external joiner used against the group's external_pub."""

    kem_output: bytes
    proposal_type: ClassVar[ProposalType] = ProposalType.EXTERNAL_INIT

    def encode(self, w: Writer) -> None:
        w.opaque(self.kem_output)

    @classmethod
    def decode(cls, r: Reader) -> ExternalInit:
        return cls(r.opaque())

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> ExternalInit:
        return decode_all(data, cls.decode)


@dataclass(frozen=True, slots=True)
class GroupContextExtensions:
    """§12.1.7: replace the group context's extensions wholesale."""

    extensions: tuple[Extension, ...]
    proposal_type: ClassVar[ProposalType] = ProposalType.GROUP_CONTEXT_EXTENSIONS

    def encode(self, w: Writer) -> None:
        encode_extensions(w, self.extensions)

    @classmethod
    def decode(cls, r: Reader) -> GroupContextExtensions:
        return cls(decode_extensions(r))

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> GroupContextExtensions:
        return decode_all(data, cls.decode)


#: `Proposal` (§12.1): one of the kinds above.
Proposal = Add | Update | Remove | PreSharedKey | ReInit | ExternalInit | GroupContextExtensions

_BODIES: dict[int, type[Proposal]] = {
    ProposalType.ADD: Add,
    ProposalType.UPDATE: Update,
    ProposalType.REMOVE: Remove,
    ProposalType.PSK: PreSharedKey,
    ProposalType.REINIT: ReInit,
    ProposalType.EXTERNAL_INIT: ExternalInit,
    ProposalType.GROUP_CONTEXT_EXTENSIONS: GroupContextExtensions,
}


def encode_proposal(w: Writer, proposal: Proposal) -> None:
    """`Proposal`: the uint16 proposal_type, then the body."""
    w.u16(proposal.proposal_type)
    proposal.encode(w)


def decode_proposal(r: Reader) -> Proposal:
    proposal_type = r.u16()
    body = _BODIES.get(proposal_type)
    if body is None:
        raise MLSDecodeError(f"unknown proposal type 0x{proposal_type:04x}")
    return body.decode(r)


def proposal_to_bytes(proposal: Proposal) -> bytes:
    w = Writer()
    encode_proposal(w, proposal)
    return w.getvalue()


def proposal_from_bytes(data: bytes) -> Proposal:
    return decode_all(data, decode_proposal)
