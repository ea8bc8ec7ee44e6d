"""One member of a cell: propose removing them (a decision), or, in an emergency, report
their device seized. This page is the confirmation step of both.

    GET  /cell/{ref}/members/{leaf}
    POST /cell/{ref}/members/{leaf}/remove   deadline → a consent decision
    POST /cell/{ref}/members/{leaf}/seized   confirm=yes, note → removed now, keys rotated
    POST /cell/{ref}/members/{leaf}/end-trial   deadline → a consent decision (org.trial)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, cells, decisions, removal, trial
from hasteh.app.cells import CellSummary, MemberView
from hasteh.app.errors import UnknownMember
from hasteh.i18n import whole_number
from hasteh.web.app import render, ui_for
from hasteh.web.appcalls import Refusal, call_app
from hasteh.web.views.common import (
    DEFAULT_DEADLINE_CHOICE,
    deadline_input,
    deadline_text,
    done,
    redirect,
    send_now,
    text,
    unlocked_only,
)
from hasteh.web.views.home import CreateForm, home_page


@dataclass
class MemberPage:
    """Context of `member.html`."""

    cell: CellSummary = field(metadata={"help": "the cell"})
    href: str = field(metadata={"help": "local path of the cell's page"})
    member: MemberView = field(metadata={"help": "the member (cover name, leaf, is me)"})
    deadline: str = field(default="", metadata={"help": "the deadline date typed, if any"})
    deadline_choice: str = field(
        default=DEFAULT_DEADLINE_CHOICE, metadata={"help": "the deadline choice pressed"}
    )
    note: str = field(default="", metadata={"help": "what happened (seizure note)"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})


def _find(ws: Workspace, ref: str, leaf_text: str) -> tuple[CellSummary, MemberView]:
    cell = cells.summary(cells.find_cell(ws, ref))
    leaf = whole_number(leaf_text)
    for m in cells.members(ws, cell.cell_id):
        if leaf is not None and m.leaf == leaf:
            return cell, m
    raise UnknownMember()


async def show(
    request: Request,
    *,
    deadline: tuple[str, str] = (DEFAULT_DEADLINE_CHOICE, ""),
    note: str = "",
    errors: list[str] | None = None,
) -> Response:
    ref, leaf = request.path_params["ref"], request.path_params["leaf"]
    try:
        cell, member = await call_app(request, lambda ws: _find(ws, ref, leaf))
    except Refusal as refusal:
        return await home_page(request, CreateForm(), refusal.lines, 404)
    page = MemberPage(
        cell=cell,
        href=f"/cell/{cell.cell_id}",
        member=member,
        deadline=deadline[1],
        deadline_choice=deadline[0],
        note=note,
        errors=errors or [],
    )
    return render(request, "member.html", page, status_code=400 if errors else 200)


@unlocked_only
async def member_page(request: Request) -> Response:
    return await show(request)


@unlocked_only
async def remove(request: Request) -> Response:
    ref, leaf = request.path_params["ref"], request.path_params["leaf"]
    data = await request.form()
    deadline = deadline_text(data)

    def run(ws: Workspace) -> tuple[str, bool]:
        cell, member = _find(ws, ref, leaf)
        opened = removal.propose_removal(
            ws,
            cell.cell_id,
            member.cover_name,
            deadline=decisions.deadline(ws, deadline_input(*deadline)),
        )
        return opened.decision_id, send_now(ws)

    try:
        number, reached = await call_app(request, run)
    except Refusal as refusal:
        return await show(request, deadline=deadline, errors=refusal.lines)
    return redirect(f"/cell/{ref}/decisions/{number}?done={'removal' if reached else 'queued'}")


@unlocked_only
async def end_trial(request: Request) -> Response:
    ref, leaf = request.path_params["ref"], request.path_params["leaf"]
    data = await request.form()
    deadline = deadline_text(data)

    def run(ws: Workspace) -> tuple[str, bool]:
        cell, member = _find(ws, ref, leaf)
        opened = trial.propose_end_of_trial(
            ws,
            cell.cell_id,
            member.cover_name,
            deadline=decisions.deadline(ws, deadline_input(*deadline)),
        )
        return opened.decision_id, send_now(ws)

    try:
        number, reached = await call_app(request, run)
    except Refusal as refusal:
        return await show(request, deadline=deadline, errors=refusal.lines)
    return redirect(f"/cell/{ref}/decisions/{number}?done={'opened' if reached else 'queued'}")


@unlocked_only
async def seized(request: Request) -> Response:
    ref, leaf = request.path_params["ref"], request.path_params["leaf"]
    ui = ui_for(request)
    data = await request.form()
    note = text(data, "note")
    if text(data, "confirm") != "yes":
        lines = [
            ui.gettext("Confirm that this member's device was taken."),
            ui.gettext("Nothing was changed."),
        ]
        return await show(request, note=note, errors=lines)

    def run(ws: Workspace) -> bool:
        cell, member = _find(ws, ref, leaf)
        report = removal.seized(ws, cell.cell_id, member.cover_name, note=note)
        return not report.unreachable

    try:
        reached = await call_app(request, run)
    except Refusal as refusal:
        return await show(request, note=note, errors=refusal.lines)
    return done(ref, "seized" if reached else "queued", "members")


routes = [
    Route("/cell/{ref}/members/{leaf}", member_page, methods=["GET"]),
    Route("/cell/{ref}/members/{leaf}/remove", remove, methods=["POST"]),
    Route("/cell/{ref}/members/{leaf}/seized", seized, methods=["POST"]),
    Route("/cell/{ref}/members/{leaf}/end-trial", end_trial, methods=["POST"]),
]
