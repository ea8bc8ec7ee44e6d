"""Vouching codes in real Chromium with JavaScript off (issue 17): a delegate opens the
alliance's page, makes a one-time code (shown once), and the page that shows it, the
alliance's page with its vouching form and an answer refused for a mistyped code all pass
the design system's checks (axe, contrast in both themes, no sideways scroll, 44 px
targets at phone size). A screenshot of the code page (fa) goes to `$HASTEH_SCREENSHOTS`.

The alliance is formed through the internal API while `hasteh up` is stopped (no page
forms alliances yet), then `hasteh up` starts again and the delegate unlocks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser, BrowserContext, expect

from hasteh.app import alliances
from hasteh.app.profile import workspace
from tests.relay.harness import RelayProcess

from .test_browser import Up, screenshots_dir
from .test_browser_cells import PASS_A, fa, open_person, shoot
from .test_design import signed_in_views

pytestmark = pytest.mark.slow


def design_problems(
    browser: Browser, signed_in: BrowserContext, up: Up, alliance: str
) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for size, page, design in signed_in_views(browser, signed_in, up.origin):
        page.goto(alliance)
        found[f"alliance-vouch-{size}"] = design()
        page.get_by_role("button", name=fa("Make a vouching code")).click()
        expect(page.locator("#vouch-code")).to_contain_text("HV1:")
        found[f"vouch-code-{size}"] = design()
        page.goto(f"{up.origin}/alliances")
        found[f"alliances-answer-{size}"] = design()
        page.get_by_label(fa("The vouching code"), exact=True).fill("HV1:AAAABBBBCCCCDDDD")
        page.get_by_label(fa("Your cell's pseudonym in the alliance (never its name)")).fill(
            "بافندگان"
        )
        page.get_by_role("button", name=fa("Send my cell's card")).click()
        expect(page.get_by_role("alert")).to_be_visible()
        found[f"vouch-answer-error-{size}"] = design()
    return {name: problems for name, problems in found.items() if problems}


def test_the_vouching_pages_in_chromium(browser: Browser, tmp_path: Path) -> None:
    folder = screenshots_dir(tmp_path)
    relay = RelayProcess(f"sqlite:///{tmp_path / 'relay.sqlite3'}", extra=["--rate", "100000"])
    relay.start()
    home = tmp_path / "a"
    up = Up(home)
    try:
        context, page, requests = open_person(browser, up, PASS_A, javascript=False)
        up.stop()
        with workspace(home, PASS_A) as ws:
            short = alliances.form(ws, "اتحاد شمال", cell="نانوایان", relays=[relay.url])
            ref = short.group_id.hex()[:8]
        up = Up(home)
        page.goto(up.url)
        page.get_by_label(fa("Passphrase"), exact=True).fill(PASS_A)
        page.get_by_role("button", name=fa("Unlock")).click()
        alliance = f"{up.origin}/alliance/{ref}"
        page.goto(alliance)
        page.get_by_label(fa("Valid for (days)"), exact=True).fill("۳")
        page.get_by_role("button", name=fa("Make a vouching code")).click()
        code = page.locator("#vouch-code").input_value()
        assert code.startswith("HV1:")
        shoot(page, folder, "vouch-code-fa")
        page.goto(alliance)
        expect(page.locator("main")).not_to_contain_text(code)  # shown once
        problems = design_problems(browser, context, up, alliance)
        assert problems == {}, problems
        assert all(r.startswith(up.origin) or r.startswith("http://127.0.0.1") for r in requests)
        context.close()
    finally:
        up.stop()
        relay.kill()
