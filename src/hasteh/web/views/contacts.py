"""Contacts with leading workers, on this device only (`hasteh.app.contacts`): the list,
a form to add one, a switch per contact that lets the cell see its code name, a button
that deletes it, and a form that tells a cell the count and the shared code names.

    GET  /contacts
    POST /contacts/add       code_name, workplace, notes
    POST /contacts/share     ref, on=yes|no
    POST /contacts/forget    ref
    POST /contacts/tell      cell

The hand-over in person (give, take) is `views.handover`; its forms are on this page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, cells, contacts
from hasteh.app.cells import CellSummary
from hasteh.app.contacts import Contact
from hasteh.web.app import render, ui_for
from hasteh.web.appcalls import Refusal, call_app
from hasteh.web.views.common import redirect, send_now, text, unlocked_only

#: Notices after a redirect (`?done=…`), as msgids.
CONTACT_NOTICES = {
    "added": "Kept on this device only.",
    "saved": "Saved on this device.",
    "forgotten": "Deleted from this device.",
    "told": "Sent to the cell: the count and the code names you chose.",
    "queued": "Saved, but no relay answered: it will be sent with Fetch now, or carry a "
    "courier bundle.",
}


@dataclass
class ContactsPage:
    """Context of `contacts.html`."""

    contacts: list[Contact] = field(metadata={"help": "this device's contacts, oldest first"})
    cells: list[CellSummary] = field(metadata={"help": "the cells one may tell"})
    code_name: str = field(default="", metadata={"help": "typed code name, kept on error"})
    workplace: str = field(default="", metadata={"help": "typed workplace, kept on error"})
    notes: str = field(default="", metadata={"help": "typed notes, kept on error"})
    notice: str = field(default="", metadata={"help": "what just happened, translated"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})
    take_code: str = field(default="", metadata={"help": "typed hand-over code, kept on error"})
    error_form: str = field(default="add", metadata={"help": "add | give | take: whose errors"})


async def contacts_page(
    request: Request,
    errors: list[str] | None = None,
    typed: tuple[str, str, str] = ("", "", ""),
    *,
    take_code: str = "",
    error_form: str = "add",
) -> Response:
    ui = ui_for(request)

    def build(ws: Workspace) -> ContactsPage:
        active = [c for c in cells.list_cells(ws) if not c.removed]
        return ContactsPage(contacts.list_contacts(ws), active, *typed)

    page = await call_app(request, build)
    done = request.query_params.get("done", "")
    page.notice = ui.gettext(CONTACT_NOTICES[done]) if done in CONTACT_NOTICES else ""
    page.errors = errors or []
    page.take_code, page.error_form = take_code, error_form
    return render(request, "contacts.html", page, status_code=400 if errors else 200)


@unlocked_only
async def show(request: Request) -> Response:
    return await contacts_page(request)


async def _act(
    request: Request, run: Callable[[Workspace], str], typed: tuple[str, str, str]
) -> Response:
    try:
        done = await call_app(request, run)
    except Refusal as refusal:
        return await contacts_page(request, refusal.lines, typed)
    return redirect(f"/contacts?done={done}")


@unlocked_only
async def add(request: Request) -> Response:
    data = await request.form()
    typed = (text(data, "code_name"), text(data, "workplace"), text(data, "notes"))

    def run(ws: Workspace) -> str:
        contacts.add(ws, typed[0], workplace=typed[1], notes=typed[2])
        return "added"

    return await _act(request, run, typed)


@unlocked_only
async def share(request: Request) -> Response:
    data = await request.form()
    ref, on = text(data, "ref"), text(data, "on") == "yes"

    def run(ws: Workspace) -> str:
        contacts.set_shared(ws, ref, on)
        return "saved"

    return await _act(request, run, ("", "", ""))


@unlocked_only
async def forget(request: Request) -> Response:
    data = await request.form()
    ref = text(data, "ref")

    def run(ws: Workspace) -> str:
        contacts.forget(ws, ref)
        return "forgotten"

    return await _act(request, run, ("", "", ""))


@unlocked_only
async def tell(request: Request) -> Response:
    data = await request.form()
    cell = text(data, "cell")

    def run(ws: Workspace) -> str:
        contacts.tell(ws, cell)
        return "told" if send_now(ws) else "queued"

    return await _act(request, run, ("", "", ""))


routes = [
    Route("/contacts", show, methods=["GET"]),
    Route("/contacts/add", add, methods=["POST"]),
    Route("/contacts/share", share, methods=["POST"]),
    Route("/contacts/forget", forget, methods=["POST"]),
    Route("/contacts/tell", tell, methods=["POST"]),
]
