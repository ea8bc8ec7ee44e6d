"""`hasteh tor ...`: hasteh's own Tor (on, off, bridges, check), and the reach every CLI
command that contacts a relay goes through (`reach`).

    hasteh tor on [--bridges FILE]    start hasteh's own tor whenever a relay is contacted
    hasteh tor off                    reach relays directly (or through `transport.proxy`)
    hasteh tor bridges FILE|-         save bridge lines (obfs4, snowflake, plain); `--clear`
    hasteh tor check                  start tor now, show its progress, stop it
    hasteh tor proxy URL|--clear      use a Tor you already run (Tor Browser, Orbot, Tails)

Tor's bootstrap is drawn as a progress bar on stderr while a command waits for it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn

from hasteh.cli.options import (
    ENV_PASSPHRASE,
    explain,
    fail,
    handles_errors,
    read_secret,
    step_text,
    working,
)
from hasteh.cli.profile import profile
from hasteh.i18n import _, display_number
from hasteh.tor.errors import BridgeLineInvalid
from hasteh.tor.process import defaults_from_env
from hasteh.tor.runtime import SharedTor
from hasteh.transport import registry, tor_settings
from hasteh.transport.reach import PROXY_SCHEME, Reach
from hasteh.vault import Vault, unlock
from hasteh.vault.profile import shred_tree

err = Console(stderr=True)
out = Console()
#: hasteh's tor works in `<home>/tor` (shredded on stop, panic and duress).
TOR_DIR = "tor"


class BootstrapBar:
    """A progress bar on stderr, opened at tor's first report and closed at 100%."""

    def __init__(self) -> None:
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __call__(self, percent: int, _tag: str) -> None:
        if self._bar is None:
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[shown]}"),
                console=err,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(_("Connecting to Tor"), total=100, shown="")
        assert self._task is not None
        self._bar.update(self._task, completed=percent, shown=f"{display_number(percent)}%")
        if percent >= 100:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def shared_tor(home: Path) -> SharedTor:
    return SharedTor(
        home / TOR_DIR, progress=BootstrapBar(), defaults=defaults_from_env(), remove=shred_tree
    )


@contextmanager
def reach(vault: Vault) -> Iterator[Reach]:
    """The profile's reach for one command; its tor (if it started one) stops at the end."""
    tor = shared_tor(vault.home)
    try:
        yield Reach(vault, tor)
    finally:
        tor.stop()


@contextmanager
def _vault() -> Iterator[Vault]:
    chosen = profile()
    passphrase = read_secret(chosen.passphrase_file, ENV_PASSPHRASE, _("Passphrase"), confirm=False)
    with working():
        vault = unlock(chosen.home, passphrase)
    try:
        yield vault
    finally:
        vault.close()


def _read_lines(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise fail(_("The bridge file cannot be read.")) from None


def _save_bridges(vault: Vault, text: str) -> int:
    try:
        return len(vault.write(lambda conn: tor_settings.set_bridges(conn, text)))
    except BridgeLineInvalid as exc:
        raise fail(explain(exc), step_text(exc)) from None


BridgesOption = typer.Option(
    None, "--bridges", help=_("A file of bridge lines to use (one a line; - reads stdin).")
)


@handles_errors
def tor_on(bridges: str | None = BridgesOption) -> None:
    """Reach relays through hasteh's own Tor from now on."""
    with _vault() as vault:
        if bridges is not None:
            _save_bridges(vault, _read_lines(bridges))
        vault.write(lambda conn: tor_settings.set_own_tor(conn, True))
    out.print(_("hasteh's own Tor is on: relays are reached through Tor."), markup=False)


@handles_errors
def tor_off() -> None:
    """Stop using hasteh's own Tor."""
    with _vault() as vault:
        vault.write(lambda conn: tor_settings.set_own_tor(conn, False))
    out.print(_("hasteh's own Tor is off."), markup=False)


ClearOption = typer.Option(False, "--clear", help=_("Remove them all."))


@handles_errors
def tor_bridges(
    source: str = typer.Argument("", help=_("File of bridge lines, or - for stdin.")),
    clear: bool = ClearOption,
) -> None:
    """Save the bridge lines hasteh's Tor uses (obfs4, snowflake, or plain)."""
    if not clear and not source:
        raise fail(_("Give a file of bridge lines, - for stdin, or --clear."))
    with _vault() as vault:
        count = _save_bridges(vault, "" if clear else _read_lines(source))
    out.print(_("Bridges saved: {n}.").format(n=display_number(count)), markup=False)


@handles_errors
def tor_proxy(
    url: str = typer.Argument("", help=_("SOCKS address, e.g. socks5h://127.0.0.1:9150.")),
    clear: bool = ClearOption,
) -> None:
    """Use a Tor you already run (Tor Browser 9150, Orbot or Tails 9050)."""
    if not clear and not valid_proxy(url):
        raise fail(_("The proxy must look like socks5h://127.0.0.1:9050."))
    with _vault() as vault:
        vault.write(lambda conn: registry.set_proxy(conn, None if clear else url))
    out.print(_("Saved."), markup=False)


def valid_proxy(url: str) -> bool:
    """`socks5h://HOST:PORT` with nothing else: `socks5://` would resolve names locally."""
    if not url.startswith(PROXY_SCHEME):
        return False
    host, sep, port = url.removeprefix(PROXY_SCHEME).rpartition(":")
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789.-[]:")
    return bool(
        sep
        and host
        and set(host.lower()) <= allowed
        and port.isascii()
        and port.isdigit()
        and 0 < int(port) < 65536
    )


@handles_errors
def tor_check() -> None:
    """Start hasteh's Tor now with the saved bridges, show its progress, then stop it."""
    with _vault() as vault:
        bridges = vault.read(tor_settings.bridges)
        tor = shared_tor(vault.home)
        try:
            tor.ensure(bridges)
        finally:
            tor.stop()
    out.print(_("Tor reached the network."), markup=False)


def register(app: typer.Typer) -> None:
    group: Any = typer.Typer(
        help=_("hasteh's own Tor, bridges, or a Tor you already run."),
        no_args_is_help=True,
        add_completion=False,
    )
    group.command("on", help=_("Reach relays through hasteh's own Tor from now on."))(tor_on)
    group.command("off", help=_("Stop using hasteh's own Tor."))(tor_off)
    group.command("bridges", help=_("Save bridge lines (obfs4, snowflake, or plain)."))(tor_bridges)
    group.command("proxy", help=_("Use a Tor you already run (its SOCKS address)."))(tor_proxy)
    group.command("check", help=_("Start Tor now, show its progress, stop it."))(tor_check)
    app.add_typer(group, name="tor")
