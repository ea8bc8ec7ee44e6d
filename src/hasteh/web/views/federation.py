"""An alliance's (or a council's) page for its delegates (issue 17): the Workers' Action
Program — the current version, its history and which cells (by pseudonym) endorsed each
version — the open amendments and their votes, joint actions with each cell's count (a
number), warnings from member cells, and report-backs from the level above.

    GET  /alliance/{ref}/programme    the page
    GET  /cell/{ref}/reports          a cell's report-backs (for every member)
    POST /alliance/{ref}/programme/{what}  amend | vote | joint | count | warn | article |
                                      endorse | republish | editors | compile

Like every form: CSRF (the guard), a redirect with a notice on success, or the page again
with status 400 and the translated reason (nothing was sent or stored). Endorsing is
signed with the cell's key, which the cell's own adopted decision unlocks: the form names
the cell and that decision's number (`delegation.endorse` refuses anything else).
Compiling an issue is signed with the alliance's bulletin key, which the alliance's
editors hold on their devices: the form is shown to an editor whose device holds it
(anyone else is refused, nothing sent); naming the editors is a vote of the alliance.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, alliances, cells, decisions, delegation, federation
from hasteh.app.cells import CellSummary
from hasteh.app.errors import BadInput
from hasteh.app.federation import WORDS as FED_WORDS
from hasteh.app.federation import FederationView, KeyView
from hasteh.i18n import parse_digits, whole_number
from hasteh.org.reports import Report
from hasteh.web.app import render, ui_for
from hasteh.web.appcalls import Refusal, call_app
from hasteh.web.views.common import NOTICES, redirect, send_now, text, unlocked_only
from hasteh.web.views.home import CreateForm, home_page

__all__ = ["FED_NOTICES", "FED_WORDS", "routes"]

#: Notices after a form (`?done=`), msgids.
FED_NOTICES = {
    "sent": "Sent to the alliance.",
    "queued": "Saved, but no relay answered: it will be sent with Fetch now, or carry a "
    "courier bundle.",
}


@dataclass
class FederationPage:
    """Context of `alliance_programme.html`."""

    href: str = field(metadata={"help": "local path of the alliance's page"})
    view: FederationView = field(metadata={"help": "the alliance as this delegate folds it"})
    words: Mapping[str, str] = field(metadata={"help": "statuses and kinds (msgids)"})
    key: KeyView | None = field(
        default=None, metadata={"help": "the alliance's bulletin key: editors, this seat's part"}
    )
    my_cells: list[tuple[str, str]] = field(
        default_factory=list, metadata={"help": "(name, id) of this profile's cells"}
    )
    notice: str = field(default="", metadata={"help": "what just happened, translated"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})
    error_form: str = field(default="", metadata={"help": "the form the refusal is about"})


async def _page(request: Request, errors: list[str] | None = None, form: str = "") -> Response:
    ref = request.path_params["ref"]
    ui = ui_for(request)

    def build(ws: Workspace) -> FederationPage:
        rt = alliances.find_alliance(ws, ref)
        return FederationPage(
            href=f"/alliance/{rt.group_id.hex()}/programme",
            view=federation.view(ws, rt.group_id.hex()),
            words=FED_WORDS,
            key=federation.key_view(ws, rt.group_id.hex()),
            my_cells=[(c.name, c.cell_id) for c in cells.list_cells(ws)],
        )

    try:
        page = await call_app(request, build)
    except Refusal as refusal:
        return await home_page(request, CreateForm(), refusal.lines, 404)
    done = request.query_params.get("done", "")
    notices = {**NOTICES, **FED_NOTICES}
    page.notice = ui.gettext(notices[done]) if done in notices else ""
    page.errors = errors or []
    page.error_form = form
    return render(request, "alliance_programme.html", page, status_code=400 if errors else 200)


@unlocked_only
async def show(request: Request) -> Response:
    return await _page(request)


def _count(value: str) -> int:
    number = whole_number(parse_digits(value).strip(), max_digits=6)
    if number is None:
        raise BadInput("bad-count")
    return number


def _deed(what: str, data: FormData) -> Callable[[Workspace, str], object] | None:
    """What a POST to ``…/{what}`` does, given the alliance's id."""
    get: Callable[[str], str] = lambda name: text(data, name)  # noqa: E731
    closes: Callable[[Workspace], int] = lambda ws: decisions.deadline(  # noqa: E731
        ws, get("deadline").strip() or "three-days"
    )
    deeds: dict[str, Callable[[Workspace, str], object]] = {
        "amend": lambda ws, a: federation.propose_amendment(
            ws, a, get("section"), get("text"), deadline=closes(ws)
        ),
        "vote": lambda ws, a: _vote(ws, a, get("vote"), get("answer")),
        "joint": lambda ws, a: federation.propose_joint(
            ws,
            a,
            get("title"),
            get("demands").splitlines(),
            date=decisions.deadline(ws, get("date").strip() or "week"),
            decide_by=closes(ws),
        ),
        "count": lambda ws, a: federation.opt_in(
            ws, a, federation.joint_ref(ws, a, get("action")), _count(get("count"))
        ),
        "warn": lambda ws, a: _warn(ws, a, get("kind"), get("text")),
        "article": lambda ws, a: federation.submit_article(ws, a, get("title"), get("body")),
        "endorse": lambda ws, a: delegation.endorse(
            ws, get("cell"), a, get("version"), get("decision")
        ),
        "republish": lambda ws, a: federation.republish(
            ws, a, _count(get("number")), into=get("into")
        ),
        "editors": lambda ws, a: federation.name_editors(
            ws, a, [str(c) for c in data.getlist("cell")], deadline=closes(ws)
        ),
        "compile": lambda ws, a: federation.compile_issue(
            ws, a, federation.vote_ref(ws, a, get("vote")), title=get("title")
        ),
    }
    return deeds.get(what)


def _vote(ws: Workspace, alliance: str, ref: str, answer: str) -> object:
    if answer not in ("yes", "no"):
        raise BadInput("bad-kind", kinds="yes, no")
    motion = federation.vote_ref(ws, alliance, ref)
    return alliances.vote(ws, alliance, motion, agree=answer == "yes")


def _warn(ws: Workspace, alliance: str, kind: str, body: str) -> object:
    if kind == "informer":
        return federation.warn(ws, alliance, "informer", body)
    if kind == "place":
        return federation.warn(ws, alliance, "place", body)
    if kind == "other":
        return federation.warn(ws, alliance, "other", body)
    raise BadInput("bad-kind", kinds="informer, place, other")


@unlocked_only
async def act(request: Request) -> Response:
    ref, what = request.path_params["ref"], request.path_params["what"]
    data = await request.form()
    deed = _deed(what, data)
    if deed is None:
        return await _page(request, [ui_for(request).gettext("Nothing was changed.")])
    do = deed

    def run(ws: Workspace) -> tuple[str, bool]:
        alliance = alliances.find_alliance(ws, ref).group_id.hex()
        do(ws, alliance)
        return alliance, send_now(ws)

    try:
        alliance, reached = await call_app(request, run)
    except Refusal as refusal:
        return await _page(request, refusal.lines, what)
    return redirect(f"/alliance/{alliance}/programme?done={'sent' if reached else 'queued'}")


@dataclass
class ReportsPage:
    """Context of `reports.html`: a cell's report-backs."""

    cell: CellSummary = field(metadata={"help": "the cell"})
    href: str = field(metadata={"help": "local path of the cell's page"})
    reports: list[tuple[Report, str]] = field(
        metadata={"help": "report-backs, oldest first, with a bulletin's check ('' else)"}
    )
    words: Mapping[str, str] = field(metadata={"help": "statuses and kinds (msgids)"})


@unlocked_only
async def cell_reports(request: Request) -> Response:
    """What the delegates carried into the cell from its alliance (and the levels above):
    decisions, warnings, the programme, bulletins (each checked against its claim)."""
    ref = request.path_params["ref"]

    def build(ws: Workspace) -> ReportsPage:
        cell = cells.summary(cells.find_cell(ws, ref))
        found = federation.reports_in(ws, cell.cell_id)
        statuses = federation.bulletin_statuses(found)
        checked: list[tuple[Report, str]] = [(r, statuses.get(i, "")) for i, r in enumerate(found)]
        return ReportsPage(cell, f"/cell/{cell.cell_id}", checked, FED_WORDS)

    try:
        page = await call_app(request, build)
    except Refusal as refusal:
        return await home_page(request, CreateForm(), refusal.lines, 404)
    return render(request, "reports.html", page)


routes = [
    Route("/cell/{ref}/reports", cell_reports, methods=["GET"]),
    Route("/alliance/{ref}/programme", show, methods=["GET"]),
    Route("/alliance/{ref}/programme/{what}", act, methods=["POST"]),
]
