"""A cell's relays on this device: which to post to and read, which orders, what waits.

docs/org.md, "Several relays": every envelope goes to every relay of the cell (and to
the relays this device opted into for it, `CellRecord.local_relays`); every relay is read,
and an envelope already had from another relay is recognized by its id and not processed
again (`vault.cursors.mark_seen`). The **ordering relay** (the first of the list) alone
orders the log. So:

* a **commit** that arrives from another relay waits (`CellRecord.deferred`) until the
  ordering relay shows it in its order: two members who read different relays first can
  never apply different commits for the same epoch;
* while the ordering relay does not answer, messages still flow through the others, but
  no membership commit is made (`hold_commits`): it would only wait, and a removal would
  retire the write keys of the relays still working. Members see why (notice
  ``membership-waits``);
* the list is a setting of the cell (`CellSettings.relays`), changed by decision; when
  the change enters the log every member moves onto the new list at that same point of
  the log (`follow_settings`).

Records only: no I/O beyond the vault connection it is handed.
"""

from __future__ import annotations

from typing import Final

from hasteh.app.errors import BadInput
from hasteh.app.records import CellRecord
from hasteh.app.relay_status import contacts, is_down
from hasteh.envelope import Envelope, Kind
from hasteh.org import MAX_RELAYS, CellSettings, ChangeSettings, Decision, relay_url_problem
from hasteh.transport.outbox import Arrival
from hasteh.vault import Connection

__all__ = [
    "added_relays",
    "checked_relays",
    "defer",
    "delivery_relays",
    "follow_settings",
    "hold_commits",
    "ordering_relay",
    "take_deferred",
    "waits_for_order",
]

#: How many waiting commits a cell remembers (a relay could send many; the oldest go).
MAX_DEFERRED: Final = 64


def checked_relays(typed: list[str]) -> list[str]:
    """A relay list as typed (spaces and a trailing ``/`` trimmed), or a precise
    `BadInput` before anything is sent: the same rules every member's org checks."""
    relays = [r.strip().rstrip("/") for r in typed if r.strip()]
    if not relays:
        raise BadInput("no-relays")
    if len(relays) > MAX_RELAYS:
        raise BadInput("too-many-relays", limit=MAX_RELAYS)
    for url in relays:
        if relay_url_problem(url) is not None:
            raise BadInput("bad-relay")
    if len(set(relays)) != len(relays):
        raise BadInput("relay-twice")
    return relays


def ordering_relay(record: CellRecord) -> str | None:
    """The relay whose order is the log's order: the first of the cell's relays."""
    return record.relays[0] if record.relays else None


def delivery_relays(record: CellRecord) -> list[str]:
    """Where this device posts the cell's envelopes and reads its mailbox: the cell's
    relays, then the ones it opted into for this cell alone."""
    return [*record.relays, *(r for r in record.local_relays if r not in record.relays)]


def waits_for_order(record: CellRecord, envelope: Envelope, arrival: Arrival) -> bool:
    """Whether `envelope` must wait for the ordering relay: a commit fetched from any other
    relay (a courier bundle has no relay and is processed as it comes)."""
    return (
        envelope.kind is Kind.COMMIT
        and bool(arrival.relay)
        and arrival.relay != ordering_relay(record)
        and ordering_relay(record) is not None
    )


def defer(record: CellRecord, envelope_id: bytes) -> bool:
    """Remember a commit that waits for the ordering relay; False if already waiting."""
    if envelope_id in record.deferred:
        return False
    record.deferred.append(envelope_id)
    del record.deferred[:-MAX_DEFERRED]
    return True


def take_deferred(record: CellRecord, envelope_id: bytes) -> bool:
    """Whether `envelope_id` was waiting (it no longer is)."""
    if envelope_id not in record.deferred:
        return False
    record.deferred.remove(envelope_id)
    return True


def follow_settings(record: CellRecord, settings: CellSettings) -> bool:
    """Move the cell onto the relay list of its settings, if the log changed it; whether
    it moved. The window of the old ordering relay's positions is dropped (positions of
    two relays cannot be compared)."""
    wanted = settings.relays
    if wanted is None or list(wanted) == record.relays:
        return False
    old_order = ordering_relay(record)
    record.relays = list(wanted)
    record.local_relays = [r for r in record.local_relays if r not in record.relays]
    if ordering_relay(record) != old_order:
        record.window = []
    return True


def added_relays(record: CellRecord, decision: Decision) -> list[str]:
    """The relays a settings decision adds to the cell's list (none for other motions)."""
    motion = decision.motion
    if not isinstance(motion, ChangeSettings) or motion.settings.relays is None:
        return []
    have = delivery_relays(record)
    return [r for r in motion.settings.relays if r not in have]


def hold_commits(conn: Connection, record: CellRecord) -> bool:
    """Whether membership commits wait: the ordering relay's last contact failed."""
    first = ordering_relay(record)
    return first is not None and is_down(contacts(conn).get(first))
