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


# Each entry: (module under hasteh.cli, implemented component shown by `selfcheck`).
FEATURES: tuple[tuple[str, str], ...] = (
    ("hasteh.mls.codec", "MLS codec (RFC 9420 §2.1)"),
    ("hasteh.mls.cipher_suite", "MLS cipher suites 0x0001-0x0007"),
    ("hasteh.mls.hpke", "HPKE (RFC 9180)"),
    ("hasteh.mls.key_schedule", "MLS key schedule (§8)"),
    ("hasteh.mls.secret_tree", "MLS secret tree (§9)"),
    ("hasteh.mls.framing", "MLS framing (§6)"),
    ("hasteh.vault", "encrypted vault (SQLCipher)"),
    ("hasteh.relay", "blind relay"),
    ("hasteh.transport", "relay client, outbox, courier bundles"),
)


@app.command()
def selfcheck() -> None:
    """Check this installation and show what is implemented."""
    from rich.table import Table

    table = Table(title=f"hasteh {__version__}")
    table.add_column("component")
    table.add_column("status")
    for module, label in FEATURES:
        try:
            importlib.import_module(module)
            status = "[green]" + _("implemented") + "[/green]"
        except ImportError:
            status = "[yellow]" + _("not yet") + "[/yellow]"
        table.add_row(label, status)
    console.print(table)
    console.print(_("Everything checked passed."))


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
