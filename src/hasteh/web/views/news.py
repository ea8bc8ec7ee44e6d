"""The news frame of a cell page: what arrived since the page was shown, refreshed by
the browser itself (`<meta http-equiv="refresh">`), so new messages and decisions appear
within seconds of the background sync (`web.background`) with JavaScript off, and what
the person is typing in the page around it is never lost.

    GET /cell/{ref}/news?since=T&c=L-N.L-N   T: the cell's log time, and per member
                                             (leaf L) the events held (N), when the
                                             page was shown (`views.cell.news_href`)

Only this response may be framed, and only by our own pages (`frame-ancestors 'self'`,
`X-Frame-Options: SAMEORIGIN`); every other page keeps `DENY`. Its links open in the
whole window (`target="_top"`). Showing the frame marks nothing as read: the cell page
does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import news
from hasteh.i18n import whole_number
from hasteh.web.app import render, ui_for, web_state
from hasteh.web.appcalls import Refusal, call_app
from hasteh.web.security import CSP
from hasteh.web.views.common import NOTICES, unlocked_only

#: A cell reference that can go back into a link as it is.
CELL_ID = re.compile(r"[0-9a-f]{6,64}")
#: Seconds between the frame's reloads (with the background sync's pace: within 30 s).
REFRESH_SECONDS = 5
#: The frame's own headers: framed by our pages only.
FRAME_HEADERS = {
    "content-security-policy": CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'"),
    "x-frame-options": "SAMEORIGIN",
}


@dataclass
class NewsPage:
    """Context of `news.html`."""

    cell_href: str = field(metadata={"help": "local path of the cell's page"})
    refresh: int = field(metadata={"help": "seconds until the frame reloads"})
    changed: bool = field(metadata={"help": "something arrived since the page was shown"})
    messages: list[news.NewsMessage] = field(metadata={"help": "messages of others since"})
    more: bool = field(metadata={"help": "more messages arrived than are listed"})
    opened: list[str] = field(metadata={"help": "questions of decisions opened since"})
    status: str = field(default="", metadata={"help": "the background sync's last outcome"})


#: Most members a frame's counters name (a cell has at most 7; leaves may be reused).
MAX_COUNTERS = 64


def parse_counters(text: str) -> dict[int, int]:
    """``L-N.L-N`` (leaf, events held) as sent by the page; anything malformed is
    left out (the frame then shows more as new, never less)."""
    found: dict[int, int] = {}
    for part in text.split(".")[:MAX_COUNTERS]:
        leaf_text, _sep, n_text = part.partition("-")
        leaf = whole_number(leaf_text, max_digits=6)
        n = whole_number(n_text, max_digits=12)
        if leaf is not None and n is not None:
            found[leaf] = n
    return found


@unlocked_only
async def news_frame(request: Request) -> Response:
    ref = request.path_params["ref"]
    ui = ui_for(request)
    since = whole_number(request.query_params.get("since", ""), max_digits=12) or 0
    shown = parse_counters(request.query_params.get("c", ""))
    try:
        found = await call_app(request, lambda ws: news.news_since(ws, ref, shown, since))
    except Refusal:
        found = news.News(0, False, [], False, [])
    state = web_state(request)
    status = ""
    background = state.background
    if background is not None and background.status.outcome not in ("", "synced"):
        status = ui.gettext(NOTICES[background.status.outcome])
    page = NewsPage(
        cell_href=f"/cell/{ref}" if CELL_ID.fullmatch(ref) else "/home",
        refresh=REFRESH_SECONDS,
        changed=found.changed,
        messages=found.messages,
        more=found.more,
        opened=found.opened,
        status=status,
    )
    return render(request, "news.html", page, headers=FRAME_HEADERS)


routes = [Route("/cell/{ref}/news", news_frame, methods=["GET"])]
