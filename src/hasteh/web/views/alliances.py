"""A delegate's alliances (issue 17): the list of this profile's alliances, and one
alliance's page: its cells by pseudonym (never a name of a person or a cell), whose key
and alternate it knows, and its motions with the votes by cell, the outcome and who
signed the tally; for each motion the delegate's three acts, for the cell they choose:
vote as the cell decided, sign the closed tally with the cell's key, report it back.
No JavaScript.

    GET  /alliances                        the list
    GET  /alliance/{ref}                   one alliance (ref: the start of its id)
    POST /alliance/{ref}/{act}             vote | sign | report  (motion, cell)

The cell is chosen on the form each time: the profile stores no link between a cell and
an alliance (docs/cells.md, "Delegates and alliances"). A refusal re-renders the page
with the Persian message (400); nothing was sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, alliances, cells, delegation
from hasteh.app.cells import CellSummary
from hasteh.app.delegation import AllianceView
from hasteh.web.app import render, ui_for
from hasteh.web.appcalls import Refusal, call_app
from hasteh.web.views.common import redirect, send_now, text, unlocked_only
from hasteh.web.views.home import CreateForm, home_page

__all__ = ["routes"]

ALLIANCE_NOTICES = {
    "vote": "Voted as the cell decided.",
    "sign": "Tally signed.",
    "report": "Reported back to the cell.",
    "queued": "Saved, but no relay answered: it will be sent with Fetch now, or carry a "
    "courier bundle.",
}


@dataclass
class AlliancesPage:
    """Context of `alliances.html`."""

    alliances: list[tuple[str, str, str]] = field(
        metadata={"help": "(ref, name, this device's cell's pseudonym) of each alliance"}
    )


@dataclass
class AlliancePage:
    """Context of `alliance.html`."""

    ref: str = field(metadata={"help": "the alliance's short id"})
    href: str = field(metadata={"help": "local path of the alliance's page"})
    view: AllianceView = field(metadata={"help": "the alliance as this delegate's log folds it"})
    cells: list[CellSummary] = field(metadata={"help": "this profile's cells, to choose from"})
    notice: str = field(default="", metadata={"help": "what just happened, translated"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})


@unlocked_only
async def index(request: Request) -> Response:
    def build(ws: Workspace) -> AlliancesPage:
        found = sorted(alliances.all_alliances(ws), key=lambda rt: (rt.name, rt.group_id))
        return AlliancesPage(
            [
                (
                    rt.group_id.hex()[:8],
                    rt.name,
                    rt.org.cover_name(rt.own_leaf) if rt.active else "",
                )
                for rt in found
            ]
        )

    page = await call_app(request, build)
    return render(request, "alliances.html", page)


async def alliance_page(request: Request, errors: list[str] | None = None) -> Response:
    ref = request.path_params["ref"]
    ui = ui_for(request)

    def build(ws: Workspace) -> AlliancePage:
        rt = alliances.find_alliance(ws, ref)
        short = rt.group_id.hex()[:8]
        return AlliancePage(
            ref=short,
            href=f"/alliance/{short}",
            view=delegation.alliance_view(ws, short),
            cells=cells.list_cells(ws),
        )

    try:
        page = await call_app(request, build)
    except Refusal as refusal:
        return await home_page(request, CreateForm(), refusal.lines, 404)
    done = request.query_params.get("done", "")
    page.notice = ui.gettext(ALLIANCE_NOTICES[done]) if done in ALLIANCE_NOTICES else ""
    page.errors = errors or []
    return render(request, "alliance.html", page, status_code=400 if errors else 200)


@unlocked_only
async def show(request: Request) -> Response:
    return await alliance_page(request)


ACTS: dict[str, Callable[[Workspace, str, str, str], object]] = {
    "vote": lambda ws, alliance, cell, motion: delegation.vote_as_mandated(
        ws, alliance, cell, motion
    ),
    "sign": lambda ws, alliance, cell, motion: delegation.sign_tally(ws, alliance, cell, motion),
    "report": lambda ws, alliance, cell, motion: delegation.report(ws, cell, alliance, motion),
}


@unlocked_only
async def act(request: Request) -> Response:
    ref, what = request.path_params["ref"], request.path_params["act"]
    ui = ui_for(request)
    data = await request.form()
    call = ACTS.get(what)
    if call is None:
        return await alliance_page(request, [ui.gettext("Nothing was changed.")])

    def run(ws: Workspace) -> tuple[str, bool]:
        short = alliances.find_alliance(ws, ref).group_id.hex()[:8]
        call(ws, short, text(data, "cell"), text(data, "motion"))
        return short, send_now(ws)

    try:
        short, reached = await call_app(request, run)
    except Refusal as refusal:
        return await alliance_page(request, refusal.lines)
    return redirect(f"/alliance/{short}?done={what if reached else 'queued'}")


routes = [
    Route("/alliances", index, methods=["GET"]),
    Route("/alliance/{ref}", show, methods=["GET"]),
    Route("/alliance/{ref}/{act}", act, methods=["POST"]),
]
