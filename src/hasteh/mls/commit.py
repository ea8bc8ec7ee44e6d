"""Commit and UpdatePath (RFC 9420 §12.4, §7.6): applying proposals and re-keying a path.

A Commit lists proposals inline or by reference (`ProposalRef`, §5.2) and optionally an
`UpdatePath` whose path secrets are HPKE-encrypted to the copath's resolution
(`HPKECiphertext`, also used by Welcome's EncryptedGroupSecrets, §12.4.3.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from . import labels
from .cipher_suite import CipherSuite
from .codec import Reader, Writer, decode_all, encode
from .errors import MLSDecodeError
from .leaf_node import LeafNode
from .proposals import Proposal, decode_proposal, encode_proposal

#: RefHash label for ProposalRef (§5.2).
PROPOSAL_REF_LABEL = "MLS 1.0 Proposal Reference"


class ProposalOrRefType(IntEnum):
    """§12.4 ProposalOrRefType."""

    PROPOSAL = 1
    REFERENCE = 2


@dataclass(frozen=True, slots=True)
class ProposalRef:
    """A proposal sent earlier, named by RefHash over its AuthenticatedContent (§5.2).

    A distinct type so a reference is never mistaken for other opaque bytes."""

    value: bytes

    def encode(self, w: Writer) -> None:
        w.opaque(self.value)

    @classmethod
    def decode(cls, r: Reader) -> ProposalRef:
        return cls(r.opaque())

    @classmethod
    def of(cls, suite: CipherSuite, authenticated_content: bytes) -> ProposalRef:
        """RefHash("MLS 1.0 Proposal Reference", AuthenticatedContent) (§5.2)."""
        return cls(labels.ref_hash(suite, PROPOSAL_REF_LABEL, authenticated_content))


#: `ProposalOrRef` (§12.4): an inline proposal or a reference to one.
ProposalOrRef = Proposal | ProposalRef


def encode_proposal_or_ref(w: Writer, item: ProposalOrRef) -> None:
    if isinstance(item, ProposalRef):
        w.u8(ProposalOrRefType.REFERENCE)
        item.encode(w)
    else:
        w.u8(ProposalOrRefType.PROPOSAL)
        encode_proposal(w, item)


def decode_proposal_or_ref(r: Reader) -> ProposalOrRef:
    kind = r.u8()
    if kind == ProposalOrRefType.PROPOSAL:
        return decode_proposal(r)
    if kind == ProposalOrRefType.REFERENCE:
        return ProposalRef.decode(r)
    raise MLSDecodeError(f"unknown ProposalOrRef type {kind}")


@dataclass(frozen=True, slots=True)
class HPKECiphertext:
    """§7.6: an HPKE encapsulation and the AEAD ciphertext it keys."""

    kem_output: bytes
    ciphertext: bytes

    def encode(self, w: Writer) -> None:
        w.opaque(self.kem_output)
        w.opaque(self.ciphertext)

    @classmethod
    def decode(cls, r: Reader) -> HPKECiphertext:
        return cls(r.opaque(), r.opaque())

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> HPKECiphertext:
        return decode_all(data, cls.decode)


@dataclass(frozen=True, slots=True)
class UpdatePathNode:
    """§7.6: a new public key on the sender's filtered direct path, and its path secret
    encrypted once per node in the copath child's resolution."""

    encryption_key: bytes
    encrypted_path_secret: tuple[HPKECiphertext, ...]

    def encode(self, w: Writer) -> None:
        w.opaque(self.encryption_key)
        w.vector(self.encrypted_path_secret, lambda w2, c: c.encode(w2))

    @classmethod
    def decode(cls, r: Reader) -> UpdatePathNode:
        return cls(r.opaque(), tuple(r.vector(HPKECiphertext.decode)))

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> UpdatePathNode:
        return decode_all(data, cls.decode)


@dataclass(frozen=True, slots=True)
class UpdatePath:
    """§7.6: the committer's new leaf node and its re-keyed filtered direct path."""

    leaf_node: LeafNode
    nodes: tuple[UpdatePathNode, ...]

    def encode(self, w: Writer) -> None:
        self.leaf_node.encode(w)
        w.vector(self.nodes, lambda w2, n: n.encode(w2))

    @classmethod
    def decode(cls, r: Reader) -> UpdatePath:
        return cls(LeafNode.decode(r), tuple(r.vector(UpdatePathNode.decode)))

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> UpdatePath:
        return decode_all(data, cls.decode)


@dataclass(frozen=True, slots=True)
class Commit:
    """§12.4: the proposals to apply, in order, and the optional path update."""

    proposals: tuple[ProposalOrRef, ...]
    path: UpdatePath | None = None

    def encode(self, w: Writer) -> None:
        w.vector(self.proposals, encode_proposal_or_ref)
        w.optional(self.path, lambda w2, p: p.encode(w2))

    @classmethod
    def decode(cls, r: Reader) -> Commit:
        proposals = tuple(r.vector(decode_proposal_or_ref))
        return cls(proposals, r.optional(UpdatePath.decode))

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> Commit:
        return decode_all(data, cls.decode)
