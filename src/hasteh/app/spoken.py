"""Invitations by a spoken code: the I/O driver of `hasteh.app.invite_code`.

    # the newcomer's device
    spoken.offer(ws, "reza", on_code=show, on_check=show_words)   # blocks until answered
    # the member's device, the code typed as heard
    spoken.take(ws, "bakery", "۴۲ ستاره پلنگ قناری", on_check=show_words)

The newcomer knows no cell relay yet, so the two devices meet on a **rendezvous relay**
from a list both hold (`records.rendezvous_relays`, shipped with hasteh): the newcomer's
device opens a slot on the first that answers, and the code's number is
``slot × len(list) + index``, so the member's device finds the same relay and slot. The
newcomer's card (made for this code and never printed) travels sealed under the code's
key; the member's device proposes it in the cell and answers, sealed, with the cell it
proposed into. The newcomer's card is then **bound** to that cell: a welcome into any
other group is refused (`join.join_from_package`), and earlier printed cards of this
device are retired, since a copy of one (a leaked card) could be used by a stranger to
add the newcomer to a cell of theirs.

Relays are reached through `Workspace.client_for`, so a SOCKS proxy (Tor) set for the
profile carries the rendezvous too. Every wait is a long poll bounded by the code's
expiry; nothing here sleeps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import msgspec

from hasteh.app import admission, alliances
from hasteh.app.admission import AdmissionView
from hasteh.app.alliances import find_alliance
from hasteh.app.cards import DEFAULT_DAYS, Card, card_bytes, card_cover_name, decode_card, new_card
from hasteh.app.cells import find_cell
from hasteh.app.errors import AppError, CardError
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
from hasteh.app.records import (
    delete_invitation,
    invitations,
    load_invitation,
    rendezvous_relays,
    save_invitation,
)
from hasteh.app.rendezvous import (
    DEFAULT_MINUTES,
    GRACE,
    MAX_MINUTES,
    OFFER_WAIT,
    check_minutes,
    open_slot,
    post,
    post_quietly,
    wait,
)
from hasteh.app.safety_words import ENGLISH, PERSIAN
from hasteh.i18n import current_language
from hasteh.transport import registry

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace
    from hasteh.transport.relay_client import RelayClient
    from hasteh.vault import Connection

__all__ = [
    "DEFAULT_MINUTES",
    "MAX_MINUTES",
    "Offer",
    "PendingOffer",
    "Taken",
    "await_answer",
    "bind_offer",
    "cancel_offer",
    "check_words",
    "offer",
    "open_offer",
    "take",
    "take_for_alliance",
]


@dataclass(frozen=True, slots=True)
class Offer:
    """What the newcomer's screen shows at the end: the cell, who typed the code, the
    check words (the same on both screens)."""

    cell: str
    proposer: str
    check: tuple[str, ...]
    retired_cards: int


@dataclass(frozen=True, slots=True)
class Taken:
    """What the member's screen shows at the end."""

    view: AdmissionView
    check: tuple[str, ...]


def check_words(indices: tuple[int, ...], language: str | None = None) -> tuple[str, ...]:
    """The check words in the UI language (the safety-word lists are parallel)."""
    words = PERSIAN if (language or current_language()) == "fa" else ENGLISH
    return tuple(words[i] for i in indices)


# --- the newcomer ----------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class PendingOffer:
    """A code shown and waiting for the member: `open_offer` made it (with the vault),
    `await_answer` waits for the member (network only: a web face need not hold the
    workspace for minutes), `bind_offer` or `cancel_offer` ends it (with the vault)."""

    client: RelayClient
    slot: int
    code: SpokenCode
    card: Card
    machine: Newcomer
    expires_at: int
    check: tuple[int, ...] = ()

    def text(self, language: str | None = None) -> str:
        return self.code.text(language or current_language())


def open_offer(
    ws: Workspace,
    cover_name: str,
    *,
    relays: list[str] | None = None,
    days: int = DEFAULT_DAYS,
    minutes: int = DEFAULT_MINUTES,
    rendezvous: list[str] | None = None,
) -> PendingOffer:
    """Open a slot on the first rendezvous relay that answers, make a card for this code
    only, and post the first frame. The caller shows `text()` and then awaits."""
    lifetime = check_minutes(minutes) * 60
    chosen = rendezvous or ws.vault.read(rendezvous_relays)
    client, index, slot = open_slot(ws, chosen)
    try:
        card = new_card(ws, cover_name, relays=relays or [client.url], days=days, spoken=True)
    except BaseException:
        client.close()
        raise
    machine = Newcomer(
        make_code(slot * len(chosen) + index, ws.rng), expires_at=ws.now() + lifetime, rng=ws.rng
    )
    pending = PendingOffer(client, slot, machine.code, card, machine, machine.expires_at)
    try:
        post(client, slot, "a", 0, machine.open())
    except BaseException:
        cancel_offer(ws, pending)
        raise
    return pending


def await_answer(
    pending: PendingOffer,
    now: Callable[[], int],
    *,
    on_check: Callable[[tuple[str, ...]], None] = lambda words: None,
) -> Answer:
    """Wait for the member (until the code expires), check the key, send the card, wait
    for the answer. Network only. Raises `InviteCodeError` (the code is then spent)."""
    client, slot, machine = pending.client, pending.slot, pending.machine
    reply = wait(client, now, slot, "b", 0, pending.expires_at)
    try:
        events = machine.receive(reply)
    except InviteCodeError as exc:
        post_quietly(client, slot, "a", 1, machine.abort(exc.reason))
        raise
    pending.check = next(e.check for e in events if isinstance(e, Confirmed))
    on_check(check_words(pending.check))
    post(client, slot, "a", 1, machine.offer(card_bytes(pending.card)))
    answered = machine.receive(wait(client, now, slot, "b", 1, pending.expires_at + GRACE))
    answer = next(e.answer for e in answered if isinstance(e, Answered))
    if not answer.ok:
        raise InviteCodeError("refused")
    return answer


def bind_offer(ws: Workspace, pending: PendingOffer, answer: Answer) -> Offer:
    """Bind the card to the member's cell (see `_bind`); the offer is over."""
    pending.client.close()
    retired = ws.vault.write(lambda conn: _bind(conn, pending.card, answer))
    return Offer(answer.cell, answer.proposer, check_words(pending.check), retired)


def cancel_offer(ws: Workspace, pending: PendingOffer) -> None:
    """The exchange failed or was abandoned: delete the card made for it."""
    pending.client.close()
    ws.vault.write(lambda conn: delete_invitation(conn, pending.card.pickup))


def offer(
    ws: Workspace,
    cover_name: str,
    *,
    on_code: Callable[[str, int], None],
    on_check: Callable[[tuple[str, ...]], None] = lambda words: None,
    relays: list[str] | None = None,
    days: int = DEFAULT_DAYS,
    minutes: int = DEFAULT_MINUTES,
    rendezvous: list[str] | None = None,
) -> Offer:
    """The whole newcomer's side in one call (the CLI): open, show the code
    (`on_code(text, expires_at)`), await, bind. The card is deleted unless a member's
    device proposed it."""
    pending = open_offer(
        ws, cover_name, relays=relays, days=days, minutes=minutes, rendezvous=rendezvous
    )
    try:
        on_code(pending.text(), pending.expires_at)
        answer = await_answer(pending, ws.now, on_check=on_check)
    except BaseException:
        cancel_offer(ws, pending)
        raise
    return bind_offer(ws, pending, answer)


def _bind(conn: Connection, card: Card, answer: Answer) -> int:
    """Bind our card to the member's cell; retire every other unbound card of this
    device (a printed one may have been copied). How many were retired."""
    current = load_invitation(conn, card.pickup)
    if current is None:
        raise InviteCodeError("malformed")
    relays = list(answer.relays) or current.relays
    save_invitation(
        conn,
        msgspec.structs.replace(
            current,
            relays=relays,
            bound_group=answer.group_id,
            bound_proposer=answer.proposer,
            bound_cell=answer.cell,
        ),
    )
    registry.add_mailbox(conn, card.pickup, relays)
    retired = 0
    for other in invitations(conn):
        if other.pickup != card.pickup and not other.bound_group:
            delete_invitation(conn, other.pickup)
            retired += 1
    return retired


# --- the member ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Delivered:
    """The member's side after the key check: the newcomer's card, and how to answer."""

    client: RelayClient
    slot: int
    machine: Member
    payload: bytes
    check: tuple[str, ...]

    def answer(self, answer: Answer) -> None:
        post(self.client, self.slot, "b", 1, self.machine.answer(answer))

    def refuse(self) -> None:
        post_quietly(self.client, self.slot, "b", 1, self.machine.answer(Answer(False)))


def _receive(
    ws: Workspace,
    code_text: str,
    rendezvous: list[str] | None,
    on_check: Callable[[tuple[str, ...]], None],
) -> _Delivered:
    """The member's half of the exchange up to the newcomer's sealed card."""
    code = parse_code(code_text)
    rendezvous = rendezvous or ws.vault.read(rendezvous_relays)
    slot, index = divmod(code.number, len(rendezvous))
    if slot == 0:
        raise InviteCodeError("unknown-code")
    client = ws.client_for(rendezvous[index])
    machine = Member(code, now=ws.now(), rng=ws.rng)
    opened = wait(client, ws.now, slot, "a", 0, ws.now() + OFFER_WAIT, gone="unknown-code")
    try:
        (reply,) = machine.receive(opened)
    except InviteCodeError as exc:
        post_quietly(client, slot, "b", 0, machine.abort(exc.reason))
        raise
    assert isinstance(reply, Outgoing)
    post(client, slot, "b", 0, reply.data)
    offer_by = min(machine.expires_at, ws.now() + OFFER_WAIT)
    offered = wait(client, ws.now, slot, "a", 1, offer_by)
    try:
        events = machine.receive(offered)
    except InviteCodeError as exc:
        if exc.reason != "wrong-code":  # the newcomer said so itself: nothing to tell
            post_quietly(client, slot, "b", 1, machine.abort(exc.reason))
        raise
    check = check_words(next(e.check for e in events if isinstance(e, Confirmed)))
    on_check(check)
    payload = next(e.payload for e in events if isinstance(e, Offered))
    return _Delivered(client, slot, machine, payload, check)


def take(
    ws: Workspace,
    cell: str,
    code_text: str,
    *,
    on_check: Callable[[tuple[str, ...]], None] = lambda words: None,
    rendezvous: list[str] | None = None,
) -> Taken:
    """Answer a spoken code in `cell`: run the exchange, propose the newcomer whose card
    arrives, and tell the newcomer's device which cell. The cell is checked first, so a
    typo in its name never spends the code."""
    rt = find_cell(ws, cell)
    rt.require_group()
    delivered = _receive(ws, code_text, rendezvous, on_check)
    try:
        # The welcome goes to the cell's relays, which the newcomer could not know: the
        # card's own (the rendezvous relay, or a device on the local network) may be gone.
        card = replace(
            decode_card(delivered.payload, now=ws.now()), relays=tuple(rt.record.relays[:8])
        )
        view = admission.propose_card(ws, cell, card)
    except (AppError, CardError):
        delivered.refuse()
        raise
    delivered.answer(Answer(True, rt.group_id, rt.name, view.proposer, list(card.relays)))
    return Taken(view, delivered.check)


def take_for_alliance(
    ws: Workspace,
    alliance: str,
    code_text: str,
    *,
    on_check: Callable[[tuple[str, ...]], None] = lambda words: None,
    rendezvous: list[str] | None = None,
) -> tuple[str, tuple[str, ...]]:
    """A delegate answers, in person, the spoken code of another cell's delegate: the
    card that arrives (its cover name is the cell's pseudonym) is proposed in `alliance`
    (every member cell then approves, the alliance's rule), and the other device is told
    which alliance, so it accepts a welcome into that one only. Returns the pseudonym and
    the check words."""
    rt = find_alliance(ws, alliance)
    rt.require_group()
    delivered = _receive(ws, code_text, rendezvous, on_check)
    try:
        card = replace(
            decode_card(delivered.payload, now=ws.now()), relays=tuple(rt.record.relays[:8])
        )
        alliances.propose_card(ws, alliance, card)
    except (AppError, CardError):
        delivered.refuse()
        raise
    pseudonym = card_cover_name(card)
    ours = rt.org.cover_name(rt.own_leaf)
    delivered.answer(Answer(True, rt.group_id, rt.name, ours, list(card.relays)))
    return pseudonym, delivered.check
