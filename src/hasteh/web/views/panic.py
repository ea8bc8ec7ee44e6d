"""Panic: a confirmation page, then the profile is destroyed and every session ends.

After the POST the browser gets a neutral page that does not name the app, the cookie
is expired and `Clear-Site-Data` asks the browser to drop this origin's cache, cookies
and storage. The embedded relay (if any) is stopped and its files removed; `on_panic`
lets `hasteh up` stop the server.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from hasteh import vault
from hasteh.i18n import DEFAULT_LANGUAGE
from hasteh.web.app import WebState, render, render_template, ui_for, web_state
from hasteh.web.i18n import Ui
from hasteh.web.views.common import error_text, text


@dataclass
class PanicPage:
    """Context of `panic.html` (the confirmation step)."""

    errors: list[str] = field(
        default_factory=list, metadata={"help": "why the profile could not be destroyed"}
    )


def destroy(state: WebState) -> None:
    """Shred the profile first (fastest), then close what was open."""
    vault.panic(state.home)
    state.spent = True
    state.launch.burn()
    state.sessions.end_all()
    state.exported = None
    state.cell_memos.clear()
    if state.workspace is not None:
        with contextlib.suppress(Exception):
            state.workspace.close()
        state.workspace = None
    if state.vault is not None:
        with contextlib.suppress(Exception):
            state.vault.close()
        state.vault = None


async def panic(request: Request) -> Response:
    state = web_state(request)
    if request.method == "GET":
        return render(request, "panic.html", PanicPage())
    form = await request.form()
    if text(form, "confirm") != "yes":
        return render(request, "panic.html", PanicPage(), status_code=400)
    language = ui_for(request).language
    if state.tor is not None:
        # Stop hasteh's tor first: it must not write into `<home>/tor` while it is shredded.
        with contextlib.suppress(Exception):
            await anyio.to_thread.run_sync(state.tor.stop)
    try:
        await anyio.to_thread.run_sync(lambda: destroy(state))
    except vault.VaultError as exc:
        page = PanicPage(errors=error_text(ui_for(request), exc))
        return render(request, "panic.html", page, status_code=500)
    if state.relay is not None:
        with contextlib.suppress(Exception):
            await state.relay.destroy()
    with contextlib.suppress(OSError):
        state.home.rmdir()  # only if nothing else was left in it
    html = render_template("gone.html", Ui(language or DEFAULT_LANGUAGE))
    response = HTMLResponse(html)
    response.headers.append("set-cookie", state.origin.expired_cookie())
    response.headers["clear-site-data"] = '"cache", "cookies", "storage"'
    if state.on_panic is not None:
        state.on_panic()
    return response


routes = [Route("/panic", panic, methods=["GET", "POST"])]
