"""The shipped course: nine lessons, each with text, scenario, quiz and checklist in
Persian and English; the workers' words; the checklists and the guide."""

from __future__ import annotations

import re

import pytest

from hasteh.app.course import bundled_course
from hasteh.course import Bilingual, Lesson
from hasteh.course.loader import FORBIDDEN_WORDS, MAX_TEXT_WORDS, word_count

COURSE = bundled_course()
PERSIAN = re.compile(r"[\u0600-\u06FF]")

#: The nine subjects of issue 15, in order.
SUBJECTS = (
    "phone",
    "seizure",
    "messengers",
    "online",
    "informers",
    "compartments",
    "printing",
    "arrest",
    "compromised",
)


def _both(text: Bilingual) -> None:
    assert text.fa.strip() and PERSIAN.search(text.fa)
    assert text.en.strip() and not PERSIAN.search(text.en)


def test_the_nine_lessons_in_order() -> None:
    assert tuple(lesson.slug for lesson in COURSE.lessons) == SUBJECTS
    assert [lesson.number for lesson in COURSE.lessons] == list(range(1, 10))


@pytest.mark.parametrize("lesson", COURSE.lessons, ids=SUBJECTS)
def test_every_lesson_has_text_scenario_quiz_and_checklist_in_both(lesson: Lesson) -> None:
    for part in (lesson.title, lesson.text, lesson.scenario):
        _both(part)
    for language in ("fa", "en"):
        assert 50 <= word_count(lesson.text.pick(language)) <= MAX_TEXT_WORDS
    assert 3 <= len(lesson.quiz) <= 5
    for question in lesson.quiz:
        _both(question.question)
        _both(question.explanation)
        assert 1 <= question.answer <= len(question.choices)
        for choice in question.choices:
            _both(choice)
    assert lesson.checklist
    for item in lesson.checklist:
        _both(item)


def test_right_answers_are_not_all_in_one_place() -> None:
    """A quiz whose right answer is always the first choice teaches guessing."""
    answers = [q.answer for lesson in COURSE.lessons for q in lesson.quiz]
    assert len(set(answers)) >= 3


def _all_persian() -> str:
    parts: list[str] = []
    for lesson in COURSE.lessons:
        parts += [lesson.title.fa, lesson.text.fa, lesson.scenario.fa]
        parts += [i.fa for i in lesson.checklist]
        for q in lesson.quiz:
            parts += [q.question.fa, q.explanation.fa, *(c.fa for c in q.choices)]
    for checklist in COURSE.checklists:
        parts += [checklist.title.fa, *(i.fa for i in checklist.items)]
    for step in COURSE.guide.step:
        parts += [step.title.fa, step.hasteh.fa, step.you.fa]
    return "\n".join(parts)


def test_the_course_uses_the_glossarys_words() -> None:
    """DESIGN.md's glossary: the course says cell, cover name, voucher, vanguard workers,
    workers' bulletin, united action and solidarity fund in the glossary's Persian, and
    never an office word where the app uses a plain one."""
    text = _all_persian()
    for word in (
        "هسته",
        "اسم مستعار",
        "معرف",
        "کارگران پیشتاز",
        "بولتن کارگری",
        "اتحاد عمل",
        "صندوق همبستگی",
    ):
        assert word in text, word
    for word in FORBIDDEN_WORDS:
        assert word not in text, word
    # The app's own names for its features, as the pages show them.
    for word in ("نابودی فوری", "گذرواژهٔ اضطراری", "گزارش توقیف", "بستهٔ پیک"):
        assert word in text, word


def test_checklists_before_a_meeting_and_an_action() -> None:
    assert [c.slug for c in COURSE.checklists] == ["meeting", "action"]
    for checklist in COURSE.checklists:
        _both(checklist.title)
        assert len(checklist.items) >= 4
        for item in checklist.items:
            _both(item)


def test_the_guide_goes_from_the_taken_phone_to_the_review() -> None:
    steps = COURSE.guide.step
    assert len(steps) >= 4
    for step in steps:
        _both(step.title)
        _both(step.hasteh)
        _both(step.you)
    commands = [s.command for s in steps]
    assert "hasteh panic" in commands
    assert any(c.startswith("hasteh cell seized ") for c in commands)
    assert commands[-1].startswith("hasteh cell review-seizure ")
    assert steps[0].link == "/panic"
    # The seizure report and the review open the person's own cells at those sections.
    assert [s.cell_section for s in steps if s.cell_section] == ["members", "seizures"]
