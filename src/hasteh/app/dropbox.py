"""The drop box: outside workers hand the cell text and photos (docs/dropbox.md).

A member makes a **slip** (`make_code`): a one-time submission code, the onion address
of their drop-box page and the cell's drop-box key. An outsider either types the code on
that page (`submit`, served by the member's own hasteh, never by a relay) or has a file
sealed to the key and carried by hand (`seal`, then `open_sealed` on a member's device).
Either way the member's hasteh enters the submission in the cell's log (``drop.*``) and
hands the writer a **codename**: eight words that let them come back and read whether it
was published and the editors' reply (`receipt`).

What is kept, and where (all in the member's vault, under one setting):

* a code as the SHA-256 of its digits (with its cell and its expiry), removed when used;
* a codename as the SHA-256 of its word indices, beside the submission's id; the
  codename itself is shown once and kept nowhere, and never enters the log;
* the drop-box X25519 private key of a cell, made by the member who runs `drop_key`.

Guessing is bounded twice: a code has 12 random digits (40 bits) and a codename eight
words of 256 (64 bits), and a `Gate` refuses every try for an hour after too many wrong
ones (Tor hides who asks, so the gate is shared by all askers: a flood closes the page
for an hour, it never lets a guess through).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import msgspec
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from PIL import Image, ImageOps, UnidentifiedImageError

from hasteh.app import records, runtime
from hasteh.app.cells import all_cells, find_cell
from hasteh.app.code_words import WORDS, word_index
from hasteh.app.errors import BadInput, refused
from hasteh.app.runtime import CellRuntime
from hasteh.errors import DECODE_FAILURES
from hasteh.i18n import parse_digits
from hasteh.mls import hpke
from hasteh.mls.cipher_suite import Rng
from hasteh.mls.errors import MLSError
from hasteh.org import OrgError
from hasteh.org.events import DropImage, DropPublished, DropReplied, DropSubmitted, EventId
from hasteh.org.events.base import DAY
from hasteh.org.events.drop import (
    MAX_DROP_DAYS,
    MAX_DROP_IMAGE,
    MAX_DROP_IMAGES,
    MAX_DROP_REPLY,
    MAX_DROP_TEXT,
    Route,
)
from hasteh.org.state import Submission
from hasteh.publish.attachments import MAX_BYTES, MAX_PIXELS, fresh_copy
from hasteh.vault import Connection
from hasteh.vault.settings import get_setting, set_setting

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = [
    "CODENAME_WORDS",
    "CODE_DIGITS",
    "MAX_SEALED",
    "Gate",
    "Slip",
    "Status",
    "SubmissionView",
    "decode_public_key",
    "drop_key",
    "encode_public_key",
    "export_key",
    "import_key",
    "make_code",
    "mark_published",
    "onion_secret",
    "open_sealed",
    "receipt",
    "reply",
    "seal",
    "set_address",
    "submissions",
    "submit",
    "unseal",
]

DESK_KEY: Final = "dropbox"
CODE_DIGITS: Final = 12
CODENAME_WORDS: Final = 8
#: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305 (RFC 9180 §7).
KEM: Final = 0x0020
KDF: Final = 0x0001
AEAD: Final = 0x0003
SEALED_MAGIC: Final = b"HDROP1\n"
#: A handed-over key file is only as strong as its passphrase.
MIN_KEY_PASSPHRASE: Final = 12
SEAL_INFO: Final = b"hasteh drop box v1"
PUBLIC_PREFIX: Final = "HD1-"
#: A sealed file holds at most the text and the photos of one submission, as given.
MAX_SEALED: Final = MAX_DROP_IMAGES * MAX_BYTES + 4 * MAX_DROP_TEXT + 1024
#: Photos shrink until they fit one event: the longest side first, then the quality.
_FIRST_SIDE: Final = 1000
_MIN_SIDE: Final = 320
_QUALITY: Final = 75
_MIN_QUALITY: Final = 30
_ATTEMPTS: Final = 8
#: Direction overrides and isolates can make a shown line read differently from the
#: stored one; ZWNJ, LRM and RLM (which Persian needs) are kept.
_BIDI: Final = re.compile("[\u202a-\u202e\u2066-\u2069]")
_OPEN_FAILURES: Final[tuple[type[Exception], ...]] = (MLSError, *DECODE_FAILURES)


class _Code(msgspec.Struct, frozen=True):
    digest: bytes
    group_id: bytes
    expires_at: int
    keep_days: int


class _Receipt(msgspec.Struct, frozen=True):
    digest: bytes
    group_id: bytes
    submission_id: bytes
    expires_at: int


class _Key(msgspec.Struct, frozen=True):
    group_id: bytes
    secret: bytes
    public: bytes


class _Desk(msgspec.Struct, frozen=True):
    codes: tuple[_Code, ...] = ()
    receipts: tuple[_Receipt, ...] = ()
    keys: tuple[_Key, ...] = ()
    #: The onion address of the drop-box page, once `hasteh up --drop-box` published it.
    address: str = ""
    #: The secret its onion key is derived from (`tor.onion.derive_key`): a stable address.
    onion_secret: bytes = b""


def _desk(conn: Connection) -> _Desk:
    return get_setting(conn, DESK_KEY, _Desk, _Desk())


def _pruned(desk: _Desk, now: int) -> _Desk:
    return msgspec.structs.replace(
        desk,
        codes=tuple(c for c in desk.codes if c.expires_at > now),
        receipts=tuple(r for r in desk.receipts if r.expires_at > now),
    )


@dataclass
class Gate:
    """Refuses every try for `window` seconds once `limit` wrong ones were made in it
    (one gate for codes, one for codenames, per running drop box; in memory only)."""

    limit: int = 10
    window: int = 3600
    failures: list[int] = field(default_factory=list)

    def check(self, now: int) -> None:
        self.failures = [t for t in self.failures if t > now - self.window]
        if len(self.failures) >= self.limit:
            raise BadInput("drop-too-many-tries")

    def failed(self, now: int) -> None:
        self.failures.append(now)


# --- codes and codenames ---------------------------------------------------------------


def _code_digest(code: str) -> bytes | None:
    digits = "".join(ch for ch in parse_digits(code) if not ch.isspace() and ch not in "-_")
    if len(digits) != CODE_DIGITS or not (digits.isascii() and digits.isdigit()):
        return None
    return hashlib.sha256(b"hasteh drop code\x00" + digits.encode()).digest()


def _codename_digest(codename: str) -> bytes | None:
    words = codename.split()
    if len(words) != CODENAME_WORDS:
        return None
    indices = [word_index(w) for w in words]
    known = [i for i in indices if i is not None]
    if len(known) != CODENAME_WORDS:
        return None
    return hashlib.sha256(b"hasteh drop codename\x00" + bytes(known)).digest()


def _new_codename(ws: Workspace) -> tuple[str, bytes]:
    indices = ws.rng(CODENAME_WORDS)
    words = " ".join(WORDS[i] for i in indices)
    digest = _codename_digest(words)
    assert digest is not None
    return words, digest


@dataclass(frozen=True, slots=True)
class Slip:
    """What the printed slip carries: the code (once), until when it works, the page's
    onion address ("" until the drop box was first opened) and the sealing key."""

    code: str
    expires_at: int
    address: str
    public_key: str


def _days(value: int) -> int:
    if not 1 <= value <= MAX_DROP_DAYS:
        raise BadInput("drop-bad-days", limit=MAX_DROP_DAYS)
    return value


def make_code(ws: Workspace, cell: str, *, days: int = 14, keep_days: int = 30) -> Slip:
    """A new one-time submission code for `cell`, working `days` days; what is handed in
    with it is kept `keep_days` days."""
    rt = _cell(ws, cell)
    _days(days)
    _days(keep_days)
    number = int.from_bytes(ws.rng(8), "big") % 10**CODE_DIGITS
    code = f"{number:0{CODE_DIGITS}d}"
    digest = _code_digest(code)
    assert digest is not None
    now = ws.now()
    expires = now + days * DAY
    public = drop_key(ws, cell)

    def run(conn: Connection) -> str:
        desk = _pruned(_desk(conn), now)
        new = _Code(digest, rt.group_id, expires, keep_days)
        set_setting(conn, DESK_KEY, msgspec.structs.replace(desk, codes=(*desk.codes, new)))
        return desk.address

    address = ws.vault.write(run)
    shown = " ".join(code[i : i + 4] for i in range(0, CODE_DIGITS, 4))
    return Slip(shown, expires, address, public)


def onion_secret(ws: Workspace) -> bytes:
    """The secret the drop-box page's onion key is derived from (made on first use)."""

    def run(conn: Connection) -> bytes:
        desk = _desk(conn)
        if len(desk.onion_secret) == 32:
            return desk.onion_secret
        secret = ws.rng(32)
        set_setting(conn, DESK_KEY, msgspec.structs.replace(desk, onion_secret=secret))
        return secret

    return ws.vault.write(run)


def wanted(ws: Workspace) -> bool:
    """Whether the person turned on "open the drop box while hasteh is open" (a device
    setting, `records.drop_box_open`): `hasteh up` then serves it once unlocked."""
    return ws.vault.read(records.drop_box_open)


def set_address(ws: Workspace, address: str) -> None:
    """Remember the drop-box page's onion address (for the slips made from now on)."""

    def run(conn: Connection) -> None:
        set_setting(conn, DESK_KEY, msgspec.structs.replace(_desk(conn), address=address))

    ws.vault.write(run)


# --- what an outsider hands in ---------------------------------------------------------


def clean_text(text: str) -> str:
    """The text as it is kept: NFC, line ends unified, control characters and direction
    overrides removed; `BadInput` if too long."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _BIDI.sub("", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    text = text.strip()
    if len(text) > MAX_DROP_TEXT:
        raise BadInput("drop-text-too-long", limit=MAX_DROP_TEXT)
    return text


def shrink_photo(data: bytes) -> bytes:
    """A photo as the log carries it: a JPEG small enough for one event, re-encoded from
    its pixels alone (`publish.attachments.fresh_copy`: no EXIF, text chunks or ICC
    profile survive). The press's limits hold (PNG or JPEG only, `MAX_BYTES`,
    `MAX_PIXELS` read from the header before decoding); a JPEG is decoded at the scale
    it will be shown (`draft`: a 12-megapixel photo is not decoded whole). `BadInput`
    ``drop-bad-image`` for anything else."""
    limit = MAX_BYTES // 2**20
    if len(data) > MAX_BYTES:
        raise BadInput("drop-bad-image", limit=limit)
    try:
        with Image.open(io.BytesIO(data), formats=("PNG", "JPEG")) as image:
            width, height = image.size
            if width < 1 or height < 1 or width * height > MAX_PIXELS:
                raise BadInput("drop-bad-image", limit=limit)
            if image.format == "JPEG":
                image.draft("RGB", (_FIRST_SIDE, _FIRST_SIDE))
            image.load()
            # the camera's orientation tag is applied, then dropped with the rest
            oriented = ImageOps.exif_transpose(image)
            oriented.thumbnail((_FIRST_SIDE, _FIRST_SIDE), reducing_gap=2.0)
            pixels = fresh_copy(oriented).convert("RGB")
    except BadInput:
        raise
    except (Image.DecompressionBombError, UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise BadInput("drop-bad-image", limit=limit) from None
    quality = _QUALITY
    for _attempt in range(_ATTEMPTS):
        out = io.BytesIO()
        pixels.save(out, format="JPEG", quality=quality, optimize=True)
        size = out.tell()
        if size <= MAX_DROP_IMAGE:
            return out.getvalue()
        # JPEG size grows about with the pixel count: aim below the limit from here
        side = int(max(pixels.size) * (MAX_DROP_IMAGE / size) ** 0.5 * 0.92)
        if side < _MIN_SIDE:
            side, quality = _MIN_SIDE, max(_MIN_QUALITY, quality - 15)
        pixels.thumbnail((side, side))
    raise BadInput("drop-bad-image", limit=limit)  # noise that no JPEG shrinks enough


def _prepared(text: str, photos: Sequence[bytes]) -> tuple[str, list[bytes]]:
    kept = clean_text(text)
    if len(photos) > MAX_DROP_IMAGES:
        raise BadInput("drop-too-many-images", limit=MAX_DROP_IMAGES)
    images = [shrink_photo(p) for p in photos]
    if not kept and not images:
        raise BadInput("drop-empty")
    return kept, images


def submit(
    ws: Workspace, code: str, text: str, photos: Sequence[bytes], *, gate: Gate | None = None
) -> str:
    """Hand in `text` and `photos` with a one-time `code`; the codename to come back with.
    Everything is checked before anything changes: a refused submission leaves the code
    as it was (unless the code itself is wrong, which counts against `gate`)."""
    now = ws.now()
    if gate is not None:
        gate.check(now)
    digest = _code_digest(code)
    found = None
    if digest is not None:
        desk = ws.vault.read(_desk)
        found = next((c for c in desk.codes if c.digest == digest and c.expires_at > now), None)
    if found is None:
        if gate is not None:
            gate.failed(now)
        raise BadInput("drop-bad-code")
    kept, images = _prepared(text, photos)
    rt = _runtime(ws, found.group_id)
    if rt is None:  # the cell is gone from this profile
        raise BadInput("drop-bad-code")
    return _enter(ws, rt, kept, images, found.keep_days, "page", used=found.digest)


def _enter(
    ws: Workspace,
    rt: CellRuntime,
    text: str,
    images: list[bytes],
    keep_days: int,
    route: Route,
    *,
    used: bytes = b"",
) -> str:
    """Put a checked submission in the log; the new codename."""
    codename, digest = _new_codename(ws)
    now = ws.now()

    def keep(conn: Connection, env: object) -> None:
        desk = _pruned(_desk(conn), now)
        sid = getattr(env, "event_id", b"")
        new = _Receipt(digest, rt.group_id, sid, now + keep_days * DAY)
        codes = tuple(c for c in desk.codes if c.digest != used)
        changed = msgspec.structs.replace(desk, codes=codes, receipts=(*desk.receipts, new))
        set_setting(conn, DESK_KEY, changed)

    body = DropSubmitted(text=text, images=len(images), days=keep_days, route=route)
    try:
        env = runtime.send_event(ws, rt, body, also=keep)
        for data in images:
            runtime.send_event(ws, rt, DropImage(submission_id=env.event_id, data=data))
    except OrgError as exc:
        raise refused(exc) from None
    return codename


# --- the writer's receipt --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Status:
    """What the writer sees with their codename: received (always), published, replies."""

    published: bool
    replies: tuple[str, ...]
    at: int
    expires_at: int


def receipt(ws: Workspace, codename: str, *, gate: Gate | None = None) -> Status:
    """The state of the submission `codename` names; `BadInput` ``drop-unknown-receipt``
    (counted against `gate`) for a wrong or expired one."""
    now = ws.now()
    if gate is not None:
        gate.check(now)
    digest = _codename_digest(codename)
    held: Submission | None = None
    if digest is not None:
        desk = ws.vault.read(_desk)
        found = next((r for r in desk.receipts if r.digest == digest and r.expires_at > now), None)
        rt = None if found is None else _runtime(ws, found.group_id)
        if found is not None and rt is not None:
            held = rt.org.drops.get(EventId(found.submission_id))
    if held is None or held.expires_at <= now:
        if gate is not None:
            gate.failed(now)
        raise BadInput("drop-unknown-receipt")
    return Status(held.published, held.replies, held.at, held.expires_at)


# --- what members do -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubmissionView:
    ref: str
    text: str
    at: int
    expires_at: int
    images: tuple[bytes, ...]
    replies: tuple[str, ...]
    published: bool
    route: str
    missing_images: int


def submissions(ws: Workspace, cell: str) -> list[SubmissionView]:
    """The cell's submissions still held, newest first."""
    rt = find_cell(ws, cell)
    now = ws.now()
    held = [s for s in rt.org.drops.values() if s.expires_at > now]
    held.sort(key=lambda s: (-s.at, s.submission_id))
    return [
        SubmissionView(
            ref=s.submission_id.hex()[:8],
            text=s.text,
            at=s.at,
            expires_at=s.expires_at,
            images=s.images,
            replies=s.replies,
            published=s.published,
            route=s.route,
            missing_images=s.expected_images - len(s.images),
        )
        for s in held
    ]


def _find(rt: CellRuntime, ref: str) -> EventId:
    wanted = parse_digits(ref).strip().lower()
    found = [i for i in rt.org.drops if len(wanted) >= 4 and i.hex().startswith(wanted)]
    if len(found) != 1:
        raise BadInput("drop-unknown-item", ref=wanted[:16])
    return found[0]


def reply(ws: Workspace, cell: str, ref: str, text: str) -> None:
    """The editors' answer to submission `ref`, for its writer and the cell."""
    rt = _cell(ws, cell)
    sid = _find(rt, ref)
    kept = clean_text(text)
    if not kept:
        raise BadInput("drop-empty")
    if len(kept) > MAX_DROP_REPLY:
        raise BadInput("drop-text-too-long", limit=MAX_DROP_REPLY)
    _send(ws, rt, DropReplied(submission_id=sid, text=kept))


def mark_published(ws: Workspace, cell: str, ref: str) -> None:
    """Mark submission `ref` as used in the bulletin."""
    rt = _cell(ws, cell)
    _send(ws, rt, DropPublished(submission_id=_find(rt, ref)))


def _send(ws: Workspace, rt: CellRuntime, body: DropReplied | DropPublished) -> None:
    try:
        runtime.send_event(ws, rt, body)
    except OrgError as exc:
        raise refused(exc) from None


def _cell(ws: Workspace, cell: str) -> CellRuntime:
    rt = find_cell(ws, cell)
    rt.require_group()
    return rt


def _runtime(ws: Workspace, group_id: bytes) -> CellRuntime | None:
    return next((rt for rt in all_cells(ws) if rt.group_id == group_id), None)


# --- the sealed route (a file carried by hand) -----------------------------------------


def encode_public_key(public: bytes) -> str:
    """The key as printed on a slip: ``HD1-`` and base32 in groups of four."""
    body = base64.b32encode(public).decode().rstrip("=")
    return PUBLIC_PREFIX + "-".join(body[i : i + 4] for i in range(0, len(body), 4))


def decode_public_key(text: str) -> bytes:
    """A printed key back to its 32 bytes; `BadInput` ``drop-bad-key``."""
    cleaned = "".join(text.split()).upper()
    if not cleaned.startswith(PUBLIC_PREFIX):
        raise BadInput("drop-bad-key")
    body = cleaned[len(PUBLIC_PREFIX) :].replace("-", "")
    try:
        public = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError):
        raise BadInput("drop-bad-key") from None
    if len(public) != 32:
        raise BadInput("drop-bad-key")
    return public


def drop_key(ws: Workspace, cell: str) -> str:
    """The cell's drop-box public key as printed (made on first use, kept in the vault)."""
    rt = _cell(ws, cell)

    def run(conn: Connection) -> bytes:
        desk = _desk(conn)
        for key in desk.keys:
            if key.group_id == rt.group_id:
                return key.public
        secret, public = hpke.generate_key_pair(KEM, ws.rng)
        new = _Key(rt.group_id, secret, public)
        set_setting(conn, DESK_KEY, msgspec.structs.replace(desk, keys=(*desk.keys, new)))
        return public

    return encode_public_key(ws.vault.write(run))


def export_key(ws: Workspace, cell: str, passphrase: str) -> bytes:
    """The cell's drop-box private key as a passphrase-encrypted PKCS#8 file, to hand in
    person to a member the cell named (never through the log or a relay)."""
    rt = _cell(ws, cell)
    key = next((k for k in ws.vault.read(_desk).keys if k.group_id == rt.group_id), None)
    if key is None:
        raise BadInput("drop-no-key")
    if len(passphrase) < MIN_KEY_PASSPHRASE:
        raise BadInput("drop-weak-passphrase", limit=MIN_KEY_PASSPHRASE)
    private = X25519PrivateKey.from_private_bytes(key.secret)
    return private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
    )


def import_key(ws: Workspace, cell: str, data: bytes, passphrase: str) -> str:
    """Keep a drop-box key handed over by another member (`export_key`); its printed
    public key. Refused if this device holds another key for the cell."""
    rt = _cell(ws, cell)
    try:
        loaded = serialization.load_pem_private_key(data[:8192], passphrase.encode("utf-8") or None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise BadInput("drop-bad-key-file") from None
    if not isinstance(loaded, X25519PrivateKey):
        raise BadInput("drop-bad-key-file")
    secret = loaded.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    public = hpke.public_key_of(KEM, secret)

    def run(conn: Connection) -> None:
        desk = _desk(conn)
        held = next((k for k in desk.keys if k.group_id == rt.group_id), None)
        if held is not None and held.public != public:
            raise BadInput("drop-other-key")
        if held is None:
            new = _Key(rt.group_id, secret, public)
            set_setting(conn, DESK_KEY, msgspec.structs.replace(desk, keys=(*desk.keys, new)))

    ws.vault.write(run)
    return encode_public_key(public)


class _Sealed(msgspec.Struct, array_like=True, frozen=True):
    text: str
    photos: list[bytes]


def seal(public_key: str, text: str, photos: Sequence[bytes], rng: Rng) -> bytes:
    """A file only the holder of the cell's drop-box key can open (HPKE base mode, RFC
    9180 §6.1). The text and photos are checked as the page checks them, so a refusal
    comes now rather than at the member's desk; the photos travel already re-encoded."""
    public = decode_public_key(public_key)
    kept, images = _prepared(text, photos)
    plain = msgspec.msgpack.encode(_Sealed(kept, images))
    enc, ct = hpke.seal_base(KEM, KDF, AEAD, public, SEAL_INFO, SEALED_MAGIC, plain, rng=rng)
    return SEALED_MAGIC + enc + ct


def open_sealed(ws: Workspace, cell: str, data: bytes, *, keep_days: int = 30) -> str:
    """Enter a sealed file in `cell` (checked again, as anything from outside); the
    codename for its writer."""
    rt = _cell(ws, cell)
    _days(keep_days)
    key = next((k for k in ws.vault.read(_desk).keys if k.group_id == rt.group_id), None)
    if key is None:
        raise BadInput("drop-no-key")
    text, photos = unseal(key.secret, data)
    kept, images = _prepared(text, photos)
    return _enter(ws, rt, kept, images, keep_days, "sealed")


def unseal(secret: bytes, data: bytes) -> tuple[str, list[bytes]]:
    """The text and photos of a sealed file, unchecked (the caller checks them as it
    checks the page's); `BadInput` ``drop-not-sealed`` for anything else."""
    if len(data) > MAX_SEALED or not data.startswith(SEALED_MAGIC):
        raise BadInput("drop-not-sealed")
    body = data[len(SEALED_MAGIC) :]
    enc, ct = body[:32], body[32:]
    try:
        plain = hpke.open_base(KEM, KDF, AEAD, enc, secret, SEAL_INFO, SEALED_MAGIC, ct)
        sealed = msgspec.msgpack.decode(plain, type=_Sealed)
    except _OPEN_FAILURES:
        raise BadInput("drop-not-sealed") from None
    return sealed.text, sealed.photos
