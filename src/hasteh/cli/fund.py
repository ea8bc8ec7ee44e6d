"""`hasteh fund`: the cell's solidarity fund from the command line. A thin shell over
`hasteh.app.fund`: amounts in Persian or Latin digits, requests and pledges by the number
`fund show` prints, families by code name only (a card or account number is refused).
"""

from __future__ import annotations

from pathlib import Path

import typer

from hasteh.app import fund as app_fund
from hasteh.cli.common import CellArgument, _n, _print, _workspace, when
from hasteh.cli.options import handles_errors
from hasteh.i18n import _
from hasteh.jalali import month_text

AmountArgument = typer.Argument(
    ..., help=_("The amount, a whole number (Persian or Latin digits).")
)
RefArgument = typer.Argument(..., help=_("The request's or pledge's number from `fund show`."))
HoldingOption = typer.Option("cash", "--kind", help=_("cash, in-kind or pledge."))
NoteOption = typer.Option("", "--note", help=_("What it is (never a name, card or account)."))

FamilyArgument = typer.Argument(..., help=_("The family's code name (never a real name)."))
CategoryArgument = typer.Argument(..., help=_("food, rent, medical, legal or other."))
UrgencyOption = typer.Option("normal", "--urgency", help=_("normal, urgent or critical."))
PayKindOption = typer.Option("cash", "--kind", help=_("cash or in-kind."))
UnitOption = typer.Option("toman", "--unit", help=_("toman or rial."))
CapOption = typer.Option("0", "--cap", help=_("Most one family receives per period (0: none)."))
PeriodOption = typer.Option("30", "--period-days", help=_("The period of the cap, in days."))
PriorityOption = typer.Option([], "--priority", help=_("A category, first first."))
OutOption = typer.Option(..., "--out", help=_("The file to write (Beancount text)."))
ThresholdOption = typer.Option(
    "0", "--threshold", help=_("Above this, a request needs two approvers (0: never).")
)

#: How the faces name accounts, categories and urgencies (gettext msgids).
ACCOUNT_NAMES = {
    "Assets:Cash": "Cash",
    "Assets:InKind": "In kind",
    "Assets:Pledges": "Pledged, not yet paid",
    "Income:Contributions": "Contributed",
    "Income:Pledges": "Pledges made",
    "Expenses:Hardship": "Paid to families",
}


def _money(value: int, unit: str) -> str:
    return f"{_n(value)} {_(unit)}"


@handles_errors
def show(cell: str = CellArgument) -> None:
    """Balances, open requests (most urgent first), pledges and the ledger's fingerprint."""
    with _workspace() as ws:
        view = app_fund.show(ws, cell)
    if view.broken:
        _print(_("The fund's ledger is broken: an entry was edited or dropped."))
    _print(_("Fingerprint: {fp} ({n} entries)").format(fp=view.fingerprint, n=_n(view.entries)))
    for account, amount in view.balances.items():
        if account.startswith("Assets") or account.startswith("Expenses"):
            _print(f"{_(ACCOUNT_NAMES[account])}: {_money(amount, view.unit)}")
    for r in view.open_requests:
        _print(
            _(
                "#{ref} {family} ({category}, {urgency}): {paid} of {amount} paid, "
                "approvals {have}/{need}, asked by {who} {at}"
            ).format(
                ref=r.ref,
                family=r.family,
                category=_(r.category),
                urgency=_(r.urgency),
                paid=_n(r.paid),
                amount=_money(r.amount, view.unit),
                have=_n(r.approvals),
                need=_n(r.needed),
                who=r.requester,
                at=when(r.at),
            )
        )
    for ref, pledged, kept in view.pledges:
        _print(
            _("pledge #{ref}: {kept} of {amount} paid").format(
                ref=ref, kept=_n(kept), amount=_money(pledged, view.unit)
            )
        )
    for ref, rules, have, need, _mine in view.rule_changes:
        _print(
            _(
                "rules #{ref} waiting: cap {cap}, threshold {threshold}, approvals {have}/{need}"
            ).format(
                ref=ref,
                cap=_n(rules.cap),
                threshold=_n(rules.threshold),
                have=_n(have),
                need=_n(need),
            )
        )


@handles_errors
def give(
    cell: str = CellArgument,
    amount: str = AmountArgument,
    kind: str = HoldingOption,
    note: str = NoteOption,
) -> None:
    """Record money, goods or a pledge given to the fund."""
    with _workspace() as ws:
        ref = app_fund.contribute(ws, cell, amount, holding=kind, note=note)
    _print(_("Recorded as #{ref}. Run `hasteh sync` to send.").format(ref=ref))


@handles_errors
def kept(cell: str = CellArgument, ref: str = RefArgument, amount: str = AmountArgument) -> None:
    """Record that (part of) a pledge was paid in cash."""
    with _workspace() as ws:
        app_fund.keep_pledge(ws, cell, ref, amount)
    _print(_("Recorded. Run `hasteh sync` to send."))


@handles_errors
def ask(
    cell: str = CellArgument,
    family: str = FamilyArgument,
    category: str = CategoryArgument,
    amount: str = AmountArgument,
    urgency: str = UrgencyOption,
    note: str = NoteOption,
) -> None:
    """Ask the fund to help a family (by its code name)."""
    with _workspace() as ws:
        ref = app_fund.request(ws, cell, family, category, amount, urgency=urgency, note=note)
    _print(_("Recorded as #{ref}. Run `hasteh sync` to send.").format(ref=ref))


@handles_errors
def approve(cell: str = CellArgument, ref: str = RefArgument) -> None:
    """Approve another member's request or change of the rules."""
    with _workspace() as ws:
        app_fund.approve(ws, cell, ref)
    _print(_("Recorded. Run `hasteh sync` to send."))


@handles_errors
def pay(
    cell: str = CellArgument,
    ref: str = RefArgument,
    amount: str = AmountArgument,
    kind: str = PayKindOption,
) -> None:
    """Pay (part of) an approved request; pay again later to top it up."""
    with _workspace() as ws:
        app_fund.disburse(ws, cell, ref, amount, holding=kind)
    _print(_("Recorded. Run `hasteh sync` to send."))


@handles_errors
def rules(
    cell: str = CellArgument,
    unit: str = UnitOption,
    cap: str = CapOption,
    period: str = PeriodOption,
    threshold: str = ThresholdOption,
    priority: list[str] = PriorityOption,
) -> None:
    """Propose new rules for the fund (they hold once other members approve them)."""
    with _workspace() as ws:
        ref = app_fund.set_rules(
            ws,
            cell,
            unit=unit,
            cap=cap,
            period_days=period,
            threshold=threshold,
            priorities=priority,
        )
    _print(_("Recorded as #{ref}. Run `hasteh sync` to send.").format(ref=ref))


@handles_errors
def report(cell: str = CellArgument) -> None:
    """The monthly report: what came in and went out each Jalali month."""
    with _workspace() as ws:
        found = [app_fund.report(ws, cell, y, m) for y, m in app_fund.months(ws, cell)]
    for rep in found:
        _print(month_text(rep.year, rep.month))
        _print(
            "  "
            + _("In: {cash} cash, {kind} in kind, {pledge} pledged").format(
                cash=_n(rep.contributed["cash"]),
                kind=_n(rep.contributed["in-kind"]),
                pledge=_n(rep.contributed["pledge"]),
            )
        )
        _print(
            "  "
            + _("Out: {amount} to {families} families").format(
                amount=_n(rep.disbursed), families=_n(len(rep.families))
            )
        )
        _print(
            "  "
            + _("Cash at the end of the month: {amount}").format(
                amount=_money(rep.closing["Assets:Cash"], rep.unit)
            )
        )


@handles_errors
def export(
    cell: str = CellArgument,
    out: Path = OutOption,
) -> None:
    """Write the fund's ledger as Beancount text (code names only)."""
    with _workspace() as ws:
        text = app_fund.beancount(ws, cell)
    out.write_text(text, encoding="utf-8")
    _print(_("Written: {path}").format(path=str(out)))


def register(app: typer.Typer) -> None:
    group = typer.Typer(help=_("The cell's solidarity fund."), rich_markup_mode=None)
    group.command("show", help=_("Balances, open requests and the fingerprint."))(show)
    group.command("give", help=_("Record money, goods or a pledge given."))(give)
    group.command("kept", help=_("Record a pledge paid."))(kept)
    group.command("ask", help=_("Ask for help for a family."))(ask)
    group.command("approve", help=_("Approve a request or rules."))(approve)
    group.command("pay", help=_("Pay or top up an approved request."))(pay)
    group.command("rules", help=_("Propose the fund's rules."))(rules)
    group.command("report", help=_("The monthly report."))(report)
    group.command("export", help=_("The ledger as Beancount text."))(export)
    app.add_typer(group, name="fund")
