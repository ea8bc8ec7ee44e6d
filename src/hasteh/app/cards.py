"""The joiner's invitation card: a KeyPackage, a one-time pickup mailbox, relays, expiry.

A newcomer makes a card (`create_card`) and hands it over **in person**, as a text code or
a QR image. A member proposes them with it; once the cell approves, the member's client
adds the KeyPackage and leaves the Welcome in the pickup mailbox, where `join` finds it.
The card's private keys stay in the newcomer's vault (`Invitation`) until then.

Text code (payload version 2)::

    HC1:<base32 of payload ‖ checksum>        RFC 4648 base32, upper case, no padding
    payload  = msgpack([2, key_package, pickup_claim (32), [relay URLs], expires_at])
    checksum = SHA-256("hasteh/card/v1\\0" ‖ payload)[:4]

The pickup mailbox is `claimed_mailbox(pickup_claim)`: the card carries the claim (not the
mailbox id) so that the member who leaves the Welcome can create the mailbox on the relay
(docs/protocol.md, "Write access"). Version 1 cards carried the mailbox id itself; they
are refused as ``unsupported-version`` (a card lives days; the newcomer makes a new one).

Base32 keeps the code inside the QR "alphanumeric" set (denser QR) and lets a person read
it aloud; the decoder forgives case, spaces, line breaks and dashes, and is strict about
everything else (a card file's hint lines and ``#`` comments around the code are
dropped: `card_lines`), with one precise reason per failure (`CardError.reason`): ``not-a-card``,
``unsupported-version``, ``bad-characters``, ``checksum``, ``malformed``,
``bad-key-package``, ``bad-relay``, ``expired``, ``too-large``; for an uploaded QR
image (`read_card_image`) also ``image-too-large``, ``not-an-image``, ``no-qr-code``.

The cover name the newcomer will have in this cell is the KeyPackage's credential
identity; the proposer sees it and the cell must approve that exact name.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import msgspec

from hasteh.app.constants import SUITE, card_fingerprint, cover_name_of
from hasteh.app.errors import BadInput, CardError, NoRelay, clean_or_refuse, refused
from hasteh.app.records import Invitation, default_relays, save_invitation
from hasteh.envelope import claimed_mailbox
from hasteh.errors import msgpack_decode
from hasteh.i18n import parse_digits
from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.credential import BasicCredential
from hasteh.mls.errors import MLSError
from hasteh.mls.framing import MLSMessage
from hasteh.mls.key_package import KeyPackage
from hasteh.mls.key_package_ops import create_key_package, validate_key_package
from hasteh.mls.leaf_node import Lifetime
from hasteh.org import InvalidEvent
from hasteh.transport import registry

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = [
    "PREFIX",
    "Card",
    "card_lines",
    "check_relay",
    "create_card",
    "decode_card",
    "encode_card",
    "looks_like_image",
    "new_card",
    "qr_png",
    "read_card",
    "read_card_image",
]

PREFIX: Final = "HC1:"
VERSION: Final = 2
DEFAULT_DAYS: Final = 7
MAX_CODE: Final = 16_384
_LABEL: Final = b"hasteh/card/v1\x00"
_B32: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


@dataclass(frozen=True, slots=True)
class Card:
    key_package: KeyPackage
    pickup_claim: bytes
    relays: tuple[str, ...]
    expires_at: int

    @property
    def pickup(self) -> bytes:
        """The one-time pickup mailbox id."""
        return claimed_mailbox(self.pickup_claim)

    @property
    def cover_name(self) -> str:
        return cover_name_of(self.key_package.leaf_node)

    @property
    def fingerprint(self) -> bytes:
        return card_fingerprint(self.key_package.leaf_node)


class _Wire(msgspec.Struct, array_like=True, frozen=True, forbid_unknown_fields=True):
    v: int
    key_package: bytes
    pickup_claim: bytes
    relays: list[str]
    expires_at: int


def _payload(card: Card) -> bytes:
    kp = MLSMessage(card.key_package).to_bytes()
    return msgspec.msgpack.encode(
        _Wire(VERSION, kp, card.pickup_claim, list(card.relays), card.expires_at)
    )


def card_bytes(card: Card) -> bytes:
    return _payload(card)


def encode_card(card: Card) -> str:
    payload = _payload(card)
    check = hashlib.sha256(_LABEL + payload).digest()[:4]
    return PREFIX + base64.b32encode(payload + check).decode("ascii").rstrip("=")


def check_relay(url: str) -> str:
    if (
        not url.startswith(("http://", "https://"))
        or len(url) > 2048
        or any(c.isspace() for c in url)
    ):
        raise CardError("bad-relay")
    return url.rstrip("/")


def decode_card(data: bytes, *, now: int | None) -> Card:
    """A card from its payload (what a member's vault keeps); `now` checks expiry."""
    wire = msgpack_decode(data, _Wire, lambda _detail: CardError("malformed"))
    if wire.v != VERSION:
        raise CardError("unsupported-version")
    if len(wire.pickup_claim) != 32 or not wire.relays or len(wire.relays) > 8:
        raise CardError("malformed")
    relays = tuple(check_relay(r) for r in wire.relays)
    try:
        msg = MLSMessage.from_bytes(wire.key_package)
    except MLSError:
        raise CardError("malformed") from None
    if not isinstance(msg.body, KeyPackage):
        raise CardError("malformed")
    kp = msg.body
    try:
        validate_key_package(kp, suite_id=SUITE)
    except MLSError:
        raise CardError("bad-key-package") from None
    card = Card(kp, wire.pickup_claim, relays, wire.expires_at)
    if now is not None and card.expires_at <= now:
        raise CardError("expired")
    return card


_CONTINUATION: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567- ")


def card_lines(text: str) -> str:
    """The code in a card file (`hasteh card > card.txt`): the line starting ``HC1:`` and
    the upper-case base32 lines right after it (a code wrapped by an editor or a printer).
    Hint lines, comments (``#``) and blank lines around it are dropped. A text with no
    such line is returned whole, so the decoder says precisely what is wrong with it."""
    lines = [line.strip() for line in text.splitlines()]
    for start, line in enumerate(lines):
        if "".join(line.split()).replace("-", "")[: len(PREFIX)].upper() == PREFIX:
            kept = [line]
            for more in lines[start + 1 :]:
                if not more or not set(more) <= _CONTINUATION:
                    break
                kept.append(more)
            return "".join(kept)
    return text


def read_card(text: str, *, now: int | None) -> Card:
    """Decode a text code strictly (see the module docstring for every reason); a card
    file's hint lines are dropped first (`card_lines`)."""
    if len(text) > MAX_CODE:
        raise CardError("too-large")
    compact = "".join(parse_digits(card_lines(text)).split()).replace("-", "")
    if compact[: len(PREFIX)].upper() != PREFIX:
        raise CardError("not-a-card")
    body = compact[len(PREFIX) :].upper()
    if not body or any(c not in _B32 for c in body):
        raise CardError("bad-characters")
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError):
        raise CardError("checksum") from None
    if len(raw) < 5:
        raise CardError("checksum")
    payload, check = raw[:-4], raw[-4:]
    if hashlib.sha256(_LABEL + payload).digest()[:4] != check:
        raise CardError("checksum")
    return decode_card(payload, now=now)


def read_card_input(value: str, *, now: int | None) -> Card:
    """A card from a code, or from a file holding the code (`propose CELL FILE`)."""
    stripped = value.strip()
    if not stripped.upper().startswith("HC"):
        path = Path(stripped)
        try:
            if path.is_file():
                return read_card(path.read_text(encoding="utf-8", errors="replace"), now=now)
        except OSError:
            pass
    return read_card(stripped, now=now)


#: An uploaded card image: at most this many bytes and pixels a side (a phone photo is
#: about 4000 px; anything larger is refused before it is decoded: no decompression bomb).
MAX_IMAGE_BYTES: Final = 12 * 1024 * 1024
MAX_IMAGE_SIDE: Final = 6000
_IMAGE_FORMATS: Final = frozenset({"PNG", "JPEG", "GIF", "BMP", "WEBP"})


_IMAGE_MAGIC: Final = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"RIFF")


def looks_like_image(data: bytes) -> bool:
    """Whether an uploaded file starts like an image (PNG, JPEG, GIF, BMP, WebP) rather
    than a card's text (which starts ``HC1:`` or a comment)."""
    return data.startswith(_IMAGE_MAGIC)


def read_card_image(data: bytes, *, now: int | None) -> Card:
    """A card from a QR image (a photo or the PNG `hasteh card --out` wrote), decoded with
    zxing-cpp. Refused precisely: ``image-too-large``, ``not-an-image``, ``no-qr-code``,
    then every reason of `read_card` for the code it holds."""
    if len(data) > MAX_IMAGE_BYTES:
        raise CardError("image-too-large")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data), formats=sorted(_IMAGE_FORMATS)) as image:
            width, height = image.size
            if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE or width * height == 0:
                raise CardError("image-too-large")
            gray = image.convert("L")
    except CardError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise CardError("not-an-image") from None
    import zxingcpp

    qr = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    found = zxingcpp.read_barcodes(gray, formats=qr)
    texts = [b.text for b in found if b.valid and b.text.strip()]
    if not texts:
        raise CardError("no-qr-code")
    return read_card(texts[0], now=now)


def qr_png(code: str, *, scale: int = 4) -> bytes:
    """The card as a QR image (PNG), error correction M."""
    import segno

    buffer = io.BytesIO()
    segno.make(code, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def card_cover_name(card: Card) -> str:
    """The cover name in the card's credential, refused (precisely) unless it is already
    a clean name: a card is made by `hasteh card`, which cleans it, so anything else was
    crafted to look like someone."""
    identity = bytes(getattr(card.key_package.leaf_node.credential, "identity", b""))
    try:
        raw = identity.decode("utf-8")
    except UnicodeDecodeError:
        raise refused(InvalidEvent("name-unclean")) from None
    if clean_or_refuse(raw) != raw:
        raise refused(InvalidEvent("name-unclean"))
    return raw


def create_card(
    ws: Workspace,
    cover_name: str,
    *,
    relays: list[str] | None = None,
    days: int = DEFAULT_DAYS,
) -> str:
    """Make a card: a fresh signing key and KeyPackage (used for this one cell only), a
    random pickup mailbox, kept in the vault as a pending invitation. Returns the code."""
    return encode_card(new_card(ws, cover_name, relays=relays, days=days))


def new_card(
    ws: Workspace,
    cover_name: str,
    *,
    relays: list[str] | None = None,
    days: int = DEFAULT_DAYS,
    spoken: bool = False,
) -> Card:
    """`create_card`'s work: the card, its invitation saved. A `spoken` card travels only
    sealed under a spoken code (`hasteh.app.spoken`), never printed."""
    name = clean_or_refuse(cover_name)
    if not 1 <= days <= 30:
        raise BadInput("bad-card-days")
    chosen = [check_relay(r) for r in (relays or ws.vault.read(default_relays))]
    if not chosen:
        raise NoRelay()
    now = ws.now()
    expires = now + days * 86_400
    suite = get_suite(SUITE)
    signature_private, _public = suite.generate_signature_key(ws.rng)
    secrets = create_key_package(
        SUITE,
        BasicCredential(name.encode("utf-8")),
        signature_private,
        rng=ws.rng,
        now=now,
        lifetime=Lifetime(max(0, now - 3600), expires + 3600),
    )
    pickup_claim = ws.rng(32)
    card = Card(secrets.key_package, pickup_claim, tuple(chosen), expires)
    pickup = card.pickup
    invitation = Invitation(
        pickup,
        chosen,
        secrets.to_bytes(),
        expires,
        name,
        now,
        pickup_claim=pickup_claim,
        spoken=spoken,
    )

    def run(conn: object) -> None:
        save_invitation(conn, invitation)
        registry.add_mailbox(conn, pickup, chosen)

    ws.vault.write(run)
    return card
