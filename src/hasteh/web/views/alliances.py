"""A delegate's alliances (issue 17): the list of this profile's alliances, and one
alliance's page: its cells by pseudonym (never a name of a person or a cell), whose key
and alternate it knows, and its motions with the votes by cell, the outcome and who
signed the tally; for each motion the delegate's three acts, for the cell they choose:
vote as the cell decided, sign the closed tally with the cell's key, report it back;
and the delegate's other work with the alliance. No JavaScript.

    GET  /alliances                        the list
    POST /alliances                        form an alliance (name, the cell's pseudonym)
    GET  /alliance/{ref}                   one alliance (ref: the start of its id)
    POST /alliance/{ref}/{act}             vote | sign | report  (motion, cell)
    POST /alliance/{ref}/{work}            propose (a card) | approve (pseudonym) |
                                           register-key (cell) | register-alternate (cell,
                                           card) | carry-recall (code) | council |
                                           motion (question, deadline)

The cell is chosen on the form each time: the profile stores no link between a cell and
an alliance (docs/cells.md, "Delegates and alliances"). A refusal re-renders the page
with the Persian message (400); nothing was sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, alliances, cells, decisions, delegation, federation
from hasteh.app.cells import CellSummary
from hasteh.app.delegation import AllianceView
from hasteh.app.errors import BadInput, clean_or_refuse
from hasteh.web.app import render, ui_for, web_state
from hasteh.web.appcalls import Refusal, call_app, new_group_relays
from hasteh.web.views.common import (
    NOTICES,
    CardGiven,
    card_code,
    card_given,
    deadline_input,
    deadline_text,
    redirect,
    send_now,
    text,
    unlocked_only,
)
from hasteh.web.views.home import CreateForm, home_page

__all__ = ["routes"]

ALLIANCE_NOTICES = {
    "vote": "Voted as the cell decided.",
    "sign": "Tally signed.",
    "report": "Reported back to the cell.",
    "joined": "You joined the alliance. Register your cell's key here.",
    "formed": "The alliance is formed. Propose other cells by the cards their delegates "
    "hand you in person.",
    "propose": "Proposed. Every member cell must approve.",
    "approve": "Approved.",
    "register-key": "The alliance knows the cell's key.",
    "register-alternate": "The alternate is registered with the alliance.",
    "carry-recall": "Recall posted; the delegate is swapped for the alternate at the next sync.",
    "council": "This alliance is now a council: its members are alliances' delegates.",
    "motion": "The question is put to the cells. Each cell decides first, then its delegate "
    "votes as it decided.",
    "queued": "Saved, but no relay answered: it will be sent with Fetch now, or carry a "
    "courier bundle.",
}


@dataclass
class AlliancesPage:
    """Context of `alliances.html`."""

    alliances: list[tuple[str, str, str]] = field(
        metadata={"help": "(ref, name, this device's cell's pseudonym) of each alliance"}
    )
    name: str = field(default="", metadata={"help": "the name typed, kept after an error"})
    pseudonym: str = field(default="", metadata={"help": "the pseudonym typed, kept"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})


@dataclass
class AlliancePage:
    """Context of `alliance.html`."""

    ref: str = field(metadata={"help": "the alliance's short id"})
    href: str = field(metadata={"help": "local path of the alliance's page"})
    view: AllianceView = field(metadata={"help": "the alliance as this delegate's log folds it"})
    cells: list[CellSummary] = field(metadata={"help": "this profile's cells, to choose from"})
    may_declare_council: bool = field(
        default=False, metadata={"help": "still alone and not a council: it may become one"}
    )
    notice: str = field(default="", metadata={"help": "what just happened, translated"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})


async def alliances_page(
    request: Request, errors: list[str] | None = None, form: FormData | None = None
) -> Response:
    def build(ws: Workspace) -> AlliancesPage:
        found = sorted(alliances.all_alliances(ws), key=lambda rt: (rt.name, rt.group_id))
        return AlliancesPage(
            [
                (
                    rt.group_id.hex()[:8],
                    rt.name,
                    rt.org.cover_name(rt.own_leaf) if rt.active else "",
                )
                for rt in found
            ]
        )

    page = await call_app(request, build)
    if form is not None:
        page.name, page.pseudonym = text(form, "name"), text(form, "pseudonym")
    page.errors = errors or []
    return render(request, "alliances.html", page, status_code=400 if errors else 200)


@unlocked_only
async def index(request: Request) -> Response:
    return await alliances_page(request)


@unlocked_only
async def form_alliance(request: Request) -> Response:
    """Form an alliance as this cell's delegate, on the profile's relays (Settings; else
    the relay of this computer), as `hasteh alliance form` does."""
    data = await request.form()
    state = web_state(request)

    def run(ws: Workspace) -> str:
        rt = alliances.form(
            ws,
            text(data, "name"),
            cell=text(data, "pseudonym"),
            relays=new_group_relays(state, ws),
        )
        return rt.group_id.hex()[:8]

    try:
        short = await call_app(request, run)
    except Refusal as refusal:
        return await alliances_page(request, refusal.lines, data)
    return redirect(f"/alliance/{short}?done=formed")


async def alliance_page(request: Request, errors: list[str] | None = None) -> Response:
    ref = request.path_params["ref"]
    ui = ui_for(request)

    def build(ws: Workspace) -> AlliancePage:
        rt = alliances.find_alliance(ws, ref)
        short = rt.group_id.hex()[:8]
        return AlliancePage(
            ref=short,
            href=f"/alliance/{short}",
            view=delegation.alliance_view(ws, short),
            cells=cells.list_cells(ws),
            may_declare_council=not rt.org.council and len(rt.org.members) == 1,
        )

    try:
        page = await call_app(request, build)
    except Refusal as refusal:
        return await home_page(request, CreateForm(), refusal.lines, 404)
    done = request.query_params.get("done", "")
    notices = {**NOTICES, **ALLIANCE_NOTICES}  # Fetch now comes back with a sync's notice
    page.notice = ui.gettext(notices[done]) if done in notices else ""
    page.errors = errors or []
    return render(request, "alliance.html", page, status_code=400 if errors else 200)


@unlocked_only
async def show(request: Request) -> Response:
    return await alliance_page(request)


ACTS: dict[str, Callable[[Workspace, str, str, str], object]] = {
    "vote": lambda ws, alliance, cell, motion: delegation.vote_as_mandated(
        ws, alliance, cell, motion
    ),
    "sign": lambda ws, alliance, cell, motion: delegation.sign_tally(ws, alliance, cell, motion),
    "report": lambda ws, alliance, cell, motion: delegation.report(ws, cell, alliance, motion),
}


@unlocked_only
async def act(request: Request) -> Response:
    ref, what = request.path_params["ref"], request.path_params["act"]
    ui = ui_for(request)
    data = await request.form()
    call = ACTS.get(what)
    if call is None:
        return await alliance_page(request, [ui.gettext("Nothing was changed.")])

    def run(ws: Workspace) -> tuple[str, bool]:
        short = alliances.find_alliance(ws, ref).group_id.hex()[:8]
        call(ws, short, text(data, "cell"), text(data, "motion"))
        return short, send_now(ws)

    try:
        short, reached = await call_app(request, run)
    except Refusal as refusal:
        return await alliance_page(request, refusal.lines)
    return redirect(f"/alliance/{short}?done={what if reached else 'queued'}")


def _register_key(ws: Workspace, alliance: str, cell: str) -> object:
    """The cell's first key, or its new one carried (signed by the old), as the CLI does."""
    key = cells.find_cell(ws, cell).org.fed.key
    if key is not None and key.sequence > 0:
        return delegation.carry_rotation(ws, alliance, cell)
    return delegation.register_key(ws, alliance, cell)


def _open_motion(ws: Workspace, alliance: str, data: FormData) -> object:
    """A yes/no question to the member cells (one vote per cell, each after its cell
    decided), closing as the deadline field says (`_deadline.html`)."""
    typed = text(data, "question")
    if not typed.strip():
        raise BadInput("empty-message")
    question = clean_or_refuse(typed, limit=200)
    deadline = decisions.deadline(ws, deadline_input(*deadline_text(data)))
    return alliances.open_motion(ws, alliance, question, deadline)


#: The delegate's work with the alliance: (alliance short id, form, card) -> app call.
WORK: dict[str, Callable[[Workspace, str, FormData, CardGiven], object]] = {
    "propose": lambda ws, alliance, data, card: alliances.propose_cell(
        ws, alliance, card_code(ws, card)
    ),
    "approve": lambda ws, alliance, data, card: alliances.approve_cell(
        ws, alliance, text(data, "pseudonym")
    ),
    "register-key": lambda ws, alliance, data, card: _register_key(
        ws, alliance, text(data, "cell")
    ),
    "register-alternate": lambda ws, alliance, data, card: delegation.register_alternate(
        ws, alliance, text(data, "cell"), card_code(ws, card)
    ),
    "carry-recall": lambda ws, alliance, data, card: delegation.carry_recall(
        ws, alliance, text(data, "code")
    ),
    "council": lambda ws, alliance, data, card: federation.declare_council(ws, alliance),
    "motion": lambda ws, alliance, data, card: _open_motion(ws, alliance, data),
}


@unlocked_only
async def work(request: Request) -> Response:
    """One of `WORK`; a refusal shows the page again with the reason (400). Nothing
    typed is shown back: a card or a recall code is not kept in a page."""
    ref, what = request.path_params["ref"], request.url.path.rsplit("/", 1)[1]
    data = await request.form()
    card = await card_given(data)
    call = WORK[what]

    def run(ws: Workspace) -> tuple[str, bool]:
        short = alliances.find_alliance(ws, ref).group_id.hex()[:8]
        call(ws, short, data, card)
        return short, send_now(ws)

    try:
        short, reached = await call_app(request, run)
    except Refusal as refusal:
        return await alliance_page(request, refusal.lines)
    return redirect(f"/alliance/{short}?done={what if reached else 'queued'}")


routes = [
    Route("/alliances", index, methods=["GET"]),
    Route("/alliances", form_alliance, methods=["POST"]),
    Route("/alliance/{ref}", show, methods=["GET"]),
    *(Route(f"/alliance/{{ref}}/{what}", work, methods=["POST"]) for what in WORK),
    Route("/alliance/{ref}/{act}", act, methods=["POST"]),
]
