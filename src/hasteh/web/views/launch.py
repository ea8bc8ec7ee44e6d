"""The way in: `/launch` trades the single-use launch token for a session; `/` sends a
person with a session to where they belong.

    POST /launch   token=…   from the private launch page `hasteh up` opens (no token in
                             the browser's command line or history)
    GET  /launch?token=…     the printed link, for a browser opened by hand

A redeemed POST answers with a page that moves on by itself (a meta refresh: a
same-origin navigation, on which the browser sends the SameSite=Strict session cookie);
a redeemed GET redirects. Once the token is redeemed, `on_launch` runs (`hasteh up`
deletes the launch page). A used or wrong token in a browser that already holds a live
session leads home rather than to a dead end; without a session it gets the neutral
"closed" page.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from hasteh.i18n import DEFAULT_LANGUAGE
from hasteh.web.app import render_template, set_session_cookie, web_state
from hasteh.web.i18n import Ui
from hasteh.web.security import Session
from hasteh.web.views.common import redirect, start_page, text


async def launch(request: Request) -> Response:
    state = web_state(request)
    if state.spent:
        return HTMLResponse(render_template("gone.html", Ui(DEFAULT_LANGUAGE)), status_code=403)
    if request.method == "POST":
        token = text(await request.form(), "token")
    else:
        token = request.query_params.get("token", "")
    live = request.scope.get("state", {}).get("session")
    if not state.launch.redeem(token):
        if isinstance(live, Session):
            return redirect(start_page(state))  # a reused link in a browser already in
        html = render_template("closed.html", Ui(DEFAULT_LANGUAGE), reason="launch", status=403)
        return HTMLResponse(html, status_code=403)
    if state.on_launch is not None:
        state.on_launch()
    if isinstance(live, Session):
        state.sessions.end(live)
    session = state.sessions.start(DEFAULT_LANGUAGE)
    response: Response
    if request.method == "POST":
        # The POST came from a local file (a cross-site navigation): a redirect would
        # stay cross-site and the browser would withhold the Strict cookie on it.
        target = start_page(state)
        html = render_template("launched.html", Ui(DEFAULT_LANGUAGE), target=target)
        response = HTMLResponse(html)
    else:
        response = redirect(start_page(state))  # drops the token from the address bar
    set_session_cookie(response, state, session)
    return response


async def index(request: Request) -> Response:
    return redirect(start_page(web_state(request)))


routes = [
    Route("/launch", launch, methods=["GET", "POST"]),
    Route("/", index, methods=["GET"]),
]
