"""Fetch now, and courier bundles (files that carry the cells' messages when there is no
network).

    POST /sync                 fetch now (send the outbox, fetch every mailbox); back to `next`
    GET  /courier              export and import forms
    POST /courier/export       make a bundle: its code is shown, the file is downloaded
    GET  /courier/bundle       the bundle just made (attachment), until locked
    POST /courier/import       a bundle file and its code

A bundle's code is shown on the page only (never in the file): write it down and give it
to the person carrying the file another way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, courier
from hasteh.app.sync import SyncReport
from hasteh.i18n import whole_number
from hasteh.transport.courier import DEFAULT_COST
from hasteh.web.app import Exported, render, ui_for, web_state
from hasteh.web.appcalls import Refusal, call_app
from hasteh.web.views.common import NOTICES, redirect, sync_outcome, text, unlocked_only

#: Largest bundle accepted by the import form (the guard's limit for /courier/import).
MAX_BUNDLE = 64 * 1024 * 1024
#: Where "Fetch now" may return to.
_RETURN = re.compile(
    r"^/(?:home|join|courier|alliance/[0-9a-f]{6,64}(?:/programme)?|cell/[0-9a-f]{6,64}"
    r"(?:/decisions(?:/[0-9a-f]{8})?|/members|/safety|/settings|/fund|/drop|/files|/delegates)?)$"
)


#: Notices of this page after a redirect (`?done=…`), as msgids.
COURIER_NOTICES = {
    "exported": "The bundle is ready. Write down its code, then download the file.",
    "imported": "The bundle was read.",
}


@dataclass
class CourierPage:
    """Context of `courier.html`."""

    code: str = field(default="", metadata={"help": "the code of the bundle just made"})
    envelopes: int = field(default=0, metadata={"help": "how many messages it carries"})
    ready: bool = field(default=False, metadata={"help": "a bundle waits to be downloaded"})
    imported: int = field(default=-1, metadata={"help": "messages of ours in the imported one"})
    unconfirmed: list[tuple[str, int]] = field(
        default_factory=list,
        metadata={"help": "servers the bundle names that were not contacted, with counts"},
    )
    notice: str = field(default="", metadata={"help": "what just happened, translated"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})


@unlocked_only
async def fetch_now(request: Request) -> Response:
    data = await request.form()
    back = text(data, "next")
    if not _RETURN.match(back):
        back = "/home"
    try:
        mark = await call_app(request, sync_outcome)
    except Refusal:
        mark = "unreachable"
    return redirect(f"{back}?done={mark}")


async def show(
    request: Request,
    errors: list[str] | None = None,
    imported: int = -1,
    unconfirmed: dict[str, int] | None = None,
) -> Response:
    state = web_state(request)
    ui = ui_for(request)
    exported = state.exported
    done = request.query_params.get("done", "")
    notices = {**NOTICES, **COURIER_NOTICES}
    page = CourierPage(
        code=exported.code if exported else "",
        envelopes=exported.envelopes if exported else 0,
        ready=exported is not None,
        imported=imported,
        unconfirmed=sorted((unconfirmed or {}).items()),
        notice=ui.gettext(notices[done]) if done in notices else "",
        errors=errors or [],
    )
    return render(request, "courier.html", page, status_code=400 if errors else 200)


@unlocked_only
async def courier_page(request: Request) -> Response:
    return await show(request)


@unlocked_only
async def export(request: Request) -> Response:
    state = web_state(request)
    ui = ui_for(request)
    cost = state.courier_cost or DEFAULT_COST
    form = await request.form()
    days = whole_number(text(form, "recent_days").strip() or "0", max_digits=3)
    if days is None or days > 365:
        lines = [
            ui.gettext("Days must be a whole number from 0 to 365."),
            ui.gettext("Nothing was changed."),
        ]
        return await show(request, lines)

    def run(ws: Workspace) -> Exported:
        since = ws.clock() - days * 86_400 if days else None
        code, data, count = courier.export_bundle(ws, cost=cost, recent_since=since)
        return Exported(code, data, count)

    try:
        state.exported = await call_app(request, run)
    except Refusal as refusal:
        return await show(request, refusal.lines)
    return redirect("/courier?done=exported")


@unlocked_only
async def download(request: Request) -> Response:
    exported = web_state(request).exported
    if exported is None:
        return redirect("/courier")
    return Response(
        exported.data,
        media_type="application/octet-stream",
        headers={"content-disposition": 'attachment; filename="bundle.bin"'},
    )


@unlocked_only
async def import_(request: Request) -> Response:
    state = web_state(request)
    ui = ui_for(request)
    cost = state.courier_cost or DEFAULT_COST
    data = await request.form(max_part_size=MAX_BUNDLE)
    code = text(data, "code").strip()
    upload = data.get("bundle")
    bundle = b""
    if isinstance(upload, UploadFile):
        bundle = await upload.read(MAX_BUNDLE + 1)
    if not bundle or not code:
        lines = [
            ui.gettext("Choose the bundle file and type its code."),
            ui.gettext("Nothing was changed."),
        ]
        return await show(request, lines)

    others = text(data, "other_relays") == "yes"

    def confirm(waiting: dict[str, int]) -> list[str]:
        return list(waiting) if others else []

    def run(ws: Workspace) -> SyncReport:
        return courier.import_bundle(ws, bundle, code, cost=cost, confirm=confirm)

    try:
        report = await call_app(request, run)
    except Refusal as refusal:
        return await show(request, refusal.lines)
    if report.joined:
        return redirect("/home?done=joined")
    return await show(request, imported=report.for_me, unconfirmed=report.unconfirmed)


routes = [
    Route("/sync", fetch_now, methods=["POST"]),
    Route("/courier", courier_page, methods=["GET"]),
    Route("/courier/export", export, methods=["POST"]),
    Route("/courier/bundle", download, methods=["GET"]),
    Route("/courier/import", import_, methods=["POST"]),
]
