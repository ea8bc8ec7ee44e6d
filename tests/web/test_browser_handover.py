"""A contact handed over in person between two real `hasteh up` processes in real
Chromium, with JavaScript off: the giver presses *Hand over in person* beside the contact;
their page shows a number and three words and reloads itself (the HTTP ``Refresh``
header) until the receiver has typed them on their own contacts page; both pages show the
same check words; the contact is then on the receiver's device only. The pages reached
are checked as the design tests check every page (axe, contrast, no sideways scroll, 44 px
at phone size), and shot for the guides (docs/screenshots, `HASTEH_SCREENSHOTS`). The
rendezvous relay is A's embedded one, set in both Settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser, Page

from hasteh.app.code_words import WORDS

from .browsercheck import Axe
from .test_browser import Up, screenshots_dir
from .test_browser_cells import PASS_A, PASS_B, fa, open_person, shoot, two_ups
from .test_design import VIEWPORTS, check

__all__ = ["two_ups"]  # a shared fixture (Chromium: conftest)

pytestmark = pytest.mark.slow

NAME = "رحیم"


@pytest.fixture
def people(two_ups: tuple[Up, Up]) -> Iterator[tuple[Up, Up]]:
    yield two_ups


def design_problems(browser: Browser, page: Page, origin: str) -> list[str]:
    """The page shown now, at phone size then desktop size, as `test_design` checks it."""
    problems: list[str] = []
    for size in ("phone", "desktop"):
        page.set_viewport_size(VIEWPORTS[size])  # type: ignore[arg-type]
        axe = Axe(browser, origin, VIEWPORTS[size])
        try:
            problems += [f"{size}: {p}" for p in check(page, axe, size == "phone")]
        finally:
            axe.close()
    page.set_viewport_size({"width": 1000, "height": 800})
    return problems


def test_hand_over_a_contact_in_chromium_without_javascript(
    browser: Browser, people: tuple[Up, Up], tmp_path: Path
) -> None:
    up_a, up_b = people
    _, a, _ = open_person(browser, up_a, PASS_A, javascript=False)
    _, b, _ = open_person(browser, up_b, PASS_B, javascript=False)
    relay_url = a.locator(".relay code").inner_text()
    for page in (a, b):
        page.get_by_role("link", name=fa("Settings")).click()
        page.get_by_label(fa("Rendezvous relays, one per line")).fill(relay_url)
        page.get_by_role("button", name=fa("Save")).click()
        assert page.locator(".notice[role=status]").inner_text() == fa("Saved.")
    folder = screenshots_dir(tmp_path)

    a.goto(f"{up_a.origin}/contacts")
    a.get_by_label(fa("The contact's code name (never a real name).")).fill(NAME)
    a.get_by_label(fa("The workplace's code (never its name or address).")).fill("کارگاه ۷")
    a.get_by_label(fa("Notes, on this device only.")).fill("شیفت شب، قسمت بسته‌بندی")
    a.get_by_role("button", name=fa("Keep this contact")).click()
    assert a.locator(".notice[role=status]").inner_text() == fa("Kept on this device only.")
    assert design_problems(browser, a, up_a.origin) == []
    shoot(a, folder, "contacts-fa")

    a.get_by_role("button", name=fa("Hand over in person")).click()
    assert a.url == f"{up_a.origin}/contacts/give"
    code = a.locator(".spoken-code").inner_text()
    assert len([w for w in code.split(" - ") if w in WORDS]) == 3
    shoot(a, folder, "handover-code-fa")  # the code: a random one

    b.goto(f"{up_b.origin}/contacts")
    b.get_by_label(fa("The number and three words the member reads to you")).fill(code)
    shoot(b, folder, "handover-take-fa")
    b.get_by_role("button", name=fa("Receive the contact")).click()
    words_b = b.locator(".check-words").inner_text()
    assert NAME in b.locator("h1").inner_text()
    assert design_problems(browser, b, up_b.origin) == []
    shoot(b, folder, "handover-taken-fa")

    # No script runs on A's page: it reloads itself until the exchange is over.
    a.get_by_role("heading", name=fa("Handed over.")).wait_for(timeout=60_000)
    assert a.locator(".check-words").inner_text() == words_b
    assert design_problems(browser, a, up_a.origin) == []
    shoot(a, folder, "handover-done-fa")

    a.get_by_role("link", name=fa("Back to your contacts")).click()
    assert a.get_by_text(fa("No contacts on this device.")).is_visible()
    b.get_by_role("link", name=fa("Back to your contacts")).click()
    listed = b.locator("ul.members").inner_text()
    assert NAME in listed and "کارگاه ۷" in listed and "شیفت شب" in listed
