"""`hasteh files` and `hasteh library` through the real CLI, two profiles and a real relay;
bad input gets a Persian message and changes nothing."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from tests.cli.test_cells_cli import card, ok, profile, run
from tests.relay.harness import RelayProcess


def test_files_and_the_library_through_the_cli(
    tmp_path: Path, cli_relay: RelayProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = cli_relay.url
    a, b = profile(tmp_path, "a"), profile(tmp_path, "b")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", url)
    ok(a, "propose", "bakery", card(b, "reza", url, tmp_path))
    ok(a, "sync")
    ok(b, "join")
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4 /Author (someone)\n" + bytes(300_000))
    out = ok(a, "files", "send", "bakery", str(report))
    assert "Shared as file 1: report.pdf" in out and "may name whoever made it" in out
    photo = tmp_path / "photo.jpg"
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 90, 0)).save(buffer, format="JPEG", exif=exif.tobytes())
    photo.write_bytes(buffer.getvalue())
    fa = ok(a, "files", "send", "bakery", str(photo), "--name", "عکس جلسه.jpg", lang="fa")
    assert "پاک شد" in fa
    ok(a, "library", "add", "bakery", "Wages report", "--note", "pages 3-5", "--file", "1")
    ok(a, "sync")
    ok(b, "sync")
    listed = ok(b, "files", "list", "bakery")
    assert "report.pdf [PDF, 293 KB] from sepideh" in listed and "not here yet" in listed
    assert "Files complete: 2." in ok(b, "files", "fetch")
    assert "on this device" in ok(b, "files", "list", "bakery")
    saved = tmp_path / "saved.pdf"
    ok(b, "files", "save", "bakery", "1", "--out", str(saved))
    assert saved.read_bytes() == report.read_bytes()
    code, out = run(b, "files", "save", "bakery", "1", "--out", str(saved))
    assert code != 0 and "already there" in out  # never overwritten
    monkeypatch.chdir(tmp_path)
    out = ok(b, "files", "save", "bakery", "۲", lang="fa")
    image = (tmp_path / "عکس جلسه.jpg").read_bytes()
    assert b"PhoneMaker" not in image and Image.open(io.BytesIO(image)).size == (20, 10)
    shown = ok(b, "library", "list", "bakery")
    assert "1. Wages report [reading] added by sepideh — file 1" in shown and "pages 3-5" in shown
    code, out = run(b, "library", "note", "bakery", "1", "mine now")
    assert code == 1 and "Only the member who added an item" in out
    ok(a, "library", "note", "bakery", "1", "pages 3 to 7")
    ok(a, "sync")
    ok(b, "sync")
    assert "pages 3 to 7" in ok(b, "library", "list", "bakery")
    # Another member's item leaves only by an adopted decision (`library propose-removal`).
    code, out = run(b, "library", "remove", "bakery", "1")
    assert code == 1 and "Only the member who added an item" in out
    opened = ok(b, "library", "propose-removal", "bakery", "1")
    number = re.search(r"Decision (\d+) opened", opened)
    assert number and "Remove «Wages report» from the library?" in opened
    for home in (b, a, b):
        ok(home, "sync")
    ok(a, "decide", "vote", "bakery", number.group(1), "--position", "agree")
    ok(b, "decide", "vote", "bakery", number.group(1), "--position", "agree")
    for home in (a, b, a, b):
        ok(home, "sync")
    ok(b, "decide", "close", "bakery", number.group(1))
    ok(b, "library", "remove", "bakery", "1", "--decision", number.group(1))
    for home in (b, a):
        ok(home, "sync")
    assert "Wages report" not in ok(a, "library", "list", "bakery")


def test_bad_input_gets_a_persian_message_and_changes_nothing(
    tmp_path: Path, cli_relay: RelayProcess
) -> None:
    a = profile(tmp_path, "a")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", cli_relay.url)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF" + bytes(26 * 2**20))
    for args, words in (
        (("files", "send", "bakery", str(empty)), "فایل خالی است"),
        (("files", "send", "bakery", str(big)), "۲۵ مگابایت"),
        (("files", "send", "bakery", str(empty), "--kind", "movie"), "نوع فایل ناشناخته"),
        (("files", "send", "bakery", str(tmp_path / "missing.pdf")), "خوانده"),
        (("files", "save", "bakery", "۳"), "چنین فایلی"),
        (("library", "add", "bakery", "x", "--kind", "novel"), "نوع مورد کتابخانه"),
        (("library", "note", "bakery", "1", "x"), "چنین موردی"),
    ):
        code, out = run(a, *args, lang="fa")
        assert code != 0 and words in out, (args, out)
    assert "هنوز فایلی نیست" in ok(a, "files", "list", "bakery", lang="fa")
    assert "کتابخانه خالی است" in ok(a, "library", "list", "bakery", lang="fa")
