"""The transport ladder, and a cell's relays.

    GET  /reach                     the ladder as last seen (no network), "Check now"
    POST /reach                     probe every relay now, then show the ladder
    GET  /cell/{ref}/relays         the cell's relays, when each answered; change the list
                                    (a decision); the in-country relay opt-in
    POST /cell/{ref}/relays         propose a new list (a consent decision of the cell)
    POST /cell/{ref}/local-relay    opt into (with the warning ticked) or out of a local relay

A thin face over `hasteh.app.reach`. Probing is a POST: it contacts every relay.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, cells, decisions, reach
from hasteh.app.relay_status import contacts, is_down
from hasteh.web.app import render, ui_for
from hasteh.web.appcalls import Refusal, call_app
from hasteh.web.views.common import (
    DEFAULT_DEADLINE_CHOICE,
    NOTICES,
    deadline_input,
    deadline_text,
    done,
    send_now,
    text,
    unlocked_only,
)

#: How a rung's state is named on the page (msgids).
STATES = {
    reach.WORKS: "works now",
    reach.FAILS: "does not work now",
    reach.NOT_SET_UP: "not set up",
    reach.OFF: "off",
    reach.NONE: "not used",
    reach.READY: "always possible",
}


@dataclass
class ReachPage:
    """Context of `reach.html`."""

    ladder: reach.Ladder = field(metadata={"help": "the rungs, top first, and what to do now"})
    probed: bool = field(metadata={"help": "relays were asked just now (else: as last seen)"})
    states: dict[str, str] = field(
        default_factory=lambda: dict(STATES), metadata={"help": "rung state → its name (msgid)"}
    )
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})


@dataclass
class RelaysPage:
    """Context of `relays.html`."""

    cell: cells.CellSummary = field(metadata={"help": "the cell"})
    href: str = field(metadata={"help": "local path of the cell's page"})
    relays: list[reach.RelayRow] = field(metadata={"help": "its relays, the ordering one first"})
    warning: str = field(metadata={"help": "the in-country relay warning (msgid)"})
    proposed: str = field(default="", metadata={"help": "the new list as typed"})
    local: str = field(default="", metadata={"help": "the local relay address as typed"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})
    error_form: str = field(default="", metadata={"help": "which form the errors belong to"})
    notice: str = field(default="", metadata={"help": "what just happened, translated"})
    deadline: str = field(default="", metadata={"help": "the deadline date typed, if any"})
    deadline_choice: str = field(
        default=DEFAULT_DEADLINE_CHOICE, metadata={"help": "the deadline choice pressed"}
    )


def _as_seen(ws: Workspace) -> reach.Probe:
    """A probe that contacts nobody: the last contact this device had with each relay."""
    known = ws.vault.read(contacts)
    return lambda url: url in known and not is_down(known[url])


async def _show_reach(request: Request, *, probe: bool) -> Response:
    def run(ws: Workspace) -> reach.Ladder:
        return reach.ladder(ws) if probe else reach.ladder(ws, probe=_as_seen(ws))

    page = ReachPage(await call_app(request, run), probe)
    return render(request, "reach.html", page)


@unlocked_only
async def reach_page(request: Request) -> Response:
    return await _show_reach(request, probe=False)


@unlocked_only
async def reach_check(request: Request) -> Response:
    await request.form()  # the CSRF guard has read it
    return await _show_reach(request, probe=True)


async def _show_relays(
    request: Request,
    ref: str,
    *,
    errors: list[str] | None = None,
    error_form: str = "",
    proposed: str = "",
    local: str = "",
    deadline: tuple[str, str] = (DEFAULT_DEADLINE_CHOICE, ""),
) -> Response:
    def run(ws: Workspace) -> RelaysPage:
        rt = cells.find_cell(ws, ref)
        summary = cells.summary(rt)
        return RelaysPage(
            cell=summary,
            href=f"/cell/{summary.cell_id}",
            relays=reach.relay_rows(ws, summary.cell_id),
            warning=reach.LOCAL_WARNING,
        )

    page = await call_app(request, run)
    page.errors, page.error_form = errors or [], error_form
    page.proposed = proposed or "\n".join(r.url for r in page.relays if not r.local)
    page.local = local
    page.deadline_choice, page.deadline = deadline
    done_ = request.query_params.get("done", "")
    page.notice = ui_for(request).gettext(NOTICES[done_]) if done_ in NOTICES else ""
    return render(request, "relays.html", page, status_code=400 if errors else 200)


@unlocked_only
async def relays_page(request: Request) -> Response:
    return await _show_relays(request, request.path_params["ref"])


@unlocked_only
async def propose_relays(request: Request) -> Response:
    ref = request.path_params["ref"]
    data = await request.form()
    typed = text(data, "relays")
    deadline = deadline_text(data)

    def run(ws: Workspace) -> bool:
        decisions.change_settings(
            ws,
            ref,
            deadline=decisions.deadline(ws, deadline_input(*deadline)),
            relays=typed.splitlines(),
        )
        return send_now(ws)

    try:
        reached = await call_app(request, run)
    except Refusal as refusal:
        return await _show_relays(
            request,
            ref,
            errors=refusal.lines,
            error_form="relays",
            proposed=typed,
            deadline=deadline,
        )
    return done(ref, "settings" if reached else "queued", "decisions")


@unlocked_only
async def local_relay(request: Request) -> Response:
    ref = request.path_params["ref"]
    data = await request.form()
    url = text(data, "url")
    turn_off = text(data, "action") == "off"
    understood = text(data, "understood") == "yes"

    def run(ws: Workspace) -> None:
        if turn_off:
            reach.opt_out_local(ws, ref, url)
        else:
            reach.opt_in_local(ws, ref, url, understood=understood)
            send_now(ws)

    try:
        await call_app(request, run)
    except Refusal as refusal:
        return await _show_relays(request, ref, errors=refusal.lines, error_form="local", local=url)
    return done(ref, "local-off" if turn_off else "local-on", "relays")


routes = [
    Route("/reach", reach_page, methods=["GET"]),
    Route("/reach", reach_check, methods=["POST"]),
    Route("/cell/{ref}/relays", relays_page, methods=["GET"]),
    Route("/cell/{ref}/relays", propose_relays, methods=["POST"]),
    Route("/cell/{ref}/local-relay", local_relay, methods=["POST"]),
]
