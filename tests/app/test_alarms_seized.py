"""Proof 3: a rogue client's Add without a decision raises the alarm on every other
member. Proof 4: `seized` cuts the seized profile off at once; the others rotate their
keys and continue."""

from __future__ import annotations

import dataclasses

import pytest

from hasteh.app import cards, cells, removal, runtime, sync, talk
from hasteh.app.cards import card_bytes, read_card
from hasteh.app.records import AddIntent
from hasteh.mls.proposals import Add
from tests.app.helpers import CELL, NAMES, assert_same_words, form_cell, settle_relay


def test_rogue_add_without_decision_alarms_every_member(
    make_ws, relay, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = form_cell(make_ws, relay.url, settle_relay, n=3)
    rogue = members[2]
    stranger = make_ws("stranger")
    code = cards.create_card(stranger, "informer", relays=[relay.url])
    card = read_card(code, now=rogue.now())
    rt = cells.find_cell(rogue, CELL)
    # The rogue's client skips the policy check that every honest client makes.
    with monkeypatch.context() as patched:
        lax = dataclasses.replace(rt.domain, authorize=lambda change, state: None)
        patched.setattr(rt, "domain", lax)
        runtime.write(
            rogue,
            rt,
            lambda conn: runtime.stage_commit(
                rogue, rt, conn, AddIntent(card_bytes(card)), [Add(card.key_package)]
            ),
        )
    settle_relay([*members, stranger])
    for m in members[:2]:
        found = sync.alarms(m, CELL)
        assert len(found) == 1, found
        alarm = found[0]
        assert alarm.code == "no-proposal"
        assert alarm.by_cover_name == NAMES[2]
        assert alarm.subject_cover_name == "informer"
        assert alarm.text == "maryam added informer to the cell without an approved proposal."
        flagged = {v.cover_name: v.authorized for v in cells.members(m, CELL)}
        assert flagged["informer"] is False
    assert_same_words(members)


def test_seized_member_is_cut_off_and_the_others_continue(make_ws, relay) -> None:
    members = form_cell(make_ws, relay.url, settle_relay, n=4)
    a, b, c, d = members
    before = cells.find_cell(a, CELL).require_group().epoch
    removal.seized(a, CELL, NAMES[3], note="taken at the checkpoint")
    # Cut off at once: the Remove is accepted by the relay before anyone else acts.
    assert [v.cover_name for v in cells.members(a, CELL)] == list(NAMES[:3])
    assert cells.find_cell(a, CELL).require_group().epoch == before + 1
    settle_relay([a, b, c, d])
    remaining = [a, b, c]
    # Every other member rotated its keys (one self-update each).
    assert cells.find_cell(a, CELL).require_group().epoch == before + 3
    assert_same_words(remaining)
    talk.say(b, CELL, "we go on without kaveh")
    settle_relay(members)
    for m in remaining:
        assert "we go on without kaveh" in {v.text for v in talk.read(m, CELL)}
        seizures = removal.seizures(m, CELL)
        assert len(seizures) == 1 and seizures[0].removed and seizures[0].upheld is None
        assert not sync.alarms(m, CELL)
    assert not cells.find_cell(d, CELL).active
    assert "we go on without kaveh" not in {v.text for v in talk.read(d, CELL)}
    # The cell reviews the seizure afterwards.
    removal.review_seizure(b, CELL, NAMES[3], upheld=True)
    settle_relay(remaining)
    assert all(removal.seizures(m, CELL)[0].upheld for m in remaining)


def test_forged_membership_events_and_proposals_are_ignored(make_ws, relay) -> None:
    """Membership facts come only from commits: a member who sends `MemberRemoved` as a
    message, or an MLS Remove proposal, changes nothing for the others."""
    from hasteh import org
    from hasteh.app import frames
    from hasteh.app.write_auth import cell_write_auth
    from hasteh.envelope import Kind, seal
    from hasteh.mls.tree_math import LeafIndex
    from hasteh.transport.outbox import stage

    a, b, c = form_cell(make_ws, relay.url, settle_relay, n=3)
    rt = cells.find_cell(c, CELL)
    group = rt.require_group()
    forged = runtime.new_envelope(
        c, rt, org.MemberRemoved(org.LeafIndex(0), org.LeafIndex(2), group.epoch + 1)
    )
    wire = group.protect(frames.event_frame(org.encode(forged)), rng=c.rng)
    _state, proposal = group.propose_remove(LeafIndex(1), rng=c.rng)

    def post(conn: object) -> None:
        for payload in (wire, proposal):
            env = seal(kind=Kind.MESSAGE, mailbox=rt.record.mailbox, payload=payload, rng=c.rng)
            stage(
                conn,
                env,
                rt.record.relays,
                now=c.clock(),
                auth=lambda r: cell_write_auth(rt.record, group, r),
            )
        rt.group_dirty = True

    runtime.write(c, rt, post)
    settle_relay([a, b, c])
    for m in (a, b):
        assert [v.cover_name for v in cells.members(m, CELL)] == list(NAMES[:3])
        assert not sync.alarms(m, CELL)
    talk.say(b, CELL, "still sending")  # the ignored proposal does not block sending
    settle_relay([a, b, c])
    assert "still sending" in {x.text for x in talk.read(a, CELL)}
    assert_same_words([a, b, c])
