"""A bulletin key on an editor's device (issues 16 and 17): held in the vault, delivered
sealed to the editors the group names, rotated when a holder is removed or reported
seized, and deleted when this device must no longer hold it.

Any kind of group may hold one: a cell (its newsroom's key, `hasteh.org.bulletin`) and
an alliance (the nationwide bulletin's key, `hasteh.org.alliance`). What differs is how
the group names its editors and why a key must be rotated; the kind hands that over as a
`HoldersOf` (its state → `hasteh.org.keychain.Holders`), and everything below is the
same for both.

The bulletin key lives in the vault (`CellRecord.bulletin_keys`) of the named editors
only. It reaches them sealed (HPKE, RFC 9180 base mode: DHKEM(X25519), HKDF-SHA256,
ChaCha20-Poly1305) to the inbox key each editor posts (`EditorInbox`), inside the group's
MLS messages; the info binds the group's id and the aad the key and the leaf, so a
sealed copy cannot be replayed to another group or another editor. Other members store a
ciphertext they cannot open. `duties` runs with the group's other duties on every sync
(`hasteh.app.cell_domain`, `hasteh.app.alliance_domain`), so nobody has to press a button:

* a named editor without an inbox posts one;
* with no key yet, the editor with the lowest leaf among those with an inbox makes the
  key and seals it to the others; later inboxes get it from the lowest-leaf holder;
* a sealed copy for this device is opened and kept; a key that is no longer the group's
  current one, and every key (and the inbox) once this member is no longer an editor,
  is **deleted** from the vault (free pages shredded, `secrets_deleted`);
* when a rotation is due (`org.keychain.rotation_due`: a holder seized, removed or no
  longer named), the lowest-leaf remaining holder makes a new key, signs the rotation
  with the old one over the group's reason, and seals the new key to the editors.

This module imports nothing of the app above the runtime (the kinds' domains run it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from hasteh import org
from hasteh.app import runtime
from hasteh.app.runtime import GroupRuntime
from hasteh.mls import hpke
from hasteh.mls.cipher_suite import Rng
from hasteh.org import bulletin as cell_rules
from hasteh.org import keychain
from hasteh.org.events import EditorInbox, KeyIssued, KeyShared
from hasteh.org.events.bulletin import RotationLink, SealedKey
from hasteh.org.newsroom import KeyRecord
from hasteh.publish.keys import BulletinKey
from hasteh.vault import Connection
from hasteh.vault.db import secrets_deleted

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = ["AEAD", "KDF", "KEM", "HoldersOf", "duties", "held_key"]

#: HPKE suite of the sealed key (RFC 9180 §7): DHKEM(X25519), HKDF-SHA256, ChaCha20Poly1305.
KEM: Final = 0x0020
KDF: Final = 0x0001
AEAD: Final = 0x0003
_INFO: Final = b"hasteh bulletin key v1\0"

#: What a kind of group hands over: its folded state → what the key's rules read of it.
HoldersOf = Callable[[Any], keychain.Holders]
#: A group of any kind, in memory.
Runtime = GroupRuntime[Any]


# --- the key -------------------------------------------------------------------------------


def held_key(rt: Runtime, holders_of: HoldersOf = cell_rules.holders) -> BulletinKey | None:
    """The group's current bulletin key, if this device holds it (a cell's by default)."""
    current = holders_of(rt.org).current
    if current is None:
        return None
    seed = rt.record.bulletin_keys.get(current.public.hex())
    return None if seed is None else BulletinKey.from_seed(seed)


def _seal(
    rt: Runtime, h: keychain.Holders, seed: bytes, public: bytes, leaf: int, rng: Rng
) -> SealedKey:
    inbox = h.chain.inboxes[org.LeafIndex(leaf)]
    enc, ct = hpke.seal_base(
        KEM, KDF, AEAD, inbox, _INFO + rt.group_id, public + leaf.to_bytes(4, "big"), seed, rng=rng
    )
    return SealedKey(leaf, enc, ct)


def _open(rt: Runtime, record: KeyRecord) -> bytes | None:
    """This device's sealed copy of `record`'s key, opened, or None."""
    me = rt.own_leaf
    mine = next((s for s in record.sealed if s.leaf == me), None)
    if mine is None or not rt.record.bulletin_inbox:
        return None
    aad = record.public + me.to_bytes(4, "big")
    try:
        seed = hpke.open_base(
            KEM, KDF, AEAD, mine.enc, rt.record.bulletin_inbox, _INFO + rt.group_id, aad, mine.ct
        )
    except Exception:
        return None  # not ours to open (a stale inbox); the holder will share again
    return seed if BulletinKey.from_seed(seed).public == record.public else None


def _keep(ws: Workspace, rt: Runtime, keys: dict[str, bytes], inbox: bytes | None) -> None:
    """Replace the keys this device holds (and its inbox), shredding what is dropped."""
    dropped = set(rt.record.bulletin_keys) - set(keys)

    def run(conn: Connection) -> None:
        rt.record.bulletin_keys = keys
        if inbox is not None:
            rt.record.bulletin_inbox = inbox
        rt.record_dirty = True
        if dropped or inbox == b"":
            secrets_deleted(conn)

    runtime.write(ws, rt, run)


def _holds_key_duties(ws: Workspace, rt: Runtime, h: keychain.Holders) -> int:
    """Keep exactly the current key when this member is an editor, none otherwise."""
    me = rt.own_leaf
    named = me in h.named
    current = h.current
    wanted: dict[str, bytes] = {}
    if named and current is not None:
        held = rt.record.bulletin_keys.get(current.public.hex())
        if held is None and me in current.holders:
            held = _open(rt, current)
        if held is not None:
            wanted[current.public.hex()] = held
    inbox = None if named else b""
    if wanted != rt.record.bulletin_keys or (inbox == b"" and rt.record.bulletin_inbox):
        _keep(ws, rt, wanted, inbox)
        return 1
    return 0


def duties(ws: Workspace, rt: Runtime, holders_of: HoldersOf = cell_rules.holders) -> int:
    """What this member must do for the group's bulletin key now (see the module
    docstring); how many events or vault changes. A device removed from the group
    deletes every key and its inbox (an honest one: a seized device is why the group
    rotates)."""
    if rt.aside:
        return 0
    if rt.group is None or rt.record.removed:
        if rt.record.bulletin_keys or rt.record.bulletin_inbox:
            _keep(ws, rt, {}, b"")
            return 1
        return 0
    # A holder the group no longer names hands over first, if no named holder is left
    # to do it; then every device keeps exactly what it may hold. Our own pending
    # events count (`rt.org`): a key we just issued is kept.
    done = _hand_over(ws, rt, holders_of(rt.org), holders_of)
    done += _holds_key_duties(ws, rt, holders_of(rt.org))
    h = holders_of(rt.org)
    me = rt.own_leaf
    named = h.named
    if me not in named:  # seized members are not editors
        return done
    if org.LeafIndex(me) not in h.chain.inboxes or not rt.record.bulletin_inbox:
        sk, pk = hpke.generate_key_pair(KEM, ws.rng)
        _keep(ws, rt, dict(rt.record.bulletin_keys), sk)
        runtime.send_event(ws, rt, EditorInbox(pk))
        return done + 1
    with_inbox = sorted(leaf for leaf in named if leaf in h.chain.inboxes)
    current = h.current
    if current is None:
        if with_inbox and with_inbox[0] == me:
            return done + _issue_key(ws, rt, h, None, None)
        return done
    key = held_key(rt, holders_of)
    if key is None:
        return done
    reason = keychain.rotation_due(h)
    seized = keychain.seized_by(h, reason)
    # A holder is its leaf *and* who sat there: a newcomer on a removed holder's leaf
    # holds nothing (the rotation that is due replaces the key for them).
    holders = sorted(
        leaf
        for leaf, who in current.holders.items()
        if leaf in named and leaf != seized and h.identities.get(leaf) == who
    )
    if not holders or holders[0] != me:
        return done
    if reason is not None:
        return done + _issue_key(ws, rt, h, key, reason)
    missing = [leaf for leaf in with_inbox if leaf not in current.holders]
    if missing:
        seed = rt.record.bulletin_keys[current.public.hex()]
        sealed = tuple(_seal(rt, h, seed, current.public, leaf, ws.rng) for leaf in missing)
        runtime.send_event(ws, rt, KeyShared(current.public, sealed))
        return done + 1
    return done


def _valid_holders(h: keychain.Holders) -> list[int]:
    """The current key's holders still sitting where they sat, not named by the
    rotation's reason (a seized device), lowest leaf first."""
    current = h.current
    if current is None:
        return []
    seized = keychain.seized_by(h, keychain.rotation_due(h))
    return sorted(
        leaf
        for leaf, who in current.holders.items()
        if leaf != seized and h.identities.get(leaf) == who
    )


def _hand_over(ws: Workspace, rt: Runtime, h: keychain.Holders, holders_of: HoldersOf) -> int:
    """When the group named other editors and none of the key's holders is named any
    more, the lowest holder left rotates the key to the named editors who posted an
    inbox (signed by the old key, as every rotation), then deletes it like any key it
    may no longer hold."""
    reason = keychain.rotation_due(h)
    me = rt.own_leaf
    if reason is None or me in h.named or not any(leaf in h.chain.inboxes for leaf in h.named):
        return 0
    valid = _valid_holders(h)
    if any(leaf in h.named for leaf in valid) or not valid or valid[0] != me:
        return 0
    key = held_key(rt, holders_of)
    return 0 if key is None else _issue_key(ws, rt, h, key, reason)


def _issue_key(
    ws: Workspace,
    rt: Runtime,
    h: keychain.Holders,
    old: BulletinKey | None,
    reason: org.EventId | None,
) -> int:
    """Make a new key (a rotation of `old` for `reason`, or the group's first), keep it
    in the vault, and seal it to every other named editor with an inbox."""
    me = rt.own_leaf
    seed = ws.rng(32)
    new = BulletinKey.from_seed(seed)
    others = sorted(leaf for leaf in h.named if leaf != me and leaf in h.chain.inboxes)
    sealed = tuple(_seal(rt, h, seed, new.public, leaf, ws.rng) for leaf in others)
    link = None
    if old is not None and reason is not None:
        sequence = len(h.chain.keys)
        signature = old.sign(keychain.rotation_body(sequence, old.public, new.public, reason))
        link = RotationLink(sequence, old.public, signature)
    # Keep the new key first: a crash after sending must not lose it. The old one is
    # deleted by `_holds_key_duties` once the new key is the cell's current one.
    _keep(ws, rt, {**rt.record.bulletin_keys, new.public.hex(): seed}, None)
    runtime.send_event(ws, rt, KeyIssued(new.public, sealed, link, reason))
    return 1
