"""The rendezvous relay's slots, for what two people do in person with a spoken code:
open a slot, post a frame, wait for the other side's (the I/O both `spoken` — a
newcomer's invitation — and `handover` — a contact handed over — drive).

A slot has two sides, ``a`` (who opened it) and ``b``, each an ordered list of frames;
the relay lets each position be written once (`taken`), so a stranger who guessed the
slot gets one try. Every wait is a long poll bounded by a deadline on our clock; nothing
here sleeps. The relay client is the caller's own (`Workspace.client_for`'s proxy), since
an exchange may wait minutes outside the workspace's lock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from hasteh.app.errors import BadInput
from hasteh.app.invite_code import InviteCodeError
from hasteh.transport import registry
from hasteh.transport.errors import RelayRefused, TransportError

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace
    from hasteh.transport.relay_client import RelayClient

__all__ = [
    "DEFAULT_MINUTES",
    "GRACE",
    "MAX_MINUTES",
    "OFFER_WAIT",
    "POLL",
    "check_minutes",
    "open_slot",
    "post",
    "post_quietly",
    "wait",
]

DEFAULT_MINUTES: Final = 10
#: A code lives at most this long (the relay keeps a slot 15 minutes: time to answer).
MAX_MINUTES: Final = 10
#: Longest single long poll (below the relay client's 30 s timeout).
POLL: Final = 20.0
#: After the key check, how long the newcomer waits for the member's device to propose.
GRACE: Final = 120
#: How long the member's device waits for each of the newcomer's frames (they come at
#: once: the newcomer's device is already waiting). Bounded, so that a stranger who
#: opened a slot and went silent cannot hold the member's device for the code's life.
OFFER_WAIT: Final = 60


def check_minutes(minutes: int) -> int:
    if not 1 <= minutes <= MAX_MINUTES:
        raise BadInput("bad-code-minutes")
    return minutes


def open_slot(ws: Workspace, rendezvous: list[str]) -> tuple[RelayClient, int, int]:
    """A slot on the first relay that answers, with a client of its own (the exchange
    may wait minutes outside the workspace's lock; it goes through the same proxy)."""
    proxy = ws.proxy or ws.vault.read(registry.proxy)
    for index, url in enumerate(rendezvous):
        client = ws.client_factory(url, proxy)
        try:
            return client, index, client.rendezvous_open().number
        except TransportError:
            client.close()
            continue
    raise InviteCodeError("no-rendezvous")


def post(client: RelayClient, slot: int, side: str, index: int, data: bytes) -> None:
    try:
        client.rendezvous_post(slot, side, index, data)
    except RelayRefused as exc:
        if exc.error == "taken" or exc.error == "out_of_order":
            raise InviteCodeError("taken") from None
        if exc.error == "no_slot":
            raise InviteCodeError("expired") from None
        raise


def post_quietly(client: RelayClient, slot: int, side: str, index: int, data: bytes) -> None:
    """Tell the other side it is over, if the relay still listens (best effort)."""
    try:
        client.rendezvous_post(slot, side, index, data)
    except TransportError:
        pass


def wait(
    client: RelayClient,
    now: Callable[[], int],
    slot: int,
    side: str,
    index: int,
    deadline: int,
    gone: str = "expired",
) -> bytes:
    """Message `index` of `side`, long-polling until `deadline` (our clock); `gone` is
    the reason when the relay has no such slot."""
    while True:
        remaining = deadline - now()
        if remaining <= 0:
            raise InviteCodeError("expired")
        try:
            messages, _expires = client.rendezvous_read(
                slot, side, after=index, wait=min(POLL, float(remaining))
            )
        except RelayRefused as exc:
            if exc.error == "no_slot":
                raise InviteCodeError(gone) from None
            raise
        if messages:
            return messages[0]
