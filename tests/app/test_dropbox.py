"""The drop box between real profiles through the real relay: an outsider's code, the
submission in every member's log, a reply read with the codename, the sealed file route;
and the attacks: guessed, reused and expired codes and codenames, hostile files, a rogue
member's photos — each a precise error with nothing changed."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from hasteh.app import cells, dropbox, expiry
from hasteh.app.code_words import WORDS
from hasteh.app.errors import BadInput
from hasteh.org.events import DropImage
from hasteh.org.events.drop import MAX_DROP_IMAGE, MAX_DROP_TEXT
from tests.app import rogue
from tests.app.helpers import CELL, form_cell, settle_courier, settle_relay

TEXT = "در کارخانه‌ی ما سه ماه است حقوق نداده‌اند."


def photo(
    width: int = 3000, height: int = 2000, *, exif: bool = True, noise: bool = False
) -> bytes:
    image = (
        Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
        if noise
        else (Image.new("RGB", (width, height), (200, 30, 40)))
    )
    out = io.BytesIO()
    if exif:
        info = Image.Exif()
        info[0x010F] = "SECRET-CAMERA-MAKER"  # Make
        info[0x8298] = "Kaveh Rahimi"  # Copyright: a name
        image.save(out, format="JPEG", exif=info.tobytes())
    else:
        image.save(out, format="PNG")
    return out.getvalue()


def drops(ws):
    return cells.find_cell(ws, CELL).org.drops


def pending(ws) -> int:
    return len(cells.find_cell(ws, CELL).record.own_pending)


@pytest.mark.parametrize("way", ["relay", "courier"])
def test_round_trip_code_submission_reply_receipt(make_ws, relay, way: str) -> None:
    settle = settle_relay if way == "relay" else settle_courier
    a, b = form_cell(make_ws, relay.url, settle, n=2)
    slip = dropbox.make_code(a, CELL, days=7)
    assert len(slip.code.replace(" ", "")) == dropbox.CODE_DIGITS
    assert slip.public_key.startswith("HD1-")
    codename = dropbox.submit(a, slip.code, TEXT, [photo()])
    assert len(codename.split()) == dropbox.CODENAME_WORDS
    settle([a, b])
    (seen,) = dropbox.submissions(b, CELL)
    assert seen.text == TEXT and seen.route == "page"
    (image,) = seen.images
    assert image.startswith(b"\xff\xd8\xff") and len(image) <= MAX_DROP_IMAGE
    assert b"SECRET-CAMERA-MAKER" not in image and b"Kaveh" not in image
    assert b"Exif" not in image
    assert not dropbox.receipt(a, codename).replies
    dropbox.reply(b, CELL, seen.ref, "ممنون؛ در شماره‌ی بعد می‌آید.")
    dropbox.mark_published(b, CELL, seen.ref)
    settle([a, b])
    status = dropbox.receipt(a, codename)
    assert status.published and status.replies == ("ممنون؛ در شماره‌ی بعد می‌آید.",)
    # the codename maps to the submission on the serving member's device only
    with pytest.raises(BadInput) as err:
        dropbox.receipt(b, codename)
    assert err.value.code == "drop-unknown-receipt"
    # the relay's database, raw (every file of it): ciphertext only
    if way == "relay":
        db = Path(relay.db.removeprefix("sqlite:///"))
        files = [p for p in db.parent.iterdir() if p.name.startswith(db.name)]
        raw = b"".join(p.read_bytes() for p in files)
        for secret in (TEXT, "ممنون؛ در شماره‌ی بعد می‌آید.", codename):
            assert secret.encode() not in raw
    # nothing any member holds names the codename: it never entered the log
    for member in (a, b):
        for sub in drops(member).values():
            assert codename not in repr(sub)


def test_a_code_is_single_use_and_expires(make_ws, relay, clock) -> None:
    a, _b = form_cell(make_ws, relay.url, settle_relay, n=2)
    slip = dropbox.make_code(a, CELL, days=1)
    dropbox.submit(a, slip.code, "یک", [])
    with pytest.raises(BadInput) as err:
        dropbox.submit(a, slip.code, "دو", [])
    assert err.value.code == "drop-bad-code"
    late = dropbox.make_code(a, CELL, days=1)
    clock.advance(86_401)
    before = pending(a)
    with pytest.raises(BadInput) as err:
        dropbox.submit(a, late.code, "سه", [])
    assert err.value.code == "drop-bad-code" and pending(a) == before


def test_guessing_codes_and_codenames_is_stopped_by_the_gate(make_ws, relay) -> None:
    a, _b = form_cell(make_ws, relay.url, settle_relay, n=2)
    slip = dropbox.make_code(a, CELL)
    gate = dropbox.Gate(limit=5)
    for guess in range(5):
        with pytest.raises(BadInput) as err:
            dropbox.submit(a, f"{guess:012d}", "x", [], gate=gate)
        assert err.value.code == "drop-bad-code"
    # from now on even the right code is refused until the window passes
    with pytest.raises(BadInput) as err:
        dropbox.submit(a, slip.code, "x", [], gate=gate)
    assert err.value.code == "drop-too-many-tries"
    names = dropbox.Gate(limit=3)
    for _ in range(3):
        with pytest.raises(BadInput):
            dropbox.receipt(a, " ".join(["گربه"] * dropbox.CODENAME_WORDS), gate=names)
    with pytest.raises(BadInput) as err:
        dropbox.receipt(a, "anything", gate=names)
    assert err.value.code == "drop-too-many-tries"
    assert dropbox.submit(a, slip.code, "x", [])  # the code was never spent


@pytest.mark.parametrize(
    ("text", "photos", "code"),
    [
        ("", [], "drop-empty"),
        ("  \n\u202e ", [], "drop-empty"),
        ("ب" * (MAX_DROP_TEXT + 1), [], "drop-text-too-long"),
        ("x", [b"%PDF-1.7 not a photo"], "drop-bad-image"),
        ("x", [b"\x89PNG\r\n\x1a\n" + b"\x00" * 64], "drop-bad-image"),
        ("x", [b"GIF89a" + b"\x00" * 64], "drop-bad-image"),
        ("x", [b"\xff\xd8\xff" * 4_000_000], "drop-bad-image"),  # 12 MB
        ("x", [photo(10, 10)] * 5, "drop-too-many-images"),
    ],
)
def test_bad_input_changes_nothing(make_ws, relay, text, photos, code) -> None:
    a, _b = form_cell(make_ws, relay.url, settle_relay, n=2)
    slip = dropbox.make_code(a, CELL)
    before = (drops(a), pending(a))
    with pytest.raises(BadInput) as err:
        dropbox.submit(a, slip.code, text, photos)
    assert err.value.code == code
    assert (drops(a), pending(a)) == before
    assert dropbox.submit(a, slip.code, "ok", [])  # the code still works


def test_a_giant_image_is_refused_from_its_header() -> None:
    big = Image.new("1", (20_000, 20_000))
    out = io.BytesIO()
    big.save(out, format="PNG")
    with pytest.raises(BadInput) as err:
        dropbox.shrink_photo(out.getvalue())
    assert err.value.code == "drop-bad-image"


def test_a_phone_photo_keeps_its_orientation_and_loses_its_metadata() -> None:
    image = Image.new("RGB", (300, 200), (0, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x8825] = {1: "N", 2: (35.0, 41.0, 22.0)}  # GPS: a place
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    kept = dropbox.shrink_photo(out.getvalue())
    with Image.open(io.BytesIO(kept)) as shown:
        assert shown.size == (200, 300)
        assert not shown.getexif() and "icc_profile" not in shown.info


def test_bidi_overrides_are_removed_from_text() -> None:
    assert dropbox.clean_text("a\u202eb\u2066c\u200cd\r\n") == "abc\u200cd"


def test_the_sealed_route(make_ws, relay) -> None:
    a, b = form_cell(make_ws, relay.url, settle_relay, n=2)
    key = dropbox.drop_key(a, CELL)
    assert dropbox.drop_key(a, CELL) == key  # one key per cell
    sealed = dropbox.seal(key, TEXT, [photo(exif=False)], os.urandom)
    assert TEXT.encode() not in sealed
    codename = dropbox.open_sealed(a, CELL, sealed)
    settle_relay([a, b])
    (seen,) = dropbox.submissions(b, CELL)
    assert seen.route == "sealed" and seen.text == TEXT and len(seen.images) == 1
    assert not dropbox.receipt(a, codename).published
    # b holds no key; a file sealed to another key, or tampered with, is refused
    with pytest.raises(BadInput) as err:
        dropbox.open_sealed(b, CELL, sealed)
    assert err.value.code == "drop-no-key"
    dropbox.drop_key(b, CELL)
    with pytest.raises(BadInput) as err:
        dropbox.open_sealed(b, CELL, sealed)
    assert err.value.code == "drop-not-sealed"
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    for bad in (tampered, b"", b"HDROP1\n", b"not sealed", sealed[:40]):
        with pytest.raises(BadInput) as err:
            dropbox.open_sealed(a, CELL, bad)
        assert err.value.code == "drop-not-sealed"
    for bad_key in ("HD1-AAAA", "XX1-" + key[4:], "", key + "AAAA"):
        with pytest.raises(BadInput) as err:
            dropbox.seal(bad_key, "x", [], os.urandom)
        assert err.value.code == "drop-bad-key"


def test_submissions_expire_on_every_member(make_ws, relay, clock) -> None:
    a, b = form_cell(make_ws, relay.url, settle_relay, n=2)
    codename = dropbox.submit(a, dropbox.make_code(a, CELL, keep_days=2).code, TEXT, [photo()])
    settle_relay([a, b])
    assert len(drops(b)) == 1
    clock.advance(2 * 86_400 + 1)
    for member in (a, b):
        expiry.sweep(member)
        assert len(drops(member)) == 0
        assert dropbox.submissions(member, CELL) == []
    with pytest.raises(BadInput) as err:
        dropbox.receipt(a, codename)
    assert err.value.code == "drop-unknown-receipt"


def test_a_rogue_member_cannot_add_photos_to_anothers_submission(make_ws, relay) -> None:
    a, b = form_cell(make_ws, relay.url, settle_relay, n=2)
    dropbox.submit(a, dropbox.make_code(a, CELL).code, TEXT, [])
    settle_relay([a, b])
    (sid,) = list(drops(b))
    fake = rogue.envelope(b, DropImage(submission_id=sid, data=b"\xff\xd8\xff" + b"x" * 10))
    rogue.send(b, fake)
    settle_relay([a, b])
    for member in (a, b):
        assert drops(member)[sid].images == ()


# --- properties of the parsers (hypothesis) --------------------------------------------


@given(st.text(max_size=MAX_DROP_TEXT + 50))
def test_clean_text_is_bounded_safe_and_idempotent(text: str) -> None:
    try:
        kept = dropbox.clean_text(text)
    except BadInput as err:
        assert err.code == "drop-text-too-long"
        return
    assert len(kept) <= MAX_DROP_TEXT
    assert not any(0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in kept)
    assert dropbox.clean_text(kept) == kept


@given(st.text(max_size=80))
def test_any_typed_code_or_codename_is_answered_without_a_crash(typed: str) -> None:
    assert dropbox._code_digest(typed) is None or len(typed) >= dropbox.CODE_DIGITS
    assert dropbox._codename_digest(typed) is None or len(typed.split()) == 8


@given(st.lists(st.integers(0, 255), min_size=8, max_size=8))
def test_a_codename_is_read_back_with_persian_or_arabic_letters(indices: list[int]) -> None:
    words = [WORDS[i] for i in indices]
    digest = dropbox._codename_digest(" ".join(words))
    assert digest is not None
    arabic = " ".join(w.replace("ی", "ي").replace("ک", "ك") for w in words)
    assert dropbox._codename_digest("  " + arabic + "\n") == digest


@given(st.binary(min_size=32, max_size=32))
def test_a_printed_key_reads_back(public: bytes) -> None:
    printed = dropbox.encode_public_key(public)
    assert dropbox.decode_public_key(printed) == public
    assert dropbox.decode_public_key(printed.lower().replace("-", " - ")) == public


@given(st.text(max_size=120))
def test_a_typed_key_is_read_or_refused_precisely(typed: str) -> None:
    try:
        assert len(dropbox.decode_public_key(typed)) == 32
    except BadInput as err:
        assert err.code == "drop-bad-key"


@given(st.binary(max_size=400))
def test_any_file_is_unsealed_or_refused_precisely(data: bytes) -> None:
    for candidate in (data, dropbox.SEALED_MAGIC + data):
        try:
            dropbox.unseal(bytes(32), candidate)
        except BadInput as err:
            assert err.code == "drop-not-sealed"
