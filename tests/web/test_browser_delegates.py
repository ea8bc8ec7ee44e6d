"""A cell's delegates page in real Chromium, JavaScript on and off: two people (two real
`hasteh up` processes, A's embedded relay) form a cell, elect by STV from the decisions
page, A records the election on the delegates page, and both see who speaks for the cell.
A screenshot of the page (fa) goes to `$HASTEH_SCREENSHOTS`:

    HASTEH_SCREENSHOTS=docs/screenshots \\
        uv run pytest tests/web/test_browser_delegates.py -k "js and not no-js"
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser, Page, expect

from .test_browser import Up, screenshots_dir
from .test_browser_cells import PASS_A, PASS_B, fa, fetch_now, open_person, shoot, two_ups
from .test_browser_fund import form_cell

__all__ = ["two_ups"]  # a shared fixture (Chromium: conftest)

pytestmark = pytest.mark.slow


def rank(page: Page, first: str, second: str) -> None:
    page.get_by_label(fa("Choice {n}").format(n="۱")).select_option(label=first)
    page.get_by_label(fa("Choice {n}").format(n="۲")).select_option(label=second)
    page.get_by_role("button", name=fa("Vote"), exact=True).click()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_delegates_page_in_chromium(
    browser: Browser, two_ups: tuple[Up, Up], tmp_path: Path, javascript: bool
) -> None:
    up_a, up_b = two_ups
    folder = screenshots_dir(tmp_path) if javascript else None
    context_a, a, requests_a = open_person(browser, up_a, PASS_A, javascript)
    context_b, b, requests_b = open_person(browser, up_b, PASS_B, javascript)
    cell_path = form_cell(a, b, up_a, up_b)

    a.goto(f"{up_a.origin}{cell_path}")
    a.get_by_role("link", name=fa("Delegates"), exact=True).click()
    assert a.url == f"{up_a.origin}{cell_path}/delegates"
    expect(a.locator("main")).to_contain_text(fa("The cell has not elected its delegates yet."))

    a.get_by_role("link", name=fa("Decisions"), exact=True).click()
    a.get_by_label(fa("Kind")).select_option("stv")
    a.get_by_label(fa("Question")).fill("نماینده‌های ما؟")
    a.get_by_label(fa("Options, one per line (for single, multiple, ranked and STV)")).fill(
        "سپیده\nرضا"
    )
    a.get_by_role("button", name=fa("Open the decision")).click()
    decision = a.url.split(up_a.origin)[1].split("?")[0]
    rank(a, "رضا", "سپیده")
    b.goto(f"{up_b.origin}{cell_path}")
    fetch_now(b)
    b.goto(f"{up_b.origin}{decision}")
    rank(b, "رضا", "سپیده")
    fetch_now(a)
    a.goto(f"{up_a.origin}{decision}")
    a.get_by_role("button", name=fa("Close the decision")).click()
    expect(a.locator(".outcome")).to_contain_text("رضا")

    a.goto(f"{up_a.origin}{cell_path}/delegates")
    a.get_by_label(fa("The cell's pseudonym in alliances (never its name)")).fill("شمال-۱")
    a.get_by_label(fa("The written mandate.")).fill("اعتصاب فقط با رأی هسته")
    a.get_by_role("button", name=fa("Record the delegates")).click()
    assert a.get_by_role("status").inner_text() == fa("The cell's delegates are recorded.")
    table = a.locator("table.balances")
    expect(table).to_contain_text("رضا")
    expect(table).to_contain_text("سپیده")
    expect(table).to_contain_text("شمال-۱")
    if folder is not None:
        shoot(a, folder, "delegates-fa")

    b.goto(f"{up_b.origin}{cell_path}")
    fetch_now(b)
    b.goto(f"{up_b.origin}{cell_path}/delegates")
    expect(b.locator("table.balances")).to_contain_text("اعتصاب فقط با رأی هسته")
    for requests, up in ((requests_a, up_a), (requests_b, up_b)):
        assert all(r.startswith(up.origin) for r in requests), requests
    context_a.close()
    context_b.close()
