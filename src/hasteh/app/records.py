"""What the app keeps in the vault, beside MLS epochs and the event log (typed settings).

| setting key                 | value          | what |
|-----------------------------|----------------|------|
| ``app.cell.<group id hex>`` | `CellRecord`   | mailbox, relays, staged commit, cards held |
| ``app.invite.<pickup hex>`` | `Invitation`   | a card we made: its secrets until joined |
| ``transport.relays``        | ``list[str]``  | default relays for new cells and cards |
| ``org.chat_expiry_days``    | ``int``        | default chat expiry of new cells (days) |
| ``transport.proxy``         | ``str``        | SOCKS proxy (owned by `transport.registry`) |
| ``web.language``            | ``str``        | the web face's language |
| ``web.discreet``            | ``bool``       | neutral tab title and icon in the web face |
| ``web.embedded_relay_key``  | ``str`` (hex)  | key of the embedded relay's database |

The faces set the relays, expiry, proxy and language on their settings pages; the app
reads the first two as defaults. Every key is named here, and only here above
`transport` (`transport.registry` keeps its own, below the app: `PROXY_KEY` is its); the
faces read and write them through the functions below, never by key.

MLS group state lives in the vault's `epochs` table (saving epoch n deletes older ones),
the cell's org log in `events` (one row per accepted event, in the order this device
accepted them; chat rows carry `expires_at`). Everything here is inside the SQLCipher
database; nothing is logged.
"""

from __future__ import annotations

from typing import Final

import msgspec

from hasteh.transport.registry import PROXY_KEY as PROXY_KEY
from hasteh.vault import Connection
from hasteh.vault.db import secrets_deleted
from hasteh.vault.settings import delete_setting, get_setting, set_setting, setting_keys

CELL_PREFIX: Final = "app.cell."
INVITE_PREFIX: Final = "app.invite."
RELAYS_KEY: Final = "transport.relays"
CHAT_EXPIRY_KEY: Final = "org.chat_expiry_days"
LANGUAGE_KEY: Final = "web.language"
DISCREET_KEY: Final = "web.discreet"
#: The key of the embedded relay's SQLCipher database (hex), one per profile.
EMBEDDED_RELAY_KEY: Final = "web.embedded_relay_key"
DEFAULT_CHAT_EXPIRY_DAYS: Final = 14


class PendingCommit(msgspec.Struct, frozen=True):
    """A commit this device staged and has not merged: merged only once the relay holds
    it (it comes back in the mailbox's order) or a courier export carries it offline.

    `intent` says what to rebuild if another commit wins the epoch: ``add`` (with
    `card`), ``remove`` (with `leaf`, `cover_name`), ``update`` (a self-update)."""

    envelope_id: bytes
    intent: str
    base_epoch: int
    base_cth: bytes
    new_state: bytes
    commit: bytes
    welcome: bytes | None = None
    card: bytes = b""
    leaf: int = -1
    cover_name: str = ""


class OwnEvent(msgspec.Struct, frozen=True, array_like=True):
    """One of our own events sent but not yet back in the ordering relay's order (or
    carried by courier): shown at once, entered in the log only when it returns."""

    envelope_id: bytes
    event: bytes


class Notice(msgspec.Struct, frozen=True, array_like=True):
    """Something this device saw that the log does not show (a gap, a fork, a junk or
    rogue commit, a row that could not be read): an alarm for this member only.
    `leaf` is the member concerned (None: nobody in particular); `count` how many."""

    code: str
    at: int
    leaf: int | None = None
    count: int = 1


class CellRecord(msgspec.Struct):
    group_id: bytes
    mailbox: bytes
    relays: list[str]
    joined_at: int
    removed: bool = False
    #: The secret whose labelled hash is `mailbox` (`hasteh.envelope.claimed_mailbox`):
    #: it lets the cell create its mailbox on a relay. None for cells made before claims.
    claim: bytes | None = None
    pending: PendingCommit | None = None
    #: Cards of newcomers this member proposed, by proposal id (hex): the KeyPackage the
    #: Add commit needs once the cell approves.
    cards: dict[str, bytes] = msgspec.field(default_factory=dict)
    #: After a seizure removed someone, every other member rotates its keys once.
    needs_update: bool = False
    #: MLS messages of a later epoch that arrived before their commit (courier order).
    parked: list[bytes] = msgspec.field(default_factory=list)
    #: Our own events not yet back from the ordering relay (see `OwnEvent`).
    own_pending: list[OwnEvent] = msgspec.field(default_factory=list)
    #: How many events we sent in this cell (the `n` of the next one is this + 1).
    own_n: int = 0
    #: The log time: it only moves forward (docs/org.md, "Order, time and write access").
    log_time: int = 0
    #: The last envelopes of the ordering relay, as ``(seq, envelope id)``, oldest first.
    window: list[tuple[int, bytes]] = msgspec.field(default_factory=list)
    #: The highest `n` seen from each member (leaf), to notice withheld events.
    counters: dict[int, int] = msgspec.field(default_factory=dict)
    #: Alarms for this member only, newest last (bounded).
    notices: list[Notice] = msgspec.field(default_factory=list)
    #: The last epochs that began with a removal (a later commit for the epoch before one
    #: of them is the removed device's, answered by a key update).
    removal_epochs: list[int] = msgspec.field(default_factory=list)


class Invitation(msgspec.Struct, frozen=True):
    pickup: bytes
    relays: list[str]
    secrets: bytes
    expires_at: int
    cover_name: str
    created_at: int
    #: The pickup mailbox's claim (`pickup` is its hash); empty for cards made before.
    pickup_claim: bytes = b""
    #: Join packages refused for this card (the history a member handed over was not
    #: valid), and why the last one was (an org error code or ``members``, ``history``).
    #: The card stays usable: a good package may still arrive.
    refused: int = 0
    refused_reason: str = ""


def cell_key(group_id: bytes) -> str:
    return CELL_PREFIX + group_id.hex()


def load_cell(conn: Connection, group_id: bytes) -> CellRecord | None:
    return get_setting(conn, cell_key(group_id), CellRecord)


def save_cell(conn: Connection, record: CellRecord) -> None:
    set_setting(conn, cell_key(record.group_id), record)


def cell_ids(conn: Connection) -> list[bytes]:
    return [
        bytes.fromhex(k[len(CELL_PREFIX) :])
        for k in setting_keys(conn)
        if k.startswith(CELL_PREFIX)
    ]


def invitations(conn: Connection) -> list[Invitation]:
    found = []
    for key in setting_keys(conn):
        if key.startswith(INVITE_PREFIX):
            inv = get_setting(conn, key, Invitation)
            if inv is not None:
                found.append(inv)
    return found


def load_invitation(conn: Connection, pickup: bytes) -> Invitation | None:
    return get_setting(conn, INVITE_PREFIX + pickup.hex(), Invitation)


def save_invitation(conn: Connection, inv: Invitation) -> None:
    set_setting(conn, INVITE_PREFIX + inv.pickup.hex(), inv)


def delete_invitation(conn: Connection, pickup: bytes) -> None:
    if delete_setting(conn, INVITE_PREFIX + pickup.hex()):
        secrets_deleted(conn)  # the KeyPackage's private keys


def default_relays(conn: Connection) -> list[str]:
    return get_setting(conn, RELAYS_KEY, list[str], [])


def set_default_relays(conn: Connection, relays: list[str]) -> None:
    set_setting(conn, RELAYS_KEY, relays)


def default_expiry_days(conn: Connection) -> int:
    return get_setting(conn, CHAT_EXPIRY_KEY, int, DEFAULT_CHAT_EXPIRY_DAYS)


def set_default_expiry_days(conn: Connection, days: int) -> None:
    set_setting(conn, CHAT_EXPIRY_KEY, days)


def proxy_url(conn: Connection) -> str:
    """The SOCKS proxy relays are reached through ("" for none; `transport.registry`
    reads the same setting when it opens a relay client)."""
    return get_setting(conn, PROXY_KEY, str, "") or ""


def set_proxy_url(conn: Connection, url: str) -> None:
    """Set the SOCKS proxy; "" removes it (relays are then reached directly)."""
    if url:
        set_setting(conn, PROXY_KEY, url)
    else:
        delete_setting(conn, PROXY_KEY)


def profile_language(conn: Connection) -> str | None:
    """The language this profile's person chose in the web face, if any."""
    return get_setting(conn, LANGUAGE_KEY, str)


def set_profile_language(conn: Connection, language: str) -> None:
    set_setting(conn, LANGUAGE_KEY, language)


def discreet(conn: Connection) -> bool:
    """The web face shows a neutral tab title and icon (the person's choice)."""
    return bool(get_setting(conn, DISCREET_KEY, bool, False))


def set_discreet(conn: Connection, on: bool) -> None:
    set_setting(conn, DISCREET_KEY, on)


def embedded_relay_key(conn: Connection) -> bytes | None:
    """The key of the embedded relay's database (made by the web face on first use)."""
    stored = get_setting(conn, EMBEDDED_RELAY_KEY, str)
    return bytes.fromhex(stored) if stored is not None and len(stored) == 64 else None


def set_embedded_relay_key(conn: Connection, key: bytes) -> None:
    set_setting(conn, EMBEDDED_RELAY_KEY, key.hex())
