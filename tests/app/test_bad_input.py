"""Proof 7: bad input everywhere gives a precise message, and nothing changes."""

from __future__ import annotations

import base64
import hashlib

import msgspec
import pytest

from hasteh.app import Workspace, admission, cards, cells, decisions, runtime, talk
from hasteh.app.errors import (
    BadInput,
    CardError,
    GroupError,
    Refused,
    UnknownCell,
    UnknownDecision,
    UnknownMember,
    mls_errors,
)
from hasteh.cli.next_steps import next_step as cli_step
from hasteh.jalali import TimeInputError
from hasteh.mls.errors import InvalidMessage
from hasteh.vault import events, outbox
from tests.app.helpers import CELL, form_cell, settle_relay


def snapshot(ws: Workspace) -> tuple[object, ...]:
    rt = cells.find_cell(ws, CELL)
    group = rt.require_group()
    stored = ws.vault.read(lambda conn: (events.count(conn), outbox.counts(conn)))
    return (*stored, group.epoch, group.epoch_authenticator, rt.org)


@pytest.fixture
def pair(make_ws, relay) -> list[Workspace]:
    return form_cell(make_ws, relay.url, settle_relay, n=2)


def test_unknown_cell_member_decision(pair) -> None:
    a, _b = pair
    before = snapshot(a)
    with pytest.raises(UnknownCell) as err:
        talk.say(a, "no such cell", "hi")
    assert str(err.value) == "There is no such cell in this profile."
    assert err.value.code == "unknown-cell"
    assert cli_step(err.value) == "See your cells with `hasteh cell list`."
    with pytest.raises(UnknownCell):
        cells.members(a, "nope")
    with pytest.raises(UnknownMember):
        admission.vouch(a, CELL, "nobody")
    with pytest.raises(UnknownDecision):
        decisions.vote(a, CELL, "9", position="agree")
    assert snapshot(a) == before


def _code(payload: bytes) -> str:
    check = hashlib.sha256(b"hasteh/card/v1\x00" + payload).digest()[:4]
    return "HC1:" + base64.b32encode(payload + check).decode().rstrip("=")


def test_malformed_and_expired_cards(pair, make_ws, relay, clock) -> None:
    a, _b = pair
    newcomer = make_ws("newcomer")
    good = cards.create_card(newcomer, "reza2", relays=[relay.url], days=1)
    before = snapshot(a)
    cases = {
        "hello": "not-a-card",
        "HC1:abc!def": "bad-characters",
        good[:-3] + ("A" if good[-3] != "A" else "B") + good[-2:]: "checksum",
        good[: len(good) // 2]: "checksum",
        _code(b"\x93\x01\x02\x03"): "malformed",
        _code(msgspec.msgpack.encode([3, b"", b"", [], 0])): "unsupported-version",
        # A version 1 card carried the pickup mailbox id, not its claim.
        _code(msgspec.msgpack.encode([1, b"", b"", [], 0])): "unsupported-version",
        "x" * 20_000: "too-large",
    }
    for code, reason in cases.items():
        with pytest.raises(CardError) as err:
            admission.propose(a, CELL, code)
        assert err.value.reason == reason, (code[:20], err.value.reason)
        assert str(err.value)
    # Case, spaces and line breaks are forgiven.
    spaced = " ".join(good[i : i + 40] for i in range(0, len(good), 40)).lower()
    assert cards.read_card(spaced, now=a.now()).cover_name == "reza2"
    clock.advance(2 * 86_400)
    with pytest.raises(CardError) as expired:
        admission.propose(a, CELL, good)
    assert expired.value.reason == "expired"
    assert str(expired.value) == "The invitation card has expired."
    assert "new card" in cli_step(expired.value)
    assert snapshot(a) == before


def test_stale_epoch(pair) -> None:
    a, b = pair
    rt = cells.find_cell(a, CELL)
    old_group = rt.require_group()
    # A commit made on the current epoch, then the cell moves on without it.
    staged = old_group.commit([], by_reference=[], force_path=True, rng=a.rng)
    talk.say(b, CELL, "moving on")
    settle_relay(pair)
    before = snapshot(a)
    a.vault.write(lambda conn: runtime.process_wire(a, rt, conn, staged.commit))
    with pytest.raises(GroupError) as err:
        with mls_errors():
            raise InvalidMessage("wrong-epoch", "message epoch 1, ours 2")
    assert err.value.reason == "wrong-epoch"
    assert "stale epoch" in str(err.value)
    # Replaying an old epoch's message changes nothing.
    assert snapshot(a)[:4] == before[:4]


def test_deadlines_and_votes(pair, clock) -> None:
    a, b = pair
    before = snapshot(a)
    with pytest.raises(BadInput) as past:
        decisions.open_decision(a, CELL, kind="consent", question="?", deadline=a.now() - 10)
    assert past.value.reason == "deadline-in-past"
    assert str(past.value) == "The deadline is already past. Choose a later deadline."
    with pytest.raises(TimeInputError) as bad:
        decisions.parse_deadline("next tuesday", a.now())
    assert bad.value.reason == "not-a-date"
    assert decisions.parse_deadline("+۲d", 1000) == 1000 + 2 * 86_400
    with pytest.raises(BadInput):
        decisions.open_decision(a, CELL, kind="single", question="?", deadline=a.now() + 60)
    assert snapshot(a) == before

    opened = decisions.open_decision(
        a, CELL, kind="single", question="where?", deadline=a.now() + 3600, options=["x", "y"]
    )
    settle_relay(pair)
    decisions.vote(a, CELL, "1", choices=["x"])
    before = snapshot(a)
    with pytest.raises(Refused) as twice:
        decisions.vote(a, CELL, "1", choices=["y"])
    assert twice.value.code == "vote-twice"
    assert str(twice.value) == "You have already taken part in this decision."
    assert snapshot(a) == before
    clock.advance(3601)
    decisions.close(a, CELL, str(opened.number))
    settle_relay(pair)
    before_b = snapshot(b)
    with pytest.raises(Refused) as late:
        decisions.vote(b, CELL, "1", choices=["y"])
    assert late.value.code == "vote-after-close"
    assert str(late.value) == "This decision is closed; no more stances are accepted."
    assert snapshot(b) == before_b
    with pytest.raises(BadInput) as closed:
        decisions.close(b, CELL, "1")
    assert closed.value.reason == "already-closed"
