"""The cell commands through the real CLI (CliRunner, in-process) against a real relay:
create, card, propose, vouch, approve, join, say, read, decide, safety words, and the
errors a person can make."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hasteh import vault
from hasteh.cli.main import app
from hasteh.vault.keyfile import MIN_KDF
from tests.relay.harness import RelayProcess

PASS = "correct horse battery staple"


def run(home: Path, *args: str, lang: str = "en") -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        [*args, "--home", str(home)],
        env={"HASTEH_LANG": lang, "HASTEH_PASSPHRASE": PASS},
    )
    return result.exit_code, result.output


def ok(home: Path, *args: str, lang: str = "en") -> str:
    code, output = run(home, *args, lang=lang)
    assert code == 0, (args, output)
    return output


def profile(tmp_path: Path, name: str) -> Path:
    home = tmp_path / name
    vault.create(home, PASS, kdf=MIN_KDF)
    return home


def card(home: Path, name: str, relay: str, tmp_path: Path) -> str:
    png = tmp_path / f"{name}.png"
    output = ok(home, "card", "--as", name, "--relay", relay, "--out", str(png))
    assert png.read_bytes().startswith(b"\x89PNG")
    return next(line for line in output.splitlines() if line.startswith("HC1:"))


def test_cell_through_the_cli(tmp_path: Path, cli_relay: RelayProcess) -> None:
    url = cli_relay.url
    a, b, c, d = (profile(tmp_path, n) for n in "abcd")
    out = ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", url)
    assert "Cell bakery created" in out

    # b joins: the founder's proposal is enough in a cell of one.
    ok(a, "propose", "bakery", card(b, "reza", url, tmp_path))
    assert "Cells:" in ok(a, "sync")
    assert "You joined bakery" in ok(b, "join")

    # c joins: proposed by a (card given as a file), vouched by b.
    code_file = tmp_path / "card-c.txt"
    code_file.write_text(card(c, "maryam", url, tmp_path) + "\n")
    ok(a, "propose", "bakery", str(code_file))
    ok(a, "sync")
    ok(b, "sync")
    assert "approvals 2/2" in ok(b, "vouch", "bakery", "maryam")
    ok(b, "sync")
    ok(a, "sync")
    assert "You joined bakery" in ok(c, "join")

    # d joins: proposed by a, vouched by b, approved by c (all must approve).
    ok(a, "propose", "bakery", card(d, "kaveh", url, tmp_path))
    for home in (a, b, c):
        ok(home, "sync")
    ok(b, "vouch", "bakery", "kaveh")
    ok(b, "sync")
    ok(c, "sync")
    assert "approvals 3/3" in ok(c, "approve", "bakery", "kaveh")
    for home in (b, c, a, a):
        ok(home, "sync")
    ok(d, "join")
    for home in (a, b, c, d):
        ok(home, "sync")

    members = ok(d, "cell", "members", "bakery")
    assert [line.split()[0] for line in members.splitlines()] == [
        "sepideh",
        "reza",
        "maryam",
        "kaveh",
    ]
    words = {ok(h, "cell", "safety-words", "bakery").splitlines()[0] for h in (a, b, c, d)}
    assert len(words) == 1

    ok(c, "say", "bakery", "meeting at the bakery, six o'clock")
    ok(c, "sync")
    for home in (a, b, d):
        ok(home, "sync")
        assert "maryam: meeting at the bakery, six o'clock" in ok(home, "read", "bakery")

    # Persian: Persian digits and Jalali dates on display, any digits on input.
    out = ok(
        a,
        "decide",
        "open",
        "bakery",
        "--kind",
        "single",
        "--question",
        "where?",
        "--option",
        "park",
        "--option",
        "bakery",
        "--deadline",
        "+۲d",
        lang="fa",
    )
    assert "۱" in out
    ok(a, "sync")
    ok(b, "sync")
    ok(b, "decide", "vote", "bakery", "۱", "park")
    shown = ok(b, "decide", "show", "bakery", lang="fa")
    assert "park" in shown and "۱۴۰" in shown  # a Jalali year


def test_cli_errors_are_precise_and_change_nothing(tmp_path: Path, cli_relay: RelayProcess) -> None:
    a = profile(tmp_path, "a")
    code, output = run(a, "say", "nowhere", "hi")
    assert code == 1 and "There is no such cell in this profile." in output
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", cli_relay.url)
    code, output = run(a, "propose", "bakery", "HC1:AAAA!")
    assert code == 1 and "characters a card never has" in output
    code, output = run(
        a, "cell", "create", "big", "--as", "x", "--relay", cli_relay.url, "--cap", "8"
    )
    assert code == 1 and "more than 7 members" in output
    code, output = run(
        a,
        "decide",
        "open",
        "bakery",
        "--kind",
        "consent",
        "--question",
        "?",
        "--deadline",
        "2001-01-01",
    )
    assert code == 1 and "already past" in output
    code, output = run(a, "join")
    assert code == 1 and "No welcome has arrived" in output
    assert "bakery" in ok(a, "cell", "list")


def test_join_by_courier_through_the_cli(tmp_path: Path) -> None:
    from tests.relay.harness import free_port

    dead = f"http://127.0.0.1:{free_port()}"  # no relay runs there
    a, b = profile(tmp_path, "a"), profile(tmp_path, "b")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", dead)
    ok(a, "propose", "bakery", card(b, "reza", dead, tmp_path))
    stick = tmp_path / "stick.bin"
    exported = ok(a, "courier", "export", str(stick))
    code = exported.strip().splitlines()[-1]
    result = CliRunner().invoke(
        app,
        ["courier", "import", str(stick), "--home", str(b)],
        env={"HASTEH_LANG": "en", "HASTEH_PASSPHRASE": PASS, "HASTEH_COURIER_CODE": code},
    )
    assert result.exit_code == 0, result.output
    assert "You joined bakery" in result.output
    ok(b, "say", "bakery", "hello over the stick")
    back = tmp_path / "back.bin"
    code_back = ok(b, "courier", "export", str(back)).strip().splitlines()[-1]
    result = CliRunner().invoke(
        app,
        ["courier", "import", str(back), "--home", str(a)],
        env={"HASTEH_LANG": "en", "HASTEH_PASSPHRASE": PASS, "HASTEH_COURIER_CODE": code_back},
    )
    assert result.exit_code == 0, result.output
    assert "reza: hello over the stick" in ok(a, "read", "bakery")


def test_lying_names_are_refused_with_the_reason(tmp_path: Path, cli_relay: RelayProcess) -> None:
    """An informer types names that look like someone else's, or that hide characters:
    each is refused in Persian, and nothing is created."""
    url = cli_relay.url
    a, b, c = (profile(tmp_path, n) for n in "abc")
    fake = "s\u0435pideh"  # a Cyrillic е
    code, out = run(a, "cell", "create", "bakery", "--as", fake, "--relay", url, lang="fa")
    assert code != 0 and "الفبا" in out  # the word mixes alphabets
    code, out = run(a, "cell", "create", "\u202ebakery", "--as", "sepideh", "--relay", url)
    assert code != 0 and "invisible or control character (U+202E)" in out
    assert "No cells" in ok(a, "cell", "list") or "bakery" not in ok(a, "cell", "list")
    code, out = run(b, "card", "--as", "reza\u2069", "--relay", url)
    assert code != 0 and "U+2069" in out

    ok(a, "cell", "create", "bakery", "--as", "  sepideh  ", "--relay", url)
    # A newcomer whose cover name only looks like the founder's cannot be proposed.
    code, out = run(a, "propose", "bakery", card(b, "Sepideh", url, tmp_path))
    assert code != 0 and "looks like one that is" in out
    all_cyrillic = "\u0455\u0435\u0440\u0456\u0501\u0435\u04bb"
    code, out = run(a, "propose", "bakery", card(c, all_cyrillic, url, tmp_path))
    assert code != 0 and "looks like one that is" in out
    assert "sepideh" in ok(a, "cell", "members", "bakery")
