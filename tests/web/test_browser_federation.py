"""The alliance's page in real Chromium, JavaScript on and off (issue 17): a delegate
opens the Workers' Action Program from My cells, proposes an amendment for the cell,
votes, fetches, and sees it ratified as version 1 with its history; names its cell the
editor of the nationwide bulletin and, once the key is on its device, sees the form that
compiles an issue; proposes a joint
action and gives the cell's count (a number). Screenshots of the programme page (fa) go
to `$HASTEH_SCREENSHOTS`:

    HASTEH_SCREENSHOTS=docs/screenshots \
        uv run pytest tests/web/test_browser_federation.py -k "js and not no-js"

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
from .test_browser_cells import PASS_A, fa, fetch_now, open_person, shoot
from .test_design import signed_in_views

pytestmark = pytest.mark.slow


def design_problems(
    browser: Browser, signed_in: BrowserContext, up: Up, programme: str
) -> dict[str, list[str]]:
    """axe, contrast (light and dark), no sideways scroll and 44 px targets on the
    programme page and on its form error, at phone and desktop size, JavaScript off."""
    found: dict[str, list[str]] = {}
    for size, page, design in signed_in_views(browser, signed_in, up.origin):
        page.goto(programme)
        found[f"programme-{size}"] = design()
        # An amendment that removes a section the programme does not have: refused.
        page.get_by_label(fa("The section's title.")).fill("بازنشستگی")
        page.get_by_role("button", name=fa("Propose for my cell")).click()
        expect(page.get_by_role("alert")).to_be_visible()
        found[f"programme-error-{size}"] = design()
    return {name: problems for name, problems in found.items() if problems}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_programme_page_in_chromium(browser: Browser, tmp_path: Path, javascript: bool) -> None:
    folder = screenshots_dir(tmp_path) if javascript else None
    relay = RelayProcess(f"sqlite:///{tmp_path / 'relay.sqlite3'}", extra=["--rate", "100000"])
    relay.start()
    home = tmp_path / "a"
    up = Up(home)
    try:
        context, page, requests = open_person(browser, up, PASS_A, javascript)
        up.stop()
        with workspace(home, PASS_A) as ws:
            alliances.form(ws, "اتحاد شمال", cell="نانوایان", relays=[relay.url])
        up = Up(home)
        page.goto(up.url)
        page.get_by_label(fa("Passphrase"), exact=True).fill(PASS_A)
        page.get_by_role("button", name=fa("Unlock")).click()
        page.goto(f"{up.origin}/home")
        page.get_by_role("link", name="اتحاد شمال").click()
        expect(page.locator("h1")).to_have_text(fa("Workers' Action Program"))
        expect(page.locator("main")).to_contain_text(
            fa("The programme has no ratified version yet.")
        )

        page.get_by_label(fa("The section's title.")).fill("مزد")
        page.get_by_label(fa("Its new text; leave it out to remove the section.")).fill(
            "مزد کافی، هر ماه سر وقت."
        )
        page.get_by_role("button", name=fa("Propose for my cell")).click()
        expect(page.get_by_role("status")).to_have_text(fa("Sent to the alliance."))
        page.get_by_role("button", name=fa("My cell agrees")).click()
        expect(page.get_by_role("status")).to_have_text(fa("Sent to the alliance."))
        fetch_now(page)  # every cell voted: this delegate's seat closes and ratifies
        fetch_now(page)
        current = page.locator("section[aria-labelledby=current-title]")
        expect(current).to_contain_text("مزد کافی، هر ماه سر وقت.")
        expect(current).to_contain_text(fa("Endorsed by:"))
        history = page.locator("section[aria-labelledby=history-title] li")
        expect(history).to_have_count(1)

        # The alliance names this cell's delegate its editor (a vote, one per cell); the
        # key is made on this seat at the next fetches, and the compile form appears.
        page.get_by_label("نانوایان").check()
        page.get_by_role(
            "button", name=fa("Who holds the alliance's bulletin key; propose editors.")
        ).click()
        expect(page.get_by_role("status")).to_have_text(fa("Sent to the alliance."))
        page.get_by_role("button", name=fa("My cell agrees")).click()
        for _ in range(3):
            fetch_now(page)
        expect(page.locator("main")).to_contain_text(
            fa("This device holds the key: you can compile issues.")
        )
        expect(
            page.get_by_role("button", name=fa("Compile and sign the next issue."))
        ).to_be_visible()

        page.get_by_label(fa("The joint action's title.")).fill("تعطیلی دوشنبه")
        page.get_by_label(fa("Shared demands, one per line.")).fill("مزد به‌موقع\nبدون شیفت شب")
        page.get_by_role("button", name=fa("Propose a joint action.")).click()
        expect(page.get_by_role("status")).to_have_text(fa("Sent to the alliance."))
        page.get_by_label(fa("How many of your cell take part (a number only).")).fill("۷")
        page.get_by_role("button", name=fa("Send the count")).click()
        counts = page.locator("table.counts")
        expect(counts).to_contain_text("نانوایان")
        expect(counts).to_contain_text("۷")
        shoot(page, folder, "programme-fa")
        if not javascript:  # the design system's checks (tests/web/test_design.py)
            problems = design_problems(browser, context, up, page.url.split("?")[0])
            assert problems == {}, problems
        # No request ever left this computer but to the local relay and the app itself.
        assert all(r.startswith(up.origin) or r.startswith("http://127.0.0.1") for r in requests)
        context.close()
    finally:
        up.stop()
        relay.kill()
