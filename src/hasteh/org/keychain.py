"""A bulletin key's chain, held by the editors a group names (issues 16 and 17).

A cell's bulletin key (`hasteh.org.bulletin`) and an alliance's (`hasteh.org.alliance`)
live by the same rules; only how a group names its editors and what counts as a reason
to rotate differ. Each kind builds a `Holders` from its state (what the rules read of
the group now) and hands it to the checks here:

* only a named editor posts an inbox (`EditorInbox`), issues (`KeyIssued`) or shares
  (`KeyShared`) the key; sealed copies go to named editors with an inbox, once each;
* **rotation is due** (`rotation_due`) when a holder of the current key was reported
  seized after it was issued, no longer sits where it sat (a leaf now held by someone
  else, or by nobody), or is no longer named. Then the only key accepted is one whose
  `RotationLink` is signed by the current key (Ed25519, RFC 8032 §5.1) over the new key
  and the digest of exactly that reason, issued by a holder the reason does not name; a
  rotation that is not due is refused, so a holder cannot quietly replace the key.

A holder is recorded by its leaf **and** an identity string (a cell member's cover name;
an alliance seat's pseudonym and the epoch it joined at), so a newcomer who lands on a
removed holder's leaf is not taken for that holder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from hasteh.org.errors import InvalidEvent
from hasteh.org.events import EventEnvelope, EventId, LeafIndex
from hasteh.org.events.bulletin import KeyIssued, KeyShared, SealedKey
from hasteh.org.newsroom import KeyRecord

__all__ = [
    "ROTATION_CONTEXT",
    "Holders",
    "KeyChain",
    "SeizedHolder",
    "check_inbox",
    "check_issued",
    "check_shared",
    "fold_inbox",
    "fold_issued",
    "fold_shared",
    "reason_digest",
    "rotation_body",
    "rotation_due",
    "seized_by",
]

#: Must equal `hasteh.publish.rotation.CONTEXT` (a test pins it): the same signed body.
ROTATION_CONTEXT: Final = b"hasteh-bulletin-rotation-v1\0"


def reason_digest(reason_id: bytes) -> bytes:
    """The 32 bytes a `Rotation` signs for the group's reason (an event id is 16)."""
    return hashlib.sha256(b"hasteh-bulletin-reason\0" + reason_id).digest()


def rotation_body(sequence: int, old: bytes, new: bytes, reason_id: bytes) -> bytes:
    """The body the old key signs (`hasteh.publish.rotation.Rotation.body`)."""
    return ROTATION_CONTEXT + sequence.to_bytes(4, "big") + old + new + reason_digest(reason_id)


@dataclass(frozen=True, slots=True)
class KeyChain:
    """The editors' inboxes and the key chain, oldest first (the last is current)."""

    inboxes: Mapping[LeafIndex, bytes] = field(default_factory=dict)
    keys: tuple[KeyRecord, ...] = ()

    @property
    def current_key(self) -> KeyRecord | None:
        return self.keys[-1] if self.keys else None


@dataclass(frozen=True, slots=True)
class SeizedHolder:
    """A seizure report: whose device (leaf and identity), when, by which event."""

    seizure_id: EventId
    leaf: LeafIndex
    identity: str
    at: int


def _no_removal(leaf: int, identity: str) -> EventId | None:
    return None


@dataclass(frozen=True, slots=True)
class Holders:
    """What the key's rules read of the group that holds it, as of now."""

    chain: KeyChain
    #: The editors the group names now (members only, none reported seized).
    named: frozenset[LeafIndex]
    #: Each member's identity now (leaf → cover name, or seat identity).
    identities: Mapping[LeafIndex, str]
    #: The decision (or motion) that named the current editors, if any.
    named_by: EventId | None = None
    seizures: tuple[SeizedHolder, ...] = ()
    #: The adopted decision that removed the holder `(leaf, identity)`, if the group has one.
    removal: Callable[[int, str], EventId | None] = _no_removal

    @property
    def current(self) -> KeyRecord | None:
        return self.chain.current_key


def rotation_due(h: Holders) -> EventId | None:
    """The reason the current key must be rotated, or None: the first holder reported
    seized after the key was issued (the seizure's id), no longer sitting where it sat
    or no longer named (the removal decision naming them, else the decision that named
    the current editors, else the key's own event)."""
    key = h.current
    if key is None:
        return None
    for seizure in sorted(h.seizures, key=lambda s: (s.at, s.seizure_id)):
        if seizure.at >= key.at and key.holders.get(seizure.leaf) == seizure.identity:
            return seizure.seizure_id
    for leaf, identity in sorted(key.holders.items()):
        if h.identities.get(leaf) == identity and leaf in h.named:
            continue
        removal = h.removal(leaf, identity)
        if removal is not None:
            return removal
        return h.named_by if h.named_by is not None else key.event_id
    return None


def seized_by(h: Holders, reason: EventId | None) -> LeafIndex | None:
    """The holder a seizure `reason` names (that holder must not rotate), if it is one."""
    found = next((s for s in h.seizures if s.seizure_id == reason), None)
    return found.leaf if found is not None else None


def _require_editor(h: Holders, leaf: int) -> None:
    if leaf not in h.named:
        raise InvalidEvent("bulletin-not-editor")


def check_inbox(h: Holders, author: int) -> None:
    _require_editor(h, author)


def fold_inbox(chain: KeyChain, author: int, public: bytes) -> KeyChain:
    return replace(chain, inboxes={**chain.inboxes, LeafIndex(author): public})


def _check_sealed(
    h: Holders, sealed: tuple[SealedKey, ...], holders: Mapping[LeafIndex, str]
) -> None:
    leaves = [s.leaf for s in sealed]
    if len(set(leaves)) != len(leaves):
        raise InvalidEvent("duplicate-id")
    for leaf in leaves:
        if leaf not in h.named or LeafIndex(leaf) not in h.chain.inboxes:
            raise InvalidEvent("bulletin-not-editor")
        if leaf in holders:
            raise InvalidEvent("duplicate-id")


def _verify(public: bytes, signature: bytes, message: bytes) -> bool:
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _holds(h: Holders, leaf: int) -> bool:
    """Whether `leaf` holds the current key and still sits where it sat."""
    current = h.current
    who = current.holders.get(LeafIndex(leaf)) if current is not None else None
    return who is not None and h.identities.get(LeafIndex(leaf)) == who


def check_issued(h: Holders, author: int, body: KeyIssued) -> None:
    """A first key (by a named editor), or the rotation that is due, signed by the
    current key (by a named editor, or by a holder the group no longer names: when it
    named others, someone who holds the key must hand it over)."""
    if h.current is None or not _holds(h, author):
        _require_editor(h, author)
    _check_sealed(h, body.sealed, {})
    if any(k.public == body.public for k in h.chain.keys):
        raise InvalidEvent("bulletin-bad-rotation", step="key-reused")
    current = h.current
    if current is None:
        if body.rotation is not None or body.reason_id is not None:
            raise InvalidEvent("bulletin-bad-rotation", step="no-key-to-rotate")
        return
    due = rotation_due(h)
    if due is None:
        raise InvalidEvent("bulletin-rotation-not-due")
    rotation = body.rotation
    if rotation is None or body.reason_id != due:
        raise InvalidEvent("bulletin-bad-rotation", step="reason")
    if rotation.old != current.public or rotation.sequence != len(h.chain.keys):
        raise InvalidEvent("bulletin-bad-rotation", step="chain")
    message = rotation_body(rotation.sequence, rotation.old, body.public, due)
    if not _verify(rotation.old, rotation.signature, message):
        raise InvalidEvent("bulletin-bad-rotation", step="signature")
    if seized_by(h, due) == author:
        raise InvalidEvent("bulletin-not-editor")


def fold_issued(h: Holders, env: EventEnvelope, body: KeyIssued) -> KeyChain:
    author = LeafIndex(env.author)
    # The author holds the new key only if named (a holder handing over does not).
    holders = {author: h.identities.get(author, "")} if author in h.named else {}
    holders |= {LeafIndex(s.leaf): h.identities.get(LeafIndex(s.leaf), "") for s in body.sealed}
    record = KeyRecord(
        EventId(env.event_id),
        body.public,
        env.at,
        LeafIndex(env.author),
        holders,
        body.sealed,
        body.rotation,
        EventId(body.reason_id) if body.reason_id is not None else None,
    )
    return replace(h.chain, keys=(*h.chain.keys, record))


def check_shared(h: Holders, author: int, body: KeyShared) -> None:
    """The current key sealed to named editors who do not hold it yet, by a holder."""
    _require_editor(h, author)
    current = h.current
    if current is None or current.public != body.public:
        raise InvalidEvent("bulletin-bad-key")
    if author not in current.holders:
        raise InvalidEvent("bulletin-not-editor")
    if rotation_due(h) is not None:
        raise InvalidEvent("bulletin-rotation-due")
    _check_sealed(h, body.sealed, current.holders)


def fold_shared(h: Holders, body: KeyShared) -> KeyChain:
    chain = h.chain
    current = chain.keys[-1]
    holders = {
        **current.holders,
        **{LeafIndex(s.leaf): h.identities.get(LeafIndex(s.leaf), "") for s in body.sealed},
    }
    current = replace(current, holders=holders, sealed=(*current.sealed, *body.sealed))
    return replace(chain, keys=(*chain.keys[:-1], current))
