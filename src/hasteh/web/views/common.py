"""Small helpers the views share: where a person belongs, redirects, form values."""

from __future__ import annotations

import functools
import os
from collections.abc import Awaitable, Callable

import anyio.to_thread
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hasteh.app.records import EMBEDDED_RELAY_KEY, LANGUAGE_KEY, RELAYS_KEY
from hasteh.vault import Connection, Vault, VaultError
from hasteh.vault.settings import get_setting, set_setting
from hasteh.web.app import WebState, set_session_cookie, web_state
from hasteh.web.appcalls import close_workspace
from hasteh.web.i18n import Ui, normalize_language
from hasteh.web.security import Session, session_of


def redirect(path: str) -> RedirectResponse:
    """POST-redirect-GET (303), always to a local path."""
    assert path.startswith("/") and not path.startswith("//")
    return RedirectResponse(path, status_code=303)


def start_page(state: WebState) -> str:
    """Where a person with a session belongs now."""
    if state.unlocked:
        return "/home"
    return "/unlock" if state.has_profile else "/setup"


def needs_unlocked(request: Request) -> Response | None:
    """A redirect to where the person belongs, unless the profile is unlocked."""
    state = web_state(request)
    return None if state.unlocked else redirect(start_page(state))


Endpoint = Callable[[Request], Awaitable[Response]]


def unlocked_only(view: Endpoint) -> Endpoint:
    """A view for an unlocked profile; anyone else is sent where they belong."""

    @functools.wraps(view)
    async def guarded(request: Request) -> Response:
        if (elsewhere := needs_unlocked(request)) is not None:
            return elsewhere
        return await view(request)

    return guarded


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def error_text(ui: Ui, exc: VaultError) -> list[str]:
    """A vault error in the page's language: its message and its next step."""
    lines = [ui.gettext(type(exc).message)]
    if type(exc).hint:
        lines.append(ui.gettext(type(exc).hint))
    return lines


async def after_unlock(request: Request, vault: Vault) -> Response:
    """Keep the vault, renew the session, agree on the language, start a local relay."""
    state = web_state(request)
    state.vault = vault
    old = session_of(request)
    session = state.sessions.rotate(old)
    if old.language_chosen:
        await anyio.to_thread.run_sync(
            vault.write, lambda conn: set_setting(conn, LANGUAGE_KEY, session.language)
        )
    else:
        stored = await anyio.to_thread.run_sync(
            vault.read, lambda conn: get_setting(conn, LANGUAGE_KEY, str)
        )
        if stored is not None:
            session.language = normalize_language(stored)
    await start_relay_if_needed(state, vault)
    response = redirect("/home")
    set_session_cookie(response, state, session)
    return response


async def start_relay_if_needed(state: WebState, vault: Vault) -> None:
    if state.relay is None:
        return
    relays = await anyio.to_thread.run_sync(
        vault.read, lambda conn: get_setting(conn, RELAYS_KEY, list[str], [])
    )
    key = await anyio.to_thread.run_sync(vault.write, embedded_relay_key)
    if not relays:
        await state.relay.start(key)
    else:
        # Running for the other profile of this folder (unlocked before the lock)? Stop
        # it: this profile does not use it, and it must not outlive that profile's use.
        await state.relay.stop_unless(key)


def embedded_relay_key(conn: Connection) -> bytes:
    """This profile's key for the embedded relay's database, made on first use. It lives
    in the vault, so the relay's files become noise when the vault is shredded."""
    stored = get_setting(conn, EMBEDDED_RELAY_KEY, str)
    if stored is not None and len(stored) == 64:
        return bytes.fromhex(stored)
    key = os.urandom(32)
    set_setting(conn, EMBEDDED_RELAY_KEY, key.hex())
    return key


def lock(state: WebState, session: Session) -> Session:
    """Close the vault and replace the session (the old cookie stops working)."""
    close_workspace(state)
    if state.vault is not None and not state.vault.closed:
        state.vault.close()
    state.vault = None
    return state.sessions.rotate(session)
