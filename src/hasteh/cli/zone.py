"""`hasteh time-zone [NAME]`: the time zone this profile reads deadlines in.

    hasteh time-zone              # show it (Asia/Tehran unless changed)
    hasteh time-zone UTC          # Tails runs in UTC: say so, and deadlines follow
    hasteh time-zone Asia/Tehran

Stored in the vault (`records.time_zone`); the web face's Settings → Time page sets the
same value.
"""

from __future__ import annotations

import typer

from hasteh.app import records
from hasteh.cli.common import _print, _workspace
from hasteh.cli.options import explain, fail, handles_errors, step_text
from hasteh.i18n import _
from hasteh.jalali import TimeInputError

NameArgument = typer.Argument(
    None, help=_("An IANA time zone name, such as Asia/Tehran or UTC (empty: show it).")
)


@handles_errors
def time_zone(name: str | None = NameArgument) -> None:
    """Show or set the time zone deadlines are read in."""
    with _workspace() as ws:
        if name:
            try:
                ws.vault.write(lambda conn: records.set_time_zone(conn, name.strip()))
            except TimeInputError as exc:
                raise fail(explain(exc), step_text(exc)) from None
        current = ws.vault.read(records.time_zone_name)
    _print(_("Deadlines are read in this time zone: {zone}").format(zone=current))


def register(app: typer.Typer) -> None:
    app.command("time-zone", help=_("Show or set the time zone deadlines are read in."))(time_zone)
