"""Cell commands: a thin shell over `hasteh.app` (create, cards, admission, join, talk,
decisions, removal, seized, alarms, safety words). `hasteh sync` is `cli.transport`'s.

Every command works on the root's `--home` and passphrase (`cli.profile`: hidden prompt,
`HASTEH_PASSPHRASE` or `--passphrase-file`). A `HastehError` becomes its message and a
next step on stderr, and exit code 1. Numbers are shown in the UI language's digits and
dates in the Jalali calendar when the language is Persian; any digits are accepted.
"""

from __future__ import annotations

import os
from datetime import tzinfo
from pathlib import Path

import typer

from hasteh.cli import concerns
from hasteh.cli.common import (
    CellArgument,
    MemberArgument,
    NewcomerArgument,
    _n,
    _print,
    _status,
    _workspace,
    when,
    zone_of,
)
from hasteh.cli.options import (
    handles_errors,
)
from hasteh.i18n import (
    _,
    whole_number,
)

RelaysOption = typer.Option([], "--relay", help=_("Relay URL; repeat for more."))
OutOption = typer.Option(None, "--out", help=_("Also write the card as a QR image (PNG)."))
ImageOption = typer.Option(
    None, "--image", help=_("A photo or image file of the card's QR code, instead of the code.")
)
OptionsOption = typer.Option([], "--option", help=_("An option; repeat for more."))
ChoicesArgument = typer.Argument(None, help=_("Options (number or text), in order of preference."))
DeadlineOption = typer.Option(
    "three-days",
    "--deadline",
    help=_(
        "When it closes: evening, tomorrow, three-days or week (at 21:00), or a date such "
        "as «۲۰ آذر», «۲۰ آذر ۱۸:۰۰» or year/month/day, in the profile's time zone."
    ),
)


def _read_image(path: Path) -> bytes:
    """An image file, read no further than a card image may be."""
    from hasteh.app.cards import MAX_IMAGE_BYTES

    try:
        with path.open("rb") as f:
            return f.read(MAX_IMAGE_BYTES + 1)
    except OSError:
        raise typer.BadParameter(_("The image file cannot be read.")) from None


def _int(value: str, what: str) -> int:
    number = whole_number(value)
    if number is None:
        raise typer.BadParameter(_("{what} must be a whole number.").format(what=what))
    return number


# --- cell ----------------------------------------------------------------------------------


@handles_errors
def cell_create(
    name: str = typer.Argument(..., help=_("The cell's name (seen only by its members).")),
    cover_name: str = typer.Option(..., "--as", help=_("Your cover name in this cell.")),
    cap: str = typer.Option("5", "--cap", help=_("Most members (at most 7).")),
    admission: str = typer.Option(
        "all", "--admission", help=_("Who must approve a newcomer: all or all-but-one.")
    ),
    expiry_days: str | None = typer.Option(
        None, "--expiry-days", help=_("Days before chat expires (default 14).")
    ),
    relay: list[str] = RelaysOption,
) -> None:
    """Create a cell with you as its first member."""
    from hasteh.app import cells

    with _workspace() as ws:
        rt = cells.create_cell(
            ws,
            name,
            cover_name=cover_name,
            relays=relay or None,
            cap=_int(cap, "--cap"),
            admission=admission,
            expiry_days=None if expiry_days is None else _int(expiry_days, "--expiry-days"),
        )
        _print(_("Cell {name} created (id {id}).").format(name=rt.name, id=rt.group_id.hex()[:8]))
        _print(_("Next: a newcomer runs `hasteh card` and hands you the card in person."))


@handles_errors
def cell_list() -> None:
    """Your cells."""
    from hasteh.app import cells

    with _workspace() as ws:
        found = cells.list_cells(ws)
    if not found:
        _print(_("No cells yet. Create one with `hasteh cell create`, or join with a card."))
    for c in found:
        state = (
            _("removed")
            if c.removed
            else _("{n}/{cap} members").format(n=_n(c.members), cap=_n(c.cap))
        )
        line = f"{c.cell_id}  {c.name}  ({state})  {_('you are')} {c.my_cover_name}"
        if c.alarms:
            line += "  " + _("ALARMS: {n}").format(n=_n(c.alarms))
        _print(line)


@handles_errors
def cell_members(
    cell: str = CellArgument,
) -> None:
    """The members of a cell (cover names only)."""
    from hasteh.app import admission, cells, contacts

    with _workspace() as ws:
        found = cells.members(ws, cell)
        waiting = admission.pending(ws, cell)
        zone = zone_of(ws)
        told = contacts.told(ws, cell)
    for m in found:
        mark = "  " + _("(you)") if m.is_me else ""
        flag = "  " + _("(added without approval: see alarms)") if not m.authorized else ""
        if m.on_trial:
            flag += "  " + _("(on trial until {date})").format(date=when(m.trial_until, zone))
        _print(f"{m.cover_name}{mark}{flag}")
        if m.cover_name in told:
            count, names = told[m.cover_name]
            shared = (": " + ", ".join(names)) if names else ""
            _print("  " + _("contacts with leading workers: {n}").format(n=_n(count)) + shared)
    for a in waiting:
        _print(
            _("proposed: {name}, approvals {have}/{need}, vouchers {v}, {status}").format(
                name=a.cover_name,
                have=_n(a.approvals),
                need=_n(a.needed),
                v=_n(a.vouchers),
                status=_(a.status),
            )
        )
        _print("  " + a.needs)


@handles_errors
def cell_safety_words(
    cell: str = CellArgument,
) -> None:
    """Six words to compare in person with the other members."""
    from hasteh.app import cells

    with _workspace() as ws:
        words = cells.safety_words(ws, cell)
    _print("  ".join(words))
    _print(_("Every member must see the same six words. If not, raise an alarm and meet."))


@handles_errors
def cell_seized(
    cell: str = CellArgument,
    member: str = MemberArgument,
    note: str = typer.Option("", "--note", help=_("What happened (seen by the cell).")),
) -> None:
    """Emergency: a member's device was seized. Remove it now; the cell reviews later."""
    from hasteh.app import removal

    with _workspace() as ws:
        report = removal.seized(ws, cell, member, note=note)
    _print(
        _("{name} is being removed and every member's keys will be rotated.").format(name=member)
    )
    if report.unreachable:
        _print(_("No relay is reachable: carry a courier bundle (`hasteh courier export`)."))


RelayListOption = typer.Option(
    None,
    "--relay",
    help=_("The cell's new relays, in order (the first orders the messages); repeat."),
)


@handles_errors
def cell_settings(
    cell: str = CellArgument,
    cap: str | None = typer.Option(None, "--cap", help=_("Most members (at most 7).")),
    admission: str | None = typer.Option(None, "--admission", help=_("all or all-but-one.")),
    expiry_days: str | None = typer.Option(
        None, "--expiry-days", help=_("Days before chat expires.")
    ),
    relay: list[str] | None = RelayListOption,
    trial_days: str | None = typer.Option(
        None, "--trial-days", help=_("Days a newcomer is on trial (0: no trial).")
    ),
    deadline: str = DeadlineOption,
    file_cap_mb: str | None = typer.Option(
        None, "--file-cap-mb", help=_("Largest file a member may share, in MB.")
    ),
    files_cap_mb: str | None = typer.Option(
        None, "--files-cap-mb", help=_("All the cell's files together, in MB.")
    ),
) -> None:
    """Show the settings, or propose new ones (a consent decision of the cell)."""
    from hasteh.app import cells, decisions

    with _workspace() as ws:
        asked = (cap, admission, expiry_days, relay, trial_days, file_cap_mb, files_cap_mb)
        if all(value is None for value in asked):
            rt = cells.find_cell(ws, cell)
            s = rt.org.settings
            _print(
                _("cap {cap}, admission {admission}, chat expires after {days} days").format(
                    cap=_n(s.size_cap), admission=s.admission, days=_n(s.message_expiry // 86_400)
                )
            )
            if s.trial:
                _print(_("newcomers on trial for {days} days").format(days=_n(s.trial // 86_400)))
            _print(_("relays: {relays}").format(relays=", ".join(s.relays or rt.record.relays)))
            _print(
                _("Files: at most {each} MB each, {total} MB in all.").format(
                    each=_n(s.file_cap // 2**20), total=_n(s.files_cap // 2**20)
                )
            )
            return
        opened = decisions.change_settings(
            ws,
            cell,
            deadline=decisions.deadline(ws, deadline),
            cap=None if cap is None else _int(cap, "--cap"),
            admission=admission,
            expiry_days=None if expiry_days is None else _int(expiry_days, "--expiry-days"),
            relays=relay,
            trial_days=None if trial_days is None else _int(trial_days, "--trial-days"),
            file_cap_mb=None if file_cap_mb is None else _int(file_cap_mb, "--file-cap-mb"),
            files_cap_mb=None if files_cap_mb is None else _int(files_cap_mb, "--files-cap-mb"),
        )
        assert isinstance(opened, decisions.DecisionSummary)
        _print(
            _("Decision {n} opened: the cell decides on the new settings.").format(
                n=_n(opened.number)
            )
        )


@handles_errors
def cell_remove(
    cell: str = CellArgument,
    member: str = MemberArgument,
    deadline: str = DeadlineOption,
) -> None:
    """Propose removing a member (a consent decision; carried out once adopted)."""
    from hasteh.app import decisions, removal

    with _workspace() as ws:
        opened = removal.propose_removal(
            ws, cell, member, deadline=decisions.deadline(ws, deadline)
        )
    _print(_("Decision {n} opened: {q}").format(n=_n(opened.number), q=opened.question))


@handles_errors
def cell_end_trial(
    cell: str = CellArgument,
    member: str = MemberArgument,
    deadline: str = DeadlineOption,
) -> None:
    """Propose ending a newcomer's trial (a consent decision of the full members)."""
    from hasteh.app import decisions, trial

    with _workspace() as ws:
        opened = trial.propose_end_of_trial(
            ws, cell, member, deadline=decisions.deadline(ws, deadline)
        )
    _print(_("Decision {n} opened: {q}").format(n=_n(opened.number), q=opened.question))


# --- cards, admission, join ----------------------------------------------------------------


@handles_errors
def card(
    cover_name: str = typer.Option(..., "--as", help=_("Your cover name in the cell you join.")),
    out_file: Path | None = OutOption,
    relay: list[str] = RelaysOption,
    days: str = typer.Option("7", "--days", help=_("Days the card stays valid (1-30).")),
) -> None:
    """Make your invitation card; hand it over in person only."""
    from hasteh.app import cards

    with _workspace() as ws:
        code = cards.create_card(ws, cover_name, relays=relay or None, days=_int(days, "--days"))
    _print(code)
    if out_file is not None:
        try:
            out_file.write_bytes(cards.qr_png(code))
            os.chmod(out_file, 0o600)
        except OSError:
            raise typer.BadParameter(_("The image file cannot be written.")) from None
        _print(_("The QR image was written. Delete it once the card is handed over."))
    _print(_("Give this card only in person. Then run `hasteh join` until you are in."))


@handles_errors
def propose(
    cell: str = CellArgument,
    card_code: str | None = typer.Argument(None, help=_("The card code, or a file holding it.")),
    image: Path | None = ImageOption,
) -> None:
    """Propose a newcomer whose card you received in person."""
    from hasteh.app import admission, cards

    if (card_code is None) == (image is None):
        raise typer.BadParameter(_("Give the card code (or its file), or --image, not both."))
    with _workspace() as ws:
        if image is not None:
            card = cards.read_card_image(_read_image(image), now=ws.now())
            view = admission.propose_card(ws, cell, card)
        else:
            view = admission.propose(ws, cell, card_code or "")
    _print(
        _("{name} was proposed. Another member must vouch; then the cell approves.").format(
            name=view.cover_name
        )
    )


@handles_errors
def vouch(
    cell: str = CellArgument,
    newcomer: str = NewcomerArgument,
) -> None:
    """Vouch for a proposed newcomer ("I know this person")."""
    from hasteh.app import admission

    with _workspace() as ws:
        view = admission.vouch(ws, cell, newcomer)
    _status(view)


@handles_errors
def approve(
    cell: str = CellArgument,
    newcomer: str = NewcomerArgument,
) -> None:
    """Approve a proposed newcomer."""
    from hasteh.app import admission

    with _workspace() as ws:
        view = admission.approve(ws, cell, newcomer)
    _status(view)


@handles_errors
def join() -> None:
    """Pick up the welcome for your card and join the cell."""
    from hasteh.app import sync as app_sync

    with _workspace() as ws:
        names = app_sync.join(ws)
    for name in names:
        _print(
            _("You joined {name}. Compare safety words with the members in person.").format(
                name=name
            )
        )


# --- talk ----------------------------------------------------------------------------------


@handles_errors
def say(
    cell: str = CellArgument,
    text: str = typer.Argument(..., help=_("What to say.")),
    thread: str | None = typer.Option(None, "--thread", help=_("Thread title (new if unknown).")),
) -> None:
    """Say something in the cell (it disappears after the cell's expiry)."""
    from hasteh.app import talk

    with _workspace() as ws:
        sent = talk.say(ws, cell, text, thread=thread)
        zone = zone_of(ws)
    _print(
        _("Queued. It disappears on {date}. Run `hasteh sync` to send.").format(
            date=when(sent.expires_at, zone)
        )
    )


@handles_errors
def read(
    cell: str = CellArgument,
    thread: str | None = typer.Option(None, "--thread", help=_("Only this thread.")),
) -> None:
    """Read the messages still held (run `hasteh sync` first for new ones)."""
    from hasteh.app import talk

    with _workspace() as ws:
        messages = talk.read(ws, cell, thread=thread)
        zone = zone_of(ws)
    if not messages:
        _print(_("No messages."))
    for m in messages:
        _print(f"[{m.thread}] {when(m.at, zone)} {m.author}: {m.text}")


@handles_errors
def alarms(
    cell: str = CellArgument,
    read: bool = typer.Option(
        False,
        "--read",
        help=_("Set this device's notices aside once read (the cell's alarms stay)."),
    ),
) -> None:
    """Alarms of the cell: membership changes nobody authorized, disputed seizures."""
    from hasteh.app import sync

    with _workspace() as ws:
        if read:
            sync.dismiss_notices(ws, cell)
        found = sync.alarms(ws, cell)
    if not found:
        _print(_("No alarms."))
    for a in found:
        _print("! " + a.text)


# --- decisions -----------------------------------------------------------------------------


@handles_errors
def decide_open(
    cell: str = CellArgument,
    kind: str = typer.Option(
        ..., "--kind", help=_("consent, proposal, single, multiple, ranked, stv or optin.")
    ),
    question: str = typer.Option(..., "--question", help=_("The question.")),
    option: list[str] = OptionsOption,
    deadline: str = DeadlineOption,
    quorum: str = typer.Option("0", "--quorum", help=_("Fewest participants for a valid result.")),
    outcome_only: bool = typer.Option(
        False, "--outcome-only", help=_("Keep no counts, only the outcome.")
    ),
    seats: str | None = typer.Option(None, "--seats", help=_("How many to elect (stv).")),
    remove: str | None = typer.Option(
        None, "--remove", help=_("Motion: remove this member if adopted.")
    ),
) -> None:
    """Open a decision of the cell."""
    from hasteh.app import decisions

    with _workspace() as ws:
        opened = decisions.open_decision(
            ws,
            cell,
            kind=kind,
            question=question,
            deadline=decisions.deadline(ws, deadline),
            options=option,
            quorum=_int(quorum, "--quorum"),
            outcome_only=outcome_only,
            seats=None if seats is None else _int(seats, "--seats"),
            remove_member=remove,
        )
        zone = zone_of(ws)
    _print(
        _("Decision {n} opened; it closes on {date}.").format(
            n=_n(opened.number), date=when(opened.deadline, zone)
        )
    )


@handles_errors
def decide_vote(
    cell: str = CellArgument,
    decision: str = typer.Argument(..., help=_("The decision's number (see `decide show`).")),
    choices: list[str] = ChoicesArgument,
    position: str | None = typer.Option(
        None, "--position", help=_("agree, object, abstain, disagree or block.")
    ),
    reason: str = typer.Option("", "--reason", help=_("Needed to object or block.")),
) -> None:
    """Take part in a decision."""
    from hasteh.app import decisions

    with _workspace() as ws:
        decisions.vote(
            ws, cell, decision, choices=list(choices or []), position=position, reason=reason
        )
    _print(_("Your stance is queued. Run `hasteh sync` to send it."))


@handles_errors
def decide_close(
    cell: str = CellArgument,
    decision: str = typer.Argument(..., help=_("The decision's number.")),
) -> None:
    """Close a decision (after its deadline, or when everyone took part)."""
    from hasteh.app import decisions

    with _workspace() as ws:
        closed = decisions.close(ws, cell, decision)
        zone = zone_of(ws)
    _show(closed, zone)


def _show(d: object, zone: tzinfo) -> None:
    from hasteh.app.decisions import DecisionSummary

    assert isinstance(d, DecisionSummary)
    head = f"{_n(d.number)}. [{d.kind}] {d.question}"
    if d.motion:
        head += f" ({d.motion})"
    _print(head)
    for i, option in enumerate(d.options, 1):
        _print(f"   {_n(i)}) {option}")
    if d.is_open:
        voted = "?" if d.voted is None else _n(d.voted)
        _print(
            "   "
            + _("open until {date}; {n} took part").format(date=when(d.deadline, zone), n=voted)
        )
        return
    line = "   " + _("closed: {status}").format(status=_(d.status or ""))
    if d.winners:
        line += " — " + ", ".join(d.winners)
    if d.counts is not None:
        line += "  (" + " ".join(_n(c) for c in d.counts) + ")"
    _print(line)
    for reason in d.reasons:
        _print("   - " + reason)


@handles_errors
def decide_show(
    cell: str = CellArgument,
) -> None:
    """The cell's decisions: open ones without results, closed ones with the outcome."""
    from hasteh.app import decisions

    with _workspace() as ws:
        found = decisions.show(ws, cell)
        zone = zone_of(ws)
    if not found:
        _print(_("No decisions."))
    for d in found:
        _show(d, zone)


def register(app: typer.Typer) -> None:
    cell = typer.Typer(
        help=_("Your cells: create, members, settings, safety words."),
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    cell.command("create", help=_("Create a cell with you as its first member."))(cell_create)
    cell.command("list", help=_("Your cells."))(cell_list)
    cell.command("members", help=_("The members of a cell (cover names only)."))(cell_members)
    cell.command("safety-words", help=_("Six words to compare in person."))(cell_safety_words)
    cell.command("seized", help=_("Emergency: remove a seized member's device now."))(cell_seized)
    cell.command("settings", help=_("Show the settings, or propose new ones."))(cell_settings)
    cell.command("remove", help=_("Propose removing a member (a decision)."))(cell_remove)
    cell.command("end-trial", help=_("Propose ending a newcomer's trial (a decision)."))(
        cell_end_trial
    )
    concerns.register(app, cell)
    app.add_typer(cell, name="cell")
    app.command("card", help=_("Make your invitation card; hand it over in person only."))(card)
    app.command("propose", help=_("Propose a newcomer whose card you received in person."))(propose)
    app.command("vouch", help=_("Vouch for a proposed newcomer."))(vouch)
    app.command("approve", help=_("Approve a proposed newcomer."))(approve)
    app.command("join", help=_("Pick up the welcome for your card and join."))(join)
    app.command("say", help=_("Say something in the cell."))(say)
    app.command("read", help=_("Read the messages still held."))(read)
    app.command("alarms", help=_("Alarms of a cell."))(alarms)
    decide = typer.Typer(
        help=_("Decisions: open, vote, close, show."), no_args_is_help=True, rich_markup_mode=None
    )
    decide.command("open", help=_("Open a decision of the cell."))(decide_open)
    decide.command("vote", help=_("Take part in a decision."))(decide_vote)
    decide.command("close", help=_("Close a decision."))(decide_close)
    decide.command("show", help=_("The cell's decisions."))(decide_show)
    app.add_typer(decide, name="decide")
