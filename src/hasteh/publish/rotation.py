"""The bulletin key's rotation chain: each new key signed by the one it replaces.

A key is rotated when an editor who holds it is removed or their device is reported
seized. The cell publishes a `Rotation`: the old public key, the new one, a sequence
number and the id of the cell decision that ordered it, signed by the old key (so a
reader who trusted the old key can follow to the new one without meeting anyone). The
cell decision itself is checked by the cell (`hasteh.org`), not here.

    root key ──Rotation 1──▶ key 2 ──Rotation 2──▶ key 3 (current)

`follow` walks a chain from a key the reader already trusts and returns the current key
and the retired ones; `verify` in `signing.py` then reports a file signed by a retired
key as such (a seized key may be used by whoever seized it).

Wire form of the signed body: CONTEXT | sequence (4, big-endian) | old (32) | new (32) |
decision id (32); the signature is Ed25519 (RFC 8032) by `old`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from hasteh.publish.keys import BulletinKey, fingerprint_of, verify_with

__all__ = ["ChainBroken", "ChainState", "Rotation", "follow", "rotate"]

CONTEXT: Final = b"hasteh-bulletin-rotation-v1\0"
MAX_LINKS: Final = 1000


class ChainBroken(ValueError):
    """A rotation chain that does not hold; `reason` says where it breaks."""

    def __init__(self, reason: str, index: int) -> None:
        super().__init__(f"{reason} at link {index}")
        self.reason = reason
        self.index = index


@dataclass(frozen=True, slots=True)
class Rotation:
    sequence: int
    old: bytes
    new: bytes
    decision: bytes
    signature: bytes

    def body(self) -> bytes:
        return CONTEXT + self.sequence.to_bytes(4, "big") + self.old + self.new + self.decision


@dataclass(frozen=True, slots=True)
class ChainState:
    """Where a chain leads: the current key's fingerprint and the retired ones."""

    current: bytes
    retired: frozenset[bytes]


def rotate(old: BulletinKey, new_public: bytes, sequence: int, decision: bytes) -> Rotation:
    """`old`'s signed statement that `new_public` replaces it (link `sequence`, from 1)."""
    if len(new_public) != 32 or len(decision) != 32 or not 0 < sequence < 2**32:
        raise ValueError("a 32-byte key, a 32-byte decision id and a sequence from 1")
    unsigned = Rotation(sequence, old.public, new_public, decision, b"")
    return Rotation(sequence, old.public, new_public, decision, old.sign(unsigned.body()))


def follow(trusted_root: bytes, links: Sequence[Rotation]) -> ChainState:
    """Walk `links` from the key whose fingerprint is `trusted_root`; `ChainBroken` if a
    link is out of order, starts from another key, reuses a key, or is not signed by
    the key it replaces."""
    if len(links) > MAX_LINKS:
        raise ChainBroken("too-long", MAX_LINKS)
    current = trusted_root
    retired: set[bytes] = set()
    for index, link in enumerate(links):
        if link.sequence != index + 1:
            raise ChainBroken("out-of-order", index)
        if fingerprint_of(link.old) != current:
            raise ChainBroken("wrong-old-key", index)
        new = fingerprint_of(link.new)
        if new in retired or new == current:
            raise ChainBroken("key-reused", index)
        if not verify_with(link.old, link.signature, link.body()):
            raise ChainBroken("bad-signature", index)
        retired.add(current)
        current = new
    return ChainState(current, frozenset(retired))
