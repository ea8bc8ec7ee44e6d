"""The way in: `/launch?token=…` trades the single-use launch token for a session; `/`
sends a person with a session to where they belong."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from hasteh.i18n import DEFAULT_LANGUAGE
from hasteh.web.app import render_template, set_session_cookie, web_state
from hasteh.web.i18n import Ui
from hasteh.web.views.common import redirect, start_page


async def launch(request: Request) -> Response:
    state = web_state(request)
    if state.spent:
        return HTMLResponse(render_template("gone.html", Ui(DEFAULT_LANGUAGE)), status_code=403)
    if not state.launch.redeem(request.query_params.get("token")):
        html = render_template("closed.html", Ui(DEFAULT_LANGUAGE), reason="launch", status=403)
        return HTMLResponse(html, status_code=403)
    session = state.sessions.start(DEFAULT_LANGUAGE)
    response = redirect(start_page(state))  # drops the token from the address bar
    set_session_cookie(response, state, session)
    return response


async def index(request: Request) -> Response:
    return redirect(start_page(web_state(request)))


routes = [
    Route("/launch", launch, methods=["GET"]),
    Route("/", index, methods=["GET"]),
]
