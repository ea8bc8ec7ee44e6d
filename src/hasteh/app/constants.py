"""What every layer of `hasteh.app` agrees on: the cipher suite of new cells, the group
configuration, and what a card's leaf says (its fingerprint and cover name).

It sits at the bottom of `app` (docs/architecture.md, "Inside `hasteh.app`") so that the
card codec (`cards`) and the cell runtime (`runtime`) read the same values without
importing each other.
"""

from __future__ import annotations

import hashlib
from typing import Final

from hasteh.mls.group import GroupConfig
from hasteh.mls.leaf_node import LeafNode
from hasteh.org import OrgError
from hasteh.org.names import clean_name

__all__ = ["ALARM_KINDS", "CONFIG", "SUITE", "card_fingerprint", "cover_name_of"]

#: The cipher suite of new cells: MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519.
SUITE: Final = 1
#: Handshakes as PrivateMessages: even a member's relay sees no membership change.
CONFIG: Final = GroupConfig(encrypt_handshake=True)

#: The alarms a member raises by hand (`raise_alarm`), with the English text members see
#: (a gettext msgid). The slug travels in the `Alarm` event; each face translates it.
ALARM_KINDS: dict[str, str] = {
    "safety-words-differ": "the safety words differ",
    "unknown-member": "someone in the cell is not who they say they are",
    "device-at-risk": "a member's device may be watched or taken",
    "other": "something is wrong",
}


def card_fingerprint(leaf: LeafNode) -> bytes:
    """What `NewcomerProposed.card_fingerprint` holds: SHA-256 over a label and the card's
    signature key, recomputable from the ratchet tree once the newcomer is added."""
    return hashlib.sha256(b"hasteh/card/v1\x00" + leaf.signature_key).digest()


def cover_name_of(leaf: LeafNode) -> str:
    """The cover name a credential carries, cleaned (`hasteh.org.names`); "?" for one that
    is not a clean name (the commit then differs from the approved name: an alarm)."""
    identity = bytes(getattr(leaf.credential, "identity", b""))
    try:
        name = identity.decode("utf-8")
        return name if clean_name(name) == name else "?"
    except (UnicodeDecodeError, OrgError):
        return "?"
