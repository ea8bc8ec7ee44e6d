"""`hasteh drop` through the real CLI, two profiles and a real relay: a slip (text and
PDF), the sealed-file route carried by hand, the list, a reply and the published mark;
and the refusals in Persian, with nothing recorded."""

from __future__ import annotations

import io
import re
import stat
from pathlib import Path

from PIL import Image

from tests.cli.test_cells_cli import card, ok, profile, run
from tests.relay.harness import RelayProcess

TEXT = "کارفرما بیمه‌ی ما را قطع کرده است"


def test_the_drop_box_through_the_cli(tmp_path: Path, cli_relay: RelayProcess) -> None:
    url = cli_relay.url
    a, b = profile(tmp_path, "a"), profile(tmp_path, "b")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", url)
    ok(a, "propose", "bakery", card(b, "reza", url, tmp_path))
    ok(a, "sync")
    ok(b, "join")

    pdf = tmp_path / "slip.pdf"
    slip = ok(a, "drop", "code", "bakery", "--days", "3", "--slip", str(pdf), lang="fa")
    assert "کد ارسال" in slip and "بعداً دوباره امتحان کنید" in slip
    assert re.search(r"[۰-۹]{4} [۰-۹]{4} [۰-۹]{4}", slip)
    assert pdf.read_bytes().startswith(b"%PDF") and stat.S_IMODE(pdf.stat().st_mode) == 0o600
    key = re.search(r"(HD1-[A-Z2-7-]+)", slip)
    assert key is not None

    # the outsider's helper seals a text and a photo (no profile of theirs is involved)
    note, shot, sealed = tmp_path / "note.txt", tmp_path / "shot.png", tmp_path / "drop.bin"
    note.write_text(TEXT, encoding="utf-8")
    image = io.BytesIO()
    Image.new("RGB", (300, 200), (1, 2, 3)).save(image, format="PNG")
    shot.write_bytes(image.getvalue())
    outsider = tmp_path / "nobody"
    ok(
        outsider,
        "drop",
        "seal",
        "--to",
        key.group(1),
        "--text",
        str(note),
        "--photo",
        str(shot),
        "--out",
        str(sealed),
    )
    assert TEXT.encode() not in sealed.read_bytes()
    assert not outsider.exists()  # no profile was made or needed

    code, out = run(b, "drop", "open", "bakery", str(sealed))
    assert code == 1 and "drop-box key" in out  # b holds no key
    opened = ok(a, "drop", "open", "bakery", str(sealed))
    codename = opened.strip().splitlines()[-1]
    assert len(codename.split()) == 8
    ok(a, "sync")
    ok(b, "sync")
    listing = ok(b, "drop", "list", "bakery")
    assert TEXT in listing and "1 photos" in listing and "not published" in listing
    ref = re.search(r"#([0-9a-f]{8})", listing).group(1)  # type: ignore[union-attr]
    ok(b, "drop", "reply", "bakery", ref, "رسید")
    ok(b, "drop", "published", "bakery", ref)
    ok(b, "sync")
    ok(a, "sync")
    listing = ok(a, "drop", "list", "bakery")
    assert "Reply: رسید" in listing and "(published" in listing


def test_refusals_are_clear_and_change_nothing(tmp_path: Path, cli_relay: RelayProcess) -> None:
    a = profile(tmp_path, "a")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", cli_relay.url)
    code, out = run(a, "drop", "code", "bakery", "--days", "400", lang="fa")
    assert (code == 1 and "بین ۱ تا" in out) or "بین 1 تا" in out
    code, out = run(a, "drop", "reply", "bakery", "ffff", "x", lang="fa")
    assert code == 1 and "هیچ نوشته‌ای در صندوق نامه" in out
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"HDROP1\n" + bytes(100))
    ok(a, "drop", "key", "bakery")
    code, out = run(a, "drop", "open", "bakery", str(junk), lang="fa")
    assert code == 1 and "مهروموم" in out
    code, out = run(a, "drop", "seal", "--to", "HD1-NOPE", "--out", str(tmp_path / "x"), lang="fa")
    assert code == 1 and "کلید صندوق نامه نیست" in out
    assert not (tmp_path / "x").exists()
    assert "The drop box is empty." in ok(a, "drop", "list", "bakery")


def test_the_key_is_handed_to_another_member_in_person(
    tmp_path: Path, cli_relay: RelayProcess, monkeypatch
) -> None:
    url = cli_relay.url
    a, b = profile(tmp_path, "a"), profile(tmp_path, "b")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", url)
    ok(a, "propose", "bakery", card(b, "reza", url, tmp_path))
    ok(a, "sync")
    ok(b, "join")
    public = ok(a, "drop", "key", "bakery").strip()
    sealed = tmp_path / "drop.bin"
    note = tmp_path / "note.txt"
    note.write_text(TEXT, encoding="utf-8")
    ok(a, "drop", "seal", "--to", public, "--text", str(note), "--out", str(sealed))
    keyfile = tmp_path / "drop.key"
    monkeypatch.setenv("HASTEH_DROP_KEY_PASSPHRASE", "short")
    code, out = run(a, "drop", "key", "bakery", "--export", str(keyfile))
    assert code == 1 and not keyfile.exists()
    monkeypatch.setenv("HASTEH_DROP_KEY_PASSPHRASE", "نان کار آزادی ۱۴۰۵")
    ok(a, "drop", "key", "bakery", "--export", str(keyfile))
    assert stat.S_IMODE(keyfile.stat().st_mode) == 0o600
    assert b"ENCRYPTED PRIVATE KEY" in keyfile.read_bytes()
    monkeypatch.setenv("HASTEH_DROP_KEY_PASSPHRASE", "the wrong passphrase")
    code, out = run(b, "drop", "key", "bakery", "--import", str(keyfile))
    assert code == 1 and "passphrase is wrong" in out
    monkeypatch.setenv("HASTEH_DROP_KEY_PASSPHRASE", "نان کار آزادی ۱۴۰۵")
    assert ok(b, "drop", "key", "bakery", "--import", str(keyfile)).strip() == public
    assert ok(b, "drop", "key", "bakery").strip() == public
    opened = ok(b, "drop", "open", "bakery", str(sealed))
    assert len(opened.strip().splitlines()[-1].split()) == 8
