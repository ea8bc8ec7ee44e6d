"""Handing a contact to another member in person (`hasteh.app.handover`), with no
JavaScript: the web face of `hasteh contact give|take`.

    POST /contacts/give          ref, keep=yes|no → open a code (one at a time)
    GET  /contacts/give          the code, then the check words, then the result
    POST /contacts/give/cancel   abandon the code (the contact stays on this device)
    POST /contacts/take          code → receive the contact; the check words

The giver's device waits for the receiver: that wait runs in a thread of its own
(`HandoverSession`), outside the workspace's lock, and the page reloads itself with the
HTTP ``Refresh`` header, as the spoken invitation's page does (`views.spoken`). The vault
is touched only under the lock: to read the contact when the code opens, and — for "hand
over", only after the receiver's device said it kept the contact — to delete it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, handover
from hasteh.app.contacts import read_handover
from hasteh.app.invite_code import InviteCodeError
from hasteh.errors import HastehError
from hasteh.i18n import language
from hasteh.web.app import WebState, render, ui_for, web_state
from hasteh.web.appcalls import Refusal, call_app, run_app
from hasteh.web.i18n import Ui
from hasteh.web.next_steps import explain
from hasteh.web.views.common import redirect, text, unlocked_only
from hasteh.web.views.contacts import contacts_page

#: Seconds between reloads of the waiting page.
REFRESH: Final = "3"
#: The receiver's device answered that it did not keep the contact (msgid).
REFUSED: Final = (
    "The member's device did not keep the contact (it may already hold one with this code "
    "name). Nothing was deleted here."
)


@dataclass(eq=False)
class HandoverSession:
    """One contact's code shown by this profile, and how its exchange goes."""

    pending: handover.PendingGive
    ui: Ui
    code_name: str
    keep: bool
    status: str = "waiting"  # waiting | confirmed | done | failed
    check: tuple[str, ...] = ()
    errors: list[str] = field(default_factory=list)
    thread: threading.Thread | None = None

    def close(self) -> None:
        """End the exchange now (cancel, lock, panic): the thread's wait fails, so the
        contact is never deleted by a page nobody can see any more."""
        if self.status in ("waiting", "confirmed"):
            self.status = "failed"
        self.pending.client.close()


@dataclass
class GivePage:
    """Context of `handover.html` (the giver's side)."""

    status: str = field(default="", metadata={"help": "none | waiting | confirmed | done | failed"})
    code: str = field(default="", metadata={"help": "the code to read aloud"})
    expires_at: int = field(default=0, metadata={"help": "when the code stops working"})
    check: tuple[str, ...] = field(default=(), metadata={"help": "the check words"})
    code_name: str = field(default="", metadata={"help": "the contact handed over"})
    keep: bool = field(default=False, metadata={"help": "a copy stays on this device"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})


@dataclass
class TakenPage:
    """Context of `handover_taken.html` (the receiver's side, after the exchange)."""

    code_name: str = field(metadata={"help": "the contact received"})
    check: tuple[str, ...] = field(metadata={"help": "the check words"})


def _session(state: WebState) -> HandoverSession | None:
    found = state.handover
    return found if isinstance(found, HandoverSession) else None


def _exchange(state: WebState, session: HandoverSession) -> None:
    """The thread: wait for the receiver's "kept", then (for "hand over") delete our copy
    under the lock. On any failure nothing is deleted."""

    def confirmed(words: tuple[str, ...]) -> None:
        session.check = words
        session.status = "confirmed"

    pending = session.pending
    try:
        with language(session.ui.language):
            handover.await_taken(pending, lambda: int(time.time()), on_check=confirmed)
        run_app(state, session.ui, lambda ws: handover.finish_give(ws, pending, keep=session.keep))
        session.status = "done"
    except Exception as exc:  # the thread's last word: every failure ends the code
        pending.client.close()
        if isinstance(exc, InviteCodeError) and exc.reason == "refused":
            # The invitation's wording ("could not propose you") would mislead here.
            session.errors = [session.ui.gettext(REFUSED)]
        elif isinstance(exc, HastehError):
            session.errors = explain(session.ui, exc)
        elif isinstance(exc, Refusal):
            session.errors = exc.lines
        else:  # a closed client (the code was cancelled) or a bug: say it plainly
            session.errors = [session.ui.gettext("This spoken code has expired.")]
        session.status = "failed"


@unlocked_only
async def give_page(request: Request) -> Response:
    session = _session(web_state(request))
    if session is None:
        return redirect("/contacts")
    page = GivePage(
        session.status,
        session.pending.text(session.ui.language),
        session.pending.expires_at,
        session.check,
        session.code_name,
        session.keep,
        list(session.errors),
    )
    headers = {"Refresh": REFRESH} if session.status in ("waiting", "confirmed") else {}
    return render(request, "handover.html", page, headers=headers)


@unlocked_only
async def give(request: Request) -> Response:
    state = web_state(request)
    data = await request.form()
    ref, keep = text(data, "ref"), text(data, "keep") == "yes"
    running = _session(state)
    if running is not None and running.status in ("waiting", "confirmed"):
        return redirect("/contacts/give")

    try:
        pending = await call_app(request, lambda ws: handover.open_give(ws, ref))
    except Refusal as refusal:
        return await contacts_page(request, refusal.lines, error_form="give")
    name = read_handover(pending.record).code_name
    session = HandoverSession(pending, ui_for(request), name, keep)
    state.handover = session
    session.thread = threading.Thread(target=_exchange, args=(state, session), daemon=True)
    session.thread.start()
    return redirect("/contacts/give")


@unlocked_only
async def cancel(request: Request) -> Response:
    state = web_state(request)
    session = _session(state)
    state.handover = None
    if session is not None:
        session.close()  # ends the thread's wait; nothing is deleted
    return redirect("/contacts")


@unlocked_only
async def take(request: Request) -> Response:
    data = await request.form()
    typed = text(data, "code")
    check: list[tuple[str, ...]] = []

    def run(ws: Workspace) -> TakenPage:
        kept = handover.take_contact(ws, typed, on_check=check.append)
        return TakenPage(kept.code_name, check[0] if check else ())

    try:
        page = await call_app(request, run)
    except Refusal as refusal:
        return await contacts_page(request, refusal.lines, take_code=typed, error_form="take")
    return render(request, "handover_taken.html", page)


routes = [
    Route("/contacts/give", give_page, methods=["GET"]),
    Route("/contacts/give", give, methods=["POST"]),
    Route("/contacts/give/cancel", cancel, methods=["POST"]),
    Route("/contacts/take", take, methods=["POST"]),
]
