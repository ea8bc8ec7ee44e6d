"""`hasteh` console script: the root Typer app and the commands every face shares.

Feature commands live in their own modules (`hasteh.cli.<feature>`) and are registered
here; each is a thin shell: parse arguments, call the layer below, print the result.
A `HastehError` becomes exit code 1 with its message and next step.
"""

from __future__ import annotations

import importlib

import typer
from rich.console import Console

from hasteh import __version__
from hasteh.i18n import _

app = typer.Typer(
    name="hasteh",
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


def _register_subcommands() -> None:
    """Attach feature command groups that exist (each module defines `register(app)`)."""
    for name in ("vault", "relay", "transport", "web", "cells"):
        try:
            module = importlib.import_module(f"hasteh.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"hasteh.cli.{name}":
                continue
            raise
        module.register(app)


_register_subcommands()
