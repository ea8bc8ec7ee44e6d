"""`hasteh relay serve` and `python -m hasteh.relay serve`: run a blind relay
(docs/operations/relay.md).

The command lives with the relay, not in `hasteh.cli`, so that the relay's entry point
imports nothing above the relay; the CLI only attaches it (`hasteh.cli.relay`).
"""

from __future__ import annotations

import signal
from pathlib import Path

import typer

from hasteh.errors import HastehError
from hasteh.i18n import _, error_text
from hasteh.relay.app import DAY, RelayConfig
from hasteh.relay.onion import onion_listener
from hasteh.relay.server import serve as run
from hasteh.tor.onion import OnionService


def relay_app() -> typer.Typer:
    """The `relay` command group (also run by `python -m hasteh.relay`)."""
    relay = typer.Typer(
        help=_("Run a blind relay that stores only ciphertext."),
        no_args_is_help=True,
        add_completion=False,
    )

    @relay.callback()
    def group() -> None:
        """Run a blind relay that stores only ciphertext."""

    @relay.command("serve", help=_("Serve the relay until stopped."))
    def serve(
        host: str = typer.Option("127.0.0.1", help=_("Address to listen on.")),
        port: int = typer.Option(8470, help=_("Port to listen on.")),
        db: str = typer.Option(
            "sqlite:///hasteh-relay.sqlite3",
            help=_("Database: sqlite:///PATH (embedded) or postgresql://..."),
        ),
        retention_days: float = typer.Option(30.0, help=_("Days an envelope is kept.")),
        max_mailbox_mib: int = typer.Option(256, help=_("Size quota of one mailbox, in MiB.")),
        rate: float = typer.Option(200.0, help=_("Requests per second allowed per connection.")),
        max_wait: float = typer.Option(
            30.0, help=_("Longest long-poll wait of a fetch, in seconds.")
        ),
        body_timeout: float = typer.Option(
            10.0, help=_("Seconds a request body may take to arrive.")
        ),
        key_mib_per_day: int = typer.Option(
            64, help=_("MiB one write key may post per rolling day.")
        ),
        key_commits_per_day: int = typer.Option(
            256, help=_("Commits one write key may post per rolling day.")
        ),
        max_keys_per_epoch: int = typer.Option(
            16, help=_("Write keys a mailbox may register for one epoch.")
        ),
        commit_grace_days: float = typer.Option(
            7.0, help=_("Days a retired key may still commit at its epoch.")
        ),
        key_retention_days: float = typer.Option(
            60.0, help=_("Days a retired key is kept before it is dropped.")
        ),
        max_total_gib: float = typer.Option(
            20.0, help=_("Bytes the relay stores in all, in GiB (new mailboxes stop at 90%).")
        ),
        max_fetch_mib: float = typer.Option(4.0, help=_("Largest fetch answer, in MiB.")),
        rendezvous_rate: float = typer.Option(
            5.0, help=_("Rendezvous requests per second allowed per connection.")
        ),
        rendezvous_minutes: float = typer.Option(
            15.0, help=_("Minutes a rendezvous slot lives (spoken codes).")
        ),
        fd: int | None = typer.Option(
            None,
            help=_(
                "Serve on this inherited, already listening socket (a file descriptor from "
                "a supervisor) instead of --host and --port."
            ),
        ),
        onion: bool = typer.Option(
            False,
            "--onion",
            help=_(
                "Publish the relay as a Tor onion service only (hasteh starts its own Tor) "
                "and print its address; --host, --port and --fd are then not used."
            ),
        ),
        onion_key: str = typer.Option(
            "hasteh-relay.onion-key",
            "--onion-key",
            help=_("File holding the onion address's key (made on first use, mode 600)."),
        ),
    ) -> None:
        """Serve the relay until stopped."""
        try:
            config = RelayConfig(
                retention=retention_days * DAY,
                max_mailbox_bytes=max_mailbox_mib * 1024 * 1024,
                rate_per_second=rate,
                rate_burst=max(1, int(rate * 2)),
                max_wait=max(0.0, min(max_wait, 30.0)),
                body_timeout=max(0.1, body_timeout),
                key_bytes_per_day=max(1, key_mib_per_day) * 1024 * 1024,
                key_commits_per_day=max(1, key_commits_per_day),
                max_keys_per_epoch=max(1, max_keys_per_epoch),
                commit_grace=max(0.0, commit_grace_days) * DAY,
                key_retention=max(0.0, key_retention_days) * DAY,
                max_total_bytes=int(max(0.0, max_total_gib) * 1024**3),
                max_fetch_bytes=int(max_fetch_mib * 1024 * 1024),
                rendezvous_rate=max(0.1, rendezvous_rate),
                rendezvous_burst=max(1, int(rendezvous_rate * 6)),
                rendezvous_ttl=max(1.0, min(rendezvous_minutes, 60.0)) * 60,
            )
            if not onion:
                run(host=host, port=port, db=db, config=config, fd=fd)
                return
            # uvicorn re-raises a SIGTERM it caught once it has shut down; exit through
            # Python then, so tor is stopped and its folder removed on the way out.
            signal.signal(signal.SIGTERM, _exit_on_signal)
            with onion_listener(Path(onion_key), progress=_progress, on_ready=_announce) as sock:
                run(db=db, config=config, sock=sock)
        except HastehError as exc:
            typer.echo(
                _("The relay could not start: {reason}").format(reason=error_text(exc)), err=True
            )
            raise typer.Exit(1) from exc

    return relay


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _progress(percent: int, _tag: str) -> None:
    typer.echo(_("Connecting to Tor: {percent}%").format(percent=percent), err=True)


def _announce(service: OnionService) -> None:
    """Print the address (the one line a script may read) and flush it at once."""
    typer.echo(_("The relay's onion address:"))
    typer.echo(service.url, color=False)
