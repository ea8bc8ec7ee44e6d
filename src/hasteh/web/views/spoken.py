"""Invitations by a spoken code (`hasteh.app.spoken`), with no JavaScript.

    GET  /join/code             the newcomer's code, then the check words, then the cell
    POST /join/code             cover_name, minutes → open a code (one at a time)
    POST /join/code/cancel      abandon the code (its card is deleted)
    POST /cell/{ref}/propose-code   code → the member proposes the newcomer; check words

The newcomer's device waits for the member for minutes: that wait runs in a thread of
its own (`SpokenSession`), outside the workspace's lock, and the page reloads itself with
the HTTP ``Refresh`` header (no script) until the exchange is over. The vault is touched
only under the lock (`run_app`): to open the code, and to bind or delete its card.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, spoken
from hasteh.errors import HastehError
from hasteh.i18n import language, whole_number
from hasteh.web.app import WebState, render, ui_for, web_state
from hasteh.web.appcalls import Refusal, call_app, run_app
from hasteh.web.i18n import Ui
from hasteh.web.next_steps import explain
from hasteh.web.views.cell import show_cell
from hasteh.web.views.common import redirect, text, unlocked_only

#: Seconds between reloads of the waiting page.
REFRESH: Final = "3"


@dataclass(eq=False)
class SpokenSession:
    """One code shown by this profile, and how its exchange goes (set by its thread)."""

    pending: spoken.PendingOffer
    ui: Ui
    status: str = "waiting"  # waiting | confirmed | done | failed
    check: tuple[str, ...] = ()
    result: spoken.Offer | None = None
    errors: list[str] = field(default_factory=list)
    thread: threading.Thread | None = None


@dataclass
class SpokenPage:
    """Context of `spoken.html` (the newcomer's side)."""

    status: str = field(default="", metadata={"help": "none | waiting | confirmed | done | failed"})
    code: str = field(default="", metadata={"help": "the code to read aloud"})
    expires_at: int = field(default=0, metadata={"help": "when the code stops working"})
    check: tuple[str, ...] = field(default=(), metadata={"help": "the check words"})
    cell: str = field(default="", metadata={"help": "the cell the member proposed us to"})
    proposer: str = field(default="", metadata={"help": "who typed the code"})
    retired: int = field(default=0, metadata={"help": "earlier cards retired"})
    cover_name: str = field(default="", metadata={"help": "the form's cover name, as typed"})
    minutes: str = field(default="10", metadata={"help": "the form's minutes, as typed"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})
    error_form: str = field(default="", metadata={"help": "which form the errors belong to"})


@dataclass
class TakenPage:
    """Context of `spoken_taken.html` (the member's side, after the exchange)."""

    href: str = field(metadata={"help": "the cell's page"})
    cell: str = field(metadata={"help": "the cell's name"})
    newcomer: str = field(metadata={"help": "the newcomer's cover name"})
    check: tuple[str, ...] = field(metadata={"help": "the check words"})
    alliance: bool = field(default=False, metadata={"help": "proposed in an alliance"})


def _session(state: WebState) -> SpokenSession | None:
    found = state.spoken
    return found if isinstance(found, SpokenSession) else None


def _exchange(state: WebState, session: SpokenSession) -> None:
    """The thread: wait for the member, then bind (or delete) the card under the lock."""

    def confirmed(words: tuple[str, ...]) -> None:
        session.check = words
        session.status = "confirmed"

    try:
        with language(session.ui.language):
            answer = spoken.await_answer(
                session.pending, lambda: int(time.time()), on_check=confirmed
            )
        session.result = run_app(
            state, session.ui, lambda ws: spoken.bind_offer(ws, session.pending, answer)
        )
        session.status = "done"
    except Exception as exc:  # the thread's last word: every failure ends the code
        if isinstance(exc, HastehError):
            session.errors = explain(session.ui, exc)
        elif isinstance(exc, Refusal):
            session.errors = exc.lines
        else:  # a closed client (the code was cancelled) or a bug: say it plainly
            session.errors = [session.ui.gettext("This spoken code has expired.")]
        session.status = "failed"
        if state.unlocked:
            try:
                run_app(state, session.ui, lambda ws: spoken.cancel_offer(ws, session.pending))
            except (Refusal, AssertionError):
                pass


async def show(request: Request, page: SpokenPage | None = None, status: int = 200) -> Response:
    session = _session(web_state(request))
    page = page or SpokenPage()
    headers: dict[str, str] = {}
    if session is not None and not page.errors:
        page.status = session.status
        page.code = session.pending.text(session.ui.language)
        page.expires_at = session.pending.expires_at
        page.check = session.check
        page.errors = list(session.errors)
        if session.result is not None:
            page.cell, page.proposer = session.result.cell, session.result.proposer
            page.retired = session.result.retired_cards
        if session.status in ("waiting", "confirmed"):
            headers["Refresh"] = REFRESH
    return render(request, "spoken.html", page, status_code=status, headers=headers)


@unlocked_only
async def code_page(request: Request) -> Response:
    return await show(request)


@unlocked_only
async def open_code(request: Request) -> Response:
    state = web_state(request)
    ui = ui_for(request)
    data = await request.form()
    cover_name, minutes_text = text(data, "cover_name"), text(data, "minutes")
    minutes = whole_number(minutes_text.strip() or "10", max_digits=2)
    running = _session(state)
    if running is not None and running.status in ("waiting", "confirmed"):
        return redirect("/join/code")
    if minutes is None:
        minutes = 0  # refused by the app with its own message
    try:
        pending = await call_app(
            request, lambda ws: spoken.open_offer(ws, cover_name, minutes=minutes)
        )
    except Refusal as refusal:
        page = SpokenPage(
            cover_name=cover_name, minutes=minutes_text, errors=refusal.lines, error_form="code"
        )
        return await show(request, page, status=400)
    session = SpokenSession(pending, ui)
    state.spoken = session
    session.thread = threading.Thread(target=_exchange, args=(state, session), daemon=True)
    session.thread.start()
    return redirect("/join/code")


@unlocked_only
async def cancel_code(request: Request) -> Response:
    state = web_state(request)
    session = _session(state)
    state.spoken = None
    if session is not None and session.status in ("waiting", "confirmed"):
        # The card goes now; closing the client ends the thread's wait.
        session.status = "failed"
        try:
            await call_app(request, lambda ws: spoken.cancel_offer(ws, session.pending))
        except Refusal:
            pass
    return redirect("/join/code")


@unlocked_only
async def propose_code(request: Request) -> Response:
    ref = request.path_params["ref"]
    data = await request.form()
    typed = text(data, "code")

    def run(ws: Workspace) -> TakenPage:
        taken = spoken.take(ws, ref, typed)
        from hasteh.app.cells import find_cell

        rt = find_cell(ws, ref)
        return TakenPage(f"/cell/{rt.group_id.hex()}", rt.name, taken.view.cover_name, taken.check)

    try:
        page = await call_app(request, run)
    except Refusal as refusal:
        return await show_cell(
            request, ref, errors=refusal.lines, error_form="propose-code", status=400
        )
    return render(request, "spoken_taken.html", page)


@unlocked_only
async def propose_code_in_alliance(request: Request) -> Response:
    """A delegate types another cell's delegate's spoken code: the cell is proposed in
    the alliance under its pseudonym (`spoken.take_for_alliance`)."""
    from hasteh.web.views.alliances import alliance_page

    ref = request.path_params["ref"]
    data = await request.form()
    typed = text(data, "code")

    def run(ws: Workspace) -> TakenPage:
        from hasteh.app.alliances import find_alliance

        pseudonym, check = spoken.take_for_alliance(ws, ref, typed)
        rt = find_alliance(ws, ref)
        return TakenPage(f"/alliance/{rt.group_id.hex()[:8]}", rt.name, pseudonym, check, True)

    try:
        page = await call_app(request, run)
    except Refusal as refusal:
        return await alliance_page(request, refusal.lines)
    return render(request, "spoken_taken.html", page)


routes = [
    Route("/alliance/{ref}/propose-code", propose_code_in_alliance, methods=["POST"]),
    Route("/join/code", code_page, methods=["GET"]),
    Route("/join/code", open_code, methods=["POST"]),
    Route("/join/code/cancel", cancel_code, methods=["POST"]),
    Route("/cell/{ref}/propose-code", propose_code, methods=["POST"]),
]
