"""`hasteh relay serve`: run a blind relay (docs/operations/relay.md)."""

from __future__ import annotations

import typer

from hasteh.i18n import _


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
    ) -> None:
        """Serve the relay until stopped."""
        from hasteh.errors import HastehError
        from hasteh.relay.app import DAY, RelayConfig
        from hasteh.relay.server import serve as run

        config = RelayConfig(
            retention=retention_days * DAY,
            max_mailbox_bytes=max_mailbox_mib * 1024 * 1024,
            rate_per_second=rate,
            rate_burst=max(1, int(rate * 2)),
            max_wait=max(0.0, min(max_wait, 30.0)),
            body_timeout=max(0.1, body_timeout),
        )
        try:
            run(host=host, port=port, db=db, config=config)
        except HastehError as exc:
            typer.echo(_("The relay could not start: {reason}").format(reason=exc), err=True)
            raise typer.Exit(1) from exc

    return relay


def register(app: typer.Typer) -> None:
    app.add_typer(relay_app(), name="relay")
