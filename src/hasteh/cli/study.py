"""`hasteh study …`: study circles (issue 15) from the command line: circles, readings
with questions, sessions with a place as a code word, a reading's discussion, and your
own progress (kept on this device only). A thin shell over `hasteh.app.study`."""

from __future__ import annotations

from datetime import tzinfo

import typer

from hasteh.cli.common import CellArgument, _n, _print, _workspace, when, zone_of
from hasteh.cli.options import handles_errors
from hasteh.i18n import _

CircleArgument = typer.Argument(..., help=_("The circle's number (see `study show`)."))
ReadingArgument = typer.Argument(..., help=_("The reading's number in the curriculum."))
QuestionOption = typer.Option(
    [], "--question", help=_("A question for the session (repeat for more).")
)

#: Said wherever progress is shown or changed (docs/org.md, "Study circles").
PROGRESS_STAYS = "Your progress and notes stay on this device only; they are never sent."


def _show_circle(c: object, zone: tzinfo) -> None:
    from hasteh.app.study import CircleSummary

    assert isinstance(c, CircleSummary)
    _print(f"{_n(c.number)}. {c.title} — " + _("convener: {name}").format(name=c.convener))
    if c.note:
        _print("   " + c.note)
    for r in c.readings:
        marks = ("✓ " if r.read else "") + ("💬 " if r.discussed else "")
        _print(f"   {_n(r.number)}) {marks}{r.title}")
        for q in r.questions:
            _print("      ? " + q)
    for s in c.sessions:
        if s.reading is None:
            about = _("(a removed reading)")
        else:
            about = s.reading
        line = _("session {n}: {date}").format(n=_n(s.number), date=when(s.starts, zone))
        if about:
            line += f" — {about}"
        if s.place is not None:
            line += " — " + _("place: {code}").format(code=s.place)
        _print("   " + line)


@handles_errors
def study_open(
    cell: str = CellArgument,
    title: str = typer.Argument(..., help=_("The circle's title.")),
    note: str = typer.Option("", "--note", help=_("A short note.")),
) -> None:
    """Open a study circle; you are its convener."""
    from hasteh.app import study

    with _workspace() as ws:
        shown = study.open_circle(ws, cell, title=title, note=note)
        zone = zone_of(ws)
    _show_circle(shown, zone)


@handles_errors
def study_reading(
    cell: str = CellArgument,
    circle: str = CircleArgument,
    title: str = typer.Argument(..., help=_("The reading's title.")),
    question: list[str] = QuestionOption,
    note: str = typer.Option("", "--note", help=_("A short note.")),
    item: str = typer.Option(
        "", "--item", help=_("The number of the item in the cell's library, if any.")
    ),
) -> None:
    """Add a reading at the end of the curriculum (the convener)."""
    from hasteh.app import study

    with _workspace() as ws:
        shown = study.add_reading(
            ws, cell, circle, title=title, questions=question, note=note, item=item or None
        )
        zone = zone_of(ws)
    _show_circle(shown, zone)


@handles_errors
def study_move(
    cell: str = CellArgument,
    circle: str = CircleArgument,
    reading: str = ReadingArgument,
    to: str = typer.Argument(..., help=_("Its new place in the curriculum.")),
) -> None:
    """Move a reading to another place in the curriculum (the convener)."""
    from hasteh.app import study

    with _workspace() as ws:
        shown = study.move_reading(ws, cell, circle, reading, to)
        zone = zone_of(ws)
    _show_circle(shown, zone)


@handles_errors
def study_remove(
    cell: str = CellArgument, circle: str = CircleArgument, reading: str = ReadingArgument
) -> None:
    """Remove a reading from the curriculum (the convener)."""
    from hasteh.app import study

    with _workspace() as ws:
        shown = study.remove_reading(ws, cell, circle, reading)
        zone = zone_of(ws)
    _show_circle(shown, zone)


@handles_errors
def study_session(
    cell: str = CellArgument,
    circle: str = CircleArgument,
    date: str = typer.Option(
        ...,
        "--date",
        help=_("When: evening, tomorrow, three-days or week, or a date such as «۲۰ آذر ۱۸:۰۰»."),
    ),
    hours: int = typer.Option(2, "--hours", help=_("How long, in hours (1 to 12).")),
    reading: str = typer.Option("", "--reading", help=_("The reading's number, if any.")),
    place: str = typer.Option(
        "",
        "--place",
        help=_("Where, as a code word (never an address); deleted when the session ends."),
    ),
) -> None:
    """Plan a session of a circle (the convener)."""
    from hasteh.app import study

    with _workspace() as ws:
        shown = study.plan_session(
            ws,
            cell,
            circle,
            starts=study.starts_at(ws, date),
            hours=hours,
            reading_ref=reading or None,
            place=place or None,
        )
        zone = zone_of(ws)
    _show_circle(shown, zone)


@handles_errors
def study_place(
    cell: str = CellArgument,
    circle: str = CircleArgument,
    session: str = typer.Argument(..., help=_("The session's number.")),
    place: str = typer.Argument(..., help=_("Where, as a code word (never an address).")),
) -> None:
    """Give or change a session's place (the convener)."""
    from hasteh.app import study

    with _workspace() as ws:
        shown = study.give_place(ws, cell, circle, session, place)
        zone = zone_of(ws)
    _show_circle(shown, zone)


@handles_errors
def study_show(
    cell: str = CellArgument,
    circle: str = typer.Argument("", help=_("A circle's number, to see it in full.")),
) -> None:
    """The cell's study circles, or one in full."""
    from hasteh.app import study

    with _workspace() as ws:
        zone = zone_of(ws)
        if circle:
            _show_circle(study.circle(ws, cell, circle), zone)
            return
        found = study.circles(ws, cell)
    if not found:
        _print(_("No study circles."))
    for line in found:
        text = _("{n}. {title} — convener: {name}, readings: {count}, read: {read}").format(
            n=_n(line.number),
            title=line.title,
            name=line.convener,
            count=_n(line.readings),
            read=_n(line.read),
        )
        if line.next_session is not None:
            text += " — " + _("next session: {date}").format(date=when(line.next_session, zone))
        _print(text)


@handles_errors
def study_read(
    cell: str = CellArgument, circle: str = CircleArgument, reading: str = ReadingArgument
) -> None:
    """A reading: its questions, your progress and its discussion."""
    from hasteh.app import study

    with _workspace() as ws:
        page = study.reading(ws, cell, circle, reading)
        zone = zone_of(ws)
    r = page.reading
    _print(f"{_n(r.number)}) {r.title}")
    if r.note:
        _print("   " + r.note)
    for q in r.questions:
        _print("   ? " + q)
    _print("   " + (_("read") if r.read else _("not read yet")))
    if r.own_note:
        _print("   " + _("your note: {text}").format(text=r.own_note))
    for m in page.discussion:
        _print(f"   [{when(m.at, zone)}] {m.author}: {m.text}")


@handles_errors
def study_discuss(
    cell: str = CellArgument,
    circle: str = CircleArgument,
    reading: str = ReadingArgument,
    text: str = typer.Argument(..., help=_("What you want to say.")),
) -> None:
    """Say something in a reading's discussion (it disappears like all chat)."""
    from hasteh.app import study

    with _workspace() as ws:
        study.discuss(ws, cell, circle, reading, text)
    _print(_("Sent."))


@handles_errors
def study_progress(
    cell: str = CellArgument,
    circle: str = CircleArgument,
    reading: str = ReadingArgument,
    read: bool | None = typer.Option(None, "--read/--unread", help=_("Mark it read or not.")),
    discussed: bool | None = typer.Option(
        None, "--discussed/--not-discussed", help=_("Mark it discussed or not.")
    ),
    note: str | None = typer.Option(None, "--note", help=_("Your own note on it.")),
) -> None:
    """Your own progress on a reading (kept on this device only)."""
    from hasteh.app import study

    with _workspace() as ws:
        r = study.mark(ws, cell, circle, reading, read=read, discussed=discussed, note=note)
    _print(f"{_n(r.number)}) {r.title}: " + (_("read") if r.read else _("not read yet")))
    _print(_(PROGRESS_STAYS))


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help=_("Study circles: readings, questions, sessions, your own progress."),
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    group.command("open", help=_("Open a study circle."))(study_open)
    group.command("reading", help=_("Add a reading to a circle."))(study_reading)
    group.command("move", help=_("Move a reading in the curriculum."))(study_move)
    group.command("remove", help=_("Remove a reading from the curriculum."))(study_remove)
    group.command("session", help=_("Plan a session."))(study_session)
    group.command("place", help=_("Give a session's place."))(study_place)
    group.command("show", help=_("The cell's study circles."))(study_show)
    group.command("read", help=_("A reading and its discussion."))(study_read)
    group.command("discuss", help=_("Say something about a reading."))(study_discuss)
    group.command("progress", help=_("Your own progress on a reading."))(study_progress)
    app.add_typer(group, name="study")
