"""The solidarity fund of a cell: what a member does with it and what the faces show.

The rules live in `hasteh.org.fund` and run on every member; this module turns what a
person typed into events (amounts in Persian or Latin digits, choices by name, requests
and pledges by the start of their number) and the folded ledger into views: balances, the
open requests in the order the rules give, the monthly report by Jalali month, and the
Beancount export. Every refusal is an error with a code (nothing is sent or stored);
text that looks like a card or an account number is refused by org's check before the
event leaves the device.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, get_args

from hasteh import org
from hasteh.app import runtime
from hasteh.app.cells import find_cell
from hasteh.app.errors import BadInput, clean_or_refuse, refused
from hasteh.app.runtime import CellRuntime
from hasteh.i18n import parse_digits
from hasteh.jalali import month_reader
from hasteh.org.events import (
    Contributed,
    Disbursed,
    FundRules,
    FundRulesSet,
    HardshipRequested,
    PledgeKept,
    RequestApproved,
)
from hasteh.org.events.fund import MAX_AMOUNT, Category, FundUnit, Holding, Urgency
from hasteh.org.fund import FundEvent, check_text, entries
from hasteh.org.ledger import ACCOUNTS, Account, Entry, Fund, Request

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = [
    "CATEGORIES",
    "HOLDINGS",
    "URGENCIES",
    "FundView",
    "MonthReport",
    "RequestView",
    "approve",
    "beancount",
    "contribute",
    "disburse",
    "fingerprint",
    "keep_pledge",
    "months",
    "parse_amount",
    "ref_of",
    "report",
    "request",
    "set_rules",
    "show",
]

HOLDINGS: Final[tuple[str, ...]] = get_args(Holding)
CATEGORIES: Final[tuple[str, ...]] = get_args(Category)
URGENCIES: Final[tuple[str, ...]] = get_args(Urgency)
UNITS: Final[tuple[str, ...]] = get_args(FundUnit)
#: How many hex digits of an entry's id name it to a person.
REF_SIZE: Final = 8
_SEPARATORS: Final = str.maketrans("", "", ",،٬٫ _'")
_URGENCY_RANK: Final = {"critical": 0, "urgent": 1, "normal": 2}

# --- what a person types ------------------------------------------------------------------


def parse_amount(text: str, unit: str = "toman") -> int:
    """A whole amount above zero in Persian, Arabic-Indic or Latin digits, thousands
    separated or not (``۱٬۵۰۰٬۰۰۰``, ``1,500,000``); `BadInput` ``bad-amount``
    otherwise."""
    digits = parse_digits(text).translate(_SEPARATORS).strip()
    if not digits or len(digits) > 13 or not (digits.isascii() and digits.isdigit()):
        raise BadInput("bad-amount", limit=MAX_AMOUNT, unit=unit)
    value = int(digits)
    if not 1 <= value <= MAX_AMOUNT:
        raise BadInput("bad-amount", limit=MAX_AMOUNT, unit=unit)
    return value


def _choice(value: str, choices: tuple[str, ...]) -> Any:
    """One of `choices` (a Literal's values, so the result is typed by the caller)."""
    wanted = value.strip().lower()
    for choice in choices:
        if choice == wanted:
            return choice
    raise BadInput("bad-fund-choice", value=value[:40], choices=", ".join(choices))


def ref_of(event_id: bytes) -> str:
    """The short number a person reads and types for a request or a pledge."""
    return event_id.hex()[:REF_SIZE]


def fingerprint(fund: Fund) -> str:
    """The ledger's head as four groups of four hex digits, for comparing in person."""
    text = fund.head.hex()[:16] if fund.head else "0" * 16
    return " ".join(text[i : i + 4] for i in range(0, 16, 4))


def _find(ids: Iterable[org.EventId], ref: str) -> org.EventId:
    wanted = parse_digits(ref).strip().lower()
    found = [i for i in ids if len(wanted) >= 4 and i.hex().startswith(wanted)]
    if len(found) != 1:
        raise BadInput("unknown-fund-item", ref=wanted[:16])
    return found[0]


def _send(ws: Workspace, rt: CellRuntime, body: FundEvent) -> org.EventEnvelope:
    try:
        return runtime.send_event(ws, rt, body)
    except org.OrgError as exc:
        raise refused(exc) from None


def _cell(ws: Workspace, cell: str) -> CellRuntime:
    rt = find_cell(ws, cell)
    rt.require_group()
    return rt


def _checked_text(text: str, limit: int = 200) -> str:
    cleaned = text.strip()[:limit]
    try:
        check_text(cleaned)
    except org.OrgError as exc:
        raise refused(exc) from None
    return cleaned


# --- acts -----------------------------------------------------------------------------


def contribute(
    ws: Workspace, cell: str, amount: str, *, holding: str = "cash", note: str = ""
) -> str:
    """Money, goods (valued in the unit) or a pledge into the fund; its number."""
    rt = _cell(ws, cell)
    fund = rt.org.fund
    body = Contributed(
        fund.prev,
        _choice(holding, HOLDINGS),
        parse_amount(amount, fund.rules.unit),
        _checked_text(note),
    )
    return ref_of(_send(ws, rt, body).event_id)


def keep_pledge(ws: Workspace, cell: str, ref: str, amount: str) -> None:
    rt = _cell(ws, cell)
    fund = rt.org.fund
    pledge = _find(fund.pledges, ref)
    _send(ws, rt, PledgeKept(fund.prev, pledge, parse_amount(amount, fund.rules.unit)))


def request(
    ws: Workspace,
    cell: str,
    family: str,
    category: str,
    amount: str,
    *,
    urgency: str = "normal",
    note: str = "",
) -> str:
    """A hardship request for the family known by the code name `family`; its number."""
    rt = _cell(ws, cell)
    fund = rt.org.fund
    pseudonym = _checked_text(clean_or_refuse(family), 64)
    body = HardshipRequested(
        fund.prev,
        pseudonym,
        _choice(category, CATEGORIES),
        parse_amount(amount, fund.rules.unit),
        _choice(urgency, URGENCIES),
        _checked_text(note),
    )
    return ref_of(_send(ws, rt, body).event_id)


def approve(ws: Workspace, cell: str, ref: str) -> None:
    """Approve a hardship request or a change of the rules (never one's own)."""
    rt = _cell(ws, cell)
    fund = rt.org.fund
    subject = _find([*fund.requests, *fund.changes], ref)
    _send(ws, rt, RequestApproved(fund.prev, subject))


def disburse(ws: Workspace, cell: str, ref: str, amount: str, *, holding: str = "cash") -> None:
    """Pay (part of) an approved request; pay again later to top it up."""
    rt = _cell(ws, cell)
    fund = rt.org.fund
    subject = _find(fund.requests, ref)
    body = Disbursed(
        fund.prev,
        subject,
        _choice(holding, ("cash", "in-kind")),
        parse_amount(amount, fund.rules.unit),
    )
    _send(ws, rt, body)


def set_rules(
    ws: Workspace,
    cell: str,
    *,
    unit: str = "toman",
    cap: str = "0",
    period_days: str = "30",
    threshold: str = "0",
    priorities: Iterable[str] = (),
) -> str:
    """Propose new rules (they hold once other members approve them); its number."""
    rt = _cell(ws, cell)
    fund = rt.org.fund
    chosen_unit = _choice(unit, UNITS)
    days = _whole(period_days, chosen_unit, low=1, high=366)
    rules = FundRules(
        chosen_unit,
        _whole(cap, chosen_unit),
        days,
        _whole(threshold, chosen_unit),
        tuple(_choice(p, CATEGORIES) for p in priorities),
    )
    return ref_of(_send(ws, rt, FundRulesSet(fund.prev, rules)).event_id)


def _whole(text: str, unit: str, *, low: int = 0, high: int = MAX_AMOUNT) -> int:
    if parse_digits(text).strip() in {"", "0"} and low == 0:
        return 0
    value = parse_amount(text, unit)
    if not low <= value <= high:
        raise BadInput("bad-amount", limit=high, unit=unit)
    return value


# --- views ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RequestView:
    ref: str
    family: str
    category: str
    amount: int
    urgency: str
    note: str
    paid: int
    approvals: int
    needed: int
    requester: str
    at: int
    mine: bool
    #: This member may approve it now (not theirs, not yet approved by them, not done).
    can_approve: bool

    @property
    def approved(self) -> bool:
        return self.approvals >= self.needed

    @property
    def left(self) -> int:
        return self.amount - self.paid


@dataclass(frozen=True, slots=True)
class FundView:
    unit: str
    balances: dict[Account, int]
    fingerprint: str
    broken: bool
    entries: int
    rules: FundRules
    #: Requests not fully paid, in the rules' order (urgency, then the priorities).
    open_requests: list[RequestView]
    paid_requests: list[RequestView]
    #: Rules changes waiting for approval: (ref, rules, approvals, needed, mine).
    rule_changes: list[tuple[str, FundRules, int, int, bool]]
    #: Pledges not fully kept: (ref, pledged, kept).
    pledges: list[tuple[str, int, int]]


def _request_view(rt: CellRuntime, r: Request, me: int) -> RequestView:
    mine = int(r.requester) == me
    can = not mine and me >= 0 and me not in r.approvers and not r.approved
    return RequestView(
        ref_of(r.request_id),
        r.family,
        r.category,
        r.amount,
        r.urgency,
        r.note,
        r.paid,
        len(r.approvers),
        r.needed,
        rt.org.cover_name(r.requester) or "?",
        r.at,
        mine,
        can,
    )


def show(ws: Workspace, cell: str) -> FundView:
    """The fund as this member's log folds it (the chain is verified by that fold)."""
    rt = find_cell(ws, cell)
    fund = rt.org.fund
    me = rt.own_leaf if rt.active else -1
    priorities = fund.rules.priorities

    def order(r: Request) -> tuple[int, int, int, bytes]:
        rank = priorities.index(r.category) if r.category in priorities else len(priorities)
        return (_URGENCY_RANK.get(r.urgency, 3), rank, r.at, r.request_id)

    requests = sorted(fund.requests.values(), key=order)
    return FundView(
        fund.rules.unit,
        {a: fund.balance(a) for a in ACCOUNTS},
        fingerprint(fund),
        fund.broken is not None,
        fund.count,
        fund.rules,
        [_request_view(rt, r, me) for r in requests if r.open],
        [_request_view(rt, r, me) for r in requests if not r.open],
        [
            (ref_of(c.rules_id), c.rules, len(c.approvers), c.needed, int(c.proposer) == me)
            for c in fund.changes.values()
        ],
        [
            (ref_of(p.pledge_id), p.amount, p.kept)
            for p in fund.pledges.values()
            if p.kept < p.amount
        ],
    )


# --- the monthly report ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonthReport:
    """One Jalali month of the fund: what came in and went out, and the balances at its
    end. Family code names only."""

    year: int
    month: int
    unit: str
    contributed: dict[str, int]
    pledges_kept: int
    disbursed: int
    #: Per family code name, what it received this month.
    families: dict[str, int]
    requests_opened: int
    #: Balances at the end of the month.
    closing: dict[Account, int]
    broken: bool


def months(ws: Workspace, cell: str) -> list[tuple[int, int]]:
    """The Jalali months with fund entries, newest first."""
    rt = find_cell(ws, cell)
    month_of = month_reader()
    return sorted({month_of(e.at) for e in entries(rt.org.fund)}, reverse=True)


def report(ws: Workspace, cell: str, year: int, month: int) -> MonthReport:
    rt = find_cell(ws, cell)
    fund = rt.org.fund
    contributed = dict.fromkeys(HOLDINGS, 0)
    families: dict[str, int] = {}
    closing = dict.fromkeys(ACCOUNTS, 0)
    kept = disbursed = opened = 0
    month_of = month_reader()
    for entry in entries(fund):
        when = month_of(entry.at)
        if when > (year, month):
            break
        for account, amount in entry.postings:
            closing[account] += amount
        if when != (year, month):
            continue
        kept, disbursed, opened = _count(
            fund, entry, contributed, families, kept, disbursed, opened
        )
    return MonthReport(
        year,
        month,
        fund.rules.unit,
        contributed,
        kept,
        disbursed,
        families,
        opened,
        closing,
        fund.broken is not None,
    )


def _count(
    fund: Fund,
    entry: Entry,
    contributed: dict[str, int],
    families: dict[str, int],
    kept: int,
    disbursed: int,
    opened: int,
) -> tuple[int, int, int]:
    amount = max((a for _, a in entry.postings), default=0)
    if entry.kind in contributed:
        contributed[entry.kind] += amount
    elif entry.kind == "pledge-kept":
        kept += amount
    elif entry.kind == "disburse":
        disbursed += amount
        req = fund.requests.get(entry.subject)
        family = req.family if req is not None else "?"
        families[family] = families.get(family, 0) + amount
    elif entry.kind == "request":
        opened += 1
    return kept, disbursed, opened


# --- Beancount ------------------------------------------------------------------------


def _quoted(text: str) -> str:
    """A Beancount string: no quote, backslash, line break or control character from
    another member's text can end it or start a directive."""
    plain = "".join(ch if ch.isprintable() else " " for ch in text)
    return '"' + plain.replace("\\", "/").replace('"', "'") + '"'


def _day(at: int) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).date().isoformat()


def beancount(ws: Workspace, cell: str) -> str:
    """The ledger as Beancount text (dates in UTC, the unit as the commodity, each entry's
    number and chain hash as metadata; requests, approvals and rules as notes)."""
    rt = find_cell(ws, cell)
    fund = rt.org.fund
    unit = fund.rules.unit.upper()
    lines = [f'option "operating_currency" "{unit}"', ""]
    all_entries = list(entries(fund))
    start = _day(all_entries[0].at) if all_entries else "2000-01-01"
    lines += [f"{start} open {account} {unit}" for account in ACCOUNTS]
    lines.append("")
    for entry in all_entries:
        day = _day(entry.at)
        ref = ref_of(entry.event_id)
        if entry.postings:
            title = entry.kind
            if entry.kind == "disburse":
                req = fund.requests.get(entry.subject)
                title = f"disburse {req.family if req else '?'} #{ref_of(entry.subject)}"
            lines.append(f"{day} * {_quoted(title)} {_quoted(entry.note)}")
            lines.append(f'  ref: "{ref}"')
            for account, amount in entry.postings:
                lines.append(f"  {account}  {amount} {unit}")
        else:
            text = f"{entry.kind} #{ref_of(entry.subject)}"
            req = fund.requests.get(entry.subject)
            if entry.kind == "request" and req is not None:
                text = f"request #{ref} {req.family} {req.category} {req.amount} {req.urgency}"
            lines.append(f"{day} note Expenses:Hardship {_quoted(text)}")
        lines.append("")
    lines.append(f"; fingerprint {fingerprint(fund)}{' BROKEN' if fund.broken else ''}")
    return "\n".join(lines) + "\n"
