"""`hasteh contact`: contacts with leading workers, kept on this device only. A thin
shell over `hasteh.app.contacts`: nothing here is sent to the cell or a relay."""

from __future__ import annotations

import typer

from hasteh.app import contacts as app_contacts
from hasteh.cli.common import CellArgument, _n, _print, _workspace
from hasteh.cli.options import handles_errors
from hasteh.i18n import _

CodeArgument = typer.Argument(..., help=_("The contact's code name (never a real name)."))


@handles_errors
def add(
    code_name: str = CodeArgument,
    workplace: str = typer.Option(
        "", "--workplace", help=_("The workplace's code (never its name or address).")
    ),
    notes: str = typer.Option("", "--notes", help=_("Notes, on this device only.")),
) -> None:
    """Record a contact on this device only."""
    with _workspace() as ws:
        found = app_contacts.add(ws, code_name, workplace=workplace, notes=notes)
    _print(_("{name} is kept on this device only.").format(name=found.code_name))


@handles_errors
def show() -> None:
    """Your contacts (this device only)."""
    with _workspace() as ws:
        found = app_contacts.list_contacts(ws)
    if not found:
        _print(_("No contacts on this device."))
        return
    for c in found:
        flag = "  " + _("(the cell sees this code name)") if c.shared else ""
        place = f"  [{c.workplace}]" if c.workplace else ""
        _print(f"{c.code_name}{place}{flag}")
        if c.notes:
            _print("  " + c.notes)
    _print(_("{n} contacts").format(n=_n(len(found))))


@handles_errors
def share(
    code_name: str = CodeArgument,
    off: bool = typer.Option(False, "--off", help=_("Stop letting the cell see it.")),
) -> None:
    """Let the cell see this contact's code name (never its workplace or notes)."""
    with _workspace() as ws:
        app_contacts.set_shared(ws, code_name, not off)
    _print(_("Saved on this device."))


@handles_errors
def forget(code_name: str = CodeArgument) -> None:
    """Delete a contact from this device."""
    with _workspace() as ws:
        app_contacts.forget(ws, code_name)
    _print(_("Deleted from this device."))


@handles_errors
def tell(cell: str = CellArgument) -> None:
    """Tell the cell how many contacts you keep, and the code names you chose to share."""
    with _workspace() as ws:
        count, names = app_contacts.tell(ws, cell)
    _print(
        _("The cell will see: {n} contacts{names}.").format(
            n=_n(count), names=(": " + ", ".join(names)) if names else ""
        )
    )
    _print(_("It is queued. Run `hasteh sync` to send it."))


@handles_errors
def give(
    code_name: str = CodeArgument,
    keep: bool = typer.Option(False, "--keep", help=_("Keep a copy on this device.")),
) -> None:
    """Hand a contact to a member in person: read the code aloud; they type it."""
    from hasteh.app import handover

    with _workspace() as ws:
        pending = handover.open_give(ws, code_name)
        try:
            _print(_("Read this code aloud to the member: {code}").format(code=pending.text()))
            handover.await_taken(
                pending,
                ws.now,
                on_check=lambda words: _print(
                    _("Check words (the same on both screens): {words}").format(
                        words=" ".join(words)
                    )
                ),
            )
        finally:
            handover.finish_give(ws, pending, keep=keep)
    _print(_("Handed over.") if not keep else _("A copy was handed over."))


@handles_errors
def take(code: str = typer.Argument(..., help=_("The number and three words you hear."))) -> None:
    """Receive a contact a member hands you in person, by the code they read aloud."""
    from hasteh.app import handover

    with _workspace() as ws:
        kept = handover.take_contact(
            ws,
            code,
            on_check=lambda words: _print(
                _("Check words (the same on both screens): {words}").format(words=" ".join(words))
            ),
        )
    _print(_("{name} is kept on this device only.").format(name=kept.code_name))


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help=_("Contacts with leading workers, on this device only."),
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    group.command("add", help=_("Record a contact on this device only."))(add)
    group.command("list", help=_("Your contacts (this device only)."))(show)
    group.command("share", help=_("Let the cell see a contact's code name."))(share)
    group.command("forget", help=_("Delete a contact from this device."))(forget)
    group.command("tell", help=_("Tell a cell the count and the shared code names."))(tell)
    group.command("give", help=_("Hand a contact to a member in person (a spoken code)."))(give)
    group.command("take", help=_("Receive a contact by the code a member reads aloud."))(take)
    app.add_typer(group, name="contact")
