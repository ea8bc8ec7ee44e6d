"""Proof 1 (and 2): five profiles form a cell through cards, vouches and approvals, chat,
run one decision of each kind, remove a member by decision; the removed profile reads
nothing sent afterwards; every member shows the same safety words after every change.
A sixth member beyond the cap is refused; a cap above 7 is refused. All against a real
relay process on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hasteh.app import Workspace, admission, cards, cells, decisions, removal, talk
from hasteh.app.errors import BadInput, Refused
from tests.app.helpers import (
    CELL,
    NAMES,
    Settle,
    assert_same_words,
    form_cell,
    settle_relay,
)


def _rows(conn: object) -> list[object]:
    from hasteh.vault import events

    return [r for gid in _gids(conn) for r in events.read(conn, gid, limit=100_000)]


def _gids(conn: object) -> list[bytes]:
    return [bytes(r[0]) for r in conn.execute("SELECT DISTINCT group_id FROM events")]  # type: ignore[attr-defined]


def run_scenario(
    make_ws: Callable[[str], Workspace], relay_url: str, settle: Settle, clock: object
) -> list[Workspace]:
    members = form_cell(make_ws, relay_url, settle)
    a, b, c, d, e = members

    # Chat both ways.
    talk.say(a, CELL, "first words from sepideh")
    talk.say(c, CELL, "maryam answers", thread="strike")
    settle(members)
    for m in members:
        texts = {v.text for v in talk.read(m, CELL)}
        assert texts == {"first words from sepideh", "maryam answers"}

    # One decision of each kind; everyone takes part, then any member closes.
    deadline = a.now() + 3 * 86_400
    votes: dict[str, tuple[list[str], list[dict[str, object]]]] = {
        "consent": ([], [{"position": "agree"}] * 5),
        "proposal": (
            [],
            [{"position": "agree"}] * 3 + [{"position": "abstain"}, {"position": "disagree"}],
        ),
        "single": (["tea", "coffee"], [{"choices": ["tea"]}] * 3 + [{"choices": ["2"]}] * 2),
        "multiple": (
            ["mon", "tue", "wed"],
            [{"choices": ["mon", "tue"]}] * 3 + [{"choices": ["mon"]}, {"choices": ["wed"]}],
        ),
        "ranked": (
            ["x", "y", "z"],
            [{"choices": ["x", "y"]}] * 2
            + [{"choices": ["y", "x"]}] * 2
            + [{"choices": ["z", "y"]}],
        ),
        "stv": (
            ["p", "q", "r", "s"],
            [{"choices": ["p", "q"]}] * 2 + [{"choices": ["q", "p"]}] * 2 + [{"choices": ["s"]}],
        ),
        "optin": ([], [{}] * 4),
    }
    expected = {
        "consent": ("adopted", ()),
        "proposal": ("adopted", ()),
        "single": ("decided", ("tea",)),
        "multiple": ("decided", ("mon",)),
        "ranked": ("elected", ("y",)),
        "stv": ("elected", ("p", "q")),
        "optin": ("counted", ()),
    }
    for kind, (options, stances) in votes.items():
        opened = decisions.open_decision(
            a, CELL, kind=kind, question=f"{kind}?", deadline=deadline, options=options
        )
        settle(members)
        for m, stance in zip(members, stances, strict=False):
            decisions.vote(m, CELL, str(opened.number), **stance)  # type: ignore[arg-type]
        settle(members)
        for m in members:
            shown = next(s for s in decisions.show(m, CELL) if s.number == opened.number)
            assert shown.is_open and shown.voted == len(stances) and shown.status is None
        if kind == "optin":  # four of five opted in: it closes at its deadline
            clock.advance(3 * 86_400 + 1)
        decisions.close(b, CELL, str(opened.number))
        settle(members)
        results = {
            (s.status, s.winners, s.counts)
            for m in members
            for s in decisions.show(m, CELL)
            if s.number == opened.number
        }
        assert len(results) == 1, (kind, results)
        status, winners, counts = results.pop()
        assert (status, winners) == expected[kind], kind
        if kind == "optin":
            assert counts == (4,)
        assert_same_words(members)
    # Stances are deleted from every vault at close.
    for m in members:
        stored = m.vault.read(lambda conn: [r.kind for r in _rows(conn)])  # type: ignore[attr-defined]
        assert "decision.stance" not in stored

    # Removal by decision: everyone but nasrin consents; the lowest leaf commits.
    proposal = removal.propose_removal(a, CELL, NAMES[4], deadline=a.now() + 86_400)
    settle(members)
    for m in (a, b, c, d):
        decisions.vote(m, CELL, str(proposal.number), position="agree")
    settle(members)
    decisions.close(c, CELL, str(proposal.number))
    settle(members)
    remaining = [a, b, c, d]
    for m in remaining:
        assert [v.cover_name for v in cells.members(m, CELL)] == list(NAMES[:4])
        assert not any(x.code for x in _alarms(m))
    assert_same_words(remaining)
    talk.say(b, CELL, "after nasrin left")
    settle(members)
    for m in remaining:
        assert "after nasrin left" in {v.text for v in talk.read(m, CELL)}
    assert "after nasrin left" not in {v.text for v in talk.read(e, CELL)}
    removed = cells.find_cell(e, CELL)
    assert not removed.active
    from hasteh.vault import epochs

    # Its group state (every key it had) is gone from its vault.
    assert e.vault.read(lambda conn: epochs.get_epoch(conn, removed.group_id)) is None
    return members


def _alarms(ws: Workspace) -> list[object]:
    from hasteh.app import sync

    return list(sync.alarms(ws, CELL))


def test_five_profiles_form_a_cell_decide_and_remove(make_ws, relay, clock) -> None:
    run_scenario(make_ws, relay.url, settle_relay, clock)


def test_sixth_member_refused_and_cap_above_seven_refused(make_ws, relay) -> None:
    members = form_cell(make_ws, relay.url, settle_relay)
    a = members[0]
    sixth = make_ws("omid")
    code = cards.create_card(sixth, NAMES[5], relays=[relay.url])
    before = len(cells.find_cell(a, CELL).org.proposals)
    with pytest.raises(Refused) as refused:
        admission.propose(a, CELL, code)
    assert refused.value.code == "cap-reached"
    assert "The cell is full (5 members)" in str(refused.value)
    assert len(cells.find_cell(a, CELL).org.proposals) == before
    with pytest.raises(BadInput) as too_big:
        decisions.change_settings(a, CELL, cap=8, deadline=a.now() + 86_400)
    assert too_big.value.reason == "cap-above-hard-limit"
    assert "more than 7 members" in str(too_big.value)
    with pytest.raises(BadInput):
        cells.create_cell(a, "big", cover_name="x", relays=[relay.url], cap=9)
    # Raising the cap to 6 by decision works, and then the sixth can come in.
    opened = decisions.change_settings(a, CELL, cap=6, deadline=a.now() + 86_400)
    settle_relay(members)
    for m in members:
        decisions.vote(m, CELL, str(opened.number), position="agree")  # type: ignore[attr-defined]
    settle_relay(members)
    decisions.close(members[1], CELL, "1")
    settle_relay(members)
    assert {cells.find_cell(m, CELL).org.settings.size_cap for m in members} == {6}
