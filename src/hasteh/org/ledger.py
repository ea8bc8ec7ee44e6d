"""The solidarity fund's ledger as values: accounts, entries, requests, pledges, rules
changes, and `Fund`, the part of a cell's state the ``fund.*`` family folds into
(`hasteh.org.fund` has the rules; this module only the shapes, so `hasteh.org.state`
can hold a `Fund` without importing the folds)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from hasteh.org.events import EventId, FundRules, LeafIndex
from hasteh.org.events.fund import MAX_PREV
from hasteh.org.pmap import PMap

__all__ = [
    "ACCOUNTS",
    "DEFAULT_RULES",
    "Account",
    "Entry",
    "Fund",
    "Pledge",
    "Posting",
    "Request",
    "RulesChange",
]

Account = Literal[
    "Assets:Cash",
    "Assets:InKind",
    "Assets:Pledges",
    "Income:Contributions",
    "Income:Pledges",
    "Expenses:Hardship",
]
#: The rules of a fund nobody has changed: tomans, no cap, no threshold.
DEFAULT_RULES: Final = FundRules()
FINGERPRINT_DOMAIN: Final = b"hasteh fund tips v1\x00"
#: Every account of the ledger, in the order reports list them.
ACCOUNTS: Final[tuple[Account, ...]] = (
    "Assets:Cash",
    "Assets:InKind",
    "Assets:Pledges",
    "Income:Contributions",
    "Income:Pledges",
    "Expenses:Hardship",
)
#: A posting: an account and a signed amount (debits positive, as Beancount writes them).
Posting = tuple[Account, int]


@dataclass(frozen=True, slots=True)
class Entry:
    """One ledger entry as folded: its postings sum to zero."""

    event_id: EventId
    index: int
    at: int
    author: LeafIndex
    kind: str
    postings: tuple[Posting, ...]
    #: The request, pledge or rules change it concerns (or its own id).
    subject: EventId
    note: str = ""


@dataclass(frozen=True, slots=True)
class Request:
    request_id: EventId
    requester: LeafIndex
    family: str
    category: str
    amount: int
    urgency: str
    note: str
    at: int
    approvers: frozenset[LeafIndex] = frozenset()
    needed: int = 1
    paid: int = 0

    @property
    def approved(self) -> bool:
        return len(self.approvers) >= self.needed

    @property
    def open(self) -> bool:
        return self.paid < self.amount


@dataclass(frozen=True, slots=True)
class Pledge:
    pledge_id: EventId
    amount: int
    kept: int = 0


@dataclass(frozen=True, slots=True)
class RulesChange:
    rules_id: EventId
    proposer: LeafIndex
    rules: FundRules
    needed: int
    approvers: frozenset[LeafIndex] = frozenset()


@dataclass(frozen=True, slots=True)
class Fund:
    """The fund as folded from the log. `head` is the hash of the last entry (the
    ledger's fingerprint); `broken` the first entry whose `prev` did not match."""

    #: The hashes no entry names yet: the next entry's `prev`.
    tips: frozenset[bytes] = frozenset()
    count: int = 0
    broken: EventId | None = None
    rules: FundRules = DEFAULT_RULES
    balances: Mapping[Account, int] = field(default_factory=dict)
    #: Every entry, by its hash (what a `prev` names); `Entry.index` is its place.
    ledger: PMap[bytes, Entry] = field(default_factory=PMap)
    requests: PMap[EventId, Request] = field(default_factory=PMap)
    pledges: PMap[EventId, Pledge] = field(default_factory=PMap)
    changes: PMap[EventId, RulesChange] = field(default_factory=PMap)
    #: Per family pseudonym, the ``(at, amount)`` of every payment it received.
    payments: PMap[str, tuple[tuple[int, int], ...]] = field(default_factory=PMap)

    @property
    def prev(self) -> tuple[bytes, ...]:
        """What a new entry names as `prev`: the tips, sorted (at most `MAX_PREV`)."""
        return tuple(sorted(self.tips))[:MAX_PREV]

    @property
    def head(self) -> bytes:
        """The ledger's fingerprint: a hash of its tips, which name (through `prev`)
        every entry, and of where it broke, if it did. The same on every member that
        holds the same entries, in whatever order they arrived; ``b""`` for an empty
        fund."""
        if not self.tips:
            return b""
        broken = b"" if self.broken is None else b"broken\x00" + bytes(self.broken)
        return hashlib.sha256(FINGERPRINT_DOMAIN + b"".join(sorted(self.tips)) + broken).digest()

    def balance(self, account: Account) -> int:
        return self.balances.get(account, 0)
