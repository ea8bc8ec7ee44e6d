"""Newcomers on trial in two real `hasteh up` processes, one relay, real Chromium with
JavaScript off: the founder sets a trial on the settings page (a decision), a newcomer
joins and is shown "on trial until <Jalali date>" on both sides; the newcomer's members
page offers no admission control; the founder ends the trial from the member's page (a
decision). Every page with a trial on it passes the design checks of test_design (axe,
contrast in both themes, no sideways scroll, 44 px at phone size). Screenshots go to
`$HASTEH_SCREENSHOTS` when set:

    HASTEH_SCREENSHOTS=docs/screenshots uv run pytest tests/web/test_browser_trial.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser, Page, expect

from hasteh import jalali
from hasteh.i18n import translations

from .browsercheck import Axe
from .test_browser import Up, screenshots_dir
from .test_browser_cells import PASS_A, PASS_B, open_person, shoot, two_ups
from .test_design import VIEWPORTS, check

pytestmark = pytest.mark.slow
__all__ = ["two_ups"]  # the fixture, used by name

fa = translations("fa").gettext
TRIAL_DAYS = 28


def fetch_now(page: Page) -> None:
    """Press Fetch now and wait for the page it loads (not reading it mid-navigation)."""
    with page.expect_navigation():
        page.get_by_role("button", name=fa("Fetch now")).first.click()


def vote_and_close(page: Page) -> None:
    """On a consent decision's page: agree, then close (everyone counted took part)."""
    page.get_by_role("button", name=fa("Vote"), exact=True).click()
    page.get_by_role("button", name=fa("Close the decision")).click()
    page.wait_for_url("**done=closed")
    expect(page.locator(".outcome")).to_have_count(1)


def trial_dates() -> set[str]:
    """The Jalali date a trial started today ends on (a day either side: the test may
    straddle midnight in the profile's zone)."""
    today = dt.datetime.now(dt.UTC).date()
    return {jalali.day_text(today + dt.timedelta(days=TRIAL_DAYS + k)) for k in (-1, 0, 1)}


def design_problems(browser: Browser, page: Page, origin: str, paths: list[str]) -> dict:
    """The design checks of test_design on `paths`, in this page's session."""
    found: dict[str, list[str]] = {}
    state = page.context.storage_state()
    for size, viewport in VIEWPORTS.items():
        context = browser.new_context(
            java_script_enabled=False,
            viewport=viewport,
            storage_state=state,  # type: ignore[arg-type]
        )
        axe = Axe(browser, origin, viewport)
        try:
            view = context.new_page()
            for path in paths:
                view.goto(origin + path)
                if problems := check(view, axe, size == "phone"):
                    found[f"{path} ({size})"] = problems
        finally:
            axe.close()
            context.close()
    return found


def test_a_newcomer_on_trial_in_the_pages(
    browser: Browser, two_ups: tuple[Up, Up], tmp_path: Path
) -> None:
    up_a, up_b = two_ups
    folder = screenshots_dir(tmp_path)
    context_a, a, _ = open_person(browser, up_a, PASS_A, javascript=False)
    context_b, b, _ = open_person(browser, up_b, PASS_B, javascript=False)
    relay_url = a.locator(".relay code").inner_text()
    b.get_by_role("link", name=fa("Settings")).click()
    b.get_by_label(fa("Relay addresses, one per line")).fill(relay_url)
    b.get_by_role("button", name=fa("Save")).click()

    # A starts a cell and sets a trial of 28 days: a decision of the cell (of one).
    a.get_by_label(fa("Cell name (seen only by its members)")).fill("نانوایی")
    a.get_by_label(fa("Your cover name in this cell")).fill("سپیده")
    a.get_by_role("button", name=fa("Create the cell")).click()
    cell = a.url.split(up_a.origin)[1].split("?")[0]
    a.goto(f"{up_a.origin}{cell}/settings")
    assert fa("Newcomers are not on trial.") in a.locator("#settings").inner_text()
    a.get_by_label(fa("Days a newcomer is on trial (0: no trial)")).fill("۲۸")
    a.get_by_role("button", name=fa("Propose these settings")).click()
    a.wait_for_url("**/decisions?done=*")
    a.locator("a[href*='/decisions/']").first.click()
    vote_and_close(a)
    fetch_now(a)  # the founder's client carries the adopted settings out
    a.goto(f"{up_a.origin}{cell}/settings")
    said = fa("A newcomer is on trial for {days} days, until the cell decides to end the trial.")
    assert said.format(days="۲۸") in a.locator("#settings").inner_text()

    # B's card; A proposes (a cell of one approves at once); B joins, on trial.
    b.get_by_role("link", name=fa("Join a cell")).first.click()
    b.get_by_label(fa("Your cover name in the cell you join")).fill("رضا")
    b.get_by_role("button", name=fa("Make my card")).click()
    code = b.get_by_label(fa("The card as text (select it all and copy)")).input_value()
    a.goto(f"{up_a.origin}{cell}/members")
    a.get_by_label(fa("The newcomer's card code")).fill(code)
    a.get_by_role("button", name=fa("Propose"), exact=True).click()
    b.get_by_role("link", name=fa("Join a cell")).first.click()
    b.get_by_role("button", name=fa("Join"), exact=True).click()
    b.wait_for_url(f"{up_b.origin}{cell}?done=joined*")

    # Both see the trial and its Jalali end; the newcomer has no admission control.
    fetch_now(a)
    a.goto(f"{up_a.origin}{cell}/members")
    listed = a.locator("#members").inner_text()
    marks = {fa("on trial until {date}").format(date=d) for d in trial_dates()}
    assert any(m in listed for m in marks), listed
    shoot(a, folder, "trial-members-fa")
    b.goto(f"{up_b.origin}{cell}/members")
    own = b.locator("#members").inner_text()
    assert any(m in own for m in marks), own
    yours = fa(
        "You are on trial until {date}: you talk and take part in ordinary decisions; "
        "newcomers, removals and the cell's rules are decided by the other members until "
        "the cell ends your trial."
    )
    assert any(yours.format(date=d) in own for d in trial_dates()), own
    assert b.get_by_role("button", name=fa("Propose"), exact=True).count() == 0
    assert b.get_by_role("link", name=fa("Remove, or report seized…")).count() == 0
    shoot(b, folder, "trial-newcomer-fa")
    member = f"{cell}/members/1"
    a.goto(f"{up_a.origin}{member}")
    assert a.get_by_role("button", name=fa("Open a decision to end the trial")).count() == 1
    shoot(a, folder, "trial-member-fa")

    problems = design_problems(browser, a, up_a.origin, [f"{cell}/members", member])
    problems |= design_problems(browser, b, up_b.origin, [f"{cell}/members", f"{cell}/settings"])
    assert problems == {}, problems

    # A ends the trial from B's page: a decision; both then see B as a full member.
    a.get_by_role("button", name=fa("Open a decision to end the trial")).click()
    a.wait_for_url("**/decisions/*?done=*")
    vote_and_close(a)
    fetch_now(b)
    b.goto(f"{up_b.origin}{cell}/members")
    after = b.locator("#members").inner_text()
    assert not any(m in after for m in marks), after
    assert b.get_by_role("button", name=fa("Propose"), exact=True).count() == 1
    context_a.close()
    context_b.close()
