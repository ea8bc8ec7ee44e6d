"""Courier bundles: envelopes carried on a USB stick when there is no network (docs/protocol.md).

A bundle file is, with no header, magic or length in the clear::

    salt (16) || nonce (12) || ChaCha20-Poly1305(key, nonce, plaintext, aad=LABEL || salt)
    key       = Argon2id(code, salt)            (parameters fixed per format version)
    plaintext = len (u32) || msgpack(body) || zeros, so the whole file is a size bucket

The code is shared out of band (spoken, written on paper): by default a fresh random code
of 100 bits that `export` prints, or a passphrase the cell agreed on. Anyone with the code,
including a courier who is not in the group, can open the bundle and forward its envelopes:
they are already end-to-end encrypted MLS ciphertext. The bundle's own encryption hides from
a finder which mailboxes and relays it serves and how much it carries (beyond a bucket).
Any failure to open (wrong code, a changed byte, a cut file, bad contents) is one error,
`BundleRefused`, and nothing is imported: the bundle is refused whole.

Each entry carries, per relay, the write auth of its post, so a courier can deliver weeks
later. A bundle is not trusted to make this device talk to relays: import posts at once
only to relays the profile already uses; the others are listed in the `ImportReport` and
queued only when the user confirms them (`confirm_relays`). Otherwise anyone who hands
over a bundle could make the importer's next sync call a relay of their choosing (a
beacon of the importer's address). Entries, relays per entry and the file size are capped;
each cap refused is a precise `CourierError`.
"""

from __future__ import annotations

import struct
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

import msgspec
from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from hasteh.envelope import Envelope, EnvelopeError, WriteAuth, WriteAuthError
from hasteh.i18n import parse_digits
from hasteh.transport.errors import BundleError, BundleRefused, TransportCode
from hasteh.transport.outbox import (
    DONE,
    FAILED,
    IN_FLIGHT,
    QUEUED,
    Arrival,
    Sink,
    decode_auth,
    encode_auth,
    stage,
)
from hasteh.transport.registry import mailboxes as registered_mailboxes
from hasteh.vault import Connection, Vault
from hasteh.vault import cursors as vcursors
from hasteh.vault import outbox as voutbox

LABEL: Final = b"hasteh/courier-bundle/v1"
SALT_SIZE: Final = 16
NONCE_SIZE: Final = 12
TAG_SIZE: Final = 16
OVERHEAD: Final = SALT_SIZE + NONCE_SIZE + TAG_SIZE + 4
#: Whole-file sizes: 64 KiB, 128 KiB, ... 256 MiB.
FILE_BUCKETS: Final = tuple(65536 << k for k in range(13))
CODE_ALPHABET: Final = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols, no 0/O, 1/I
CODE_LENGTH: Final = 20  # 100 bits
VERSION: Final = 2  # 2: each relay of an entry carries its write auth
MAX_ENTRIES: Final = 4096
MAX_RELAYS_PER_ENTRY: Final = 8
MAX_BUNDLE_BYTES: Final = FILE_BUCKETS[-1]
#: The arrival of an envelope that came by courier: no relay order, no relay stamp.
COURIER_ARRIVAL: Final = Arrival("", 0, None)


#: Which cap a bundle is over (`CourierError.reason`), and its `TransportCode`.
CourierReason = Literal["too-large", "too-many-entries", "too-many-relays"]
_COURIER_CODES: Mapping[CourierReason, TransportCode] = {
    "too-large": "bundle-too-large",
    "too-many-entries": "bundle-too-many-entries",
    "too-many-relays": "bundle-too-many-relays",
}


class CourierError(BundleError):
    """A bundle over one of the caps (`reason`: too-large, too-many-entries,
    too-many-relays; the code is ``bundle-<reason>``). Raised only after the bundle
    authenticated, or from its size alone, so it tells a finder nothing the file's size
    does not."""

    def __init__(self, reason: CourierReason, n: int) -> None:
        super().__init__(_COURIER_CODES[reason], n=n)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class KdfCost:
    memory_kib: int = 64 * 1024
    iterations: int = 3
    lanes: int = 1


DEFAULT_COST: Final = KdfCost()

RandomBytes = Callable[[int], bytes]


class _Entry(msgspec.Struct, array_like=True, frozen=True):
    relays: list[str]
    envelope: bytes
    auths: list[bytes]  # encode_auth(WriteAuth), aligned with `relays`


class _Body(msgspec.Struct, array_like=True, frozen=True):
    version: int
    entries: list[_Entry]


@dataclass(frozen=True, slots=True)
class BundleEntry:
    """One envelope and, for each relay it goes to, the write auth of that post."""

    envelope: Envelope
    relays: tuple[str, ...]
    auths: tuple[WriteAuth, ...] = ()

    def auth_for(self, relay: str) -> WriteAuth:
        return self.auths[self.relays.index(relay)]


@dataclass(slots=True)
class ImportReport:
    """`for_me`: envelopes for this profile's mailboxes; `queued`: deliveries added to the
    outbox (for relays this profile already uses); `known`: deliveries already there;
    `unconfirmed`: relays this profile does not use, with how many envelopes wait for each
    (nothing goes to them until `confirm_relays`); `pending`: those entries."""

    for_me: list[Envelope] = field(default_factory=list)
    queued: int = 0
    known: int = 0
    unconfirmed: dict[str, int] = field(default_factory=dict)
    pending: list[BundleEntry] = field(default_factory=list)
    #: Every entry the bundle held (the app looks again for chunks of files it learned
    #: of from this same bundle).
    entries: list[BundleEntry] = field(default_factory=list)


# ------------------------------------------------------------------------------- the code


def new_code(rng: RandomBytes) -> str:
    """A random 100-bit code in groups of four, e.g. ``K7QF-2M9X-...``."""
    symbols = [CODE_ALPHABET[b % 32] for b in rng(CODE_LENGTH)]  # 256 % 32 == 0: unbiased
    text = "".join(symbols)
    return "-".join(text[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def canonical_code(code: str) -> bytes:
    """Forgive case, spaces, dashes and Persian digits in a generated code; any other
    passphrase is only NFC-normalised."""
    compact = parse_digits(code).upper().replace("-", "").replace(" ", "").strip()
    if len(compact) == CODE_LENGTH and all(c in CODE_ALPHABET for c in compact):
        return compact.encode()
    # A code typed on a terminal with another encoding reaches us with lone surrogates
    # (Python's argv escape): keep those bytes as they were typed instead of crashing.
    return unicodedata.normalize("NFC", code).encode("utf-8", "surrogateescape")


def _key(code: str, salt: bytes, cost: KdfCost) -> bytes:
    secret = canonical_code(code)
    if not secret:
        raise BundleError("bundle-code-needed")
    return bytes(
        hash_secret_raw(
            secret,
            salt,
            time_cost=cost.iterations,
            memory_cost=cost.memory_kib,
            parallelism=cost.lanes,
            hash_len=32,
            type=Type.ID,
        )
    )


# ----------------------------------------------------------------------------- seal, open


def seal_bundle(
    entries: Iterable[BundleEntry], *, code: str, rng: RandomBytes, cost: KdfCost = DEFAULT_COST
) -> bytes:
    """Encrypt and pad `entries` into one bundle file."""
    listed = list(entries)
    _check_caps(len(listed), max((len(e.relays) for e in listed), default=0))
    body = msgspec.msgpack.encode(
        _Body(
            VERSION,
            [
                _Entry(list(e.relays), e.envelope.to_bytes(), [encode_auth(a) for a in e.auths])
                for e in listed
            ],
        )
    )
    need = len(body) + OVERHEAD
    size = next((b for b in FILE_BUCKETS if b >= need), None)
    if size is None:
        raise BundleError("bundle-too-full")
    plain = struct.pack(">I", len(body)) + body
    plain += bytes(size - SALT_SIZE - NONCE_SIZE - TAG_SIZE - len(plain))
    salt, nonce = rng(SALT_SIZE), rng(NONCE_SIZE)
    sealed = ChaCha20Poly1305(_key(code, salt, cost)).encrypt(nonce, plain, LABEL + salt)
    data = salt + nonce + sealed
    assert len(data) == size
    return data


def open_bundle(data: bytes, *, code: str, cost: KdfCost = DEFAULT_COST) -> list[BundleEntry]:
    """Decrypt and check everything, or raise `BundleRefused` (one error, no oracle)."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise CourierError("too-large", MAX_BUNDLE_BYTES >> 20)
    if len(data) not in FILE_BUCKETS:
        raise BundleRefused()
    salt, nonce = data[:SALT_SIZE], data[SALT_SIZE : SALT_SIZE + NONCE_SIZE]
    try:
        plain = ChaCha20Poly1305(_key(code, salt, cost)).decrypt(
            nonce, data[SALT_SIZE + NONCE_SIZE :], LABEL + salt
        )
    except InvalidTag:
        raise BundleRefused() from None
    try:
        (length,) = struct.unpack_from(">I", plain)
        if 4 + length > len(plain) or any(plain[4 + length :]):
            raise ValueError("padding")
        body = msgspec.msgpack.decode(plain[4 : 4 + length], type=_Body)
        if body.version != VERSION:
            raise ValueError("version")
    except (ValueError, struct.error, msgspec.MsgspecError):
        raise BundleRefused() from None
    _check_caps(len(body.entries), max((len(e.relays) for e in body.entries), default=0))
    try:
        entries = [_entry(e) for e in body.entries]
    except (ValueError, EnvelopeError, WriteAuthError):
        # Authenticated yet malformed: made with the code but not by hasteh. Refuse it whole.
        raise BundleRefused() from None
    return entries


def _entry(raw: _Entry) -> BundleEntry:
    relays = tuple(_check_relay(r) for r in raw.relays)
    if len(raw.auths) != len(relays) or len(set(relays)) != len(relays):
        raise ValueError("auths")
    return BundleEntry(
        Envelope.from_bytes(raw.envelope), relays, tuple(decode_auth(a) for a in raw.auths)
    )


def _check_caps(entries: int, relays: int) -> None:
    if entries > MAX_ENTRIES:
        raise CourierError("too-many-entries", MAX_ENTRIES)
    if relays > MAX_RELAYS_PER_ENTRY:
        raise CourierError("too-many-relays", MAX_RELAYS_PER_ENTRY)


def _check_relay(url: str) -> str:
    if (
        not url.startswith(("http://", "https://"))
        or len(url) > 2048
        or any(c.isspace() for c in url)
    ):
        raise ValueError("relay")
    return url


# -------------------------------------------------------------------------- export, import

UNDELIVERED: Final = (QUEUED, IN_FLIGHT)


def collect(
    conn: Connection, *, mailboxes: set[bytes] | None, recent_since: float | None
) -> list[BundleEntry]:
    """Undelivered envelopes (and delivered ones created since `recent_since`) of `mailboxes`."""
    by_envelope: dict[bytes, tuple[Envelope, list[str], list[WriteAuth]]] = {}
    for item in voutbox.items(conn):
        wanted = item.state in UNDELIVERED or (
            item.state == DONE and recent_since is not None and item.created_at >= recent_since
        )
        if not wanted or item.state == FAILED:
            continue
        try:
            envelope = Envelope.from_bytes(item.envelope)
        except EnvelopeError:
            continue
        if mailboxes is not None and envelope.mailbox not in mailboxes:
            continue
        if item.auth is None:  # queued before write access: no relay would take it
            continue
        try:
            auth = decode_auth(item.auth)
        except WriteAuthError:
            continue
        _, relays, auths = by_envelope.setdefault(envelope.id, (envelope, [], []))
        if item.relay not in relays and len(relays) < MAX_RELAYS_PER_ENTRY:
            relays.append(item.relay)
            auths.append(auth)
    return [
        BundleEntry(env, tuple(relays), tuple(auths)) for env, relays, auths in by_envelope.values()
    ][:MAX_ENTRIES]


def export_bundle(
    vault: Vault,
    *,
    code: str,
    rng: RandomBytes,
    mailboxes: set[bytes] | None = None,
    recent_since: float | None = None,
    cost: KdfCost = DEFAULT_COST,
) -> tuple[bytes, int]:
    """The bundle file and how many envelopes it carries. The outbox is left as it was:
    the same envelopes still go to the relays when the network returns (idempotent)."""
    entries = vault.read(lambda conn: collect(conn, mailboxes=mailboxes, recent_since=recent_since))
    return seal_bundle(entries, code=code, rng=rng, cost=cost), len(entries)


def import_bundle(
    vault: Vault,
    data: bytes,
    *,
    code: str,
    now: float,
    known_relays: Collection[str],
    sink: Sink | None = None,
    cost: KdfCost = DEFAULT_COST,
    also_mine: Collection[bytes] = (),
) -> ImportReport:
    """Open `data` (refused whole if anything is wrong), then in one transaction: queue each
    envelope for those of its relays in `known_relays` (the relays this profile already
    uses), list the other relays in the report, and hand the envelopes for this profile's
    mailboxes (registered ones, and `also_mine`: the app's files) to `sink`."""
    entries = open_bundle(data, code=code, cost=cost)
    known = frozenset(known_relays)

    def run(conn: Connection) -> ImportReport:
        report = ImportReport(entries=entries)
        mine = set(registered_mailboxes(conn)) | set(also_mine)
        for entry in entries:
            _queue(conn, entry, [r for r in entry.relays if r in known], now, report)
            others = [r for r in entry.relays if r not in known]
            for relay in others:
                report.unconfirmed[relay] = report.unconfirmed.get(relay, 0) + 1
            if others:
                report.pending.append(entry)
            if entry.envelope.mailbox in mine:
                report.for_me.append(entry.envelope)
                if sink is not None and vcursors.mark_seen(conn, entry.envelope.id, now):
                    sink(conn, entry.envelope, COURIER_ARRIVAL)
        return report

    return vault.write(run)


def confirm_relays(
    vault: Vault, report: ImportReport, relays: Collection[str], *, now: float
) -> ImportReport:
    """The user agreed to contact `relays` (from `report.unconfirmed`): queue the pending
    envelopes for them. Relays not in `report.unconfirmed` are ignored."""
    chosen = frozenset(relays) & frozenset(report.unconfirmed)

    def run(conn: Connection) -> ImportReport:
        result = ImportReport()
        for entry in report.pending:
            _queue(conn, entry, [r for r in entry.relays if r in chosen], now, result)
        return result

    return vault.write(run)


def _queue(
    conn: Connection, entry: BundleEntry, relays: list[str], now: float, report: ImportReport
) -> None:
    for added in stage(conn, entry.envelope, relays, now=now, auth=entry.auth_for):
        if added:
            report.queued += 1
        else:
            report.known += 1


def profile_relays(conn: Connection) -> set[str]:
    """The relays this profile already uses: those of its mailboxes and of its outbox."""
    used = {relay for relays in registered_mailboxes(conn).values() for relay in relays}
    used.update(item.relay for item in voutbox.items(conn))
    return used
