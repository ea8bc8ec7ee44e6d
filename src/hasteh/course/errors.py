"""What the course refuses, in one small hierarchy, under the contract of `hasteh.errors`.

    CourseError (HastehError, domain ``course``)
     ├── LessonFileInvalid   (a lesson, checklist or guide file breaks the rules: a bug of
     │                        the package, found at load and by the tests, never shown late)
     └── QuizAnswerInvalid   (a quiz form that cannot be scored: unknown lesson, a missing
                              answer, a choice that does not exist)

A message never repeats what was typed (a hostile form cannot put its text on the page
through an error). `lesson-file`'s `problem` is English: it is for whoever writes lessons.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from hasteh.errors import HastehError, Param

__all__ = [
    "COURSE_MESSAGES",
    "CourseCode",
    "CourseError",
    "LessonFileInvalid",
    "QuizAnswerInvalid",
]

CourseCode = Literal[
    "lesson-file",
    "no-such-item",
    "unknown-lesson",
    "unknown-question",
    "missing-answer",
    "no-such-choice",
]

#: English templates of `CourseCode` (gettext msgids).
COURSE_MESSAGES: Mapping[CourseCode, str] = {
    "lesson-file": "Course file {source}: {problem}",
    "no-such-item": "The checklist has no such item.",
    "unknown-lesson": "There is no such lesson in the course.",
    "unknown-question": "The quiz has no such question.",
    "missing-answer": "Question {number} has no answer.",
    "no-such-choice": "Question {number}: choose one of its choices.",
}


class CourseError(HastehError):
    """Base of the course's errors; `code` (also `reason`) says which."""

    domain = "course"
    templates: ClassVar[Mapping[Any, str]] = COURSE_MESSAGES
    code: CourseCode

    def __init__(self, code: CourseCode, /, **params: Param) -> None:
        super().__init__(code, **params)

    @property
    def reason(self) -> CourseCode:
        return self.code


class LessonFileInvalid(CourseError):
    """A course data file does not follow the rules of docs/course.md."""


class QuizAnswerInvalid(CourseError):
    """A quiz cannot be scored as sent; nothing was recorded."""
