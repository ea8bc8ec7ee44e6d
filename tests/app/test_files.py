"""Files in a cell and the library across real profiles, through a real relay and
through courier bundles: what arrives is what was sent (images re-encoded, with no
metadata left), a state-run relay sees only ciphertext, a removed file leaves every
vault with its key, and a rogue member's chunks are refused and never stored."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path

import pytest
from PIL import Image

from hasteh.app import Workspace, files
from hasteh.app.cells import find_cell
from hasteh.app.errors import AppError, BadInput
from hasteh.envelope import Kind, seal
from hasteh.org.files import CHUNK_SIZE
from hasteh.transport.outbox import stage
from hasteh.vault import files as vfiles
from tests.app.helpers import CELL, form_cell, settle_courier, settle_relay
from tests.app.test_expiry import export_plaintext

SECRET_NAME = "Wages-of-Pars-Tire"
#: A "PDF" with an author in its own metadata, spanning three chunks.
PDF = b"%PDF-1.4\n/Author (Kaveh Rahimi)\n" + os.urandom(2 * CHUNK_SIZE + 1000)
GPS = "35.6892 N 51.3890 E"


def photo() -> bytes:
    """A JPEG with EXIF: a camera serial and a place, as a phone writes them."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0xA431] = "SERIAL-12345"  # BodySerialNumber
    exif[0x010E] = GPS  # ImageDescription: stands in for a GPS block
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    data = out.getvalue()
    assert b"SERIAL-12345" in data  # control: the metadata is there before sending
    return data


def relay_bytes(relay: object) -> bytes:
    path = Path(str(relay.db).removeprefix("sqlite:///"))  # type: ignore[attr-defined]
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    return raw + relay.stderr().encode()  # type: ignore[attr-defined]


def share_and_fetch(
    members: Sequence[Workspace], settle: object, clock: object, *, fetch: bool
) -> None:
    a, b, c = members
    files.send(a, CELL, PDF, f"{SECRET_NAME}.pdf")
    clock.advance(1)  # type: ignore[attr-defined]
    files.send(b, CELL, photo(), "protest.jpg")
    clock.advance(1)  # type: ignore[attr-defined]
    files.send(c, CELL, "ساعت ۵ جلوی در کارخانه".encode(), "یادداشت.txt")
    settle(members)  # type: ignore[operator]
    for ws in members:
        if fetch:
            files.fetch(ws)
        shown = {f.kind: f for f in files.lines(ws, CELL)}
        assert sorted(shown) == ["image", "pdf", "text"]
        assert {f.state for f in shown.values()} == {"ok"}
        assert [shown[k].warn for k in ("pdf", "image", "text")] == [True, False, True]
        pdf = files.save(ws, CELL, str(shown["pdf"].number))
        assert (pdf.filename, pdf.data, pdf.warn) == (f"{SECRET_NAME}.pdf", PDF, True)
        image = files.save(ws, CELL, shown["image"].file_id)
        assert image.mime in ("image/png", "image/jpeg") and image.filename == "protest.jpg"
        assert b"SERIAL-12345" not in image.data and b"PhoneMaker" not in image.data
        assert GPS.encode() not in image.data
        with Image.open(io.BytesIO(image.data)) as opened:
            assert opened.size == (64, 48) and not opened.getexif()
        text = files.save(ws, CELL, str(shown["text"].number))
        assert text.filename == "یادداشت.txt"
        assert text.data.decode() == "ساعت ۵ جلوی در کارخانه"


def test_files_through_a_real_relay(make_ws, relay, clock, tmp_path: Path) -> None:
    members = form_cell(make_ws, relay.url, settle_relay, n=3)
    share_and_fetch(members, settle_relay, clock, fetch=True)
    # The library: an item with a note and its file, a note changed by its author.
    a, b, _c = members
    number = next(f.number for f in files.lines(a, CELL) if f.kind == "pdf")
    item = files.add_item(
        a, CELL, title="Wages report", kind="reading", note="p. 3", file=str(number)
    )
    files.add_item(b, CELL, title="Strike in Korea", kind="international")
    settle_relay(members)
    with pytest.raises(AppError) as not_yours:
        files.note_item(b, CELL, item.item_id, "mine")
    assert not_yours.value.code == "not-your-item"
    files.note_item(a, CELL, item.item_id, "pages 3 to 5")
    settle_relay(members)
    for ws in members:
        shown = sorted(files.items(ws, CELL), key=lambda i: i.title)
        assert [(i.title, i.kind, i.note, i.file_number) for i in shown] == [
            ("Strike in Korea", "international", "", None),
            ("Wages report", "reading", "pages 3 to 5", number),
        ]
    # A state-run relay: its database, WAL and log hold ciphertext only.
    raw = relay_bytes(relay)
    for plain in (SECRET_NAME.encode(), b"Kaveh Rahimi", PDF[200:264], b"Wages report"):
        assert plain not in raw
    assert "کارخانه".encode() not in raw


def test_files_through_courier_bundles(make_ws, relay, clock) -> None:
    members = form_cell(make_ws, relay.url, settle_relay, n=3)
    share_and_fetch(members, settle_courier, clock, fetch=False)


def test_a_removed_file_leaves_every_vault_with_its_key(make_ws, relay, clock, tmp_path) -> None:
    a, b = form_cell(make_ws, relay.url, settle_relay, n=2)
    sent = files.send(a, CELL, PDF, "report.pdf")
    settle_relay([a, b])
    files.fetch(b)
    rt = find_cell(b, CELL)
    (shared,) = rt.org.files.values()
    plain = export_plaintext(b, tmp_path / "b-before.db")
    assert shared.key in plain and PDF[5000:5064] in plain  # control
    with pytest.raises(AppError) as other:
        files.remove(b, CELL, "1")
    assert other.value.code == "not-your-file"
    files.remove(a, CELL, sent.file_id)
    settle_relay([a, b])
    for i, ws in enumerate((a, b)):
        assert files.lines(ws, CELL) == []
        plain = export_plaintext(ws, tmp_path / f"after-{i}.db")
        assert shared.key not in plain and PDF[5000:5064] not in plain


def post_chunk(ws: Workspace, relay_url: str, key: bytes, payload: bytes) -> None:
    """A rogue member posts `payload` to a file's mailbox (it knows the file's key)."""
    envelope = seal(kind=Kind.MESSAGE, mailbox=files.file_mailbox(key), payload=payload, rng=ws.rng)
    auth = files.file_auth(key)
    ws.vault.write(
        lambda conn: stage(conn, envelope, [relay_url], now=ws.clock(), auth=lambda _: auth)
    )


def test_a_rogue_members_chunks_are_refused(make_ws, relay, clock, tmp_path: Path) -> None:
    """Junk, a flood, a chunk of another file and a changed byte in the file's mailbox:
    each refused by its hash, never stored; the real chunks still arrive."""
    a, b, rogue = form_cell(make_ws, relay.url, settle_relay, n=3)
    files.send(a, CELL, PDF, "report.pdf")
    clock.advance(1)
    files.send(a, CELL, b"another file", "other.txt")
    settle_relay([a, rogue])
    target, other = sorted(find_cell(rogue, CELL).org.files.values(), key=lambda f: -f.size)
    real = files.seal_chunks(target.key, target.blob, PDF)
    changed = bytearray(real[1])
    changed[100] ^= 1
    junk = [os.urandom(len(real[0])) for _ in range(40)]  # a flood
    foreign = files.seal_chunks(other.key, other.blob, b"another file")[0]
    for payload in (bytes(changed), foreign, *junk):
        post_chunk(rogue, relay.url, target.key, payload)
    settle_relay([a, b, rogue])
    report = files.fetch(b)
    # The changed and the foreign chunk come right after the real ones: refused; the
    # flood behind them is never read once the file is whole.
    assert report.refused >= 2 and report.complete == 2
    assert files.save(b, CELL, target.file_id.hex()).data == PDF
    plain = export_plaintext(b, tmp_path / "b.db")
    assert not any(j[:64] in plain for j in junk)


def test_a_rogue_senders_bad_hashes_and_uncleaned_image_are_refused(make_ws, relay, clock) -> None:
    """A modified client announces hashes of chunks that do not open, or an image that is
    not an image: receivers refuse, and nothing is shown."""
    a, b = form_cell(make_ws, relay.url, settle_relay, n=2)
    import hasteh.app.files as mod

    real_clean = mod.clean_image
    mod.clean_image = lambda data: type("C", (), {"data": data, "mime": "image/png"})()  # type: ignore[assignment]
    try:
        fake = b"\x89PNG\r\n\x1a\n" + b"not really an image" * 10
        files.send(a, CELL, fake, "x.png")
    finally:
        mod.clean_image = real_clean  # type: ignore[assignment]
    settle_relay([a, b])
    files.fetch(b)
    (line,) = files.lines(b, CELL)
    assert line.state == "refused"
    with pytest.raises(BadInput) as refused:
        files.save(b, CELL, "1")
    assert refused.value.code == "file-refused"
    # Hashes of chunks that do not open under the announced key: refused, never stored.
    real_seal = mod.seal_chunks
    mod.seal_chunks = lambda key, blob, data: [
        os.urandom(len(c)) for c in real_seal(key, blob, data)
    ]  # type: ignore[assignment]
    try:
        files.send(a, CELL, b"%PDF-1.4 tampered", "bad.pdf")
    finally:
        mod.seal_chunks = real_seal  # type: ignore[assignment]
    settle_relay([a, b])
    report = files.fetch(b)
    assert report.refused == 1 and report.stored == 0
    bad = next(f for f in files.lines(b, CELL) if f.kind == "pdf")
    assert bad.state == "waiting"
    (pdf,) = [f for f in find_cell(b, CELL).org.files.values() if f.kind == "pdf"]
    assert b.vault.read(lambda conn: vfiles.chunk_indices(conn, pdf.file_id)) == set()


def test_bad_input_changes_nothing(make_ws, relay, clock, tmp_path: Path) -> None:
    (a,) = form_cell(make_ws, relay.url, settle_relay, n=1)
    before = a.vault.read(vfiles.states)
    for call, code in (
        (lambda: files.send(a, CELL, b"", "empty.txt"), "file-empty"),
        (lambda: files.send(a, CELL, b"abc", "x.txt", kind="movie"), "bad-file-kind"),
        (lambda: files.send(a, CELL, b"abc", "x.png", kind="image"), "not-an-image"),
        (lambda: files.send(a, CELL, b"\xff\xd8\xff broken", "x.jpg"), "not-an-image"),
        (lambda: files.send(a, CELL, b"%PDF" + bytes(26 * 2**20), "big.pdf"), "file-too-large"),
        (lambda: files.send(a, CELL, b"abc", "bad\u202etxt.exe"), "name-hidden-character"),
        (lambda: files.save(a, CELL, "7"), "no-such-file"),
        (lambda: files.add_item(a, CELL, title="x", kind="novel"), "bad-library-kind"),
        (lambda: files.add_item(a, CELL, title="x", kind="reading", file="3"), "no-such-file"),
        (lambda: files.note_item(a, CELL, "1", "x"), "no-such-item"),
    ):
        with pytest.raises(AppError) as err:
            call()
        assert err.value.code == code
        assert files.lines(a, CELL) == [] and files.items(a, CELL) == []
    assert a.vault.read(vfiles.states) == before
