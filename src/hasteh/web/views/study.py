"""Study circles (issue 15): the cell's circles with the form that opens one, a circle's
page (its curriculum with your own marks, its sessions with their places, and, for its
convener, the forms that change them), and a reading's page (its questions, your own
progress and note, its discussion). No JavaScript.

    GET  /cell/{ref}/study                    list + open form
    POST /cell/{ref}/study                    open a circle (title, note)
    GET  /cell/{ref}/study/{c}                one circle (its 8-hex id)
    POST /cell/{ref}/study/{c}/{what}         reading | move | remove | session | place
    GET  /cell/{ref}/study/{c}/r/{r}          one reading (its 8-hex id)
    POST /cell/{ref}/study/{c}/r/{r}/{what}   discuss | progress

Every refusal re-renders the page with the Persian message and its next step (400); the
app refuses before anything is sent (or, for progress, written), so nothing changed.
Progress is written to this device's vault only and sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, cells, study
from hasteh.app.cells import CellSummary
from hasteh.app.errors import BadInput
from hasteh.app.study import (
    CircleLine,
    CircleSummary,
    ReadingPage,
    ReadingSummary,
    SessionSummary,
    Shown,
)
from hasteh.i18n import parse_digits, whole_number
from hasteh.web.app import render, ui_for
from hasteh.web.appcalls import Refusal, call_app
from hasteh.web.views.common import redirect, send_now, text, unlocked_only
from hasteh.web.views.home import CreateForm, home_page

#: Said wherever progress is shown (docs/org.md, "Study circles").
PROGRESS_STAYS = "Your progress and notes stay on this device only; they are never sent."
#: Said beside the place field.
PLACE_GOES = (
    "The place is a code word the members agreed on, never an address. Every member's "
    "device deletes it when the session ends."
)
STUDY_NOTICES = {
    "opened": "The circle was opened.",
    "saved": "Saved.",
    "kept": "Saved on this device only.",
    "queued": "Saved, but no relay answered: it will be sent with Fetch now, or carry a "
    "courier bundle.",
}
#: Circles per page of the list, and readings per page of a curriculum.
PAGE = 50
#: Sessions a circle's page shows: the next ones, and the latest that are over.
UPCOMING = 20
PAST = 5


@dataclass
class StudyPage:
    """Context of `study.html`, `study_circle.html` and `study_reading.html`."""

    cell: CellSummary = field(metadata={"help": "the cell"})
    href: str = field(metadata={"help": "local path of the cell's page"})
    circles: list[CircleLine] = field(
        default_factory=list, metadata={"help": "one page of circles, in opening order"}
    )
    circle: CircleSummary | None = field(default=None, metadata={"help": "the one shown"})
    readings: tuple[ReadingSummary, ...] = field(
        default=(), metadata={"help": "one page of the circle's curriculum, in its order"}
    )
    sessions: list[SessionSummary] = field(
        default_factory=list,
        metadata={"help": "the next sessions (soonest first), then the latest that are over"},
    )
    hidden_sessions: int = field(default=0, metadata={"help": "sessions not shown"})
    reading: ReadingPage | None = field(default=None, metadata={"help": "the reading shown"})
    progress_stays: str = PROGRESS_STAYS
    place_goes: str = PLACE_GOES
    notice: str = field(default="", metadata={"help": "what just happened, translated"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})
    #: Which form the errors belong to (shown beside it).
    error_form: str = ""
    #: What was typed in the form that was refused (kept, so nothing is lost).
    typed: dict[str, str] = field(default_factory=dict)
    page_number: int = 0
    older: bool = False
    newer: bool = False


def _id(value: str, code: str) -> str:
    if len(value) != 8 or any(c not in "0123456789abcdef" for c in value):
        raise BadInput(code)  # type: ignore[arg-type]
    return value


async def _page(
    request: Request,
    circle_id: str | None = None,
    reading_id: str | None = None,
    errors: list[str] | None = None,
    form: str = "",
    typed: dict[str, str] | None = None,
) -> Response:
    ref = request.path_params["ref"]
    ui = ui_for(request)
    number = whole_number(request.query_params.get("page", "0")[:6], max_digits=6) or 0

    def build(ws: Workspace) -> StudyPage:
        cell = cells.summary(cells.find_cell(ws, ref))
        page = StudyPage(cell=cell, href=f"/cell/{cell.cell_id}")
        if circle_id is not None:
            cid = _id(circle_id, "unknown-circle")
            if reading_id is not None:
                rid = _id(reading_id, "unknown-reading")
                page.reading = study.reading(ws, cell.cell_id, cid, rid)
                return page
            shown = Shown(number, PAGE, UPCOMING, PAST)
            page.circle = study.circle(ws, cell.cell_id, cid, shown)
            _curriculum(page, page.circle)
            return page
        lines = study.circles(ws, cell.cell_id)
        start = min(number * PAGE, max(0, len(lines) - 1) // PAGE * PAGE)
        page.circles = lines[start : start + PAGE]
        page.page_number = start // PAGE
        page.older = start + PAGE < len(lines)
        page.newer = start > 0
        return page

    try:
        page = await call_app(request, build)
    except Refusal as refusal:
        return await home_page(request, CreateForm(), refusal.lines, 404)
    done = request.query_params.get("done", "")
    page.notice = ui.gettext(STUDY_NOTICES[done]) if done in STUDY_NOTICES else ""
    page.errors = errors or []
    page.error_form = form
    page.typed = typed or {}
    if circle_id is None:
        name = "study.html"
    else:
        name = "study_circle.html" if reading_id is None else "study_reading.html"
    return render(request, name, page, status_code=400 if errors else 200)


def _curriculum(page: StudyPage, circle: CircleSummary) -> None:
    """Paging of the curriculum: a circle may hold 1,000 readings and 1,000 sessions,
    and a page that lists them all takes too long on a phone."""
    page.readings = circle.readings
    page.sessions = list(circle.sessions)
    page.hidden_sessions = circle.session_count - len(circle.sessions)
    first = circle.readings[0].number - 1 if circle.readings else 0
    page.page_number = first // PAGE
    page.older = first + PAGE < circle.reading_count
    page.newer = first > 0


def _typed(data: FormData) -> dict[str, str]:
    return {k: v for k, v in data.items() if isinstance(v, str) and k != "csrf"}


@unlocked_only
async def list_page(request: Request) -> Response:
    return await _page(request)


@unlocked_only
async def circle_page(request: Request) -> Response:
    return await _page(request, request.path_params["c"])


@unlocked_only
async def reading_page(request: Request) -> Response:
    return await _page(request, request.path_params["c"], request.path_params["r"])


@unlocked_only
async def open_circle(request: Request) -> Response:
    ref = request.path_params["ref"]
    data = await request.form()

    def run(ws: Workspace) -> tuple[str, bool]:
        opened = study.open_circle(ws, ref, title=text(data, "title"), note=text(data, "note"))
        return opened.circle_id, send_now(ws)

    try:
        circle_id, reached = await call_app(request, run)
    except Refusal as refusal:
        return await _page(request, None, None, refusal.lines, "open", _typed(data))
    return redirect(f"/cell/{ref}/study/{circle_id}?done={'opened' if reached else 'queued'}")


def _questions(data: FormData) -> list[str]:
    """One question per line of the questions box."""
    return [line for line in text(data, "questions").splitlines() if line.strip()]


def _deed(what: str, data: FormData) -> Callable[[Workspace, str, str], object] | None:
    """What a POST to a circle's ``…/{what}`` does, given the cell and the circle."""
    if what == "reading":
        return lambda ws, c, k: study.add_reading(
            ws,
            c,
            k,
            title=text(data, "title"),
            questions=_questions(data),
            note=text(data, "note"),
            item=text(data, "item") or None,
        )
    if what == "move":
        return lambda ws, c, k: study.move_reading(
            ws, c, k, text(data, "reading"), text(data, "to")
        )
    if what == "remove":
        return lambda ws, c, k: study.remove_reading(ws, c, k, text(data, "reading"))
    if what == "session":

        def plan(ws: Workspace, c: str, k: str) -> object:
            hours = whole_number(parse_digits(text(data, "hours")).strip() or "2", max_digits=3)
            return study.plan_session(
                ws,
                c,
                k,
                starts=study.starts_at(ws, text(data, "when").strip() or "tomorrow"),
                hours=-1 if hours is None else hours,
                reading_ref=text(data, "reading") or None,
                place=text(data, "place") or None,
            )

        return plan
    if what == "place":
        return lambda ws, c, k: study.give_place(
            ws, c, k, text(data, "session"), text(data, "place")
        )
    return None


@unlocked_only
async def change(request: Request) -> Response:
    ref, circle_id, what = (request.path_params[k] for k in ("ref", "c", "what"))
    data = await request.form()
    deed = _deed(what, data)
    if deed is None:
        unchanged = [ui_for(request).gettext("Nothing was changed.")]
        return await _page(request, circle_id, None, unchanged)
    do = deed

    def run(ws: Workspace) -> bool:
        do(ws, ref, _id(circle_id, "unknown-circle"))
        return send_now(ws)

    try:
        reached = await call_app(request, run)
    except Refusal as refusal:
        return await _page(request, circle_id, None, refusal.lines, what, _typed(data))
    return redirect(f"/cell/{ref}/study/{circle_id}?done={'saved' if reached else 'queued'}")


def _tick(data: FormData, name: str) -> bool:
    return text(data, name) == "yes"


@unlocked_only
async def take_part(request: Request) -> Response:
    ref, circle_id, reading_id, what = (request.path_params[k] for k in ("ref", "c", "r", "what"))
    data = await request.form()
    if what not in ("discuss", "progress"):
        unchanged = [ui_for(request).gettext("Nothing was changed.")]
        return await _page(request, circle_id, reading_id, unchanged)

    def run(ws: Workspace) -> str:
        cid = _id(circle_id, "unknown-circle")
        rid = _id(reading_id, "unknown-reading")
        if what == "discuss":
            study.discuss(ws, ref, cid, rid, text(data, "text"))
            return "saved" if send_now(ws) else "queued"
        study.mark(
            ws,
            ref,
            cid,
            rid,
            read=_tick(data, "read"),
            discussed=_tick(data, "discussed"),
            note=text(data, "note"),
        )
        return "kept"  # nothing was sent: progress stays on this device

    try:
        done = await call_app(request, run)
    except Refusal as refusal:
        return await _page(request, circle_id, reading_id, refusal.lines, what, _typed(data))
    return redirect(f"/cell/{ref}/study/{circle_id}/r/{reading_id}?done={done}")


routes = [
    Route("/cell/{ref}/study", list_page, methods=["GET"]),
    Route("/cell/{ref}/study", open_circle, methods=["POST"]),
    Route("/cell/{ref}/study/{c}", circle_page, methods=["GET"]),
    Route("/cell/{ref}/study/{c}/r/{r}", reading_page, methods=["GET"]),
    Route("/cell/{ref}/study/{c}/r/{r}/{what}", take_part, methods=["POST"]),
    Route("/cell/{ref}/study/{c}/{what}", change, methods=["POST"]),
]
