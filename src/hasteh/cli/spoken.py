"""Spoken-code invitations: `hasteh code` (the newcomer) and `hasteh propose-code` (a
member), and `hasteh rendezvous` (the relays where the two devices meet).

A thin shell over `hasteh.app.spoken`; see docs/cells.md, "Invitations by a spoken code".
"""

from __future__ import annotations

import sys
from contextlib import ExitStack

import typer

from hasteh.cli.common import CellArgument, _n, _print, _workspace, when
from hasteh.cli.options import explain, handles_errors
from hasteh.i18n import _, whole_number

WelcomeRelaysOption = typer.Option(
    [], "--relay", help=_("Relay for your welcome; repeat for more (default: the rendezvous one).")
)
CodeArgument = typer.Argument(..., help=_("The code as you hear it: a number and three words."))
UrlsArgument = typer.Argument(None, help=_("New rendezvous relay URLs, in order."))
LanOption = typer.Option(
    None,
    "--lan",
    help=_(
        "Meet the member's device directly on this local network: this computer's IP "
        "address there (opt-in; no relay needed)."
    ),
)
RendezvousOption = typer.Option(
    [], "--rendezvous", help=_("Rendezvous relay URL for this run; repeat for more.")
)


def _number(value: str, what: str) -> int:
    number = whole_number(value)
    if number is None:
        raise typer.BadParameter(_("{what} must be a whole number.").format(what=what))
    return number


def _say(text: str) -> None:
    _print(text)
    sys.stdout.flush()


def _show_check(words: tuple[str, ...]) -> None:
    _say(
        _("Check words (the other screen must show the same): {words}").format(
            words=" - ".join(words)
        )
    )


@handles_errors
def code(
    cover_name: str = typer.Option(..., "--as", help=_("Your cover name in the cell you join.")),
    relay: list[str] = WelcomeRelaysOption,
    days: str = typer.Option("7", "--days", help=_("Days the invitation stays valid (1-30).")),
    minutes: str = typer.Option("10", "--minutes", help=_("Minutes the code lives (1-10).")),
    rendezvous: list[str] = RendezvousOption,
    lan: str | None = LanOption,
) -> None:
    """Show a spoken code to read aloud to a member, in person, and wait for them."""

    with ExitStack() as stack:
        if lan is not None:
            from hasteh.relay.errors import RelayError
            from hasteh.relay.local import lan_rendezvous

            try:
                url = stack.enter_context(lan_rendezvous(lan))
            except RelayError as exc:
                raise typer.BadParameter(explain(exc)) from None
            _say(
                _(
                    "This computer now listens on the local network until the code is used "
                    "or expires; anyone on this network can see that it runs hasteh."
                )
            )
            _say(_("The member adds: --rendezvous {url}").format(url=url))
            rendezvous = [url]
        _offer(cover_name, relay, days, minutes, rendezvous)


def _offer(
    cover_name: str, relay: list[str], days: str, minutes: str, rendezvous: list[str]
) -> None:
    from hasteh.app import spoken

    def show(text: str, expires_at: int) -> None:
        _say(_("Your code: {code}").format(code=text))
        _say(
            _("Read it aloud to the member, in person; it works once, until {time}.").format(
                time=when(expires_at)
            )
        )

    with _workspace() as ws:
        done = spoken.offer(
            ws,
            cover_name,
            on_code=show,
            on_check=_show_check,
            relays=relay or None,
            days=_number(days, "--days"),
            minutes=_number(minutes, "--minutes"),
            rendezvous=rendezvous or None,
        )
    _say(
        _("{member} proposed you to the cell {cell}. Run `hasteh join` until you are in.").format(
            member=done.proposer, cell=done.cell
        )
    )
    if done.retired_cards:
        _say(
            _("{n} earlier card(s) of yours can no longer be used to add you.").format(
                n=_n(done.retired_cards)
            )
        )


@handles_errors
def propose_code(
    cell: str = CellArgument,
    words: list[str] = CodeArgument,
    rendezvous: list[str] = RendezvousOption,
) -> None:
    """Propose a newcomer by the spoken code they read to you, in person."""
    from hasteh.app import spoken

    with _workspace() as ws:
        taken = spoken.take(
            ws, cell, " ".join(words), on_check=_show_check, rendezvous=rendezvous or None
        )
    _say(
        _("{name} was proposed. Another member must vouch; then the cell approves.").format(
            name=taken.view.cover_name
        )
    )


@handles_errors
def rendezvous_relays(
    urls: list[str] = UrlsArgument,
    reset: bool = typer.Option(False, "--reset", help=_("Return to the list shipped with hasteh.")),
) -> None:
    """Show or set the rendezvous relays where spoken codes meet (both devices need the
    same list)."""
    from hasteh.app import records
    from hasteh.app.cards import check_relay

    with _workspace() as ws:
        if reset:
            ws.vault.write(lambda conn: records.set_rendezvous_relays(conn, []))
        elif urls:
            chosen = [check_relay(u) for u in urls]
            ws.vault.write(lambda conn: records.set_rendezvous_relays(conn, chosen))
        current = ws.vault.read(records.rendezvous_relays)
    for url in current:
        _print(url)


def register(app: typer.Typer) -> None:
    app.command("code", help=_("Show a spoken code to read aloud to a member, in person."))(code)
    app.command("propose-code", help=_("Propose a newcomer by the spoken code they read to you."))(
        propose_code
    )
    app.command("rendezvous", help=_("Show or set the rendezvous relays where spoken codes meet."))(
        rendezvous_relays
    )
