"""`hasteh sync`, `hasteh courier export|import`, `hasteh mailbox add`: a thin shell over
`hasteh.app` (sync, courier) and `hasteh.transport` (the mailbox registry). The profile
and passphrase options are the vault commands' own.

`sync` runs the app's sync once: it delivers the outbox, fetches every mailbox of the
profile's cells and cards once, processes what arrived and stages what this member is
responsible for (`hasteh.app.sync`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console

from hasteh.app import courier as app_courier
from hasteh.app import sync as app_sync
from hasteh.app.profile import Workspace
from hasteh.cli.options import (
    ENV_PASSPHRASE,
    handles_errors,
    read_secret,
    working,
)
from hasteh.cli.profile import profile
from hasteh.cli.tor import reach
from hasteh.i18n import _, display_number
from hasteh.transport import courier, registry
from hasteh.vault import unlock

out = Console()
err = Console(stderr=True)

ENV_COURIER_CODE = "HASTEH_COURIER_CODE"
DAY = 86400.0

ExportFileArgument = typer.Argument(..., help=_("Bundle file to write (e.g. on a USB stick)."))
ImportFileArgument = typer.Argument(..., help=_("Bundle file to read."))
MailboxFilterOption = typer.Option(
    [], "--mailbox", help=_("Only this mailbox (hex id); repeat for more.")
)
RecentDaysOption = typer.Option(
    0.0, "--recent-days", help=_("Also carry envelopes already delivered in the last N days.")
)
MailboxArgument = typer.Argument(..., help=_("Mailbox id (64 hexadecimal characters)."))
ProxyOption = typer.Option(
    None,
    "--proxy",
    help=_("SOCKS proxy for Tor, e.g. socks5h://127.0.0.1:9050 (names resolved by Tor)."),
)
RelayOption = typer.Option(..., "--relay", help=_("Relay URL; repeat for more."))


def _say(template: str, **values: int) -> None:
    """Print a translated template with its numbers shown in the UI language's digits."""
    shown = {k: display_number(v) for k, v in values.items()}
    out.print(template.format(**shown), markup=False, highlight=False)


@contextmanager
def _workspace(*, proxy: str | None = None) -> Iterator[Workspace]:
    """The unlocked profile as the app's workspace (relay clients over `proxy` if given)."""
    passphrase = read_secret(
        profile().passphrase_file, ENV_PASSPHRASE, _("Passphrase"), confirm=False
    )
    with working():
        vault = unlock(profile().home, passphrase)
    with reach(vault) as how:
        ws = Workspace(vault, proxy=proxy, proxy_source=how.proxy)
        try:
            yield ws
        finally:
            ws.close()


@handles_errors
def sync(
    proxy_url: str | None = ProxyOption,
) -> None:
    """Send the outbox to the relays, fetch your cells' and cards' mailboxes, process."""
    with _workspace(proxy=proxy_url) as ws:
        report = app_sync.sync(ws)
    _say(
        _("Sent: {sent}. Will retry later: {retrying}. Refused: {failed}."),
        sent=report.sent,
        retrying=report.retrying,
        failed=report.failed,
    )
    if report.conflicts:
        _say(_("Commits that lost a race and must be rebuilt: {n}."), n=report.conflicts)
    _say(
        _("Cells: {received} messages processed, {commits} commits made."),
        received=report.received,
        commits=report.commits_staged,
    )
    for name in report.joined:
        out.print(_("You joined {name}.").format(name=name), markup=False, highlight=False)
    if report.unreachable:
        _say(
            _("Relays not reachable now: {n}. Your outbox keeps everything."),
            n=len(report.unreachable),
        )
    for name in sorted(report.ordering_down):
        out.print(
            _(
                "{name}: its ordering relay is not answering. Messages go through the other "
                "relays; changes to the membership wait until it answers."
            ).format(name=name),
            markup=False,
            highlight=False,
        )
    if report.held:
        _say(
            _(
                "Messages a relay holds back for now (its space or budget is full): {n}. "
                "They stay in your outbox and are sent again later."
            ),
            n=sum(report.held.values()),
        )
    for relay in sorted(report.refused_here):
        out.print(
            _(
                "{relay} no longer accepts this device for a cell: you were probably "
                "removed. Ask a member in person."
            ).format(relay=relay),
            markup=False,
            highlight=False,
        )
    if report.waiting:
        _say(_("Envelopes waiting in your mailboxes: {n}."), n=report.waiting)


@handles_errors
def courier_export(
    file: Path = ExportFileArgument,
    mailbox: list[str] = MailboxFilterOption,
    recent_days: float = RecentDaysOption,
) -> None:
    """Write undelivered envelopes into one encrypted bundle and show its code."""
    try:
        wanted = {bytes.fromhex(m) for m in mailbox} or None
    except ValueError:
        raise typer.BadParameter(_("A mailbox id is 64 hexadecimal characters.")) from None
    code = os.environ.get(ENV_COURIER_CODE) or courier.new_code(os.urandom)
    with _workspace() as ws:
        since = time.time() - recent_days * DAY if recent_days > 0 else None
        # Offline, exporting is committing: staged commits merge and Welcomes are queued
        # first (docs/cells.md).
        app_courier.prepare_export(ws)
        with working():
            data, count = courier.export_bundle(
                ws.vault, code=code, rng=os.urandom, mailboxes=wanted, recent_since=since
            )
    file.write_bytes(data)
    _say(_("The bundle carries {n} envelopes."), n=count)
    if ENV_COURIER_CODE not in os.environ:
        out.print(_("Its code (give it separately, never with the file):"), markup=False)
        out.print(code, markup=False, highlight=False)


@handles_errors
def courier_import(
    file: Path = ImportFileArgument,
) -> None:
    """Take envelopes from a bundle: keep yours, queue the rest for their relays."""
    try:
        data = file.read_bytes()
    except OSError:
        raise typer.BadParameter(_("The bundle file cannot be read.")) from None
    code = os.environ.get(ENV_COURIER_CODE)
    if code is None:
        try:
            code = str(typer.prompt(_("Bundle code"), hide_input=True))
        except typer.Abort:
            raise typer.Exit(1) from None
    with _workspace() as ws, working():
        report = app_courier.import_bundle(ws, data, code, confirm=_confirm_relays)
    _say(
        _("For your mailboxes: {mine}. Queued for relays: {queued}. Already had: {known}."),
        mine=report.for_me,
        queued=report.queued,
        known=report.known,
    )
    _say(
        _("Cells: {received} messages processed, {commits} commits made."),
        received=report.received,
        commits=report.commits_staged,
    )
    for name in report.joined:
        out.print(_("You joined {name}.").format(name=name), markup=False, highlight=False)
    out.print(_("Run `hasteh sync` when a network is available."), markup=False)


def _confirm_relays(unconfirmed: dict[str, int]) -> list[str]:
    """Whether to send to relays this profile does not use: each is listed, then asked."""
    for url, count in sorted(unconfirmed.items()):
        out.print(f"  {url}  ({display_number(count)})", markup=False, highlight=False)
    question = _(
        "This bundle also goes to relays you do not use. Contacting them shows them "
        "your network address. Send there too?"
    )
    return list(unconfirmed) if _confirm(question) else []


def _confirm(question: str) -> bool:
    """Ask yes or no; no answer (no terminal, end of input) is no."""
    try:
        return bool(typer.confirm(question, default=False))
    except typer.Abort:
        return False


@handles_errors
def mailbox_add(
    mailbox: str = MailboxArgument,
    relay: list[str] = RelayOption,
    key: str | None = typer.Option(
        None, "--key", help=_("Write key to read the mailbox with (64 hexadecimal characters).")
    ),
) -> None:
    """Register a mailbox to read, until groups do this themselves."""
    try:
        raw = bytes.fromhex(mailbox)
        if len(raw) != 32:
            raise ValueError
    except ValueError:
        raise typer.BadParameter(_("A mailbox id is 64 hexadecimal characters.")) from None
    try:
        raw_key = None if key is None else bytes.fromhex(key)
        if raw_key is not None and len(raw_key) != 32:
            raise ValueError
    except ValueError:
        raise typer.BadParameter(_("A write key is 64 hexadecimal characters.")) from None
    with _workspace() as ws:
        ws.vault.write(lambda conn: registry.add_mailbox(conn, raw, relay, key=raw_key))
    out.print(_("The mailbox was registered."), markup=False)


def register(app: typer.Typer) -> None:
    app.command("sync", help=_("Send the outbox, fetch your mailboxes and process them."))(sync)
    courier = typer.Typer(
        help=_("Carry envelopes on a file when there is no network."),
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    courier.command("export", help=_("Write undelivered envelopes into one encrypted bundle."))(
        courier_export
    )
    courier.command("import", help=_("Take envelopes from a bundle: keep yours, queue the rest."))(
        courier_import
    )
    app.add_typer(courier, name="courier")
    mailboxes = typer.Typer(
        help=_("Mailboxes this profile reads (until groups manage them)."),
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    mailboxes.command("add", help=_("Register a mailbox to read."))(mailbox_add)
    app.add_typer(mailboxes, name="mailbox")
