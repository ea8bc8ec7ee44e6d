"""`hasteh course`: the security course in the terminal.

    hasteh course list                  lessons, with this device's progress
    hasteh course read 2                a lesson: text, story, checklist
    hasteh course quiz 2                the quiz, one question at a time (asks again
                                        on an answer that is not one of the choices)
    hasteh course checklist meeting [--tick 1,3 | --clear]
    hasteh course guide                 the compromise guide, step by step

Progress and ticks stay in this profile's vault (`hasteh.app.course`); nothing is sent.
"""

from __future__ import annotations

import typer
from rich.prompt import Prompt

from hasteh.app import course as device
from hasteh.cli.common import _n, _print, _workspace, out
from hasteh.cli.options import fail, handles_errors
from hasteh.course import (
    Bilingual,
    CourseError,
    Lesson,
    QuizAnswerInvalid,
    after_quiz,
    after_reading,
    lesson_for,
    read_answers,
    read_ticks,
    score,
)
from hasteh.i18n import _, current_language, error_text, parse_digits

LessonArgument = typer.Argument(..., help=_("The lesson's number, as `course list` shows it."))
SlugArgument = typer.Argument(..., help=_("The checklist: meeting or action."))
TickOption = typer.Option(
    "", "--tick", help=_("The lines to tick, by number, such as 1,3 (others are unticked).")
)
ClearOption = typer.Option(False, "--clear", help=_("Untick every line, for next time."))


def _t(text: Bilingual) -> str:
    """A course text in the run's language, without the lesson files' ``**`` marks."""
    return text.pick(current_language()).replace("**", "")


def _refused(exc: CourseError) -> typer.Exit:
    return fail(error_text(exc), _("Nothing was recorded."))


def _lesson(number: str) -> Lesson:
    try:
        return lesson_for(device.bundled_course(), number)
    except QuizAnswerInvalid as exc:
        raise _refused(exc) from None


@handles_errors
def course_list() -> None:
    """The lessons, the checklists and the guide."""
    course = device.bundled_course()
    with _workspace() as ws:
        progress = ws.vault.read(device.progress)
    for lesson in course.lessons:
        best = progress.best.get(lesson.number)
        if best == len(lesson.quiz):
            status = _("passed")
        elif best is not None:
            status = _("quiz: {score} of {total} right").format(
                score=_n(best), total=_n(len(lesson.quiz))
            )
        else:
            status = _("read") if lesson.number in progress.read else ""
        line = f"{_n(lesson.number)}. {_t(lesson.title)}"
        _print(f"{line} — {status}" if status else line)
    _print("")
    _print(_("Checklists") + ": " + ", ".join(c.slug for c in course.checklists))
    _print(_("If a device was taken") + ": hasteh course guide")


@handles_errors
def course_read(number: str = LessonArgument) -> None:
    """A lesson: its text, a story, its checklist."""
    lesson = _lesson(number)
    with _workspace() as ws:
        ws.vault.write(
            lambda conn: device.set_progress(
                conn, after_reading(device.progress(conn), lesson.number)
            )
        )
    out.rule(_("Lesson {number}").format(number=_n(lesson.number)) + ": " + _t(lesson.title))
    _print(_t(lesson.text).strip())
    _print("")
    _print(_("A story") + ":")
    _print(_t(lesson.scenario))
    _print("")
    _print(_("Checklist") + ":")
    for item in lesson.checklist:
        _print(f"- {_t(item)}")
    _print("")
    _print(_("Then: hasteh course quiz {number}").format(number=lesson.number))


def _ask(lesson: Lesson, number: int) -> str:
    """One question asked until the answer is one of its choices."""
    question = lesson.quiz[number - 1]
    _print("")
    _print(f"{_n(number)}. {_t(question.question)}")
    for index, choice in enumerate(question.choices, start=1):
        _print(f"   {_n(index)}) {_t(choice)}")
    while True:
        answer = parse_digits(Prompt.ask(_("Your answer"), console=out)).strip()
        try:
            read_answers_one(lesson, number, answer)
        except QuizAnswerInvalid as exc:
            _print(error_text(exc))
            continue
        return answer


def read_answers_one(lesson: Lesson, number: int, answer: str) -> None:
    """`QuizAnswerInvalid` unless `answer` is one of question `number`'s choices (the
    same check the whole quiz gets, asked of one question)."""
    filled = {f"q{n}": "1" for n in range(1, len(lesson.quiz) + 1)}
    read_answers(lesson, {**filled, f"q{number}": answer})


@handles_errors
def course_quiz(number: str = LessonArgument) -> None:
    """The lesson's quiz, one question at a time; the right answers explained."""
    lesson = _lesson(number)
    try:
        sent = {f"q{n}": _ask(lesson, n) for n in range(1, len(lesson.quiz) + 1)}
    except (EOFError, KeyboardInterrupt):
        raise fail(_("The quiz was stopped."), _("Nothing was recorded.")) from None
    try:
        result = score(lesson, read_answers(lesson, sent))
    except QuizAnswerInvalid as exc:
        raise _refused(exc) from None
    with _workspace() as ws:
        ws.vault.write(
            lambda conn: device.set_progress(conn, after_quiz(device.progress(conn), result))
        )
    out.rule(_("Results of lesson {number}").format(number=_n(lesson.number)))
    for answered, question in zip(result.questions, lesson.quiz, strict=True):
        mark = _("Right:") if answered.right else _("The right answer:")
        _print(f"{_n(answered.number)}. {mark} {_t(question.choices[answered.answer - 1])}")
        _print(f"   {_t(question.explanation)}")
    _print("")
    _print(_("{score} of {total} right.").format(score=_n(result.score), total=_n(result.total)))
    _print(_("Lesson passed.") if result.passed else _("Read the explanations, then try again."))


@handles_errors
def course_checklist(
    slug: str = SlugArgument, tick: str = TickOption, clear: bool = ClearOption
) -> None:
    """A checklist before a meeting or an action: show it, tick lines, clear it."""
    checklist = device.bundled_course().checklist(slug)
    if checklist is None:
        raise fail(_("There is no such checklist."), _("Nothing was recorded."))
    try:
        wanted = read_ticks(checklist, [parse_digits(t) for t in tick.split(",") if t.strip()])
    except QuizAnswerInvalid as exc:
        raise _refused(exc) from None
    with _workspace() as ws:
        if clear or tick:
            ws.vault.write(lambda conn: device.set_ticks(conn, slug, () if clear else wanted))
        ticked = ws.vault.read(lambda conn: device.ticks(conn, slug))
    out.rule(_t(checklist.title))
    for index, item in enumerate(checklist.items, start=1):
        box = "[x]" if index in ticked else "[ ]"
        _print(f"{box} {_n(index)}. {_t(item)}")
    _print(
        _("{ticked} of {total} ticked").format(
            ticked=_n(len(ticked)), total=_n(len(checklist.items))
        )
    )


@handles_errors
def course_guide() -> None:
    """The compromise guide: from a taken phone to the review with the cell."""
    guide = device.bundled_course().guide
    out.rule(_t(guide.title))
    for number, step in enumerate(guide.step, start=1):
        _print("")
        _print(f"{_n(number)}. {_t(step.title)}")
        _print(_("What hasteh does:") + " " + _t(step.hasteh))
        _print(_("What you do:") + " " + _t(step.you))
        if step.command:
            _print(_("In the terminal:") + " " + step.command)


def register(app: typer.Typer) -> None:
    course = typer.Typer(
        help=_("The security course: lessons, quizzes, checklists, the compromise guide."),
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    course.command("list", help=_("The lessons, with your progress."))(course_list)
    course.command("read", help=_("Read a lesson."))(course_read)
    course.command("quiz", help=_("Take a lesson's quiz."))(course_quiz)
    course.command("checklist", help=_("A checklist before a meeting or an action."))(
        course_checklist
    )
    course.command("guide", help=_("What to do when a device was taken."))(course_guide)
    app.add_typer(course, name="course")
