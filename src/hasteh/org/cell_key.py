"""The cell's key: an Ed25519 key (RFC 8032) that speaks for a cell in its alliances.

A cell's delegate and alternate (and members the cell names) hold it; it signs only
after a cell decision: the registration of the alternate chosen by an election, the
recall of a delegate, the cell's signature on an alliance's tally, the rotation to a
new key. The alliance knows each member cell's public key (`AllianceState.cell_keys`),
so any delegate can check that a recall really comes from the cell, without learning
who is in it: the key names no person, and every signed statement below carries the
cell's pseudonym in the alliance, never its name.

Every signed body starts with its own context string, so a signature made for one
purpose is worth nothing for another (a tally signature cannot be replayed as a recall).

    possession  CONTEXT | pseudonym | key                   proves the key is held
    alternate   CONTEXT | pseudonym | card fingerprint      the cell's alternate
    recall      CONTEXT | pseudonym | card fingerprint | ref swap in the alternate
    rotation    CONTEXT | sequence (4) | old | new | ref    like the bulletin key's chain
    tally       CONTEXT | msgpack(motion, question, votes, outcome)

`ref` is `decision_ref` of the cell decision's id. A pseudonym is length-prefixed (2
bytes), so no two (pseudonym, rest) pairs share a body.
Signing is pure (seed in, signature out); where the seed lives is the app's business.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Final

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from hasteh.org.events import MotionOutcome
from hasteh.org.events.fed import TallyVote

__all__ = [
    "KEY_SIZE",
    "SIGNATURE_SIZE",
    "alternate_body",
    "decision_ref",
    "mandate_ref",
    "possession_body",
    "public_of",
    "recall_body",
    "rotation_body",
    "sign",
    "tally_body",
    "verify",
]

KEY_SIZE: Final = 32
SIGNATURE_SIZE: Final = 64

_POSSESSION: Final = b"hasteh-cell-key-possession-v1\0"
_ALTERNATE: Final = b"hasteh-cell-key-alternate-v1\0"
_RECALL: Final = b"hasteh-cell-key-recall-v1\0"
_ROTATION: Final = b"hasteh-cell-key-rotation-v1\0"
_MANDATE: Final = b"hasteh-cell-mandate-v1\0"
_DECISION_REF: Final = b"hasteh-cell-decision-ref-v1\0"
_TALLY: Final = b"hasteh-alliance-tally-v1\0"


def _name(pseudonym: str) -> bytes:
    raw = pseudonym.encode()
    return len(raw).to_bytes(2, "big") + raw


def possession_body(pseudonym: str, key: bytes) -> bytes:
    return _POSSESSION + _name(pseudonym) + key


def alternate_body(pseudonym: str, card_fingerprint: bytes) -> bytes:
    return _ALTERNATE + _name(pseudonym) + card_fingerprint


def recall_body(pseudonym: str, card_fingerprint: bytes, recall: bytes) -> bytes:
    return _RECALL + _name(pseudonym) + card_fingerprint + recall


def rotation_body(sequence: int, old: bytes, new: bytes, decision: bytes) -> bytes:
    return _ROTATION + sequence.to_bytes(4, "big") + old + new + decision


def tally_body(
    motion_id: bytes, question: str, votes: Iterable[TallyVote], outcome: MotionOutcome
) -> bytes:
    """What every cell signs of a closed motion: its id and question, each cell's vote
    (sorted by pseudonym, so every delegate builds the same bytes) and the outcome."""
    ordered = sorted(votes, key=lambda v: v.cell)
    return _TALLY + msgspec.msgpack.encode((motion_id, question, ordered, outcome))


def mandate_ref(decision_id: bytes, motion_id: bytes) -> bytes:
    """What a delegate's vote carries instead of the cell's decision id: a commitment the
    cell can recompute (it knows both ids) and nobody else can link to the cell's log."""
    return hashlib.sha256(_MANDATE + decision_id + motion_id).digest()


def decision_ref(decision_id: bytes) -> bytes:
    """A cell decision as the alliance sees it (in a recall, a rotation): a commitment
    the cell can recompute; the decision's id itself never leaves the cell."""
    return hashlib.sha256(_DECISION_REF + decision_id).digest()


def public_of(seed: bytes) -> bytes:
    """The raw 32-byte public key of a 32-byte private seed."""
    private = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    return private.public_key().public_bytes_raw()


def sign(seed: bytes, body: bytes) -> bytes:
    return ed25519.Ed25519PrivateKey.from_private_bytes(seed).sign(body)


def verify(key: bytes, body: bytes, signature: bytes) -> bool:
    """Whether `signature` is `key`'s over `body`; never raises (a bad key is a no)."""
    if len(key) != KEY_SIZE or len(signature) != SIGNATURE_SIZE:
        return False
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(key).verify(signature, body)
    except (InvalidSignature, ValueError):
        return False
    return True
