"""Scoring a quiz from what a form or a prompt sent.

Answers arrive as text keyed ``q1``, ``q2``… (the quiz page's radio buttons; the CLI
builds the same mapping), each the number of a choice counted from 1. Anything that is
not exactly one existing choice per question is refused with `QuizAnswerInvalid`,
naming the question but never repeating the input; a refused quiz records nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import msgspec

from hasteh.course.content import Course, Lesson
from hasteh.course.errors import QuizAnswerInvalid

_FIELD = re.compile(r"q([0-9]{1,3})")
_CHOICE = re.compile(r"[0-9]{1,2}")


class QuestionResult(msgspec.Struct, frozen=True):
    """One answered question: what was chosen, what is right (both counted from 1)."""

    number: int
    chosen: int
    answer: int

    @property
    def right(self) -> bool:
        return self.chosen == self.answer


class QuizResult(msgspec.Struct, frozen=True):
    """A scored quiz."""

    lesson: int
    questions: tuple[QuestionResult, ...]

    @property
    def score(self) -> int:
        return sum(q.right for q in self.questions)

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def passed(self) -> bool:
        """Every answer right: the course asks for all, since each is a habit to keep."""
        return self.score == self.total


def lesson_for(course: Course, number_text: str) -> Lesson:
    """The lesson a form or a command names (its number as text, Persian digits too)."""
    ascii_text = number_text.strip().translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
    lesson = course.lesson(int(ascii_text)) if re.fullmatch(r"[0-9]{1,3}", ascii_text) else None
    if lesson is None:
        raise QuizAnswerInvalid("unknown-lesson")
    return lesson


def read_answers(lesson: Lesson, sent: Mapping[str, str]) -> tuple[int, ...]:
    """The chosen choice of every question of `lesson`, from fields ``q1``…``qN``.
    Other fields (the CSRF token) are not the quiz's; a ``qN`` past the last question is."""
    for name in sent:
        match = _FIELD.fullmatch(name)
        if match and not 1 <= int(match.group(1)) <= len(lesson.quiz):
            raise QuizAnswerInvalid("unknown-question")
    chosen: list[int] = []
    for number, question in enumerate(lesson.quiz, start=1):
        value = sent.get(f"q{number}", "").strip()
        if not value:
            raise QuizAnswerInvalid("missing-answer", number=number)
        if not _CHOICE.fullmatch(value) or not 1 <= int(value) <= len(question.choices):
            raise QuizAnswerInvalid("no-such-choice", number=number)
        chosen.append(int(value))
    return tuple(chosen)


def score(lesson: Lesson, chosen: tuple[int, ...]) -> QuizResult:
    """`chosen` (from `read_answers`) against the lesson's right answers."""
    return QuizResult(
        lesson=lesson.number,
        questions=tuple(
            QuestionResult(number=n, chosen=c, answer=q.answer)
            for n, (c, q) in enumerate(zip(chosen, lesson.quiz, strict=True), start=1)
        ),
    )
