"""A spoken-code invitation between two real `hasteh up` processes in real Chromium, with
JavaScript off: the newcomer's page shows the code and reloads itself (the HTTP
``Refresh`` header) until the member has typed it; both pages show the same check words;
the newcomer joins. The rendezvous relay is A's embedded one, set in both Settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser

from hasteh.app.code_words import WORDS

from .test_browser import Up, screenshots_dir, shoot
from .test_browser_cells import PASS_A, PASS_B, fa, open_person, two_ups

__all__ = ["two_ups"]  # a shared fixture (Chromium: conftest)

pytestmark = pytest.mark.slow


@pytest.fixture
def people(two_ups: tuple[Up, Up]) -> Iterator[tuple[Up, Up]]:
    yield two_ups


def test_spoken_code_in_chromium_without_javascript(
    browser: Browser, people: tuple[Up, Up], tmp_path: Path
) -> None:
    up_a, up_b = people
    context_a, a, _ = open_person(browser, up_a, PASS_A, javascript=False)
    context_b, b, _ = open_person(browser, up_b, PASS_B, javascript=False)
    relay_url = a.locator(".relay code").inner_text()
    for page, relays in ((a, ""), (b, relay_url)):
        page.get_by_role("link", name=fa("Settings")).click()
        page.get_by_label(fa("Relay addresses, one per line")).fill(relays)
        page.get_by_label(fa("Rendezvous relays, one per line")).fill(relay_url)
        page.get_by_role("button", name=fa("Save")).click()
        assert page.locator(".notice[role=status]").inner_text() == fa("Saved.")

    a.get_by_role("link", name=fa("My cells")).first.click()
    a.get_by_label(fa("Cell name (seen only by its members)")).fill("نانوایی")
    a.get_by_label(fa("Your cover name in this cell")).fill("سپیده")
    a.get_by_role("button", name=fa("Create the cell")).click()
    cell_path = a.url.split(up_a.origin)[1].split("?")[0]

    b.get_by_role("link", name=fa("Join a cell")).first.click()
    invite = (
        "Or invite by spoken code: read a short code aloud to a member, with nothing to photograph."
    )
    b.get_by_role("link", name=fa(invite)).click()
    b.get_by_label(fa("Your cover name in the cell you join")).fill("رضا")
    b.get_by_role("button", name=fa("Show my code")).click()
    code = b.locator(".spoken-code").inner_text()
    assert len([w for w in code.split(" - ") if w in WORDS]) == 3
    folder = screenshots_dir(tmp_path)
    shoot(b, folder, "spoken-code-fa")  # the guides show it (the code: a random one)

    a.get_by_role("link", name=fa("Members"), exact=True).click()  # the cell's menu
    a.get_by_label(fa("The number and three words the newcomer reads to you")).fill(code)
    shoot(a, folder, "spoken-propose-fa")
    a.get_by_role("button", name=fa("Propose by code")).click()
    words_a = a.locator(".check-words").inner_text()
    # No script runs on B's page: it reloads itself until the exchange is over.
    b.get_by_text(fa("Once the cell has agreed, press Join on the Join page.")).wait_for(
        timeout=60_000
    )
    assert b.locator(".check-words").inner_text() == words_a
    assert "سپیده" in b.locator("h2").first.inner_text()

    a.goto(f"{up_a.origin}{cell_path}")
    a.get_by_role("button", name=fa("Fetch now")).first.click()
    b.get_by_role("link", name=fa("Join a cell")).first.click()
    assert b.locator("textarea.code").count() == 0  # the spoken card is never shown
    b.get_by_role("button", name=fa("Join"), exact=True).click()
    assert b.url.startswith(f"{up_b.origin}{cell_path}?done=joined"), b.url
    context_a.close()
    context_b.close()
