"""Finding A2: a malicious committer's join history must not break a newcomer's join.

Before the fix, `join_from_package` folded the history with checks off and outside its
`try`: an event naming an unknown proposal, seizure or decision, or a settings change
pointing at a non-settings motion, raised `KeyError`/`AssertionError` inside the sync's
vault write, which rolled back; the pickup cursor never moved and every later sync failed
the same way. Now the history is applied with checks, refused as a whole, the refusal is
recorded on the invitation (an alarm the newcomer sees), and the card stays usable.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from hasteh import org
from hasteh.app import Workspace, admission, cards, cells, join, runtime, sync
from hasteh.app.errors import JoinRefused
from hasteh.cli.next_steps import next_step as cli_step
from hasteh.org import EventEnvelope, EventId, LeafIndex
from tests.app.helpers import CELL, NAMES, settle_relay

_ORIGINAL_STAGE = runtime._stage_join_package


def _env(ws: Workspace, body: org.AnyEvent, event_id: bytes | None = None) -> bytes:
    return org.encode(
        EventEnvelope(
            org.VERSION, EventId(event_id or os.urandom(16)), LeafIndex(0), ws.now(), body
        )
    )


def _bad_tails(ws: Workspace) -> dict[str, list[bytes]]:
    motion_id = os.urandom(16)
    remove = org.RemoveMember(LeafIndex(0), NAMES[0])
    opened = org.DecisionOpened(
        "proposal",
        "remove?",
        ws.now() + 2 * 86_400,  # a motion stays open at least a day
        motion=remove,  # type: ignore[arg-type]
    )
    bad_utf8 = bytearray(_env(ws, org.Alarm("manual", note="xx")))
    at = bad_utf8.rindex(b"xx")
    bad_utf8[at : at + 2] = b"\xff\xfe"
    return {
        "unknown-seizure": [_env(ws, org.SeizureReviewed(os.urandom(16), upheld=False))],
        "unknown-proposal": [_env(ws, org.Vouched(os.urandom(16)))],
        "unknown-decision": [_env(ws, org.DecisionClosed(os.urandom(16), org.Outcome("adopted")))],
        "wrong-motion": [
            _env(ws, opened, motion_id),
            _env(ws, org.SettingsChanged(motion_id)),
        ],
        "malformed": [bytes(bad_utf8)],
    }


def _two_cards(make_ws: Callable[[str], Workspace], relay_url: str) -> tuple[Workspace, ...]:
    founder = make_ws(NAMES[0])
    cells.create_cell(founder, CELL, cover_name=NAMES[0], relays=[relay_url])
    newcomer = make_ws(NAMES[1])
    code = cards.create_card(newcomer, NAMES[1], relays=[relay_url])
    admission.propose(founder, CELL, code)
    return founder, newcomer


def _malicious(
    monkeypatch: pytest.MonkeyPatch, tail: list[bytes], *, also_good: bool
) -> list[tuple[object, ...]]:
    """The committer hands over its log plus `tail`; then (if `also_good`) a good package."""
    original_stage = runtime._stage_join_package
    original_history = runtime._history
    captured: list[tuple[object, ...]] = []

    def stage(ws, rt, conn, pending):  # type: ignore[no-untyped-def]
        captured.append((ws, rt, pending))
        monkeypatch.setattr(runtime, "_history", lambda c, r: [*original_history(c, r), *tail])
        try:
            original_stage(ws, rt, conn, pending)
        finally:
            monkeypatch.setattr(runtime, "_history", original_history)
        if also_good:
            original_stage(ws, rt, conn, pending)

    monkeypatch.setattr(runtime, "_stage_join_package", stage)
    return captured


@pytest.mark.parametrize(
    "case", ["unknown-seizure", "unknown-proposal", "unknown-decision", "wrong-motion", "malformed"]
)
def test_bad_history_refused_then_good_package_joins(
    case, make_ws, relay, monkeypatch: pytest.MonkeyPatch
) -> None:
    founder, newcomer = _two_cards(make_ws, relay.url)
    captured = _malicious(monkeypatch, _bad_tails(founder)[case], also_good=False)
    settle_relay([founder])  # the founder commits the Add and hands over the bad history
    assert captured
    # The newcomer's sync does not fail, and the pickup cursor moves past the package.
    report = sync.sync(newcomer)
    assert report.joined == []
    assert sync.sync(newcomer).received == 0
    waiting = join.waiting_invitations(newcomer)
    assert len(waiting) == 1 and waiting[0].refused == 1
    assert waiting[0].refused_reason == case
    assert cells.list_cells(newcomer) == []
    with pytest.raises(JoinRefused) as err:
        sync.join(newcomer)
    assert "not valid" in str(err.value) and cli_step(err.value)
    # The invitation stays usable: a good package arriving later is joined.
    ws, rt, pending = captured[0]
    runtime.write(founder, rt, lambda conn: _ORIGINAL_STAGE(ws, rt, conn, pending))
    settle_relay([founder])
    assert sync.join(newcomer) == [CELL]
    assert [m.cover_name for m in cells.members(newcomer, CELL)] == list(NAMES[:2])
    assert join.waiting_invitations(newcomer) == []


def test_bad_then_good_package_in_one_sync(make_ws, relay, monkeypatch) -> None:
    founder, newcomer = _two_cards(make_ws, relay.url)
    _malicious(monkeypatch, _bad_tails(founder)["unknown-seizure"], also_good=True)
    settle_relay([founder])
    assert sync.join(newcomer) == [CELL]
    assert [m.cover_name for m in cells.members(newcomer, CELL)] == list(NAMES[:2])
    settle_relay([founder, newcomer])
    assert cells.safety_words(founder, CELL) == cells.safety_words(newcomer, CELL)


def test_a_history_is_judged_at_its_own_log_time() -> None:
    """Found by the long `join_history` run (2026-12-04, after 83,000 inputs): checking a
    handed-over history did not move the log's time, so a proposal that had lapsed in
    that history (its log time had passed seven days) still authorized an Add, while a
    replay of the same history raised `proposal-lapsed`: the newcomer's state differed
    from the log's. Both now judge at the history's own log time."""
    from fuzz.fuzz_join_history import _org_level

    crash = (
        Path(__file__).resolve().parents[2]
        / "fuzz"
        / "corpus"
        / "join_history"
        / "crash-e10312454ee9"
    )
    _org_level(crash.read_bytes()[1:])  # raises Finding if the two states differ
