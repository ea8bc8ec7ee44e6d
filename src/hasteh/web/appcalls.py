"""The web face's one door to `hasteh.app`: one `Workspace` per unlocked vault, one call
at a time, in the person's language.

    page = await call_app(request, lambda ws: build(ws, ref))   # raises Refusal

`call_app` runs the function in a worker thread, holding `APP_LOCK` (the workspace and its
loaded cells are not shared between threads: one writer, STYLE.md "hasteh" 15) and with
`hasteh.i18n.language(...)` set to the session's language, so the app's own messages
(alarms, safety words) come back in the language of the page. Every deliberate hasteh
error becomes a `Refusal` carrying translated lines: what happened, then what to do next
on this web face, both chosen by the error's code (`hasteh.web.next_steps`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
from starlette.requests import Request

from hasteh.app import Workspace
from hasteh.app.records import default_relays
from hasteh.errors import HastehError
from hasteh.i18n import language
from hasteh.transport.reach import Reach
from hasteh.web.app import WebState, ui_for, web_state
from hasteh.web.i18n import Ui
from hasteh.web.next_steps import explain

T = TypeVar("T")

#: Held while a workspace is in use (the web face's single writer).
APP_LOCK = threading.Lock()


class Refusal(Exception):
    """An app call refused: `lines` are translated (message, then the next step)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(" ".join(lines))
        self.lines = lines


def workspace_of(state: WebState) -> Workspace:
    """The workspace of the open vault (made on first use; caller holds `APP_LOCK`)."""
    assert state.vault is not None and not state.vault.closed
    ws = state.workspace
    if ws is None or ws.vault is not state.vault:
        ws = Workspace(state.vault, proxy_source=Reach(state.vault, state.tor).proxy)
        state.workspace = ws
    return ws


def run_app(state: WebState, ui: Ui, fn: Callable[[Workspace], T]) -> T:
    """`fn(workspace)` under the lock and in `ui`'s language (in the calling thread)."""
    with APP_LOCK, language(ui.language):
        ws = workspace_of(state)
        try:
            return fn(ws)
        except HastehError as exc:
            ws.forget_cache()  # memory never runs ahead of the vault
            raise Refusal(explain(ui, exc)) from None


async def call_app(request: Request, fn: Callable[[Workspace], T]) -> T:
    """`run_app` in a worker thread; raises `Refusal` with translated lines."""
    state = web_state(request)
    ui = ui_for(request)
    return await anyio.to_thread.run_sync(lambda: run_app(state, ui, fn))


def new_group_relays(state: WebState, ws: Workspace) -> list[str] | None:
    """Relays for a new cell or card: the profile's (Settings), else the relay running on
    this computer (`hasteh up`), else None (the app then says NoRelay)."""
    configured = ws.vault.read(default_relays)
    if configured:
        return list(configured)
    if state.relay is not None and state.relay.url is not None:
        return [state.relay.url]
    return None


def close_workspace(state: WebState) -> None:
    """Close the workspace and its vault (lock, panic)."""
    with APP_LOCK:
        ws, state.workspace = state.workspace, None
        state.exported = None
        state.cell_memos.clear()
        state.spoken = None
        if state.handover is not None:  # `views.handover.HandoverSession`: end its wait
            state.handover.close()
        state.handover = None
        if ws is not None and not ws.vault.closed:
            ws.close()
