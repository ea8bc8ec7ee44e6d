"""Contacts with leading workers (issue 15): need-to-know, on this device only.

A member records the workers they keep in touch with: a code name, a workplace code and
notes. A contact lives in this profile's vault (SQLCipher) and nowhere else: it is never
an event of the cell, never in the outbox, never on a relay. What leaves is only what the
member chooses, one contact at a time:

* `handover_record` / `read_handover`: the contact as a small, bounded record for handing
  to another member who meets them in person (the record is meant to travel inside the
  invitation channel's end-to-end encryption; see docs/cells.md, "Contacts"). "Hand over"
  deletes it from the giver's vault (`hand_over`); "share a copy" keeps it.
* `shared`: whether the member lets the cell see this contact's code name; the cell sees
  at most a count and those code names, never a workplace or a note.

Deleted contacts are gone from the file: the vault runs with ``secure_delete`` and a
deletion of secrets is followed by a checkpoint (`secrets_deleted`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Final

import msgspec
from msgspec import Meta

from hasteh.app import runtime
from hasteh.app.cells import find_cell
from hasteh.app.errors import BadInput, clean_or_refuse, refused
from hasteh.errors import DECODE_FAILURES
from hasteh.org.errors import InvalidEvent
from hasteh.org.events import MAX_SHARED_NAMES, ContactsShared
from hasteh.org.fund import check_text
from hasteh.vault.db import Connection, secrets_deleted
from hasteh.vault.settings import delete_setting, get_setting, set_setting, setting_keys

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = [
    "MAX_CONTACTS",
    "Contact",
    "add",
    "forget",
    "hand_over",
    "handover_record",
    "list_contacts",
    "read_handover",
    "receive",
    "set_shared",
    "shared_summary",
    "tell",
    "told",
]

CONTACT_PREFIX: Final = "app.contact."
#: At most this many contacts in one profile (a bound for every list and page).
MAX_CONTACTS: Final = 500
MAX_WORKPLACE: Final = 64
MAX_NOTES: Final = 2_000
#: The largest count a `ContactsShared` carries (the schema's `Count`).
MAX_COUNT: Final = 1_000
#: The hand-over record's version byte, and its largest encoding.
HANDOVER_VERSION: Final = 1
MAX_HANDOVER_BYTES: Final = 4_096


class Contact(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One contact, as stored in the vault (JSON under ``app.contact.<id>``)."""

    contact_id: Annotated[str, Meta(pattern=r"^[0-9a-f]{16}$")]
    code_name: Annotated[str, Meta(min_length=1, max_length=64)]
    workplace: Annotated[str, Meta(max_length=MAX_WORKPLACE)] = ""
    notes: Annotated[str, Meta(max_length=MAX_NOTES)] = ""
    added_at: Annotated[int, Meta(ge=0, lt=2**40)] = 0
    #: The member lets the cell see this contact's code name (and count it).
    shared: bool = False


class Handover(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """What travels when a contact is handed to another member in person."""

    version: Annotated[int, Meta(ge=0, le=255)]
    code_name: Annotated[str, Meta(min_length=1, max_length=64)]
    workplace: Annotated[str, Meta(max_length=MAX_WORKPLACE)] = ""
    notes: Annotated[str, Meta(max_length=MAX_NOTES)] = ""


_HANDOVER = msgspec.msgpack.Decoder(Handover)


def _clean(code_name: str, workplace: str, notes: str) -> tuple[str, str, str]:
    """The fields, checked: a code name is a name (no hidden characters, one script per
    word); a workplace code is a short name too; notes are free text, but never a card or
    account number (the same rule as the fund)."""
    name = clean_or_refuse(code_name)
    place = clean_or_refuse(workplace, limit=MAX_WORKPLACE) if workplace.strip() else ""
    text = notes.strip()
    if len(text) > MAX_NOTES:
        raise BadInput("contact-notes-too-long", limit=MAX_NOTES)
    try:
        check_text(text)
    except InvalidEvent as exc:  # a card or account number: the fund's precise message
        raise refused(exc) from None
    return name, place, text


def _all(conn: Connection) -> list[Contact]:
    found = []
    for key in setting_keys(conn):
        if key.startswith(CONTACT_PREFIX):
            contact = get_setting(conn, key, Contact)
            if contact is not None:
                found.append(contact)
    return sorted(found, key=lambda c: (c.added_at, c.contact_id))


def list_contacts(ws: Workspace) -> list[Contact]:
    """This profile's contacts, oldest first."""
    return ws.vault.read(_all)


def _find(conn: Connection, ref: str) -> Contact:
    wanted = ref.strip()
    contacts = _all(conn)
    for c in contacts:
        if c.code_name == wanted or (len(wanted) >= 4 and c.contact_id.startswith(wanted)):
            return c
    raise BadInput("unknown-contact")


def add(ws: Workspace, code_name: str, *, workplace: str = "", notes: str = "") -> Contact:
    """Record a contact in this vault only. A code name already used is refused."""
    name, place, text = _clean(code_name, workplace, notes)
    contact = Contact(ws.rng(8).hex(), name, place, text, ws.now())

    def run(conn: Connection) -> None:
        existing = _all(conn)
        if len(existing) >= MAX_CONTACTS:
            raise BadInput("too-many-contacts", limit=MAX_CONTACTS)
        if any(c.code_name == name for c in existing):
            raise BadInput("contact-exists")
        set_setting(conn, CONTACT_PREFIX + contact.contact_id, contact)

    ws.vault.write(run)
    return contact


def set_shared(ws: Workspace, ref: str, shared: bool) -> Contact:
    """Let the cell see this contact's code name (or stop)."""

    def run(conn: Connection) -> Contact:
        found = msgspec.structs.replace(_find(conn, ref), shared=shared)
        set_setting(conn, CONTACT_PREFIX + found.contact_id, found)
        return found

    return ws.vault.write(run)


def forget(ws: Workspace, ref: str) -> None:
    """Delete a contact from this vault (zeroed on disk)."""

    def run(conn: Connection) -> None:
        found = _find(conn, ref)
        delete_setting(conn, CONTACT_PREFIX + found.contact_id)
        secrets_deleted(conn)

    ws.vault.write(run)


def handover_record(ws: Workspace, ref: str) -> bytes:
    """The contact as the record another member receives (nothing else: no id, no date,
    no "shared" flag, nothing about the giver)."""
    found = ws.vault.read(lambda conn: _find(conn, ref))
    return msgspec.msgpack.encode(
        Handover(HANDOVER_VERSION, found.code_name, found.workplace, found.notes)
    )


def hand_over(ws: Workspace, ref: str) -> bytes:
    """The hand-over record, and the contact deleted from this vault ("hand over", not
    "share a copy"): the giver no longer holds what they gave."""
    record = handover_record(ws, ref)
    forget(ws, ref)
    return record


def read_handover(data: bytes) -> Handover:
    """A received hand-over record, bounded and checked, or `BadInput`
    (``bad-handover``): never a crash, whatever the bytes."""
    if len(data) > MAX_HANDOVER_BYTES:
        raise BadInput("bad-handover")
    try:
        record = _HANDOVER.decode(data)
    except DECODE_FAILURES:
        raise BadInput("bad-handover") from None
    if record.version != HANDOVER_VERSION:
        raise BadInput("bad-handover")
    try:
        name, place, text = _clean(record.code_name, record.workplace, record.notes)
    except Exception:  # a hostile giver's fields: one refusal, no oracle
        raise BadInput("bad-handover") from None
    if (name, place, text) != (record.code_name, record.workplace, record.notes):
        raise BadInput("bad-handover")
    return record


def receive(ws: Workspace, data: bytes) -> Contact:
    """Keep a contact handed over by another member (checked like one typed here)."""
    record = read_handover(data)
    return add(ws, record.code_name, workplace=record.workplace, notes=record.notes)


def shared_summary(ws: Workspace) -> tuple[int, tuple[str, ...]]:
    """What the member lets the cell see: how many contacts, and the code names of those
    marked shared. Never a workplace or a note."""
    contacts = list_contacts(ws)
    return len(contacts), tuple(c.code_name for c in contacts if c.shared)


def tell(ws: Workspace, cell: str) -> tuple[int, tuple[str, ...]]:
    """Send the cell what the member lets it see: the count and the shared code names
    (`ContactsShared`), nothing else; returns what was sent."""
    rt = find_cell(ws, cell)
    rt.require_group()
    count, names = shared_summary(ws)
    runtime.send_event(ws, rt, ContactsShared(min(count, MAX_COUNT), names[:MAX_SHARED_NAMES]))
    return count, names


def told(ws: Workspace, cell: str) -> dict[str, tuple[int, tuple[str, ...]]]:
    """What each current member let the cell see, by cover name."""
    rt = find_cell(ws, cell)
    state = rt.org
    return {
        state.cover_name(leaf): shared
        for leaf, shared in sorted(state.contacts.items())
        if leaf in state.members
    }
