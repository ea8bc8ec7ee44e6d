"""Delegates through a real relay: three cells (3, 2 and 2 members) elect their delegates
by ranked choice, make their keys, and form one alliance under pseudonyms. A motion is
decided one vote per cell under the cells' mandates, while cell A recalls its delegate
mid-decision: the recall, signed with cell A's key, is carried by another cell's delegate,
who commits the swap; the old delegate reads nothing afterwards, the alternate completes
the decision, signs the tally and reports it back to cell A, which sees its vote was cast
as mandated. The delegate's alliance identity shares nothing with their cell identity."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from hasteh.app import (
    Workspace,
    admission,
    alliances,
    cards,
    cells,
    decisions,
    delegation,
    runtime,
    sync,
)
from hasteh.app.errors import AppError, BadInput, Refused
from hasteh.org.alliance import notes
from hasteh.org.events import DelegateSwapped, MotionOutcome
from hasteh.vault import events as vevents
from tests.app.helpers import settle_relay
from tests.app.test_alliance import smuggle
from tests.relay.harness import RelayProcess

NORTH = "north"
DAY = 86_400


def small_cell(
    make_ws: Callable[[str], Workspace], relay: str, cell: str, names: list[str]
) -> list[Workspace]:
    """A cell of `names` (the first founds it; each newcomer is proposed by the founder
    and approved by every other member)."""
    members = [make_ws(f"{cell}-{names[0]}")]
    cells.create_cell(members[0], cell, cover_name=names[0], relays=[relay])
    for name in names[1:]:
        newcomer = make_ws(f"{cell}-{name}")
        admission.propose(members[0], cell, cards.create_card(newcomer, name, relays=[relay]))
        settle_relay(members)
        for i, other in enumerate(members[1:]):
            (admission.vouch if i == 0 else admission.approve)(other, cell, name)
        settle_relay([*members, newcomer])
        members.append(newcomer)
        settle_relay(members)
    return members


def decide_all(
    members: list[Workspace], cell: str, kind: str, question: str, **answer: object
) -> str:
    """A decision every member answers alike, closed by the first; its id (hex)."""
    first = members[0]
    options = answer.pop("options", None)
    opened = decisions.open_decision(
        first,
        cell,
        kind=kind,
        question=question,
        deadline=first.now() + DAY,
        options=options,  # type: ignore[arg-type]
        seats=answer.pop("seats", None),  # type: ignore[arg-type]
    )
    settle_relay(members)
    for ws in members:
        decisions.vote(ws, cell, opened.decision_id[:8], **answer)  # type: ignore[arg-type]
    settle_relay(members)
    decisions.close(first, cell, opened.decision_id[:8])
    settle_relay(members)
    return opened.decision_id[:8]


def elect(members: list[Workspace], cell: str, names: list[str], pseudonym: str) -> None:
    """Ranked choice of two seats: names[1] the delegate, names[2 or 0] the alternate;
    the delegate makes the cell's key and hands it to the alternate in person."""
    second = names[2] if len(names) > 2 else names[0]
    ranking = [names[1], second]
    election = decide_all(
        members, cell, "stv", "Our delegates?", options=names, seats=2, choices=ranking
    )
    delegate, alternate = members[1], members[names.index(second)]
    delegation.elect(
        delegate, cell, election, pseudonym=pseudonym, term_days=180, mandate="Strike if unpaid"
    )
    settle_relay(members)
    delegation.create_key(delegate, cell, election)
    settle_relay(members)
    delegation.import_key(alternate, cell, delegation.key_code(delegate, cell))


#: The members of `three_cells`' cells A, B and C.
THREE_NAMES = (["Bahar", "Kaveh", "Shirin"], ["Dariush", "Nasrin"], ["Farhad", "Omid"])


@dataclass(frozen=True)
class ThreeCells:
    """Three cells in the alliance "north", each with its delegate and key registered."""

    cell_a: list[Workspace]  # bakery: Bahar, Kaveh (delegate), Shirin (alternate)
    cell_b: list[Workspace]  # mill: Dariush, Nasrin (delegate)
    cell_c: list[Workspace]  # dairy: Farhad, Omid (delegate)
    shirin_card: str  # the alternate's alliance card, registered with the alliance

    @property
    def kaveh(self) -> Workspace:
        return self.cell_a[1]

    @property
    def shirin(self) -> Workspace:
        return self.cell_a[2]

    @property
    def nasrin(self) -> Workspace:
        return self.cell_b[1]

    @property
    def farhad(self) -> Workspace:
        return self.cell_c[1]

    @property
    def delegates(self) -> list[Workspace]:
        return [self.kaveh, self.nasrin, self.farhad]


def three_cells(make_ws: Callable[[str], Workspace], relay: str) -> ThreeCells:
    """Cells A, B, C elect their delegates; A's delegate forms the alliance; each other
    delegate hands a card in person (C approved by A); every cell registers its key, and
    Kaveh registers Shirin's alliance card (under the cell's pseudonym) as the alternate."""
    a_names, b_names, c_names = (
        ["Bahar", "Kaveh", "Shirin"],
        ["Dariush", "Nasrin"],
        ["Farhad", "Omid"],
    )
    cell_a = small_cell(make_ws, relay, "bakery", a_names)
    cell_b = small_cell(make_ws, relay, "mill", b_names)
    cell_c = small_cell(make_ws, relay, "dairy", c_names)
    elect(cell_a, "bakery", a_names, "cell-a")
    elect(cell_b, "mill", b_names, "cell-b")
    elect(cell_c, "dairy", c_names, "cell-c")
    kaveh, shirin, nasrin, farhad = cell_a[1], cell_a[2], cell_b[1], cell_c[1]
    alliances.form(kaveh, NORTH, cell="cell-a", relays=[relay])
    alliances.propose_cell(kaveh, NORTH, cards.create_card(nasrin, "cell-b", relays=[relay]))
    settle_relay([kaveh, nasrin])
    alliances.propose_cell(nasrin, NORTH, cards.create_card(farhad, "cell-c", relays=[relay]))
    settle_relay([kaveh, nasrin])
    alliances.approve_cell(kaveh, NORTH, "cell-c")
    delegates = [kaveh, nasrin, farhad]
    settle_relay(delegates)
    settle_relay(delegates)
    for ws, cell in ((kaveh, "bakery"), (nasrin, "mill"), (farhad, "dairy")):
        delegation.register_key(ws, NORTH, cell)
    shirin_card = cards.create_card(shirin, "cell-a", relays=[relay])
    delegation.register_alternate(kaveh, NORTH, "bakery", shirin_card)
    settle_relay(delegates)
    return ThreeCells(cell_a, cell_b, cell_c, shirin_card)


def test_a_delegate_is_recalled_mid_decision_and_the_cell_sees_its_vote(
    make_ws: Callable[[str], Workspace], relay: RelayProcess
) -> None:
    three = three_cells(make_ws, relay.url)
    cell_a, cell_b = three.cell_a, three.cell_b
    kaveh, shirin, nasrin, farhad = three.kaveh, three.shirin, three.nasrin, three.farhad
    delegates, shirin_card = three.delegates, three.shirin_card
    for ws in (kaveh, shirin):
        assert cells.find_cell(ws, "bakery").record.held_keys  # both hold cell A's key
    assert not cells.find_cell(cell_a[0], "bakery").record.held_keys  # Bahar does not
    state = alliances.find_alliance(farhad, NORTH).org
    assert state.cells == {"cell-a", "cell-b", "cell-c"}
    assert set(state.cell_keys) == {"cell-a", "cell-b", "cell-c"}
    assert set(state.alternates) == {"cell-a"}

    # A motion; each cell decides first, then its delegate votes under the mandate.
    question = "A joint strike on 1 May?"
    motion = alliances.open_motion(nasrin, NORTH, question, nasrin.now() + 3 * DAY)
    settle_relay(delegates)
    for members, cell, ws, agree in (
        (cell_a, "bakery", kaveh, "agree"),
        (cell_b, "mill", nasrin, "agree"),
    ):
        mandate = decide_all(members, cell, "proposal", "Yes to the strike?", position=agree)
        delegation.give_mandate(ws, cell, motion.hex(), question, mandate)
        settle_relay(members)
    delegation.vote_as_mandated(nasrin, NORTH, "mill", motion.hex()[:8])
    settle_relay(delegates)

    # Mid-decision, cell A recalls Kaveh; Shirin signs with the cell's key and hands the
    # recall code to cell C's delegate (in person), who posts it and commits the swap.
    recall = decide_all(cell_a, "bakery", "proposal", "Recall Kaveh?", position="agree")
    code = delegation.recall(shirin, "bakery", recall, shirin_card)
    settle_relay(cell_a)
    fed_a = cells.find_cell(cell_a[0], "bakery").org.fed
    assert fed_a.delegation is not None and fed_a.delegation.delegate_name == "Shirin"
    with pytest.raises(BadInput):
        delegation.carry_recall(farhad, NORTH, code[:-3] + "AAA")  # a mistyped code
    delegation.carry_recall(farhad, NORTH, code)
    everyone = [*delegates, shirin]
    for _ in range(3):
        settle_relay(everyone)
    seats = {int(k): m.cell for k, m in alliances.find_alliance(farhad, NORTH).org.members.items()}
    assert sorted(seats.values()) == ["cell-a", "cell-b", "cell-c"]
    assert alliances.find_alliance(kaveh, NORTH).record.removed  # Kaveh's seat is gone
    assert alliances.find_alliance(shirin, NORTH).org.cells == {"cell-a", "cell-b", "cell-c"}
    assert not alliances.find_alliance(farhad, NORTH).org.alarms

    # The old delegate reads nothing afterwards.
    kaveh_rt = alliances.find_alliance(kaveh, NORTH)
    assert kaveh_rt.record.removed
    alliances.say(farhad, NORTH, "The depot opens at six.")
    settle_relay([*everyone])
    said = "The depot opens at six."
    assert said not in [n.text for n in notes(alliances.find_alliance(kaveh, NORTH).org)]
    assert said in [n.text for n in notes(alliances.find_alliance(shirin, NORTH).org)]

    # The new delegate completes the decision under the same mandate: one vote per cell.
    delegation.vote_as_mandated(shirin, NORTH, "bakery", motion.hex()[:8])
    with pytest.raises(Refused) as twice:
        delegation.vote_as_mandated(shirin, NORTH, "bakery", motion.hex()[:8])
    assert twice.value.code == "vote-twice"
    alliances.vote(farhad, NORTH, motion, agree=False)
    settle_relay(everyone)
    settle_relay(everyone)
    closed = alliances.find_alliance(shirin, NORTH).org.motions[motion]
    assert closed.outcome == MotionOutcome(True, 2, 1)
    for ws, cell in ((shirin, "bakery"), (nasrin, "mill"), (farhad, "dairy")):
        delegation.sign_tally(ws, NORTH, cell, motion.hex()[:8])
    settle_relay([shirin, nasrin, farhad])
    delegation.report(shirin, "bakery", NORTH, motion.hex()[:8], "Adopted, 2 to 1.")
    settle_relay(cell_a)
    for ws in cell_a:
        report = cells.find_cell(ws, "bakery").org.fed.reports[motion]
        assert (report.cast, report.mandated, report.followed) == (True, True, True)
        assert report.signed_by == ("cell-a", "cell-b", "cell-c")

    # Kaveh was recalled but still holds the key: the cell owes a new one. After the
    # cell decides, Shirin makes it (signed by the old key) and carries it to the alliance.
    assert delegation.delegate_view(cell_a[0], "bakery").key_due
    rotate = decide_all(cell_a, "bakery", "proposal", "A new key?", position="agree")
    old_key = alliances.find_alliance(farhad, NORTH).org.cell_keys["cell-a"]
    new_key = delegation.create_key(shirin, "bakery", rotate)
    settle_relay(cell_a)
    assert not delegation.delegate_view(cell_a[0], "bakery").key_due
    delegation.carry_rotation(shirin, NORTH, "bakery")
    settle_relay([shirin, nasrin, farhad])
    assert alliances.find_alliance(farhad, NORTH).org.cell_keys["cell-a"] == new_key != old_key
    assert list(cells.find_cell(shirin, "bakery").record.held_keys) == [new_key.hex()]

    # Two identities: nothing of a delegate's cell crosses into the alliance, neither in
    # what every delegate stores of the alliance's log nor in the relay's database.
    linking: list[bytes] = [n.encode() for names in THREE_NAMES for n in names]
    for ws, cell in ((shirin, "bakery"), (nasrin, "mill"), (farhad, "dairy")):
        crt, art = cells.find_cell(ws, cell), alliances.find_alliance(ws, NORTH)
        own_cell, own_seat = crt.require_group().own_leaf_node, art.require_group().own_leaf_node
        assert own_cell.signature_key != own_seat.signature_key
        assert own_cell.encryption_key != own_seat.encryption_key
        assert crt.record.mailbox != art.record.mailbox and crt.group_id != art.group_id
        linking += [cell.encode(), crt.group_id, crt.record.mailbox, own_cell.signature_key]
        linking += [bytes(d) for d in crt.org.decisions]
    for ws in (shirin, nasrin, farhad):
        art = alliances.find_alliance(ws, NORTH)
        stored = ws.vault.read(lambda conn, gid=art.group_id: vevents.read(conn, gid, limit=9999))
        log_bytes = b"".join(e.body for e in stored)
        assert len(stored) > 20
        assert [x for x in linking if x in log_bytes] == []
    # control: the same scan finds the cell's own words in the cell's log
    crt = cells.find_cell(shirin, "bakery")
    stored = shirin.vault.read(lambda conn: vevents.read(conn, crt.group_id, limit=9999))
    assert b"Kaveh" in b"".join(e.body for e in stored)
    relay_db = Path(relay.db.removeprefix("sqlite:///"))
    relay_bytes = b"".join(p.read_bytes() for p in relay_db.parent.glob(relay_db.name + "*"))
    assert [x for x in linking if x in relay_bytes] == []


def test_a_delegate_against_the_mandate_is_seen_and_a_forged_recall_is_dropped(
    make_ws: Callable[[str], Workspace], relay: RelayProcess
) -> None:
    a_names, b_names = ["Bahar", "Kaveh"], ["Dariush", "Nasrin"]
    cell_a = small_cell(make_ws, relay.url, "bakery", a_names)
    cell_b = small_cell(make_ws, relay.url, "mill", b_names)
    elect(cell_a, "bakery", a_names, "cell-a")
    elect(cell_b, "mill", b_names, "cell-b")
    kaveh, nasrin = cell_a[1], cell_b[1]
    alliances.form(kaveh, NORTH, cell="cell-a", relays=[relay.url])
    alliances.propose_cell(kaveh, NORTH, cards.create_card(nasrin, "cell-b", relays=[relay.url]))
    delegates = [kaveh, nasrin]
    settle_relay(delegates)
    delegation.register_key(kaveh, NORTH, "bakery")
    delegation.register_key(nasrin, NORTH, "mill")
    bahar_card = cards.create_card(cell_a[0], "cell-a", relays=[relay.url])
    delegation.register_alternate(kaveh, NORTH, "bakery", bahar_card)
    settle_relay(delegates)

    question = "Accept the owner's offer?"
    motion = alliances.open_motion(nasrin, NORTH, question, nasrin.now() + DAY)
    settle_relay(delegates)
    mandate = decide_all(cell_a, "bakery", "proposal", "Accept the offer?", position="disagree")
    delegation.give_mandate(kaveh, "bakery", motion.hex(), question, mandate)
    settle_relay(cell_a)
    # Kaveh votes yes although his cell said no, and without the mandate's reference.
    alliances.vote(kaveh, NORTH, motion, agree=True)
    alliances.vote(nasrin, NORTH, motion, agree=True)
    settle_relay(delegates)
    settle_relay(delegates)
    delegation.sign_tally(kaveh, NORTH, "bakery", motion.hex()[:8])
    delegation.sign_tally(nasrin, NORTH, "mill", motion.hex()[:8])
    settle_relay(delegates)
    delegation.report(kaveh, "bakery", NORTH, motion.hex()[:8])
    settle_relay(cell_a)
    report = cells.find_cell(cell_a[0], "bakery").org.fed.reports[motion]
    assert (report.cast, report.mandated, report.followed) == (True, False, False)

    # Nasrin's hacked client posts a recall of cell A that cell A never signed: every
    # delegate drops it, and no one commits a swap.
    forged = DelegateSwapped(
        "cell-a", cards.read_card(bahar_card, now=None).fingerprint, b"r" * 32, b"s" * 64
    )
    with pytest.raises(Refused) as err:
        runtime.send_event(nasrin, alliances.find_alliance(nasrin, NORTH), forged)
    assert err.value.code == "bad-signature"
    smuggle(nasrin, alliances.find_alliance(nasrin, NORTH), forged)
    sync.sync(nasrin)
    assert sync.sync(kaveh).dropped == 1
    settle_relay(delegates)
    art = alliances.find_alliance(kaveh, NORTH)
    assert art.org.recalls == {} and not art.record.removed
    assert sorted(m.cell for m in art.org.members.values()) == ["cell-a", "cell-b"]


def test_the_cell_key_endorses_the_programme_only_after_the_cells_decision(
    make_ws: Callable[[str], Workspace], relay: RelayProcess
) -> None:
    """`delegation.endorse`: the delegate signs the programme with the cell's key only
    under an adopted consent or proposal decision of the cell; an open, rejected or
    unknown decision, a device without the key, a version that is not a number: refused,
    nothing sent. The alliance then sees the cell (by pseudonym) among the endorsers."""
    from hasteh.app import federation
    from hasteh.org.programme import endorsers

    a_names, b_names = ["Bahar", "Kaveh", "Sima"], ["Dariush", "Nasrin"]
    cell_a = small_cell(make_ws, relay.url, "bakery", a_names)
    cell_b = small_cell(make_ws, relay.url, "mill", b_names)
    elect(cell_a, "bakery", a_names, "cell-a")
    elect(cell_b, "mill", b_names, "cell-b")
    kaveh, nasrin = cell_a[1], cell_b[1]
    alliances.form(kaveh, NORTH, cell="cell-a", relays=[relay.url])
    alliances.propose_cell(kaveh, NORTH, cards.create_card(nasrin, "cell-b", relays=[relay.url]))
    delegates = [kaveh, nasrin]
    settle_relay(delegates)
    delegation.register_key(kaveh, NORTH, "bakery")
    delegation.register_key(nasrin, NORTH, "mill")
    settle_relay(delegates)
    amendment = federation.propose_amendment(
        nasrin, NORTH, "Wages", "A living wage, paid on time.", deadline=nasrin.now() + DAY
    )
    settle_relay(delegates)
    for ws in delegates:
        alliances.vote(ws, NORTH, amendment, agree=True)
    settle_relay(delegates)
    settle_relay(delegates)
    assert alliances.find_alliance(kaveh, NORTH).org.programme.number == 1

    rejected = decide_all(cell_a, "bakery", "proposal", "Endorse v1?", position="disagree")
    still_open = decisions.open_decision(
        cell_a[0], "bakery", kind="consent", question="Endorse v1?", deadline=kaveh.now() + DAY
    )
    settle_relay(cell_a)
    before = len(alliances.find_alliance(kaveh, NORTH).org.programme.endorsements)
    for version, decision, code in (
        ("1", rejected, "motion-not-adopted"),
        ("1", still_open.decision_id[:8], "not-due"),
        ("1", "99", "unknown-decision"),
        ("یک", rejected, "unknown-version"),
    ):
        with pytest.raises(AppError) as err:
            delegation.endorse(kaveh, "bakery", NORTH, version, decision)
        assert err.value.code == code, (version, decision, err.value.code)
    adopted = decide_all(cell_a, "bakery", "consent", "Endorse version 1?", position="agree")
    # Bahar is not a holder of the cell's key: her device cannot sign for the cell.
    with pytest.raises(Refused) as err:
        delegation.endorse(cell_a[0], "bakery", NORTH, "۱", adopted)
    assert err.value.code == "no-cell-key"
    assert len(alliances.find_alliance(kaveh, NORTH).org.programme.endorsements) == before
    delegation.endorse(kaveh, "bakery", NORTH, "۱", adopted)
    settle_relay(delegates)
    for ws in delegates:
        assert endorsers(alliances.find_alliance(ws, NORTH).org.programme, 1) == ["cell-a"]
