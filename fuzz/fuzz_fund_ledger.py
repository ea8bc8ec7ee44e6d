"""Fund ledger entries as a member's client receives them, and the text a person types
into the fund. Mode 0: the bytes are an envelope, decoded and received on a cell whose
fund holds cash, a pledge, and an approved, partly paid request (`build`); only `OrgError`
may escape, a refused entry leaves the state as it was, an accepted one folds to the same
state unchecked, keeps every entry's postings balanced, leaves the chain whole, and a
replay of the log with it gives the same fund. Mode 1: the bytes are typed text: the
card/IBAN check raises only `InvalidEvent`, the amount parser only `BadInput`."""

from __future__ import annotations

import hashlib

from fuzz._common import NOW, Finding, harness, main
from hasteh import org
from hasteh.app.errors import BadInput
from hasteh.app.fund import parse_amount
from hasteh.org import (
    CellCreated,
    EventEnvelope,
    EventId,
    MemberAdded,
    NewcomerProposed,
    OrgError,
    OrgState,
    Vouched,
)
from hasteh.org.events import (
    Contributed,
    Disbursed,
    Event,
    HardshipRequested,
    RequestApproved,
)
from hasteh.org.fund import check_text, entries

NAMES = ("Bahar", "Kaveh", "Shirin")


def event_id(n: int) -> EventId:
    return EventId(hashlib.sha256(b"fund" + n.to_bytes(8, "big")).digest()[:16])


def build() -> tuple[OrgState, list[EventEnvelope]]:
    """A cell of three (leaves 0-2) whose fund has 10,000 in cash, a pledge of 500, and
    request `event_id(103)` (leaf 1, 4,000) approved by leaf 2 and paid 1,000."""
    state, log, n = OrgState(), [], 0

    def do(author: int, body: Event) -> EventEnvelope:
        nonlocal state, n
        n += 1
        env = EventEnvelope(1, event_id(100 + n), author, NOW - 3_600 + n, body)  # type: ignore[arg-type]
        state = org.apply(state, env)
        log.append(env)
        return env

    do(0, CellCreated("cell", NAMES[0]))
    n = 0  # fund entries count from event_id(101)
    for leaf in (1, 2):
        card = hashlib.sha256(NAMES[leaf].encode()).digest()
        proposal = do(0, NewcomerProposed(card, NAMES[leaf], NOW + 86_400)).event_id
        if leaf == 2:
            do(1, Vouched(proposal))
        do(0, MemberAdded(leaf, NAMES[leaf], card, 0, leaf))
    n = 100  # fund entries: event_id(201) on
    do(0, Contributed(state.fund.prev, "cash", 10_000))
    do(2, Contributed(state.fund.prev, "pledge", 500))
    request = do(1, HardshipRequested(state.fund.prev, "sarv", "food", 4_000)).event_id
    do(2, RequestApproved(state.fund.prev, request))
    do(0, Disbursed(state.fund.prev, request, "cash", 1_000))
    return state, log


STATE, LOG = build()
PRISTINE, _ = build()


def _receive(data: bytes) -> None:
    try:
        env = org.decode(data)
    except OrgError:
        return
    try:
        received = org.receive(STATE, env)
    except OrgError:
        if STATE != PRISTINE:
            raise Finding("a refused entry changed the state") from None
        return
    new = received.state
    if org.fold(STATE, env) != new:
        raise Finding("checked and unchecked folds disagree")
    fund = new.fund
    if fund.broken is not None:
        raise Finding("an accepted entry broke the chain")
    totals: dict[str, int] = {}
    for entry in entries(fund):
        if sum(a for _, a in entry.postings):
            raise Finding("an entry's postings do not balance")
        for account, amount in entry.postings:
            totals[account] = totals.get(account, 0) + amount
    if any(fund.balance(a) != t for a, t in totals.items()) or sum(totals.values()):
        raise Finding("balances differ from the sum of the entries")
    if fund.balance("Assets:Cash") < 0 or fund.balance("Assets:InKind") < 0:
        raise Finding("the fund paid out more than it held")
    if org.replay([*LOG, env]).fund != fund:
        raise Finding("a replay of the log gives another fund")
    if STATE != PRISTINE:
        raise Finding("receiving changed the state it started from")


def _typed(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    try:
        check_text(text)
    except org.InvalidEvent as exc:
        if exc.code not in {"fund-card-number", "fund-iban"}:
            raise Finding(f"the text check raised {exc.code}") from None
    try:
        value = parse_amount(text)
    except BadInput as exc:
        if exc.code != "bad-amount":
            raise Finding(f"the amount parser raised {exc.code}") from None
    else:
        if not 1 <= value <= 10**12:
            raise Finding("the amount parser gave a value out of range")


@harness
def TestOneInput(data: bytes) -> None:
    if not data:
        return
    if data[0] % 2 == 0:
        _receive(data[1:])
    else:
        _typed(data[1:])


if __name__ == "__main__":
    main(TestOneInput)
