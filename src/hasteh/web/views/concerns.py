"""When something is wrong, from the cell's page: raise an alarm by hand, review a
seizure report. (Objecting to a newcomer is the newcomers form, `views.cell.answer`.)

    POST /cell/{ref}/alarm     kind, member (optional), note
    POST /cell/{ref}/review    member, verdict (upheld | not-upheld), note

Like every form: CSRF (the guard), a redirect with a notice on success, or the cell page
again with status 400 and the translated reason above the form it came from.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, removal
from hasteh.web.app import ui_for
from hasteh.web.appcalls import Refusal, call_app
from hasteh.web.views.cell import show_cell
from hasteh.web.views.common import done, send_now, text, unlocked_only

__all__ = ["routes"]


@unlocked_only
async def raise_alarm(request: Request) -> Response:
    """Every member sees the alarm in red at the top of the cell."""
    ref = request.path_params["ref"]
    data = await request.form()
    kind, member, note = text(data, "kind"), text(data, "member"), text(data, "note")

    def run(ws: Workspace) -> bool:
        removal.raise_alarm(ws, ref, kind, member=member, note=note)
        return send_now(ws)

    try:
        reached = await call_app(request, run)
    except Refusal as refusal:
        return await show_cell(request, ref, errors=refusal.lines, error_form="alarm", status=400)
    return done(ref, "alarm" if reached else "queued", "safety")


@unlocked_only
async def review_seizure(request: Request) -> Response:
    """Uphold a seizure report, or not (then every member sees an alarm naming who
    reported it)."""
    ref = request.path_params["ref"]
    ui = ui_for(request)
    data = await request.form()
    member, verdict, note = text(data, "member"), text(data, "verdict"), text(data, "note")
    if verdict not in ("upheld", "not-upheld"):
        lines = [
            ui.gettext("Say whether the report was true or not."),
            ui.gettext("Nothing was changed."),
        ]
        return await show_cell(request, ref, errors=lines, error_form="seizures", status=400)

    def run(ws: Workspace) -> bool:
        removal.review_seizure(ws, ref, member, upheld=verdict == "upheld", note=note)
        return send_now(ws)

    try:
        reached = await call_app(request, run)
    except Refusal as refusal:
        return await show_cell(
            request, ref, errors=refusal.lines, error_form="seizures", status=400
        )
    return done(ref, "reviewed" if reached else "queued", "members")


routes = [
    Route("/cell/{ref}/alarm", raise_alarm, methods=["POST"]),
    Route("/cell/{ref}/review", review_seizure, methods=["POST"]),
]
