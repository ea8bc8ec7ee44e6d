"""A cell finds an alliance through a delegate's one-time vouching code (issue 17), through
a real relay: the delegate vouches, the new cell's delegate answers later (the two are
never online together), the delegate's next sync proposes the cell and burns the code,
every member cell approves, and the new delegate joins and votes.

The attacks, written first: a stranger who learned the code's mailbox (refused by the
relay; garbage and forged cards posted with the write key are skipped and burn nothing),
the code used twice (refused, one proposal only, even from a client that skips the
check), an expired code (refused, its secret deleted), a code altered by one character
(a precise error), what the relay stores (sealed bytes only), and admission (a vouched
cell is no member before every cell approved)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hasteh import org
from hasteh.app import Workspace, alliances, cards, vouch_mailbox, vouching
from hasteh.app.errors import BadInput
from hasteh.app.records import invitations
from hasteh.app.relay_status import note_contacts
from hasteh.app.vouch_mailbox import box_of, post, seal_message
from hasteh.envelope import Kind, WriteAuth, seal
from hasteh.org.events import CellVouched
from hasteh.transport.errors import RelayRefused
from hasteh.transport.relay_client import RelayClient
from hasteh.vault import events as vevents
from tests.app.conftest import Clock
from tests.app.helpers import settle_relay
from tests.relay.harness import RelayProcess

NORTH = "north"
DAY = 86_400


def seats(ws: Workspace) -> dict[int, str]:
    rt = alliances.find_alliance(ws, NORTH)
    return {int(leaf): m.cell for leaf, m in rt.org.members.items()}


def two_cells(make_ws: Callable[[str], Workspace], url: str) -> tuple[Workspace, Workspace]:
    """An alliance of cell-a and cell-b (introduced by card, in person)."""
    a, b = make_ws("delegate-a"), make_ws("delegate-b")
    alliances.form(a, NORTH, cell="cell-a", relays=[url])
    alliances.propose_cell(a, NORTH, cards.create_card(b, "cell-b", relays=[url]))
    settle_relay([a, b])
    assert seats(a) == seats(b) == {0: "cell-a", 1: "cell-b"}
    return a, b


def proposals(ws: Workspace) -> list[tuple[str, bool]]:
    rt = alliances.find_alliance(ws, NORTH)
    return sorted((p.cell, p.vouched) for p in rt.org.proposals.values())


def secret_of(ws: Workspace) -> bytes:
    (vouch,) = alliances.find_alliance(ws, NORTH).record.vouches
    return vouch.secret


def test_a_cell_joins_through_a_vouching_code_and_votes(
    make_ws: Callable[[str], Workspace], relay: RelayProcess, clock: Clock
) -> None:
    a, b = two_cells(make_ws, relay.url)
    code = vouching.vouch(a, NORTH, days=7)
    assert code.startswith(vouching.PREFIX)
    assert len(vouching.pending(a, NORTH)) == 1
    clock.advance(2 * DAY)  # the new cell's delegate answers days later; a is offline
    d = make_ws("delegate-d")
    answered = vouching.answer(d, code, "cell-d")
    assert answered.pseudonym == "cell-d"
    settle_relay([a, b])  # a's next sync proposes cell-d and burns the code
    assert proposals(a) == proposals(b) == [("cell-d", True)]
    assert alliances.find_alliance(a, NORTH).record.vouches == []
    assert vouching.pending(a, NORTH) == ()
    settle_relay([a, b, d])
    # Admission stays the alliance's rule: cell-b has not approved, so no seat for cell-d.
    assert seats(a) == seats(b) == {0: "cell-a", 1: "cell-b"}
    alliances.approve_cell(b, NORTH, "cell-d")
    members = [a, b, d]
    settle_relay(members)
    settle_relay(members)
    for ws in members:
        assert seats(ws) == {0: "cell-a", 1: "cell-b", 2: "cell-d"}
        assert not alliances.find_alliance(ws, NORTH).org.alarms
    motion = alliances.open_motion(a, NORTH, "A joint strike?", a.now() + DAY)
    settle_relay(members)
    alliances.vote(d, NORTH, motion, agree=True)
    settle_relay(members)
    for ws in members:
        votes = alliances.find_alliance(ws, NORTH).org.motions[motion].votes
        assert votes == {"cell-d": True}


def test_a_stranger_who_learned_the_mailbox_cannot_post_and_garbage_burns_nothing(
    make_ws: Callable[[str], Workspace], relay: RelayProcess
) -> None:
    a, b = two_cells(make_ws, relay.url)
    code = vouching.vouch(a, NORTH)
    box = box_of(secret_of(a))
    client = RelayClient(relay.url)
    # A stranger knows the mailbox id only: no claim, no key. The relay refuses.
    junk = seal(kind=Kind.MESSAGE, mailbox=box.mailbox, payload=b"junk", rng=a.rng)
    with pytest.raises(RelayRefused):
        client.post(junk.to_bytes(), WriteAuth(a.rng(32)))
    # Someone who holds the write key (a relay insider at work, say) but not the seal key:
    # garbage, a card sealed under another code's key, a sealed card that does not decode.
    client.post(junk.to_bytes(), box.auth)
    x = make_ws("forger")
    forged_card = cards.card_bytes(cards.new_card(x, "cell-x", relays=[relay.url]))
    other = box_of(b"\x07" * 32)
    wrong_key = seal_message(other, "card", forged_card, a.rng)
    rekeyed = seal(
        kind=Kind.MESSAGE, mailbox=box.mailbox, payload=wrong_key.to_bytes()[60:], rng=a.rng
    )
    client.post(rekeyed.to_bytes(), box.auth)
    post(client, box, seal_message(box, "card", b"\x00not a card", a.rng))
    settle_relay([a, b])
    assert proposals(a) == []
    assert len(alliances.find_alliance(a, NORTH).record.vouches) == 1  # not burned
    # The real answer still goes through.
    d = make_ws("delegate-d")
    vouching.answer(d, code, "cell-d")
    settle_relay([a, b])
    assert proposals(a) == [("cell-d", True)]
    client.close()


def test_a_code_works_once(make_ws: Callable[[str], Workspace], relay: RelayProcess) -> None:
    a, b = two_cells(make_ws, relay.url)
    code = vouching.vouch(a, NORTH)
    secret = secret_of(a)
    d, e, f = make_ws("delegate-d"), make_ws("delegate-e"), make_ws("delegate-f")
    vouching.answer(d, code, "cell-d")
    # Before the delegate synced: the card is there, so a second answer is refused.
    with pytest.raises(BadInput) as err:
        vouching.answer(e, code, "cell-e")
    assert err.value.code == "vouch-used"
    settle_relay([a, b])
    assert proposals(a) == [("cell-d", True)]
    # After: the delegate's word "used" is there.
    with pytest.raises(BadInput) as err:
        vouching.answer(f, code, "cell-f")
    assert err.value.code == "vouch-used"
    # A client that skips the check posts its card anyway: the secret is gone, nothing
    # reads the mailbox, no second proposal.
    box = box_of(secret)
    forced = cards.card_bytes(cards.new_card(f, "cell-f", relays=[relay.url]))
    with RelayClient(relay.url) as client:
        post(client, box, seal_message(box, "card", forced, f.rng))
    settle_relay([a, b])
    settle_relay([a, b])
    assert proposals(a) == proposals(b) == [("cell-d", True)]
    art = alliances.find_alliance(b, NORTH)
    stored = b.vault.read(lambda conn: vevents.read(conn, art.group_id, limit=9999))
    vouched = [e for e in stored if isinstance(org.decode(e.body).body, CellVouched)]
    assert len(vouched) == 1


def test_an_expired_code_is_refused_and_its_secret_deleted(
    make_ws: Callable[[str], Workspace], relay: RelayProcess, clock: Clock
) -> None:
    a, b = two_cells(make_ws, relay.url)
    code = vouching.vouch(a, NORTH, days=1)
    clock.advance(DAY + 1)
    d = make_ws("delegate-d")
    with pytest.raises(BadInput) as err:
        vouching.answer(d, code, "cell-d")
    assert err.value.code == "vouch-expired"
    assert cards_of(d) == 0  # nothing kept on the answerer's device
    settle_relay([a, b])
    assert alliances.find_alliance(a, NORTH).record.vouches == []
    assert proposals(a) == []


def cards_of(ws: Workspace) -> int:
    return len(ws.vault.read(invitations))


def test_a_code_altered_by_one_character_is_caught(
    make_ws: Callable[[str], Workspace], relay: RelayProcess
) -> None:
    a, _b = two_cells(make_ws, relay.url)
    code = vouching.vouch(a, NORTH)
    body = code[len(vouching.PREFIX) :]
    i = len(body) // 2
    altered = vouching.PREFIX + body[:i] + ("A" if body[i] != "A" else "B") + body[i + 1 :]
    d = make_ws("delegate-d")
    with pytest.raises(BadInput) as err:
        vouching.answer(d, altered, "cell-d")
    assert err.value.code == "vouch-mistyped"
    with pytest.raises(BadInput) as err:
        vouching.answer(d, "HC1:" + body, "cell-d")
    assert err.value.code == "vouch-not-a-code"
    assert cards_of(d) == 0
    # Read as typed: lower case, spaces and dashes are forgiven.
    spaced = "-".join(code[k : k + 5] for k in range(0, len(code), 5)).lower()
    assert vouching.read_code(spaced) == vouching.read_code(code)


def test_the_relay_sees_only_sealed_bytes(
    make_ws: Callable[[str], Workspace], relay: RelayProcess
) -> None:
    a, b = two_cells(make_ws, relay.url)
    code = vouching.vouch(a, NORTH)
    secret = secret_of(a)
    d = make_ws("delegate-d")
    vouching.answer(d, "  " + code.lower() + "\n", "cell-dehqan")
    settle_relay([a, b])
    assert proposals(a) == [("cell-dehqan", True)]
    card_data = alliances.find_alliance(a, NORTH).record.cards
    (kept,) = card_data.values()
    card = cards.decode_card(kept, now=None)
    db = Path(relay.db.removeprefix("sqlite:///"))
    stored = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    assert b"cell-dehqan" not in stored
    for part in (
        kept,
        card.pickup_claim,
        bytes(card.key_package.init_key),
        bytes(card.key_package.leaf_node.signature_key),
        secret,
        box_of(secret).seal_key,
        box_of(secret).mailbox,  # the relay keeps only its hash
    ):
        assert part not in stored


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_is_read_or_refused_precisely(text: str) -> None:
    try:
        vouching.read_code(text)
    except BadInput as exc:
        assert exc.code in {"vouch-not-a-code", "vouch-mistyped"}


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_one_character_change_is_refused(data: st.DataObject) -> None:
    made = vouching.VouchCode(1, b"\x01" * 32, ["http://127.0.0.1:9"], 1_900_000_000)
    code = vouching.encode_code(made)
    i = data.draw(st.integers(len(vouching.PREFIX), len(code) - 1))
    c = data.draw(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"))
    changed = code[:i] + c + code[i + 1 :]
    if changed == code:
        return
    with pytest.raises(BadInput) as err:
        vouching.read_code(changed)
    assert err.value.code in {"vouch-mistyped", "vouch-not-a-code"}


def test_the_duty_skips_relays_known_to_be_down(
    make_ws: Callable[[str], Workspace], relay: RelayProcess
) -> None:
    """A courier export during a shutdown runs the duties too: a relay whose last contact
    failed is not waited on, and the code stays pending until a sync reaches it again."""
    a, _b = two_cells(make_ws, relay.url)
    code = vouching.vouch(a, NORTH)
    vouching.answer(make_ws("delegate-d"), code, "cell-d")
    a.vault.write(lambda conn: note_contacts(conn, [], {relay.url: "unreachable"}, now=a.now()))
    rt = alliances.find_alliance(a, NORTH)
    assert vouch_mailbox.collect(a, rt) == 0
    assert len(alliances.find_alliance(a, NORTH).record.vouches) == 1
    a.vault.write(lambda conn: note_contacts(conn, [relay.url], {}, now=a.now()))
    assert vouch_mailbox.collect(a, alliances.find_alliance(a, NORTH)) == 1
    assert proposals(a) == [("cell-d", True)]


def test_a_code_cannot_seat_someone_for_a_member_cell(
    make_ws: Callable[[str], Workspace], relay: RelayProcess
) -> None:
    """Whoever holds a code answers under a member cell's pseudonym (to sit as its second
    seat): the alliance refuses the proposal, and the code is spent all the same."""
    a, b = two_cells(make_ws, relay.url)
    code = vouching.vouch(a, NORTH)
    vouching.answer(make_ws("informer"), code, "cell-b")
    settle_relay([a, b])
    assert proposals(a) == proposals(b) == []
    assert alliances.find_alliance(a, NORTH).record.vouches == []
    with pytest.raises(BadInput) as err:
        vouching.answer(make_ws("delegate-d"), code, "cell-d")
    assert err.value.code == "vouch-used"
