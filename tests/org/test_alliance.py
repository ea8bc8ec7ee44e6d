"""An alliance's log (`hasteh.org.alliance`): a second kind of group on the same machinery.

The attacks: a cell that votes twice through its two seats, a delegate admitting a cell
the others never approved, a cell's event smuggled into an alliance (and the reverse),
a close with a made-up outcome. Each refusal leaves the state as it was.
"""

from __future__ import annotations

import hashlib
import typing
from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hasteh.org import (
    CELL,
    AnyEvent,
    CellCreated,
    Event,
    EventEnvelope,
    EventId,
    InvalidEvent,
    MemberAdded,
    MemberRemoved,
    ThreadOpened,
    log,
)
from hasteh.org.alliance import ALLIANCE, AllianceState, approved, close_due, notes
from hasteh.org.events import (
    AllianceFormed,
    AllianceMessage,
    CellApproved,
    CellProposed,
    CellVoted,
    EditorInbox,
    KeyIssued,
    KeyShared,
    MotionClosed,
    MotionOpened,
    MotionOutcome,
)
from hasteh.org.events.federation import CarriedDown
from tests.org.helpers import DAY, T0, card


@dataclass
class Alliance:
    now: int = T0
    counter: int = 0
    epoch: int = 0
    state: AllianceState = field(default_factory=AllianceState)
    envelopes: list[EventEnvelope] = field(default_factory=list)

    def envelope(self, author: int, body: Event) -> EventEnvelope:
        self.counter += 1
        event_id = EventId(hashlib.sha256(self.counter.to_bytes(8, "big")).digest()[:16])
        return EventEnvelope(1, event_id, author, self.now, body)  # type: ignore[arg-type]

    def do(self, author: int, body: Event) -> EventEnvelope:
        env = self.envelope(author, body)
        self.state = log.apply(ALLIANCE, self.state, env)
        self.envelopes.append(env)
        return env

    def refused(self, author: int, body: Event) -> str:
        before = self.state
        with pytest.raises(InvalidEvent) as err:
            self.do(author, body)
        assert self.state is before
        return err.value.code

    def admit(self, cell: str, leaf: int, by: int = 0) -> None:
        """Propose `cell`, approve by every other member cell, commit the Add."""
        proposal = self.do(by, CellProposed(card(cell), cell, self.now + 7 * DAY)).event_id
        voiced = {self.state.cover_name(by)}
        for seat in sorted(self.state.members.values(), key=lambda m: m.leaf):
            if seat.cell not in voiced:
                self.do(seat.leaf, CellApproved(proposal))
                voiced.add(seat.cell)
        self.epoch += 1
        self.do(by, MemberAdded(leaf, cell, card(cell), by, self.epoch))


def alliance(cells: int = 3) -> Alliance:
    a = Alliance()
    a.do(0, AllianceFormed("north", "cell-a"))
    for leaf in range(1, cells):
        a.admit(f"cell-{'abcdefg'[leaf]}", leaf)
    return a


def test_an_alliance_forms_and_admits_cells_approved_by_every_member_cell() -> None:
    a = alliance(3)
    assert a.state.cells == {"cell-a", "cell-b", "cell-c"}
    assert all(m.authorized for m in a.state.members.values())
    assert not a.state.alarms and not a.state.proposals
    assert log.replay(ALLIANCE, a.envelopes) == a.state


def test_an_add_without_every_cells_approval_raises_an_alarm() -> None:
    a = alliance(3)
    a.do(0, CellProposed(card("cell-d"), "cell-d", a.now + DAY))
    a.do(1, MemberAdded(3, "cell-d", card("cell-d"), 1, a.epoch + 1))  # cell-c never approved
    assert [x.code for x in a.state.alarms] == ["not-approved"]
    assert a.state.alarms[0].by_cover_name == "cell-b"
    assert not a.state.members[3].authorized  # type: ignore[index]


def test_a_removal_is_a_fact_with_an_alarm_until_removals_exist() -> None:
    a = alliance(2)
    a.do(0, MemberRemoved(1, 0, a.epoch + 1))
    assert a.state.cells == {"cell-a"}
    assert [x.code for x in a.state.alarms] == ["no-decision"]


def test_one_vote_per_cell_whoever_of_its_delegates_votes() -> None:
    a = alliance(2)
    a.admit("cell-b", 2)  # cell-b's alternate: a second seat for the same cell
    assert len(a.state.members) == 3 and a.state.cells == {"cell-a", "cell-b"}
    motion = a.do(0, MotionOpened("Joint strike on 1 May?", a.now + DAY)).event_id
    a.do(1, CellVoted(motion, True))
    assert a.refused(2, CellVoted(motion, True)) == "vote-twice"
    assert a.refused(0, MotionClosed(motion, MotionOutcome(True, 1, 0))) == "not-due"
    a.do(0, CellVoted(motion, False))
    assert close_due(a.state, a.now) == (MotionClosed(motion, MotionOutcome(False, 1, 1)),)
    assert a.refused(2, MotionClosed(motion, MotionOutcome(True, 2, 0))) == "wrong-outcome"
    a.do(2, MotionClosed(motion, MotionOutcome(False, 1, 1)))
    assert a.state.motions[motion].outcome == MotionOutcome(False, 1, 1)
    assert a.refused(1, CellVoted(motion, True)) == "vote-after-close"


def test_refusals_of_an_alliance() -> None:
    a = alliance(2)
    assert a.refused(5, AllianceMessage("hi")) == "not-a-member"
    assert a.refused(0, AllianceFormed("again", "cell-a")) == "alliance-exists"
    assert a.refused(0, MotionOpened("late?", a.now - 1)) == "deadline-in-past"
    proposal = a.do(0, CellProposed(card("cell-x"), "cell-x", a.now + DAY)).event_id
    assert a.refused(0, CellApproved(proposal)) == "already-answered"
    assert a.refused(1, CellProposed(card("cell-x"), "cell-y", a.now + DAY)) == "card-pending"
    assert approved(a.state.proposals[proposal], a.state) is False
    a.do(1, CellApproved(proposal))
    assert approved(a.state.proposals[proposal], a.state) is True
    a.now += 8 * DAY
    assert a.refused(1, CellApproved(proposal)) == "proposal-lapsed"
    assert a.refused(0, MotionClosed(EventId(b"\x00" * 16), MotionOutcome(False, 0, 0))) == (
        "unknown-decision"
    )


def test_before_forming_nothing_counts() -> None:
    with pytest.raises(InvalidEvent) as err:
        log.apply(
            ALLIANCE,
            AllianceState(),
            EventEnvelope(1, EventId(b"\x01" * 16), 0, T0, AllianceMessage("x")),
        )
    assert err.value.code == "unknown-alliance"


def test_a_cells_event_is_refused_in_an_alliance_and_the_reverse() -> None:
    a = alliance(2)
    assert a.refused(0, ThreadOpened("a thread")) == "not-in-this-group"
    founded = EventEnvelope(1, EventId(b"\x02" * 16), 0, T0, CellCreated("c", "Bahar"))
    cell = log.apply(CELL, CELL.empty(), founded)
    smuggled = EventEnvelope(1, EventId(b"\x03" * 16), 0, T0, AllianceMessage("hello"))
    with pytest.raises(InvalidEvent) as err:
        log.apply(CELL, cell, smuggled)
    assert err.value.code == "not-in-this-group"
    assert err.value.params == {"tag": "alliance.message", "kind": "cell"}


def test_every_event_type_has_a_row_in_some_kind() -> None:
    """One table per kind is the single source of truth: no event type is left without
    a check and a fold, and a family belongs where its tag says."""
    everything = set(typing.get_args(AnyEvent))
    assert everything == set(CELL.rows) | set(ALLIANCE.rows)
    for event in everything:
        family = log.tag_of(event).split(".")[0]
        if family == "alliance":
            assert event in ALLIANCE.rows and event not in CELL.rows
        elif family == "fed":
            # The cell's side (elections, mandates, report-backs) or the alliance's (the
            # programme, joint actions, warnings); what is carried down is in both.
            if event is CarriedDown:
                assert event in ALLIANCE.rows and event in CELL.rows
            else:
                assert (event in ALLIANCE.rows) != (event in CELL.rows)
        elif event in (EditorInbox, KeyIssued, KeyShared):
            # a bulletin key's events: a cell's newsroom key and the alliance's
            # (`hasteh.org.keychain`, one set of rules for both)
            assert event in ALLIANCE.rows and event in CELL.rows
        elif family != "member" or event not in (MemberAdded, MemberRemoved):
            assert event in CELL.rows and event not in ALLIANCE.rows


@given(st.lists(st.tuples(st.integers(0, 3), st.booleans()), max_size=12))
def test_outcome_counts_each_cell_once(votes: list[tuple[int, bool]]) -> None:
    """Whatever seats vote in whatever order, a motion's outcome counts each cell's
    first vote once, and every refused vote leaves the state untouched."""
    a = alliance(3)
    a.admit("cell-c", 3)  # leaves 2 and 3 both speak for cell-c
    motion = a.do(0, MotionOpened("q", a.now + DAY)).event_id
    first: dict[str, bool] = {}
    for leaf, agree in votes:
        cell = a.state.cover_name(leaf)
        if cell in first:
            assert a.refused(leaf, CellVoted(motion, agree)) == "vote-twice"
        else:
            a.do(leaf, CellVoted(motion, agree))
            first[cell] = agree
    agree_n = sum(first.values())
    outcome = MotionOutcome(agree_n > len(first) - agree_n, agree_n, len(first) - agree_n)
    assert dict(a.state.motions[motion].votes) == first
    if len(first) == 3:
        assert close_due(a.state, a.now) == (MotionClosed(motion, outcome),)


def test_messages_keep_the_log_order_and_replay() -> None:
    a = alliance(2)
    for i in range(5):
        a.now += 1
        a.do(i % 2, AllianceMessage(f"word {i}"))
    said = notes(a.state)
    assert [(n.cell, n.text) for n in said] == [
        ("cell-a", "word 0"),
        ("cell-b", "word 1"),
        ("cell-a", "word 2"),
        ("cell-b", "word 3"),
        ("cell-a", "word 4"),
    ]
    assert log.replay(ALLIANCE, a.envelopes) == a.state
