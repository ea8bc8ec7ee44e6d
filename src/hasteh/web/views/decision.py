"""Decisions of a cell: the list with the form that opens one (every kind), and one
decision's page with the vote form of its kind, the close button and, once closed, the
outcome (counts only when the decision keeps them: "outcome only" keeps none).

    GET  /cell/{ref}/decisions             list + open form
    POST /cell/{ref}/decisions             open (kind, question, options, deadline, …)
    GET  /cell/{ref}/decisions/{id}        one decision (its 8-hex id)
    POST /cell/{ref}/decisions/{id}/vote   position/reason, choice(s), rank_1…rank_k
    POST /cell/{ref}/decisions/{id}/close

Ranked and STV ballots are numbered selects ("1st choice", "2nd choice", …), one per
option, so ranking needs no JavaScript; empty selects are left out and an option picked
twice is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, cells, decisions
from hasteh.app.cells import CellSummary
from hasteh.app.decisions import DecisionSummary
from hasteh.app.errors import UnknownDecision
from hasteh.i18n import current_language, whole_number
from hasteh.web.app import render, ui_for, web_state
from hasteh.web.appcalls import Refusal, call_app
from hasteh.web.views.cell import CellMemo, cell_decisions
from hasteh.web.views.common import (
    DEFAULT_DEADLINE_CHOICE,
    KIND_NAMES,
    NOTICES,
    deadline_input,
    deadline_text,
    redirect,
    send_now,
    text,
    unlocked_only,
)
from hasteh.web.views.home import CreateForm, home_page

#: The kinds offered by the open form, in order (the app's names).
KINDS = ("consent", "proposal", "single", "multiple", "ranked", "stv", "optin")
#: Positions per kind (msgids for their labels).
POSITIONS = {
    "consent": (("agree", "I consent"), ("object", "I object")),
    "proposal": (
        ("agree", "Agree"),
        ("abstain", "Abstain"),
        ("disagree", "Disagree"),
        ("block", "Block"),
    ),
}
MAX_OPTIONS = 20


@dataclass
class OpenForm:
    """The open-decision form's values (kept after an error)."""

    kind: str = field(default="consent", metadata={"help": "the kind (app name)"})
    question: str = field(default="", metadata={"help": "the question"})
    options: str = field(default="", metadata={"help": "options, one per line"})
    deadline: str = field(default="", metadata={"help": "the date typed, if any"})
    deadline_choice: str = field(
        default=DEFAULT_DEADLINE_CHOICE, metadata={"help": "the deadline choice pressed"}
    )
    quorum: str = field(default="0", metadata={"help": "fewest participants"})
    seats: str = field(default="2", metadata={"help": "seats to fill (STV)"})
    outcome_only: bool = field(default=False, metadata={"help": "keep no counts"})


@dataclass
class DecisionsPage:
    """Context of `decisions.html`."""

    cell: CellSummary = field(metadata={"help": "the cell"})
    href: str = field(metadata={"help": "local path of the cell's page"})
    decisions: list[DecisionSummary] = field(
        metadata={"help": "one page of the open decisions, then the closed, newest first"}
    )
    kinds: tuple[str, ...] = field(metadata={"help": "kinds offered by the open form"})
    kind_names: dict[str, str] = field(metadata={"help": "kind → its name (msgid)"})
    form: OpenForm = field(default_factory=OpenForm, metadata={"help": "open form values"})
    notice: str = field(default="", metadata={"help": "what just happened, translated"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})
    older_href: str | None = field(
        default=None, metadata={"help": "the next page (older decisions), if any"}
    )
    newer_href: str | None = field(
        default=None, metadata={"help": "the previous page (newer decisions), if any"}
    )


#: Decisions per page of the list, the open ones first (newest first), then the closed
#: ones: a cell with a thousand decisions keeps a small page.
CLOSED_PAGE = 40


@dataclass
class DecisionPage:
    """Context of `decision.html`."""

    cell: CellSummary = field(metadata={"help": "the cell"})
    href: str = field(metadata={"help": "local path of the cell's page"})
    decision: DecisionSummary = field(metadata={"help": "the decision (app summary)"})
    kind_names: dict[str, str] = field(metadata={"help": "kind → its name (msgid)"})
    positions: tuple[tuple[str, str], ...] = field(
        metadata={"help": "the positions this kind takes: (value, label msgid)"}
    )
    notice: str = field(default="", metadata={"help": "what just happened, translated"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})


def _cell(ws: Workspace, ref: str) -> CellSummary:
    return cells.summary(cells.find_cell(ws, ref))


def find(
    ws: Workspace, cell_id: str, decision_id: str, memos: dict[bytes, CellMemo] | None = None
) -> DecisionSummary:
    """A decision by its id (8 hex digits): numbers shift when two decisions are opened in
    the same second, ids never do."""
    found = (
        decisions.show(ws, cell_id)
        if memos is None
        else cell_decisions(ws, cell_id, current_language(), memos)
    )
    for d in found:
        if d.decision_id == decision_id:
            return d
    raise UnknownDecision()


async def list_page(
    request: Request, form: OpenForm | None = None, errors: list[str] | None = None
) -> Response:
    ref = request.path_params["ref"]
    ui = ui_for(request)
    memos = web_state(request).cell_memos

    page_no = whole_number(request.query_params.get("page") or "", max_digits=6) or 0

    def build(ws: Workspace) -> DecisionsPage:
        cell = _cell(ws, ref)
        href = f"/cell/{cell.cell_id}"
        every = cell_decisions(ws, cell.cell_id, ui.language, memos)[::-1]
        listed = [d for d in every if d.is_open] + [d for d in every if not d.is_open]
        shown = listed[page_no * CLOSED_PAGE : (page_no + 1) * CLOSED_PAGE]
        more = len(listed) > (page_no + 1) * CLOSED_PAGE
        return DecisionsPage(
            cell=cell,
            href=href,
            decisions=shown,
            kinds=KINDS,
            kind_names=KIND_NAMES,
            older_href=f"{href}/decisions?page={page_no + 1}" if more else None,
            newer_href=(
                f"{href}/decisions" + (f"?page={page_no - 1}" if page_no > 1 else "")
                if page_no
                else None
            ),
        )

    try:
        page = await call_app(request, build)
    except Refusal as refusal:
        return await home_page(request, CreateForm(), refusal.lines, 404)
    done = request.query_params.get("done", "")
    page.notice = ui.gettext(NOTICES[done]) if done in NOTICES else ""
    page.form = form or OpenForm(quorum=ui.number(0), seats=ui.number(2))
    page.errors = errors or []
    return render(request, "decisions.html", page, status_code=400 if errors else 200)


@unlocked_only
async def decisions_page(request: Request) -> Response:
    return await list_page(request)


@unlocked_only
async def open_decision(request: Request) -> Response:
    ref = request.path_params["ref"]
    ui = ui_for(request)
    data = await request.form()
    form = OpenForm(
        kind=text(data, "kind"),
        question=text(data, "question"),
        options=text(data, "options"),
        deadline=deadline_text(data)[1],
        deadline_choice=deadline_text(data)[0],
        quorum=text(data, "quorum"),
        seats=text(data, "seats"),
        outcome_only=text(data, "outcome_only") == "yes",
    )
    errors: list[str] = []
    if form.kind not in KINDS:
        errors.append(ui.gettext("Choose a kind of decision from the list."))
    if not form.question.strip():
        errors.append(ui.gettext("Write the question."))
    options = [line.strip() for line in form.options.splitlines() if line.strip()]
    if len(options) > MAX_OPTIONS:
        errors.append(ui.gettext("At most 20 options."))
    quorum = whole_number(form.quorum or "0", max_digits=5)
    if quorum is None:
        errors.append(ui.gettext("The quorum must be a whole number."))
    seats = whole_number(form.seats or "2", max_digits=5) if form.kind == "stv" else None
    if form.kind == "stv" and seats is None:
        errors.append(ui.gettext("The number of seats must be a whole number."))
    if errors:
        return await list_page(request, form, errors)

    def run(ws: Workspace) -> tuple[str, bool]:
        opened = decisions.open_decision(
            ws,
            ref,
            kind=form.kind,
            question=form.question,
            deadline=decisions.deadline(ws, deadline_input(form.deadline_choice, form.deadline)),
            options=options,
            quorum=quorum or 0,
            outcome_only=form.outcome_only,
            seats=seats,
        )
        return opened.decision_id, send_now(ws)

    try:
        number, reached = await call_app(request, run)
    except Refusal as refusal:
        return await list_page(request, form, refusal.lines)
    return redirect(f"/cell/{ref}/decisions/{number}?done={'opened' if reached else 'queued'}")


async def one_page(request: Request, errors: list[str] | None = None) -> Response:
    ref, number = request.path_params["ref"], request.path_params["n"]
    ui = ui_for(request)
    memos = web_state(request).cell_memos

    def build(ws: Workspace) -> DecisionPage:
        cell = _cell(ws, ref)
        decision = find(ws, cell.cell_id, number, memos)
        return DecisionPage(
            cell=cell,
            href=f"/cell/{cell.cell_id}",
            decision=decision,
            kind_names=KIND_NAMES,
            positions=POSITIONS.get(decision.kind, ()),
        )

    try:
        page = await call_app(request, build)
    except Refusal as refusal:
        if errors is None:
            return await home_page(request, CreateForm(), refusal.lines, 404)
        raise
    done = request.query_params.get("done", "")
    page.notice = ui.gettext(NOTICES[done]) if done in NOTICES else ""
    page.errors = errors or []
    return render(request, "decision.html", page, status_code=400 if errors else 200)


@unlocked_only
async def decision_page(request: Request) -> Response:
    return await one_page(request)


@unlocked_only
async def vote(request: Request) -> Response:
    ref, number = request.path_params["ref"], request.path_params["n"]
    ui = ui_for(request)
    data = await request.form()
    position = text(data, "position") or None
    reason = text(data, "reason")
    choices = [v for v in data.getlist("choice") if isinstance(v, str) and v]
    ranks = sorted(
        (rank, value)
        for key, value in data.multi_items()
        if key.startswith("rank_")
        and (rank := whole_number(key[5:], max_digits=3)) is not None
        and isinstance(value, str)
        and value
    )
    if ranks:
        choices = [value for _, value in ranks]
        if len(set(choices)) != len(choices):
            lines = [ui.gettext("Each option can have only one place in your ranking.")]
            return await _refused(request, lines)

    def run(ws: Workspace) -> bool:
        found = find(ws, ref, number)
        decisions.vote(
            ws, ref, found.decision_id, choices=choices, position=position, reason=reason
        )
        return send_now(ws)

    try:
        reached = await call_app(request, run)
    except Refusal as refusal:
        return await _refused(request, refusal.lines)
    return redirect(f"/cell/{ref}/decisions/{number}?done={'voted' if reached else 'queued'}")


async def _refused(request: Request, lines: list[str]) -> Response:
    try:
        return await one_page(request, lines)
    except Refusal as refusal:
        return await home_page(request, CreateForm(), refusal.lines, 404)


@unlocked_only
async def close(request: Request) -> Response:
    ref, number = request.path_params["ref"], request.path_params["n"]

    def run(ws: Workspace) -> bool:
        decisions.close(ws, ref, find(ws, ref, number).decision_id)
        return send_now(ws)

    try:
        reached = await call_app(request, run)
    except Refusal as refusal:
        return await _refused(request, refusal.lines)
    return redirect(f"/cell/{ref}/decisions/{number}?done={'closed' if reached else 'queued'}")


routes = [
    Route("/cell/{ref}/decisions", decisions_page, methods=["GET"]),
    Route("/cell/{ref}/decisions", open_decision, methods=["POST"]),
    Route("/cell/{ref}/decisions/{n}", decision_page, methods=["GET"]),
    Route("/cell/{ref}/decisions/{n}/vote", vote, methods=["POST"]),
    Route("/cell/{ref}/decisions/{n}/close", close, methods=["POST"]),
]
