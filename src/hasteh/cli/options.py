"""Options and helpers every CLI command module shares.

The profile folder is --home, else $HASTEH_HOME, else the platform's user data folder.
`--home` and `--passphrase-file` belong to the root command (`cli.profile`).
Passphrases come from a hidden prompt; scripts and tests may use an environment variable or
a file instead (less safe: both can leak through process listings, history, backups, swap).
A `HastehError` becomes its translated message and the next step of its code
(`cli.next_steps`) on stderr, and exit code 1.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from hasteh.cli.next_steps import next_step
from hasteh.cli.profile import default_home as default_home
from hasteh.cli.profile import home_dir as home_dir
from hasteh.cli.profile import profile as profile
from hasteh.errors import HastehError
from hasteh.i18n import _, error_text
from hasteh.i18n import step_text as i18n_step_text
from hasteh.vault.passphrase import read_passphrase_file

P = ParamSpec("P")
R = TypeVar("R")

out = Console()
err = Console(stderr=True)

ENV_PASSPHRASE = "HASTEH_PASSPHRASE"  # noqa: S105 (a variable name, not a secret)
ENV_NEW_PASSPHRASE = "HASTEH_NEW_PASSPHRASE"  # noqa: S105
ENV_DURESS_PASSPHRASE = "HASTEH_DURESS_PASSPHRASE"  # noqa: S105

DuressFileOption = typer.Option(
    None,
    "--duress-passphrase-file",
    help=_("Read the duress passphrase from this file (less safe than typing it)."),
)
NewFileOption = typer.Option(
    None,
    "--new-passphrase-file",
    help=_("Read the new passphrase from this file (less safe than typing it)."),
)


def fail(message: str, next_step: str = "") -> typer.Exit:
    err.print(message, markup=False, highlight=False)
    if next_step:
        err.print(next_step, markup=False, highlight=False, style="dim")
    return typer.Exit(1)


def handles_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """A `HastehError` becomes its message and next step on stderr, and exit code 1.
    Both come from the error's code, never from its text."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except HastehError as exc:
            raise fail(explain(exc), step_text(exc)) from None

    return wrapper


def explain(exc: HastehError) -> str:
    """The error in the current language (`hasteh.i18n.error_text`)."""
    return error_text(exc)


def step_text(exc: HastehError) -> str:
    """What to do next on the command line, translated ("" when the code has none)."""
    step = next_step(exc)
    return i18n_step_text(step, exc) if step else ""


def read_secret(file: Path | None, env: str, prompt: str, *, confirm: bool) -> str:
    if file is not None:
        try:
            return read_passphrase_file(file.read_bytes())
        except OSError:
            raise fail(_("The passphrase file cannot be read.")) from None
    value = os.environ.get(env)
    if value is not None:
        return value
    try:
        return str(
            typer.prompt(
                prompt,
                hide_input=True,
                confirmation_prompt=_("Repeat it") if confirm else False,
            )
        )
    except typer.Abort:
        raise fail(_("No passphrase was given. Nothing was changed.")) from None


@contextmanager
def working() -> Iterator[None]:
    """A spinner while Argon2id runs (it takes a moment on purpose)."""
    with err.status(_("Deriving the key from the passphrase…")):
        yield
