"""A cell's delegates (issue 17): who speaks for the cell in its alliances, its key's
fingerprint and holders, the recalls, and each report-back with how the cell's vote was
cast ("did not vote as the cell decided" in plain words); the form that records an
election. No JavaScript.

    GET  /cell/{ref}/delegates          the page
    POST /cell/{ref}/delegates/elect    decision (its number), pseudonym, term, mandate

A refusal re-renders the page with the Persian message and its next step (400); the app
refuses before anything is sent, so nothing changed. The page names no person of another
cell: an alliance is shown only by the pseudonyms of its cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, cells, decisions, delegation
from hasteh.app.cells import CellSummary
from hasteh.app.delegation import DelegateView
from hasteh.i18n import whole_number
from hasteh.web.app import render, ui_for
from hasteh.web.appcalls import Refusal, call_app
from hasteh.web.views.common import redirect, send_now, text, unlocked_only
from hasteh.web.views.home import CreateForm, home_page

__all__ = ["routes"]

DELEGATE_NOTICES = {
    "elected": "The cell's delegates are recorded.",
    "queued": "Saved, but no relay answered: it will be sent with Fetch now, or carry a "
    "courier bundle.",
}


@dataclass
class DelegatesPage:
    """Context of `delegates.html`."""

    cell: CellSummary = field(metadata={"help": "the cell"})
    href: str = field(metadata={"help": "local path of the cell's page"})
    view: DelegateView = field(metadata={"help": "the cell's delegation as its log folds it"})
    elections: list[tuple[int, str]] = field(
        metadata={"help": "closed ranked decisions that elected two: (number, question)"}
    )
    notice: str = field(default="", metadata={"help": "what just happened, translated"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})


def _elections(ws: Workspace, ref: str) -> list[tuple[int, str]]:
    rt = cells.find_cell(ws, ref)
    numbers = decisions.numbers(rt)
    return [
        (numbers[d.decision_id], d.question)
        for d in rt.org.decisions.values()
        if d.kind == "ranked"
        and d.outcome is not None
        and d.outcome.status == "elected"
        and len(d.outcome.winners) >= 2
    ]


async def delegates_page(request: Request, errors: list[str] | None = None) -> Response:
    ref = request.path_params["ref"]
    ui = ui_for(request)

    def build(ws: Workspace) -> DelegatesPage:
        cell = cells.summary(cells.find_cell(ws, ref))
        return DelegatesPage(
            cell=cell,
            href=f"/cell/{cell.cell_id}",
            view=delegation.delegate_view(ws, cell.cell_id),
            elections=sorted(_elections(ws, cell.cell_id)),
        )

    try:
        page = await call_app(request, build)
    except Refusal as refusal:
        return await home_page(request, CreateForm(), refusal.lines, 404)
    done = request.query_params.get("done", "")
    page.notice = ui.gettext(DELEGATE_NOTICES[done]) if done in DELEGATE_NOTICES else ""
    page.errors = errors or []
    return render(request, "delegates.html", page, status_code=400 if errors else 200)


@unlocked_only
async def show(request: Request) -> Response:
    return await delegates_page(request)


@unlocked_only
async def elect(request: Request) -> Response:
    ref = request.path_params["ref"]
    data = await request.form()

    def run(ws: Workspace) -> tuple[str, bool]:
        cell = cells.summary(cells.find_cell(ws, ref)).cell_id
        days = whole_number(text(data, "term_days") or "180", max_digits=3)
        delegation.elect(
            ws,
            cell,
            text(data, "decision"),
            pseudonym=text(data, "pseudonym"),
            term_days=days or 0,  # unreadable or 0: refused with the term's bounds
            mandate=text(data, "mandate"),
        )
        return cell, send_now(ws)

    try:
        cell, reached = await call_app(request, run)
    except Refusal as refusal:
        return await delegates_page(request, refusal.lines)
    return redirect(f"/cell/{cell}/delegates?done={'elected' if reached else 'queued'}")


routes = [
    Route("/cell/{ref}/delegates", show, methods=["GET"]),
    Route("/cell/{ref}/delegates/elect", elect, methods=["POST"]),
]
