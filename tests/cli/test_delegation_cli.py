"""`hasteh delegate …` and `hasteh alliance …` through the real CLI (CliRunner) against a
real relay, in Persian: a two-member cell elects its delegate and alternate, makes its key
and hands it over by code, forms an alliance under a pseudonym, registers the key, opens
a motion; a mistyped key code is refused in Persian and changes nothing. Every string of
the module has its Persian translation."""

from __future__ import annotations

import re
from pathlib import Path

from hasteh.app import decisions
from hasteh.app.profile import workspace
from hasteh.i18n import translations
from tests.relay.harness import RelayProcess

from .test_cells_cli import PASS, card, ok, profile, run

ROOT = Path(__file__).resolve().parents[2]


def test_every_string_of_the_commands_is_translated() -> None:
    source = (ROOT / "src/hasteh/cli/delegation.py").read_text(encoding="utf-8")
    msgids = set(re.findall(r'(?<!\w)_\(\s*"((?:[^"\\]|\\.)*)"\s*\)', source))
    assert len(msgids) > 60
    fa = translations("fa")
    assert sorted(m for m in msgids if fa.gettext(m) == m) == []


def test_delegates_and_an_alliance_through_the_cli(tmp_path: Path, cli_relay: RelayProcess) -> None:
    url = cli_relay.url
    a, b = profile(tmp_path, "a"), profile(tmp_path, "b")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", url)
    ok(a, "propose", "bakery", card(b, "reza", url, tmp_path))
    ok(a, "sync")
    ok(b, "join")
    ok(a, "sync")
    # A ranked decision of two seats: reza first, sepideh second.
    with workspace(a, PASS) as ws:
        opened = decisions.open_decision(
            ws,
            "bakery",
            kind="stv",
            question="Our delegates?",
            deadline=ws.now() + 86_400,
            options=["sepideh", "reza"],
            seats=2,
        )
    ref = opened.decision_id[:8]
    for home in (a, b):
        ok(home, "sync")
        with workspace(home, PASS) as ws:
            decisions.vote(ws, "bakery", ref, choices=["reza", "sepideh"])
        ok(home, "sync")
    ok(a, "sync")
    with workspace(a, PASS) as ws:
        decisions.close(ws, "bakery", ref)
    ok(a, "sync")
    ok(b, "sync")

    out = ok(
        a,
        "delegate",
        "elect",
        "bakery",
        "1",
        "--pseudonym",
        "cell-a",
        "--mandate",
        "Strike if wages are late",
        lang="fa",
    )
    assert "نماینده: reza" in out and "جانشین: sepideh" in out
    ok(a, "sync")
    ok(b, "sync")
    out = ok(b, "delegate", "key", "bakery", "1", lang="fa")
    assert "کلید هسته" in out
    ok(b, "sync")
    ok(a, "sync")
    code = ok(b, "delegate", "key-code", "bakery").strip().splitlines()[-1]
    assert code.startswith("HK1:")
    before = ok(a, "delegate", "show", "bakery")
    status, out = run(a, "delegate", "key-import", "bakery", code[:-2] + "AA", lang="fa")
    assert status == 1 and "اشتباه تایپ" in out
    assert ok(a, "delegate", "show", "bakery") == before
    assert "کلید هسته در دست شماست" in ok(a, "delegate", "key-import", "bakery", code, lang="fa")
    out = ok(a, "delegate", "show", "bakery", lang="fa")
    assert "نماینده: reza" in out and "دستور هسته: Strike if wages are late" in out
    assert "sepideh" in out and "cell-a" in out

    # reza forms an alliance under the cell's pseudonym and registers the cell's key.
    out = ok(b, "alliance", "form", "north", "--as", "cell-a", "--relay", url, lang="fa")
    assert "اتحاد north" in out
    ok(b, "delegate", "register", "bakery", "north")
    out = ok(b, "alliance", "motion", "north", "A joint strike on Monday?")
    ok(b, "sync")
    out = ok(b, "alliance", "show", "north", lang="fa")
    assert "cell-a (کلید ثبت شده)" in out and "A joint strike on Monday?" in out
    assert "bakery" not in out and "reza" not in out  # the alliance shows no cell's name

    # Endorsing is signed with the cell's key only under an adopted consent or proposal
    # decision: the election is neither, so it is refused in Persian and nothing is sent.
    fa = translations("fa")
    status, out = run(b, "delegate", "endorse", "bakery", "north", "۱", "1", lang="fa")
    assert status == 1, out
    assert fa.gettext("A motion can only be put to a consent or proposal decision.") in out
    status, out = run(b, "delegate", "endorse", "bakery", "north", "یک", "1", lang="fa")
    assert (
        status == 1 and fa.gettext("The programme has no version {version}.").split("{")[0] in out
    )
    # A spoken code typed for an alliance this profile is not in: refused before the
    # code is spent, in Persian.
    status, out = run(b, "alliance", "propose-code", "south", "۱۲", "الف", "ب", "پ", lang="fa")
    assert status == 1, out
    assert (
        fa.gettext("There is no such alliance in this profile, or several have this name.") in out
    )
