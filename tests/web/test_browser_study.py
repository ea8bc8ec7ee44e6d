"""Study circles in real Chromium with JavaScript off, against a real `hasteh up`: open a
circle from the cell's menu, add readings with questions, plan a session with its place
(a code word), mark a reading read with a note kept on this device, say something in its
discussion; a session that lasts 20 hours is refused in Persian and changes nothing.
Screenshots go to `$HASTEH_SCREENSHOTS` when set:

    HASTEH_SCREENSHOTS=docs/screenshots uv run pytest tests/web/test_browser_study.py
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser, expect

from hasteh.i18n import translations
from hasteh.web.views import study as views

from .test_browser import Up, expect_lang, screenshots_dir, up
from .test_browser_cells import PASS_A, open_person, shoot

__all__ = ["up"]  # the shared `hasteh up` fixture (Chromium: conftest)

pytestmark = pytest.mark.slow

fa = translations("fa").gettext


def test_a_study_circle_without_javascript(browser: Browser, up: Up, tmp_path: Path) -> None:
    folder = screenshots_dir(tmp_path)
    context, page, requests = open_person(browser, up, PASS_A, javascript=False)
    try:
        page.get_by_label(fa("Cell name (seen only by its members)")).fill("نانوایی")
        page.get_by_label(fa("Your cover name in this cell")).fill("سپیده")
        page.get_by_role("button", name=fa("Create the cell")).click()
        page.get_by_role("link", name=fa("Study circles")).click()
        expect_lang(page, "fa", "rtl")
        expect(page.locator("main")).to_contain_text(fa("No study circles."))

        page.get_by_label(fa("The circle's title.")).fill("مزد و سود")
        page.get_by_role("button", name=fa("Open a study circle.")).click()
        assert re.search(r"/study/[0-9a-f]{8}\?done=", page.url), page.url
        assert page.get_by_role("heading", level=1).inner_text() == "مزد و سود"

        for title, questions in (("فصل ۱", "مزد چیست؟\nکار و نیروی کار"), ("فصل ۲", "")):
            page.get_by_label(fa("The reading's title.")).fill(title)
            page.get_by_label(fa("Questions for the session, one per line.")).fill(questions)
            page.get_by_role("button", name=fa("Add a reading to a circle.")).click()
        readings = page.get_by_role("region", name=fa("Curriculum")).locator("ol li > a")
        expect(readings).to_have_text(["فصل ۱", "فصل ۲"])

        page.get_by_label(fa("Date")).fill("فردا")
        page.get_by_label(fa("The reading's number, if any.")).fill("۱")
        page.get_by_label(
            fa("Where, as a code word (never an address); deleted when the session ends.")
        ).fill("باغ آبی")
        page.get_by_role("button", name=fa("Plan a session."), exact=True).click()
        sessions = page.get_by_role("region", name=fa("Sessions"))
        expect(sessions).to_contain_text("باغ آبی")
        expect(sessions).to_contain_text(fa(views.PLACE_GOES))
        shoot(page, folder, "study-circle-fa")

        # A 20-hour session: refused in Persian, the typed date kept, nothing planned.
        page.get_by_label(fa("Date")).fill("فردا")
        page.get_by_label(fa("How long, in hours (1 to 12).")).fill("۲۰")
        page.get_by_role("button", name=fa("Plan a session."), exact=True).click()
        expect(page.get_by_role("alert")).to_contain_text(
            fa("A session lasts between 1 and {limit} hours.").split("{")[0]
        )
        assert page.get_by_label(fa("Date")).input_value() == "فردا"
        assert sessions.locator("ul.sessions li").count() == 1

        page.get_by_role("link", name="فصل ۱").click()
        expect(page.get_by_role("region", name=fa("Questions")).locator("li")).to_have_text(
            ["مزد چیست؟", "کار و نیروی کار"]
        )
        page.get_by_label(fa("I have read it")).check()
        page.get_by_label(fa("Your own note on it.")).fill("صفحهٔ ۱۲ دوباره")
        page.get_by_role("button", name=fa("Save on this device")).click()
        expect(page.get_by_role("status")).to_contain_text(fa("Saved on this device only."))
        assert page.get_by_label(fa("I have read it")).is_checked()
        page.get_by_label(fa("What you want to say.")).fill("مزد قیمت نیروی کار است؟")
        page.get_by_role("button", name=fa("Send"), exact=True).click()
        discussion = page.get_by_role("region", name=fa("Discussion"))
        expect(discussion).to_contain_text("مزد قیمت نیروی کار است؟")
        shoot(page, folder, "study-reading-fa")

        page.get_by_role("link", name=fa("Study circles")).first.click()
        expect(page.locator("main")).to_contain_text(
            fa("readings: {count}, you have read {read}").format(count="۲", read="۱")
        )
        shoot(page, folder, "study-fa")
        assert all(r.startswith(up.origin) for r in requests), "a request left hasteh"
    finally:
        context.close()
