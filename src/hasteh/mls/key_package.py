"""KeyPackage (RFC 9420 §10): a client's signed offer to be added to groups.

Codec, the to-be-signed bytes and the KeyPackageRef (§5.2). Validation (§10.1: suite and
version match the group, signature, leaf node, init_key differs from encryption_key)
belongs to the code that processes Add proposals and Welcomes.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import labels
from .cipher_suite import CipherSuite
from .codec import Reader, Writer, decode_all, encode
from .errors import MLSDecodeError
from .extensions import Extension, decode_extensions, encode_extensions
from .group_context import MLS10
from .leaf_node import LeafNode

#: Label for SignWithLabel over KeyPackageTBS (§10).
KEY_PACKAGE_TBS_LABEL = "KeyPackageTBS"
#: RefHash label for KeyPackageRef (§5.2).
KEY_PACKAGE_REF_LABEL = "MLS 1.0 KeyPackage Reference"


@dataclass(frozen=True, slots=True)
class KeyPackage:
    """§10 KeyPackage. `version` must be mls10: the encoding after it is mls10's, so any
    other value is undecodable here (as in GroupContext)."""

    cipher_suite: int
    init_key: bytes
    leaf_node: LeafNode
    extensions: tuple[Extension, ...]
    signature: bytes
    version: int = MLS10

    def _encode_tbs(self, w: Writer) -> None:
        w.u16(self.version)
        w.u16(self.cipher_suite)
        w.opaque(self.init_key)
        self.leaf_node.encode(w)
        encode_extensions(w, self.extensions)

    def tbs(self) -> bytes:
        """The KeyPackageTBS encoding: everything except the signature (§10)."""
        w = Writer()
        self._encode_tbs(w)
        return w.getvalue()

    def encode(self, w: Writer) -> None:
        self._encode_tbs(w)
        w.opaque(self.signature)

    @classmethod
    def decode(cls, r: Reader) -> KeyPackage:
        version = r.u16()
        if version != MLS10:
            raise MLSDecodeError(f"unsupported protocol version {version}")
        cipher_suite = r.u16()
        init_key = r.opaque()
        leaf_node = LeafNode.decode(r)
        extensions = decode_extensions(r)
        signature = r.opaque()
        return cls(cipher_suite, init_key, leaf_node, extensions, signature, version)

    def ref(self, suite: CipherSuite) -> bytes:
        """KeyPackageRef = RefHash("MLS 1.0 KeyPackage Reference", KeyPackage) (§5.2)."""
        return labels.ref_hash(suite, KEY_PACKAGE_REF_LABEL, self.to_bytes())

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> KeyPackage:
        return decode_all(data, cls.decode)
