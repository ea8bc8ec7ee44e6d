"""The solidarity fund between real profiles: through the loopback relay and by courier
bundles, with a rogue member, and with bad input (a precise error, nothing sent)."""

from __future__ import annotations

import re

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hasteh import org
from hasteh.app import cells, fund, sync
from hasteh.app.errors import BadInput, Refused
from hasteh.org.events import Contributed, Disbursed, RequestApproved
from tests.app import rogue
from tests.app.helpers import CELL, form_cell, settle_courier, settle_relay

CARD = "6037991234567893"


def state(ws):
    return cells.find_cell(ws, CELL).org.fund


def pending(ws) -> int:
    return len(cells.find_cell(ws, CELL).record.own_pending)


def fund_round(a, b, c, settle) -> None:
    fund.contribute(a, CELL, "۱٬۰۰۰٬۰۰۰", note="از کارگاه")
    pledge = fund.contribute(c, CELL, "200,000", holding="pledge")
    settle([a, b, c])
    ref = fund.request(b, CELL, "سرو", "food", "400000", urgency="urgent")
    settle([a, b, c])
    with pytest.raises(Refused) as err:
        fund.approve(b, CELL, ref)
    assert err.value.code == "self-approval"
    fund.approve(c, CELL, ref)
    settle([a, b, c])
    fund.disburse(a, CELL, ref, "300000")
    settle([a, b, c])
    fund.disburse(c, CELL, ref, "۱۰۰۰۰۰")  # topped up later
    fund.keep_pledge(c, CELL, pledge, "50000")
    settle([a, b, c])


@pytest.mark.parametrize("way", ["relay", "courier"])
def test_three_members_keep_one_ledger(make_ws, relay, way: str) -> None:
    settle = settle_relay if way == "relay" else settle_courier
    a, b, c = form_cell(make_ws, relay.url, settle, n=3)
    fund_round(a, b, c, settle)
    views = [fund.show(m, CELL) for m in (a, b, c)]
    assert len({v.fingerprint for v in views}) == 1
    for view in views:
        assert not view.broken
        assert view.entries == 7
        assert view.balances["Assets:Cash"] == 1_000_000 - 400_000 + 50_000
        assert view.balances["Assets:Pledges"] == 150_000
        assert view.balances["Expenses:Hardship"] == 400_000
        assert sum(view.balances.values()) == 0
        assert not view.open_requests
        assert view.paid_requests[0].family == "سرو"
    # b's own view says it may not approve its own request
    assert not fund.show(b, CELL).paid_requests[0].can_approve


def test_a_rogue_member_cannot_approve_its_own_request_or_rewrite_the_ledger(
    make_ws, relay
) -> None:
    a, b, c = form_cell(make_ws, relay.url, settle_relay, n=3)
    fund.contribute(a, CELL, "1000")
    settle_relay([a, b, c])
    ref = fund.request(b, CELL, "chenar", "rent", "900")
    settle_relay([a, b, c])
    request_id = next(iter(state(a).requests))
    before = state(a).head
    # b skips its client's checks: approves its own request, pays it, and writes an
    # entry on a head the ledger never had (an attempt to fork what it said).
    own = rogue.envelope(b, RequestApproved(state(a).prev, request_id))
    rogue.send(b, own)
    settle_relay([a, b, c])
    pay = rogue.envelope(b, Disbursed(state(a).prev, request_id, "cash", 900))
    rewrite = rogue.envelope(b, Contributed((bytes(32),), "cash", 1))
    rogue.send(b, pay, rewrite)
    settle_relay([a, b, c])
    for m in (a, c):
        f = state(m)
        assert f.requests[request_id].approvers == frozenset()
        assert f.requests[request_id].paid == 0
        assert f.balance("Assets:Cash") == 1000
        assert f.count == 2 and f.broken is None and f.head == before
    fund.approve(a, CELL, ref)
    settle_relay([a, b, c])
    assert {fund.show(m, CELL).fingerprint for m in (a, b, c)} == {fund.show(a, CELL).fingerprint}


def test_bad_input_is_refused_and_nothing_is_sent(make_ws, relay) -> None:
    a, _b = form_cell(make_ws, relay.url, settle_relay, n=2)
    before = (state(a), pending(a))
    bad = [
        (lambda: fund.contribute(a, CELL, "abc"), "bad-amount"),
        (lambda: fund.contribute(a, CELL, "0"), "bad-amount"),
        (lambda: fund.contribute(a, CELL, "-5"), "bad-amount"),
        (lambda: fund.contribute(a, CELL, "1" * 40), "bad-amount"),
        (lambda: fund.contribute(a, CELL, "5", holding="gold"), "bad-fund-choice"),
        (lambda: fund.contribute(a, CELL, "5", note=f"card {CARD}"), "fund-card-number"),
        (lambda: fund.request(a, CELL, "IR820540102680020817909002", "food", "5"), "fund-iban"),
        (lambda: fund.request(a, CELL, "sarv", "cars", "5"), "bad-fund-choice"),
        (lambda: fund.request(a, CELL, " ", "food", "5"), "name-empty"),
        (lambda: fund.request(a, CELL, "sa\u202erv", "food", "5"), "name-hidden-character"),
        (lambda: fund.approve(a, CELL, "ffff0000"), "unknown-fund-item"),
        (lambda: fund.disburse(a, CELL, "", "5"), "unknown-fund-item"),
        (lambda: fund.keep_pledge(a, CELL, "abcd", "5"), "unknown-fund-item"),
        (lambda: fund.set_rules(a, CELL, unit="dollar"), "bad-fund-choice"),
        (lambda: fund.set_rules(a, CELL, period_days="400"), "bad-amount"),
    ]
    for act, code in bad:
        with pytest.raises((BadInput, Refused)) as err:
            act()
        assert err.value.code == code
        assert (state(a), pending(a)) == before


def test_report_and_beancount(make_ws, relay) -> None:
    a, b = form_cell(make_ws, relay.url, settle_relay, n=2)
    fund.contribute(a, CELL, "5000", note='evil"\n2020-01-01 open Assets:Evil')
    fund.contribute(a, CELL, "700", holding="in-kind")
    ref = fund.request(a, CELL, "sarv", "medical", "1200")
    settle_relay([a, b])
    fund.approve(b, CELL, ref)
    settle_relay([a, b])
    fund.disburse(b, CELL, ref, "1000")
    settle_relay([a, b])
    (year, month), *_ = fund.months(a, CELL)
    rep = fund.report(a, CELL, year, month)
    assert rep.contributed["cash"] == 5000 and rep.contributed["in-kind"] == 700
    assert rep.disbursed == 1000 and rep.families == {"sarv": 1000}
    assert rep.requests_opened == 1
    assert rep.closing["Assets:Cash"] == 4000
    text = fund.beancount(b, CELL)
    assert not re.search(r"^2020-01-01", text, re.MULTILINE)
    assert len(re.findall(r"^\S+ open ", text, re.MULTILINE)) == 6
    for block in text.split("\n\n"):
        amounts = [int(m) for m in re.findall(r"^  \S+  (-?\d+) TOMAN$", block, re.MULTILINE)]
        assert sum(amounts) == 0
    assert "disburse sarv" in text and "Expenses:Hardship  1000 TOMAN" in text
    assert fund.show(a, CELL).fingerprint in text


@given(st.text(max_size=30))
def test_parse_amount_gives_a_number_or_bad_amount(text: str) -> None:
    try:
        value = fund.parse_amount(text)
    except BadInput as err:
        assert err.code == "bad-amount"
    else:
        assert 1 <= value <= 10**12


@given(st.integers(1, 10**12))
def test_parse_amount_reads_persian_digits_and_separators(value: int) -> None:
    persian = f"{value:,}".translate(str.maketrans("0123456789,", "۰۱۲۳۴۵۶۷۸۹٬"))
    assert fund.parse_amount(persian) == value
    assert fund.parse_amount(f"{value:,}") == value


@pytest.mark.parametrize("how", ["edit", "drop"])
def test_a_thief_who_edits_or_drops_a_stored_entry_breaks_the_chain(
    make_ws, relay, how: str
) -> None:
    """The vault is opened (the thief has the passphrase), one stored entry is edited or
    deleted; on the next load the fold recomputes the chain: broken, with an alarm."""
    a, b = form_cell(make_ws, relay.url, settle_relay, n=2)
    fund.contribute(a, CELL, "5000")
    settle_relay([a, b])
    fund.contribute(b, CELL, "70")
    settle_relay([a, b])
    group_id = cells.find_cell(a, CELL).group_id

    def tamper(conn) -> None:  # type: ignore[no-untyped-def]
        seq, body = conn.execute(
            "SELECT seq, body FROM events WHERE group_id = ? AND kind = 'fund.contribution'"
            " ORDER BY seq LIMIT 1",
            (group_id,),
        ).fetchone()
        if how == "drop":
            conn.execute("DELETE FROM events WHERE group_id = ? AND seq = ?", (group_id, seq))
            return
        env = org.decode(bytes(body))
        edited = msgspec.structs.replace(env.body, amount=50_000)
        conn.execute(
            "UPDATE events SET body = ? WHERE group_id = ? AND seq = ?",
            (org.encode(msgspec.structs.replace(env, body=edited)), group_id, seq),
        )

    a.vault.write(tamper)
    a.forget_cache()
    view = fund.show(a, CELL)
    assert view.broken
    assert "fund-chain-broken" in [x.code for x in sync.alarms(a, CELL)]
    with pytest.raises(Refused) as err:
        fund.contribute(a, CELL, "1")
    assert err.value.code == "fund-chain-broken"
    assert not fund.show(b, CELL).broken
    assert fund.show(b, CELL).fingerprint != view.fingerprint
