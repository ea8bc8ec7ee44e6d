"""A cell's files and library (issue 15): the upload form (multipart), the list of files
(images shown inline, since they were re-encoded by the sender and again here; every
other kind only downloaded, with the warning that its own metadata may name its author),
and the library with a note per item. No JavaScript.

    GET  /cell/{ref}/files                       the page (?page=N: older files)
    POST /cell/{ref}/files/upload                share a file (multipart: file, name, kind)
    POST /cell/{ref}/files/fetch                 receive the files not here yet
    GET  /cell/{ref}/files/{f}/download          a file, as an attachment, never rendered
    GET  /cell/{ref}/files/{f}/image             an image, inline (cleaned images only)
    POST /cell/{ref}/files/{f}/remove            remove a file you shared
    POST /cell/{ref}/library                     add an item
    POST /cell/{ref}/library/{i}/{what}          note | remove (your own items, or any
                                                 item by an adopted decision) |
                                                 propose-removal (opens a consent decision)

A download is ``application/octet-stream`` with ``Content-Disposition: attachment``,
``nosniff`` and ``Content-Security-Policy: sandbox``: a browser saves it and runs nothing
in it, whatever a member named it. Every refusal re-renders the page with the Persian
message and its next step (400); nothing was stored or sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, cells, decisions, files
from hasteh.app.cells import CellSummary
from hasteh.app.decisions import DecisionSummary
from hasteh.app.errors import BadInput
from hasteh.app.files import FileLine, ItemLine, SavedFile
from hasteh.i18n import whole_number
from hasteh.org.events.cell import MAX_FILE_CAP
from hasteh.web.app import render, ui_for
from hasteh.web.appcalls import Refusal, call_app
from hasteh.web.views.common import (
    deadline_input,
    deadline_text,
    redirect,
    send_now,
    text,
    unlocked_only,
)
from hasteh.web.views.home import CreateForm, home_page

__all__ = ["MAX_UPLOAD", "routes"]

#: The largest upload a form takes (the highest cap a cell may set, plus the form).
MAX_UPLOAD = MAX_FILE_CAP + 64 * 1024
#: Files and items per page (a cell may hold 2,000 files and 5,000 items).
PAGE = 25
#: Kinds of files and of library items, and their names on the page (msgids).
KIND_NAMES = {
    "image": "image",
    "pdf": "PDF",
    "text": "text",
    "audio": "audio",
    "other": "document",
}
ITEM_KINDS = {"reading": "reading", "international": "international experience", "other": "other"}
STATE_NAMES = {"ok": "on this device", "waiting": "not here yet", "refused": "refused"}
#: Said beside every file that is not an image (docs/cells.md, "Files").
METADATA_WARNING = (
    "hasteh carries this file as it is and never opens it. Its own metadata (a PDF's or "
    "a document's author, an audio file's tags) may name whoever made it: check it before "
    "you share it, and open it only on a computer you trust."
)
FILE_NOTICES = {
    "shared": "The file was shared with the cell.",
    "queued": "Saved, but no relay answered: it will be sent with Fetch now, or carry a "
    "courier bundle.",
    "fetched": "Files received: {n}.",
    "saved": "Saved.",
}
#: What a download is served with: saved, never shown, nothing in it runs.
DOWNLOAD_HEADERS = {
    "content-security-policy": "sandbox; default-src 'none'",
    "x-content-type-options": "nosniff",
}


@dataclass
class FilesPage:
    """Context of `files.html`."""

    cell: CellSummary = field(metadata={"help": "the cell"})
    href: str = field(metadata={"help": "local path of the cell's page"})
    files: list[FileLine] = field(metadata={"help": "one page of files, newest first"})
    items: list[ItemLine] = field(metadata={"help": "one page of the library, newest first"})
    #: For others' items on the page (by item id): the adopted decisions that may remove it.
    removals: dict[str, list[DecisionSummary]] = field(default_factory=dict)
    waiting: int = field(default=0, metadata={"help": "files not yet on this device"})
    file_cap_mb: int = field(default=25, metadata={"help": "the cell's cap per file, in MB"})
    kind_names: dict[str, str] = field(default_factory=lambda: KIND_NAMES)
    item_kinds: dict[str, str] = field(default_factory=lambda: ITEM_KINDS)
    state_names: dict[str, str] = field(default_factory=lambda: STATE_NAMES)
    metadata_warning: str = METADATA_WARNING
    notice: str = field(default="", metadata={"help": "what just happened, translated"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})
    error_form: str = field(default="", metadata={"help": "the form the refusal is about"})
    #: This page (0: the newest), and whether older / newer pages exist.
    page_number: int = 0
    older: bool = False
    newer: bool = False


def _slice(total: int, number: int) -> int:
    return min(number * PAGE, max(0, total - 1) // PAGE * PAGE)


async def files_page(
    request: Request, errors: list[str] | None = None, error_form: str = ""
) -> Response:
    ref = request.path_params["ref"]
    ui = ui_for(request)
    number = whole_number(request.query_params.get("page", "0")[:6], max_digits=6) or 0

    def build(ws: Workspace) -> FilesPage:
        rt = cells.find_cell(ws, ref)
        cell = cells.summary(rt)
        all_files = files.lines(ws, cell.cell_id)[::-1]
        all_items = files.items(ws, cell.cell_id)[::-1]
        start = _slice(max(len(all_files), len(all_items)), number)
        shown = all_items[start : start + PAGE]
        removals = {
            i.item_id: files.removal_decisions(ws, cell.cell_id, i.item_id)
            for i in shown
            if not i.mine
        }
        return FilesPage(
            cell=cell,
            href=f"/cell/{cell.cell_id}",
            files=all_files[start : start + PAGE],
            items=shown,
            removals=removals,
            waiting=sum(1 for f in all_files if f.state == "waiting"),
            file_cap_mb=rt.org.settings.file_cap // 2**20,
            page_number=start // PAGE,
            older=start + PAGE < max(len(all_files), len(all_items)),
            newer=start > 0,
        )

    try:
        page = await call_app(request, build)
    except Refusal as refusal:
        return await home_page(request, CreateForm(), refusal.lines, 404)
    done = request.query_params.get("done", "")
    if done in FILE_NOTICES:
        count = whole_number(request.query_params.get("n", "0")[:6], max_digits=6) or 0
        page.notice = ui.gettext(FILE_NOTICES[done]).format(n=ui.number(count))
    page.errors = errors or []
    page.error_form = error_form
    return render(request, "files.html", page, status_code=400 if errors else 200)


@unlocked_only
async def show(request: Request) -> Response:
    return await files_page(request)


def _id(value: str) -> str:
    """A file's or item's 8-hex id from the path (numbers shift; ids never do)."""
    if len(value) != 8 or any(c not in "0123456789abcdef" for c in value):
        raise BadInput("no-such-file")
    return value


@unlocked_only
async def upload(request: Request) -> Response:
    ref = request.path_params["ref"]
    data = await request.form(max_part_size=MAX_UPLOAD)
    sent = data.get("file")
    body, filename = b"", ""
    if isinstance(sent, UploadFile):
        body = await sent.read(MAX_UPLOAD + 1)
        filename = sent.filename or ""
    name = text(data, "name").strip() or filename
    kind = text(data, "kind") or None

    def run(ws: Workspace) -> tuple[str, bool]:
        cell = cells.summary(cells.find_cell(ws, ref)).cell_id
        files.send(ws, cell, body, name or "file", kind=kind)
        return cell, send_now(ws)

    try:
        cell, reached = await call_app(request, run)
    except Refusal as refusal:
        return await files_page(request, refusal.lines, "upload")
    return redirect(f"/cell/{cell}/files?done={'shared' if reached else 'queued'}")


@unlocked_only
async def fetch(request: Request) -> Response:
    ref = request.path_params["ref"]

    def run(ws: Workspace) -> tuple[str, int]:
        cell = cells.summary(cells.find_cell(ws, ref)).cell_id
        send_now(ws)
        return cell, files.fetch(ws).complete

    try:
        cell, complete = await call_app(request, run)
    except Refusal as refusal:
        return await files_page(request, refusal.lines, "fetch")
    return redirect(f"/cell/{cell}/files?done=fetched&n={complete}")


async def _saved(request: Request) -> SavedFile | Response:
    ref, fid = request.path_params["ref"], request.path_params["f"]

    def run(ws: Workspace) -> SavedFile:
        cell = cells.summary(cells.find_cell(ws, ref)).cell_id
        return files.save(ws, cell, _id(fid))

    try:
        return await call_app(request, run)
    except Refusal as refusal:
        return await files_page(request, refusal.lines, "files")


def _disposition(kind: str, name: str) -> str:
    ascii_name = "".join(c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in name)
    return f"{kind}; filename=\"{ascii_name or 'file'}\"; filename*=UTF-8''{quote(name)}"


@unlocked_only
async def download(request: Request) -> Response:
    found = await _saved(request)
    if isinstance(found, Response):
        return found
    headers = {
        **DOWNLOAD_HEADERS,
        "content-disposition": _disposition("attachment", found.safe_filename),
    }
    return Response(found.data, media_type="application/octet-stream", headers=headers)


@unlocked_only
async def image(request: Request) -> Response:
    """An image inline: only a whole file of kind image (re-encoded on receipt)."""
    found = await _saved(request)
    if isinstance(found, Response):
        return found
    if found.kind != "image":
        return Response(status_code=404)
    headers = {
        **DOWNLOAD_HEADERS,
        "content-disposition": _disposition("inline", found.safe_filename),
    }
    return Response(found.data, media_type=found.mime, headers=headers)


@unlocked_only
async def remove(request: Request) -> Response:
    ref, fid = request.path_params["ref"], request.path_params["f"]

    def run(ws: Workspace) -> tuple[str, bool]:
        cell = cells.summary(cells.find_cell(ws, ref)).cell_id
        files.remove(ws, cell, _id(fid))
        return cell, send_now(ws)

    try:
        cell, reached = await call_app(request, run)
    except Refusal as refusal:
        return await files_page(request, refusal.lines, "files")
    return redirect(f"/cell/{cell}/files?done={'saved' if reached else 'queued'}")


@unlocked_only
async def add_item(request: Request) -> Response:
    ref = request.path_params["ref"]
    data = await request.form()

    def run(ws: Workspace) -> tuple[str, bool]:
        cell = cells.summary(cells.find_cell(ws, ref)).cell_id
        files.add_item(
            ws,
            cell,
            title=text(data, "title"),
            kind=text(data, "kind") or "reading",
            note=text(data, "note"),
            file=text(data, "file").strip() or None,
        )
        return cell, send_now(ws)

    try:
        cell, reached = await call_app(request, run)
    except Refusal as refusal:
        return await files_page(request, refusal.lines, "library")
    return redirect(f"/cell/{cell}/files?done={'saved' if reached else 'queued'}#library")


@unlocked_only
async def item(request: Request) -> Response:
    ref, iid, what = (request.path_params[k] for k in ("ref", "i", "what"))
    data = await request.form()

    def run(ws: Workspace) -> tuple[str, bool, str]:
        cell = cells.summary(cells.find_cell(ws, ref)).cell_id
        if len(iid) != 8 or any(c not in "0123456789abcdef" for c in iid):
            raise BadInput("no-such-item")
        where = f"/cell/{cell}/files"
        if what == "note":
            files.note_item(ws, cell, iid, text(data, "note"))
        elif what == "remove":
            decision = text(data, "decision").strip()[:64] or None
            files.remove_item(ws, cell, iid, decision)
        elif what == "propose-removal":
            choice, typed = deadline_text(data)
            when = decisions.deadline(ws, deadline_input(choice, typed))
            opened = files.propose_item_removal(ws, cell, iid, deadline=when)
            where = f"/cell/{cell}/decisions/{opened.decision_id}"
        else:
            raise BadInput("no-such-item")
        return cell, send_now(ws), where

    try:
        cell, reached, where = await call_app(request, run)
    except Refusal as refusal:
        return await files_page(request, refusal.lines, "library")
    if where != f"/cell/{cell}/files":
        return redirect(where)
    return redirect(f"{where}?done={'saved' if reached else 'queued'}#library")


routes = [
    Route("/cell/{ref}/files", show, methods=["GET"]),
    Route("/cell/{ref}/files/upload", upload, methods=["POST"]),
    Route("/cell/{ref}/files/fetch", fetch, methods=["POST"]),
    Route("/cell/{ref}/files/{f}/download", download, methods=["GET"]),
    Route("/cell/{ref}/files/{f}/image", image, methods=["GET"]),
    Route("/cell/{ref}/files/{f}/remove", remove, methods=["POST"]),
    Route("/cell/{ref}/library", add_item, methods=["POST"]),
    Route("/cell/{ref}/library/{i}/{what}", item, methods=["POST"]),
]
