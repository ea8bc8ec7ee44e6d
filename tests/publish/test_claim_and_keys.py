"""The back-page claim and the bulletin key: round trips, tampering, images, files."""

from __future__ import annotations

import io
import zlib

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from hasteh.publish.attachments import MAX_BYTES, clean_image
from hasteh.publish.claim import Claim, ClaimRefused, claim_in_image, read_claim
from hasteh.publish.errors import BadImage, BadKey
from hasteh.publish.issue import Issue
from hasteh.publish.keys import BulletinKey
from hasteh.publish.pages import ImageKind, page_count, page_image


def test_claim_round_trip(claim: Claim, key: BulletinKey, issue: Issue) -> None:
    text = claim.to_text()
    assert text.startswith("HB1:") and text[4:].isalnum() and text[4:].isupper()
    back = read_claim(text)
    assert back == claim and back.issuer == key.fingerprint and back.number == issue.number


BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_changed_character_is_refused(claim: Claim, data: st.DataObject) -> None:
    text = claim.to_text()
    where = data.draw(st.integers(4, len(text) - 1))
    new = data.draw(st.sampled_from(BASE32).filter(lambda c: c != text[where]))
    forged = text[:where] + new + text[where + 1 :]
    with pytest.raises(ClaimRefused):
        read_claim(forged)


def test_last_character_padding_bits_are_checked(claim: Claim) -> None:
    text = claim.to_text()
    for new in BASE32:
        if new != text[-1]:
            with pytest.raises(ClaimRefused):
                read_claim(text[:-1] + new)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_a_claim_or_refused(text: str) -> None:
    with pytest.raises(ClaimRefused):
        read_claim("HB1:" + text if text[:1] != "H" else text)


def test_claim_read_from_a_page_image(signed_pdf: bytes, claim: Claim) -> None:
    last = page_count(signed_pdf)
    for kind in ImageKind:
        assert claim_in_image(page_image(signed_pdf, last, kind, dpi=110)) == claim


def test_image_without_a_claim(a5_pdf: bytes) -> None:
    with pytest.raises(ClaimRefused):
        claim_in_image(page_image(a5_pdf, 1, dpi=40))


def test_key_file_round_trip_and_wrong_passphrase(key: BulletinKey) -> None:
    pem = key.to_pem("a long passphrase")
    assert b"ENCRYPTED" in pem
    assert BulletinKey.from_pem(pem, "a long passphrase").public == key.public
    for bad_pem, passphrase in ((pem, "wrong"), (b"garbage", "a long passphrase")):
        with pytest.raises(BadKey) as caught:
            BulletinKey.from_pem(bad_pem, passphrase)
        assert caught.value.reason == "unreadable"
        assert passphrase not in str(caught.value)


def test_key_repr_shows_no_secret(key: BulletinKey) -> None:
    raw = key.private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    assert raw.hex() not in repr(key).lower() and "BulletinKey(" in repr(key)


def test_certificate_is_a_function_of_the_key(key: BulletinKey) -> None:
    assert key.certificate() == key.certificate()
    subject = key.certificate().subject.rfc4514_string()
    assert subject == "CN=hasteh bulletin"


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` × `height` pixels (a decompression bomb)."""
    out = io.BytesIO()
    Image.new("RGB", (1, 1)).save(out, format="png")
    data = bytearray(out.getvalue())
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17]))
    data[ihdr + 17 : ihdr + 21] = crc.to_bytes(4, "big")
    return bytes(data)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (_png_claiming(60_000, 60_000), "too-many-pixels"),
        (b"%PDF-1.7 this is not an image", "not-an-image"),
        (b"GIF89a" + b"\0" * 20, "not-an-image"),
        (b"\0" * (MAX_BYTES + 1), "too-large"),
    ],
)
def test_bad_images(data: bytes, reason: str) -> None:
    with pytest.raises(BadImage) as caught:
        clean_image(data)
    assert caught.value.reason == reason


def test_clean_image_drops_exif_and_text() -> None:
    photo = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {2: (35, 41, 0)}  # GPSInfo
    out = io.BytesIO()
    photo.save(out, format="jpeg", exif=exif.tobytes(), comment=b"secret note")
    cleaned = clean_image(out.getvalue())
    assert cleaned.mime == "image/jpeg"
    assert b"CameraMaker" not in cleaned.data and b"secret note" not in cleaned.data
    with Image.open(io.BytesIO(cleaned.data)) as image:
        assert not image.getexif() and image.size == (64, 48)


def test_the_press_leaves_pillow_strict() -> None:
    """WeasyPrint's import makes Pillow accept cut-off files process-wide; hasteh puts the
    flag back, so a truncated image is still 'not an image' once the press is loaded."""
    import hasteh.publish.press  # noqa: F401

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    out = io.BytesIO()
    Image.effect_noise((300, 300), 80).save(out, format="png")
    with pytest.raises(BadImage) as caught:
        clean_image(out.getvalue()[: len(out.getvalue()) // 2])
    assert caught.value.reason == "not-an-image"
