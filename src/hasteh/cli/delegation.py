"""`hasteh alliance …` and `hasteh delegate …`: cells in alliances through their delegates
(issue 17). A thin shell over `hasteh.app.alliances` and `hasteh.app.delegation`.

An alliance is named by its name; a motion by the start of its id (`alliance show`); a
cell decision by its number (`decide show`). Nothing printed here names a person of
another cell: an alliance shows cells by their pseudonyms only."""

from __future__ import annotations

import typer

from hasteh.cli.common import CellArgument, _n, _print, _workspace, when, zone_of
from hasteh.cli.options import handles_errors
from hasteh.i18n import _

AllianceArgument = typer.Argument(..., help=_("The alliance's name."))
MotionArgument = typer.Argument(..., help=_("The motion: the start of its id (`alliance show`)."))
DecisionArgument = typer.Argument(..., help=_("The cell's decision: its number (`decide show`)."))
CardArgument = typer.Argument(..., help=_("The card's code, or a file holding it."))
VersionArgument = typer.Argument(..., help=_("The programme version's number (`federation show`)."))
SpokenCodeArgument = typer.Argument(
    ..., help=_("The code as you hear it: a number and three words.")
)
RelayOption = typer.Option(None, "--relay", help=_("A relay's address (may be repeated)."))


def _yes_no(value: bool | None) -> str:
    return "—" if value is None else (_("yes") if value else _("no"))


# --- hasteh alliance ----------------------------------------------------------------------


@handles_errors
def alliance_form(
    name: str = typer.Argument(..., help=_("The alliance's name.")),
    pseudonym: str = typer.Option(
        ..., "--as", help=_("Your cell's pseudonym in the alliance (never its name).")
    ),
    relay: list[str] | None = RelayOption,
) -> None:
    """Form an alliance, as your cell's delegate."""
    from hasteh.app import alliances

    with _workspace() as ws:
        alliances.form(ws, name, cell=pseudonym, relays=relay)
    _print(
        _("Alliance {name} formed; your cell is {pseudonym} there.").format(
            name=name, pseudonym=pseudonym
        )
    )


@handles_errors
def alliance_propose(alliance: str = AllianceArgument, card: str = CardArgument) -> None:
    """Propose a cell whose delegate gave you their card in person."""
    from hasteh.app import alliances

    with _workspace() as ws:
        alliances.propose_cell(ws, alliance, card)
    _print(_("Proposed. Every member cell must approve."))


@handles_errors
def alliance_propose_code(
    alliance: str = AllianceArgument,
    words: list[str] = SpokenCodeArgument,
) -> None:
    """Propose a cell whose delegate reads you their spoken code, in person (they run
    `hasteh code --as PSEUDONYM`)."""
    from hasteh.app import spoken

    def show(check: tuple[str, ...]) -> None:
        _print(_("Check words (the other screen must show the same):") + " " + " - ".join(check))

    with _workspace() as ws:
        pseudonym, _check = spoken.take_for_alliance(ws, alliance, " ".join(words), on_check=show)
    _print(
        _("{name} was proposed.").format(name=pseudonym)
        + " "
        + _("Every member cell must approve it on the alliance's page.")
    )


@handles_errors
def alliance_approve(
    alliance: str = AllianceArgument,
    pseudonym: str = typer.Argument(..., help=_("The proposed cell's pseudonym.")),
) -> None:
    """Approve a proposed cell, for your cell."""
    from hasteh.app import alliances

    with _workspace() as ws:
        alliances.approve_cell(ws, alliance, pseudonym)
    _print(_("Approved."))


@handles_errors
def alliance_say(
    alliance: str = AllianceArgument,
    text: str = typer.Argument(..., help=_("The message.")),
) -> None:
    """Send a message to every delegate of the alliance."""
    from hasteh.app import alliances

    with _workspace() as ws:
        alliances.say(ws, alliance, text)
    _print(_("Sent."))


@handles_errors
def alliance_motion(
    alliance: str = AllianceArgument,
    question: str = typer.Argument(..., help=_("A yes/no question to the member cells.")),
    deadline: str = typer.Option("three-days", "--deadline", help=_("When the vote closes.")),
) -> None:
    """Put a yes/no question to the member cells (one vote per cell)."""
    from hasteh.app import alliances, decisions

    with _workspace() as ws:
        motion = alliances.open_motion(ws, alliance, question, decisions.deadline(ws, deadline))
    _print(
        _("Motion {id} opened. Each cell decides first, then its delegate votes.").format(
            id=motion.hex()[:8]
        )
    )


@handles_errors
def alliance_carry(
    alliance: str = AllianceArgument,
    code: str = typer.Argument(..., help=_("The recall code a cell's key holder gave you.")),
) -> None:
    """Post a cell's recall of its delegate; the swap is committed at once."""
    from hasteh.app import delegation

    with _workspace() as ws:
        delegation.carry_recall(ws, alliance, code)
    _print(_("Recall posted; the delegate is swapped for the alternate at the next sync."))


@handles_errors
def alliance_show(alliance: str = AllianceArgument) -> None:
    """The alliance: its cells (by pseudonym), their keys, and its motions."""
    from hasteh.app import delegation

    with _workspace() as ws:
        view = delegation.alliance_view(ws, alliance)
        zone = zone_of(ws)
    _print(_("Alliance {name}; your cell is {me}.").format(name=view.name, me=view.me))
    for cell in view.cells:
        marks = []
        if cell in view.keyed:
            marks.append(_("key registered"))
        if cell in view.alternates:
            marks.append(_("alternate registered"))
        if cell in view.recalls:
            marks.append(_("recall under way"))
        _print(f"  {cell}" + (f" ({', '.join(marks)})" if marks else ""))
    for cell in view.proposals:
        if cell in view.vouched:
            _print("  " + _("{cell}: proposed through a vouching code").format(cell=cell))
        else:
            _print("  " + _("{cell}: proposed").format(cell=cell))
    if view.vouch_codes:
        _print(_("Your vouching codes nobody has used yet: {n}").format(n=_n(view.vouch_codes)))
    for m in view.motions:
        state = (
            _("open until {date}").format(date=when(m.deadline, zone))
            if m.is_open
            else (_("adopted") if m.adopted else _("rejected"))
        )
        _print(f"{m.motion[:8]} {m.question} — {state}")
        for cell, agree in m.votes:
            _print(f"   {cell}: {_yes_no(agree)}")
        if m.signed_by:
            _print("   " + _("tally signed by: {cells}").format(cells=", ".join(m.signed_by)))
    if view.alarms:
        _print(_("Alarms: {n}").format(n=_n(view.alarms)))


@handles_errors
def alliance_vouch(
    alliance: str = AllianceArgument,
    days: int = typer.Option(7, "--days", help=_("How many days the code is valid (1 to 30).")),
) -> None:
    """Vouch for another cell: a one-time code for its delegate, shown once."""
    from hasteh.app import vouching

    with _workspace() as ws:
        code = vouching.vouch(ws, alliance, days=days)
        zone = zone_of(ws)
        expires = vouching.read_code(code).expires_at
    _print(
        _(
            "Give this code to the other cell's delegate only, by a way you both trust. "
            "It works once, until {date}; it is not shown again."
        ).format(date=when(expires, zone))
    )
    _print(
        _(
            "They answer it with `hasteh alliance answer CODE --as PSEUDONYM`; at your next "
            "sync their cell is proposed, and every member cell must approve."
        )
    )
    _print(code)


@handles_errors
def alliance_answer(
    code: str = typer.Argument(..., help=_("The vouching code a delegate gave you.")),
    pseudonym: str = typer.Option(
        ..., "--as", help=_("Your cell's pseudonym in the alliance (never its name).")
    ),
) -> None:
    """Answer a vouching code: your cell's alliance card goes to the delegate, sealed."""
    from hasteh.app import vouching

    with _workspace() as ws:
        answered = vouching.answer(ws, code, pseudonym)
        zone = zone_of(ws)
    _print(
        _(
            "Sent, sealed, as {pseudonym}. At the delegate's next sync your cell is proposed; "
            "once every member cell approved, `hasteh sync` brings you into the alliance "
            "(your card waits until {date})."
        ).format(pseudonym=answered.pseudonym, date=when(answered.expires_at, zone))
    )


# --- hasteh delegate ----------------------------------------------------------------------


@handles_errors
def delegate_elect(
    cell: str = CellArgument,
    decision: str = DecisionArgument,
    pseudonym: str = typer.Option(
        ..., "--pseudonym", help=_("The cell's pseudonym in the alliance (never its name).")
    ),
    term_days: int = typer.Option(180, "--term-days", help=_("The term, in days (at most 365).")),
    mandate: str = typer.Option("", "--mandate", help=_("The written mandate.")),
) -> None:
    """Record the delegate and alternate a ranked decision of two seats elected."""
    from hasteh.app import delegation

    with _workspace() as ws:
        delegation.elect(
            ws, cell, decision, pseudonym=pseudonym, term_days=term_days, mandate=mandate
        )
        view = delegation.delegate_view(ws, cell)
    _print(
        _("Delegate: {delegate}; alternate: {alternate}.").format(
            delegate=view.delegate, alternate=view.alternate
        )
    )


@handles_errors
def delegate_key(cell: str = CellArgument, decision: str = DecisionArgument) -> None:
    """Make the cell's key (or a new one, signed by the old) on this device."""
    from hasteh.app import delegation

    with _workspace() as ws:
        public = delegation.create_key(ws, cell, decision)
    _print(
        _(
            "The cell's key: {fingerprint}. Hand it to the other holder with `delegate key-code`."
        ).format(fingerprint=delegation.key_fingerprint(public))
    )


@handles_errors
def delegate_key_code(cell: str = CellArgument) -> None:
    """Show the cell's key as a code, to hand over in person to another holder."""
    from hasteh.app import delegation

    with _workspace() as ws:
        code = delegation.key_code(ws, cell)
    _print(_("Whoever has this code speaks for the cell. Show it only in person; never send it."))
    _print(code)


@handles_errors
def delegate_key_import(
    cell: str = CellArgument,
    code: str = typer.Argument(..., help=_("The key code the other holder showed you.")),
) -> None:
    """Keep the cell's key from a code handed over in person."""
    from hasteh.app import delegation

    with _workspace() as ws:
        public = delegation.import_key(ws, cell, code)
    _print(
        _("You hold the cell's key: {fingerprint}.").format(
            fingerprint=delegation.key_fingerprint(public)
        )
    )


@handles_errors
def delegate_register(cell: str = CellArgument, alliance: str = AllianceArgument) -> None:
    """Register the cell's key (or carry its new key) with the alliance."""
    from hasteh.app import cells, delegation

    with _workspace() as ws:
        key = cells.find_cell(ws, cell).org.fed.key
        if key is not None and key.sequence > 0:
            delegation.carry_rotation(ws, alliance, cell)
        else:
            delegation.register_key(ws, alliance, cell)
    _print(_("The alliance knows the cell's key."))


@handles_errors
def delegate_alternate(
    cell: str = CellArgument, alliance: str = AllianceArgument, card: str = CardArgument
) -> None:
    """Register the alternate's alliance card (made under the cell's pseudonym)."""
    from hasteh.app import delegation

    with _workspace() as ws:
        delegation.register_alternate(ws, alliance, cell, card)
    _print(_("The alternate is registered with the alliance."))


@handles_errors
def delegate_mandate(
    cell: str = CellArgument,
    motion: str = typer.Argument(..., help=_("The motion's full id (`alliance show`).")),
    question: str = typer.Argument(..., help=_("The motion's question.")),
    decision: str = DecisionArgument,
) -> None:
    """Tie an alliance motion to the cell's decision on it: the cell decides first."""
    from hasteh.app import delegation

    with _workspace() as ws:
        delegation.give_mandate(ws, cell, motion, question, decision)
    _print(_("Mandate recorded."))


@handles_errors
def delegate_vote(
    cell: str = CellArgument, alliance: str = AllianceArgument, motion: str = MotionArgument
) -> None:
    """Cast the cell's vote as its decision says."""
    from hasteh.app import delegation

    with _workspace() as ws:
        delegation.vote_as_mandated(ws, alliance, cell, motion)
    _print(_("Voted as the cell decided."))


@handles_errors
def delegate_sign(
    cell: str = CellArgument, alliance: str = AllianceArgument, motion: str = MotionArgument
) -> None:
    """Sign a closed motion's tally with the cell's key."""
    from hasteh.app import delegation

    with _workspace() as ws:
        delegation.sign_tally(ws, alliance, cell, motion)
    _print(_("Tally signed."))


@handles_errors
def delegate_report(
    cell: str = CellArgument,
    alliance: str = AllianceArgument,
    motion: str = MotionArgument,
    note: str = typer.Option("", "--note", help=_("A note in your own words.")),
) -> None:
    """Report a closed motion back to the cell, with the tally the cells signed."""
    from hasteh.app import delegation

    with _workspace() as ws:
        delegation.report(ws, cell, alliance, motion, note)
    _print(_("Reported back to the cell."))


@handles_errors
def delegate_endorse(
    cell: str = CellArgument,
    alliance: str = AllianceArgument,
    version: str = VersionArgument,
    decision: str = DecisionArgument,
) -> None:
    """Endorse a ratified version of the programme for the cell, signed with the cell's
    key, once the cell's decision adopted it."""
    from hasteh.app import delegation

    with _workspace() as ws:
        delegation.endorse(ws, cell, alliance, version, decision)
    _print(_("The cell's endorsement is signed and sent to the alliance."))


@handles_errors
def delegate_recall(
    cell: str = CellArgument, decision: str = DecisionArgument, card: str = CardArgument
) -> None:
    """Sign the cell's adopted recall with its key; prints the code for the alliance."""
    from hasteh.app import delegation

    with _workspace() as ws:
        code = delegation.recall(ws, cell, decision, card)
    _print(_("Give this code in person to any delegate of the alliance:"))
    _print(code)


@handles_errors
def delegate_show(cell: str = CellArgument) -> None:
    """The cell's delegates, key, mandates and report-backs."""
    from hasteh.app import delegation

    with _workspace() as ws:
        view = delegation.delegate_view(ws, cell)
        zone = zone_of(ws)
    if not view.delegate:
        _print(_("The cell has not elected its delegates yet."))
        return
    _print(
        _("Delegate: {delegate}; alternate: {alternate}.").format(
            delegate=view.delegate, alternate=view.alternate or "—"
        )
    )
    _print(
        _("Pseudonym in the alliance: {pseudonym}; term until {date}.").format(
            pseudonym=view.pseudonym, date=when(view.term_end, zone)
        )
    )
    if view.mandate:
        _print(_("Mandate: {text}").format(text=view.mandate))
    if view.key_fingerprint:
        _print(
            _("The cell's key: {fingerprint}, held by {holders}.").format(
                fingerprint=view.key_fingerprint, holders=", ".join(view.holders)
            )
        )
    if view.key_due:
        _print(_("A holder of the cell's key left or was recalled: make a new key."))
    for name in view.recalled:
        _print(_("Recalled: {name}").format(name=name))
    for r in view.reports:
        _print(f"{r.motion} {r.question} — " + (_("adopted") if r.adopted else _("rejected")))
        _print(
            "   "
            + _("our vote: {cast}; the cell decided: {mandated}").format(
                cast=_yes_no(r.cast), mandated=_yes_no(r.mandated)
            )
        )
        if r.followed is False:
            _print("   " + _("The delegate did not vote as the cell decided."))
        _print("   " + _("tally signed by: {cells}").format(cells=", ".join(r.signed_by)))


def register(app: typer.Typer) -> None:
    alliance = typer.Typer(
        help=_("Alliances of cells, through their delegates."),
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    alliance.command("form", help=_("Form an alliance, as your cell's delegate."))(alliance_form)
    alliance.command(
        "propose", help=_("Propose a cell whose delegate gave you their card in person.")
    )(alliance_propose)
    alliance.command(
        "propose-code",
        help=_("Propose a cell whose delegate reads you their spoken code, in person."),
    )(alliance_propose_code)
    alliance.command("approve", help=_("Approve a proposed cell, for your cell."))(alliance_approve)
    alliance.command("say", help=_("Send a message to every delegate of the alliance."))(
        alliance_say
    )
    alliance.command(
        "motion", help=_("Put a yes/no question to the member cells (one vote per cell).")
    )(alliance_motion)
    alliance.command(
        "carry-recall",
        help=_("Post a cell's recall of its delegate; the swap is committed at once."),
    )(alliance_carry)
    alliance.command(
        "show", help=_("The alliance: its cells (by pseudonym), their keys, and its motions.")
    )(alliance_show)
    alliance.command(
        "vouch", help=_("Vouch for another cell: a one-time code for its delegate, shown once.")
    )(alliance_vouch)
    alliance.command(
        "answer",
        help=_("Answer a vouching code: your cell's alliance card goes to the delegate, sealed."),
    )(alliance_answer)
    app.add_typer(alliance, name="alliance")

    delegate = typer.Typer(
        help=_("Your cell's delegates: election, the cell's key, mandates, reports, recall."),
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    delegate.command(
        "elect", help=_("Record the delegate and alternate a ranked decision of two seats elected.")
    )(delegate_elect)
    delegate.command(
        "key", help=_("Make the cell's key (or a new one, signed by the old) on this device.")
    )(delegate_key)
    delegate.command(
        "key-code",
        help=_("Show the cell's key as a code, to hand over in person to another holder."),
    )(delegate_key_code)
    delegate.command(
        "key-import", help=_("Keep the cell's key from a code handed over in person.")
    )(delegate_key_import)
    delegate.command(
        "register", help=_("Register the cell's key (or carry its new key) with the alliance.")
    )(delegate_register)
    delegate.command(
        "alternate",
        help=_("Register the alternate's alliance card (made under the cell's pseudonym)."),
    )(delegate_alternate)
    delegate.command(
        "mandate",
        help=_("Tie an alliance motion to the cell's decision on it: the cell decides first."),
    )(delegate_mandate)
    delegate.command("vote", help=_("Cast the cell's vote as its decision says."))(delegate_vote)
    delegate.command("sign", help=_("Sign a closed motion's tally with the cell's key."))(
        delegate_sign
    )
    delegate.command(
        "endorse",
        help=_("Endorse a programme version for the cell (after the cell's decision)."),
    )(delegate_endorse)
    delegate.command(
        "report",
        help=_("Report a closed motion back to the cell, with the tally the cells signed."),
    )(delegate_report)
    delegate.command(
        "recall",
        help=_("Sign the cell's adopted recall with its key; prints the code for the alliance."),
    )(delegate_recall)
    delegate.command("show", help=_("The cell's delegates, key, mandates and report-backs."))(
        delegate_show
    )
    app.add_typer(delegate, name="delegate")
