"""Solidarity fund (``fund.*``): a hash-chained, double-entry ledger folded on every member.

Why a chain: a fund is only trusted if every member can see that no entry was edited or
dropped, by an informer in the cell, a relay, or a thief with a device. Each entry
carries `prev`, the hashes (`entry_hash`) of the entries its author held that no entry
named yet (the ledger's tips), so every entry but the newest is named by a later one:
a chain that forks when two members write at once and joins at the next entry, and whose
shape does not depend on the order entries arrived in (courier bundles bring them in any
order). The check refuses a `prev` naming an entry the ledger does not hold
(`fund-stale`). Every member's fold recomputes each hash, also when it replays its stored
log on load: a `prev` that names no entry it holds marks the ledger broken at that entry
and raises the ``fund-chain-broken`` alarm. An edited entry has another hash and a
dropped one none, so the entry that named it breaks the chain. Entries are never deleted
while the fund exists (no row forgets or expires them). An edit of the *newest* entry
changes the ledger's fingerprint (`Fund.head`), which members compare in person.

Why double-entry: each entry is a balanced set of postings (`Posting`) between accounts
(`ACCOUNTS`), so the balances are sums of entries by construction and the Beancount
export is the ledger itself. Amounts are whole units of the fund's `unit`.

Approvals: a hardship request is approved by members other than its requester, two of
them above the rules' threshold (one when the cell has no second other member); a rules
change by one other member (two in a cell of three or more). Disbursements pay an
approved request in parts (top-ups) up to its amount, within the cap per family and
period and the fund's balance.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Final

import msgspec

from hasteh.org._checks import require_member
from hasteh.org.errors import InvalidEvent
from hasteh.org.events import (
    DAY,
    Contributed,
    Disbursed,
    EventEnvelope,
    EventId,
    FundRulesSet,
    HardshipRequested,
    LeafIndex,
    PledgeKept,
    RequestApproved,
)
from hasteh.org.ledger import (
    Account,
    Entry,
    Fund,
    Pledge,
    Posting,
    Request,
    RulesChange,
)
from hasteh.org.log import Copier, advanced, copy_with
from hasteh.org.names import require_clean
from hasteh.org.policy import MembershipPolicy
from hasteh.org.state import AlarmRecord, OrgState

__all__ = [
    "CHAIN_DOMAIN",
    "FundEvent",
    "approvals_needed",
    "check_text",
    "entries",
    "entry_hash",
    "looks_like_card",
    "looks_like_iban",
    "paid_in_period",
]

#: Prefix of every entry hash, so a fund hash can never be confused with another hash.
CHAIN_DOMAIN: Final = b"hasteh fund entry v1\x00"

FundEvent = (
    Contributed | PledgeKept | HardshipRequested | RequestApproved | Disbursed | FundRulesSet
)

_HOLDING_ACCOUNT: Final[Mapping[str, Account]] = {
    "cash": "Assets:Cash",
    "in-kind": "Assets:InKind",
    "pledge": "Assets:Pledges",
}

# --- what free text may not hold ------------------------------------------------------

_DIGITS: Final = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
#: 16 digits, optionally grouped by spaces or dashes (as printed on a card).
_CARD: Final = re.compile(r"(?<!\d)(\d(?:[ \-]?\d){15})(?!\d)")
_IBAN: Final = re.compile(r"IR[ \-]?(\d(?:[ \-]?\d){23})(?!\d)", re.IGNORECASE)


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def looks_like_card(text: str) -> bool:
    """Whether `text` holds 16 digits (Persian, Arabic-Indic or Latin; grouped or not)
    with a valid check digit, as an Iranian bank card number has."""
    plain = text.translate(_DIGITS)
    return any(_luhn(re.sub(r"[ \-]", "", m.group(1))) for m in _CARD.finditer(plain))


def looks_like_iban(text: str) -> bool:
    """Whether `text` holds ``IR`` and 24 digits (an Iranian IBAN, a Sheba number)."""
    return _IBAN.search(text.translate(_DIGITS)) is not None


def check_text(text: str) -> None:
    """Refuse free text that looks like a card or an account number: a fund must never
    hold what links a family to a bank."""
    if looks_like_card(text):
        raise InvalidEvent("fund-card-number")
    if looks_like_iban(text):
        raise InvalidEvent("fund-iban")


# --- the chain ------------------------------------------------------------------------


def entry_hash(env: EventEnvelope) -> bytes:
    """An entry's hash: its id, author and body (which holds `prev`). The log time is
    left out: receivers set it from the order model, the author cannot know it."""
    body = msgspec.msgpack.encode(env.body)
    author = int(env.author).to_bytes(4, "big")
    return hashlib.sha256(CHAIN_DOMAIN + bytes(env.event_id) + author + body).digest()


def _check_entry(state: OrgState, env: EventEnvelope, prev: tuple[bytes, ...]) -> None:
    require_member(state, env.author)
    fund = state.fund
    if fund.broken is not None:
        raise InvalidEvent("fund-chain-broken")
    if not _links(fund, prev):
        raise InvalidEvent("fund-stale")
    key = EventId(env.event_id)
    if key in fund.requests or key in fund.pledges or key in fund.changes:
        raise InvalidEvent("duplicate-id")


def _links(fund: Fund, prev: tuple[bytes, ...]) -> bool:
    """Whether `prev` names only entries the ledger holds, each once."""
    if len(prev) > 1 and len(set(prev)) != len(prev):
        return False
    tips, ledger = fund.tips, fund.ledger
    return all(p in tips or p in ledger for p in prev)


def _chained(
    state: OrgState,
    env: EventEnvelope,
    prev: tuple[bytes, ...],
    kind: str,
    subject: bytes,
    postings: tuple[Posting, ...],
    note: str = "",
    changes: Mapping[str, object] | None = None,
) -> OrgState:
    """The state with the entry appended to the chain, its postings to the balances and
    the fold's other `changes` to the fund, in one step (a fund of 10,000 entries loads
    in one pass of these); a `prev` that names an entry the ledger does not hold marks
    the ledger broken and raises the alarm."""
    fund = state.fund
    key = EventId(env.event_id)
    broken = fund.broken
    alarms = state.alarms
    if broken is None and not _links(fund, prev):
        broken = key
        alarm = AlarmRecord(
            code="fund-chain-broken",
            by_leaf=LeafIndex(env.author),
            by_cover_name=state.cover_name(env.author),
            subject_leaf=None,
            subject_cover_name="",
            epoch=state.epoch,
            event_id=key,
        )
        alarms = (*alarms, alarm)
    balances = dict(fund.balances)
    for account, amount in postings:
        balances[account] = balances.get(account, 0) + amount
    digest = entry_hash(env)
    entry = Entry(
        key, fund.count, env.at, LeafIndex(env.author), kind, postings, EventId(subject), note
    )
    more = changes or {}
    # One copy of the fund and one of the state, every field set once (a 10,000-entry
    # fund is folded on every load); the log time moves here too (the row `sets_time`).
    new = _NEW_FUND(
        fund,
        fund.tips.difference(prev) | {digest},
        fund.count + 1,
        broken,
        more.get("rules", fund.rules),
        balances,
        fund.ledger.set(digest, entry),
        more.get("requests", fund.requests),
        more.get("pledges", fund.pledges),
        more.get("changes", fund.changes),
        more.get("payments", fund.payments),
    )
    return _WITH_FUND(state, new, alarms, advanced(state.time, env))


#: Every field of `Fund`, in the order `_chained` gives them (a test holds this to
#: `Fund`'s fields, so a field added there is not silently copied from the old fund).
_NEW_FUND: Final = Copier(
    Fund,
    "tips",
    "count",
    "broken",
    "rules",
    "balances",
    "ledger",
    "requests",
    "pledges",
    "changes",
    "payments",
)
#: The state with a new fund, alarms and log time.
_WITH_FUND: Final = Copier(OrgState, "fund", "alarms", "time")


# --- contributions and pledges ----------------------------------------------------------


def check_contributed(state: OrgState, env: EventEnvelope, body: Contributed) -> None:
    _check_entry(state, env, body.prev)
    check_text(body.note)


def fold_contributed(
    state: OrgState, env: EventEnvelope, body: Contributed, policy: MembershipPolicy
) -> OrgState:
    income: Account = "Income:Pledges" if body.holding == "pledge" else "Income:Contributions"
    postings = ((_HOLDING_ACCOUNT[body.holding], body.amount), (income, -body.amount))
    changes: dict[str, object] = {}
    if body.holding == "pledge":
        key = EventId(env.event_id)
        changes["pledges"] = state.fund.pledges.set(key, Pledge(key, body.amount))
    return _chained(state, env, body.prev, body.holding, env.event_id, postings, body.note, changes)


def check_pledge_kept(state: OrgState, env: EventEnvelope, body: PledgeKept) -> None:
    _check_entry(state, env, body.prev)
    pledge = state.fund.pledges.get(EventId(body.pledge_id))
    if pledge is None:
        raise InvalidEvent("fund-unknown-pledge")
    if pledge.kept + body.amount > pledge.amount:
        raise InvalidEvent("fund-over-pledge", left=pledge.amount - pledge.kept)


def fold_pledge_kept(
    state: OrgState, env: EventEnvelope, body: PledgeKept, policy: MembershipPolicy
) -> OrgState:
    postings: tuple[Posting, ...] = (
        ("Assets:Cash", body.amount),
        ("Assets:Pledges", -body.amount),
    )
    pledges = state.fund.pledges
    key = EventId(body.pledge_id)
    pledge = pledges.get(key)
    if pledge is not None:
        pledges = pledges.set(key, copy_with(pledge, kept=pledge.kept + body.amount))
    return _chained(
        state, env, body.prev, "pledge-kept", body.pledge_id, postings, changes={"pledges": pledges}
    )


# --- hardship requests and approvals ------------------------------------------------------


def approvals_needed(state: OrgState, amount: int) -> int:
    """Two approvers above the threshold, else one; never more than the members other
    than the requester (a cell of two still works, with its other member's approval)."""
    threshold = state.fund.rules.threshold
    want = 2 if threshold and amount > threshold else 1
    return max(1, min(want, len(state.members) - 1))


def _rules_approvals_needed(state: OrgState) -> int:
    return max(1, min(2, len(state.members) - 1))


def check_hardship_requested(state: OrgState, env: EventEnvelope, body: HardshipRequested) -> None:
    _check_entry(state, env, body.prev)
    # A family's code name shows what it says (no hidden or direction characters, no
    # mixed alphabets), as a cover name does; and it is never a card or an account.
    require_clean(body.family)
    check_text(body.family)
    check_text(body.note)
    cap = state.fund.rules.cap
    if cap and body.amount > cap:
        raise InvalidEvent("fund-over-cap", cap=cap)


def fold_hardship_requested(
    state: OrgState, env: EventEnvelope, body: HardshipRequested, policy: MembershipPolicy
) -> OrgState:
    key = EventId(env.event_id)
    request = Request(
        key,
        LeafIndex(env.author),
        body.family,
        body.category,
        body.amount,
        body.urgency,
        body.note,
        env.at,
        needed=approvals_needed(state, body.amount),
    )
    requests = state.fund.requests.set(key, request)
    return _chained(
        state, env, body.prev, "request", env.event_id, (), changes={"requests": requests}
    )


def check_request_approved(state: OrgState, env: EventEnvelope, body: RequestApproved) -> None:
    _check_entry(state, env, body.prev)
    fund = state.fund
    key = EventId(body.subject_id)
    request = fund.requests.get(key)
    change = fund.changes.get(key)
    if request is not None:
        author, approvers, needed = request.requester, request.approvers, request.needed
    elif change is not None:
        author, approvers, needed = change.proposer, change.approvers, change.needed
    else:
        raise InvalidEvent("fund-unknown-request")
    if author == env.author:
        raise InvalidEvent("self-approval")
    if env.author in approvers:
        raise InvalidEvent("already-answered")
    if len(approvers) >= needed:
        raise InvalidEvent("fund-already-approved")


def fold_request_approved(
    state: OrgState, env: EventEnvelope, body: RequestApproved, policy: MembershipPolicy
) -> OrgState:
    fund = state.fund
    key = EventId(body.subject_id)
    leaf = LeafIndex(env.author)
    changes: dict[str, object] = {}
    request = fund.requests.get(key)
    if request is not None and leaf != request.requester:
        approved = copy_with(request, approvers=request.approvers | {leaf})
        changes["requests"] = fund.requests.set(key, approved)
    change = fund.changes.get(key)
    if change is not None and leaf != change.proposer:
        change = copy_with(change, approvers=change.approvers | {leaf})
        if len(change.approvers) >= change.needed:
            changes["rules"] = change.rules
            changes["changes"] = fund.changes.delete(key)
        else:
            changes["changes"] = fund.changes.set(key, change)
    return _chained(state, env, body.prev, "approve", body.subject_id, (), changes=changes)


# --- disbursements ------------------------------------------------------------------------


def paid_in_period(fund: Fund, family: str, at: int) -> int:
    """What `family` received in the rules' period up to `at` (log time)."""
    since = at - fund.rules.period_days * DAY
    return sum(amount for when, amount in fund.payments.get(family) or () if when > since)


def check_disbursed(state: OrgState, env: EventEnvelope, body: Disbursed) -> None:
    _check_entry(state, env, body.prev)
    fund = state.fund
    request = fund.requests.get(EventId(body.request_id))
    if request is None:
        raise InvalidEvent("fund-unknown-request")
    if not request.approved:
        raise InvalidEvent("fund-not-approved", have=len(request.approvers), needed=request.needed)
    if request.paid + body.amount > request.amount:
        raise InvalidEvent("fund-over-request", left=request.amount - request.paid)
    account = _HOLDING_ACCOUNT[body.holding]
    if fund.balance(account) < body.amount:
        raise InvalidEvent("fund-insufficient", balance=fund.balance(account))
    cap = fund.rules.cap
    if cap and paid_in_period(fund, request.family, env.at) + body.amount > cap:
        raise InvalidEvent("fund-over-cap", cap=cap)


def fold_disbursed(
    state: OrgState, env: EventEnvelope, body: Disbursed, policy: MembershipPolicy
) -> OrgState:
    postings: tuple[Posting, ...] = (
        ("Expenses:Hardship", body.amount),
        (_HOLDING_ACCOUNT[body.holding], -body.amount),
    )
    fund = state.fund
    key = EventId(body.request_id)
    request = fund.requests.get(key)
    changes: dict[str, object] = {}
    if request is not None:
        paid = copy_with(request, paid=request.paid + body.amount)
        history = fund.payments.get(request.family) or ()
        changes["requests"] = fund.requests.set(key, paid)
        changes["payments"] = fund.payments.set(request.family, (*history, (env.at, body.amount)))
    return _chained(state, env, body.prev, "disburse", body.request_id, postings, changes=changes)


# --- rules ----------------------------------------------------------------------------


def check_rules_set(state: OrgState, env: EventEnvelope, body: FundRulesSet) -> None:
    _check_entry(state, env, body.prev)
    if len(set(body.rules.priorities)) != len(body.rules.priorities):
        raise InvalidEvent("duplicate-option")


def fold_rules_set(
    state: OrgState, env: EventEnvelope, body: FundRulesSet, policy: MembershipPolicy
) -> OrgState:
    key = EventId(env.event_id)
    change = RulesChange(key, LeafIndex(env.author), body.rules, _rules_approvals_needed(state))
    changes = state.fund.changes.set(key, change)
    return _chained(state, env, body.prev, "rules", env.event_id, (), changes={"changes": changes})


def entries(fund: Fund) -> list[Entry]:
    """The ledger's entries in log order."""
    return sorted(fund.ledger.values(), key=lambda e: e.index)
