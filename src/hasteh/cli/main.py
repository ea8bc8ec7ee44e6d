"""`hasteh` console script: the root Typer app and the commands every face shares.

Feature commands live in their own modules (`hasteh.cli.<feature>`); each is a thin shell:
parse arguments, call the layer below, print the result. A `HastehError` becomes exit
code 1 with its message and next step.

The root group loads a feature module only when one of its commands runs (`LazyGroup`,
`COMMANDS`): `hasteh --version` imports no app, web or network code, and `hasteh read`
imports the app but not the web face (docs/benchmarks.md, "CLI start"). `--help` loads
every module, so it lists every command. Every built command's parameters get plain
coercion (`cli.coercion`), so running one does not import pydantic.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Final

import typer
from rich.console import Console
from typer._click.core import Command, Context
from typer.core import TyperGroup
from typer.models import CommandInfo

from hasteh import __version__
from hasteh.cli.coercion import lighten
from hasteh.cli.profile import HOME_HELP, PASSPHRASE_FILE_HELP, hoist_profile_options, use_profile
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
    "reach": "reach",
    "tor": "tor",
    "share-app": "share",
    "time-zone": "zone",
    "course": "course",
    "action": "actions",
    "bulletin": "bulletin",
    "code": "spoken",
    "propose-code": "spoken",
    "rendezvous": "spoken",
    "fund": "fund",
    "study": "study",
    "files": "files",
    "library": "files",
    "drop": "drop",
    "alliance": "delegation",
    "delegate": "delegation",
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


def feature_app(module: str) -> typer.Typer:
    """A Typer app holding the commands `hasteh.cli.<module>` registers (not yet built)."""
    group = typer.Typer(rich_markup_mode=None, add_completion=False)
    importlib.import_module(f"hasteh.cli.{module}").register(group)
    return group


def _name_of(info: CommandInfo) -> str:
    """A registered command's name: the one given, else Typer's from its function."""
    if info.name:
        return info.name
    assert info.callback is not None
    return typer.main.get_command_name(info.callback.__name__)


def build_command(group: typer.Typer, name: str) -> Command | None:
    """Only the command (or command group) `name` of `group`, as Click sees it: Typer
    builds a parser for every parameter of a command it converts, so converting one
    command instead of a module's dozen keeps a run's start short."""
    for info in group.registered_commands:
        if _name_of(info) == name:
            return typer.main.get_command_from_info(
                info,
                pretty_exceptions_short=group.pretty_exceptions_short,
                rich_markup_mode=group.rich_markup_mode,
            )
    for sub in group.registered_groups:
        if sub.name == name:
            return typer.main.get_group_from_info(
                sub,
                pretty_exceptions_short=group.pretty_exceptions_short,
                suggest_commands=group.suggest_commands,
                rich_markup_mode=group.rich_markup_mode,
            )
    return None


def registered_names(group: typer.Typer) -> set[str]:
    """The names of the commands and command groups in `group` (for the tests)."""
    names = {_name_of(info) for info in group.registered_commands}
    return names | {sub.name for sub in group.registered_groups if sub.name}


def _note_profile_options(command: Command) -> None:
    """Say in a command's help (and its subcommands') where the profile options are."""
    note = _("--home and --passphrase-file may come before or after the command.")
    command.epilog = f"{command.epilog}\n\n{note}" if command.epilog else note
    for sub in getattr(command, "commands", {}).values():
        _note_profile_options(sub)


class LazyGroup(TyperGroup):
    """The root group: a feature module is imported the first time one of its commands
    is looked up (running it, or `--help`), never at start."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._apps: dict[str, typer.Typer] = {}
        self._built: dict[str, Command | None] = {}

    def format_help(self, ctx: Context, formatter: Any) -> None:
        """The root's own texts are translated here, when help is shown, not when the
        module loads: `hasteh --version` then reads no translation catalog."""
        self.help = root_help()
        texts = {
            "version": "Show the version and exit.",
            "home": HOME_HELP,
            "passphrase_file": PASSPHRASE_FILE_HELP,
        }
        for param in self.params:
            if param.name in texts:
                param.help = _(texts[param.name])  # type: ignore[attr-defined]
        super().format_help(ctx, formatter)

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        """`--home` and `--passphrase-file` may follow the command (as they always could):
        they are moved in front of it, to this group's callback."""
        return super().parse_args(ctx, hoist_profile_options(args))

    def get_params(self, ctx: Context) -> list[Any]:
        """The root's parameters, with plain coercion (`cli.coercion`)."""
        lighten(self, ctx)
        return super().get_params(ctx)

    def list_commands(self, ctx: Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None:
            return super().get_command(ctx, cmd_name)
        if cmd_name not in self._built:
            if module not in self._apps:
                self._apps[module] = feature_app(module)
            built = build_command(self._apps[module], cmd_name)
            if built is not None:
                _note_profile_options(lighten(built, ctx))
            self._built[cmd_name] = built
        return self._built[cmd_name]


ABOUT: Final = (
    "hasteh (هسته, 'cell') lets a small cell of trusted workers talk, decide and organize "
    "end-to-end encrypted (MLS, RFC 9420), through blind relays or USB courier bundles, "
    "with a profile that reveals nothing when a device is seized. "
    "Set HASTEH_LANG=en for English; Persian is the default."
)


def root_help() -> str:
    """The root command's help, in the language of the run."""
    return _("hasteh: a secure organizing suite for small workers' cells.") + "\n\n" + ABOUT


app = typer.Typer(
    name="hasteh",
    cls=LazyGroup,
    help=ABOUT,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
console = Console()


def _version_callback(value: bool) -> None:
    if value:
        console.print(f"hasteh {__version__}")
        raise typer.Exit()


# The profile options of every command (`cli.profile`); help translated when shown.
_HOME = typer.Option(None, "--home", envvar="HASTEH_HOME", help=HOME_HELP, show_default=False)
_PASSPHRASE_FILE = typer.Option(None, "--passphrase-file", help=PASSPHRASE_FILE_HELP)


@app.callback()
def main(
    home: Path | None = _HOME,
    passphrase_file: Path | None = _PASSPHRASE_FILE,
    version: bool = typer.Option(
        False,
        "--version",
        help="Show the version and exit.",  # translated when shown (LazyGroup.format_help)
        callback=_version_callback,
        is_eager=True,
    ),
) -> None:
    """hasteh (هسته): secure organizing for small workers' cells."""
    use_profile(home, passphrase_file)


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
