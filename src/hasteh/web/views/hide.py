"""Hide: one link on every page that locks the profile and leaves a neutral page.

    GET /hide

For the moment someone walks up to the screen: the tab then shows a plain "Notes" page
that does not name the app, and the profile is locked (the old session cookie stops
working; a new one, in the same language, is set). It is a link, not a form, so it is
one press; a GET from another site cannot use it, because the session cookie is
SameSite=Strict and the guard answers a request without a session with its own page.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.web.app import render, set_session_cookie, web_state
from hasteh.web.security import session_of
from hasteh.web.views.common import lock


async def hide(request: Request) -> Response:
    state = web_state(request)
    session = session_of(request)
    if state.unlocked:
        session = lock(state, session)
        request.scope["state"]["session"] = session
    response = render(request, "hidden.html", None)
    set_session_cookie(response, state, session)
    return response


routes = [Route("/hide", hide, methods=["GET"])]
