"""Handing a contact to another member in person, through the spoken-code channel.

The same machinery as a spoken invitation (`hasteh.app.invite_code`, driven through a
rendezvous relay as `hasteh.app.spoken` does), with its own SPAKE2 identities (purpose
``contact``), so a contact's code can never complete an invitation. The giver's device
shows a number and three words; the receiver types them; both screens show the same
check words; the contact (`contacts.Handover`, end-to-end encrypted under the code's
key) is kept in the receiver's vault; the receiver's answer tells the giver it arrived,
and only then, for "hand over", is it deleted from the giver's vault. The relay sees two
SPAKE2 messages and ciphertext.

    pending = open_give(ws, "رحیم")           # with the vault: the code to show
    await_taken(pending, now)                  # network only (a web face need not hold
                                               # the workspace while it waits)
    finish_give(ws, pending, keep=False)       # with the vault: "hand over" deletes it
    take_contact(other_ws, "۴۲ ستاره پلنگ قناری")   # the receiver, in one call
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hasteh.app import contacts
from hasteh.app.errors import AppError
from hasteh.app.invite_code import (
    Answer,
    Answered,
    Confirmed,
    InviteCodeError,
    Member,
    Newcomer,
    Offered,
    Outgoing,
    SpokenCode,
    make_code,
    parse_code,
)
from hasteh.app.records import rendezvous_relays
from hasteh.app.rendezvous import (
    DEFAULT_MINUTES,
    GRACE,
    OFFER_WAIT,
    check_minutes,
    open_slot,
    post,
    post_quietly,
    wait,
)
from hasteh.app.spoken import check_words
from hasteh.i18n import current_language

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace
    from hasteh.transport.relay_client import RelayClient

__all__ = ["PendingGive", "await_taken", "finish_give", "open_give", "take_contact"]

PURPOSE = "contact"
#: The receiver's "kept" (the invitation's `Answer` shape requires a group id and a
#: proposer for an ok; here they are fixed words that carry nothing about either side).
KEPT = Answer(True, b"contact-kept", "", "contact")


@dataclass(slots=True, eq=False)
class PendingGive:
    """A contact's code shown and waiting for the receiver."""

    client: RelayClient
    slot: int
    code: SpokenCode
    contact_ref: str
    record: bytes
    machine: Newcomer
    expires_at: int
    check: tuple[int, ...] = ()
    arrived: bool = False

    def text(self, language: str | None = None) -> str:
        return self.code.text(language or current_language())


def open_give(
    ws: Workspace,
    ref: str,
    *,
    minutes: int = DEFAULT_MINUTES,
    rendezvous: list[str] | None = None,
) -> PendingGive:
    """Open a slot and post the first frame; the caller shows `text()` and awaits. The
    contact is read now (`unknown-contact` before anything is opened)."""
    record = contacts.handover_record(ws, ref)
    lifetime = check_minutes(minutes) * 60
    chosen = rendezvous or ws.vault.read(rendezvous_relays)
    client, index, slot = open_slot(ws, chosen)
    code = make_code(slot * len(chosen) + index, ws.rng)
    machine = Newcomer(code, expires_at=ws.now() + lifetime, rng=ws.rng, purpose=PURPOSE)
    pending = PendingGive(client, slot, code, ref, record, machine, machine.expires_at)
    try:
        post(client, slot, "a", 0, machine.open())
    except BaseException:
        client.close()
        raise
    return pending


def await_taken(
    pending: PendingGive,
    now: Callable[[], int],
    *,
    on_check: Callable[[tuple[str, ...]], None] = lambda words: None,
) -> None:
    """Wait for the receiver, check the key, send the contact sealed, wait for the
    receiver's word that it was kept. Network only. `InviteCodeError` on failure."""
    client, slot, machine = pending.client, pending.slot, pending.machine
    reply = wait(client, now, slot, "b", 0, pending.expires_at)
    try:
        events = machine.receive(reply)
    except InviteCodeError as exc:
        post_quietly(client, slot, "a", 1, machine.abort(exc.reason))
        raise
    pending.check = next(e.check for e in events if isinstance(e, Confirmed))
    on_check(check_words(pending.check))
    post(client, slot, "a", 1, machine.offer(pending.record))
    answered = machine.receive(wait(client, now, slot, "b", 1, pending.expires_at + GRACE))
    answer = next(e.answer for e in answered if isinstance(e, Answered))
    if not answer.ok:
        raise InviteCodeError("refused")
    pending.arrived = True


def finish_give(ws: Workspace, pending: PendingGive, *, keep: bool = False) -> None:
    """End the exchange; if the contact arrived and the giver chose "hand over" (not
    `keep`), delete it from this vault."""
    pending.client.close()
    if pending.arrived and not keep:
        contacts.forget(ws, pending.contact_ref)


def take_contact(
    ws: Workspace,
    code_text: str,
    *,
    on_check: Callable[[tuple[str, ...]], None] = lambda words: None,
    rendezvous: list[str] | None = None,
) -> contacts.Contact:
    """Receive a contact by the code the giver reads aloud; keep it in this vault."""
    code = parse_code(code_text)
    rendezvous = rendezvous or ws.vault.read(rendezvous_relays)
    slot, index = divmod(code.number, len(rendezvous))
    if slot == 0:
        raise InviteCodeError("unknown-code")
    client = ws.client_for(rendezvous[index])
    machine = Member(code, now=ws.now(), rng=ws.rng, purpose=PURPOSE)
    opened = wait(client, ws.now, slot, "a", 0, ws.now() + OFFER_WAIT, gone="unknown-code")
    try:
        (reply,) = machine.receive(opened)
    except InviteCodeError as exc:
        post_quietly(client, slot, "b", 0, machine.abort(exc.reason))
        raise
    assert isinstance(reply, Outgoing)
    post(client, slot, "b", 0, reply.data)
    offered = wait(client, ws.now, slot, "a", 1, min(machine.expires_at, ws.now() + OFFER_WAIT))
    try:
        events = machine.receive(offered)
    except InviteCodeError as exc:
        if exc.reason != "wrong-code":
            post_quietly(client, slot, "b", 1, machine.abort(exc.reason))
        raise
    on_check(check_words(next(e.check for e in events if isinstance(e, Confirmed))))
    payload = next(e.payload for e in events if isinstance(e, Offered))
    try:
        kept = contacts.receive(ws, payload)
    except AppError:
        post_quietly(client, slot, "b", 1, machine.answer(Answer(False)))
        raise
    post(client, slot, "b", 1, machine.answer(KEPT))
    return kept
