"""The reach pages in real Chromium with JavaScript off, against a real `hasteh up` and its
embedded loopback relay: the cell's relays on its page, the transport ladder after
"Check now", and the in-country relay refused until the warning is ticked. Screenshots
(fa) go to `$HASTEH_SCREENSHOTS` when set."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser

from hasteh.app import reach
from hasteh.i18n import translations

from .test_browser import NEW_TAB_TIMEOUT, Up, expect_lang, screenshots_dir, up
from .test_browser_cells import open_person, shoot

__all__ = ["up"]  # the shared `hasteh up` fixture (Chromium: conftest)

pytestmark = pytest.mark.slow

fa = translations("fa").gettext


def test_relays_and_the_ladder_without_javascript(browser: Browser, up: Up, tmp_path: Path):
    folder = screenshots_dir(tmp_path)
    context, page, requests = open_person(browser, up, "نان و کار و آزادی ۱۴۰۴", False)
    try:
        page.set_default_timeout(NEW_TAB_TIMEOUT)
        page.get_by_label(fa("Cell name (seen only by its members)")).fill("نانوایی")
        page.get_by_label(fa("Your cover name in this cell")).fill("سپیده")
        page.get_by_role("button", name=fa("Create the cell")).click()
        cell = page.url.split(up.origin)[1].split("?")[0]
        page.get_by_role("button", name=fa("Fetch now")).first.click()
        # The cell's relays are on its settings page, one step from the conversation.
        page.get_by_role("link", name=fa("Settings of the cell"), exact=True).click()
        relays = page.locator("#relays")
        assert fa("orders the messages") in relays.inner_text()
        assert re.search(r"http://127\.0\.0\.1:\d+", relays.inner_text())
        assert fa("answered {date}").split("{")[0].strip() in relays.inner_text()

        page.get_by_role("link", name=fa("Reach")).click()
        page.get_by_role("button", name=fa("Check now")).click()
        assert page.url == f"{up.origin}/reach"
        ladder = page.locator("ol.ladder")
        assert fa("Onion relays (Tor)") in ladder.inner_text()
        assert fa("not set up") in ladder.inner_text()
        expect_lang(page, "fa", "rtl")
        shoot(page, folder, "reach-fa")

        page.goto(f"{up.origin}{cell}/relays")
        page.get_by_label(fa("The local relay's address")).fill("http://127.0.0.1:9")
        page.get_by_role("button", name=fa("Use this local relay for this cell")).click()
        assert fa(reach.LOCAL_WARNING) in page.get_by_role("alert").inner_text()
        page.get_by_label(
            fa("I understand: a direct connection shows who connects to whom.")
        ).check()
        page.get_by_role("button", name=fa("Use this local relay for this cell")).click()
        assert page.get_by_role("status").inner_text() == fa(
            "This cell now also uses the local relay, reached directly."
        )
        shown = page.locator("#relays").inner_text()
        assert f"{fa('orders the messages')} — " in shown
        assert f"{fa('local, reached directly')} — " in shown
        page.goto(f"{up.origin}{cell}/relays")
        shoot(page, folder, "cell-relays-fa")
        assert all(r.startswith(up.origin) for r in requests), requests
    finally:
        context.close()
