"""Joining a cell: make my invitation card (QR image and text code), then pick up the
Welcome once the cell has admitted me.

    GET  /join           my waiting cards (each as a QR image and a copyable code) + form
    POST /join/card      cover_name, days → a new card
    POST /join           pick up: joined → the cell's page; nothing yet → 400 with why

The QR image is inline (`data:image/png;base64,…`, allowed by the CSP's `img-src data:`),
so nothing is written to disk and nothing is fetched.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, alliances, cards, cells, join, news, sync
from hasteh.app.constants import SUITE
from hasteh.app.records import Invitation
from hasteh.i18n import whole_number
from hasteh.mls.key_package_ops import KeyPackageSecrets
from hasteh.web.app import render, ui_for, web_state
from hasteh.web.appcalls import Refusal, call_app, new_group_relays
from hasteh.web.views.common import redirect, text, unlocked_only

#: Notices after a redirect (`?done=…`), as msgids.
NOTICES = {
    "card": "Your card is ready. Show it only in person; nobody should photograph it.",
}


@dataclass(frozen=True, slots=True)
class CardView:
    """One of my invitation cards, waiting for a Welcome."""

    cover_name: str = field(metadata={"help": "the cover name the card asks for"})
    code: str = field(metadata={"help": "the text code (HC1:…)"})
    qr: str = field(metadata={"help": "the QR image as a data: URL (PNG, base64)"})
    expires_at: int = field(metadata={"help": "when the card stops working (unix seconds)"})


@dataclass
class JoinPage:
    """Context of `join.html`."""

    cards: list[CardView] = field(metadata={"help": "my waiting cards, newest first"})
    cover_name: str = field(default="", metadata={"help": "the form's cover name, as typed"})
    days: str = field(default="7", metadata={"help": "the form's validity in days, as typed"})
    notice: str = field(default="", metadata={"help": "what just happened, translated"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})
    error_form: str = field(default="", metadata={"help": "which form the errors belong to"})


def code_of(invitation: Invitation) -> str:
    """The text code of a card this profile made (its KeyPackage is in the invitation).

    `hasteh.app` has no call for this yet (it returns the code only when the card is
    made); the parts are the ones `cards.create_card` encodes.
    """
    secrets = KeyPackageSecrets.from_bytes(invitation.secrets)
    assert secrets.key_package.cipher_suite == SUITE
    card = cards.Card(
        secrets.key_package,
        invitation.pickup_claim,
        tuple(invitation.relays),
        invitation.expires_at,
    )
    return cards.encode_card(card)


def qr_data_url(code: str) -> str:
    png = cards.qr_png(code, scale=4)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def my_cards(ws: Workspace) -> list[CardView]:
    found = sorted(join.waiting_invitations(ws), key=lambda i: i.created_at, reverse=True)
    views = []
    for inv in found:
        if inv.expires_at <= ws.now() or inv.spoken:
            continue  # a spoken code's card is never shown: nobody may photograph it
        code = code_of(inv)
        views.append(CardView(inv.cover_name, code, qr_data_url(code), inv.expires_at))
    return views


async def show(
    request: Request,
    *,
    cover_name: str = "",
    days: str = "7",
    errors: list[str] | None = None,
    error_form: str = "",
) -> Response:
    ui = ui_for(request)
    try:
        found = await call_app(request, my_cards)
    except Refusal as refusal:
        found, errors = [], [*(errors or []), *refusal.lines]
    notices = NOTICES
    done = request.query_params.get("done", "")
    page = JoinPage(
        cards=found,
        cover_name=cover_name,
        days=days,
        notice=ui.gettext(notices[done]) if done in notices else "",
        errors=errors or [],
        error_form=error_form,
    )
    return render(request, "join.html", page, status_code=400 if errors else 200)


@unlocked_only
async def join_page(request: Request) -> Response:
    return await show(request, days=ui_for(request).number(7))


@unlocked_only
async def make_card(request: Request) -> Response:
    state = web_state(request)
    ui = ui_for(request)
    data = await request.form()
    cover_name, days_text = text(data, "cover_name"), text(data, "days")
    days = whole_number(days_text.strip() or "7", max_digits=3)
    if days is None:
        lines = [
            ui.gettext("A card is valid for 1 to 30 days."),
            ui.gettext("Nothing was changed."),
        ]
        return await show(
            request, cover_name=cover_name, days=days_text, errors=lines, error_form="card"
        )

    def run(ws: Workspace) -> str:
        return cards.create_card(ws, cover_name, relays=new_group_relays(state, ws), days=days)

    try:
        await call_app(request, run)
    except Refusal as refusal:
        return await show(
            request, cover_name=cover_name, days=days_text, errors=refusal.lines, error_form="card"
        )
    return redirect("/join?done=card#cards")


@unlocked_only
async def pick_up(request: Request) -> Response:

    def run(ws: Workspace) -> str:
        if not join.waiting_invitations(ws):
            # The background sync (`web.background`) may have picked the Welcome up
            # already: then the cell joined is new here and not yet shown.
            fresh = recently_joined(ws)
            if fresh:
                return f"/cell/{fresh}?done=joined"
        names = sync.join(ws)
        joined = [c for c in cells.list_cells(ws) if c.name == names[-1]]
        if joined:
            return f"/cell/{joined[-1].cell_id}?done=joined"
        # A delegate's card picks up an alliance's Welcome the same way (issue 17).
        allied = [rt for rt in alliances.all_alliances(ws) if rt.name == names[-1]]
        return f"/alliance/{allied[-1].group_id.hex()[:8]}?done=joined" if allied else "/home"

    try:
        then = await call_app(request, run)
    except Refusal as refusal:
        return await show(request, errors=refusal.lines, error_form="join")
    return redirect(then)


def recently_joined(ws: Workspace) -> str:
    """The id of the cell joined most recently that this device has not shown yet, or ""."""
    new = news.unread(ws)
    found = [
        (rt.record.joined_at, cells.summary(rt).cell_id)
        for rt in cells.all_cells(ws)
        if cells.summary(rt).cell_id in new and rt.active
    ]
    return max(found)[1] if found else ""


routes = [
    Route("/join", join_page, methods=["GET"]),
    Route("/join", pick_up, methods=["POST"]),
    Route("/join/card", make_card, methods=["POST"]),
]
