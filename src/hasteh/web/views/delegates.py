"""A cell's delegates (issue 17): who speaks for the cell in its alliances, its key's
fingerprint and holders, the recalls, and each report-back with how the cell's vote was
cast ("did not vote as the cell decided" in plain words); the forms that record an
election, make the cell's key and hand it over, give a mandate and recall the delegate.
No JavaScript.

    GET  /cell/{ref}/delegates              the page
    POST /cell/{ref}/delegates/elect        decision (its number), pseudonym, term, mandate
    POST /cell/{ref}/delegates/key          decision: make the cell's key (or a new one)
    POST /cell/{ref}/delegates/key-code     the key's code, shown on this answer only
    POST /cell/{ref}/delegates/key-import   code: keep the key another holder showed
    POST /cell/{ref}/delegates/mandate      decision, motion: the cell decided it first
    POST /cell/{ref}/delegates/recall       decision, the alternate's card: the recall code

The two codes (the key's, a recall's) are shown once, in the answer to a POST, never in a
page that can be opened again by its address; every page of this face is `no-store`
(`web.security`), so none stays in the browser's cache or history. A code typed into a
form is never shown back, not even after a refusal.

A refusal re-renders the page with the Persian message and its next step (400); the app
refuses before anything is sent, so nothing changed. The page names no person of another
cell: an alliance is shown only by the pseudonyms of its cells.
"""

from __future__ import annotations

from collections.abc import Callable, Set
from dataclasses import dataclass, field

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, alliances, cells, decisions, delegation
from hasteh.app.cells import CellSummary
from hasteh.app.delegation import DelegateView
from hasteh.app.errors import BadInput
from hasteh.i18n import whole_number
from hasteh.web.app import render, ui_for
from hasteh.web.appcalls import Refusal, call_app
from hasteh.web.views.common import (
    NOTICES,
    card_code,
    card_given,
    redirect,
    send_now,
    text,
    unlocked_only,
)
from hasteh.web.views.home import CreateForm, home_page

__all__ = ["routes"]

DELEGATE_NOTICES = {
    "elected": "The cell's delegates are recorded.",
    "key": "The cell's key is made. Show its code to the other holder in person.",
    "key-import": "You hold the cell's key. Compare its fingerprint with the other holder.",
    "mandate": "Mandate recorded.",
    "queued": "Saved, but no relay answered: it will be sent with Fetch now, or carry a "
    "courier bundle.",
}


@dataclass
class DelegatesPage:
    """Context of `delegates.html`."""

    cell: CellSummary = field(metadata={"help": "the cell"})
    href: str = field(metadata={"help": "local path of the cell's page"})
    view: DelegateView = field(metadata={"help": "the cell's delegation as its log folds it"})
    elections: list[tuple[int, str]] = field(
        metadata={"help": "closed ranked decisions that elected two: (number, question)"}
    )
    decisions: list[tuple[int, str]] = field(
        default_factory=list,
        metadata={"help": "decisions that may authorize, newest first: (number, question)"},
    )
    motions: list[tuple[str, str, str]] = field(
        default_factory=list,
        metadata={"help": "open motions of this device's alliances: (id, alliance, question)"},
    )
    notice: str = field(default="", metadata={"help": "what just happened, translated"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})


@dataclass
class CodePage:
    """Context of `delegates_code.html`: a code to hand over in person, shown once."""

    cell: CellSummary = field(metadata={"help": "the cell"})
    href: str = field(metadata={"help": "local path of the cell's page"})
    kind: str = field(metadata={"help": "key | recall"})
    code: str = field(metadata={"help": "the code, in groups of four to read aloud"})
    fingerprint: str = field(default="", metadata={"help": "the key's fingerprint, for a key"})


#: The decisions a form offers: the newest this many that can authorize the cell's key,
#: a mandate or a recall (a list of a thousand choices helps nobody; see
#: docs/benchmarks.md, "A delegate's pages"), and always the election in force.
MAX_CHOICES = 30
_AUTHORIZING = frozenset({"consent", "proposal", "ranked"})


def _decisions(ws: Workspace, ref: str) -> list[tuple[int, str]]:
    rt = cells.find_cell(ws, ref)
    numbers = decisions.numbers(rt)
    kept = sorted(
        (
            (numbers[d.decision_id], d.question)
            for d in rt.org.decisions.values()
            if d.kind in _AUTHORIZING
        ),
        reverse=True,
    )[:MAX_CHOICES]
    elected = rt.org.fed.delegation
    if elected is not None and elected.decision_id in rt.org.decisions:
        election = (numbers[elected.decision_id], rt.org.decisions[elected.decision_id].question)
        if election not in kept:
            kept.append(election)
    return kept


def _open_motions(ws: Workspace, given: Set[bytes]) -> list[tuple[str, str, str]]:
    """Open motions in this device's alliances that the cell gave no mandate on yet."""
    return [
        (m.motion_id.hex(), rt.name, m.question)
        for rt in alliances.all_alliances(ws)
        for m in sorted(rt.org.motions.values(), key=lambda m: (m.at, m.motion_id))
        if m.is_open and m.motion_id not in given
    ]


def _motion_question(ws: Workspace, motion: str) -> str:
    """The question of motion `motion` (its full id) in this device's alliances."""
    for rt in alliances.all_alliances(ws):
        for m in rt.org.motions.values():
            if m.motion_id.hex() == motion.strip().lower():
                return m.question
    raise BadInput("unknown-motion")


def grouped(code: str) -> str:
    """A code in groups of four after its prefix, to read aloud and type back (the app
    forgives the spaces)."""
    prefix, _, body = code.partition(":")
    return f"{prefix}: " + " ".join(body[i : i + 4] for i in range(0, len(body), 4))


def _elections(ws: Workspace, ref: str) -> list[tuple[int, str]]:
    rt = cells.find_cell(ws, ref)
    numbers = decisions.numbers(rt)
    return [
        (numbers[d.decision_id], d.question)
        for d in rt.org.decisions.values()
        if d.kind == "ranked"
        and d.outcome is not None
        and d.outcome.status == "elected"
        and len(d.outcome.winners) >= 2
    ]


async def delegates_page(request: Request, errors: list[str] | None = None) -> Response:
    ref = request.path_params["ref"]
    ui = ui_for(request)

    def build(ws: Workspace) -> DelegatesPage:
        cell = cells.summary(cells.find_cell(ws, ref))
        return DelegatesPage(
            cell=cell,
            href=f"/cell/{cell.cell_id}",
            view=delegation.delegate_view(ws, cell.cell_id),
            elections=sorted(_elections(ws, cell.cell_id)),
            decisions=_decisions(ws, cell.cell_id),
            motions=_open_motions(ws, set(cells.find_cell(ws, cell.cell_id).org.fed.mandates)),
        )

    try:
        page = await call_app(request, build)
    except Refusal as refusal:
        return await home_page(request, CreateForm(), refusal.lines, 404)
    done = request.query_params.get("done", "")
    notices = {**NOTICES, **DELEGATE_NOTICES}  # Fetch now comes back with a sync's notice
    page.notice = ui.gettext(notices[done]) if done in notices else ""
    page.errors = errors or []
    return render(request, "delegates.html", page, status_code=400 if errors else 200)


@unlocked_only
async def show(request: Request) -> Response:
    return await delegates_page(request)


@unlocked_only
async def elect(request: Request) -> Response:
    ref = request.path_params["ref"]
    data = await request.form()

    def run(ws: Workspace) -> tuple[str, bool]:
        cell = cells.summary(cells.find_cell(ws, ref)).cell_id
        days = whole_number(text(data, "term_days") or "180", max_digits=3)
        delegation.elect(
            ws,
            cell,
            text(data, "decision"),
            pseudonym=text(data, "pseudonym"),
            term_days=days or 0,  # unreadable or 0: refused with the term's bounds
            mandate=text(data, "mandate"),
        )
        return cell, send_now(ws)

    try:
        cell, reached = await call_app(request, run)
    except Refusal as refusal:
        return await delegates_page(request, refusal.lines)
    return redirect(f"/cell/{cell}/delegates?done={'elected' if reached else 'queued'}")


async def _act(
    request: Request, call: Callable[[Workspace, str, FormData], object], done: str
) -> Response:
    """`call(ws, cell id, form)`, a sync, and back to the page with notice `done`."""
    ref = request.path_params["ref"]
    data = await request.form()

    def run(ws: Workspace) -> tuple[str, bool]:
        cell = cells.summary(cells.find_cell(ws, ref)).cell_id
        call(ws, cell, data)
        return cell, send_now(ws)

    try:
        cell, reached = await call_app(request, run)
    except Refusal as refusal:
        return await delegates_page(request, refusal.lines)
    return redirect(f"/cell/{cell}/delegates?done={done if reached else 'queued'}")


@unlocked_only
async def make_key(request: Request) -> Response:
    return await _act(
        request,
        lambda ws, cell, data: delegation.create_key(ws, cell, text(data, "decision")),
        "key",
    )


@unlocked_only
async def import_key(request: Request) -> Response:
    return await _act(
        request,
        lambda ws, cell, data: delegation.import_key(ws, cell, text(data, "code")),
        "key-import",
    )


@unlocked_only
async def mandate(request: Request) -> Response:
    def give(ws: Workspace, cell: str, data: FormData) -> object:
        motion = text(data, "motion")
        question = _motion_question(ws, motion)
        return delegation.give_mandate(ws, cell, motion, question, text(data, "decision"))

    return await _act(request, give, "mandate")


async def _code_page(request: Request, make: Callable[[Workspace, str], CodePage]) -> Response:
    ref = request.path_params["ref"]

    def run(ws: Workspace) -> CodePage:
        cell = cells.summary(cells.find_cell(ws, ref))
        page = make(ws, cell.cell_id)
        send_now(ws)
        return page

    try:
        page = await call_app(request, run)
    except Refusal as refusal:
        return await delegates_page(request, refusal.lines)
    return render(request, "delegates_code.html", page)


@unlocked_only
async def key_code(request: Request) -> Response:
    """The key's code, for a holder: shown in this answer only."""

    def make(ws: Workspace, cell: str) -> CodePage:
        code = delegation.key_code(ws, cell)
        fingerprint = delegation.delegate_view(ws, cell).key_fingerprint
        summary = cells.summary(cells.find_cell(ws, cell))
        return CodePage(summary, f"/cell/{cell}", "key", grouped(code), fingerprint)

    return await _code_page(request, make)


@unlocked_only
async def recall(request: Request) -> Response:
    """Sign the cell's adopted recall with its key; the code for the alliance is in this
    answer only (the app keeps no copy: it can be made again only by a new recall)."""
    data = await request.form()
    card = await card_given(data)

    def make(ws: Workspace, cell: str) -> CodePage:
        code = delegation.recall(ws, cell, text(data, "decision"), card_code(ws, card))
        summary = cells.summary(cells.find_cell(ws, cell))
        return CodePage(summary, f"/cell/{cell}", "recall", grouped(code))

    return await _code_page(request, make)


routes = [
    Route("/cell/{ref}/delegates", show, methods=["GET"]),
    Route("/cell/{ref}/delegates/elect", elect, methods=["POST"]),
    Route("/cell/{ref}/delegates/key", make_key, methods=["POST"]),
    Route("/cell/{ref}/delegates/key-code", key_code, methods=["POST"]),
    Route("/cell/{ref}/delegates/key-import", import_key, methods=["POST"]),
    Route("/cell/{ref}/delegates/mandate", mandate, methods=["POST"]),
    Route("/cell/{ref}/delegates/recall", recall, methods=["POST"]),
]
