"""`hasteh` console script: the root Typer app and the commands every face shares.

Feature commands live in their own modules (`hasteh.cli.<feature>`); each is a thin shell:
parse arguments, call the layer below, print the result. A `HastehError` becomes exit
code 1 with its message and next step.

The root group loads a feature module only when one of its commands runs (`LazyGroup`,
`COMMANDS`): `hasteh --version` imports no app, web or network code, and `hasteh read`
imports the app but not the web face (docs/benchmarks.md, "CLI start"). `--help` loads
every module, so it lists every command.
"""

from __future__ import annotations

import importlib
from typing import Final

import typer
from rich.console import Console
from typer._click.core import Command, Context
from typer.core import TyperGroup

from hasteh import __version__
from hasteh.i18n import _

#: Which `hasteh.cli.<module>` registers each top-level command (its `register(app)`).
#: `tests/test_cli_basics.py` checks this against what the modules register.
COMMANDS: Final[dict[str, str]] = {
    "init": "vault",
    "status": "vault",
    "panic": "vault",
    "passphrase": "vault",
    "relay": "relay",
    "sync": "transport",
    "courier": "transport",
    "mailbox": "transport",
    "up": "web",
    **dict.fromkeys(
        (
            "cell",
            "card",
            "propose",
            "vouch",
            "approve",
            "join",
            "say",
            "read",
            "alarms",
            "decide",
            "object",
            "alarm",
        ),
        "cells",
    ),
}


def feature_commands(module: str) -> dict[str, Command]:
    """The Click commands `hasteh.cli.<module>` registers, built on their own Typer app."""
    group = typer.Typer(rich_markup_mode=None, add_completion=False)

    @group.callback()
    def _root() -> None:
        """(A callback makes Typer build a group, even for one command.)"""

    importlib.import_module(f"hasteh.cli.{module}").register(group)
    built = typer.main.get_command(group)
    assert isinstance(built, TyperGroup)
    return dict(built.commands)


class LazyGroup(TyperGroup):
    """The root group: a feature module is imported the first time one of its commands
    is looked up (running it, or `--help`), never at start."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._loaded: dict[str, dict[str, Command]] = {}

    def list_commands(self, ctx: Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None:
            return super().get_command(ctx, cmd_name)
        if module not in self._loaded:
            self._loaded[module] = feature_commands(module)
        return self._loaded[module].get(cmd_name)


app = typer.Typer(
    name="hasteh",
    cls=LazyGroup,
    help=_("hasteh: a secure organizing suite for small workers' cells.")
    + "\n\n"
    + "hasteh (هسته, 'cell') lets a small cell of trusted workers talk, decide and organize "
    "end-to-end encrypted (MLS, RFC 9420), through blind relays or USB courier bundles, "
    "with a profile that reveals nothing when a device is seized. "
    "Set HASTEH_LANG=en for English; Persian is the default.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
console = Console()


def _version_callback(value: bool) -> None:
    if value:
        console.print(f"hasteh {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False,
        "--version",
        help=_("Show the version and exit."),
        callback=_version_callback,
        is_eager=True,
    ),
) -> None:
    """hasteh (هسته): secure organizing for small workers' cells."""


@app.command()
def selfcheck() -> None:
    """Check this installation: each part hasteh relies on is run once, for real (MLS
    between two members, HPKE, the encrypted database, org, the relay, the web app).
    Exit code 1 if any part fails, with what failed."""
    from rich.table import Table

    from hasteh.selfcheck import CHECKS, run

    table = Table(title=f"hasteh {__version__}")
    table.add_column(_("part"))
    table.add_column(_("status"))
    failed = 0
    for result in run(CHECKS):
        if result.ok:
            status = "[green]" + _("works") + "[/green]"
        else:
            failed += 1
            status = "[red]" + _("failed: {why}").format(why=result.detail) + "[/red]"
        table.add_row(_(result.label), status)
    console.print(table)
    if failed:
        console.print(_("Some parts do not work: reinstall hasteh (bash scripts/start.sh)."))
        raise typer.Exit(1)
    console.print(_("Everything checked works."))
