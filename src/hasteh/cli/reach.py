"""`hasteh reach`: the transport ladder (what reaches the relays now, and what to do next),
and the in-country relay opt-in; `hasteh reach relays CELL`: a cell's relays and when each
last answered. A thin shell over `hasteh.app.reach`.
"""

from __future__ import annotations

import typer

from hasteh.app import reach as app_reach
from hasteh.cli.common import CellArgument, _print, _workspace, when
from hasteh.cli.options import handles_errors
from hasteh.i18n import _

RelayUrlArgument = typer.Argument(..., help=_("The relay's address (http:// or https://)."))
UnderstoodOption = typer.Option(
    False,
    "--i-understand",
    help=_("Say that you read the warning: a direct connection shows who connects to whom."),
)

#: How each rung's state is shown.
STATES = {
    app_reach.WORKS: "works now",
    app_reach.FAILS: "does not work now",
    app_reach.NOT_SET_UP: "not set up",
    app_reach.OFF: "off",
    app_reach.NONE: "not used",
    app_reach.READY: "always possible",
}


@handles_errors
def show() -> None:
    """Probe every relay you use and show, top (safest) first, what works now."""
    with _workspace() as ws:
        found = app_reach.ladder(ws)
    for i, rung in enumerate(found.rungs, 1):
        _print(f"{i}. {rung.title}: {_(STATES[rung.state])}")
        _print("   " + rung.detail)
        _print("   " + _("Next: {step}").format(step=rung.step))
    _print("")
    _print(found.now)


@handles_errors
def relays(cell: str = CellArgument) -> None:
    """The cell's relays, the ordering one first, and when each last answered you."""
    with _workspace() as ws:
        rows = app_reach.relay_rows(ws, cell)
    for row in rows:
        _print(_relay_line(row))


def _relay_line(row: app_reach.RelayRow) -> str:
    marks = []
    if row.ordering:
        marks.append(_("orders the messages"))
    if row.local:
        marks.append(_("local, reached directly"))
    if row.down:
        marks.append(_("not answering since {date}").format(date=when(row.failed_at or 0)))
    elif row.answered_at is not None:
        marks.append(_("answered {date}").format(date=when(row.answered_at)))
    else:
        marks.append(_("not contacted yet"))
    return f"{row.url}  ({'; '.join(marks)})"


@handles_errors
def local_on(
    cell: str = CellArgument,
    url: str = RelayUrlArgument,
    understood: bool = UnderstoodOption,
) -> None:
    """Also use a relay inside the country or on your local network for this cell."""
    if not understood:
        _print(_(app_reach.LOCAL_WARNING))
    with _workspace() as ws:
        relay = app_reach.opt_in_local(ws, cell, url, understood=understood)
    _print(_("This cell now also uses {relay}, reached directly.").format(relay=relay))
    _print(_(app_reach.LOCAL_WARNING))


@handles_errors
def local_off(cell: str = CellArgument, url: str = RelayUrlArgument) -> None:
    """Stop using a local relay for this cell."""
    with _workspace() as ws:
        app_reach.opt_out_local(ws, cell, url)
    _print(_("This cell no longer uses that local relay."))


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help=_("How your cells reach their relays now, and what to do next."),
        invoke_without_command=True,
        rich_markup_mode=None,
    )

    @group.callback()
    def ladder(ctx: typer.Context) -> None:
        """Show the transport ladder (with no subcommand)."""
        if ctx.invoked_subcommand is None:
            show()

    group.command("relays", help=_("A cell's relays and when each last answered."))(relays)
    group.command("local", help=_("Opt a cell into an in-country or local relay."))(local_on)
    group.command("local-off", help=_("Stop using a local relay for a cell."))(local_off)
    app.add_typer(group, name="reach")
