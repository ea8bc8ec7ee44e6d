"""Tor settings in the profile's vault (encrypted at rest, like everything in it).

| key              | type        | meaning                                                  |
|------------------|-------------|----------------------------------------------------------|
| ``tor.own``      | ``bool``    | hasteh starts its own tor and reaches relays through it  |
| ``tor.bridges``  | ``list[str]``| validated bridge lines (`bridges.parse_bridges`)         |
| ``tor.onion_key``| ``str``     | the key of this profile's onion relay (a secret)         |

A Tor the user already runs (Tor Browser 9150, Orbot, Tails 9050) is the transport's
`transport.proxy` setting instead; when both are set, hasteh's own tor wins.
"""

from __future__ import annotations

from hasteh.tor.bridges import Bridge, parse_bridges
from hasteh.tor.onion import valid_key
from hasteh.vault import Connection
from hasteh.vault.settings import delete_setting, get_setting, set_setting

OWN_KEY = "tor.own"
BRIDGES_KEY = "tor.bridges"
ONION_KEY = "tor.onion_key"


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


def onion_key(conn: Connection) -> str | None:
    key = get_setting(conn, ONION_KEY, str)
    return key if key is not None and valid_key(key) else None


def set_onion_key(conn: Connection, key: str) -> None:
    if not valid_key(key):
        raise ValueError("not an ED25519-V3 onion key")
    set_setting(conn, ONION_KEY, key)


def forget_onion_key(conn: Connection) -> bool:
    """Drop the key: the next `--onion` run gets a new address."""
    return delete_setting(conn, ONION_KEY)
