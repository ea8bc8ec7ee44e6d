"""`hasteh federation …` in Persian: a delegate amends the programme, the alliance votes
and it is ratified at the next sync; a joint action with the cell's count (a number);
a warning; a council's decision carried into the alliance and on into the cell. Bad input
is refused in Persian and changes nothing."""

from __future__ import annotations

from pathlib import Path

from hasteh.app import alliances, federation
from hasteh.app.profile import workspace
from tests.relay.harness import RelayProcess

from .test_cells_cli import PASS, ok, profile, run


def test_a_delegate_through_the_cli(tmp_path: Path, cli_relay: RelayProcess) -> None:
    a = profile(tmp_path, "a")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", cli_relay.url)
    with workspace(a, PASS) as ws:
        alliances.form(ws, "north", cell="bakers", relays=[cli_relay.url])
        alliances.form(ws, "national", cell="north", relays=[cli_relay.url])
    out = ok(a, "federation", "council", "national", lang="fa")
    assert "شورا" in out
    out = ok(a, "federation", "show", "north", lang="fa")
    assert "هنوز هیچ نسخهٔ تصویب‌شده‌ای ندارد" in out

    out = ok(a, "federation", "amend", "north", "Wages", "A living wage.", lang="fa")
    assert "رأی‌گیری ۱: اصلاح «Wages» (باز" in out
    ok(a, "federation", "vote", "north", "۱", "yes")
    ok(a, "sync")  # every cell voted: the lowest seat closes the vote and ratifies
    out = ok(a, "federation", "programme", "north", lang="fa")
    assert "نسخهٔ ۱" in out and "§ Wages: A living wage." in out
    assert "تأییدکننده‌ها: هنوز هیچ‌کس" in out

    out = ok(
        a,
        "federation",
        "joint",
        "north",
        "Monday stoppage",
        "--demand",
        "Wages on time",
        "--demand",
        "No night shifts",
        lang="fa",
    )
    assert "اقدام مشترک «Monday stoppage»" in out
    out = ok(a, "federation", "count", "north", "1", "۷", lang="fa")
    assert "۷" in out
    out = ok(a, "federation", "show", "north", lang="fa")
    assert "bakers: ۷" in out and "خواستهٔ ۲: No night shifts" in out
    ok(a, "federation", "warn", "north", "--kind", "place", "Gate 3 is watched.")
    out = ok(a, "federation", "show", "north", lang="fa")
    assert "هشدار ۱ از هستهٔ bakers (جایی که لو رفته): Gate 3 is watched." in out

    with workspace(a, PASS) as ws:
        motion = alliances.open_motion(
            ws, "national", "A national day of action?", ws.now() + 86_400
        )
    ok(a, "federation", "vote", "national", "1", "yes")
    ok(a, "sync")
    ok(a, "federation", "report", "national", "1", "--into", "north")
    ok(a, "federation", "report", "north", "r1", "--into", "bakery")
    ok(a, "federation", "report", "north", "w1", "--into", "bakery")
    out = ok(a, "federation", "reports", "bakery", lang="fa")
    # Both were carried in the same second: their order is the log's (by id), not ours.
    assert "(تصمیم) از national › north" in out and "۱ موافق، ۰ مخالف" in out
    assert "(هشدار) از north" in out and "Gate 3 is watched." in out
    with workspace(a, PASS) as ws:
        carried = {r.kind: r for r in federation.reports_in(ws, "bakery")}
        assert set(carried) == {"decision", "warning"}
        first = carried["decision"]
        assert first.text == "A national day of action?" and first.path == ("national", "north")
        assert alliances.find_alliance(ws, "national").org.motions[motion].outcome is not None
        before = federation.view(ws, "north")

    for args, words in (
        (("federation", "count", "north", "1", "1001"), "۱٬۰۰۰"),
        (("federation", "count", "north", "9", "1"), "اقدام مشترکی"),
        (("federation", "vote", "north", "1", "maybe"), "yes, no"),
        (("federation", "warn", "north", "--kind", "rumour", "x"), "informer"),
        (("federation", "amend", "north", "Pensions"), "Pensions"),
        (("federation", "show", "south"), "اتحاد"),
        (("federation", "report", "north", "w9", "--into", "bakery"), "هشدار"),
        (("federation", "report", "north", "1", "--into", "nowhere"), "هسته یا اتحاد"),
    ):
        code, out = run(a, *args, lang="fa")
        assert code == 1 and words in out, (args, out)
    with workspace(a, PASS) as ws:
        assert federation.view(ws, "north") == before


def test_the_nationwide_bulletin_through_the_cli(tmp_path: Path, cli_relay: RelayProcess) -> None:
    a = profile(tmp_path, "a")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", cli_relay.url)
    with workspace(a, PASS) as ws:
        alliances.form(ws, "north", cell="bakers", relays=[cli_relay.url])
    ok(a, "federation", "article", "north", "شب‌کاری", "هیچ‌کس نباید شب تنها کار کند.")
    with workspace(a, PASS) as ws:
        alliances.open_motion(ws, "north", "Issue 1?", ws.now() + 86_400)
    ok(a, "federation", "vote", "north", "1", "yes")
    ok(a, "sync")
    pdf = tmp_path / "issue-1.pdf"
    compile_args = ("federation", "compile", "north", "1", "--title", "صدای کارگر")
    # No editors named yet: this device holds no key of the alliance; nothing is sent.
    code, out = run(a, *compile_args, "--out", str(pdf), lang="fa")
    assert code == 1 and "کلید نشریهٔ اتحاد را ندارد" in out and not pdf.exists()
    out = ok(a, "federation", "editors", "north", "bakers", lang="fa")
    assert "اتحاد هنوز ویراستاری نام نبرده است." in out
    with workspace(a, PASS) as ws:  # votes are numbered by when they opened, then by id
        [(number, _named)] = federation.key_view(ws, "north").open_namings
    ok(a, "federation", "vote", "north", str(number), "yes")
    compile_args = (*compile_args[:3], str(3 - number), *compile_args[4:])
    for _ in range(3):  # the vote closes; the seat posts its inbox; then makes the key
        ok(a, "sync")
    out = ok(a, "federation", "editors", "north", lang="fa")
    assert "ویراستاران نشریهٔ اتحاد: bakers" in out and "این دستگاه کلید را دارد" in out
    fingerprint = out.split("اثر انگشت کلید نشریه: ")[1].split(" (")[0].replace(" ", "")
    out = ok(a, *compile_args, "--out", str(pdf), lang="fa")
    assert "شمارهٔ ۱ آماده و امضا شد." in out and pdf.read_bytes().startswith(b"%PDF-")
    ok(a, "bulletin", "verify", str(pdf), "--issuer", fingerprint)  # the press's own check
    out = ok(a, "federation", "issues", "north", lang="fa")
    assert "شمارهٔ ۱: صدای کارگر (اصل)" in out and "مقاله از هستهٔ bakers: شب‌کاری" in out
    ok(a, "federation", "republish", "north", "۱", "--into", "bakery")
    out = ok(a, "federation", "reports", "bakery", lang="fa")
    assert "(نشریه)" in out and "هیچ‌کس نباید شب تنها کار کند." in out
    again = tmp_path / "again.pdf"
    code, out = run(a, "federation", "compile", "north", "1", "--title", "x", "--out", str(again))
    assert code == 1 and not again.exists()
    code, out = run(a, "federation", "republish", "north", "2", "--into", "bakery", lang="fa")
    assert code == 1
