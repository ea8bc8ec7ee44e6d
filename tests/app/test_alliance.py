"""An alliance is a second kind of group run by the same runtime as a cell, through a
real relay: it forms, admits cells (and a cell's alternate) once every member cell
approved, carries messages, and decides by motions counted one vote per cell. The
attacks: a cell voting twice through its two seats, a delegate committing an Add the
alliance never approved, an alliance's event smuggled into a cell and a cell's into an
alliance. None of the alliance's code is a copy of the cell's: its modules import no
cell module, and its runtime is the cell's runtime class with another domain."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import pytest

from hasteh import org
from hasteh.app import Workspace, admission, alliances, cards, cells, frames, join, runtime, sync
from hasteh.app.alliance_domain import ALLIANCE_DOMAIN
from hasteh.app.cell_domain import CELL_DOMAIN
from hasteh.app.errors import Refused
from hasteh.app.records import AddIntent
from hasteh.app.runtime import GroupRuntime
from hasteh.app.write_auth import cell_write_auth
from hasteh.envelope import Kind, WriteAuth, seal
from hasteh.mls.proposals import Add
from hasteh.org import EventEnvelope, EventId, LeafIndex
from hasteh.org.alliance import notes
from hasteh.org.events import AllianceMessage, EditorInbox, KeyIssued, KeyShared, ThreadOpened
from hasteh.org.events.federation import CarriedDown
from hasteh.transport.outbox import stage
from tests.app.helpers import CELL, NAMES, form_cell, settle_relay
from tests.relay.harness import RelayProcess
from tests.test_layers import import_graph

NORTH = "north"
DAY = 86_400


def seats(ws: Workspace) -> dict[int, str]:
    rt = alliances.find_alliance(ws, NORTH)
    return {int(leaf): m.cell for leaf, m in rt.org.members.items()}


def same_epoch_everywhere(members: Sequence[Workspace]) -> None:
    groups = [alliances.find_alliance(ws, NORTH).require_group() for ws in members]
    assert len({g.epoch for g in groups}) == 1
    assert len({g.epoch_authenticator for g in groups}) == 1


def smuggle(ws: Workspace, rt: GroupRuntime[object], body: org.AnyEvent) -> None:
    """A member's hacked client sends `body` to its group as an MLS application message,
    skipping every check (what it cannot forge is its own leaf)."""
    group = rt.require_group()
    env = EventEnvelope(org.VERSION, EventId(ws.rng(16)), LeafIndex(rt.own_leaf), ws.now(), body)

    def auth(relay: str) -> WriteAuth:
        return cell_write_auth(rt.record, group, relay)

    def run(conn: object) -> None:
        wire = group.protect(frames.event_frame(org.encode(env)), rng=ws.rng)
        sealed = seal(kind=Kind.MESSAGE, mailbox=rt.record.mailbox, payload=wire, rng=ws.rng)
        stage(conn, sealed, rt.record.relays, now=ws.clock(), auth=auth)  # type: ignore[arg-type]
        rt.group_dirty = True

    runtime.write(ws, rt, run)


def form_alliance(
    make_ws: Callable[[str], Workspace], relay_url: str
) -> tuple[Workspace, Workspace, Workspace]:
    """cell-a forms; cell-b joins (only cell-a must approve: its proposal is enough);
    cell-c joins once cell-a and cell-b both approved."""
    a, b, c = make_ws("delegate-a"), make_ws("delegate-b"), make_ws("delegate-c")
    alliances.form(a, NORTH, cell="cell-a", relays=[relay_url])
    alliances.propose_cell(a, NORTH, cards.create_card(b, "cell-b", relays=[relay_url]))
    settle_relay([a, b])
    assert seats(a) == seats(b) == {0: "cell-a", 1: "cell-b"}
    alliances.propose_cell(b, NORTH, cards.create_card(c, "cell-c", relays=[relay_url]))
    settle_relay([a, b])
    assert len(alliances.find_alliance(a, NORTH).org.proposals) == 1
    assert seats(a) == {0: "cell-a", 1: "cell-b"}  # cell-a has not approved yet
    alliances.approve_cell(a, NORTH, "cell-c")
    settle_relay([a, b, c])
    settle_relay([a, b, c])
    for ws in (a, b, c):
        assert seats(ws) == {0: "cell-a", 1: "cell-b", 2: "cell-c"}
        assert not alliances.find_alliance(ws, NORTH).org.alarms
    same_epoch_everywhere([a, b, c])
    return a, b, c


def test_an_alliance_forms_talks_and_decides_one_vote_per_cell(
    make_ws: Callable[[str], Workspace], relay: RelayProcess
) -> None:
    a, b, c = form_alliance(make_ws, relay.url)
    # cell-b's alternate: a second seat under the same pseudonym, approved by every cell.
    b2 = make_ws("alternate-b")
    alliances.propose_cell(b, NORTH, cards.create_card(b2, "cell-b", relays=[relay.url]))
    settle_relay([a, b, c])
    alliances.approve_cell(a, NORTH, "cell-b")
    alliances.approve_cell(c, NORTH, "cell-b")
    members = [a, b, c, b2]
    settle_relay(members)
    settle_relay(members)
    for ws in members:
        assert seats(ws) == {0: "cell-a", 1: "cell-b", 2: "cell-c", 3: "cell-b"}
    same_epoch_everywhere(members)

    alliances.say(c, NORTH, "Our shop stops on Monday.")
    settle_relay(members)
    for ws in members:
        said = notes(alliances.find_alliance(ws, NORTH).org)
        assert [(n.cell, n.text) for n in said] == [("cell-c", "Our shop stops on Monday.")]

    motion = alliances.open_motion(a, NORTH, "A joint strike on Monday?", a.now() + DAY)
    settle_relay(members)
    alliances.vote(b, NORTH, motion, agree=True)
    settle_relay(members)
    with pytest.raises(Refused) as err:  # cell-b has voted, through its other seat
        alliances.vote(b2, NORTH, motion, agree=False)
    assert err.value.code == "vote-twice"
    alliances.vote(c, NORTH, motion, agree=False)
    alliances.vote(a, NORTH, motion, agree=True)
    settle_relay(members)  # every cell voted: the lowest seat (cell-a) closes it
    settle_relay(members)
    outcomes = {alliances.find_alliance(ws, NORTH).org.motions[motion].outcome for ws in members}
    assert outcomes == {org.events.MotionOutcome(True, 2, 1)}
    # An alliance is no cell: the cell commands do not see it.
    assert cells.list_cells(a) == []


def test_an_add_the_alliance_never_approved_raises_an_alarm_everywhere(
    make_ws: Callable[[str], Workspace],
    relay: RelayProcess,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b, c = form_alliance(make_ws, relay.url)
    outsider = make_ws("outsider")
    card = cards.read_card(cards.create_card(outsider, "cell-x", relays=[relay.url]), now=None)
    rt = alliances.find_alliance(c, NORTH)
    # cell-c's client skips the policy check every honest client makes.
    with monkeypatch.context() as patched:
        lax = dataclasses.replace(rt.domain, authorize=lambda change, state: None)
        patched.setattr(rt, "domain", lax)
        runtime.write(
            c,
            rt,
            lambda conn: runtime.stage_commit(
                c, rt, conn, AddIntent(cards.card_bytes(card)), [Add(card.key_package)]
            ),
        )
    settle_relay([a, b, c, outsider])
    for ws in (a, b):
        alarms = alliances.find_alliance(ws, NORTH).org.alarms
        assert [(x.code, x.by_cover_name, x.subject_cover_name) for x in alarms] == [
            ("no-proposal", "cell-c", "cell-x")
        ]
        assert not alliances.find_alliance(ws, NORTH).org.members[LeafIndex(3)].authorized


def test_events_of_one_kind_smuggled_into_another_are_dropped(
    make_ws: Callable[[str], Workspace], relay: RelayProcess
) -> None:
    members = form_cell(make_ws, relay.url, settle_relay, n=2)
    a, b = members
    alliances.form(a, NORTH, cell="cell-a", relays=[relay.url])
    delegate = make_ws("delegate-b")
    alliances.propose_cell(a, NORTH, cards.create_card(delegate, "cell-b", relays=[relay.url]))
    settle_relay([a, b, delegate])
    cell_before = cells.find_cell(a, CELL).org
    alliance_before = alliances.find_alliance(a, NORTH).org
    smuggle(b, cells.find_cell(b, CELL), AllianceMessage("a delegate's word in a cell"))
    smuggle(delegate, alliances.find_alliance(delegate, NORTH), ThreadOpened("a cell's thread"))
    dropped_before = {
        "cell": cells.find_cell(a, CELL).dropped,
        "alliance": alliances.find_alliance(a, NORTH).dropped,
    }
    assert dropped_before == {"cell": 0, "alliance": 0}
    sync.sync(b)
    sync.sync(delegate)
    report = sync.sync(a)
    assert report.received == 2 and report.dropped == 2
    assert cells.find_cell(a, CELL).org == cell_before
    assert alliances.find_alliance(a, NORTH).org == alliance_before
    assert [v.cover_name for v in cells.members(a, CELL)] == list(NAMES[:2])


def test_the_alliance_reuses_the_runtime_and_copies_no_cell_code() -> None:
    """The alliance's app and org modules import nothing of the cell's rules; both kinds
    run on one runtime class, one log machinery, one join and one sync."""
    cell_modules = {
        "hasteh.app.cells",
        "hasteh.app.cell_domain",
        "hasteh.app.admission",
        "hasteh.app.decisions",
        "hasteh.app.talk",
        "hasteh.app.removal",
        "hasteh.org.fold",
        "hasteh.org.membership",
        "hasteh.org.talk",
        "hasteh.org.decisions",
        "hasteh.org.tally",
        "hasteh.org.policy",
    }
    graph = import_graph()
    for module in ("hasteh.app.alliances", "hasteh.app.alliance_domain", "hasteh.org.alliance"):
        assert graph[module] & cell_modules <= {"hasteh.org.policy"}, module
    # The facts of every group's commits, the report-back a delegate carries down from
    # an alliance into its cell (one row, `org/reports.py`, serves both tables), and a
    # bulletin key's events (one set of rules, `org/keychain.py`, for both kinds).
    assert CELL_DOMAIN.log.rows.keys() & ALLIANCE_DOMAIN.log.rows.keys() == {
        org.MemberAdded,
        org.MemberRemoved,
        CarriedDown,
        EditorInbox,
        KeyIssued,
        KeyShared,
    }
    # the key's rules are shared, not copied: neither kind's module holds them
    assert "hasteh.org.keychain" in graph["hasteh.org.alliance"]
    assert "hasteh.org.keychain" in graph["hasteh.org.bulletin"]


@pytest.mark.parametrize(
    ("kind", "reason"), [("alliance", "not-in-this-group"), ("council", "history")]
)
def test_a_history_claiming_another_kind_is_refused(
    kind: str,
    reason: str,
    make_ws: Callable[[str], Workspace],
    relay: RelayProcess,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A committer hands a newcomer a cell's log labelled as another kind of group (to
    have it judged by laxer rules, or by none): the newcomer checks it by the kind it
    names, refuses it, and records why; it joins nothing."""
    founder = make_ws("sepideh")
    cells.create_cell(founder, CELL, cover_name="sepideh", relays=[relay.url])
    newcomer = make_ws("reza")
    admission.propose(founder, CELL, cards.create_card(newcomer, "reza", relays=[relay.url]))
    real = frames.History

    def relabelled(*args: object, **kwargs: object) -> frames.History:
        return real(*args, **{**kwargs, "kind": kind})  # type: ignore[arg-type]

    with monkeypatch.context() as patched:
        patched.setattr(frames, "History", relabelled)
        settle_relay([founder])  # the founder commits the Add and hands over the log
    report = sync.sync(newcomer)
    assert report.joined == [] and cells.list_cells(newcomer) == []
    assert alliances.all_alliances(newcomer) == []
    waiting = join.waiting_invitations(newcomer)
    assert len(waiting) == 1 and waiting[0].refused == 1
    assert waiting[0].refused_reason == reason
