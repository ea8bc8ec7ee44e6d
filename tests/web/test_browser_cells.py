"""Two people, two real `hasteh up` processes, one real relay, real Chromium: they form a
cell through an invitation card, talk both ways, and decide; with JavaScript on and off.

Person A's `hasteh up` starts its embedded loopback relay (A lists no relay); person B
lists that relay's address in Settings. B makes a card on the Join page; A pastes it on
the cell page and proposes (a cell of one approves at once), A's client commits the Add
and sends the Welcome; B presses Join. Screenshots of the cell, card and decision pages
(fa and en) go to `$HASTEH_SCREENSHOTS` when set:

    HASTEH_SCREENSHOTS=docs/screenshots \
        uv run pytest tests/web/test_browser_cells.py -k "js and not no-js"
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser, BrowserContext, Page

from hasteh.i18n import translations

from .test_browser import NEW_TAB_TIMEOUT, Up, expect_lang, screenshots_dir
from .test_browser import shoot as shoot_now

pytestmark = pytest.mark.slow

fa = translations("fa").gettext
PASS_A = "نان و کار و آزادی ۱۴۰۴"
PASS_B = "گندم و شالی و نمک 1405"


@pytest.fixture
def two_ups(tmp_path: Path) -> Iterator[tuple[Up, Up]]:
    a = Up(tmp_path / "a")
    try:
        b = Up(tmp_path / "b")
    except BaseException:
        a.stop()
        raise
    try:
        yield a, b
    finally:
        a.stop()
        b.stop()


def open_person(
    browser: Browser, up: Up, passphrase: str, javascript: bool
) -> tuple[BrowserContext, Page, list[str]]:
    context = browser.new_context(
        java_script_enabled=javascript,
        locale="fa-IR",
        viewport={"width": 1000, "height": 800},
        device_scale_factor=1,
    )
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.set_default_timeout(NEW_TAB_TIMEOUT)
    page.goto(up.url)
    page.get_by_label(fa("Passphrase"), exact=True).fill(passphrase)
    page.get_by_label(fa("Passphrase again"), exact=True).fill(passphrase)
    page.get_by_role("button", name=fa("Create the profile")).click()
    assert page.url == f"{up.origin}/welcome/1"  # the first run's screens: skipped here
    page.get_by_role("link", name=fa("Skip")).click()
    assert page.url == f"{up.origin}/home"
    return context, page, requests


def shoot(page: Page, folder: Path | None, name: str) -> None:
    """A screenshot once the vendored font is in use (JavaScript runs only then)."""
    if folder is not None:
        loaded = (
            "[...document.fonts].some(f => f.family.includes('Vazirmatn') && f.status === 'loaded')"
        )
        page.evaluate("document.fonts.load('16px Vazirmatn').then(() => document.fonts.ready)")
        for _ in range(50):  # wait_for_function would need 'unsafe-eval' (the CSP forbids it)
            if page.evaluate(loaded):
                break
            page.wait_for_timeout(100)
        shoot_now(page, folder, name)


def fetch_now(page: Page) -> None:
    page.get_by_role("button", name=fa("Fetch now")).first.click()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_two_people_form_a_cell_talk_and_decide(
    browser: Browser, two_ups: tuple[Up, Up], tmp_path: Path, javascript: bool
) -> None:
    up_a, up_b = two_ups
    folder = screenshots_dir(tmp_path) if javascript else None
    context_a, a, requests_a = open_person(browser, up_a, PASS_A, javascript)
    context_b, b, requests_b = open_person(browser, up_b, PASS_B, javascript)

    # The relay: A's embedded one, listed in B's settings.
    relay_url = a.locator(".relay code").inner_text()
    assert relay_url.startswith("http://127.0.0.1:")
    b.get_by_role("link", name=fa("Settings")).click()
    b.get_by_label(fa("Relay addresses, one per line")).fill(relay_url)
    b.get_by_role("button", name=fa("Save")).click()
    assert b.locator(".notice[role=status]").inner_text() == fa("Saved.")

    # B makes a card on the Join page: a QR image and the text code.
    b.get_by_role("link", name=fa("Join a cell")).first.click()
    b.get_by_label(fa("Your cover name in the cell you join")).fill("رضا")
    b.get_by_role("button", name=fa("Make my card")).click()
    assert (
        b.locator("img.qr")
        .get_attribute("src", timeout=5000)
        .startswith(  # type: ignore[union-attr]
            "data:image/png;base64,"
        )
    )
    code = b.get_by_label(fa("The card as text (select it all and copy)")).input_value()
    assert code.startswith("HC1:")
    expect_lang(b, "fa", "rtl")
    shoot(b, folder, "card-fa")

    # A creates a cell and proposes B with the card; the cell of one approves at once.
    a.get_by_label(fa("Cell name (seen only by its members)")).fill("نانوایی")
    a.get_by_label(fa("Your cover name in this cell")).fill("سپیده")
    a.get_by_role("button", name=fa("Create the cell")).click()
    assert re.fullmatch(rf"{up_a.origin}/cell/[0-9a-f]{{8}}\?done=created", a.url), a.url
    cell_path = a.url.split(up_a.origin)[1].split("?")[0]
    a.get_by_role("link", name=fa("Members"), exact=True).click()
    a.get_by_label(fa("The newcomer's card code")).fill(code)
    a.get_by_role("button", name=fa("Propose"), exact=True).click()
    assert a.get_by_role("status").inner_text() == fa(
        "The newcomer was proposed. Another member must vouch; then the cell approves."
    )

    # B picks up the Welcome.
    b.get_by_role("link", name=fa("Join a cell")).first.click()
    b.get_by_role("button", name=fa("Join"), exact=True).click()
    assert b.url.startswith(f"{up_b.origin}{cell_path}?done=joined"), b.url
    b.get_by_role("link", name=fa("Members"), exact=True).click()
    assert "سپیده" in b.locator("#members").inner_text()
    b.get_by_role("link", name=fa("Safety"), exact=True).click()
    words_b = b.locator(".safety-words").inner_text()
    b.get_by_role("link", name=fa("Talk"), exact=True).click()

    # Talk both ways.
    a.goto(f"{up_a.origin}{cell_path}/members")
    assert "رضا" in a.locator("#members").inner_text()
    a.get_by_role("link", name=fa("Safety"), exact=True).click()
    assert a.locator(".safety-words").inner_text() == words_b
    a.get_by_role("link", name=fa("Talk"), exact=True).click()
    a.get_by_label(fa("Your message")).fill("سلام رفقا، جلسه فردا ساعت شش")
    a.get_by_role("button", name=fa("Send"), exact=True).click()
    assert a.get_by_role("status").inner_text() == fa("Sent.")
    fetch_now(b)
    assert "سلام رفقا، جلسه فردا ساعت شش" in b.locator(".messages").inner_text()
    b.get_by_label(fa("Your message")).fill("رسید؛ می‌آیم")
    b.get_by_role("button", name=fa("Send"), exact=True).click()
    fetch_now(a)
    assert "رسید؛ می‌آیم" in a.locator(".messages").inner_text()

    # A decision: A opens it, both vote, A closes; both see the same outcome.
    a.get_by_role("link", name=fa("Decisions"), exact=True).click()
    a.get_by_label(fa("Kind")).select_option("ranked")
    a.get_by_label(fa("Question")).fill("جلسهٔ بعد کجا باشد؟")
    a.get_by_label(fa("Options, one per line (for single, multiple, ranked and STV)")).fill(
        "نانوایی\nپارک\nانبار"
    )
    a.get_by_role("button", name=fa("Open the decision")).click()
    decision_path = a.url.split(up_a.origin)[1].split("?")[0]
    assert re.fullmatch(rf"{cell_path}/decisions/[0-9a-f]{{8}}", decision_path), a.url
    assert a.locator(".outcome").count() == 0  # hidden until closed
    if javascript:
        shoot(a, folder, "decision-fa")
    fetch_now(b)
    b.goto(f"{up_b.origin}{decision_path}")
    b.get_by_label(fa("Choice {n}").format(n="۱")).select_option(label="پارک")
    b.get_by_label(fa("Choice {n}").format(n="۲")).select_option(label="نانوایی")
    b.get_by_role("button", name=fa("Vote"), exact=True).click()
    assert b.get_by_role("status").inner_text() == fa("Your vote was recorded.")
    fetch_now(a)
    a.get_by_label(fa("Choice {n}").format(n="۱")).select_option(label="پارک")
    a.get_by_role("button", name=fa("Vote"), exact=True).click()
    a.get_by_role("button", name=fa("Close the decision")).click()
    outcome_a = a.locator(".outcome").inner_text()
    assert "پارک" in outcome_a, outcome_a
    fetch_now(b)
    assert b.locator(".outcome").inner_text() == outcome_a
    if javascript:
        shoot(a, folder, "decision-closed-fa")

    # The cell page in Persian, then keyboard: Tab reaches every control of it in order.
    a.goto(f"{up_a.origin}{cell_path}")
    expect_lang(a, "fa", "rtl")
    shoot(a, folder, "cell-fa")
    if javascript:
        reached: list[str] = []
        for _ in range(80):
            a.keyboard.press("Tab")
            reached.append(
                a.evaluate("(e => e.id || e.name || e.textContent.trim())(document.activeElement)")
            )
        wanted = [
            "main",  # the skip link's target comes after the skip link itself
            fa("Talk"),
            fa("Decisions"),
            "message",
            fa("Start a new thread instead"),
            fa("Send"),
            fa("Fetch now"),
            fa("Panic"),
        ]
        missing = [w for w in wanted if w != "main" and w not in reached]
        assert missing == [], reached
        order = [reached.index(w) for w in wanted if w != "main"]
        assert order == sorted(order), reached

        # English versions of the three pages.
        a.get_by_role("button", name="English").click()
        expect_lang(a, "en", "ltr")
        shoot(a, folder, "cell-en")
        a.goto(f"{up_a.origin}{decision_path}")
        shoot(a, folder, "decision-closed-en")
        b.get_by_role("button", name="English").click()
        b.goto(f"{up_b.origin}/join")
        b.get_by_label("Your cover name in the cell you join").fill("reza-2")
        b.get_by_role("button", name="Make my card").click()
        expect_lang(b, "en", "ltr")
        shoot(b, folder, "card-en")

    for up, requests in ((up_a, requests_a), (up_b, requests_b)):
        assert requests and all(url.startswith(up.origin) for url in requests), requests
    context_a.close()
    context_b.close()
