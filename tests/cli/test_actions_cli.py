"""`hasteh action …` through the real console script: plan, demands, a task, the
turnout count (a number, with the plain warning), in Persian; bad input is refused with a
Persian message and changes nothing."""

from __future__ import annotations

from pathlib import Path

from hasteh.app import actions
from hasteh.app.profile import workspace
from tests.relay.harness import RelayProcess

from .test_cells_cli import PASS, ok, profile, run


def shown(home: Path) -> list[actions.ActionSummary]:
    with workspace(home, PASS) as ws:
        return actions.show(ws, "bakery")


def test_an_action_through_the_cli(tmp_path: Path, cli_relay: RelayProcess) -> None:
    a = profile(tmp_path, "a")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", cli_relay.url)
    out = ok(a, "action", "plan", "bakery", "--kind", "strike", "--code-name", "Oven 2", lang="fa")
    assert "اعتصاب" in out and "Oven 2" in out
    ok(a, "action", "demand", "bakery", "۱", "Wages on time")
    ok(a, "action", "demand", "bakery", "1", "Safety gear")
    ok(a, "action", "task", "bakery", "1", "Leaflets", "--to", "sepideh")
    ok(a, "action", "status", "bakery", "1", "1", "doing")
    out = ok(a, "action", "vote", "bakery", "1", "turnout", lang="fa")
    assert "دست‌کاری‌شده" in out  # the plain warning about a modified client
    out = ok(a, "action", "join", "bakery", "1", lang="fa")
    assert "شرکت می‌کنند: ۱" in out
    out = ok(a, "action", "show", "bakery", lang="fa")
    assert "خواستهٔ ۲" in out and "در حال انجام" in out
    (action,) = shown(a)
    assert action.turnout == 1 and action.tasks[0].status == "doing"
    assert action.demands == ("Wages on time", "Safety gear")

    before = shown(a)
    code, out = run(a, "action", "plan", "bakery", "--kind", "riot", "--code-name", "x", lang="fa")
    assert code == 1 and "نوع کار ناشناخته است" in out
    code, out = run(a, "action", "join", "bakery", "1", lang="fa")
    assert code == 1 and "تصمیم" in out  # a second opt-in: refused, in Persian
    code, out = run(a, "action", "status", "bakery", "1", "7", "done", lang="fa")
    assert code == 1 and "چنین وظیفه‌ای" in out
    assert shown(a) == before
