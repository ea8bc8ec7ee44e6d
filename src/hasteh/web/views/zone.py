"""Settings → Time: the zone this profile reads and shows deadlines in (Tehran unless the
person says otherwise; Tails runs in UTC, so a deadline typed there would otherwise be
read three and a half hours off).

    GET/POST /settings/time      zone: "Asia/Tehran", "UTC", or another IANA name typed
"""

from __future__ import annotations

from dataclasses import dataclass, field

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import records
from hasteh.jalali import TimeInputError, zone_named
from hasteh.web.app import render, ui_for, web_state
from hasteh.web.next_steps import explain
from hasteh.web.views.common import redirect, text, unlocked_only

#: The zones offered by name (msgids of their labels); any other is typed.
OFFERED = (("Asia/Tehran", "Iran (Tehran time)"), ("UTC", "UTC (Tails uses it)"))


@dataclass
class ZonePage:
    """Context of `settings_time.html`."""

    zone: str = field(metadata={"help": "the zone's name, as stored or as typed"})
    offered: tuple[tuple[str, str], ...] = field(
        default=OFFERED, metadata={"help": "zones offered by name: (name, label msgid)"}
    )
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})
    saved: bool = field(default=False, metadata={"help": "the zone was just saved"})


@unlocked_only
async def time_settings(request: Request) -> Response:
    state = web_state(request)
    assert state.vault is not None
    vault = state.vault
    ui = ui_for(request)
    if request.method == "GET":
        name = await anyio.to_thread.run_sync(vault.read, records.time_zone_name)
        page = ZonePage(zone=name, saved=request.query_params.get("saved") == "1")
        return render(request, "settings_time.html", page)
    form = await request.form()
    choice = text(form, "zone")
    name = (text(form, "other").strip() if choice == "other" else choice).strip()
    try:
        zone = zone_named(name)
    except TimeInputError as exc:
        page = ZonePage(zone=name[:64], errors=explain(ui, exc))
        return render(request, "settings_time.html", page, status_code=400)
    await anyio.to_thread.run_sync(vault.write, lambda conn: records.set_time_zone(conn, name))
    state.zone = zone
    return redirect("/settings/time?saved=1")


routes = [Route("/settings/time", time_settings, methods=["GET", "POST"])]
