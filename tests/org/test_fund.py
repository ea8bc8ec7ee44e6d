"""The solidarity fund's ledger: chain, balances, approvals, caps, and what text it refuses."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.org import EventEnvelope, InvalidEvent, apply, replay
from hasteh.org.events import (
    Contributed,
    Disbursed,
    FundRules,
    FundRulesSet,
    HardshipRequested,
    PledgeKept,
    RequestApproved,
)
from hasteh.org.fund import check_text, entries, looks_like_card, looks_like_iban
from hasteh.org.ledger import ACCOUNTS

from .helpers import DAY, Log, cell

CARD = "6037991234567893"  # 16 digits, valid check digit
IBAN = "IR820540102680020817909002"


def head(log: Log) -> tuple[bytes, ...]:
    """What an honest author names as `prev`."""
    return log.state.fund.prev


def contribute(log: Log, author: int, amount: int, holding: str = "cash") -> EventEnvelope:
    return log.do(author, Contributed(head(log), holding, amount))  # type: ignore[arg-type]


def request(log: Log, author: int, amount: int, family: str = "sarv") -> bytes:
    return log.do(author, HardshipRequested(head(log), family, "food", amount)).event_id


def approve(log: Log, author: int, subject: bytes) -> EventEnvelope:
    return log.do(author, RequestApproved(head(log), subject))  # type: ignore[arg-type]


def pay(log: Log, author: int, subject: bytes, amount: int) -> EventEnvelope:
    return log.do(author, Disbursed(head(log), subject, "cash", amount))  # type: ignore[arg-type]


def refused(log: Log, author: int, body: object) -> str:
    before = log.state
    with pytest.raises(InvalidEvent) as err:
        log.do(author, body)  # type: ignore[arg-type]
    assert log.state is before
    return str(err.value.code)


def test_contribution_request_approval_partial_payments() -> None:
    log = cell(3)
    contribute(log, 0, 1_000_000)
    req = request(log, 1, 600_000)
    approve(log, 2, req)
    pay(log, 0, req, 400_000)
    pay(log, 2, req, 200_000)  # topped up later
    fund = log.state.fund
    assert fund.requests[req].paid == 600_000
    assert not fund.requests[req].open
    assert fund.balance("Assets:Cash") == 400_000
    assert fund.balance("Expenses:Hardship") == 600_000
    assert fund.broken is None and fund.count == 5
    assert refused(log, 0, Disbursed(head(log), req, "cash", 1)) == "fund-over-request"


def test_no_self_approval_and_no_double_approval() -> None:
    log = cell(3)
    req = request(log, 1, 100)
    assert refused(log, 1, RequestApproved(head(log), req)) == "self-approval"
    approve(log, 0, req)
    assert refused(log, 0, RequestApproved(head(log), req)) == "already-answered"
    assert refused(log, 2, RequestApproved(head(log), req)) == "fund-already-approved"


def test_two_approvers_above_threshold_and_rules_need_another_member() -> None:
    log = cell(4)
    change = log.do(0, FundRulesSet(head(log), FundRules(threshold=1000, cap=5000))).event_id
    assert refused(log, 0, RequestApproved(head(log), change)) == "self-approval"
    approve(log, 1, change)
    assert log.state.fund.rules.threshold == 0  # one of two approvals
    approve(log, 2, change)
    assert log.state.fund.rules.threshold == 1000
    contribute(log, 3, 10_000)
    req = request(log, 1, 2000)
    approve(log, 0, req)
    assert refused(log, 3, Disbursed(head(log), req, "cash", 2000)) == "fund-not-approved"
    approve(log, 2, req)
    pay(log, 3, req, 2000)
    # the cap counts what the family received in the period, across requests
    second = request(log, 2, 4000)
    approve(log, 0, second)
    approve(log, 1, second)
    assert refused(log, 3, Disbursed(head(log), second, "cash", 3001)) == "fund-over-cap"
    log.now += 31 * DAY
    pay(log, 3, second, 4000)
    assert refused(log, 0, HardshipRequested(head(log), "sarv", "rent", 5001)) == "fund-over-cap"


def test_a_stale_head_is_refused_and_nothing_changes() -> None:
    log = cell(2)
    assert refused(log, 1, Contributed((bytes(32),), "cash", 5)) == "fund-stale"
    contribute(log, 0, 10)
    twice = head(log) * 2
    assert refused(log, 1, Contributed(twice, "cash", 5)) == "fund-stale"


def test_entries_written_at_once_both_get_in_in_any_order() -> None:
    first, second = cell(2), cell(2)
    seen = head(first)
    # each written before the other one arrived; two members receive them in two orders
    both = [first.envelope(author, Contributed(seen, "cash", 10 + author)) for author in (0, 1)]
    for log, order in ((first, both), (second, both[::-1])):
        for env in order:
            log.state = apply(log.state, env)
            log.envelopes.append(env)
        assert log.state.fund.balance("Assets:Cash") == 21
        assert len(log.state.fund.tips) == 2
    assert first.state.fund.head == second.state.fund.head
    contribute(first, 1, 5)  # the next entry joins the fork
    assert len(first.state.fund.prev) == 1
    assert replay(first.envelopes).fund == first.state.fund


def test_pledges_are_kept_in_parts() -> None:
    log = cell(2)
    pledge = contribute(log, 1, 300, "pledge").event_id
    log.do(1, PledgeKept(head(log), pledge, 200))
    assert refused(log, 1, PledgeKept(head(log), pledge, 101)) == "fund-over-pledge"
    fund = log.state.fund
    assert fund.balance("Assets:Pledges") == 100
    assert fund.balance("Assets:Cash") == 200


def test_insufficient_cash_is_refused() -> None:
    log = cell(2)
    contribute(log, 0, 50)
    contribute(log, 0, 500, "in-kind")
    req = request(log, 0, 100)
    approve(log, 1, req)
    assert refused(log, 1, Disbursed(head(log), req, "cash", 100)) == "fund-insufficient"
    log.do(1, Disbursed(head(log), req, "in-kind", 100))


@pytest.mark.parametrize(
    "text",
    [
        CARD,
        "6037 9912 3456 7893",
        "6037-9912-3456-7893",
        "کارت ۶۰۳۷۹۹۱۲۳۴۵۶۷۸۹۳ لطفا",
        IBAN,
        "ir 820540102680020817909002",
        "IR۸۲۰۵۴۰۱۰۲۶۸۰۰۲۰۸۱۷۹۰۹۰۰۲",
    ],
)
def test_card_and_iban_are_refused_in_every_text(text: str) -> None:
    log = cell(2)
    assert refused(log, 0, Contributed(head(log), "cash", 5, text)) in {
        "fund-card-number",
        "fund-iban",
    }
    assert refused(log, 0, HardshipRequested(head(log), text[:64], "food", 5)) in {
        "fund-card-number",
        "fund-iban",
    }


def test_a_family_code_name_shows_what_it_says() -> None:
    log = cell(2)
    assert refused(log, 0, HardshipRequested(head(log), "sa\u202erv", "food", 5)) == (
        "name-hidden-character"
    )
    assert refused(log, 0, HardshipRequested(head(log), "  sarv", "food", 5)) == "name-unclean"


def test_digits_that_are_not_a_card_pass() -> None:
    assert not looks_like_card("6037991234567890")  # wrong check digit
    assert not looks_like_card("60379912345678931")  # 17 digits
    assert not looks_like_iban("IR12345")
    check_text("۵۰۰ هزار تومان برای اجاره")


@given(st.text(alphabet="0123456789۰۱۲۳۴۵۶۷۸۹ -IRir", max_size=60))
def test_card_detector_never_crashes(text: str) -> None:
    looks_like_card(text)
    looks_like_iban(text)


# --- properties -----------------------------------------------------------------------

Step = tuple[str, int, int]
steps = st.lists(
    st.tuples(
        st.sampled_from(["cash", "in-kind", "pledge", "request", "approve", "pay"]),
        st.integers(0, 2),
        st.integers(1, 10_000),
    ),
    min_size=2,
    max_size=25,
)


def run(plan: list[Step]) -> Log:
    """Carry out what of `plan` the log accepts (refusals change nothing)."""
    log = cell(3)
    requests: list[bytes] = []
    for kind, author, amount in plan:
        body: object
        if kind in {"cash", "in-kind", "pledge"}:
            body = Contributed(head(log), kind, amount)  # type: ignore[arg-type]
        elif kind == "request":
            body = HardshipRequested(head(log), f"f{amount % 3}", "food", amount)
        elif not requests:
            continue
        elif kind == "approve":
            body = RequestApproved(head(log), requests[amount % len(requests)])
        else:
            body = Disbursed(head(log), requests[amount % len(requests)], "cash", amount)
        try:
            env = log.do(author, body)  # type: ignore[arg-type]
        except InvalidEvent:
            continue
        if kind == "request":
            requests.append(env.event_id)
    return log


def fund_envelopes(log: Log) -> list[int]:
    return [i for i, e in enumerate(log.envelopes) if type(e.body).__module__.endswith(".fund")]


@settings(max_examples=60, deadline=None)
@given(steps)
def test_balances_equal_the_sum_of_entries(plan: list[Step]) -> None:
    fund = run(plan).state.fund
    totals = dict.fromkeys(ACCOUNTS, 0)
    for entry in entries(fund):
        assert sum(amount for _, amount in entry.postings) == 0
        for account, amount in entry.postings:
            totals[account] += amount
    assert {a: fund.balance(a) for a in ACCOUNTS} == totals
    assert sum(totals.values()) == 0
    assert fund.balance("Assets:Cash") >= 0


@settings(max_examples=60, deadline=None)
@given(steps, st.data())
def test_any_edited_or_dropped_entry_breaks_the_chain(
    plan: list[Step], data: st.DataObject
) -> None:
    log = run(plan)
    chained = fund_envelopes(log)[:-1]  # the last entry is checked by the next one
    if not chained:
        return
    assert replay(log.envelopes).fund.broken is None
    victim = data.draw(st.sampled_from(chained))
    tampered = list(log.envelopes)
    if data.draw(st.booleans()):
        del tampered[victim]
    else:
        body = tampered[victim].body
        edited = (
            msgspec.structs.replace(body, amount=body.amount + 1)
            if hasattr(body, "amount")
            else msgspec.structs.replace(body, prev=(bytes(32),))
        )
        tampered[victim] = msgspec.structs.replace(tampered[victim], body=edited)
    state = replay(tampered)
    assert state.fund.broken is not None
    assert any(a.code == "fund-chain-broken" for a in state.alarms)


@settings(max_examples=40, deadline=None)
@given(steps)
def test_no_request_is_approved_by_its_requester(plan: list[Step]) -> None:
    fund = run(plan).state.fund
    for request in fund.requests.values():
        assert request.requester not in request.approvers


def test_unknown_subjects_are_refused() -> None:
    log = cell(2)
    ghost = bytes(16)
    assert refused(log, 0, PledgeKept(head(log), ghost, 1)) == "fund-unknown-pledge"
    assert refused(log, 0, RequestApproved(head(log), ghost)) == "fund-unknown-request"
    assert refused(log, 0, Disbursed(head(log), ghost, "cash", 1)) == "fund-unknown-request"


def test_a_broken_ledger_takes_no_more_entries() -> None:
    log = cell(2)
    contribute(log, 0, 10)
    contribute(log, 1, 20)
    first = next(i for i in fund_envelopes(log))
    tampered = [e for i, e in enumerate(log.envelopes) if i != first]
    log.state = replay(tampered)
    assert log.state.fund.broken == log.envelopes[-1].event_id
    assert log.state.fund.balance("Assets:Cash") == 20
    assert refused(log, 0, Contributed(head(log), "cash", 1)) == "fund-chain-broken"


FUND_CODES_PINNED = {
    "fund-stale": test_a_stale_head_is_refused_and_nothing_changes,
    "fund-card-number": test_card_and_iban_are_refused_in_every_text,
    "fund-iban": test_card_and_iban_are_refused_in_every_text,
    "fund-unknown-pledge": test_unknown_subjects_are_refused,
    "fund-over-pledge": test_pledges_are_kept_in_parts,
    "fund-over-cap": test_two_approvers_above_threshold_and_rules_need_another_member,
    "fund-unknown-request": test_unknown_subjects_are_refused,
    "fund-already-approved": test_no_self_approval_and_no_double_approval,
    "fund-not-approved": test_two_approvers_above_threshold_and_rules_need_another_member,
    "fund-over-request": test_contribution_request_approval_partial_payments,
    "fund-insufficient": test_insufficient_cash_is_refused,
    "fund-chain-broken": test_a_broken_ledger_takes_no_more_entries,
}


def test_every_fund_code_is_exercised() -> None:
    """Each fund code names the test above that makes the log refuse with it."""
    from hasteh.org import MESSAGES

    assert {c for c in MESSAGES if c.startswith("fund-")} == set(FUND_CODES_PINNED)


def test_the_fold_names_every_field_of_the_fund() -> None:
    """`_chained` sets every field of the new fund itself: a field added to `Fund` must be
    given there too."""
    from hasteh.org import fund as fund_module
    from hasteh.org.ledger import Fund

    assert set(fund_module._NEW_FUND.changed) == set(Fund.__slots__)


def test_an_entry_keeps_every_part_of_the_fund_it_does_not_change() -> None:
    """`_chained` copies the fund field by field (`copy_with`), changing only the chain,
    the count and the balances (and what the entry's fold names): a request, a pledge
    and the log time survive the next entry, and the log time moves with it."""
    import dataclasses

    log = cell(3)
    contribute(log, 0, 1_000, holding="pledge")
    request(log, 1, 500)
    before = log.state
    log.now += 60
    contribute(log, 2, 300)
    after = log.state
    changed = {"tips", "count", "balances", "ledger"}
    for f in dataclasses.fields(before.fund):
        if f.name not in changed:
            assert getattr(after.fund, f.name) is getattr(before.fund, f.name), f.name
    assert after.fund.count == before.fund.count + 1
    assert after.time == log.now
    assert after.members is before.members and after.decisions is before.decisions
