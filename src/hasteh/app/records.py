"""What the app keeps in the vault, beside MLS epochs and the event log (typed settings).

| setting key                 | value          | what |
|-----------------------------|----------------|------|
| ``app.cell.<group id hex>`` | `CellRecord`   | a group's kind, mailbox, relays, staged commit |
| ``app.invite.<pickup hex>`` | `Invitation`   | a card we made: its secrets until joined |
| ``transport.relays``        | ``list[str]``  | default relays for new cells and cards |
| ``org.chat_expiry_days``    | ``int``        | default chat expiry of new cells (days) |
| ``transport.proxy``         | ``str``        | SOCKS proxy (owned by `transport.registry`) |
| ``transport.relay_status``  | by relay URL   | when each relay last answered or failed |
| ``reach.direct_relays``     | ``list[str]``  | in-country/local relays reached directly (opt-in) |
| ``app.rendezvous``          | ``list[str]``  | rendezvous relays of spoken codes |
| ``web.language``            | ``str``        | the web face's language |
| ``web.discreet``            | ``bool``       | the web face: neutral tab title and icon |
| ``web.embedded_relay_key``  | ``str`` (hex)  | key of the embedded relay's database |
| ``profile.time_zone``       | ``str``        | the zone deadlines are read in (Tehran if unset) |
| ``profile.discreet``        | ``bool``       | notifications: a neutral title only (on if unset) |
| ``web.seen.<group id hex>`` | ``int``        | events of the cell shown here (unread marker) |
| ``course.progress``         | `Progress`     | course: lessons read, best scores |
| ``course.ticks.<slug>``     | ``list[int]``  | course: boxes ticked on a checklist |
| ``study.progress.<gid hex>`` | `ReadingProgress`s | own reading progress (never sent) |
| ``dropbox.open``            | ``bool``       | serve the drop box while open (off if unset) |

The faces set the relays, expiry, proxy and language on their settings pages; the app
reads the first two as defaults. Every key is named here, and only here above
`transport` (`transport.registry` keeps its own, below the app: `PROXY_KEY` is its); the
faces read and write them through the functions below, never by key (the course's two
through `app.course`).

MLS group state lives in the vault's `epochs` table (saving epoch n deletes older ones),
the cell's org log in `events` (one row per accepted event, in the order this device
accepted them; chat rows carry `expires_at`). Everything here is inside the SQLCipher
database; nothing is logged.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import msgspec

from hasteh.jalali import DEFAULT_ZONE, TimeInputError, zone_named
from hasteh.transport.registry import PROXY_KEY as PROXY_KEY
from hasteh.vault import Connection
from hasteh.vault.db import secrets_deleted
from hasteh.vault.settings import delete_setting, get_setting, set_setting, setting_keys

CELL_PREFIX: Final = "app.cell."
INVITE_PREFIX: Final = "app.invite."
RELAYS_KEY: Final = "transport.relays"
CHAT_EXPIRY_KEY: Final = "org.chat_expiry_days"
LANGUAGE_KEY: Final = "web.language"
WEB_DISCREET_KEY: Final = "web.discreet"
#: When each relay last answered or failed (`hasteh.app.relay_status` reads and writes it).
RELAY_STATUS_KEY: Final = "transport.relay_status"
#: Relays this profile opted into reaching directly, never through the proxy (`reach`).
DIRECT_RELAYS_KEY: Final = "reach.direct_relays"
#: The key of the embedded relay's SQLCipher database (hex), one per profile.
EMBEDDED_RELAY_KEY: Final = "web.embedded_relay_key"
DEFAULT_CHAT_EXPIRY_DAYS: Final = 14
#: Whether `hasteh up` serves the drop box's onion page while unlocked (docs/dropbox.md).
DROP_BOX_KEY: Final = "dropbox.open"
TIME_ZONE_KEY: Final = "profile.time_zone"
DISCREET_KEY: Final = "profile.discreet"
#: Per cell (``web.seen.<group id hex>``): how many of its events this device has shown.
SEEN_PREFIX: Final = "web.seen."
#: Per cell (``study.progress.<group id hex>``): this member's own reading progress.
STUDY_PROGRESS_PREFIX: Final = "study.progress."


class AddIntent(msgspec.Struct, tag="add", frozen=True):
    """Add the newcomer whose invitation card (the KeyPackage) this member holds."""

    card: bytes


class RemoveIntent(msgspec.Struct, tag="remove", frozen=True):
    """Remove the member at `leaf`; `cover_name` pins who was meant."""

    leaf: int
    cover_name: str


class UpdateIntent(msgspec.Struct, tag="update", frozen=True):
    """A key update of our own leaf (after a seizure, or to move on from a refused commit)."""


#: What a staged commit is for: what to rebuild if another commit wins the epoch.
Intent = AddIntent | RemoveIntent | UpdateIntent
RENDEZVOUS_KEY: Final = "app.rendezvous"
#: The rendezvous relays shipped with hasteh, where two devices meet for a spoken code
#: when the newcomer knows no cell relay yet. The number of the code picks one (the
#: number modulo the list's length), so both devices must hold the same list. Shipped:
#: the embedded relay of `hasteh up` on its default port, so two profiles on one computer
#: (or a member's computer on a shared network, once set by hand) meet with no setting.
#: A packager adds onion relays here.
SHIPPED_RENDEZVOUS: Final[tuple[str, ...]] = ("http://127.0.0.1:8470",)


class PendingCommit(msgspec.Struct, frozen=True):
    """A commit this device staged and has not merged: merged only once the relay holds
    it (it comes back in the mailbox's order) or a courier export carries it offline.

    `intent` (a tagged union, one Struct per intent) says what the commit is for. A
    record stored before intents were tagged does not decode: its group is set aside
    with ``cell-unreadable`` (there were no deployed users), never a crash."""

    envelope_id: bytes
    intent: Intent
    base_epoch: int
    base_cth: bytes
    new_state: bytes
    commit: bytes
    welcome: bytes | None = None

    @property
    def card(self) -> bytes:
        """The newcomer's card an Add carries (empty for any other intent)."""
        return self.intent.card if isinstance(self.intent, AddIntent) else b""


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


#: The kind of group a record written before kinds existed is.
DEFAULT_KIND: Final = "cell"


class Vouch(msgspec.Struct, frozen=True):
    """A vouching code this delegate made for its alliance and nobody has used yet
    (`hasteh.app.vouching`): the code's secret, the relays its mailbox is on, its expiry.
    Deleted once a card arrives through it (the code is burned) or it expires."""

    secret: bytes
    relays: list[str]
    expires_at: int
    made_at: int


class CellRecord(msgspec.Struct):
    """What the app keeps about one group this member is in, whatever its kind (a cell,
    an alliance: `kind` names the `GroupDomain` that runs it)."""

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
    #: The kind of group (``cell``, ``alliance``): which domain's rules run it.
    kind: str = DEFAULT_KIND
    #: Commits that arrived from a relay other than the ordering one, by envelope id:
    #: they wait until the ordering relay shows them in its order (`cell_relays`).
    deferred: list[bytes] = msgspec.field(default_factory=list)
    #: Relays this device alone opted into for this cell (an in-country or local relay,
    #: `reach`): posted to and read like the cell's own, never the ordering relay.
    local_relays: list[str] = msgspec.field(default_factory=list)
    #: The bulletin keys this device holds for the cell (an editor's only), by public key
    #: (hex) → 32-byte Ed25519 seed; a rotated key is deleted (`hasteh.app.bulletin`).
    bulletin_keys: dict[str, bytes] = msgspec.field(default_factory=dict)
    #: This editor's HPKE inbox private key (X25519), to open the sealed bulletin key.
    bulletin_inbox: bytes = b""
    #: The cell's key (``fed.*``), if this member holds it: public key (hex) → seed.
    #: Only the current key: a rotation forgets the old seed.
    held_keys: dict[str, bytes] = msgspec.field(default_factory=dict)
    #: An alliance's vouching codes this delegate made and nobody has used yet (`Vouch`).
    vouches: list[Vouch] = msgspec.field(default_factory=list)


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
    #: Set by a spoken-code invitation (`hasteh.app.spoken`): the only cell whose welcome
    #: this card accepts, and the cover name of the member who typed the code. A welcome
    #: into any other group is refused (``not-the-cell``): a copy of the card cannot divert
    #: the newcomer into a cell the member did not name.
    bound_group: bytes = b""
    bound_proposer: str = ""
    bound_cell: str = ""
    #: Made for a spoken code: never printed (a stranger cannot have seen it).
    spoken: bool = False


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


def rendezvous_relays(conn: Connection) -> list[str]:
    """The rendezvous relays for spoken codes: the setting, or the shipped list."""
    return get_setting(conn, RENDEZVOUS_KEY, list[str], []) or list(SHIPPED_RENDEZVOUS)


def set_rendezvous_relays(conn: Connection, relays: list[str]) -> None:
    """Set the rendezvous relays; an empty list returns to the shipped one."""
    if relays:
        set_setting(conn, RENDEZVOUS_KEY, relays)
    else:
        delete_setting(conn, RENDEZVOUS_KEY)


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


def web_discreet(conn: Connection) -> bool:
    """The web face shows a neutral tab title and icon (the person's choice)."""
    return bool(get_setting(conn, WEB_DISCREET_KEY, bool, False))


def set_web_discreet(conn: Connection, on: bool) -> None:
    set_setting(conn, WEB_DISCREET_KEY, on)


def embedded_relay_key(conn: Connection) -> bytes | None:
    """The key of the embedded relay's database (made by the web face on first use)."""
    stored = get_setting(conn, EMBEDDED_RELAY_KEY, str)
    return bytes.fromhex(stored) if stored is not None and len(stored) == 64 else None


def set_embedded_relay_key(conn: Connection, key: bytes) -> None:
    set_setting(conn, EMBEDDED_RELAY_KEY, key.hex())


def direct_relays(conn: Connection) -> list[str]:
    """Relays reached directly, not through the proxy: the in-country or local relays the
    person opted into for a cell (`hasteh.app.reach`)."""
    return get_setting(conn, DIRECT_RELAYS_KEY, list[str], [])


def set_direct_relays(conn: Connection, relays: list[str]) -> None:
    if relays:
        set_setting(conn, DIRECT_RELAYS_KEY, relays)
    else:
        delete_setting(conn, DIRECT_RELAYS_KEY)


def discreet(conn: Connection) -> bool:
    """Whether notifications show only a neutral title (the default: a glance at the
    screen, or a photo of it, must not say that a call came)."""
    value = get_setting(conn, DISCREET_KEY, bool)
    return True if value is None else value


def set_discreet(conn: Connection, on: bool) -> None:
    set_setting(conn, DISCREET_KEY, on)


def time_zone_name(conn: Connection) -> str:
    """The name of the zone this profile reads deadlines in (``Asia/Tehran`` unless the
    person chose another: Tails runs in UTC)."""
    return get_setting(conn, TIME_ZONE_KEY, str) or DEFAULT_ZONE


def time_zone(conn: Connection) -> dt.tzinfo:
    """This profile's time zone (Tehran if the stored name is unknown to this computer)."""
    try:
        return zone_named(time_zone_name(conn))
    except TimeInputError:
        return zone_named(DEFAULT_ZONE)


def set_time_zone(conn: Connection, name: str) -> None:
    """Store the zone `name` (`TimeInputError` ``unknown-zone`` if there is none)."""
    zone_named(name)
    set_setting(conn, TIME_ZONE_KEY, name)


def seen_count(conn: Connection, group_id: bytes) -> int | None:
    """How many events of the cell this device has shown (None: its page never was)."""
    return get_setting(conn, SEEN_PREFIX + group_id.hex(), int)


def set_seen_count(conn: Connection, group_id: bytes, count: int) -> None:
    set_setting(conn, SEEN_PREFIX + group_id.hex(), count)


class ReadingProgress(msgspec.Struct, frozen=True):
    """One reading as this member keeps it: read, discussed, their own note. It lives
    only in this vault: no event carries it, so no other member can learn it."""

    read: bool = False
    discussed: bool = False
    note: str = ""


def study_progress(conn: Connection, group_id: bytes) -> dict[str, ReadingProgress]:
    """This member's progress in a cell's readings, by reading id (hex)."""
    key = STUDY_PROGRESS_PREFIX + group_id.hex()
    return get_setting(conn, key, dict[str, ReadingProgress], {})


def set_study_progress(
    conn: Connection, group_id: bytes, value: dict[str, ReadingProgress]
) -> None:
    key = STUDY_PROGRESS_PREFIX + group_id.hex()
    if value:
        set_setting(conn, key, value)
    else:
        delete_setting(conn, key)


def drop_box_open(conn: Connection) -> bool:
    """Whether this device serves the drop box's page (its own onion address) while
    hasteh is open and unlocked. Off unless the person turned it on: serving it says
    this computer belongs to someone who takes slips for a bulletin."""
    return bool(get_setting(conn, DROP_BOX_KEY, bool, False))


def set_drop_box_open(conn: Connection, on: bool) -> None:
    set_setting(conn, DROP_BOX_KEY, on)
