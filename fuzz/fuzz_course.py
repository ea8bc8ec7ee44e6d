"""The security course's inputs: a lesson file's text (mode 0: a broken or hostile lesson
must be a clear `LessonFileInvalid` at load), a quiz form (mode 1: ``name=value`` lines,
as a browser posts them, for lesson 1), and a checklist form (mode 2: ``item`` values).
Only `CourseError` may escape; an accepted quiz scores within 0..total, and an accepted
lesson parses again to the same lesson."""

from __future__ import annotations

from fuzz._common import Finding, harness, main
from hasteh.app.course import bundled_course
from hasteh.course import CourseError, parse_lesson, read_answers, read_ticks, score

COURSE = bundled_course()
LESSON = COURSE.lessons[0]
MEETING = COURSE.checklists[0]


def form(text: str) -> dict[str, str]:
    """``name=value`` lines as a form's fields (the last value of a repeated name wins,
    as `Starlette`'s `FormData.get` does)."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        name, _, value = line.partition("=")
        fields[name] = value
    return fields


@harness
def TestOneInput(data: bytes) -> None:
    if not data:
        return
    mode, text = data[0] % 3, data[1:].decode("utf-8", errors="surrogateescape")
    try:
        if mode == 0:
            lesson = parse_lesson(text, "fuzz.toml")
            if parse_lesson(text, "fuzz.toml") != lesson:
                raise Finding("a lesson parses differently twice")
        elif mode == 1:
            result = score(LESSON, read_answers(LESSON, form(text)))
            if not 0 <= result.score <= result.total == len(LESSON.quiz):
                raise Finding("a score outside 0..total")
        else:
            ticks = read_ticks(MEETING, text.splitlines())
            if not all(1 <= t <= len(MEETING.items) for t in ticks):
                raise Finding("a tick outside the checklist")
    except CourseError:
        return


if __name__ == "__main__":
    main(TestOneInput)
