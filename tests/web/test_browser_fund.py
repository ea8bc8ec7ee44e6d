"""The fund's page in real Chromium, JavaScript on and off: two people (two real `hasteh
up` processes, A's embedded relay) form a cell, A records money, B asks for a family, B
finds no way to approve its own request, A approves and pays in two parts, and both see
the same fingerprint. Screenshots of the fund page (fa) go to `$HASTEH_SCREENSHOTS`:

    HASTEH_SCREENSHOTS=docs/screenshots \
        uv run pytest tests/web/test_browser_fund.py -k "js and not no-js"
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser, Page, expect

from .test_browser import Up, screenshots_dir
from .test_browser_cells import PASS_A, PASS_B, fa, fetch_now, open_person, shoot, two_ups

__all__ = ["two_ups"]  # a shared fixture (Chromium: conftest)

pytestmark = pytest.mark.slow


def form_cell(a: Page, b: Page, up_a: Up, up_b: Up) -> str:
    """A's cell with B in it (B lists A's embedded relay); the cell's path."""
    relay_url = a.locator(".relay code").inner_text()
    b.get_by_role("link", name=fa("Settings")).click()
    b.get_by_label(fa("Relay addresses, one per line")).fill(relay_url)
    b.get_by_role("button", name=fa("Save")).click()
    b.get_by_role("link", name=fa("Join a cell")).first.click()
    b.get_by_label(fa("Your cover name in the cell you join")).fill("رضا")
    b.get_by_role("button", name=fa("Make my card")).click()
    code = b.get_by_label(fa("The card as text (select it all and copy)")).input_value()
    a.get_by_label(fa("Cell name (seen only by its members)")).fill("نانوایی")
    a.get_by_label(fa("Your cover name in this cell")).fill("سپیده")
    a.get_by_role("button", name=fa("Create the cell")).click()
    cell_path = a.url.split(up_a.origin)[1].split("?")[0]
    a.get_by_role("link", name=fa("Members"), exact=True).click()  # the cell's menu
    a.get_by_label(fa("The newcomer's card code")).fill(code)
    a.get_by_role("button", name=fa("Propose"), exact=True).click()
    b.get_by_role("link", name=fa("Join a cell")).first.click()
    b.get_by_role("button", name=fa("Join"), exact=True).click()
    assert b.url.startswith(f"{up_b.origin}{cell_path}?done=joined"), b.url
    return cell_path


def fingerprint(page: Page) -> str:
    shape = r"[0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4}"
    # After a click the next page may still be loading: wait for it, then read it.
    expect(page.locator("main")).to_contain_text(re.compile(shape))
    found = re.search(shape, page.content())
    assert found
    return found.group(0)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_fund_in_chromium(
    browser: Browser, two_ups: tuple[Up, Up], tmp_path: Path, javascript: bool
) -> None:
    up_a, up_b = two_ups
    folder = screenshots_dir(tmp_path) if javascript else None
    context_a, a, requests_a = open_person(browser, up_a, PASS_A, javascript)
    context_b, b, requests_b = open_person(browser, up_b, PASS_B, javascript)
    cell_path = form_cell(a, b, up_a, up_b)

    a.goto(f"{up_a.origin}{cell_path}")
    a.get_by_role("link", name=fa("Solidarity fund")).click()
    assert a.url == f"{up_a.origin}{cell_path}/fund"
    a.locator("#give-amount").fill("۲٬۰۰۰٬۰۰۰")
    a.get_by_label(fa("What it is (never a name, card or account).")).first.fill("از کارگاه")
    a.get_by_role("button", name=fa("Record"), exact=True).click()
    assert a.get_by_role("status").inner_text() == fa("Recorded and sent to the cell.")

    b.goto(f"{up_b.origin}{cell_path}/fund")
    fetch_now(b)
    # A card number is refused with a Persian message; nothing is recorded.
    b.get_by_label(fa("The family's code name (never a real name).")).fill("6037991234567893")
    b.locator("#ask-amount").fill("۵۰۰۰۰۰")
    b.get_by_role("button", name=fa("Ask"), exact=True).click()
    assert "شمارهٔ کارت" in b.get_by_role("alert").first.inner_text()
    b.get_by_label(fa("The family's code name (never a real name).")).fill("سرو")
    b.get_by_label(fa("For what")).select_option("rent")
    b.get_by_label(fa("How urgent")).select_option("urgent")
    b.locator("#ask-amount").fill("۵۰۰۰۰۰")
    b.get_by_role("button", name=fa("Ask"), exact=True).click()
    assert b.get_by_role("status").inner_text() == fa("Recorded and sent to the cell.")
    assert b.get_by_role("button", name=fa("Approve"), exact=True).count() == 0
    expect(b.locator("main")).to_contain_text(fa("You asked for this; other members approve it."))

    fetch_now(a)
    a.get_by_role("button", name=fa("Approve"), exact=True).click()
    a.get_by_label(fa("Pay (all or part)")).fill("۳۰۰۰۰۰")
    a.get_by_role("button", name=fa("Pay"), exact=True).click()
    a.get_by_label(fa("Pay (all or part)")).fill("۲۰۰۰۰۰")
    a.get_by_role("button", name=fa("Pay"), exact=True).click()
    expect(a.locator("main")).to_contain_text(fa("No open requests."))
    assert "۱۵۰۰۰۰۰" in a.locator("table.balances").inner_text()
    if folder is not None:
        shoot(a, folder, "fund-fa")
    fetch_now(b)
    assert fingerprint(b) == fingerprint(a)
    for requests, up in ((requests_a, up_a), (requests_b, up_b)):
        assert all(r.startswith(up.origin) for r in requests), requests
    context_a.close()
    context_b.close()
