"""`hasteh bulletin show|editors|article|issue|approve|publish|download|copies|fund-report`
through the real CLI, two profiles and a real relay: the second member downloads the very
bytes the editor published and `bulletin verify` calls them genuine."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pypdf

from hasteh.jalali import month_of
from tests.cli.test_cells_cli import card, ok, profile, run
from tests.relay.harness import RelayProcess


def sync_both(*homes: Path, rounds: int = 3) -> None:
    for _ in range(rounds):
        for home in homes:
            ok(home, "sync")


def adopt(a: Path, b: Path, opened: str) -> None:
    number = re.search(r"Decision (\d+) is open", opened).group(1)  # type: ignore[union-attr]
    sync_both(a, b)
    ok(a, "decide", "vote", "bakery", number, "--position", "agree")
    ok(b, "decide", "vote", "bakery", number, "--position", "agree")
    sync_both(a, b)
    ok(a, "decide", "close", "bakery", number)
    sync_both(a, b, rounds=4)


def test_the_newsroom_through_the_cli(tmp_path: Path, cli_relay: RelayProcess) -> None:
    url = cli_relay.url
    a, b = profile(tmp_path, "a"), profile(tmp_path, "b")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", url)
    ok(a, "propose", "bakery", card(b, "reza", url, tmp_path))
    ok(a, "sync")
    ok(b, "join")
    sync_both(a, b)
    adopt(a, b, ok(a, "bulletin", "editors", "bakery", "sepideh"))
    shown = ok(b, "bulletin", "show", "bakery")
    assert "Editors: sepideh" in shown and "Bulletin key fingerprint:" in shown

    text = tmp_path / "wages.md"
    text.write_text("دستمزد سه ماه **عقب** افتاده است.\n", encoding="utf-8")
    ok(b, "bulletin", "article", "bakery", "--title", "دستمزدها", "--file", str(text))
    sync_both(a, b)
    issue = ("--number", "۱۲", "--masthead", "صدای کارگر", "--date", "۱۴۰۵/۰۹/۱۳")
    ok(a, "bulletin", "issue", "bakery", "1", *issue)
    code, out = run(a, "bulletin", "publish", "bakery", "1", lang="fa")
    assert code == 1 and "تأیید" in out  # refused in Persian: not approved
    sync_both(a, b)
    adopt(a, b, ok(b, "bulletin", "approve", "bakery", "1"))
    code, out = run(b, "bulletin", "publish", "bakery", "1")
    assert code == 1 and "no bulletin key" in out  # reza is no editor
    ok(a, "bulletin", "publish", "bakery", "1")
    sync_both(a, b)

    mine, theirs = tmp_path / "a.pdf", tmp_path / "b.pdf"
    ok(a, "bulletin", "download", "bakery", "1", "--out", str(mine))
    ok(b, "bulletin", "download", "bakery", "1", "--out", str(theirs))
    assert mine.read_bytes() == theirs.read_bytes()
    assert oct(theirs.stat().st_mode & 0o777) == "0o600"
    fingerprint = re.search(r"fingerprint: ([0-9A-F ]{39})", shown).group(1)  # type: ignore[union-attr]
    assert "Genuine" in ok(b, "bulletin", "verify", str(theirs), "--issuer", fingerprint)
    page = tmp_path / "page1.png"
    ok(b, "bulletin", "download", "bakery", "1", "--out", str(page), "--page", "1")
    assert page.read_bytes().startswith(b"\x89PNG")

    ok(b, "bulletin", "copies", "bakery", "1", "Workshop 3", "۴۰")
    code, out = run(b, "bulletin", "copies", "bakery", "1", "sepideh", "2")
    assert code == 1 and "never a person" in out
    sync_both(a, b)
    assert "Workshop 3: 40 (paper)" in ok(a, "bulletin", "show", "bakery")


def test_the_fund_report_is_rendered_by_the_press(tmp_path: Path, cli_relay: RelayProcess) -> None:
    a = profile(tmp_path, "a")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", cli_relay.url)
    ok(a, "fund", "give", "bakery", "2000000")
    ok(a, "sync")
    year, month = month_of(int(time.time()))
    first, second = tmp_path / "r1.pdf", tmp_path / "r2.pdf"
    out = ok(a, "bulletin", "fund-report", "bakery", f"{year}/{month:02d}", "--out", str(first))
    assert "Unsigned" in out  # no editors named: said so, not hidden
    ok(a, "bulletin", "fund-report", "bakery", f"{year}/{month:02d}", "--out", str(second))
    data = first.read_bytes()
    assert data.startswith(b"%PDF-") and data == second.read_bytes()  # reproducible
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "2000000" in text
    code, _ = run(a, "bulletin", "fund-report", "bakery", "1405/13", "--out", str(first))
    assert code == 1
