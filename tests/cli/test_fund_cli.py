"""`hasteh fund` through the real CLI, two profiles and a real relay."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.test_cells_cli import card, ok, profile, run
from tests.relay.harness import RelayProcess


def test_the_fund_through_the_cli(tmp_path: Path, cli_relay: RelayProcess) -> None:
    url = cli_relay.url
    a, b = profile(tmp_path, "a"), profile(tmp_path, "b")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", url)
    ok(a, "propose", "bakery", card(b, "reza", url, tmp_path))
    ok(a, "sync")
    ok(b, "join")
    ok(a, "fund", "give", "bakery", "۲٬۰۰۰٬۰۰۰", "--note", "از کارگاه")
    ok(a, "sync")
    ok(b, "sync")
    out = ok(b, "fund", "ask", "bakery", "sarv", "food", "500000", "--urgency", "urgent")
    ref = re.search(r"#([0-9a-f]{8})", out).group(1)  # type: ignore[union-attr]
    ok(b, "sync")
    ok(a, "sync")
    code, out = run(b, "fund", "approve", "bakery", ref)
    assert code == 1 and "cannot approve" in out
    ok(a, "fund", "approve", "bakery", ref)
    ok(a, "fund", "pay", "bakery", ref, "300000")
    ok(a, "sync")
    ok(b, "sync")
    shown_a, shown_b = ok(a, "fund", "show", "bakery"), ok(b, "fund", "show", "bakery")
    fp = re.search(r"Fingerprint: ([0-9a-f ]{19})", shown_a).group(1)  # type: ignore[union-attr]
    assert fp in shown_b
    assert "Cash: 1700000 toman" in shown_b
    assert f"#{ref} sarv (food, urgent): 300000 of 500000 toman paid" in shown_b
    fa = ok(b, "fund", "show", "bakery", lang="fa")
    assert "نقد: ۱۷۰۰۰۰۰ تومان" in fa
    assert "In: 2000000 cash" in ok(a, "fund", "report", "bakery")
    target = tmp_path / "fund.beancount"
    ok(a, "fund", "export", "bakery", "--out", str(target))
    assert "Expenses:Hardship  300000 TOMAN" in target.read_text("utf-8")


def test_a_card_number_is_refused_in_persian_and_nothing_is_recorded(
    tmp_path: Path, cli_relay: RelayProcess
) -> None:
    a = profile(tmp_path, "a")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", cli_relay.url)
    code, out = run(a, "fund", "ask", "bakery", "۶۰۳۷-۹۹۱۲-۳۴۵۶-۷۸۹۳", "food", "5", lang="fa")
    assert code == 1 and "شمارهٔ کارت" in out and "نام رمزی" in out
    code, out = run(a, "fund", "give", "bakery", "پنج", lang="fa")
    assert code == 1 and "مبلغ باید عددی درست" in out
    assert "(۰ ثبت)" in ok(a, "fund", "show", "bakery", lang="fa")
