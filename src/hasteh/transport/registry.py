"""Which mailboxes this profile reads, and on which relays (vault settings).

A stand-in until groups exist: each group will own its mailbox and relay list. Kept in the
vault setting `transport.mailboxes`; the SOCKS proxy (Tor) in `transport.proxy`.
"""

from __future__ import annotations

import msgspec

from hasteh.envelope import MAILBOX_SIZE, WRITE_KEY_SIZE
from hasteh.vault import Connection
from hasteh.vault.settings import get_setting, set_setting

MAILBOXES_KEY = "transport.mailboxes"
PROXY_KEY = "transport.proxy"


class MailboxEntry(msgspec.Struct, frozen=True):
    mailbox: str  # hex
    relays: list[str]
    #: A write key (hex) to read the mailbox with, for mailboxes added by hand; groups
    #: derive theirs from the group instead.
    key: str | None = None


def mailboxes(conn: Connection) -> dict[bytes, list[str]]:
    entries = get_setting(conn, MAILBOXES_KEY, list[MailboxEntry], [])
    return {bytes.fromhex(e.mailbox): list(e.relays) for e in entries}


def read_keys(conn: Connection) -> dict[bytes, bytes]:
    """The write keys registered by hand to read mailboxes with (mailbox -> key)."""
    entries = get_setting(conn, MAILBOXES_KEY, list[MailboxEntry], [])
    return {bytes.fromhex(e.mailbox): bytes.fromhex(e.key) for e in entries if e.key}


def add_mailbox(
    conn: Connection, mailbox: bytes, relays: list[str], *, key: bytes | None = None
) -> None:
    """Register `mailbox` (or add relays to it), optionally with a write key to read it."""
    if len(mailbox) != MAILBOX_SIZE:
        raise ValueError("a mailbox id is 32 bytes")
    if key is not None and len(key) != WRITE_KEY_SIZE:
        raise ValueError(f"a write key is {WRITE_KEY_SIZE} bytes")
    current = mailboxes(conn)
    keys = read_keys(conn)
    if key is not None:
        keys[mailbox] = key
    merged = current.get(mailbox, [])
    merged += [r.rstrip("/") for r in relays if r.rstrip("/") not in merged]
    current[mailbox] = merged
    set_setting(
        conn,
        MAILBOXES_KEY,
        [
            MailboxEntry(m.hex(), rs, keys[m].hex() if m in keys else None)
            for m, rs in sorted(current.items())
        ],
    )


def proxy(conn: Connection) -> str | None:
    return get_setting(conn, PROXY_KEY, str)


def set_proxy(conn: Connection, url: str | None) -> None:
    set_setting(conn, PROXY_KEY, url)
