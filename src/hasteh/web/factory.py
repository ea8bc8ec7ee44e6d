"""The web face's app factory: the routes of every view, the guard, the static files.

    app = create_web(home, launch_token=token, port=port)

Its own module, above the views, so that the views import the state they share
(`web.app`) without the factory importing them back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from hasteh.i18n import DEFAULT_LANGUAGE
from hasteh.vault import DEFAULT_KDF, MIN_KDF, KdfParams
from hasteh.web.app import STATIC, EmbeddedRelay, WebState, render_template
from hasteh.web.background import Pace, lifespan
from hasteh.web.i18n import Ui
from hasteh.web.security import Guard, LaunchToken, Origin, Scope
from hasteh.web.views import all_routes

if TYPE_CHECKING:
    from hasteh.tor.runtime import SharedTor
    from hasteh.transport.courier import KdfCost

__all__ = ["create_web"]


def create_web(
    home: Path,
    *,
    launch_token: str,
    port: int,
    kdf: KdfParams = DEFAULT_KDF,
    min_kdf: KdfParams = MIN_KDF,
    relay: EmbeddedRelay | None = None,
    on_panic: Callable[[], None] | None = None,
    on_launch: Callable[[], None] | None = None,
    today: Callable[[], dt.date] = dt.date.today,
    courier_cost: KdfCost | None = None,
    tor: SharedTor | None = None,
    background: Pace | None = None,
) -> Starlette:
    """The local web app for the profile in `home`, answering on 127.0.0.1:`port`.

    `launch_token` is redeemed once at `/launch` for a session; `on_launch` then runs.
    `kdf`/`min_kdf` are the vault's Argon2id parameters (tests pass small ones, as in
    docs/vault.md).
    `relay` is started after an unlock when the profile lists no relay; `on_panic` runs
    after a panic has destroyed the profile (`hasteh up` stops the server there).
    `courier_cost` is the Argon2id cost of courier bundle codes (tests pass a small one).
    `tor` is hasteh's own tor for this process (`hasteh up`; `transport.reach`).
    `background` runs the background sync at that pace while unlocked (`hasteh up`).
    """
    state = WebState(
        home=home,
        origin=Origin(port),
        launch=LaunchToken(launch_token),
        kdf=kdf,
        min_kdf=min_kdf,
        relay=relay,
        on_panic=on_panic,
        on_launch=on_launch,
        today=today,
        courier_cost=courier_cost,
        tor=tor,
    )
    routes: Sequence[BaseRoute] = [
        *all_routes(),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=list(routes), lifespan=lifespan(background))
    app.state.web = state
    app.add_middleware(_GuardFactory, state=state)
    return app


def _refusal(state: WebState) -> Callable[[Scope, int, str], Awaitable[tuple[bytes, str]]]:
    async def refuse(scope: Scope, status: int, reason: str) -> tuple[bytes, str]:
        if state.spent:
            html = render_template("gone.html", Ui(DEFAULT_LANGUAGE))
        else:
            html = render_template(
                "closed.html", Ui(DEFAULT_LANGUAGE), reason=reason, status=status
            )
        return html.encode("utf-8"), "text/html; charset=utf-8"

    return refuse


class _GuardFactory(Guard):
    """`Guard` built from a `WebState` (Starlette instantiates middleware itself)."""

    def __init__(self, app: Any, *, state: WebState) -> None:
        super().__init__(app, origin=state.origin, sessions=state.sessions, refuse=_refusal(state))
