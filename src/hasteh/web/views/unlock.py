"""Unlock (passphrase → the profile opens) and lock (the profile closes, session renewed)."""

from __future__ import annotations

from dataclasses import dataclass, field

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh import vault
from hasteh.web.app import render, set_session_cookie, ui_for, web_state
from hasteh.web.security import session_of
from hasteh.web.views.common import after_unlock, error_text, lock, redirect, start_page, text


@dataclass
class UnlockPage:
    """Context of `unlock.html`."""

    errors: list[str] = field(
        default_factory=list, metadata={"help": "messages shown above the form, translated"}
    )
    locked_now: bool = field(
        default=False, metadata={"help": "the profile was just locked (say so)"}
    )


async def unlock(request: Request) -> Response:
    state = web_state(request)
    if state.unlocked or not state.has_profile:
        return redirect(start_page(state))
    page = UnlockPage(locked_now=request.query_params.get("locked") == "1")
    if request.method == "GET":
        return render(request, "unlock.html", page)
    form = await request.form()
    passphrase = text(form, "passphrase")
    try:
        opened = await anyio.to_thread.run_sync(
            lambda: vault.unlock(state.home, passphrase, min_kdf=state.min_kdf)
        )
    except vault.VaultError as exc:
        page.errors.extend(error_text(ui_for(request), exc))
        return render(request, "unlock.html", page, status_code=400)
    return await after_unlock(request, opened)


async def lock_view(request: Request) -> Response:
    state = web_state(request)
    session = await anyio.to_thread.run_sync(lambda: lock(state, session_of(request)))
    response = redirect("/unlock?locked=1" if state.has_profile else start_page(state))
    set_session_cookie(response, state, session)
    return response


routes = [
    Route("/unlock", unlock, methods=["GET", "POST"]),
    Route("/lock", lock_view, methods=["POST"]),
]
