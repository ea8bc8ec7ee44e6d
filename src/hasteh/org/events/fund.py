"""The ``fund.*`` family: the cell's solidarity fund, a hash-chained double-entry ledger.

Every entry carries `prev`, the hashes of the entries its author saw that no other entry
names yet (the ledger's tips; none for the first entry), so the entries form a hash chain
(a chain that forks when two members write at once and joins again at the next entry):
an edited or dropped entry breaks it on every member (`hasteh.org.fund`). Amounts are
whole units of the fund's `unit` (tomans by default).
No field may hold a real name, a card or an account number: free text that looks like an
Iranian card number or IBAN is refused by the check (`fund-card-number`, `fund-iban`).
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from msgspec import Meta

from hasteh.org.events.base import Event, Frozen, Id, ShortText

__all__ = [
    "CHAIN_HASH_SIZE",
    "MAX_AMOUNT",
    "MAX_PREV",
    "Amount",
    "Category",
    "ChainHash",
    "Contributed",
    "Disbursed",
    "FundRules",
    "FundRulesSet",
    "FundUnit",
    "HardshipRequested",
    "Holding",
    "PledgeKept",
    "Prev",
    "RequestApproved",
    "Urgency",
]

CHAIN_HASH_SIZE: Final = 32
#: A thousand billion: far above any cell's fund, far below a 64-bit overflow.
MAX_AMOUNT: Final = 10**12

Amount = Annotated[int, Meta(ge=1, le=MAX_AMOUNT)]
Cap = Annotated[int, Meta(ge=0, le=MAX_AMOUNT)]
ChainHash = Annotated[bytes, Meta(min_length=CHAIN_HASH_SIZE, max_length=CHAIN_HASH_SIZE)]
#: At most this many tips are named by one entry (the rest by the next).
MAX_PREV: Final = 16
Prev = Annotated[tuple[ChainHash, ...], Meta(max_length=MAX_PREV)]
#: A family's pseudonym: a code word the cell agrees on, never a real name.
Pseudonym = Annotated[str, Meta(min_length=1, max_length=64)]
#: What the fund holds: money, goods (valued in the unit), or a promise of money.
Holding = Literal["cash", "in-kind", "pledge"]
Category = Literal["food", "rent", "medical", "legal", "other"]
Urgency = Literal["normal", "urgent", "critical"]
FundUnit = Literal["toman", "rial"]
Days = Annotated[int, Meta(ge=1, le=366)]


class FundRules(Frozen, frozen=True):
    """The fund's rules. `cap` (0: none) is the most one family may receive in any
    `period_days`; a request above `threshold` (0: none) needs two approvers;
    `priorities` orders the categories in the list of open requests."""

    unit: FundUnit = "toman"
    cap: Cap = 0
    period_days: Days = 30
    threshold: Cap = 0
    priorities: Annotated[tuple[Category, ...], Meta(max_length=5)] = ()


class Contributed(Event, tag="fund.contribution", frozen=True):
    """Money, goods or a pledge into the fund. `note` says what (never who)."""

    prev: Prev
    holding: Holding
    amount: Amount
    note: ShortText = ""


class PledgeKept(Event, tag="fund.pledge-kept", frozen=True):
    """Part or all of pledge `pledge_id` was paid in cash."""

    prev: Prev
    pledge_id: Id
    amount: Amount


class HardshipRequested(Event, tag="fund.request", frozen=True):
    """A family (by pseudonym) asks the fund for help."""

    prev: Prev
    family: Pseudonym
    category: Category
    amount: Amount
    urgency: Urgency = "normal"
    note: ShortText = ""


class RequestApproved(Event, tag="fund.approve", frozen=True):
    """Approves request `subject_id` (a hardship request or a rules change). Never by its
    author; above the threshold a request needs two approvers."""

    prev: Prev
    subject_id: Id


class Disbursed(Event, tag="fund.disburse", frozen=True):
    """Pays (part of) approved request `request_id` from `holding` (cash or in kind);
    later entries top it up to the approved amount."""

    prev: Prev
    request_id: Id
    holding: Literal["cash", "in-kind"]
    amount: Amount


class FundRulesSet(Event, tag="fund.rules", frozen=True):
    """Proposes new rules; they hold once another member approves them (two others
    when the cell has three members or more)."""

    prev: Prev
    rules: FundRules
