"""The actions pages in real Chromium with JavaScript off, against a real `hasteh up`:
plan an action, add demands, open the turnout, say "I will take part" (a number, with the
plain warning), give a task; a task for a cover name nobody has is refused in Persian
and changes nothing. The action's page (fa) is photographed for the guides, to a temporary
folder or to `$HASTEH_SCREENSHOTS`:

    HASTEH_SCREENSHOTS=docs/screenshots uv run pytest tests/web/test_browser_actions.py
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser, expect

from hasteh.i18n import translations
from hasteh.web.views import actions as views

from .test_browser import NEW_TAB_TIMEOUT, Up, expect_lang, screenshots_dir, shoot
from .test_browser_cells import PASS_A, open_person

pytestmark = pytest.mark.slow

fa = translations("fa").gettext


@pytest.fixture
def up_a(tmp_path: Path) -> Iterator[Up]:
    server = Up(tmp_path / "a")
    try:
        yield server
    finally:
        server.stop()


def test_an_action_without_javascript(browser: Browser, up_a: Up, tmp_path: Path) -> None:
    context, page, requests = open_person(browser, up_a, PASS_A, javascript=False)
    try:
        page.set_default_timeout(NEW_TAB_TIMEOUT)
        page.get_by_label(fa("Cell name (seen only by its members)")).fill("نانوایی")
        page.get_by_label(fa("Your cover name in this cell")).fill("سپیده")
        page.get_by_role("button", name=fa("Create the cell")).click()
        page.get_by_role("link", name=fa("Actions")).click()
        expect_lang(page, "fa", "rtl")

        page.get_by_label(fa("The workplace's code name (never its address).")).fill("کارگاه ۳")
        page.get_by_label(fa("Date")).fill("فردا")
        page.get_by_role("button", name=fa("Plan an action")).click()
        assert re.search(r"/actions/[0-9a-f]{8}\?done=", page.url), page.url
        assert page.get_by_role("heading", level=1).inner_text().endswith("کارگاه ۳")

        for demand in ("دستمزد به موقع", "لباس ایمنی"):
            page.get_by_label(fa("The demand, in a few words.")).fill(demand)
            page.get_by_role("button", name=fa("Add a demand to an action.")).click()
        # The last click's page may still be loading: wait for the list it shows.
        demands = page.get_by_role("region", name=fa("Demands")).locator("ol li")
        expect(demands).to_have_text(["دستمزد به موقع", "لباس ایمنی"])

        page.get_by_role("button", name=fa("Open the count of who takes part")).click()
        expect(page.locator("main")).to_contain_text(fa(views.TURNOUT_LIMIT))
        page.get_by_role("button", name=fa("I will take part"), exact=True).click()
        count = page.locator("p.count").inner_text()
        assert count == fa("will take part: {n}").format(n="۱")
        # The button is still there (a second press is refused); no name by the count.
        assert "سپیده" not in page.locator("section", has=page.locator("p.count")).inner_text()

        before = page.locator("main").inner_text()
        page.get_by_label(fa("What is to be done.")).fill("اعلامیه")
        page.get_by_label(fa("The cover name of who does it.")).fill("ناشناس")
        page.get_by_role("button", name=fa("Give a task of an action to a member.")).click()
        expect(page.locator("main")).to_contain_text(
            fa("There is no member with that cover name in this cell.")
        )
        assert "اعلامیه" not in page.locator("section", has_text=fa("Tasks")).inner_text()
        assert page.locator("p.count").inner_text() == count
        assert before  # the page was whole before the refusal

        page.get_by_label(fa("What is to be done.")).fill("اعلامیه")
        page.get_by_label(fa("The cover name of who does it.")).fill("سپیده")
        page.get_by_role("button", name=fa("Give a task of an action to a member.")).click()
        assert "اعلامیه" in page.locator("main").inner_text()
        shoot(page, screenshots_dir(tmp_path), "action-fa")
        assert all(r.startswith(up_a.origin) for r in requests), "a request left hasteh"
    finally:
        context.close()
