"""Vouching codes: a delegate already in an alliance vouches for another cell with a
one-time code, and the two need never be online at the same time (issue 17, "Finding each
other").

    code = vouching.vouch(ws, "north", days=7)     # the vouching delegate; shown once
    vouching.answer(new_ws, code, "cell-d")         # the new cell's delegate, days later
    sync.sync(ws)                                   # proposes cell-d (CellVouched), burns it
    alliances.approve_cell(other_ws, "north", "cell-d")   # every member cell, as for a card
    sync.sync(new_ws)                               # cell-d's delegate joins

The code goes from the vouching delegate to the new cell's delegate by a way they already
trust (in person, or in another group they share): whoever holds it may answer it, once.
Answering makes the delegate's alliance card (`cards.new_card`, under the cell's
pseudonym, on the code's relays) and leaves it sealed in the code's mailbox
(`vouch_mailbox`). The vouching delegate's device reads that mailbox at every sync,
proposes the first card that opens, and deletes the code's secret in the same transaction:
a second answer finds the word ``used`` there and is refused before anything is sent, and
a card that arrives anyway is never proposed. Admission stays the alliance's rule (every
member cell approves), and the proposal says it came by a code.

Text code::

    HV1:<base32 of payload ‖ checksum>        RFC 4648 base32, upper case, no padding
    payload  = msgpack([1, secret (32), [relay URLs, 1..3], expires_at])
    checksum = SHA-256("hasteh/vouch-code/v1\\0" ‖ payload)[:4]

Read as typed (case, spaces, dashes and Persian digits forgiven), refused precisely:
``vouch-not-a-code``, ``vouch-mistyped`` (the checksum: one wrong character is caught),
``vouch-expired``, ``vouch-used``, ``vouch-unreachable``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import msgspec

from hasteh.app import alliances, runtime
from hasteh.app.cards import card_bytes, check_relay, new_card
from hasteh.app.errors import AppError, BadInput, clean_or_refuse
from hasteh.app.records import Vouch, delete_invitation
from hasteh.app.vouch_mailbox import (
    SECRET_SIZE,
    box_of,
    is_spent,
    post,
    read_box,
    seal_message,
)
from hasteh.i18n import parse_digits
from hasteh.transport.errors import TransportError

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace
    from hasteh.vault import Connection

__all__ = [
    "DEFAULT_DAYS",
    "MAX_DAYS",
    "MAX_PENDING",
    "PREFIX",
    "Answered",
    "PendingCode",
    "VouchCode",
    "answer",
    "encode_code",
    "pending",
    "read_code",
    "vouch",
]

PREFIX: Final = "HV1:"
VERSION: Final = 1
DEFAULT_DAYS: Final = 7
MAX_DAYS: Final = 30
#: Codes nobody has used yet, per alliance and delegate: a lost device holds few secrets.
MAX_PENDING: Final = 8
#: The code names at most this many of the alliance's relays (it stays short to copy).
MAX_CODE_RELAYS: Final = 3
#: The answerer's card lives this long: time for the vouching delegate to sync and for
#: every member cell to approve (a proposal lapses after 7 days).
CARD_DAYS: Final = 14
MAX_TEXT: Final = 2048
_CHECK: Final = b"hasteh/vouch-code/v1\x00"
_B32: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
DAY: Final = 86_400


class VouchCode(msgspec.Struct, array_like=True, frozen=True, forbid_unknown_fields=True):
    """What a vouching code carries (see the module docstring)."""

    v: int
    secret: bytes
    relays: list[str]
    expires_at: int


def encode_code(code: VouchCode) -> str:
    payload = msgspec.msgpack.encode(code)
    check = hashlib.sha256(_CHECK + payload).digest()[:4]
    return PREFIX + base64.b32encode(payload + check).decode("ascii").rstrip("=")


def read_code(text: str) -> VouchCode:
    """A code as typed; `BadInput` with the precise reason (expiry is the caller's)."""
    if len(text) > MAX_TEXT:
        raise BadInput("vouch-not-a-code")
    compact = "".join(parse_digits(text).split()).replace("-", "").upper()
    if not compact.startswith(PREFIX):
        raise BadInput("vouch-not-a-code")
    body = compact[len(PREFIX) :]
    if not body or any(c not in _B32 for c in body):
        raise BadInput("vouch-mistyped")
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError):
        raise BadInput("vouch-mistyped") from None
    payload, check = raw[:-4], raw[-4:]
    if len(raw) < 5 or hashlib.sha256(_CHECK + payload).digest()[:4] != check:
        raise BadInput("vouch-mistyped")
    try:
        code = msgspec.msgpack.decode(payload, type=VouchCode)
        relays = [check_relay(r) for r in code.relays]
    except (msgspec.DecodeError, msgspec.ValidationError, AppError):
        raise BadInput("vouch-not-a-code") from None
    if code.v != VERSION or len(code.secret) != SECRET_SIZE:
        raise BadInput("vouch-not-a-code")
    if not 1 <= len(relays) <= MAX_CODE_RELAYS or not 0 < code.expires_at < 2**40:
        raise BadInput("vouch-not-a-code")
    return msgspec.structs.replace(code, relays=relays)


# --- the vouching delegate -----------------------------------------------------------------


def vouch(ws: Workspace, alliance: str, *, days: int = DEFAULT_DAYS) -> str:
    """A one-time code for alliance `alliance`, valid `days` days; its secret stays in
    the alliance's record until a card comes through it or it expires. Shown once."""
    rt = alliances.find_alliance(ws, alliance)
    rt.require_group()
    if not 1 <= days <= MAX_DAYS:
        raise BadInput("vouch-bad-days", most=MAX_DAYS)
    now = ws.now()
    live = [v for v in rt.record.vouches if v.expires_at > now]
    if len(live) >= MAX_PENDING:
        raise BadInput("vouch-too-many", most=MAX_PENDING)
    relays = list(rt.record.relays[:MAX_CODE_RELAYS])
    made = Vouch(ws.rng(SECRET_SIZE), relays, now + days * DAY, now)

    def keep(conn: Connection) -> None:
        rt.record.vouches = [*live, made]
        rt.record_dirty = True

    runtime.write(ws, rt, keep)
    return encode_code(VouchCode(VERSION, made.secret, relays, made.expires_at))


@dataclass(frozen=True, slots=True)
class PendingCode:
    """A code this delegate made that nobody has used yet (no secret in it)."""

    made_at: int
    expires_at: int


def pending(ws: Workspace, alliance: str) -> tuple[PendingCode, ...]:
    rt = alliances.find_alliance(ws, alliance)
    now = ws.now()
    return tuple(
        PendingCode(v.made_at, v.expires_at)
        for v in sorted(rt.record.vouches, key=lambda v: v.made_at)
        if v.expires_at > now
    )


# --- the new cell's delegate ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answered:
    """What the answerer is told: the pseudonym the alliance will see, and until when
    the card waits for the alliance's approval."""

    pseudonym: str
    expires_at: int


def answer(ws: Workspace, code: str, pseudonym: str) -> Answered:
    """Answer a vouching code under the cell's `pseudonym`: make the alliance card and
    leave it, sealed, in the code's mailbox. Refused (nothing kept, nothing sent) for an
    expired code, a used one, or when no relay of the code answers."""
    got = read_code(code)
    if got.expires_at <= ws.now():
        raise BadInput("vouch-expired")
    name = clean_or_refuse(pseudonym)
    box = box_of(got.secret)
    reached: list[str] = []
    for relay in got.relays:
        try:
            found = read_box(ws.client_for(relay), box)
        except TransportError:
            continue
        if is_spent(found, expires_at=got.expires_at, now=ws.now()):
            raise BadInput("vouch-used")
        reached.append(relay)
    if not reached:
        raise BadInput("vouch-unreachable")
    card = new_card(ws, name, relays=list(got.relays), days=CARD_DAYS)
    envelope = seal_message(box, "card", card_bytes(card), ws.rng)
    posted = 0
    for relay in reached:
        try:
            post(ws.client_for(relay), box, envelope)
            posted += 1
        except TransportError:
            continue
    if not posted:
        ws.vault.write(lambda conn: delete_invitation(conn, card.pickup))
        raise BadInput("vouch-unreachable")
    return Answered(name, card.expires_at)
