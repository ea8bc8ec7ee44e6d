"""`hasteh federation …`: what a delegate does in an alliance (issue 17) — the Workers'
Action Program, joint actions, warnings, the council and report-backs. A thin shell over
`hasteh.app.federation`; votes are the alliance's (one per cell), by their numbers."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path

import typer

from hasteh.app.federation import WORDS
from hasteh.cli.common import _n, _print, _workspace, when, zone_of
from hasteh.cli.options import handles_errors
from hasteh.i18n import _

AllianceArgument = typer.Argument(..., help=_("The alliance's (or council's) name."))
DeadlineOption = typer.Option(
    "three-days",
    "--deadline",
    help=_("When the vote closes: evening, tomorrow, three-days or week, or a date."),
)

EditorCellsArgument = typer.Argument(
    None, help=_("The cells (by pseudonym) whose delegates would hold the key.")
)
OutOption = typer.Option(..., "--out", help=_("Where to write the signed PDF."))
DemandOption = typer.Option(..., "--demand", help=_("A shared demand (repeat)."))


def _show(view: object, zone: tzinfo) -> None:
    from hasteh.app.federation import FederationView

    assert isinstance(view, FederationView)
    title = _("Council {name}") if view.council else _("Alliance {name}")
    _print(title.format(name=view.name) + " — " + ", ".join(view.cells))
    if view.current is None:
        _print(_("The programme has no ratified version yet."))
    for v in view.history:
        _print(
            _("Programme, version {n} ({date}), fingerprint {fp}").format(
                n=_n(v.number), date=when(v.at, zone), fp=v.fingerprint
            )
        )
        if v is view.current:
            for section in v.sections:
                _print(f"   § {section.title}: {section.text}")
        endorsed = ", ".join(v.endorsers) if v.endorsers else _("nobody yet")
        _print("   " + _("endorsed by: {cells}").format(cells=endorsed))
    for a in view.amendments:
        _print(
            _("vote {n}: amend «{section}» ({status}, {votes} cells voted)").format(
                n=_n(a.vote.number),
                section=a.section,
                status=_(WORDS[a.vote.status]),
                votes=_n(a.vote.votes),
            )
        )
    for j in view.joint:
        counts = ", ".join(f"{cell}: {_n(count)}" for cell, count in j.counts)
        _print(
            _("vote {n}: joint action «{title}» on {date} ({go}); taking part: {total}").format(
                n=_n(j.vote.number),
                title=j.title,
                date=when(j.date, zone),
                go=_(WORDS[j.go]),
                total=_n(j.total),
            )
        )
        for i, demand in enumerate(j.demands, 1):
            _print("   " + _("demand {n}: {text}").format(n=_n(i), text=demand))
        if counts:
            _print("   " + counts)
    for i, w in enumerate(view.warnings, 1):
        _print(
            _("warning {n} from {cell} ({kind}): {text}").format(
                n=_n(i), cell=w.cell, kind=_(WORDS[w.kind]), text=w.text
            )
        )


@handles_errors
def fed_show(alliance: str = AllianceArgument) -> None:
    """The programme, its history and endorsements, amendments, joint actions, warnings."""
    from hasteh.app import federation

    with _workspace() as ws:
        shown = federation.view(ws, alliance)
        zone = zone_of(ws)
    _show(shown, zone)


@handles_errors
def fed_amend(
    alliance: str = AllianceArgument,
    section: str = typer.Argument(..., help=_("The section's title.")),
    text: str = typer.Argument("", help=_("Its new text; leave it out to remove the section.")),
    deadline: str = DeadlineOption,
) -> None:
    """Propose an amendment of the programme for your cell; it opens the alliance's vote."""
    from hasteh.app import decisions, federation

    with _workspace() as ws:
        federation.propose_amendment(
            ws, alliance, section, text, deadline=decisions.deadline(ws, deadline)
        )
        shown = federation.view(ws, alliance)
        zone = zone_of(ws)
    _show(shown, zone)


@handles_errors
def fed_vote(
    alliance: str = AllianceArgument,
    vote: str = typer.Argument(..., help=_("The vote's number.")),
    answer: str = typer.Argument(..., help=_("yes or no, as your cell decided.")),
) -> None:
    """Cast your cell's vote (one per cell), as your cell decided."""
    from hasteh.app import alliances, federation
    from hasteh.app.errors import BadInput

    if answer not in ("yes", "no", "بله", "نه"):
        raise BadInput("bad-kind", kinds="yes, no")
    with _workspace() as ws:
        alliances.vote(
            ws, alliance, federation.vote_ref(ws, alliance, vote), agree=answer in ("yes", "بله")
        )
    _print(_("Your cell's vote is sent."))


@handles_errors
def fed_joint(
    alliance: str = AllianceArgument,
    title: str = typer.Argument(..., help=_("The joint action's title.")),
    demand: list[str] = DemandOption,
    date: str = typer.Option("week", "--date", help=_("The day of the action.")),
    deadline: str = DeadlineOption,
) -> None:
    """Propose a joint action of the member cells; it opens the go/no-go vote."""
    from hasteh.app import decisions, federation

    with _workspace() as ws:
        federation.propose_joint(
            ws,
            alliance,
            title,
            demand,
            date=decisions.deadline(ws, date),
            decide_by=decisions.deadline(ws, deadline),
        )
        shown = federation.view(ws, alliance)
        zone = zone_of(ws)
    _show(shown, zone)


@handles_errors
def fed_count(
    alliance: str = AllianceArgument,
    action: str = typer.Argument(..., help=_("The joint action's number among joint actions.")),
    count: str = typer.Argument(..., help=_("How many of your cell take part (a number only).")),
) -> None:
    """Give your cell's count for a joint action: a number, never names."""
    from hasteh.app import federation
    from hasteh.app.errors import BadInput
    from hasteh.i18n import parse_digits, whole_number

    number = whole_number(parse_digits(count).strip(), max_digits=6)
    if number is None:
        raise BadInput("bad-count")
    with _workspace() as ws:
        federation.opt_in(ws, alliance, federation.joint_ref(ws, alliance, action), number)
    _print(_("Your cell's count is sent: {n}").format(n=_n(number)))


@handles_errors
def fed_warn(
    alliance: str = AllianceArgument,
    text: str = typer.Argument(
        ..., help=_("The warning (a code name for a place, never an address).")
    ),
    kind: str = typer.Option("informer", "--kind", help=_("informer, place or other.")),
) -> None:
    """Warn the alliance, under your cell's pseudonym."""
    from hasteh.app import federation
    from hasteh.app.errors import BadInput

    if kind not in ("informer", "place", "other"):
        raise BadInput("bad-kind", kinds="informer, place, other")
    with _workspace() as ws:
        federation.warn(ws, alliance, kind, text)  # type: ignore[arg-type]
    _print(_("The warning is sent to the alliance."))


@handles_errors
def fed_council(alliance: str = AllianceArgument) -> None:
    """Make the alliance you just formed, still alone in it, a coordinating council."""
    from hasteh.app import federation

    with _workspace() as ws:
        federation.declare_council(ws, alliance)
    _print(
        _("{name} is now a council: its members are alliances' delegates.").format(name=alliance)
    )


@handles_errors
def fed_report(
    source: str = typer.Argument(..., help=_("The alliance or council it comes from.")),
    item: str = typer.Argument(
        ..., help=_("The vote's number, or wN for warning N, or rN for report N.")
    ),
    into: str = typer.Option(
        ..., "--into", help=_("The group one level down: your cell or alliance.")
    ),
) -> None:
    """Carry a decision, a warning or a report-back one level down."""
    from hasteh.app import federation

    with _workspace() as ws:
        if item[:1] in ("w", "W"):
            federation.report_warning(
                ws, source, federation.warning_ref(ws, source, item[1:]), into=into
            )
        elif item[:1] in ("r", "R"):
            federation.pass_down(ws, source, federation.report_ref(ws, source, item[1:]), into=into)
        else:
            federation.report_down(ws, source, federation.vote_ref(ws, source, item), into=into)
    _print(_("Carried into {group}.").format(group=into))


@handles_errors
def fed_reports(group: str = typer.Argument(..., help=_("Your cell or alliance."))) -> None:
    """The report-backs carried into a group from the levels above."""
    from hasteh.app import federation

    with _workspace() as ws:
        found = federation.reports_in(ws, group)
        zone = zone_of(ws)
    if not found:
        _print(_("No report-backs."))
    statuses = federation.bulletin_statuses(found)
    for i, r in enumerate(found, 1):
        path = " › ".join(r.path)
        line = _("report {n} ({kind}) from {path}, {date}: {text}").format(
            n=_n(i), kind=_(WORDS[r.kind]), path=path, date=when(r.at, zone), text=r.text
        )
        if i - 1 in statuses:
            line = f"[{_(WORDS[statuses[i - 1]])}] " + line
        if r.outcome is not None:
            line += " — " + _("{status}: {agree} for, {disagree} against").format(
                status=_(WORDS["adopted" if r.outcome.adopted else "rejected"]),
                agree=_n(r.outcome.agree),
                disagree=_n(r.outcome.disagree),
            )
        _print(line)


@handles_errors
def fed_article(
    alliance: str = AllianceArgument,
    title: str = typer.Argument(..., help=_("The article's title.")),
    body: str = typer.Argument(..., help=_("The article (Markdown, as the press reads it).")),
) -> None:
    """Submit your cell's article for the nationwide bulletin."""
    from hasteh.app import federation

    with _workspace() as ws:
        federation.submit_article(ws, alliance, title, body)
    _print(_("The article is sent to the alliance."))


@handles_errors
def fed_compile(
    alliance: str = AllianceArgument,
    vote: str = typer.Argument(
        ..., help=_("The number of the adopted vote that decided the issue.")
    ),
    title: str = typer.Option(..., "--title", help=_("The bulletin's title.")),
    out: Path = OutOption,
) -> None:
    """Compile the next issue from the articles not yet printed, as the alliance decided,
    and print it signed with the alliance's bulletin key (held by the editors the
    alliance named: this device must be one of theirs)."""
    from hasteh.app import federation
    from hasteh.cli.bulletin import _publish_failed, _write
    from hasteh.publish.errors import PublishError

    try:
        with _workspace() as ws:
            motion = federation.vote_ref(ws, alliance, vote)
            number = federation.compile_issue(ws, alliance, motion, title=title)
            pdf = federation.press_issue(ws, alliance, number)
    except PublishError as exc:
        raise _publish_failed(exc) from None
    _write(out, pdf)
    _print(_("Issue {n} is compiled and signed.").format(n=_n(number)))


@handles_errors
def fed_editors(
    alliance: str = AllianceArgument,
    cells: list[str] = EditorCellsArgument,
    deadline: str = DeadlineOption,
) -> None:
    """Without cells: who holds the alliance's bulletin key. With cells: propose, for
    your cell, that their delegates hold it; it opens the alliance's vote."""
    from hasteh.app import decisions, federation

    with _workspace() as ws:
        if cells:
            federation.name_editors(ws, alliance, cells, deadline=decisions.deadline(ws, deadline))
        shown = federation.key_view(ws, alliance)
    _show_key(shown)


def _show_key(view: object) -> None:
    from hasteh.app.federation import KeyView

    assert isinstance(view, KeyView)
    for number, cells in view.open_namings:
        _print(_("vote {n}: editors {cells}").format(n=_n(number), cells=", ".join(cells)))
    if not view.editors:
        _print(_("The alliance has named no editors yet."))
        return
    _print(_("Editors of the alliance's bulletin: {cells}").format(cells=", ".join(view.editors)))
    if view.fingerprint:
        _print(
            _("The bulletin key's fingerprint: {fp} (replaced {n} times)").format(
                fp=view.fingerprint, n=_n(view.rotations)
            )
        )
    if view.rotation_due:
        _print(_("The key is being replaced: an editor left or the alliance named others."))
    if view.holds:
        _print(_("This device holds the key: you can compile issues."))
    elif view.named:
        _print(_("Your cell is named an editor; the key reaches this device at the next sync."))


@handles_errors
def fed_issues(alliance: str = AllianceArgument) -> None:
    """The nationwide bulletin's issues, each checked against the articles in the log."""
    from hasteh.app import federation

    with _workspace() as ws:
        shown = federation.view(ws, alliance)
    if not shown.issues:
        _print(_("No issues yet."))
    for number, title, status in shown.issues:
        _print(
            _("issue {n}: {title} ({status})").format(
                n=_n(number), title=title, status=_(WORDS[status])
            )
        )
    for a in shown.articles:
        _print("   " + _("article from {cell}: {title}").format(cell=a.cell, title=a.title))


@handles_errors
def fed_republish(
    alliance: str = AllianceArgument,
    number: str = typer.Argument(..., help=_("The issue's number.")),
    into: str = typer.Option(..., "--into", help=_("Your cell.")),
) -> None:
    """Carry a genuine issue into your cell, where every member can check it."""
    from hasteh.app import federation
    from hasteh.app.errors import BadInput
    from hasteh.i18n import parse_digits, whole_number

    value = whole_number(parse_digits(number).strip(), max_digits=6)
    if value is None:
        raise BadInput("unknown-fed-item")
    with _workspace() as ws:
        federation.republish(ws, alliance, value, into=into)
    _print(_("Carried into {group}.").format(group=into))


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help=_("For delegates: the programme, joint actions, warnings, the council."),
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    group.command("show", help=_("The programme and everything the alliance shares."))(fed_show)
    group.command("programme", help=_("The programme and everything the alliance shares."))(
        fed_show
    )
    group.command("amend", help=_("Propose an amendment of the programme."))(fed_amend)
    group.command("vote", help=_("Cast your cell's vote."))(fed_vote)
    group.command("joint", help=_("Propose a joint action."))(fed_joint)
    group.command("count", help=_("Give your cell's count for a joint action."))(fed_count)
    group.command("warn", help=_("Warn the alliance."))(fed_warn)
    group.command("council", help=_("Make a new alliance a council."))(fed_council)
    group.command("report", help=_("Carry something one level down."))(fed_report)
    group.command("reports", help=_("The report-backs carried into a group."))(fed_reports)
    group.command("article", help=_("Submit an article for the nationwide bulletin."))(fed_article)
    group.command("compile", help=_("Compile and sign the next issue."))(fed_compile)
    group.command("editors", help=_("Who holds the alliance's bulletin key; propose editors."))(
        fed_editors
    )
    group.command("issues", help=_("The nationwide bulletin's issues."))(fed_issues)
    group.command("republish", help=_("Carry an issue into your cell."))(fed_republish)
    app.add_typer(group, name="federation")
