"""GroupContext: the summary of a group's state that every epoch secret binds (RFC 9420 §8.1)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .codec import Reader, Writer, decode_all
from .errors import MLSDecodeError
from .extensions import Extension, decode_extensions, encode_extensions

#: ProtocolVersion mls10 (§6).
MLS10 = 1


@dataclass(frozen=True)
class GroupContext:
    cipher_suite: int
    group_id: bytes
    epoch: int
    tree_hash: bytes
    confirmed_transcript_hash: bytes
    extensions: tuple[Extension, ...] = ()
    version: int = MLS10

    @cached_property
    def encoded(self) -> bytes:
        """The encoding, computed once: every signature and tag of an epoch covers it."""
        w = Writer()
        self._encode_fields(w)
        return w.getvalue()

    def encode(self, w: Writer) -> None:
        w.raw(self.encoded)

    def _encode_fields(self, w: Writer) -> None:
        w.u16(self.version)
        w.u16(self.cipher_suite)
        w.opaque(self.group_id)
        w.u64(self.epoch)
        w.opaque(self.tree_hash)
        w.opaque(self.confirmed_transcript_hash)
        encode_extensions(w, self.extensions)

    @classmethod
    def decode(cls, r: Reader) -> GroupContext:
        version = r.u16()
        if version != MLS10:
            raise MLSDecodeError(f"unsupported protocol version {version}")
        cipher_suite = r.u16()
        group_id = r.opaque()
        epoch = r.u64()
        tree_hash = r.opaque()
        cth = r.opaque()
        extensions = decode_extensions(r)
        return cls(cipher_suite, group_id, epoch, tree_hash, cth, extensions, version)

    def to_bytes(self) -> bytes:
        return self.encoded

    @classmethod
    def from_bytes(cls, data: bytes) -> GroupContext:
        return decode_all(data, cls.decode)
