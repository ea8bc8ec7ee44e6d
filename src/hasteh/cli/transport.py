"""`hasteh sync`, `hasteh courier export|import`, `hasteh mailbox add|list`: a thin shell
over `hasteh.transport`. The profile and passphrase options are the vault commands' own.

Until groups exist, `sync` works over the mailboxes registered with `hasteh mailbox add`:
it delivers the outbox and counts what waits in those mailboxes, but leaves it on the relay
(nothing can read it yet), so no envelope is consumed before it can be processed.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console

from hasteh.cli.options import (
    ENV_PASSPHRASE,
    HomeOption,
    PassphraseFileOption,
    handles_errors,
    home_dir,
    read_secret,
    working,
)
from hasteh.i18n import _, display_number
from hasteh.transport.relay_client import RelayClient
from hasteh.vault import Vault, unlock

out = Console()
err = Console(stderr=True)

ENV_COURIER_CODE = "HASTEH_COURIER_CODE"

#: Other layers' part of `hasteh sync` (the app's cell sync registers here): each runs on
#: the opened vault after the outbox was delivered and returns lines to print.
SyncHook = Callable[[Vault, Callable[[str], RelayClient]], list[str]]
SYNC_HOOKS: list[SyncHook] = []
#: Run on the opened vault before `courier export` collects the outbox (the app merges
#: its staged commits there: offline, exporting is committing; see docs/cells.md).
BEFORE_EXPORT_HOOKS: list[Callable[[Vault], None]] = []
#: When set, `courier import` hands the bundle to it (the app processes the envelopes of
#: its cells and cards in the bundle's order); it returns lines to print.
ImportHook = Callable[[Vault, bytes, str], list[str]]
IMPORT_HOOK: list[ImportHook] = []
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


def _open(home: Path | None, passphrase_file: Path | None) -> Vault:
    passphrase = read_secret(passphrase_file, ENV_PASSPHRASE, _("Passphrase"), confirm=False)
    with working():
        return unlock(home_dir(home), passphrase)


def _say(template: str, **values: int) -> None:
    """Print a translated template with its numbers shown in the UI language's digits."""
    shown = {k: display_number(v) for k, v in values.items()}
    out.print(template.format(**shown), markup=False, highlight=False)


@handles_errors
def sync(
    home: Path | None = HomeOption,
    passphrase_file: Path | None = PassphraseFileOption,
    proxy_url: str | None = ProxyOption,
) -> None:
    """Send the outbox to the relays and check the registered mailboxes."""
    from hasteh.envelope import WriteAuth
    from hasteh.transport import outbox, registry
    from hasteh.transport.errors import TransportError
    from hasteh.transport.relay_client import RelayClient

    opened = _open(home, passphrase_file)
    clients: dict[str, RelayClient] = {}
    try:
        proxy = proxy_url or opened.read(registry.proxy)

        def client_for(url: str) -> RelayClient:
            if url not in clients:
                clients[url] = RelayClient(url, proxy=proxy)
            return clients[url]

        now = time.time()
        outbox.recover(opened, now=now)
        report = outbox.deliver_due(opened, client_for, now=now, rng=random.SystemRandom().random)
        hook_lines = [line for hook in SYNC_HOOKS for line in hook(opened, client_for)]
        waiting = unreachable = 0
        keys = opened.read(registry.read_keys)

        def read_auth(relay: str, mailbox: bytes) -> WriteAuth | None:
            return WriteAuth(keys[mailbox]) if mailbox in keys else None

        for mailbox, relays in opened.read(registry.mailboxes).items():
            for relay in relays:
                try:
                    waiting += len(
                        outbox.fetch_new(
                            opened, client_for(relay), relay, mailbox, now=now, auth=read_auth
                        )
                    )
                except TransportError:
                    unreachable += 1
    finally:
        for client in clients.values():
            client.close()
        opened.close()
    _say(
        _("Sent: {sent}. Will retry later: {retrying}. Refused: {failed}."),
        sent=report.sent,
        retrying=report.retrying,
        failed=report.failed,
    )
    if report.conflicts:
        _say(_("Commits that lost a race and must be rebuilt: {n}."), n=len(report.conflicts))
    for line in hook_lines:
        out.print(line, markup=False, highlight=False)
    _say(_("Envelopes waiting in your mailboxes: {n}."), n=waiting)
    if unreachable:
        _say(_("Relays not reachable now: {n}. Your outbox keeps everything."), n=unreachable)


@handles_errors
def courier_export(
    file: Path = ExportFileArgument,
    mailbox: list[str] = MailboxFilterOption,
    recent_days: float = RecentDaysOption,
    home: Path | None = HomeOption,
    passphrase_file: Path | None = PassphraseFileOption,
) -> None:
    """Write undelivered envelopes into one encrypted bundle and show its code."""
    from hasteh.transport import courier

    try:
        wanted = {bytes.fromhex(m) for m in mailbox} or None
    except ValueError:
        raise typer.BadParameter(_("A mailbox id is 64 hexadecimal characters.")) from None
    code = os.environ.get(ENV_COURIER_CODE) or courier.new_code(os.urandom)
    opened = _open(home, passphrase_file)
    try:
        since = time.time() - recent_days * DAY if recent_days > 0 else None
        for before in BEFORE_EXPORT_HOOKS:
            before(opened)
        with working():
            data, count = courier.export_bundle(
                opened, code=code, rng=os.urandom, mailboxes=wanted, recent_since=since
            )
    finally:
        opened.close()
    file.write_bytes(data)
    _say(_("The bundle carries {n} envelopes."), n=count)
    if ENV_COURIER_CODE not in os.environ:
        out.print(_("Its code (give it separately, never with the file):"), markup=False)
        out.print(code, markup=False, highlight=False)


@handles_errors
def courier_import(
    file: Path = ImportFileArgument,
    home: Path | None = HomeOption,
    passphrase_file: Path | None = PassphraseFileOption,
) -> None:
    """Take envelopes from a bundle: keep yours, queue the rest for their relays."""
    from hasteh.transport import courier

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
    opened = _open(home, passphrase_file)
    try:
        if IMPORT_HOOK:
            with working():
                lines = IMPORT_HOOK[0](opened, data, code)
            for line in lines:
                out.print(line, markup=False, highlight=False)
            out.print(_("Run `hasteh sync` when a network is available."), markup=False)
            return
        with working():
            known = opened.read(courier.profile_relays)
            report = courier.import_bundle(
                opened, data, code=code, now=time.time(), known_relays=known
            )
        if report.unconfirmed:
            _say(
                _("This bundle also goes to relays you do not use ({n}):"),
                n=len(report.unconfirmed),
            )
            for url, count in sorted(report.unconfirmed.items()):
                out.print(f"  {url}  ({count})", markup=False, highlight=False)
            if _confirm(_("Contacting them shows them your network address. Send there too?")):
                extra = courier.confirm_relays(opened, report, report.unconfirmed, now=time.time())
                report.queued += extra.queued
                report.known += extra.known
    finally:
        opened.close()
    _say(
        _("For your mailboxes: {mine}. Queued for relays: {queued}. Already had: {known}."),
        mine=len(report.for_me),
        queued=report.queued,
        known=report.known,
    )
    out.print(_("Run `hasteh sync` when a network is available."), markup=False)


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
    home: Path | None = HomeOption,
    passphrase_file: Path | None = PassphraseFileOption,
) -> None:
    """Register a mailbox to read, until groups do this themselves."""
    from hasteh.transport import registry

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
    opened = _open(home, passphrase_file)
    try:
        opened.write(lambda conn: registry.add_mailbox(conn, raw, relay, key=raw_key))
    finally:
        opened.close()
    out.print(_("The mailbox was registered."), markup=False)


def register(app: typer.Typer) -> None:
    app.command(
        "sync", help=_("Send the outbox to the relays and check the registered mailboxes.")
    )(sync)
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
