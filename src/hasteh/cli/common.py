"""What the cell commands share (`cli.cells`, `cli.concerns`): arguments, printing, the
workspace a command opens, dates in the UI language.

Its own module so the command modules import it rather than each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from hasteh.app import records
from hasteh.app.profile import Workspace
from hasteh.cli.options import ENV_PASSPHRASE, read_secret, working
from hasteh.cli.profile import profile
from hasteh.cli.tor import reach
from hasteh.i18n import _, current_language, display_number
from hasteh.jalali import short_moment
from hasteh.vault import unlock

if TYPE_CHECKING:
    from hasteh.app.admission import AdmissionView

__all__ = [
    "CellArgument",
    "MemberArgument",
    "NewcomerArgument",
    "_n",
    "_print",
    "_status",
    "_workspace",
    "out",
    "when",
]

out = Console()

CellArgument = typer.Argument(..., help=_("The cell: its name, or the id shown by `cell list`."))
MemberArgument = typer.Argument(..., help=_("The member's cover name in this cell."))
NewcomerArgument = typer.Argument(..., help=_("The newcomer's cover name (from their card)."))


def _print(text: str) -> None:
    out.print(text, markup=False, highlight=False, soft_wrap=True)


def _n(value: int) -> str:
    return display_number(value)


def when(ts: int, zone: tzinfo | None = None) -> str:
    """A date for display, in `zone` (the profile's, `zone_of`; None: this computer's):
    Jalali with Persian digits in Persian, ISO otherwise."""
    if current_language() == "fa":
        return short_moment(ts, zone)
    return datetime.fromtimestamp(ts, zone).strftime("%Y-%m-%d %H:%M")


def zone_of(ws: Workspace) -> tzinfo:
    """The profile's time zone (`hasteh time-zone`), for `when`."""
    return ws.vault.read(records.time_zone)


@contextmanager
def _workspace() -> Iterator[Workspace]:
    """The unlocked profile of the root's `--home` (`cli.profile`), as the app's workspace."""
    chosen = profile()
    passphrase = read_secret(chosen.passphrase_file, ENV_PASSPHRASE, _("Passphrase"), confirm=False)
    with working():
        vault = unlock(chosen.home, passphrase)
    with reach(vault) as how:
        ws = Workspace(vault, proxy_source=how.proxy)
        try:
            yield ws
        finally:
            ws.close()


def _status(view: AdmissionView) -> None:
    _print(
        _("{name}: approvals {have}/{need}, vouchers {v}. Run `hasteh sync` to send.").format(
            name=view.cover_name, have=_n(view.approvals), need=_n(view.needed), v=_n(view.vouchers)
        )
    )
    _print(view.needs)
