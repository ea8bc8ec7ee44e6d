"""Which mailboxes this profile reads, and on which relays (vault settings).

A stand-in until groups exist: each group will own its mailbox and relay list. Kept in the
vault setting `transport.mailboxes`; the SOCKS proxy (Tor) in `transport.proxy`.
"""

from __future__ import annotations

import msgspec

from hasteh.envelope import MAILBOX_SIZE
from hasteh.vault import Connection
from hasteh.vault.settings import get_setting, set_setting

MAILBOXES_KEY = "transport.mailboxes"
PROXY_KEY = "transport.proxy"


class MailboxEntry(msgspec.Struct, frozen=True):
    mailbox: str  # hex
    relays: list[str]


def mailboxes(conn: Connection) -> dict[bytes, list[str]]:
    entries = get_setting(conn, MAILBOXES_KEY, list[MailboxEntry], [])
    return {bytes.fromhex(e.mailbox): list(e.relays) for e in entries}


def add_mailbox(conn: Connection, mailbox: bytes, relays: list[str]) -> None:
    """Register `mailbox` (or add relays to it)."""
    if len(mailbox) != MAILBOX_SIZE:
        raise ValueError("a mailbox id is 32 bytes")
    current = mailboxes(conn)
    merged = current.get(mailbox, [])
    merged += [r.rstrip("/") for r in relays if r.rstrip("/") not in merged]
    current[mailbox] = merged
    set_setting(
        conn, MAILBOXES_KEY, [MailboxEntry(m.hex(), rs) for m, rs in sorted(current.items())]
    )


def proxy(conn: Connection) -> str | None:
    return get_setting(conn, PROXY_KEY, str)


def set_proxy(conn: Connection, url: str | None) -> None:
    set_setting(conn, PROXY_KEY, url)
