"""The profile options of the root command: `--home` and `--passphrase-file`.

One callback (`cli.main`) takes them for every command, and they may be written before or
after the command: `hasteh --home D read C` and `hasteh read C --home D` are the same
(`hoist_profile_options`). Commands read them with `profile()`. Light on purpose: the root
command imports it at start.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import platformdirs

__all__ = [
    "HOME_HELP",
    "PASSPHRASE_FILE_HELP",
    "PROFILE_OPTIONS",
    "Profile",
    "default_home",
    "hoist_profile_options",
    "home_dir",
    "profile",
    "use_profile",
]

#: Help of the two options (message ids, translated when help is shown).
HOME_HELP: Final = "Profile folder (default: $HASTEH_HOME or your user data folder)."
PASSPHRASE_FILE_HELP: Final = "Read the passphrase from this file (less safe than typing it)."  # noqa: S105 (help text)

#: The root command's profile options, each taking a value.
PROFILE_OPTIONS: Final = ("--home", "--passphrase-file")


@dataclass(frozen=True, slots=True)
class Profile:
    """Which profile a command works on, and where its passphrase comes from."""

    home: Path
    passphrase_file: Path | None = None


def hoist_profile_options(args: list[str]) -> list[str]:
    """`args` with the profile options (and their values) moved to the front, so they
    reach the root command wherever they were written; nothing after `--` moves."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        if arg in PROFILE_OPTIONS and i + 1 < len(args):
            front.extend(args[i : i + 2])
            i += 2
            continue
        if arg.startswith(tuple(f"{o}=" for o in PROFILE_OPTIONS)):
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


#: Set by the root command's callback for the command that runs after it.
_profile: ContextVar[Profile | None] = ContextVar("hasteh_profile", default=None)


def use_profile(home: Path | None, passphrase_file: Path | None) -> None:
    """The root callback's part: remember the profile options for the command."""
    _profile.set(Profile(home_dir(home), passphrase_file))


def profile() -> Profile:
    """The profile the root command was given (`--home`, `--passphrase-file`)."""
    return _profile.get() or Profile(default_home())


def default_home() -> Path:
    return Path(platformdirs.user_data_dir("hasteh", appauthor=False))


def home_dir(home: Path | None) -> Path:
    return home if home is not None else default_home()
