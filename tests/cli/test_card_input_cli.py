"""A card reaches the member as a file written by `hasteh card > card.txt` (its hint
lines included, in either language) or as a QR image (`hasteh propose --image`); hostile
images are refused with a precise message and change nothing."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from typer.testing import CliRunner

from hasteh.cli.main import app
from tests.cli.test_cells_cli import PASS, ok, profile, run
from tests.relay.harness import RelayProcess


def card_stdout(home: Path, name: str, relay: str, *extra: str, lang: str = "en") -> str:
    """Everything `hasteh card` prints, as a shell redirect would write it to a file."""
    result = CliRunner().invoke(
        app,
        ["card", "--as", name, "--relay", relay, *extra, "--home", str(home)],
        env={"HASTEH_LANG": lang, "HASTEH_PASSPHRASE": PASS},
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_a_card_file_with_its_hint_lines_is_accepted(
    tmp_path: Path, cli_relay: RelayProcess
) -> None:
    url = cli_relay.url
    a, b, c = (profile(tmp_path, n) for n in "abc")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", url)
    for home, name, lang in ((b, "reza", "en"), (c, "maryam", "fa")):
        written = card_stdout(home, name, url, lang=lang)
        assert len(written.splitlines()) >= 2  # the code and at least one hint line
        card_file = tmp_path / f"{name}.txt"
        card_file.write_text("# from a friend\n\n" + written, encoding="utf-8")
        assert f"{name} was proposed" in ok(a, "propose", "bakery", str(card_file))


def test_a_qr_image_of_the_card_is_accepted(tmp_path: Path, cli_relay: RelayProcess) -> None:
    url = cli_relay.url
    a, b = profile(tmp_path, "a"), profile(tmp_path, "b")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", url)
    png = tmp_path / "card.png"
    card_stdout(b, "reza", url, "--out", str(png))
    # As a phone would see it: scaled, in JPEG, on a grey page.
    photo = Image.new("L", (900, 900), 200)
    photo.paste(Image.open(png).convert("L").resize((500, 500)), (200, 150))
    jpeg = tmp_path / "photo.jpg"
    photo.save(jpeg, "JPEG", quality=85)
    assert "reza was proposed" in ok(a, "propose", "bakery", "--image", str(jpeg))
    ok(a, "sync")
    assert "You joined bakery" in ok(b, "join")


def image_bytes(size: tuple[int, int], fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("L", size, 255).save(buffer, fmt)
    return buffer.getvalue()


def test_hostile_images_are_refused_precisely(tmp_path: Path, cli_relay: RelayProcess) -> None:
    a = profile(tmp_path, "a")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", cli_relay.url)
    cases = {
        "text.png": (b"HC1:AAAA not an image at all", "is not an image hasteh can read"),
        "blank.png": (image_bytes((300, 300)), "No QR code was found"),
        "wide.png": (image_bytes((7000, 8)), "too large to be a card"),
        "huge.bin": (b"\x89PNG" + b"\0" * (13 * 1024 * 1024), "too large to be a card"),
        "cut.png": (image_bytes((300, 300))[:60], "is not an image hasteh can read"),
    }
    for name, (data, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        status, output = run(a, "propose", "bakery", "--image", str(path))
        assert status == 1 and message in output, (name, output)
    assert "reza" not in ok(a, "cell", "members", "bakery")
    status, output = run(a, "propose", "bakery")
    assert status != 0 and "--image" in output
