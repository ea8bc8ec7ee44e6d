"""ParentNode (RFC 9420 §7.1): the public state of an interior node of the ratchet tree."""

from __future__ import annotations

from dataclasses import dataclass

from .codec import Reader, Writer, decode_all, encode


def _u32(w: Writer, v: int) -> None:
    w.u32(v)


@dataclass(frozen=True, slots=True)
class ParentNode:
    """§7.1: an HPKE key shared by the leaves below, the parent hash binding it to its
    parent (§7.9), and the leaves added below since the key was set (unmerged)."""

    encryption_key: bytes
    parent_hash: bytes
    unmerged_leaves: tuple[int, ...] = ()

    def encode(self, w: Writer) -> None:
        w.opaque(self.encryption_key)
        w.opaque(self.parent_hash)
        w.vector(self.unmerged_leaves, _u32)

    @classmethod
    def decode(cls, r: Reader) -> ParentNode:
        return cls(r.opaque(), r.opaque(), tuple(r.vector(Reader.u32)))

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> ParentNode:
        return decode_all(data, cls.decode)
