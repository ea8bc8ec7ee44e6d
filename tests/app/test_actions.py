"""The cell's work across real profiles: plan, demands, tasks, go/no-go, turnout, review,
through a real relay and through courier bundles. After the turnout closes, no vault (a
raw SQLCipher export) holds an opt-in event or token; the count is all that is left."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from hasteh.app import Workspace, actions, decisions
from hasteh.app.cells import find_cell
from hasteh.app.errors import AppError, BadInput
from hasteh.org import EventId, optin_token
from tests.app.helpers import CELL, NAMES, form_cell, settle_courier, settle_relay
from tests.app.test_expiry import export_plaintext

DAY = 86_400


def decision_of(ws: Workspace, role: str) -> EventId:
    rt = find_cell(ws, CELL)
    (action,) = rt.org.actions.values()
    return action.links[role]


def run_action(
    members: Sequence[Workspace],
    settle: Callable[[Sequence[Workspace]], None],
    clock: object,
    tmp_path: Path,
) -> None:
    a, b, c = members
    now = a.now()
    actions.plan(a, CELL, kind="strike", code_name="Workshop 3", date=now + 2 * DAY)
    settle(members)
    actions.add_demand(b, CELL, "1", "Wages on time")
    actions.add_demand(c, CELL, "1", "Safety gear")
    settle(members)
    actions.add_task(a, CELL, "1", title="Leaflets", assignee=NAMES[2], due=now + DAY)
    actions.open_priorities(b, CELL, "1", deadline=now + DAY, dots=True)
    actions.open_go(a, CELL, "1", deadline=now + DAY)
    actions.open_turnout(a, CELL, "1", deadline=now + DAY)
    settle(members)
    actions.set_task(c, CELL, "1", "1", "done")
    actions.take_part(b, CELL, "1")
    actions.take_part(c, CELL, "1")
    settle(members)
    did = decision_of(a, "turnout")
    ids = find_cell(a, CELL).org.decisions[did].stance_events
    assert len(ids) == 2
    for ws in members:
        (shown,) = actions.show(ws, CELL)
        assert shown.turnout == 2  # the same number for everyone, opted in or not
        assert sorted(shown.demands) == ["Safety gear", "Wages on time"]
        assert shown.tasks[0].status == "done" and shown.tasks[0].assignee == NAMES[2]
        assert set(shown.decisions) == {"priorities", "go", "turnout"}
    plain = export_plaintext(b, tmp_path / "b-open.db")
    assert any(i in plain for i in ids)  # control: the scan would see them
    with pytest.raises(AppError) as twice:
        actions.take_part(b, CELL, "1")
    assert twice.value.code == "vote-twice"
    clock.advance(DAY + 1)  # type: ignore[attr-defined]
    decisions.close_due(a, CELL)
    settle(members)
    tokens = [optin_token(did, leaf) for leaf in range(8)]
    for i, ws in enumerate(members):
        (shown,) = actions.show(ws, CELL)
        assert shown.turnout == 2 and not shown.decisions["turnout"].is_open
        plain = export_plaintext(ws, tmp_path / f"closed-{i}.db")
        assert not any(i in plain for i in ids), "an opt-in event survived the close"
        assert not any(t in plain for t in tokens)
        assert find_cell(ws, CELL).org.decisions[did].stance_events == frozenset()
    clock.advance(DAY)  # type: ignore[attr-defined]
    actions.review(c, CELL, "1", went_well="Everyone came", to_change="Start earlier")
    settle(members)
    for ws in members:
        (shown,) = actions.show(ws, CELL)
        assert shown.reviews == (("Everyone came", "Start earlier"),)


def test_an_action_through_a_real_relay(make_ws, relay, clock, tmp_path: Path) -> None:
    members = form_cell(make_ws, relay.url, settle_relay, n=3)
    run_action(members, settle_relay, clock, tmp_path)


def test_an_action_through_courier_bundles(make_ws, relay, clock, tmp_path: Path) -> None:
    members = form_cell(make_ws, relay.url, settle_relay, n=3)
    run_action(members, settle_courier, clock, tmp_path)


def test_bad_input_changes_nothing(make_ws, relay, clock) -> None:
    (a,) = form_cell(make_ws, relay.url, settle_relay, n=1)
    now = a.now()
    with pytest.raises(BadInput) as bad:
        actions.plan(a, CELL, kind="riot", code_name="Gate", date=now + DAY)
    assert bad.value.code == "bad-action-kind"
    assert actions.show(a, CELL) == []
    with pytest.raises(AppError) as far:
        actions.plan(a, CELL, kind="protest", code_name="Gate", date=now + 400 * DAY)
    assert far.value.code == "date-out-of-range"
    assert actions.show(a, CELL) == []
    actions.plan(a, CELL, kind="protest", code_name="Gate", date=now + DAY)
    for call, code in (
        (lambda: actions.take_part(a, CELL, "1"), "no-turnout"),
        (lambda: actions.open_priorities(a, CELL, "1", deadline=now + DAY), "too-few-demands"),
        (lambda: actions.set_task(a, CELL, "1", "1", "done"), "unknown-task"),
        (lambda: actions.set_task(a, CELL, "1", "1", "finished"), "bad-task-status"),
        (lambda: actions.add_demand(a, CELL, "9", "x"), "unknown-action"),
        (lambda: actions.review(a, CELL, "1", went_well="x"), "review-too-early"),
    ):
        before = actions.show(a, CELL)
        with pytest.raises(AppError) as err:
            call()
        assert err.value.code == code
        assert actions.show(a, CELL) == before
