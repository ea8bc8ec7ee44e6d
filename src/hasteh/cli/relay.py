"""`hasteh relay ...`: the relay's own command group (`hasteh.relay.command`), attached."""

from __future__ import annotations

import typer

from hasteh.relay.command import relay_app


def register(app: typer.Typer) -> None:
    app.add_typer(relay_app(), name="relay")
