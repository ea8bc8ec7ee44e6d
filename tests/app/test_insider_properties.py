"""Property tests of the insider issue: a malicious member, and a malicious relay.

A cell of three is formed through the real relay; then the relay is simulated in-process
(`tests/app/simrelay.py`) so that hypothesis can try many event mixes and orderings.

* **Malicious member**: one member sends arbitrary well-formed events (any kind, field,
  claimed time, referenced id, counter) mixed with honest members' posts and votes, under
  arbitrary relay orderings. The honest members converge on one state; membership
  changes only as the cell's rule allows (here: never); no honest member's message
  disappears; every profile loads again to the same state; nothing escapes.
* **Malicious relay**: drops, reorders, duplicates, injects junk and shows members
  different orders. The group stays live (once the relay behaves, an honest message
  reaches everyone), a drop of a member's message shows as a gap, and different orders
  shown to two members are detected by at least one of them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from hasteh import org, vault
from hasteh.app import Workspace, cells, decisions, open_workspace, sync, talk
from hasteh.app.errors import Refused
from hasteh.envelope import Kind, seal
from hasteh.org import (
    AdmissionApproved,
    AdmissionObjected,
    Alarm,
    CellSettings,
    ChangeSettings,
    Choice,
    Consent,
    DecisionClosed,
    DecisionOpened,
    LeaveAnnounced,
    MemberAdded,
    MemberRemoved,
    MemberSeized,
    MessageDeleted,
    MessagePosted,
    NewcomerProposed,
    OptIn,
    Outcome,
    ProposalWithdrawn,
    RemoveMember,
    SeizureReviewed,
    SettingsChanged,
    StanceCast,
    ThreadOpened,
    Vouched,
)
from tests.app import rogue
from tests.app.conftest import FAST, PASS
from tests.app.helpers import CELL, NAMES, form_cell, settle_relay
from tests.app.simrelay import Posted, SimRelay
from tests.org.test_properties import canonical

DAY = 86_400
#: Each example forms a cell through the real relay (about a second): few examples, and
#: no shrinking in CI (a failure prints its seed; shrink by hand with more phases).
SETTINGS = settings(
    max_examples=10,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


MakeWs = Callable[[str], Workspace]


@pytest.fixture
def fresh_cells(
    tmp_path_factory: pytest.TempPathFactory, clock: Any
) -> Iterator[Callable[[], MakeWs]]:
    """A new folder of profiles for each hypothesis example (profiles cannot be reused)."""
    opened: list[Workspace] = []

    def factory() -> MakeWs:
        base = tmp_path_factory.mktemp("example")

        def make(name: str) -> Workspace:
            vault.create(base / name, PASS, kdf=FAST, min_kdf=FAST)
            ws = open_workspace(base / name, PASS, min_kdf=FAST, clock=clock)
            opened.append(ws)
            return ws

        return make

    yield factory
    for ws in opened:
        if not ws.vault.closed:
            ws.close()


def picture(ws: Workspace) -> Any:
    """What must be equal on every honest member: the confirmed state (without the log
    time, which is informational) and the group's epoch."""
    rt = cells.find_cell(ws, CELL)
    fields = {f.name: getattr(rt.base, f.name) for f in dataclasses.fields(rt.base)}
    fields.pop("time")
    return canonical(fields), rt.require_group().epoch


def ids_pool(ws: Workspace) -> list[bytes]:
    state = cells.find_cell(ws, CELL).base
    pool = [*state.threads, *state.messages, *state.decisions, *state.proposals]
    pool += [*state.seizures]
    for d in state.decisions.values():
        pool.extend(d.stance_events)
    return pool


# --- what a malicious member may send ---------------------------------------------------

Ref = Callable[[list[bytes]], bytes]
ref = st.one_of(
    st.binary(min_size=16, max_size=16).map(lambda b: lambda pool: b),
    st.integers(0, 50).map(lambda i: lambda pool: pool[i % len(pool)] if pool else b"\0" * 16),
)
leaf = st.integers(0, 4)
text = st.text(min_size=1, max_size=20)
offset = st.integers(-3 * 365 * DAY, 3 * 365 * DAY)


def bodies(pool: list[bytes], now: int, data: st.DataObject) -> org.AnyEvent:
    r = data.draw(ref)(pool)
    kind = data.draw(st.integers(0, 22))
    t = now + data.draw(offset)
    motion = data.draw(
        st.sampled_from([None, RemoveMember(0, NAMES[0]), ChangeSettings(CellSettings(6))])
    )
    choices: list[org.AnyEvent] = [
        MessagePosted(r, data.draw(text), max(1, t)),
        MessageDeleted(r),
        ThreadOpened(data.draw(text)),
        DecisionOpened("consent", "q", max(1, t), motion=motion),
        DecisionOpened("single", "q", max(1, t), ("a", "b")),
        StanceCast(r, Consent()),
        StanceCast(r, Choice(0)),
        StanceCast(r, OptIn()),
        DecisionClosed(r, Outcome("adopted")),
        DecisionClosed(r, Outcome("decided", (0,), (1, 0), 1)),
        SettingsChanged(r),
        NewcomerProposed(b"\x07" * 32, data.draw(text), max(1, t)),
        Vouched(r),
        AdmissionApproved(r),
        AdmissionObjected(r, "no"),
        ProposalWithdrawn(r),
        MemberSeized(data.draw(leaf)),
        SeizureReviewed(r, data.draw(st.booleans())),
        LeaveAnnounced(),
        Alarm("safety-words-mismatch", data.draw(st.none() | leaf)),
        MemberAdded(data.draw(leaf), "x", b"\x01" * 32, 0, 9),
        MemberRemoved(data.draw(leaf), 0, 9),
        ThreadOpened("general"),
    ]
    return choices[kind]


def rogue_events(ws: Workspace, data: st.DataObject, count: int) -> list[org.EventEnvelope]:
    pool = ids_pool(ws)
    now = ws.now()
    found = []
    for _ in range(count):
        body = bodies(pool, now, data)
        found.append(
            rogue.envelope(
                ws,
                body,
                at=max(0, now + data.draw(offset)),
                event_id=data.draw(st.none() | st.sampled_from(pool or [b"\x09" * 16])),
                n=data.draw(st.integers(0, 10)),
                seen=data.draw(st.integers(0, 2_000)),
                chain=data.draw(st.binary(max_size=32)),
            )
        )
    return found


#: What an honest member may be told when the rogue got there first (a false seizure
#: report silences a device until the cell reviews it: DESIGN's emergency rule).
EXPECTED_REFUSALS = {"member-seized", "vote-twice", "vote-after-close"}


def honest_act(ws: Workspace, data: st.DataObject, said: list[str]) -> None:
    try:
        _honest_act(ws, data, said)
    except Refused as exc:
        assert exc.code in EXPECTED_REFUSALS, exc


def _honest_act(ws: Workspace, data: st.DataObject, said: list[str]) -> None:
    choice = data.draw(st.integers(0, 2))
    if choice == 0:
        words = f"{NAMES[0]}-{len(said)}-{data.draw(st.integers(0, 10**6))}"
        talk.say(ws, CELL, words)
        said.append(words)
    elif choice == 1:
        decisions.open_decision(
            ws, CELL, kind="single", question="where?", deadline=ws.now() + DAY, options=["x", "y"]
        )
    else:
        shown = [d for d in decisions.show(ws, CELL) if d.is_open and d.options == ("x", "y")]
        if shown:
            decisions.vote(ws, CELL, str(shown[0].number), choices=["x"])


@given(data=st.data())
@SETTINGS
def test_a_malicious_member_cannot_subvert_the_cell(fresh_cells, relay, data) -> None:
    a, b, c = form_cell(fresh_cells(), relay.url, settle_relay, n=3)
    honest = (a, c)
    sim = SimRelay(relay.url)
    said: list[str] = []
    for _ in range(data.draw(st.integers(1, 3))):
        for ws in honest:
            honest_act(ws, data, said) if ws is a else honest_act(ws, data, [])
        rogue.send(b, *rogue_events(b, data, data.draw(st.integers(1, 6))))
        start = len(sim.log)
        for ws in (a, b, c):
            sim.collect(ws)
        # the relay's order of this round: any permutation of what was posted
        sim.log[start:] = data.draw(st.permutations(sim.log[start:]))
        sim.settle([a, b, c])
    sim.settle([a, b, c])
    pictures = {str(picture(ws)) for ws in honest}
    assert len(pictures) == 1, "honest members diverged"
    for ws in honest:
        assert [v.cover_name for v in cells.members(ws, CELL)] == list(NAMES[:3])
        base = cells.find_cell(ws, CELL).base
        held = {m.text for m in base.messages.values()}
        if not any(s.leaf == 0 for s in base.seizures.values()):
            assert set(said) <= held
        before = picture(ws)
        ws.forget_cache()
        assert picture(ws) == before
        assert sync.alarms(ws, CELL) is not None


def _junk(ws: Workspace, kind: Kind, epoch: int, data: st.DataObject) -> Any:
    rt = cells.find_cell(ws, CELL)
    payload = data.draw(st.binary(min_size=1, max_size=300))
    epoch = epoch if kind is Kind.COMMIT else 0
    return seal(kind=kind, mailbox=rt.record.mailbox, payload=payload, rng=ws.rng, epoch=epoch)


@given(data=st.data())
@SETTINGS
def test_a_malicious_relay_is_seen_and_the_cell_stays_live(fresh_cells, relay, data) -> None:
    a, b, c = form_cell(fresh_cells(), relay.url, settle_relay, n=3)
    members = (a, b, c)
    sim = SimRelay(relay.url)
    epoch = cells.find_cell(a, CELL).require_group().epoch
    for i in range(data.draw(st.integers(2, 4))):
        talk.say(a, CELL, f"a{i}")
        talk.say(b, CELL, f"b{i}")
    from_a = sim.collect(a)
    for ws in (b, c):
        sim.collect(ws)
    # the relay injects junk: application messages and commits for the current epoch
    for _ in range(data.draw(st.integers(0, 3))):
        kind = data.draw(st.sampled_from([Kind.MESSAGE, Kind.COMMIT]))
        sim.post(_junk(a, kind, epoch, data), a.now())
    entries = list(sim.log)
    # what c is shown: a reordering with duplicates and at most one drop of a's message
    dropped: Posted | None = None
    if data.draw(st.booleans()):
        dropped = data.draw(st.sampled_from(from_a))
    shown_c = [e for e in entries if e is not dropped]
    # equivocation: c is shown another order, numbered as the relay presents it to c
    forked = dropped is None and data.draw(st.booleans())
    if forked:
        order = data.draw(st.permutations(shown_c))
        forked = [e.envelope.id for e in order] != [e.envelope.id for e in shown_c]
        seqs = [e.seq for e in shown_c]
        shown_c = [Posted(seq, e.stamp, e.envelope) for seq, e in zip(seqs, order, strict=True)]
    shown_c += data.draw(st.lists(st.sampled_from(shown_c), max_size=3))  # duplicates
    for ws in (a, b):
        sim.show(ws, entries)
    sim.show(c, shown_c)
    for ws in members:
        sim.read[id(ws)] = len(sim.log)
    # afterwards the relay behaves: an honest message from everyone reaches everyone
    for ws in members:
        talk.say(ws, CELL, f"after {cells.find_cell(ws, CELL).own_leaf}")
    sim.settle(list(members))
    for ws in members:
        texts = {x.text for x in talk.read(ws, CELL)}
        assert {"after 0", "after 1", "after 2"} <= texts
    if dropped is not None:
        codes = {x.code for x in sync.alarms(c, CELL)}
        assert "events-missing" in codes or "log-fork" in codes, codes
    if forked:
        seen_by = [{x.code for x in sync.alarms(ws, CELL)} for ws in members]
        assert any("log-fork" in codes for codes in seen_by), seen_by
