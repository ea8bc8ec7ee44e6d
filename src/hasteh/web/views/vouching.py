"""Vouching codes on the web (issue 17, "Finding each other"): a delegate vouches for
another cell from the alliance's page, and the other cell's delegate answers from the
alliances page. No JavaScript.

    POST /alliances/vouch/{ref}   make a one-time code for alliance `ref`; shown once
    GET  /alliances/answer        the form: a vouching code and the cell's pseudonym
    POST /alliances/answer        answer it: the alliance card goes, sealed, to the code

The code is shown on the page that answers the POST and nowhere else: never in a URL,
never stored for a later page (every page is sent ``no-store``). A refusal re-renders the
page the form is on (the alliance's, or the answer form) with the Persian message (400);
nothing was kept or sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, alliances, vouching
from hasteh.i18n import whole_number
from hasteh.web.app import render
from hasteh.web.appcalls import Refusal, call_app
from hasteh.web.views.alliances import alliance_page
from hasteh.web.views.common import text, unlocked_only

__all__ = ["routes"]


@dataclass
class VouchingPage:
    """Context of `vouching.html` (and of its partial `_vouch_answer.html`): one of three
    states, by `mode`."""

    mode: str = field(metadata={"help": "`code` (just made), `answered`, or `form`"})
    alliance: str = field(default="", metadata={"help": "the alliance's name (mode code)"})
    href: str = field(default="", metadata={"help": "the alliance's page (mode code)"})
    code: str = field(default="", metadata={"help": "the code, shown once (mode code)"})
    expires_at: int = field(default=0, metadata={"help": "when the code or the card expires"})
    pseudonym: str = field(default="", metadata={"help": "the answerer's pseudonym"})
    typed_pseudonym: str = field(default="", metadata={"help": "what was typed (mode form)"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})


@dataclass(frozen=True, slots=True)
class _Made:
    alliance: str
    short: str
    code: str
    expires_at: int


@unlocked_only
async def vouch(request: Request) -> Response:
    ref = request.path_params["ref"]
    data = await request.form()
    typed = text(data, "days").strip()
    days = whole_number(typed) if typed else vouching.DEFAULT_DAYS

    def run(ws: Workspace) -> _Made:
        rt = alliances.find_alliance(ws, ref)
        short = rt.group_id.hex()[:8]
        code = vouching.vouch(ws, short, days=-1 if days is None else days)
        return _Made(rt.name, short, code, vouching.read_code(code).expires_at)

    try:
        made = await call_app(request, run)
    except Refusal as refusal:
        return await alliance_page(request, refusal.lines)
    page = VouchingPage(
        "code",
        alliance=made.alliance,
        href=f"/alliance/{made.short}",
        code=made.code,
        expires_at=made.expires_at,
    )
    return render(request, "vouching.html", page)


def _form(request: Request, page: VouchingPage, status: int = 200) -> Response:
    return render(request, "vouching.html", page, status_code=status)


@unlocked_only
async def answer_form(request: Request) -> Response:
    return _form(request, VouchingPage("form"))


@unlocked_only
async def answer(request: Request) -> Response:
    data = await request.form()
    code, pseudonym = text(data, "code"), text(data, "pseudonym")
    try:
        answered = await call_app(request, lambda ws: vouching.answer(ws, code, pseudonym))
    except Refusal as refusal:
        page = VouchingPage("form", typed_pseudonym=pseudonym[:64], errors=refusal.lines)
        return _form(request, page, 400)
    page = VouchingPage("answered", pseudonym=answered.pseudonym, expires_at=answered.expires_at)
    return render(request, "vouching.html", page)


routes = [
    Route("/alliances/vouch/{ref}", vouch, methods=["POST"]),
    Route("/alliances/answer", answer_form, methods=["GET"]),
    Route("/alliances/answer", answer, methods=["POST"]),
]
