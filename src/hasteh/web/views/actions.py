"""The cell's work (issue 15): the list of actions with the form that plans one, and one
action's page: its demands, tasks, the decisions it hangs on, "I will take part" (a
number, with the plain warning), and the after-action review. No JavaScript.

    GET  /cell/{ref}/actions                 list + plan form
    POST /cell/{ref}/actions                 plan (kind, code name, date, note, urgent)
    GET  /cell/{ref}/actions/{a}             one action (its 8-hex id)
    POST /cell/{ref}/actions/{a}/{what}      demand | task | status | vote | join | review

Every refusal re-renders the page with the Persian message and its next step (400);
the app refuses before anything is sent, so nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, actions, cells, decisions
from hasteh.app.actions import ActionLine, ActionSummary
from hasteh.app.cells import CellSummary
from hasteh.app.errors import BadInput
from hasteh.i18n import whole_number
from hasteh.web.app import render, ui_for
from hasteh.web.appcalls import Refusal, call_app
from hasteh.web.views.common import redirect, send_now, text, unlocked_only
from hasteh.web.views.home import CreateForm, home_page

#: Kinds, statuses and roles (app names) and their names on the page (msgids).
KIND_NAMES = {
    "strike": "strike",
    "slowdown": "slowdown",
    "petition": "petition",
    "protest": "protest",
    "gathering": "gathering",
}
STATUS_NAMES = {"todo": "to do", "doing": "doing", "done": "done", "dropped": "dropped"}
ROLE_NAMES = {"priorities": "priorities", "go": "go", "turnout": "turnout"}
#: What the vote buttons open (the form's ``what``), and their labels (msgids).
VOTES = (
    ("go", "Open the go/no-go (consent)"),
    ("turnout", "Open the count of who takes part"),
    ("priorities", "Rank the demands"),
    ("dots", "Dot-vote on the demands"),
)
#: Said plainly beside the button (docs/org.md, "Actions").
TURNOUT_LIMIT = (
    "Only the number is shown and kept. But while the count is open, a modified hasteh "
    "of a member could note who said they will take part: say it only in a cell you trust."
)
ACTION_NOTICES = {
    "planned": "The action was planned.",
    "saved": "Saved.",
    "queued": "Saved, but no relay answered: it will be sent with Fetch now, or carry a "
    "courier bundle.",
}


@dataclass
class ActionsPage:
    """Context of `actions.html` and `action.html`."""

    cell: CellSummary = field(metadata={"help": "the cell"})
    href: str = field(metadata={"help": "local path of the cell's page"})
    actions: list[ActionLine] = field(metadata={"help": "one page of actions, newest first"})
    action: ActionSummary | None = field(default=None, metadata={"help": "the one shown"})
    kind_names: dict[str, str] = field(default_factory=lambda: KIND_NAMES)
    status_names: dict[str, str] = field(default_factory=lambda: STATUS_NAMES)
    role_names: dict[str, str] = field(default_factory=lambda: ROLE_NAMES)
    votes: tuple[tuple[str, str], ...] = VOTES
    turnout_limit: str = TURNOUT_LIMIT
    notice: str = field(default="", metadata={"help": "what just happened, translated"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})
    #: This page of the list (0: the newest), and whether older / newer pages exist.
    page_number: int = 0
    older: bool = False
    newer: bool = False


#: Actions per page of the list (a cell may hold 1,000).
PAGE = 50


def _find(ws: Workspace, ref: str, action_id: str) -> ActionSummary:
    """The action with this 8-hex id (numbers shift when two are planned in the same
    second; ids never do)."""
    if len(action_id) != 8 or any(c not in "0123456789abcdef" for c in action_id):
        raise BadInput("unknown-action")
    return actions.one(ws, ref, action_id)


async def _page(
    request: Request, action_id: str | None = None, errors: list[str] | None = None
) -> Response:
    ref = request.path_params["ref"]
    ui = ui_for(request)
    number = whole_number(request.query_params.get("page", "0")[:6], max_digits=6) or 0

    def build(ws: Workspace) -> ActionsPage:
        cell = cells.summary(cells.find_cell(ws, ref))
        if action_id is not None:
            shown = _find(ws, cell.cell_id, action_id)
            return ActionsPage(cell=cell, href=f"/cell/{cell.cell_id}", actions=[], action=shown)
        newest_first = actions.lines(ws, cell.cell_id)[::-1]
        start = min(number * PAGE, max(0, len(newest_first) - 1) // PAGE * PAGE)
        return ActionsPage(
            cell=cell,
            href=f"/cell/{cell.cell_id}",
            actions=newest_first[start : start + PAGE],
            page_number=start // PAGE,
            older=start + PAGE < len(newest_first),
            newer=start > 0,
        )

    try:
        page = await call_app(request, build)
    except Refusal as refusal:
        return await home_page(request, CreateForm(), refusal.lines, 404)
    done = request.query_params.get("done", "")
    page.notice = ui.gettext(ACTION_NOTICES[done]) if done in ACTION_NOTICES else ""
    page.errors = errors or []
    name = "actions.html" if action_id is None else "action.html"
    return render(request, name, page, status_code=400 if errors else 200)


@unlocked_only
async def list_page(request: Request) -> Response:
    return await _page(request)


@unlocked_only
async def one_page(request: Request) -> Response:
    return await _page(request, request.path_params["a"])


@unlocked_only
async def plan(request: Request) -> Response:
    ref = request.path_params["ref"]
    data = await request.form()

    def run(ws: Workspace) -> tuple[str, bool]:
        planned = actions.plan(
            ws,
            ref,
            kind=text(data, "kind"),
            code_name=text(data, "code_name"),
            date=decisions.deadline(ws, text(data, "date").strip() or "three-days"),
            note=text(data, "note"),
            urgent=text(data, "urgent") == "yes",
        )
        return planned.action_id, send_now(ws)

    try:
        action_id, reached = await call_app(request, run)
    except Refusal as refusal:
        return await _page(request, None, refusal.lines)
    return redirect(f"/cell/{ref}/actions/{action_id}?done={'planned' if reached else 'queued'}")


def _deed(what: str, data: FormData) -> Callable[[Workspace, str, str], object] | None:
    """What a POST to ``…/{what}`` does, given the cell and the action's number."""
    when = text(data, "when").strip() or "tomorrow"
    if what == "demand":
        return lambda ws, c, a: actions.add_demand(ws, c, a, text(data, "text"))
    if what == "task":
        return lambda ws, c, a: actions.add_task(
            ws,
            c,
            a,
            title=text(data, "title"),
            assignee=text(data, "assignee"),
            due=decisions.deadline(ws, when),
        )
    if what == "status":
        return lambda ws, c, a: actions.set_task(ws, c, a, text(data, "task"), text(data, "status"))
    if what == "join":
        return lambda ws, c, a: actions.take_part(ws, c, a)
    if what == "review":
        return lambda ws, c, a: actions.review(
            ws, c, a, went_well=text(data, "went_well"), to_change=text(data, "to_change")
        )
    if what == "vote":
        opens = {
            "go": actions.open_go,
            "turnout": actions.open_turnout,
            "priorities": actions.open_priorities,
        }
        role = text(data, "role")
        if role == "dots":
            return lambda ws, c, a: actions.open_priorities(
                ws, c, a, deadline=decisions.deadline(ws, when), dots=True
            )
        if role in opens:
            return lambda ws, c, a: opens[role](ws, c, a, deadline=decisions.deadline(ws, when))
    return None


@unlocked_only
async def act(request: Request) -> Response:
    ref, action_id, what = (request.path_params[k] for k in ("ref", "a", "what"))
    data = await request.form()
    deed = _deed(what, data)
    if deed is None:
        return await _page(request, action_id, [ui_for(request).gettext("Nothing was changed.")])
    do = deed

    def run(ws: Workspace) -> bool:
        found = _find(ws, ref, action_id)
        do(ws, ref, str(found.number))
        return send_now(ws)

    try:
        reached = await call_app(request, run)
    except Refusal as refusal:
        return await _page(request, action_id, refusal.lines)
    return redirect(f"/cell/{ref}/actions/{action_id}?done={'saved' if reached else 'queued'}")


routes = [
    Route("/cell/{ref}/actions", list_page, methods=["GET"]),
    Route("/cell/{ref}/actions", plan, methods=["POST"]),
    Route("/cell/{ref}/actions/{a}", one_page, methods=["GET"]),
    Route("/cell/{ref}/actions/{a}/{what}", act, methods=["POST"]),
]
