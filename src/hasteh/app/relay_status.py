"""When each relay last answered, kept on this device only (docs/org.md, "Several relays").

A cell with several relays keeps talking while one is down; its members need to see which
ones answer, and why membership changes wait when the ordering relay does not. Each sync
records, per relay URL, the last time it answered and the last time it failed (and how):
nothing else, and only in the vault (setting `records.RELAY_STATUS_KEY`). It says which
relays this device uses, which the vault already says; it is never sent anywhere.

"Down" means the last contact failed: one answer after a failure is enough to count a
relay as up again (event-based, no timers).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import msgspec

from hasteh.app.records import RELAY_STATUS_KEY
from hasteh.vault import Connection
from hasteh.vault.errors import SettingTypeMismatch
from hasteh.vault.settings import get_setting, set_setting

__all__ = ["RelayContact", "contacts", "is_down", "note_contacts"]

#: How many relays the status remembers (the least recently heard of go first).
MAX_KEPT: Final = 64


class RelayContact(msgspec.Struct, frozen=True, array_like=True):
    """The last time (unix seconds, this device's clock) a relay answered, and failed;
    `error` is the last failure's kind (``unreachable``, ``refused``) without detail;
    `down`: the last contact failed (kept apart from the times: a clock may stand still
    or jump back)."""

    answered_at: int | None = None
    failed_at: int | None = None
    error: str = ""
    down: bool = False


def contacts(conn: Connection) -> dict[str, RelayContact]:
    """What this device knows of each relay. A stored status that does not read (a bug,
    an old format) is forgotten rather than stopping the sync: it is only advisory."""
    try:
        return get_setting(conn, RELAY_STATUS_KEY, dict[str, RelayContact], {})
    except SettingTypeMismatch:
        return {}


def is_down(contact: RelayContact | None) -> bool:
    """Whether the last contact with a relay failed (unknown relays are not down)."""
    return contact is not None and contact.down


def note_contacts(
    conn: Connection, answered: Iterable[str], failed: Mapping[str, str], *, now: int
) -> None:
    """Record one round: relays that answered, and relays that failed with their kind."""
    known = contacts(conn)
    for url in answered:
        was = known.get(url, RelayContact())
        known[url] = msgspec.structs.replace(was, answered_at=now, down=False)
    for url, error in failed.items():
        if url in answered:
            continue
        was = known.get(url, RelayContact())
        known[url] = msgspec.structs.replace(was, failed_at=now, error=error, down=True)
    if len(known) > MAX_KEPT:

        def last_heard(item: tuple[str, RelayContact]) -> int:
            c = item[1]
            return max(c.answered_at or 0, c.failed_at or 0)

        known = dict(sorted(known.items(), key=last_heard)[-MAX_KEPT:])
    set_setting(conn, RELAY_STATUS_KEY, known)
