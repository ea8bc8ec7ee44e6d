"""Extensions (RFC 9420 §13): a typed, opaque payload; a list must not repeat a type."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .codec import Reader, Writer
from .errors import InvalidMessage

# ExtensionType values (§17.3).
APPLICATION_ID = 0x0001
RATCHET_TREE = 0x0002
REQUIRED_CAPABILITIES = 0x0003
EXTERNAL_PUB = 0x0004
EXTERNAL_SENDERS = 0x0005


@dataclass(frozen=True, slots=True)
class Extension:
    extension_type: int
    extension_data: bytes

    def encode(self, w: Writer) -> None:
        w.u16(self.extension_type)
        w.opaque(self.extension_data)

    @classmethod
    def decode(cls, r: Reader) -> Extension:
        return cls(r.u16(), r.opaque())


def encode_extensions(w: Writer, extensions: tuple[Extension, ...]) -> None:
    w.vector(extensions, lambda w2, e: e.encode(w2))


def decode_extensions(r: Reader) -> tuple[Extension, ...]:
    return tuple(r.vector(Extension.decode))


def check_unique(extensions: Iterable[Extension], what: str = "an extension list") -> None:
    """RFC 9420 §13.4: "Any field containing a list of extensions MUST NOT have more
    than one extension of any given type" (leaf nodes, key packages, UpdatePath
    leaves, GroupContext, GroupInfo)."""
    types = [e.extension_type for e in extensions]
    if len(types) != len(set(types)):
        raise InvalidMessage("duplicate-extension", f"{what} repeats an extension type")
