"""The mailbox a vouching code's answer travels through, and the duty that reads it.

A vouching code (`hasteh.app.vouching`) carries a fresh 32-byte secret. Everything the two
delegates need at the relay is derived from it by HKDF-SHA256 (RFC 5869 §2) with one label
per use, so no key serves two purposes and none reveals another:

    claim     = HKDF(secret, info "hasteh/vouch/claim/v1")    mailbox = claimed_mailbox(claim)
    write key = HKDF(secret, info "hasteh/vouch/write/v1")    posts and reads (WriteAuth)
    seal key  = HKDF(secret, info "hasteh/vouch/seal/v1")     ChaCha20-Poly1305 (RFC 8439)

A stranger who learned the mailbox id can neither create the mailbox, nor post to it, nor
read it (docs/protocol.md, "Write access"); the relay keeps only sealed bytes. A message is
``nonce (12) ‖ AEAD(seal key, nonce, msgpack([kind, body]), aad = label ‖ mailbox)`` inside
an ordinary padded envelope: kind ``card`` (the new cell's delegate's card) or ``used``
(the vouching delegate's word, after the code is burned, so a second answer is refused
before anything is sent).

`collect` is the alliance's duty on the vouching delegate's device (`alliance_domain`):
it forgets expired codes, reads each pending code's mailbox, proposes the first card that
opens and decodes (`CellVouched`, keeping the card for the Add) and, in the same vault
transaction, deletes the code's secret. Bytes that do not open, or a card that does not
decode, are skipped and burn nothing. Admission stays the alliance's rule: every member
cell approves before the Add is authorized.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

import msgspec
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hasteh.app.cards import Card, card_bytes, card_cover_name, decode_card
from hasteh.app.errors import AppError
from hasteh.app.records import Vouch
from hasteh.app.relay_status import contacts, is_down
from hasteh.app.runtime import GroupRuntime, send_event, write
from hasteh.envelope import (
    WRITE_KEY_SIZE,
    Envelope,
    EnvelopeError,
    Kind,
    WriteAuth,
    claimed_mailbox,
    open_payload,
    seal,
)
from hasteh.org import EventEnvelope
from hasteh.org.events import CellVouched
from hasteh.transport.errors import TransportError

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace
    from hasteh.transport.relay_client import RelayClient
    from hasteh.vault import Connection

__all__ = [
    "SECRET_SIZE",
    "Box",
    "MessageKind",
    "box_of",
    "card_in",
    "collect",
    "is_spent",
    "open_message",
    "post",
    "read_box",
    "seal_message",
]

SECRET_SIZE: Final = 32
NONCE_SIZE: Final = 12
#: At most this many envelopes of one code's mailbox are read per sync: a code's holder
#: who floods it cannot make the delegate's device read without end.
MAX_READ: Final = 64
_CLAIM_INFO: Final = b"hasteh/vouch/claim/v1"
_WRITE_INFO: Final = b"hasteh/vouch/write/v1"
_SEAL_INFO: Final = b"hasteh/vouch/seal/v1"
_AAD: Final = b"hasteh/vouch/message/v1\x00"

MessageKind = Literal["card", "used"]


class _Message(msgspec.Struct, array_like=True, frozen=True, forbid_unknown_fields=True):
    kind: MessageKind
    body: bytes


@dataclass(frozen=True, slots=True)
class Box:
    """A code's mailbox: its id, how to post to and read it, and the seal key."""

    mailbox: bytes
    auth: WriteAuth
    seal_key: bytes


def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


def box_of(secret: bytes) -> Box:
    """Everything a code's secret gives (see the module docstring)."""
    claim = _derive(secret, _CLAIM_INFO)
    key = _derive(secret, _WRITE_INFO)[:WRITE_KEY_SIZE]
    auth = WriteAuth(key, claim=claim, claim_epoch=0)
    return Box(claimed_mailbox(claim), auth, _derive(secret, _SEAL_INFO))


def seal_message(box: Box, kind: MessageKind, body: bytes, rng: Callable[[int], bytes]) -> Envelope:
    """`body` sealed to the code's key and bound to its mailbox, as a padded envelope."""
    nonce = rng(NONCE_SIZE)
    plain = msgspec.msgpack.encode(_Message(kind, body))
    sealed = nonce + ChaCha20Poly1305(box.seal_key).encrypt(nonce, plain, _AAD + box.mailbox)
    return seal(kind=Kind.MESSAGE, mailbox=box.mailbox, payload=sealed, rng=rng)


def open_message(box: Box, data: bytes) -> tuple[MessageKind, bytes] | None:
    """The kind and body of one envelope of the code's mailbox; None for anything that
    is not a message sealed under this code (garbage, another mailbox, a forgery)."""
    try:
        envelope = Envelope.from_bytes(data)
        if envelope.mailbox != box.mailbox:
            return None
        payload = open_payload(envelope)
    except EnvelopeError:
        return None
    if len(payload) <= NONCE_SIZE:
        return None
    nonce, sealed = payload[:NONCE_SIZE], payload[NONCE_SIZE:]
    try:
        plain = ChaCha20Poly1305(box.seal_key).decrypt(nonce, sealed, _AAD + box.mailbox)
        message = msgspec.msgpack.decode(plain, type=_Message)
    except (InvalidTag, msgspec.DecodeError, msgspec.ValidationError):
        return None
    return message.kind, message.body


def read_box(client: RelayClient, box: Box) -> list[tuple[MessageKind, bytes, int]]:
    """The messages that open in the code's mailbox on one relay, in the relay's order,
    with the relay's stamp of each (an unclaimed mailbox: none yet)."""
    page = client.fetch(box.mailbox, limit=MAX_READ, auth=box.auth)
    stamps = page.stamps or [0] * len(page.envelopes)
    found: list[tuple[MessageKind, bytes, int]] = []
    for data, stamp in zip(page.envelopes, stamps, strict=True):
        opened = open_message(box, data)
        if opened is not None:
            found.append((*opened, stamp))
    return found


def post(client: RelayClient, box: Box, envelope: Envelope) -> None:
    """Post one sealed message (the first post creates the mailbox: the claim goes along)."""
    client.post(envelope.to_bytes(), box.auth)


# --- the vouching delegate's duty ----------------------------------------------------------


def card_in(
    kind: MessageKind, body: bytes, stamp: int, *, expires_at: int, now: int
) -> Card | None:
    """The card in one opened message, if it is a card that decodes and arrived (by the
    relay's stamp) before the code expired; else None."""
    if kind != "card" or (stamp and stamp >= expires_at):
        return None
    try:
        return decode_card(body, now=now)
    except AppError:
        return None


def is_spent(messages: list[tuple[MessageKind, bytes, int]], *, expires_at: int, now: int) -> bool:
    """Whether a code's mailbox shows it used: the delegate's word ``used``, or a card
    its device would propose (the same rule as `collect`: garbage spends nothing)."""
    return any(
        kind == "used" or card_in(kind, body, stamp, expires_at=expires_at, now=now) is not None
        for kind, body, stamp in messages
    )


def _reachable(ws: Workspace, vouch: Vouch) -> list[str]:
    """The code's relays but those whose last contact failed: a duty also runs in a
    courier export, during a shutdown, and must not wait on relays known to be down (the
    next sync that reaches one marks it up again)."""
    status = ws.vault.read(contacts)
    return [relay for relay in vouch.relays if not is_down(status.get(relay))]


def _first_card(ws: Workspace, vouch: Vouch, box: Box) -> Card | None:
    """The first card that opens and decodes in the code's mailbox, on the first of its
    relays that has one; anything else is skipped (and burns nothing)."""
    now = ws.now()
    for relay in _reachable(ws, vouch):
        try:
            messages = read_box(ws.client_for(relay), box)
        except TransportError:
            continue
        for kind, body, stamp in messages:
            card = card_in(kind, body, stamp, expires_at=vouch.expires_at, now=now)
            if card is not None:
                return card
    return None


def _tell_used(ws: Workspace, vouch: Vouch, box: Box) -> None:
    """Leave the word ``used`` in the mailbox, so a second answer is refused before it is
    sent (best effort: the code is burned in the vault either way)."""
    envelope = seal_message(box, "used", b"", ws.rng)
    for relay in _reachable(ws, vouch):
        try:
            post(ws.client_for(relay), box, envelope)
        except TransportError:
            continue


def _burn(rt: GroupRuntime[Any], secret: bytes) -> None:
    rt.record.vouches = [v for v in rt.record.vouches if v.secret != secret]
    rt.record_dirty = True


def collect(ws: Workspace, rt: GroupRuntime[Any]) -> int:
    """Forget expired codes (also once this delegate left the alliance); propose the
    first card that came through each pending code, burning it. How many events were
    sent."""
    if not rt.record.vouches:
        return 0
    now = ws.now()
    expired = [v.secret for v in rt.record.vouches if v.expires_at <= now]
    if expired:

        def forget(conn: Connection) -> None:
            for secret in expired:
                _burn(rt, secret)

        write(ws, rt, forget)
    if not rt.active:
        return 0
    sent = 0
    for vouch in list(rt.record.vouches):
        box = box_of(vouch.secret)
        card = _first_card(ws, vouch, box)
        if card is None:
            continue
        sent += _propose(ws, rt, vouch, card)
        _tell_used(ws, vouch, box)
    return sent


def _propose(ws: Workspace, rt: GroupRuntime[Any], vouch: Vouch, card: Card) -> int:
    """Propose the cell whose delegate's card came through `vouch`, keeping the card for
    the Add and burning the code in the same transaction. A card the alliance's rules
    refuse (its pseudonym is taken, ...) burns the code all the same: someone who held
    it used it. How many events were sent."""

    def keep(conn: Connection, env: EventEnvelope) -> None:
        rt.record.cards[bytes(env.event_id).hex()] = card_bytes(card)
        _burn(rt, vouch.secret)

    try:
        body = CellVouched(card.fingerprint, card_cover_name(card), card.expires_at)
        send_event(ws, rt, body, also=keep)
    except AppError:
        write(ws, rt, lambda conn: _burn(rt, vouch.secret))
        return 0
    return 1
