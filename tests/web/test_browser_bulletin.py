"""The bulletin's pages in real Chromium, JavaScript on and off: two people (two real
`hasteh up` processes, A's embedded relay) form a cell, name A the editor, B writes an
article (raw HTML in it is shown as text), A assembles the issue and sees the preview,
the cell approves it, A signs and publishes, and B downloads the very bytes A holds and
sees "genuine". Screenshots (fa) of the newsroom, the preview, and a page image of the
published issue go to `$HASTEH_SCREENSHOTS`:

    HASTEH_SCREENSHOTS=docs/screenshots \\
        uv run pytest tests/web/test_browser_bulletin.py -k "js and not no-js"
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser, Page, expect

from hasteh.web.i18n import Ui

from .test_browser import Up, screenshots_dir
from .test_browser_cells import PASS_A, PASS_B, fa, fetch_now, open_person, shoot, two_ups
from .test_browser_fund import form_cell

__all__ = ["two_ups"]  # a shared fixture (Chromium: conftest)

pytestmark = pytest.mark.slow


def agree_and_close(a: Page, b: Page, up_a: Up, up_b: Up) -> None:
    """The decision linked on A's page: both agree (consent), A closes it."""
    link = a.locator('ul.decisions a[href*="/decisions/"]').first
    path = link.get_attribute("href")
    assert path
    for person, up in ((a, up_a), (b, up_b)):
        fetch_now(person)
        person.goto(f"{up.origin}{path}")
        person.get_by_role("button", name=fa("Vote"), exact=True).click()
        expect(person.get_by_role("status")).to_have_text(fa("Your vote was recorded."))
    fetch_now(a)
    a.get_by_role("button", name=fa("Close the decision")).click()
    expect(a.locator(".outcome")).to_be_visible()
    for _ in range(2):
        fetch_now(b)
        fetch_now(a)


def download(page: Page, link_name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    target = info.value.path()
    return Path(target).read_bytes()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_newsroom_in_chromium(
    browser: Browser, two_ups: tuple[Up, Up], tmp_path: Path, javascript: bool
) -> None:
    up_a, up_b = two_ups
    folder = screenshots_dir(tmp_path) if javascript else None
    context_a, a, requests_a = open_person(browser, up_a, PASS_A, javascript)
    context_b, b, requests_b = open_person(browser, up_b, PASS_B, javascript)
    cell_path = form_cell(a, b, up_a, up_b)
    room = f"{cell_path}/bulletin"

    a.goto(f"{up_a.origin}{cell_path}")
    a.get_by_role("link", name=fa("Bulletin"), exact=True).click()
    assert a.url == f"{up_a.origin}{room}"
    a.get_by_label("سپیده").check()
    a.get_by_role("button", name=fa("Propose (the cell decides)")).click()
    agree_and_close(a, b, up_a, up_b)
    a.goto(f"{up_a.origin}{room}")
    expect(a.locator("main")).to_contain_text(fa("This device holds the bulletin key."))

    b.goto(f"{up_b.origin}{room}")
    b.get_by_label(fa("The article's title.")).fill("دستمزدهای عقب‌افتاده")
    b.get_by_label(fa("The text")).fill(
        "کارگران کارگاه ریخته‌گری **سه ماه** است دستمزد نگرفته‌اند.\n\n"
        "- بیمه\n- دستمزد\n\n> «تا پول نیاید برنمی‌گردیم.»\n\n<script>alert(1)</script>"
    )
    b.get_by_role("button", name=fa("Write a new article.")).click()
    expect(b.locator("article.press strong")).to_have_text("سه ماه")
    expect(b.locator("article.press")).to_contain_text("<script>alert(1)</script>")
    if javascript:
        shoot(b, folder, "bulletin-article-fa")

    fetch_now(a)
    a.goto(f"{up_a.origin}{room}")
    a.get_by_label("دستمزدهای عقب‌افتاده").check()
    a.get_by_label(fa("The bulletin's name.")).fill("صدای کارگر")
    a.get_by_label(fa("The issue's number.")).fill("۱۲")
    # The field starts at today's date (its label's example); an issue of a set day is typed.
    date_field = a.get_by_label(
        re.compile(re.escape(fa("The issue's Jalali date, such as {date}.").split("{date}")[0]))
    )
    expect(date_field).to_have_value(Ui("fa").jalali_today())
    date_field.fill("1405/09/13")
    a.get_by_role("button", name=fa("Assemble the issue")).click()
    expect(a.get_by_role("heading", name=fa("Preview"))).to_be_visible()
    expect(a.locator(".preview article.press strong")).to_have_text("سه ماه")
    issue_path = a.url.split(up_a.origin)[1].split("?")[0]
    if javascript:
        shoot(a, folder, "bulletin-preview-fa")
    assert a.get_by_role("button", name=fa("Sign and publish the issue")).count() == 0

    a.get_by_role("button", name=fa("Open the approval decision")).click()
    agree_and_close(a, b, up_a, up_b)
    a.goto(f"{up_a.origin}{issue_path}")
    a.get_by_role("button", name=fa("Sign and publish the issue")).click()
    expect(a.get_by_role("status").first).to_have_text(
        fa("The issue is published; every member receives the same signed file.")
    )
    fetch_now(b)
    b.goto(f"{up_b.origin}{issue_path}")
    expect(b.locator("main")).to_contain_text(fa("Genuine: signed with the cell's bulletin key."))
    assert b.get_by_role("button", name=fa("Sign and publish the issue")).count() == 0
    signed_a = download(a, fa("Download the signed PDF (A5)"))
    signed_b = download(b, fa("Download the signed PDF (A5)"))
    assert signed_a == signed_b and signed_a.startswith(b"%PDF-")
    page_one = download(b, fa("Page {n} as an image").format(n="۱"))
    assert page_one.startswith(b"\x89PNG")
    if folder is not None:
        shoot(b, folder, "bulletin-issue-fa")
        (folder / "bulletin-published-page1.png").write_bytes(page_one)

    b.get_by_label(fa("The workplace's code (never a person).")).fill("کارگاه ۳")
    b.get_by_label(fa("How many copies.")).fill("۴۰")
    b.get_by_role("button", name=fa("Record copies handed out at a workplace.")).click()
    expect(b.locator("table.balances")).to_contain_text("کارگاه ۳")

    # A copy handed over in a messenger is checked on the newsroom page, no terminal.
    b.goto(f"{up_b.origin}{issue_path.split('/issues/')[0]}")
    b.get_by_label(
        fa("The bulletin's PDF, or a photo of its last page with the QR code.")
    ).set_input_files(
        files=[{"name": "issue.pdf", "mimeType": "application/pdf", "buffer": signed_a}]
    )
    b.get_by_role("button", name=fa("Check the copy")).click()
    genuine = fa("Genuine: this is issue {number}, signed with the cell's current bulletin key.")
    expect(b.get_by_role("status").first).to_contain_text(genuine.split("{number}")[0].strip())
    if folder is not None:
        shoot(b, folder, "bulletin-check-fa")
    for requests, up in ((requests_a, up_a), (requests_b, up_b)):
        assert all(r.startswith(up.origin) for r in requests), requests
    context_a.close()
    context_b.close()
