"""A cell's solidarity fund: balances, the ledger's fingerprint (a broken chain in red),
open requests with their approve and pay forms, pledges, the forms that give, ask and
propose rules, the monthly report (one Jalali month, newest by default) and the
Beancount export.

    GET  /cell/{ref}/fund                 the page (?month=YYYY-MM: that Jalali month)
    POST /cell/{ref}/fund/{action}        give | kept | ask | approve | pay | rules
    GET  /cell/{ref}/fund/beancount       the ledger as Beancount text (a download)

Like every form: CSRF (the guard), a redirect with a notice on success, or the fund page
again with status 400 and the translated reason (nothing was sent or stored).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from hasteh.app import Workspace, cells
from hasteh.app import fund as app_fund
from hasteh.app.cells import CellSummary
from hasteh.app.fund import FundView, MonthReport, RequestView
from hasteh.i18n import whole_number
from hasteh.jalali import month_text
from hasteh.web.app import render, ui_for, web_state
from hasteh.web.appcalls import Refusal, call_app
from hasteh.web.views.cell import cell_fund, fund_beancount, fund_report
from hasteh.web.views.common import redirect, send_now, text, unlocked_only
from hasteh.web.views.home import CreateForm, home_page

__all__ = ["routes"]

#: Accounts shown as balances, and their names (msgids).
SHOWN = (
    ("Assets:Cash", "Cash"),
    ("Assets:InKind", "In kind"),
    ("Assets:Pledges", "Pledged, not yet paid"),
    ("Expenses:Hardship", "Paid to families"),
)
#: Notices after an action (`?done=`), msgids.
FUND_NOTICES = {
    "recorded": "Recorded and sent to the cell.",
    "queued": "Saved, but no relay answered: it will be sent with Fetch now, or carry a "
    "courier bundle.",
}


@dataclass
class FundPage:
    """Context of `fund.html`."""

    cell: CellSummary = field(metadata={"help": "the cell"})
    href: str = field(metadata={"help": "local path of the cell's page"})
    fund: FundView = field(metadata={"help": "the fund as this member's log folds it"})
    shown: tuple[tuple[str, str], ...] = field(metadata={"help": "accounts shown, with names"})
    months: list[tuple[str, str]] = field(metadata={"help": "(YYYY-MM, Jalali name), newest first"})
    report: MonthReport | None = field(metadata={"help": "the chosen month's report"})
    report_name: str = field(metadata={"help": "the chosen month, in words"})
    categories: tuple[str, ...] = field(metadata={"help": "request categories (msgids)"})
    urgencies: tuple[str, ...] = field(metadata={"help": "urgencies (msgids)"})
    notice: str = field(default="", metadata={"help": "what just happened, translated"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})
    error_form: str = field(default="", metadata={"help": "the form the refusal is about"})
    open_page: list[RequestView] = field(
        default_factory=list, metadata={"help": "one page of the open requests, in order"}
    )
    page_number: int = field(default=0, metadata={"help": "which page of open requests"})
    older: bool = field(default=False, metadata={"help": "more open requests after this page"})
    newer: bool = field(default=False, metadata={"help": "open requests before this page"})
    paid_page: list[RequestView] = field(
        default_factory=list, metadata={"help": "the most recent paid requests, newest first"}
    )


#: Open requests per page, and paid requests shown (a fund may hold thousands; every
#: one stays in the Beancount text and the monthly reports).
PAGE = 30
PAID_SHOWN = 30


def _month(value: str) -> tuple[int, int] | None:
    year, _, month = value.partition("-")
    if year.isascii() and year.isdigit() and month.isascii() and month.isdigit():
        if 1 <= int(month) <= 12 and len(year) == 4:
            return int(year), int(month)
    return None


async def fund_page(
    request: Request, errors: list[str] | None = None, error_form: str = ""
) -> Response:
    ref = request.path_params["ref"]
    ui = ui_for(request)
    wanted = _month(request.query_params.get("month", ""))
    number = whole_number(request.query_params.get("page", "0")[:6], max_digits=6) or 0

    memos = web_state(request).cell_memos

    def build(ws: Workspace) -> FundPage:
        rt = cells.find_cell(ws, ref)
        cell = cells.summary(rt)
        held = cell_fund(ws, cell.cell_id, ui.language, memos)
        months, fund = held.months, held.view
        chosen = wanted if wanted in months else (months[0] if months else None)
        report = None if chosen is None else fund_report(ws, cell.cell_id, held, chosen)
        waiting = fund.open_requests
        start = min(number * PAGE, max(0, len(waiting) - 1) // PAGE * PAGE)
        newest_paid = sorted(fund.paid_requests, key=lambda r: r.at, reverse=True)
        return FundPage(
            cell=cell,
            href=f"/cell/{cell.cell_id}",
            fund=fund,
            open_page=waiting[start : start + PAGE],
            page_number=start // PAGE,
            older=start + PAGE < len(waiting),
            newer=start > 0,
            paid_page=newest_paid[:PAID_SHOWN],
            shown=SHOWN,
            months=[(f"{y:04d}-{m:02d}", month_text(y, m)) for y, m in months],
            report=report,
            report_name="" if chosen is None else month_text(*chosen),
            categories=app_fund.CATEGORIES,
            urgencies=app_fund.URGENCIES,
        )

    try:
        page = await call_app(request, build)
    except Refusal as refusal:
        return await home_page(request, CreateForm(), refusal.lines, 404)
    done = request.query_params.get("done", "")
    page.notice = ui.gettext(FUND_NOTICES[done]) if done in FUND_NOTICES else ""
    page.errors = errors or []
    page.error_form = error_form
    return render(request, "fund.html", page, status_code=400 if errors else 200)


@unlocked_only
async def show(request: Request) -> Response:
    return await fund_page(request)


def _act(action: str, data: FormData) -> Callable[[Workspace, str], object] | None:
    """The app call a form makes, or None for an unknown action."""
    get: Callable[[str], str] = lambda name: text(data, name)  # noqa: E731
    acts: dict[str, Callable[[Workspace, str], object]] = {
        "give": lambda ws, cell: app_fund.contribute(
            ws, cell, get("amount"), holding=get("kind") or "cash", note=get("note")
        ),
        "kept": lambda ws, cell: app_fund.keep_pledge(ws, cell, get("ref"), get("amount")),
        "ask": lambda ws, cell: app_fund.request(
            ws,
            cell,
            get("family"),
            get("category"),
            get("amount"),
            urgency=get("urgency") or "normal",
            note=get("note"),
        ),
        "approve": lambda ws, cell: app_fund.approve(ws, cell, get("ref")),
        "pay": lambda ws, cell: app_fund.disburse(
            ws, cell, get("ref"), get("amount"), holding=get("kind") or "cash"
        ),
        "rules": lambda ws, cell: app_fund.set_rules(
            ws,
            cell,
            unit=get("unit") or "toman",
            cap=get("cap") or "0",
            period_days=get("period") or "30",
            threshold=get("threshold") or "0",
            priorities=[p for p in data.getlist("priority") if isinstance(p, str) and p],
        ),
    }
    return acts.get(action)


@unlocked_only
async def act(request: Request) -> Response:
    ref, action = request.path_params["ref"], request.path_params["action"]
    ui = ui_for(request)
    data = await request.form()
    call = _act(action, data)
    if call is None:
        return await fund_page(request, [ui.gettext("Nothing was changed.")], "")

    def run(ws: Workspace) -> tuple[str, bool]:
        cell = cells.summary(cells.find_cell(ws, ref)).cell_id
        call(ws, cell)
        return cell, send_now(ws)

    try:
        cell, reached = await call_app(request, run)
    except Refusal as refusal:
        return await fund_page(request, refusal.lines, action)
    return redirect(f"/cell/{cell}/fund?done={'recorded' if reached else 'queued'}")


@unlocked_only
async def beancount(request: Request) -> Response:
    ref = request.path_params["ref"]
    ui = ui_for(request)
    memos = web_state(request).cell_memos
    try:
        body = await call_app(
            request, lambda ws: fund_beancount(ws, ref, cell_fund(ws, ref, ui.language, memos))
        )
    except Refusal as refusal:
        return await home_page(request, CreateForm(), refusal.lines, 404)
    return PlainTextResponse(
        body,
        headers={"Content-Disposition": 'attachment; filename="fund.beancount"'},
    )


routes = [
    Route("/cell/{ref}/fund", show, methods=["GET"]),
    Route("/cell/{ref}/fund/beancount", beancount, methods=["GET"]),
    Route("/cell/{ref}/fund/{action}", act, methods=["POST"]),
]
