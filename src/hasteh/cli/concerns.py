"""When something is wrong: object to a newcomer, raise an alarm, review a seizure.

    hasteh object bakery reza --reason "nobody here knows him"
    hasteh alarm bakery safety-words-differ [--member kaveh] [--note "..."]
    hasteh cell seizures bakery
    hasteh cell review-seizure bakery kaveh --upheld | --not-upheld [--note "..."]

A thin shell over `hasteh.app.admission` and `hasteh.app.removal`; the same actions are
on the cell's page in the web app. Each prints what the cell will see and reminds to
`hasteh sync`.
"""

from __future__ import annotations

import typer

from hasteh.cli.common import (
    CellArgument,
    MemberArgument,
    NewcomerArgument,
    _print,
    _status,
    _workspace,
    when,
    zone_of,
)
from hasteh.cli.options import handles_errors
from hasteh.i18n import _

__all__ = ["register"]

_KINDS_HELP = _(
    "What is wrong: safety-words-differ (the six words were not the same for everyone), "
    "unknown-member (someone is not who they say), device-at-risk (a device may be "
    "watched or taken), or other (then say what in --note)."
)


@handles_errors
def object_to(
    cell: str = CellArgument,
    newcomer: str = NewcomerArgument,
    reason: str = typer.Option(..., "--reason", help=_("Why (every member of the cell sees it).")),
) -> None:
    """Object to a proposed newcomer. An objection counts against admission: with the
    rule "all members", one objection refuses the newcomer; with "all but one", two do.
    Object when you do not trust the newcomer, or when the card was not handed over in
    person."""
    from hasteh.app import admission

    with _workspace() as ws:
        view = admission.object_to(ws, cell, newcomer, reason)
    _status(view)


@handles_errors
def alarm(
    cell: str = CellArgument,
    kind: str = typer.Argument(..., help=_KINDS_HELP),
    member: str = typer.Option(
        "", "--member", help=_("The cover name of the member it is about, if any.")
    ),
    note: str = typer.Option("", "--note", help=_("What happened (every member sees it).")),
) -> None:
    """Raise an alarm by hand: every member sees it in red at the top of the cell, with
    your cover name. Raise one when the safety words differ after a membership change
    (someone may be in the middle), when someone is not who they say, or when a device
    may be in danger. Then meet in person; do not discuss it in the cell's chat."""
    from hasteh.app import removal

    with _workspace() as ws:
        removal.raise_alarm(ws, cell, kind.strip(), member=member, note=note)
    _print(_("Alarm raised. Run `hasteh sync` to send it, then meet in person."))


@handles_errors
def seizures(
    cell: str = CellArgument,
) -> None:
    """Reports of seized devices that the cell has not reviewed yet."""
    from hasteh.app import removal

    with _workspace() as ws:
        found = removal.pending_reviews(ws, cell)
        zone = zone_of(ws)
    if not found:
        _print(_("No seizure report waits for review."))
    for s in found:
        _print(
            _("{name}: reported seized by {by} on {date}.").format(
                name=s.cover_name, by=s.by_cover_name, date=when(s.at, zone)
            )
        )


@handles_errors
def review_seizure(
    cell: str = CellArgument,
    member: str = MemberArgument,
    upheld: bool = typer.Option(
        ...,
        "--upheld/--not-upheld",
        help=_(
            "--upheld: the device really was taken. --not-upheld: it was not, and the cell "
            "is alarmed about who reported it."
        ),
    ),
    note: str = typer.Option("", "--note", help=_("What the cell found (every member sees it).")),
) -> None:
    """Review a report that a member's device was seized. The report removed the member
    at once, without a vote; the cell checks afterwards whether it was true. A report
    not upheld raises an alarm that names who made it: an informer may have used it to
    push an honest member out. You cannot review your own report."""
    from hasteh.app import removal

    with _workspace() as ws:
        removal.review_seizure(ws, cell, member, upheld=upheld, note=note)
    if upheld:
        _print(_("You upheld the report. Run `hasteh sync` to send it."))
    else:
        _print(_("You did not uphold the report; every member will see an alarm."))


def register(app: typer.Typer, cell: typer.Typer) -> None:
    """Add `object` and `alarm` to the root app, `seizures` and `review-seizure` to
    `cell`. The help is translated here, when the command is looked up (`cli.main`), so it
    is in the language of the run."""
    app.command(
        "object",
        help=_(
            "Object to a proposed newcomer, with a reason every member sees. With the rule "
            "'all members', one objection refuses the newcomer; with 'all but one', two do. "
            "Object when you do not trust the newcomer, or when the card was not handed over "
            "in person."
        ),
        short_help=_("Object to a proposed newcomer."),
    )(object_to)
    app.command(
        "alarm",
        help=_(
            "Raise an alarm by hand: every member sees it in red at the top of the cell, "
            "with your cover name. Raise one when the safety words differ after a membership "
            "change (someone may be in the middle), when someone is not who they say, or when "
            "a device may be in danger. Then meet in person; do not discuss it in the cell's chat."
        ),
        short_help=_("Raise an alarm by hand."),
    )(alarm)
    cell.command(
        "seizures", help=_("Reports of seized devices that the cell has not reviewed yet.")
    )(seizures)
    cell.command(
        "review-seizure",
        help=_(
            "Review a report that a member's device was seized. The report removed the member "
            "at once, without a vote; the cell checks afterwards whether it was true. A report "
            "not upheld raises an alarm that names who made it: an informer may have used it "
            "to push an honest member out. You cannot review your own report."
        ),
        short_help=_("Say whether a seizure report was true."),
    )(review_seizure)
