"""Tor settings in the profile's vault (encrypted at rest, like everything in it).

| key              | type        | meaning                                                  |
|------------------|-------------|----------------------------------------------------------|
| ``tor.own``      | ``bool``    | hasteh starts its own tor and reaches relays through it  |
| ``tor.bridges``  | ``list[str]``| validated bridge lines (`bridges.parse_bridges`)         |

The onion key of `hasteh up --onion` is not a setting: it is derived from the embedded
relay's key, which the vault keeps (`tor.onion.derive_key`).

A Tor the user already runs (Tor Browser 9150, Orbot, Tails 9050) is the transport's
`transport.proxy` setting instead; when both are set, hasteh's own tor wins.
"""

from __future__ import annotations

from hasteh.tor.bridges import Bridge, parse_bridges
from hasteh.vault import Connection
from hasteh.vault.settings import get_setting, set_setting

OWN_KEY = "tor.own"
BRIDGES_KEY = "tor.bridges"


def own_tor(conn: Connection) -> bool:
    return get_setting(conn, OWN_KEY, bool, False)


def set_own_tor(conn: Connection, on: bool) -> None:
    set_setting(conn, OWN_KEY, on)


def bridges(conn: Connection) -> tuple[Bridge, ...]:
    """The saved bridges (checked again: a vault edited by an old version stays safe)."""
    return parse_bridges("\n".join(get_setting(conn, BRIDGES_KEY, list[str], [])))


def bridges_text(conn: Connection) -> str:
    return "\n".join(b.line() for b in bridges(conn))


def set_bridges(conn: Connection, text: str) -> tuple[Bridge, ...]:
    """Validate pasted lines (`BridgeLineInvalid` leaves the saved ones) and save them."""
    parsed = parse_bridges(text)
    set_setting(conn, BRIDGES_KEY, [b.line() for b in parsed])
    return parsed
