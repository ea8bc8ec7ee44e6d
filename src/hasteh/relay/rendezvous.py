"""Rendezvous slots: where two devices that share nothing but a spoken code meet.

A newcomer who knows no cell relay yet opens a **slot** on a rendezvous relay and reads its
number aloud with three words (`hasteh.app.invite_code`). A slot is two short append-only
lists of messages, side ``a`` (the newcomer) and side ``b`` (the member). Its rules make
it useless to anyone else:

* **Short-lived.** A slot disappears `ttl` seconds after it was opened (default 10
  minutes), whatever happened in it. Nothing is written to disk: a restart forgets every
  slot, and a seized relay holds none.
* **First writer wins, once.** Message *i* of a side can be written once; the same bytes
  again are accepted (a retry), other bytes are refused ``taken``. Whoever answers a slot
  first owns side ``b``: a stranger who guessed the number can take it, get one SPAKE2
  guess, and so burn the code, but never learn the words.
* **No write auth.** Anyone may open, read or write: what is stored is a SPAKE2 message
  (useless offline) and ciphertext under the code's key.
* **Size-capped.** At most `max_message` bytes a message, `max_per_side` messages a
  side, `max_slots` slots in all (then ``busy``), numbers drawn at random from the
  smallest range that stays under half full (3 digits while it can).

Sans I/O: the caller passes the clock and the randomness; `hasteh.relay.app` serves it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Literal

__all__ = ["Rendezvous", "RendezvousRefused", "Side", "Slot"]

Side = Literal["a", "b"]
SIDES: Final = ("a", "b")


class RendezvousRefused(Exception):
    """A refused rendezvous request; `slug` is the relay's error slug."""

    def __init__(self, slug: str, status: int) -> None:
        super().__init__(slug)
        self.slug = slug
        self.status = status


@dataclass(slots=True)
class Slot:
    opened_at: float
    sides: dict[str, list[bytes]] = field(default_factory=lambda: {"a": [], "b": []})


@dataclass(slots=True)
class Rendezvous:
    """The live slots of one relay process, in memory only."""

    clock: Callable[[], float]
    randbelow: Callable[[int], int]
    ttl: float = 900.0
    max_slots: int = 2000
    max_message: int = 24 * 1024
    max_per_side: int = 4
    _slots: dict[int, Slot] = field(default_factory=dict)

    def open(self) -> tuple[int, float]:
        """A fresh slot: its number and when it expires (unix seconds)."""
        self.sweep()
        if len(self._slots) >= self.max_slots:
            raise RendezvousRefused("busy", 503)
        width = 1000
        while (len(self._slots) + 1) * 2 > width - 1:
            width *= 10
        for _ in range(64):
            number = 1 + self.randbelow(width - 1)
            if number not in self._slots:
                now = self.clock()
                self._slots[number] = Slot(now)
                return number, now + self.ttl
        raise RendezvousRefused("busy", 503)  # pragma: no cover - half empty, 64 draws

    def post(self, number: int, side: str, index: int, message: bytes) -> None:
        """Write message `index` of `side`; the same bytes twice are accepted."""
        slot = self._live(number)
        if side not in SIDES or not 0 <= index < self.max_per_side:
            raise RendezvousRefused("bad_request", 422)
        if not message or len(message) > self.max_message:
            raise RendezvousRefused("too_large", 413)
        messages = slot.sides[side]
        if index < len(messages):
            if messages[index] != message:
                raise RendezvousRefused("taken", 409)
            return
        if index > len(messages):
            raise RendezvousRefused("out_of_order", 409)
        messages.append(message)

    def read(self, number: int, side: str, after: int) -> tuple[list[bytes], float]:
        """Messages of `side` from index `after` on, and when the slot expires."""
        slot = self._live(number)
        if side not in SIDES or not 0 <= after <= self.max_per_side:
            raise RendezvousRefused("bad_request", 422)
        return list(slot.sides[side][after:]), slot.opened_at + self.ttl

    def sweep(self) -> int:
        """Forget expired slots; how many were dropped."""
        horizon = self.clock() - self.ttl
        old = [n for n, s in self._slots.items() if s.opened_at <= horizon]
        for number in old:
            del self._slots[number]
        return len(old)

    def __len__(self) -> int:
        return len(self._slots)

    def _live(self, number: int) -> Slot:
        slot = self._slots.get(number)
        if slot is None or slot.opened_at + self.ttl <= self.clock():
            self._slots.pop(number, None)
            raise RendezvousRefused("no_slot", 404)
        return slot
