"""The security course in real Chromium with JavaScript off, against a real `hasteh up`:
index → lesson → quiz (a question left out: a Persian refusal, the other answers kept)
→ results with explanations → index with progress; a checklist ticked and cleared; the
guide; the lesson in English. Screenshots go to `$HASTEH_SCREENSHOTS` when set:

    HASTEH_SCREENSHOTS=docs/screenshots uv run pytest tests/web/test_browser_course.py
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser

from hasteh.app.course import bundled_course
from hasteh.i18n import translations

from .test_browser import Up, expect_lang, screenshots_dir, up
from .test_browser_cells import open_person, shoot

__all__ = ["up"]  # the shared `hasteh up` fixture (Chromium: conftest)

pytestmark = pytest.mark.slow

fa = translations("fa").gettext
COURSE = bundled_course()


def test_course_without_javascript(browser: Browser, up: Up, tmp_path: Path) -> None:
    folder = screenshots_dir(tmp_path)
    context, page, requests = open_person(browser, up, "نان و کار و آزادی ۱۴۰۴", False)
    try:
        page.get_by_role("link", name=fa("Security course")).click()
        assert page.url == f"{up.origin}/course"
        expect_lang(page, "fa", "rtl")
        assert "درس‌های گذرانده: ۰ از ۹" in page.get_by_role("status").inner_text()
        lesson = COURSE.lessons[1]
        page.get_by_role("link", name=lesson.title.fa).click()
        assert page.url == f"{up.origin}/course/2"
        assert lesson.scenario.fa in page.locator("blockquote").inner_text()
        shoot(page, folder, "course-lesson-fa")

        page.get_by_role("link", name=fa("Take the quiz")).click()
        questions = page.locator("fieldset")
        assert questions.count() == len(lesson.quiz)
        # Only the first question answered: refused, in Persian, the answer kept.
        first = lesson.quiz[0]
        questions.nth(0).get_by_label(first.choices[first.answer - 1].fa, exact=True).check()
        page.get_by_role("button", name=fa("See my answers")).click()
        assert "پرسش ۲ جواب ندارد" in page.get_by_role("alert").inner_text()
        assert questions.nth(0).get_by_label(first.choices[first.answer - 1].fa).is_checked()
        shoot(page, folder, "course-quiz-error-fa")
        # The second answered wrong, the third right.
        second, third = lesson.quiz[1], lesson.quiz[2]
        wrong = second.answer % len(second.choices)  # 0-based index of another choice
        questions.nth(1).get_by_label(second.choices[wrong].fa, exact=True).check()
        questions.nth(2).get_by_label(third.choices[third.answer - 1].fa, exact=True).check()
        page.get_by_role("button", name=fa("See my answers")).click()
        assert "۲ از ۳ درست" in page.get_by_role("status").inner_text()
        results = page.locator("ol.results").inner_text()
        assert second.explanation.fa in results
        assert second.choices[second.answer - 1].fa in results
        shoot(page, folder, "course-result-fa")

        page.get_by_role("link", name=fa("All lessons")).click()
        assert "۲ از ۳ درست" in page.locator("ol.lessons").inner_text()
        shoot(page, folder, "course-fa")

        checklist = COURSE.checklist("action")
        assert checklist is not None
        page.get_by_role("link", name=checklist.title.fa).click()
        page.get_by_label(checklist.items[0].fa).check()
        page.get_by_label(checklist.items[2].fa).check()
        page.get_by_role("button", name=fa("Save the ticks")).click()
        assert page.get_by_label(checklist.items[2].fa).is_checked()
        assert "۲ از ۶ تیک خورده" in page.get_by_role("status").inner_text()
        shoot(page, folder, "course-checklist-fa")
        page.get_by_role("button", name=fa("Clear for next time")).click()
        assert not page.get_by_label(checklist.items[0].fa).is_checked()

        page.goto(f"{up.origin}/course/guide")
        assert COURSE.guide.step[2].you.fa in page.locator("ol.guide").inner_text()
        shoot(page, folder, "course-guide-fa")

        page.goto(f"{up.origin}/home")
        page.get_by_role("button", name="English").click()
        page.goto(f"{up.origin}/course/2")
        expect_lang(page, "en", "ltr")
        assert lesson.scenario.en in page.locator("blockquote").inner_text()
        shoot(page, folder, "course-lesson-en")
        assert all(r.startswith(up.origin) for r in requests), requests
    finally:
        context.close()
