"""Messages arrive by themselves, with JavaScript off: two real `hasteh up` processes
(background sync every 2 s, `--sync-every`), one relay (A's embedded one), real Chromium
without script. B's cell page shows A's new message in its news frame without a click,
while the message B was typing stays in the box; B's home marks the cell as unread until
B opens it. On A's side a decision is opened with a Persian deadline choice and another
with a typed Jalali date. Screenshots go to `$HASTEH_SCREENSHOTS` when set:

    HASTEH_SCREENSHOTS=docs/screenshots uv run pytest tests/web/test_browser_live.py
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

import jdatetime
import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser, expect

from hasteh.i18n import persian_digits, translations

from .test_browser import Up, screenshots_dir, shoot
from .test_browser_cells import PASS_A, PASS_B, open_person

pytestmark = pytest.mark.slow

fa = translations("fa").gettext
TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")
#: Longest wait for a background round to bring a message (the rounds run every 2 s).
ARRIVAL_TIMEOUT = 60_000


@pytest.fixture
def two_live_ups(tmp_path: Path) -> Iterator[tuple[Up, Up]]:
    a = Up(tmp_path / "a", ("--sync-every", "2"))
    try:
        b = Up(tmp_path / "b", ("--sync-every", "2"))
    except BaseException:
        a.stop()
        raise
    try:
        yield a, b
    finally:
        a.stop()
        b.stop()


def test_new_messages_appear_without_a_click_and_typing_survives(
    browser: Browser, two_live_ups: tuple[Up, Up], tmp_path: Path
) -> None:
    up_a, up_b = two_live_ups
    folder = screenshots_dir(tmp_path)
    context_a, a, _ = open_person(browser, up_a, PASS_A, javascript=False)
    context_b, b, requests_b = open_person(browser, up_b, PASS_B, javascript=False)

    # B lists A's embedded relay, makes a card; A creates the cell and proposes B.
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

    # B starts writing, and does not send.
    b.goto(f"{up_b.origin}{cell_path}")
    half = "فردا ساعت شش جلوی در کارخانه، ولی"
    b.get_by_label(fa("Your message")).fill(half)
    url_before = b.url

    # A says something; B's page shows it by itself.
    a.goto(f"{up_a.origin}{cell_path}")
    a.get_by_label(fa("Your message")).fill("جلسه به پنجشنبه افتاد")
    a.get_by_role("button", name=fa("Send"), exact=True).click()
    frame = b.frame_locator("iframe.news")
    expect(frame.locator(".messages")).to_contain_text(
        "جلسه به پنجشنبه افتاد", timeout=ARRIVAL_TIMEOUT
    )
    expect(frame.locator(".messages")).to_contain_text("سپیده")
    assert b.get_by_label(fa("Your message")).input_value() == half
    assert b.url == url_before
    shoot(b, folder, "news-frame-fa")
    # The frame's link opens the whole page (target _top), not inside the frame.
    assert frame.get_by_role("link", name=fa("Show everything")).get_attribute("target") == "_top"

    # B's home marks the cell unread until B opens it.
    page_b2 = context_b.new_page()
    page_b2.goto(f"{up_b.origin}/home")
    assert page_b2.locator(".cells .unread").inner_text() == fa("New")
    page_b2.goto(f"{up_b.origin}{cell_path}")
    assert "جلسه به پنجشنبه افتاد" in page_b2.locator(".messages").first.inner_text()
    page_b2.goto(f"{up_b.origin}/home")
    assert page_b2.locator(".cells .unread").count() == 0
    page_b2.close()

    # A decision closing "tomorrow evening", one of the Persian choices.
    a.goto(f"{up_a.origin}{cell_path}/decisions")
    assert a.get_by_label(fa("In three days")).is_checked()  # the default choice
    a.get_by_label(fa("Tomorrow evening")).check()
    a.get_by_label(fa("Question")).fill("اعتصاب؟")
    shoot(a, folder, "deadline-choices-fa")
    a.get_by_role("button", name=fa("Open the decision")).click()
    tomorrow = dt.datetime.now(TEHRAN).date() + dt.timedelta(days=1)
    j = jdatetime.date.fromgregorian(date=tomorrow)
    shown = persian_digits(f"{j.day} {jdatetime.date.j_months_fa[j.month - 1]} {j.year}، 21:00")
    assert shown in a.locator("main").inner_text()

    # Another with a Jalali date typed in Persian digits (ten days ahead).
    a.goto(f"{up_a.origin}{cell_path}/decisions")
    later = dt.datetime.now(TEHRAN).date() + dt.timedelta(days=10)
    j = jdatetime.date.fromgregorian(date=later)
    typed = persian_digits(f"{j.day} {jdatetime.date.j_months_fa[j.month - 1]} ۱۸:۳۰")
    a.get_by_label(fa("Or type a date")).fill(typed)
    a.get_by_label(fa("Question")).fill("نشست بعدی؟")
    a.get_by_role("button", name=fa("Open the decision")).click()
    assert re.search(r"/decisions/[0-9a-f]{8}", a.url), a.url
    shown = persian_digits(f"{j.day} {jdatetime.date.j_months_fa[j.month - 1]} {j.year}، 18:30")
    assert shown in a.locator("main").inner_text()

    assert requests_b and all(url.startswith(up_b.origin) for url in requests_b), requests_b
    context_a.close()
    context_b.close()
