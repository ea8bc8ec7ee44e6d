"""Home: my cells, the form that creates a cell, today's date; `POST /cells` creates one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, alliances, cells, news
from hasteh.i18n import whole_number
from hasteh.web.app import render, ui_for, web_state
from hasteh.web.appcalls import Refusal, call_app, new_group_relays
from hasteh.web.views.common import redirect, text, unlocked_only


@dataclass(frozen=True, slots=True)
class CellSummary:
    """One row of "my cells"."""

    name: str = field(metadata={"help": "the cell's name as this member calls it"})
    href: str = field(metadata={"help": "local path of the cell's page"})
    members: int = field(metadata={"help": "how many members the cell has"})
    cap: int = field(default=5, metadata={"help": "the most members the cell allows"})
    my_cover_name: str = field(default="", metadata={"help": "my cover name in this cell"})
    alarms: int = field(default=0, metadata={"help": "how many alarms the cell has"})
    removed: bool = field(default=False, metadata={"help": "this profile was removed"})
    unread: bool = field(
        default=False, metadata={"help": "something arrived that this device has not shown"}
    )


@dataclass
class CreateForm:
    """The create-cell form's values, as typed (kept after an error)."""

    name: str = field(default="", metadata={"help": "the new cell's name"})
    cover_name: str = field(default="", metadata={"help": "my cover name in the new cell"})
    cap: str = field(default="5", metadata={"help": "the most members (2 to 7)"})
    admission: str = field(default="all", metadata={"help": "all or all-but-one"})
    expiry_days: str = field(default="", metadata={"help": "days before chat disappears"})


@dataclass
class HomePage:
    """Context of `home.html`."""

    today: dt.date = field(metadata={"help": "today's date (shown Jalali in Persian)"})
    cells: list[CellSummary] = field(
        default_factory=list, metadata={"help": "the cells of this profile, by name"}
    )
    relay_url: str | None = field(
        default=None, metadata={"help": "the relay running on this computer, if any"}
    )
    form: CreateForm = field(
        default_factory=CreateForm, metadata={"help": "the create-cell form's values"}
    )
    errors: list[str] = field(
        default_factory=list, metadata={"help": "messages shown above the form, translated"}
    )
    alliances: list[tuple[str, str, bool]] = field(
        default_factory=list,
        metadata={"help": "the alliances a delegate sits in: (name, path, is a council)"},
    )
    reports: list[tuple[str, str, int]] = field(
        default_factory=list,
        metadata={"help": "cells with report-backs from their alliance: (name, path, count)"},
    )


def my_alliances(ws: Workspace) -> list[tuple[str, str, bool]]:
    """The alliances and councils this profile sits in, for their pages (issue 17)."""
    return [
        (rt.name, f"/alliance/{rt.group_id.hex()}/programme", rt.org.council)
        for rt in alliances.all_alliances(ws)
    ]


def my_reports(ws: Workspace) -> list[tuple[str, str, int]]:
    """The cells of this profile that report-backs reached (issue 17), with how many."""
    return [
        (c.name, f"/cell/{c.cell_id}/reports", count)
        for c in cells.list_cells(ws)
        if (count := len(cells.find_cell(ws, c.cell_id).org.carried))
    ]


def my_cells(ws: Workspace) -> list[CellSummary]:
    new = news.unread(ws)
    return [
        CellSummary(
            name=c.name,
            href=f"/cell/{c.cell_id}",
            members=c.members,
            cap=c.cap,
            my_cover_name=c.my_cover_name,
            alarms=c.alarms,
            removed=c.removed,
            unread=c.cell_id in new,
        )
        for c in cells.list_cells(ws)
    ]


async def home_page(request: Request, form: CreateForm, errors: list[str], status: int) -> Response:
    state = web_state(request)
    try:
        found = await call_app(request, my_cells)
        seats = await call_app(request, my_alliances)
        carried = await call_app(request, my_reports)
    except Refusal as refusal:
        found, seats, carried, errors = [], [], [], [*errors, *refusal.lines]
    page = HomePage(
        alliances=seats,
        reports=carried,
        today=state.today(),
        cells=found,
        relay_url=state.relay.url if state.relay is not None else None,
        form=form,
        errors=errors,
    )
    return render(request, "home.html", page, status_code=status)


@unlocked_only
async def home(request: Request) -> Response:
    return await home_page(request, CreateForm(cap=ui_for(request).number(5)), [], 200)


@unlocked_only
async def create(request: Request) -> Response:
    state = web_state(request)
    ui = ui_for(request)
    data = await request.form()
    form = CreateForm(
        name=text(data, "name"),
        cover_name=text(data, "cover_name"),
        cap=text(data, "cap"),
        admission=text(data, "admission"),
        expiry_days=text(data, "expiry_days"),
    )
    errors: list[str] = []
    cap = whole_number(form.cap, max_digits=5)
    if cap is None:
        errors.append(ui.gettext("The cap must be a whole number from 2 to 7."))
    expiry = whole_number(form.expiry_days, max_digits=5) if form.expiry_days.strip() else None
    if form.expiry_days.strip() and expiry is None:
        errors.append(ui.gettext("Days must be a whole number from 1 to 365."))
    if errors:
        return await home_page(request, form, errors, 400)
    assert cap is not None

    def run(ws: Workspace) -> str:
        rt = cells.create_cell(
            ws,
            form.name,
            cover_name=form.cover_name,
            relays=new_group_relays(state, ws),
            cap=cap,
            admission=form.admission,
            expiry_days=expiry,
        )
        return cells.summary(rt).cell_id

    try:
        cell_id = await call_app(request, run)
    except Refusal as refusal:
        return await home_page(request, form, refusal.lines, 400)
    return redirect(f"/cell/{cell_id}?done=created")


routes = [
    Route("/home", home, methods=["GET"]),
    Route("/cells", create, methods=["POST"]),
]
