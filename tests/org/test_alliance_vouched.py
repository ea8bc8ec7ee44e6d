"""A cell proposed through a delegate's vouching code (`CellVouched`): the same checks as a
proposal by card, a proposal every delegate sees came by a code, and an Add authorized
only once every member cell approved. The attacks: a delegate proposing the same card
twice (by code and by card), a pseudonym that only looks like a member cell's, an author
with no seat, an Add before every cell approved. Each refusal leaves the state as it was;
any vouched proposal folds the same checked and unchecked."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hasteh.org import MemberAdded, log
from hasteh.org.alliance import ALLIANCE, approved
from hasteh.org.events import CellApproved, CellProposed, CellVouched
from tests.org.helpers import DAY, card
from tests.org.test_alliance import alliance


def test_a_vouched_proposal_is_marked_and_needs_every_cell() -> None:
    a = alliance(3)
    proposal = a.do(1, CellVouched(card("cell-d"), "cell-d", a.now + 7 * DAY)).event_id
    held = a.state.proposals[proposal]
    assert held.vouched and held.cell == "cell-d" and held.approvals == {"cell-b"}
    assert not approved(held, a.state)
    # The Add is not authorized before every member cell approved: an alarm every
    # delegate sees, and the seat marked unauthorized.
    a.epoch += 1
    a.do(1, MemberAdded(3, "cell-d", card("cell-d"), 1, a.epoch))
    assert [x.code for x in a.state.alarms] == ["not-approved"]
    assert not a.state.members[3].authorized  # type: ignore[index]
    # Done properly: every cell approves first.
    b = alliance(3)
    proposal = b.do(1, CellVouched(card("cell-d"), "cell-d", b.now + 7 * DAY)).event_id
    b.do(0, CellApproved(proposal))
    b.do(2, CellApproved(proposal))
    assert approved(b.state.proposals[proposal], b.state)
    b.epoch += 1
    b.do(1, MemberAdded(3, "cell-d", card("cell-d"), 1, b.epoch))
    assert b.state.members[3].authorized and not b.state.alarms  # type: ignore[index]


def test_a_vouched_proposal_is_checked_as_one_by_card() -> None:
    a = alliance(3)
    a.do(1, CellVouched(card("cell-d"), "cell-d", a.now + 7 * DAY))
    assert a.refused(0, CellProposed(card("cell-d"), "cell-d", a.now + 7 * DAY)) == "card-pending"
    assert a.refused(2, CellVouched(card("cell-d"), "cell-d", a.now + 7 * DAY)) == "card-pending"
    assert a.refused(2, CellVouched(card("cell-e"), "ceII-a", a.now + 7 * DAY)) == (
        "cover-name-taken"
    )
    # A member cell's own pseudonym would be its second seat: never through a code.
    assert a.refused(2, CellVouched(card("cell-e"), "cell-b", a.now + 7 * DAY)) == (
        "cover-name-taken"
    )
    assert a.refused(7, CellVouched(card("cell-f"), "cell-f", a.now + 7 * DAY)) == "not-a-member"
    assert a.refused(1, CellVouched(card("cell-g"), "cell-g", a.now)) == "expired-card"
    assert a.refused(1, CellVouched(b"short", "cell-h", a.now + DAY)) == "malformed-card"


@given(
    author=st.integers(0, 4),
    cell=st.text(min_size=1, max_size=12),
    days=st.integers(-2, 30),
    fingerprint=st.binary(min_size=0, max_size=40),
)
def test_any_vouched_proposal_folds_the_same_checked_and_unchecked(
    author: int, cell: str, days: int, fingerprint: bytes
) -> None:
    a = alliance(3)
    before = a.state
    env = a.envelope(author, CellVouched(fingerprint, cell, max(0, a.now + days * DAY)))
    try:
        checked = log.receive(ALLIANCE, before, env).state
    except Exception as exc:  # only the org's own refusal, and the state unchanged
        assert type(exc).__module__.startswith("hasteh.org"), exc
        assert a.state is before
        return
    assert log.fold(ALLIANCE, before, env) == checked
    assert checked.proposals[env.event_id].vouched  # type: ignore[index]
