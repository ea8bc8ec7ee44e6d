"""Where a person is in the course, and what they ticked: kept on their device only.

`Progress` is what the app stores in the vault (`hasteh.app.course`); nothing here is an
event of the cell, so nothing of it is ever sent: the cell cannot learn who studied what,
or who failed a quiz. The functions return new values; storing them is the app's job.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import msgspec

from hasteh.course.content import Checklist, Course
from hasteh.course.errors import QuizAnswerInvalid
from hasteh.course.quiz import QuizResult


class Progress(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Lessons opened, and the best quiz score of each lesson (by lesson number)."""

    read: tuple[int, ...] = ()
    best: dict[int, int] = msgspec.field(default_factory=dict)

    def passed(self, course: Course, number: int) -> bool:
        """Lesson `number`'s quiz was once answered all right."""
        lesson = course.lesson(number)
        return lesson is not None and self.best.get(number, -1) == len(lesson.quiz)

    def done(self, course: Course) -> int:
        """How many lessons are passed."""
        return sum(self.passed(course, lesson.number) for lesson in course.lessons)


def after_reading(progress: Progress, number: int) -> Progress:
    """`progress` with lesson `number` opened."""
    if number in progress.read:
        return progress
    return msgspec.structs.replace(progress, read=tuple(sorted({*progress.read, number})))


def after_quiz(progress: Progress, result: QuizResult) -> Progress:
    """`progress` keeping the better of the old and the new score of the quiz."""
    best = max(progress.best.get(result.lesson, 0), result.score)
    return msgspec.structs.replace(
        after_reading(progress, result.lesson), best={**progress.best, result.lesson: best}
    )


def read_ticks(checklist: Checklist, sent: Sequence[str]) -> tuple[int, ...]:
    """The items ticked on a checklist form (each an item's number from 1, sent as the
    ``item`` field once per ticked box); anything else is refused and nothing stored."""
    ticks: set[int] = set()
    for value in sent:
        text = value.strip()
        if not re.fullmatch(r"[0-9]{1,2}", text) or not 1 <= int(text) <= len(checklist.items):
            raise QuizAnswerInvalid("no-such-item")
        ticks.add(int(text))
    return tuple(sorted(ticks))
