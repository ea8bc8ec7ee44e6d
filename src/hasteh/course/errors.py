"""What the course refuses, in one small hierarchy.

    CourseError
     ├── LessonFileInvalid   (a lesson, checklist or guide file breaks the rules: a bug of
     │                        the package, found at load and by the tests, never shown late)
     └── QuizAnswerInvalid   (a quiz form that cannot be scored: unknown lesson, a missing
                              answer, a choice that does not exist)

`template` is an English msgid the face translates and `params` fill it; a message never
repeats what was typed (a hostile form cannot put its text on the page through an error).
"""

from __future__ import annotations

from hasteh.errors import HastehError


class CourseError(HastehError):
    """Base of the course's errors: `reason` says which, `template` and `params` say it."""

    # The course's errors carry their template themselves (not yet a code of the error
    # contract, `hasteh.errors`): a plain attribute here in place of the contract's property.
    template: str = ""

    def __init__(self, reason: str, template: str, **params: str | int) -> None:
        self.reason = self.code = reason
        self.template = template
        self.params = params
        # Not HastehError.__init__: that one looks the code up in a domain's table.
        Exception.__init__(self, template.format(**params))


class LessonFileInvalid(CourseError):
    """A course data file does not follow the rules of docs/course.md."""

    next_step = "Fix the file named in the message; docs/course.md lists the rules."


class QuizAnswerInvalid(CourseError):
    """A quiz cannot be scored as sent; nothing was recorded."""

    next_step = "Choose one answer for every question and send the quiz again."
