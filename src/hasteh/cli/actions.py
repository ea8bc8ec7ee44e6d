"""`hasteh action …`: the cell's work (issue 15) from the command line: plan, demands,
tasks, go/no-go, "I will take part", review. A thin shell over `hasteh.app.actions`."""

from __future__ import annotations

from datetime import tzinfo

import typer

from hasteh.cli.common import CellArgument, _n, _print, _workspace, when, zone_of
from hasteh.cli.options import handles_errors
from hasteh.i18n import _

ActionArgument = typer.Argument(..., help=_("The action's number (see `action show`)."))
DateOption = typer.Option(
    "three-days",
    "--date",
    help=_("When: evening, tomorrow, three-days or week, or a date such as «۲۰ آذر ۱۸:۰۰»."),
)
DeadlineOption = typer.Option(
    "tomorrow", "--deadline", help=_("When the vote closes (same forms as --date).")
)

#: The Persian words for the kinds, statuses and roles, as shown (msgids).
WORDS = {
    "strike": "strike",
    "slowdown": "slowdown",
    "petition": "petition",
    "protest": "protest",
    "gathering": "gathering",
    "todo": "to do",
    "doing": "doing",
    "done": "done",
    "dropped": "dropped",
}

#: Said plainly wherever the count is offered (docs/org.md, "Actions").
TURNOUT_LIMIT = (
    "Only the number is shown and kept. But while the count is open, a modified hasteh "
    "of a member could note who said they will take part: say it only in a cell you trust."
)


def _show(a: object, zone: tzinfo) -> None:
    from hasteh.app.actions import ActionSummary

    assert isinstance(a, ActionSummary)
    mark = "! " if a.urgent else ""
    _print(f"{mark}{_n(a.number)}. [{_(WORDS[a.kind])}] {a.code_name} — {when(a.date, zone)}")
    if a.note:
        _print("   " + a.note)
    for i, demand in enumerate(a.demands, 1):
        _print("   " + _("demand {n}: {text}").format(n=_n(i), text=demand))
    for t in a.tasks:
        _print(
            "   "
            + _("task {n}: {title} — {name}, by {date} ({status})").format(
                n=_n(t.number),
                title=t.title,
                name=t.assignee,
                date=when(t.due, zone),
                status=_(WORDS[t.status]),
            )
        )
    for role, d in a.decisions.items():
        state = _("open") if d.is_open else _(d.status or "")
        _print(
            "   "
            + _("{role}: decision {n} ({state})").format(role=_(role), n=_n(d.number), state=state)
        )
    if a.turnout is not None:
        _print("   " + _("will take part: {n}").format(n=_n(a.turnout)))
    for went_well, to_change in a.reviews:
        _print("   + " + went_well)
        if to_change:
            _print("   - " + to_change)


@handles_errors
def action_plan(
    cell: str = CellArgument,
    kind: str = typer.Option(
        ..., "--kind", help=_("strike, slowdown, petition, protest or gathering.")
    ),
    code_name: str = typer.Option(
        ..., "--code-name", help=_("The workplace's code name (never its address).")
    ),
    date: str = DateOption,
    note: str = typer.Option("", "--note", help=_("A short note.")),
    urgent: bool = typer.Option(
        False, "--urgent", help=_("A call for a spontaneous action: every member is notified.")
    ),
) -> None:
    """Plan an action of the cell."""
    from hasteh.app import actions, decisions

    with _workspace() as ws:
        planned = actions.plan(
            ws,
            cell,
            kind=kind,
            code_name=code_name,
            date=decisions.deadline(ws, date),
            note=note,
            urgent=urgent,
        )
        zone = zone_of(ws)
    _show(planned, zone)


@handles_errors
def action_demand(
    cell: str = CellArgument,
    action: str = ActionArgument,
    text: str = typer.Argument(..., help=_("The demand, in a few words.")),
) -> None:
    """Add a demand to an action."""
    from hasteh.app import actions

    with _workspace() as ws:
        shown = actions.add_demand(ws, cell, action, text)
        zone = zone_of(ws)
    _show(shown, zone)


@handles_errors
def action_task(
    cell: str = CellArgument,
    action: str = ActionArgument,
    title: str = typer.Argument(..., help=_("What is to be done.")),
    assignee: str = typer.Option(..., "--to", help=_("The cover name of who does it.")),
    due: str = typer.Option("tomorrow", "--due", help=_("By when (same forms as --date).")),
) -> None:
    """Give a task of an action to a member."""
    from hasteh.app import actions, decisions

    with _workspace() as ws:
        shown = actions.add_task(
            ws, cell, action, title=title, assignee=assignee, due=decisions.deadline(ws, due)
        )
        zone = zone_of(ws)
    _show(shown, zone)


@handles_errors
def action_status(
    cell: str = CellArgument,
    action: str = ActionArgument,
    task: str = typer.Argument(..., help=_("The task's number.")),
    status: str = typer.Argument(..., help=_("todo, doing, done or dropped.")),
) -> None:
    """Change a task's status (its assignee or the action's planner)."""
    from hasteh.app import actions

    with _workspace() as ws:
        shown = actions.set_task(ws, cell, action, task, status)
        zone = zone_of(ws)
    _show(shown, zone)


@handles_errors
def action_vote(
    cell: str = CellArgument,
    action: str = ActionArgument,
    what: str = typer.Argument(..., help=_("go, turnout, priorities or dots.")),
    deadline: str = DeadlineOption,
) -> None:
    """Open the go/no-go, the count of who takes part, or the vote on the demands'
    priorities (ranked, or dots for a dot-vote); members take part with `decide vote`."""
    from hasteh.app import actions, decisions
    from hasteh.app.errors import BadInput

    with _workspace() as ws:
        closes = decisions.deadline(ws, deadline)
        if what == "go":
            shown = actions.open_go(ws, cell, action, deadline=closes)
        elif what == "turnout":
            shown = actions.open_turnout(ws, cell, action, deadline=closes)
        elif what in ("priorities", "dots"):
            shown = actions.open_priorities(ws, cell, action, deadline=closes, dots=what == "dots")
        else:
            raise BadInput("bad-kind", kinds="go, turnout, priorities, dots")
        zone = zone_of(ws)
    _show(shown, zone)
    if what == "turnout":
        _print(_(TURNOUT_LIMIT))


@handles_errors
def action_join(cell: str = CellArgument, action: str = ActionArgument) -> None:
    """ "I will take part": adds one to the count; no name is shown or kept."""
    from hasteh.app import actions

    _print(_(TURNOUT_LIMIT))
    with _workspace() as ws:
        shown = actions.take_part(ws, cell, action)
    _print(_("will take part: {n}").format(n=_n(shown.turnout or 0)))


@handles_errors
def action_review(
    cell: str = CellArgument,
    action: str = ActionArgument,
    went_well: str = typer.Option(..., "--went-well", help=_("What went well.")),
    to_change: str = typer.Option("", "--to-change", help=_("What to do differently.")),
) -> None:
    """After the action: what went well, what to change (kept without your name)."""
    from hasteh.app import actions

    with _workspace() as ws:
        shown = actions.review(ws, cell, action, went_well=went_well, to_change=to_change)
        zone = zone_of(ws)
    _show(shown, zone)


@handles_errors
def action_show(cell: str = CellArgument) -> None:
    """The cell's actions."""
    from hasteh.app import actions

    with _workspace() as ws:
        found = actions.show(ws, cell)
        zone = zone_of(ws)
    if not found:
        _print(_("No actions."))
    for a in found:
        _show(a, zone)


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help=_("The cell's work: actions, demands, tasks, go/no-go, who takes part."),
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    group.command("plan", help=_("Plan an action of the cell."))(action_plan)
    group.command("demand", help=_("Add a demand to an action."))(action_demand)
    group.command("task", help=_("Give a task of an action to a member."))(action_task)
    group.command("status", help=_("Change a task's status."))(action_status)
    group.command("vote", help=_("Open a vote about an action."))(action_vote)
    group.command("join", help=_("Say you will take part (a number only)."))(action_join)
    group.command("review", help=_("Review an action afterwards."))(action_review)
    group.command("show", help=_("The cell's actions."))(action_show)
    app.add_typer(group, name="action")
