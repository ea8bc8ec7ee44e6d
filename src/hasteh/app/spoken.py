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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import msgspec

from hasteh.app import admission
from hasteh.app.admission import AdmissionView
from hasteh.app.cards import DEFAULT_DAYS, Card, card_bytes, decode_card, new_card
from hasteh.app.cells import find_cell
from hasteh.app.errors import AppError, BadInput, CardError
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
from hasteh.app.safety_words import ENGLISH, PERSIAN
from hasteh.i18n import _, current_language
from hasteh.transport.errors import RelayRefused, TransportError

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace
    from hasteh.transport.relay_client import RelayClient
    from hasteh.vault import Connection

__all__ = ["DEFAULT_MINUTES", "MAX_MINUTES", "Offer", "Taken", "check_words", "offer", "take"]

DEFAULT_MINUTES: Final = 10
#: A code lives at most this long (the relay forgets a slot after ten minutes too).
MAX_MINUTES: Final = 10
#: Longest single long poll (below the relay client's 30 s timeout).
_POLL: Final = 20.0
#: After the key check, how long the newcomer waits for the member's device to propose.
_ANSWER_GRACE: Final = 120


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


def _minutes(minutes: int) -> int:
    if not 1 <= minutes <= MAX_MINUTES:
        raise BadInput("minutes", _("A spoken code lives 1 to 10 minutes."))
    return minutes


# --- the newcomer ----------------------------------------------------------------------


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
    """Open a slot, show the code (`on_code(text, expires_at)`), run the exchange, and
    bind the card to the cell the member names. Blocks until done, failed or expired;
    the card is deleted unless a member's device proposed it."""
    lifetime = _minutes(minutes) * 60
    rendezvous = rendezvous or ws.vault.read(rendezvous_relays)
    client, index, slot = _open_slot(ws, rendezvous)
    card = new_card(ws, cover_name, relays=relays or [client.url], days=days, spoken=True)
    try:
        return _run_newcomer(
            ws,
            client,
            slot,
            make_code(slot * len(rendezvous) + index, ws.rng),
            card,
            expires_at=ws.now() + lifetime,
            on_code=on_code,
            on_check=on_check,
        )
    except BaseException:
        ws.vault.write(lambda conn: delete_invitation(conn, card.pickup))
        raise


def _open_slot(ws: Workspace, rendezvous: list[str]) -> tuple[RelayClient, int, int]:
    for index, url in enumerate(rendezvous):
        client = ws.client_for(url)
        try:
            return client, index, client.rendezvous_open().number
        except TransportError:
            continue
    raise InviteCodeError("no-rendezvous")


def _run_newcomer(
    ws: Workspace,
    client: RelayClient,
    slot: int,
    code: SpokenCode,
    card: Card,
    *,
    expires_at: int,
    on_code: Callable[[str, int], None],
    on_check: Callable[[tuple[str, ...]], None],
) -> Offer:
    machine = Newcomer(code, expires_at=expires_at, rng=ws.rng)
    _post(client, slot, "a", 0, machine.open())
    on_code(code.text(current_language()), expires_at)
    reply = _next(ws, client, slot, "b", 0, expires_at)
    try:
        events = machine.receive(reply)
    except InviteCodeError as exc:
        _post_quietly(client, slot, "a", 1, machine.abort(exc.reason))
        raise
    for event in events:
        if isinstance(event, Confirmed):
            on_check(check_words(event.check))
    _post(client, slot, "a", 1, machine.offer(card_bytes(card)))
    answered = machine.receive(_next(ws, client, slot, "b", 1, expires_at + _ANSWER_GRACE))
    answer = next(e.answer for e in answered if isinstance(e, Answered))
    if not answer.ok:
        raise InviteCodeError("refused")
    check = check_words(next(e.check for e in events if isinstance(e, Confirmed)))
    retired = ws.vault.write(lambda conn: _bind(conn, card, answer))
    return Offer(answer.cell, answer.proposer, check, retired)


def _bind(conn: Connection, card: Card, answer: Answer) -> int:
    """Bind our card to the member's cell; retire every other unbound card of this
    device (a printed one may have been copied). How many were retired."""
    current = load_invitation(conn, card.pickup)
    if current is None:
        raise InviteCodeError("malformed")
    save_invitation(
        conn,
        msgspec.structs.replace(
            current,
            bound_group=answer.group_id,
            bound_proposer=answer.proposer,
            bound_cell=answer.cell,
        ),
    )
    retired = 0
    for other in invitations(conn):
        if other.pickup != card.pickup and not other.bound_group:
            delete_invitation(conn, other.pickup)
            retired += 1
    return retired


# --- the member ------------------------------------------------------------------------


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
    code = parse_code(code_text)
    rendezvous = rendezvous or ws.vault.read(rendezvous_relays)
    slot, index = divmod(code.number, len(rendezvous))
    if slot == 0:
        raise InviteCodeError("unknown-code")
    client = ws.client_for(rendezvous[index])
    machine = Member(code, now=ws.now(), rng=ws.rng)
    opened = _next(ws, client, slot, "a", 0, ws.now() + 60, gone="unknown-code")
    try:
        (reply,) = machine.receive(opened)
    except InviteCodeError as exc:
        _post_quietly(client, slot, "b", 0, machine.abort(exc.reason))
        raise
    assert isinstance(reply, Outgoing)
    _post(client, slot, "b", 0, reply.data)
    events = machine.receive(_next(ws, client, slot, "a", 1, machine.expires_at))
    check = check_words(next(e.check for e in events if isinstance(e, Confirmed)))
    on_check(check)
    payload = next(e.payload for e in events if isinstance(e, Offered))
    try:
        card = decode_card(payload, now=ws.now())
        view = admission.propose_card(ws, cell, card)
    except (AppError, CardError):
        _post_quietly(client, slot, "b", 1, machine.answer(Answer(False)))
        raise
    answer = Answer(True, rt.group_id, rt.name, view.proposer)
    _post(client, slot, "b", 1, machine.answer(answer))
    return Taken(view, check)


# --- the relay -------------------------------------------------------------------------


def _post(client: RelayClient, slot: int, side: str, index: int, data: bytes) -> None:
    try:
        client.rendezvous_post(slot, side, index, data)
    except RelayRefused as exc:
        if exc.error == "taken" or exc.error == "out_of_order":
            raise InviteCodeError("taken") from None
        if exc.error == "no_slot":
            raise InviteCodeError("expired") from None
        raise


def _post_quietly(client: RelayClient, slot: int, side: str, index: int, data: bytes) -> None:
    """Tell the other side it is over, if the relay still listens (best effort)."""
    try:
        client.rendezvous_post(slot, side, index, data)
    except TransportError:
        pass


def _next(
    ws: Workspace,
    client: RelayClient,
    slot: int,
    side: str,
    index: int,
    deadline: int,
    gone: str = "expired",
) -> bytes:
    """Message `index` of `side`, long-polling until `deadline` (our clock); `gone` is
    the reason when the relay has no such slot."""
    while True:
        remaining = deadline - ws.now()
        if remaining <= 0:
            raise InviteCodeError("expired")
        try:
            messages, _expires = client.rendezvous_read(
                slot, side, after=index, wait=min(_POLL, float(remaining))
            )
        except RelayRefused as exc:
            if exc.error == "no_slot":
                raise InviteCodeError(gone) from None
            raise
        if messages:
            return messages[0]
