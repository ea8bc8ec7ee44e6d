"""The back-page claim: which key vouches for which issue, readable from paper.

A printed page cannot carry a PDF signature, so the back page carries a QR code with a
small signed statement: the issuer's public key, the issue number and the issue's content
hash (`Issue.digest`), signed by the bulletin key. Scanning it tells a reader which
issuer a paper or image copy **claims** to come from and which issue; it cannot prove
that the text around it is that issue's text (anyone can copy a QR onto a forged page).
Only comparing with a genuine file, or with the cell's own copy, settles that.

Wire form (all integers big-endian):

    version (1 byte, 1) | public key (32) | issue number (4) | content hash (32) | signature (64)

the signature covering `CONTEXT || version .. content hash`; text form `HB1:` and base32
without padding (upper case and digits: QR's compact alphanumeric mode).
"""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass
from typing import Final

import segno
import zxingcpp
from PIL import Image

from hasteh.publish.attachments import clean_image
from hasteh.publish.keys import BulletinKey, fingerprint_of, verify_with

__all__ = ["Claim", "ClaimRefused", "claim_in_image", "make_claim", "qr_png", "read_claim"]

CONTEXT: Final = b"hasteh-bulletin-claim-v1\0"
PREFIX: Final = "HB1:"
_VERSION: Final = 1
_SIZE: Final = 1 + 32 + 4 + 32 + 64


class ClaimRefused(ValueError):
    """A claim that is malformed or whose signature does not hold. One error, no detail:
    a forger learns nothing from it."""


@dataclass(frozen=True, slots=True)
class Claim:
    """A verified (or freshly made) claim."""

    public: bytes
    number: int
    content_hash: bytes
    signature: bytes

    @property
    def issuer(self) -> bytes:
        """The issuer's fingerprint (`keys.fingerprint_of`)."""
        return fingerprint_of(self.public)

    def body(self) -> bytes:
        return bytes([_VERSION]) + self.public + self.number.to_bytes(4, "big") + self.content_hash

    def to_text(self) -> str:
        raw = self.body() + self.signature
        return PREFIX + base64.b32encode(raw).decode("ascii").rstrip("=")


def make_claim(key: BulletinKey, number: int, content_hash: bytes) -> Claim:
    """`key`'s claim on issue `number` with this content hash."""
    if not 0 < number < 2**32 or len(content_hash) != 32:
        raise ValueError("an issue number in 1..2^32-1 and a 32-byte hash")
    unsigned = Claim(key.public, number, content_hash, b"")
    return Claim(key.public, number, content_hash, key.sign(CONTEXT + unsigned.body()))


def read_claim(text: str) -> Claim:
    """The claim in a QR's text, its signature checked; `ClaimRefused` otherwise. Whether
    its issuer is trusted is the caller's question (`Claim.issuer`)."""
    if not text.startswith(PREFIX) or len(text) > 400:
        raise ClaimRefused
    encoded = text[len(PREFIX) :]
    try:
        raw = base64.b32decode(encoded + "=" * (-len(encoded) % 8))
    except (binascii.Error, ValueError):
        raise ClaimRefused from None
    if len(raw) != _SIZE or raw[0] != _VERSION:
        raise ClaimRefused
    claim = Claim(raw[1:33], int.from_bytes(raw[33:37], "big"), raw[37:69], raw[69:])
    # One text per claim: base32's unused low bits of the last character must be zero,
    # so no two different QR texts pass as the same claim.
    if claim.to_text() != text:
        raise ClaimRefused
    if claim.number == 0 or not verify_with(claim.public, claim.signature, CONTEXT + claim.body()):
        raise ClaimRefused
    return claim


def qr_png(claim: Claim, scale: int = 4) -> bytes:
    """The claim as a QR code PNG (error correction M: survives a fold and a smudge)."""
    buffer = io.BytesIO()
    segno.make(claim.to_text(), error="m", micro=False).save(
        buffer, kind="png", scale=scale, border=4
    )
    return buffer.getvalue()


def claim_in_image(data: bytes) -> Claim:
    """The claim on a photo or page image of the back page: the image is checked like an
    attachment (size, kind) before any pixel is decoded; `ClaimRefused` when no QR code
    in it holds a claim whose signature holds."""
    clean = clean_image(data)
    with Image.open(io.BytesIO(clean.data)) as image:
        gray = image.convert("L")
    qr = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    for result in zxingcpp.read_barcodes(gray, formats=qr):
        try:
            return read_claim(result.text)
        except ClaimRefused:
            continue
    raise ClaimRefused
