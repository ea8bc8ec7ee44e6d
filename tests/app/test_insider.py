"""An informer inside the cell, tried as an attacker would (issue: insider). Each test is
a rogue member's client (tests/app/rogue.py) sending what it likes through the real
relay; the honest members must not be moved by it, and every profile must still load."""

from __future__ import annotations

import dataclasses

import pytest

from hasteh import org
from hasteh.app import Workspace, admission, cards, cells, decisions, runtime, sync, talk
from hasteh.app.records import RemoveIntent, UpdateIntent
from hasteh.app.runtime import CLOCK_SKEW
from hasteh.envelope import Kind
from hasteh.mls import treekem
from hasteh.mls.credential import BasicCredential
from hasteh.org import (
    Consent,
    DecisionClosed,
    DecisionOpened,
    MessageDeleted,
    MessagePosted,
    Outcome,
    RemoveMember,
    StanceCast,
)
from tests.app import rogue
from tests.app.helpers import CELL, NAMES, assert_same_words, form_cell, settle_relay

DAY = 86_400


def members_of(ws: Workspace) -> list[str]:
    return [v.cover_name for v in cells.members(ws, CELL)]


def state(ws: Workspace) -> org.OrgState:
    return cells.find_cell(ws, CELL).org


def reopen(ws: Workspace) -> None:
    """Drop every cache: the next read loads the cell from the vault, as after a restart."""
    ws.forget_cache()
    assert cells.list_cells(ws)


def test_a_backdated_removal_is_refused(make_ws, relay) -> None:
    """(a) Open "remove X" with a deadline already past, consent with a backdated stance,
    close it: nothing of it counts, X stays."""
    a, b, c = form_cell(make_ws, relay.url, settle_relay, n=3)
    now = b.now()
    opened = rogue.envelope(
        b,
        DecisionOpened("consent", "remove maryam?", now - DAY, motion=RemoveMember(2, NAMES[2])),
        at=now - 2 * DAY,
    )
    stance = rogue.envelope(b, StanceCast(opened.event_id, Consent()), at=now - 2 * DAY + 1)
    close = rogue.envelope(
        b, DecisionClosed(opened.event_id, Outcome("adopted", (), (1, 0), 1)), at=now - DAY
    )
    soon = rogue.envelope(
        b,
        DecisionOpened("consent", "remove maryam now?", now + 5, motion=RemoveMember(2, NAMES[2])),
    )
    rogue.send(b, opened, stance, close, soon)
    settle_relay([a, b, c])
    for m in (a, c):
        assert members_of(m) == list(NAMES[:3])
        assert not state(m).decisions  # both openings refused: past deadline, too soon
    assert_same_words([a, b, c])


def test_b_a_close_dated_at_the_deadline_is_refused(make_ws, relay) -> None:
    a, b, c = form_cell(make_ws, relay.url, settle_relay, n=3)
    opened = decisions.open_decision(
        a, CELL, kind="single", question="where?", deadline=a.now() + 3 * DAY, options=["x", "y"]
    )
    settle_relay([a, b, c])
    decision = next(iter(state(a).decisions.values()))
    early = rogue.envelope(
        b,
        DecisionClosed(decision.decision_id, org.compute_outcome(decision)),
        at=decision.deadline,
    )
    rogue.send(b, early)
    settle_relay([a, b, c])
    for m in (a, b, c):
        shown = next(s for s in decisions.show(m, CELL) if s.number == opened.number)
        assert shown.is_open


def test_c_a_message_dated_years_ahead_does_not_outlive_the_cells_rule(make_ws, relay, clock):
    a, b, c = form_cell(make_ws, relay.url, settle_relay, n=3)
    thread = next(iter(state(b).threads))
    ahead = b.now() + 3 * 365 * DAY
    rogue.send(b, rogue.envelope(b, MessagePosted(thread, "forever", ahead + 14 * DAY), at=ahead))
    settle_relay([a, b, c])
    limit = a.now() + CLOCK_SKEW + state(a).settings.message_expiry
    for m in (a, c):
        held = [x for x in state(m).messages.values() if x.text == "forever"]
        assert len(held) == 1
        assert held[0].at <= m.now() + CLOCK_SKEW
        assert held[0].expires_at <= limit
    clock.advance(state(a).settings.message_expiry + CLOCK_SKEW + 1)
    for m in (a, c):
        sync.sweep(m)
        assert "forever" not in {x.text for x in talk.read(m, CELL)}


def test_a_member_deletes_only_its_own_message(make_ws, relay) -> None:
    a, b, c = form_cell(make_ws, relay.url, settle_relay, n=3)
    talk.say(a, CELL, "a's words")
    decisions.open_decision(
        a, CELL, kind="single", question="where?", deadline=a.now() + DAY, options=["x", "y"]
    )
    settle_relay([a, b, c])
    decisions.vote(c, CELL, "1", choices=["x"])
    settle_relay([a, b, c])
    held = state(a)
    message_id = next(m.message_id for m in held.messages.values() if m.text == "a's words")
    decision_id = next(iter(held.decisions))
    stance_id = next(iter(held.decisions[decision_id].stance_events))
    targets = (message_id, decision_id, stance_id, b"\x00" * 16)
    rogue.send(b, *(rogue.envelope(b, MessageDeleted(t)) for t in targets))
    settle_relay([a, b, c])
    for m in (a, b, c):
        reopen(m)
        after = state(m)
        assert "a's words" in {x.text for x in after.messages.values()}
        assert after.decisions[decision_id].voted == 1
    # Her own message, she may delete: the tombstone keeps her as its author.
    mine = talk.say(b, CELL, "b's words")
    assert mine.text == "b's words"
    settle_relay([a, b, c])
    own = next(m.message_id for m in state(a).messages.values() if m.text == "b's words")
    rogue.send(b, rogue.envelope(b, MessageDeleted(own)))
    settle_relay([a, b, c])
    for m in (a, c):
        assert "b's words" not in {x.text for x in state(m).messages.values()}
        assert "a's words" in {x.text for x in state(m).messages.values()}


def test_event_ids_are_unique_in_a_cell(make_ws, relay) -> None:
    a, b, c = form_cell(make_ws, relay.url, settle_relay, n=3)
    decisions.open_decision(
        a, CELL, kind="single", question="where?", deadline=a.now() + DAY, options=["x", "y"]
    )
    settle_relay([a, b, c])
    decision_id = next(iter(state(a).decisions))
    thread = next(iter(state(b).threads))
    clash = rogue.envelope(b, MessagePosted(thread, "same id", b.now() + DAY), event_id=decision_id)
    rogue.send(b, clash)
    settle_relay([a, b, c])
    for m in (a, c):
        reopen(m)
        assert decision_id in state(m).decisions
        assert "same id" not in {x.text for x in state(m).messages.values()}


def test_a_damaged_row_or_record_does_not_stop_the_profile(make_ws, relay) -> None:
    a, b = form_cell(make_ws, relay.url, settle_relay, n=2)
    cells.create_cell(a, "second", cover_name="sepideh", relays=[relay.url])
    talk.say(a, CELL, "hello")
    settle_relay([a, b])
    first = cells.find_cell(a, CELL).group_id
    second = cells.find_cell(a, "second").group_id

    def damage(conn) -> None:  # type: ignore[no-untyped-def]
        conn.execute(
            "UPDATE events SET body = ? WHERE group_id = ? AND kind = 'talk.message'",
            (b"\xc1\xff junk", first),
        )
        conn.execute(
            "UPDATE settings SET value = ? WHERE key = ?",
            (b"\xc1 not a record", "app.cell." + second.hex()),
        )

    a.vault.write(damage)
    reopen(a)
    listed = {s.name: s for s in cells.list_cells(a)}
    assert CELL in listed and listed[CELL].alarms == 1
    assert "(a cell that could not be opened)" in listed
    codes = [x.code for x in sync.alarms(a, CELL)]
    assert codes == ["unreadable-events"]
    talk.say(a, CELL, "still working")
    settle_relay([a, b])
    assert "still working" in {x.text for x in talk.read(b, CELL)}
    # The damaged record was not overwritten by the stand-in.
    raw = a.vault.read(
        lambda conn: conn.execute(
            "SELECT value FROM settings WHERE key = ?", ("app.cell." + second.hex(),)
        ).fetchone()[0]
    )
    assert bytes(raw) == b"\xc1 not a record"


def test_withheld_messages_show_as_a_gap(make_ws, relay) -> None:
    from hasteh.vault import outbox as voutbox

    a, b = form_cell(make_ws, relay.url, settle_relay, n=2)
    talk.say(a, CELL, "one")
    settle_relay([a, b])
    talk.say(a, CELL, "two")

    def withhold(conn) -> None:  # type: ignore[no-untyped-def]
        for item in voutbox.items(conn):
            voutbox.remove(conn, item.id)

    a.vault.write(withhold)  # as if the relay never passed it on
    talk.say(a, CELL, "three")
    settle_relay([a, b])
    assert [x.text for x in talk.read(b, CELL)][-2:] == ["one", "three"]
    gaps = [x for x in sync.alarms(b, CELL) if x.code == "events-missing"]
    assert len(gaps) == 1 and gaps[0].subject_cover_name == NAMES[0]
    assert "1 message(s) from sepideh never arrived" in gaps[0].text
    assert not [x for x in sync.alarms(a, CELL) if x.code == "events-missing"]


def test_a_member_cannot_take_another_members_name(
    make_ws, relay, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An UpdatePath whose new leaf carries another member's cover name (same signature
    key) is refused by every other member's client, with a notice."""
    a, b, c = form_cell(make_ws, relay.url, settle_relay, n=3)
    before = cells.find_cell(a, CELL).require_group().epoch
    real = treekem.create_update_path

    def impersonate(tree, leaf, template, *args, **kwargs):  # type: ignore[no-untyped-def]
        # `replace` drops the kept encoding (an init=False field): the forged leaf is
        # encoded afresh, as a modified client would.
        forged = dataclasses.replace(template, credential=BasicCredential(NAMES[0].encode()))
        return real(tree, leaf, forged, *args, **kwargs)

    rt = cells.find_cell(c, CELL)
    with monkeypatch.context() as patched:
        patched.setattr(treekem, "create_update_path", impersonate)
        lax = dataclasses.replace(rt.domain, authorize=lambda change, state: None)
        patched.setattr(rt, "domain", lax)
        runtime.write(c, rt, lambda conn: runtime.stage_commit(c, rt, conn, UpdateIntent(), []))
    settle_relay([a, b, c])
    for m in (a, b):
        # refused: the honest members stay together, at most one key update further
        assert cells.find_cell(m, CELL).require_group().epoch in (before, before + 1)
        assert members_of(m) == list(NAMES[:3])
        assert "rogue-commit" in {x.code for x in sync.alarms(m, CELL)}
    assert_same_words([a, b])
    talk.say(a, CELL, "we carry on")
    settle_relay([a, b, c])
    assert "we carry on" in {x.text for x in talk.read(b, CELL)}
    assert_same_words([a, b])


def test_a_proposal_is_never_stuck(make_ws, relay) -> None:
    """In a cell of two, the other member approving before vouching used to leave the
    proposal stuck for ever; she can still vouch. The proposer can withdraw and propose
    the same card again."""
    a, b = form_cell(make_ws, relay.url, settle_relay, n=2)
    newcomer = make_ws("newcomer")
    code = cards.create_card(newcomer, "nima", relays=[relay.url])
    shown = admission.propose(a, CELL, code)
    assert "must vouch" in shown.needs
    settle_relay([a, b])
    admission.approve(b, CELL, "nima")
    settle_relay([a, b])
    view = admission.pending(a, CELL)[0]
    assert view.status == "waiting" and "must vouch" in view.needs
    admission.withdraw(a, CELL, "nima")
    settle_relay([a, b])
    assert admission.pending(b, CELL) == []
    admission.propose(a, CELL, code)
    settle_relay([a, b])
    admission.approve(b, CELL, "nima")
    admission.vouch(b, CELL, "nima")
    settle_relay([a, b, newcomer])
    settle_relay([a, b, newcomer])
    assert members_of(b) == [NAMES[0], NAMES[1], "nima"]


def test_own_events_enter_the_log_where_the_relay_put_them(make_ws, relay) -> None:
    """The sender shows its message at once, and stores it in the log only once it is
    back from the relay, at the relay's place: every member's log holds the same order."""
    a, b = form_cell(make_ws, relay.url, settle_relay, n=2)
    talk.say(a, CELL, "from a")
    talk.say(b, CELL, "from b")
    assert "from a" in {x.text for x in talk.read(a, CELL)}  # shown before any sync
    assert cells.find_cell(a, CELL).record.own_pending
    settle_relay([a, b])
    assert not cells.find_cell(a, CELL).record.own_pending
    orders = []
    for m in (a, b):
        reopen(m)
        orders.append([x.text for x in talk.read(m, CELL)])
    assert orders[0] == orders[1]


def test_a_relay_showing_two_orders_is_caught(make_ws, relay) -> None:
    """Equivocation: the relay shows sepideh and reza one order and maryam another. The
    next message of either side carries a hash of what its author had read; the other
    side's hash differs and it is told (`log-fork`)."""
    from tests.app.simrelay import Posted, SimRelay

    a, b, c = form_cell(make_ws, relay.url, settle_relay, n=3)
    sim = SimRelay(relay.url)
    talk.say(a, CELL, "first")
    talk.say(b, CELL, "second")
    for ws in (a, b, c):
        sim.collect(ws)
    honest = list(sim.log)
    swapped = [
        Posted(honest[i].seq, honest[j].stamp, honest[j].envelope) for i, j in ((0, 1), (1, 0))
    ]
    sim.show(a, honest)
    sim.show(b, honest)
    sim.show(c, swapped)
    for ws in (a, b, c):
        sim.read[id(ws)] = len(sim.log)
    talk.say(a, CELL, "third")
    sim.settle([a, b, c])
    assert "log-fork" in {x.code for x in sync.alarms(c, CELL)}
    talk.say(c, CELL, "from the other side")
    sim.settle([a, b, c])
    assert "log-fork" in {x.code for x in sync.alarms(a, CELL)}


def test_a_junk_commit_does_not_freeze_membership(make_ws, relay) -> None:
    """The police hold maryam's seized phone and post junk as a commit for the current
    epoch, retiring every write key at the relay. The junk is skipped (a notice), the cell
    recovers with a key update, the seizure's Remove goes through, and nothing honest is
    lost: a message sent in between is sent again under the new key."""
    from hasteh.app import removal

    a, b, c = form_cell(make_ws, relay.url, settle_relay, n=3)
    epoch = cells.find_cell(c, CELL).require_group().epoch
    rogue.send_raw(c, c.rng(400), kind=Kind.COMMIT, epoch=epoch, retire=True)
    settle_relay([c])
    talk.say(b, CELL, "sent while the junk was there")
    removal.seized(a, CELL, NAMES[2], note="taken at the checkpoint")
    settle_relay([a, b])
    settle_relay([a, b])
    for m in (a, b):
        assert members_of(m) == list(NAMES[:2])
        assert "junk-commit" in {x.code for x in sync.alarms(m, CELL)}
        assert "sent while the junk was there" in {x.text for x in talk.read(m, CELL)}
    assert_same_words([a, b])
    settle_relay([c])
    assert not cells.find_cell(c, CELL).active


def test_a_removed_device_cannot_keep_a_key_of_its_own(make_ws, relay) -> None:
    """maryam's seized phone, already removed, still holds the removal epoch's key and
    posts a commit for that epoch registering a key of its own for the next one. The
    members see a commit for the epoch that removed someone and renew the cell's keys,
    retiring that key: the phone can post nothing with it."""
    from hasteh.app import removal
    from hasteh.envelope import WriteAuth, seal
    from hasteh.transport.errors import RelayRefused
    from hasteh.transport.relay_client import RelayClient

    a, b, c = form_cell(make_ws, relay.url, settle_relay, n=3)
    phone = cells.find_cell(c, CELL)
    epoch, mailbox = phone.require_group().epoch, phone.record.mailbox
    removal.seized(a, CELL, NAMES[2])
    settle_relay([a, b])
    own_key = c.rng(32)
    rogue.send_raw(c, c.rng(300), kind=Kind.COMMIT, epoch=epoch, next_key=own_key)
    sync.sync(c)  # the phone delivers it (and learns it was removed)
    settle_relay([a, b])
    settle_relay([a, b])
    for m in (a, b):
        assert "removed-device-commit" in {x.code for x in sync.alarms(m, CELL)}
        assert members_of(m) == list(NAMES[:2])
    junk = seal(kind=Kind.MESSAGE, mailbox=mailbox, payload=b"junk", rng=c.rng)
    with RelayClient(relay.url) as client, pytest.raises(RelayRefused) as refused:
        client.post(junk.to_bytes(), WriteAuth(own_key))
    assert refused.value.error == "not_allowed"
    talk.say(a, CELL, "still ours")
    settle_relay([a, b])
    assert "still ours" in {x.text for x in talk.read(b, CELL)}


def test_a_removal_without_the_cells_decision_does_not_push_a_member_out(
    make_ws, relay, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A removed member cannot check a commit's path secrets, so an informer could send her
    alone a forged "removal". She leaves only on a removal her log authorizes: here she
    stays, and is told who tried; the others see the rogue commit as an alarm too."""
    from hasteh.mls.proposals import Remove
    from hasteh.mls.tree_math import LeafIndex as MLSLeaf

    a, b, c = form_cell(make_ws, relay.url, settle_relay, n=3)
    rt = cells.find_cell(c, CELL)
    with monkeypatch.context() as patched:
        lax = dataclasses.replace(rt.domain, authorize=lambda change, state: None)
        patched.setattr(rt, "domain", lax)
        runtime.write(
            c,
            rt,
            lambda conn: runtime.stage_commit(
                c, rt, conn, RemoveIntent(0, NAMES[0]), [Remove(MLSLeaf(0))]
            ),
        )
    settle_relay([a, b, c])
    assert cells.find_cell(a, CELL).active
    told = [x for x in sync.alarms(a, CELL) if x.code == "unauthorized-removal"]
    assert told and told[0].subject_cover_name == NAMES[2]
    assert "no-decision" in {x.code for x in sync.alarms(b, CELL)}
