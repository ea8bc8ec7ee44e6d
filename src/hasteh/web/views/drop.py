"""A cell's drop box, for its members: what outside workers handed in (text and photos),
the editors' replies and the «published» mark, and a new slip to hand out.

    GET  /cell/{ref}/drop                 the page
    POST /cell/{ref}/drop/slip            a new one-time code: the slip as a PDF download
    POST /cell/{ref}/drop/{action}        reply | published   (field `ref`: a submission)

The outsiders' own page is another app on another port (`web.dropbox`); nothing here is
reachable from it. Like every form: CSRF (the guard), a redirect with a notice on
success, or this page again with status 400 and the translated reason.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, cells, dropbox
from hasteh.app.cells import CellSummary
from hasteh.app.dropbox import SubmissionView
from hasteh.app.records import time_zone
from hasteh.web.app import render, ui_for
from hasteh.web.appcalls import Refusal, call_app
from hasteh.web.views.common import redirect, send_now, text, unlocked_only
from hasteh.web.views.home import CreateForm, home_page

__all__ = ["routes"]

#: Notices after an action (`?done=`), msgids.
DROP_NOTICES = {
    "recorded": "Recorded and sent to the cell.",
    "queued": "Saved, but no relay answered: it will be sent with Fetch now, or carry a "
    "courier bundle.",
}


@dataclass
class ShownSubmission:
    item: SubmissionView
    photos: tuple[str, ...]


@dataclass
class DropPage:
    """Context of `drop_members.html`."""

    cell: CellSummary = field(metadata={"help": "the cell"})
    href: str = field(metadata={"help": "local path of the cell's page"})
    submissions: list[ShownSubmission] = field(metadata={"help": "newest first"})
    notice: str = field(default="", metadata={"help": "what just happened, translated"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})


def _shown(item: SubmissionView) -> ShownSubmission:
    photos = tuple(
        "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii") for data in item.images
    )
    return ShownSubmission(item, photos)


async def drop_page(request: Request, errors: list[str] | None = None) -> Response:
    ref = request.path_params["ref"]
    ui = ui_for(request)

    def build(ws: Workspace) -> DropPage:
        cell = cells.summary(cells.find_cell(ws, ref))
        held = dropbox.submissions(ws, cell.cell_id)
        return DropPage(cell, f"/cell/{cell.cell_id}", [_shown(s) for s in held])

    try:
        page = await call_app(request, build)
    except Refusal as refusal:
        return await home_page(request, CreateForm(), refusal.lines, 404)
    done = request.query_params.get("done", "")
    page.notice = ui.gettext(DROP_NOTICES[done]) if done in DROP_NOTICES else ""
    page.errors = errors or []
    return render(request, "drop_members.html", page, status_code=400 if errors else 200)


@unlocked_only
async def show(request: Request) -> Response:
    return await drop_page(request)


@unlocked_only
async def act(request: Request) -> Response:
    ref, action = request.path_params["ref"], request.path_params["action"]
    ui = ui_for(request)
    data = await request.form()
    item, reply_text = text(data, "ref"), text(data, "text")
    if action not in ("reply", "published"):
        return await drop_page(request, [ui.gettext("Nothing was changed.")])

    def run(ws: Workspace) -> tuple[str, bool]:
        cell = cells.summary(cells.find_cell(ws, ref)).cell_id
        if action == "reply":
            dropbox.reply(ws, cell, item, reply_text)
        else:
            dropbox.mark_published(ws, cell, item)
        return cell, send_now(ws)

    try:
        cell, reached = await call_app(request, run)
    except Refusal as refusal:
        return await drop_page(request, refusal.lines)
    return redirect(f"/cell/{cell}/drop?done={'recorded' if reached else 'queued'}")


@unlocked_only
async def slip(request: Request) -> Response:
    """A new code, answered as the printable slip (shown once: nothing keeps the code)."""
    ref = request.path_params["ref"]

    def run(ws: Workspace) -> tuple[dropbox.Slip, dt.date]:
        made = dropbox.make_code(ws, ref)
        until = dt.datetime.fromtimestamp(made.expires_at, ws.vault.read(time_zone)).date()
        return made, until

    try:
        made, until = await call_app(request, run)
    except Refusal as refusal:
        return await drop_page(request, refusal.lines)
    from hasteh.publish.slip import SlipText, render_slip  # WeasyPrint only when asked

    pdf = render_slip(SlipText(made.code, until, made.address, made.public_key))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="slip.pdf"'},
    )


routes = [
    Route("/cell/{ref}/drop", show, methods=["GET"]),
    Route("/cell/{ref}/drop/slip", slip, methods=["POST"]),
    Route("/cell/{ref}/drop/{action}", act, methods=["POST"]),
]
