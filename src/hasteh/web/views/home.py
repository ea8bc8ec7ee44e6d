"""Home: my cells (an empty list until `hasteh.app` lands), today's date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.web.app import render, web_state
from hasteh.web.views.common import needs_unlocked


@dataclass(frozen=True, slots=True)
class CellSummary:
    """One row of "my cells"."""

    name: str = field(metadata={"help": "the cell's name as this member calls it"})
    href: str = field(metadata={"help": "local path of the cell's page"})
    members: int = field(metadata={"help": "how many members the cell has"})


@dataclass
class HomePage:
    """Context of `home.html`."""

    today: dt.date = field(metadata={"help": "today's date (shown Jalali in Persian)"})
    cells: list[CellSummary] = field(
        default_factory=list, metadata={"help": "the cells of this profile, by name"}
    )
    relay_url: str | None = field(
        default=None, metadata={"help": "the relay running on this computer, if any"}
    )


async def home(request: Request) -> Response:
    if (elsewhere := needs_unlocked(request)) is not None:
        return elsewhere
    state = web_state(request)
    page = HomePage(
        today=state.today(),
        relay_url=state.relay.url if state.relay is not None else None,
    )
    return render(request, "home.html", page)


routes = [Route("/home", home, methods=["GET"])]
