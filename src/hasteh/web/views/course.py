"""The security course: lessons, quizzes, checklists and the compromise guide.

    GET  /course                      the lessons with this device's progress
    GET  /course/guide                the compromise guide, step by step
    GET/POST /course/checklists/{slug}   tick a checklist (meeting, action); clear it
    GET  /course/{n}                  a lesson: text, scenario, its checklist
    GET/POST /course/{n}/quiz         the quiz as a plain form; the results explained

Progress and ticks are vault settings of this device (`hasteh.app.course`): nothing here
syncs or sends. A refused form (unknown lesson, a missing answer, a choice that does not
exist, an unknown box) says which question in the page's language and changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, cells
from hasteh.app import course as device
from hasteh.course import (
    Checklist,
    CourseError,
    Guide,
    Lesson,
    Progress,
    QuizAnswerInvalid,
    QuizResult,
    after_quiz,
    after_reading,
    lesson_for,
    read_answers,
    read_ticks,
    score,
)
from hasteh.i18n import error_text
from hasteh.web.app import render, ui_for, web_state
from hasteh.web.appcalls import Refusal, call_app
from hasteh.web.i18n import Ui
from hasteh.web.views.common import redirect, unlocked_only


@dataclass(frozen=True)
class Span:
    """A run of a lesson's text, strong (``**…**`` in the file) or not."""

    text: str
    strong: bool


@dataclass(frozen=True)
class Block:
    """A paragraph (one item) or a list (its items) of a lesson's text."""

    is_list: bool
    items: tuple[tuple[Span, ...], ...]


def spans(line: str) -> tuple[Span, ...]:
    """A line's runs: the text between ``**`` pairs is strong (escaped by the template)."""
    parts = line.split("**")
    return tuple(Span(p, i % 2 == 1) for i, p in enumerate(parts) if p)


def blocks(text: str) -> tuple[Block, ...]:
    """A lesson's text as paragraphs and lists: blank lines part paragraphs, lines
    starting with ``- `` are list items."""
    found: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        for line in lines:
            if line.startswith("- "):
                item = spans(line[2:])
                if found and found[-1].is_list:
                    found[-1] = Block(True, (*found[-1].items, item))
                else:
                    found.append(Block(True, (item,)))
            else:
                found.append(Block(False, (spans(line),)))
    return tuple(found)


@dataclass
class IndexPage:
    """Context of `course.html`."""

    lessons: tuple[Lesson, ...] = field(metadata={"help": "the course's lessons, in order"})
    progress: Progress = field(metadata={"help": "this device's progress"})
    checklists: tuple[Checklist, ...] = field(metadata={"help": "meeting and action lists"})
    done: int = field(default=0, metadata={"help": "lessons passed"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})


@dataclass
class LessonPage:
    """Context of `course_lesson.html`."""

    lesson: Lesson = field(metadata={"help": "the lesson shown"})
    text: tuple[Block, ...] = field(metadata={"help": "its text as paragraphs and lists"})
    count: int = field(metadata={"help": "how many lessons the course has"})


@dataclass
class QuizPage:
    """Context of `course_quiz.html` (and of `course_result.html` with `result`)."""

    lesson: Lesson = field(metadata={"help": "the lesson whose quiz this is"})
    chosen: dict[str, str] = field(
        default_factory=dict, metadata={"help": "answers sent, kept after a refusal"}
    )
    result: QuizResult | None = field(default=None, metadata={"help": "the scored quiz"})
    count: int = field(default=0, metadata={"help": "how many lessons the course has"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})


@dataclass
class ChecklistPage:
    """Context of `course_checklist.html`."""

    checklist: Checklist = field(metadata={"help": "the checklist shown"})
    ticked: tuple[int, ...] = field(metadata={"help": "items ticked (from 1)"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})


@dataclass
class GuidePage:
    """Context of `course_guide.html`."""

    guide: Guide = field(metadata={"help": "the compromise guide"})
    cells: list[tuple[str, str]] = field(
        default_factory=list, metadata={"help": "(name, page) of each cell of this profile"}
    )
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})


def _cell_links(ws: Workspace) -> list[tuple[str, str]]:
    """Each cell of this profile: its name and its page (steps link to its sections)."""
    return [(c.name, f"/cell/{c.cell_id}") for c in cells.list_cells(ws)]


def refusal(ui: Ui, exc: CourseError) -> str:
    """A course error in the page's language, its numbers in the page's digits."""
    return error_text(exc, ui.language)


async def _progress(request: Request) -> Progress:
    vault = web_state(request).vault
    assert vault is not None
    return await anyio.to_thread.run_sync(vault.read, device.progress)


async def _store(request: Request, progress: Progress) -> None:
    vault = web_state(request).vault
    assert vault is not None
    await anyio.to_thread.run_sync(vault.write, lambda conn: device.set_progress(conn, progress))


async def _index(request: Request, errors: list[str], status_code: int) -> Response:
    course = device.bundled_course()
    progress = await _progress(request)
    page = IndexPage(
        lessons=course.lessons,
        progress=progress,
        checklists=course.checklists,
        done=progress.done(course),
        errors=errors,
    )
    return render(request, "course.html", page, status_code=status_code)


@unlocked_only
async def index(request: Request) -> Response:
    return await _index(request, [], 200)


async def _lesson_or_refusal(request: Request) -> Lesson | Response:
    try:
        return lesson_for(device.bundled_course(), str(request.path_params["number"]))
    except QuizAnswerInvalid as exc:
        return await _index(request, [refusal(ui_for(request), exc)], 404)


@unlocked_only
async def lesson_page(request: Request) -> Response:
    lesson = await _lesson_or_refusal(request)
    if isinstance(lesson, Response):
        return lesson
    progress = await _progress(request)
    if lesson.number not in progress.read:
        await _store(request, after_reading(progress, lesson.number))
    text = blocks(lesson.text.pick(ui_for(request).language))
    count = len(device.bundled_course().lessons)
    return render(request, "course_lesson.html", LessonPage(lesson, text, count))


@unlocked_only
async def quiz_page(request: Request) -> Response:
    lesson = await _lesson_or_refusal(request)
    if isinstance(lesson, Response):
        return lesson
    count = len(device.bundled_course().lessons)
    if request.method == "GET":
        return render(request, "course_quiz.html", QuizPage(lesson, count=count))
    form = await request.form()
    sent = {k: v for k, v in form.multi_items() if isinstance(v, str) and k != "csrf"}
    try:
        result = score(lesson, read_answers(lesson, sent))
    except QuizAnswerInvalid as exc:
        kept = {k: v for k, v in sent.items() if re.fullmatch(r"q[0-9]{1,2}", k)}
        page = QuizPage(lesson, chosen=kept, count=count, errors=[refusal(ui_for(request), exc)])
        return render(request, "course_quiz.html", page, status_code=400)
    await _store(request, after_quiz(await _progress(request), result))
    return render(request, "course_result.html", QuizPage(lesson, result=result, count=count))


@unlocked_only
async def checklist_page(request: Request) -> Response:
    course = device.bundled_course()
    checklist = course.checklist(str(request.path_params["slug"]))
    if checklist is None:
        return await _index(request, [ui_for(request).gettext("There is no such checklist.")], 404)
    vault = web_state(request).vault
    assert vault is not None
    slug = checklist.slug
    if request.method == "GET":
        ticked = await anyio.to_thread.run_sync(vault.read, lambda conn: device.ticks(conn, slug))
        page = ChecklistPage(checklist, ticked, [])
        return render(request, "course_checklist.html", page)
    form = await request.form()
    sent = [v for v in form.getlist("item") if isinstance(v, str)]
    try:
        ticked = () if form.get("clear") else read_ticks(checklist, sent)
    except QuizAnswerInvalid as exc:
        current = await anyio.to_thread.run_sync(vault.read, lambda conn: device.ticks(conn, slug))
        page = ChecklistPage(checklist, current, [refusal(ui_for(request), exc)])
        return render(request, "course_checklist.html", page, status_code=400)
    await anyio.to_thread.run_sync(vault.write, lambda conn: device.set_ticks(conn, slug, ticked))
    return redirect(f"/course/checklists/{slug}")


@unlocked_only
async def guide_page(request: Request) -> Response:
    page = GuidePage(device.bundled_course().guide)
    try:
        page.cells = await call_app(request, _cell_links)
    except Refusal as refusal:
        page.errors = refusal.lines
    return render(request, "course_guide.html", page)


routes = [
    Route("/course", index, methods=["GET"]),
    Route("/course/guide", guide_page, methods=["GET"]),
    Route("/course/checklists/{slug}", checklist_page, methods=["GET", "POST"]),
    Route("/course/{number}", lesson_page, methods=["GET"]),
    Route("/course/{number}/quiz", quiz_page, methods=["GET", "POST"]),
]
