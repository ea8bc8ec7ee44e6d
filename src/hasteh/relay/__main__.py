"""`python -m hasteh.relay serve ...` runs the same command as `hasteh relay serve ...`."""

from __future__ import annotations

from hasteh.relay.command import relay_app

if __name__ == "__main__":
    relay_app()()
