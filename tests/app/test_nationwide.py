"""The nationwide simulation of issue 17, through one real relay process: five cells
(3, 4, 3, 3 and 5 members), two alliances and a council over them.

Each cell elects its delegate and alternate by ranked choice and makes its key; the
delegates introduce their cells by cards handed over in person and register the cells'
keys. In the alliance "north" (cells A, B, C): a joint action with per-cell counts, and a
programme amendment ratified and endorsed with the three cells' real keys. The council
"national" (north's and south's seats): a nationwide bulletin compiled with the council's
bulletin key (held by the seat the council named its editor), republished into both
alliances and carried down into every cell, where every member finds it genuine; and a
council decision reported back down to every member of every cell.

Then the raw scan: every profile's vault exported as plaintext by SQLCipher and searched
byte by byte. Per cell we collect what identifies its members: cover names, cell leaf
signature and HPKE keys, the init keys and pickup mailboxes of their cards, the cell's
mailbox and group id; and, apart, each delegate's alliance identity (seat leaf keys, the
alliance card's init key and pickup, the alliance's mailbox and group id, the cell's
registered key). No profile holds another cell's cell identifiers; an alliance identity
appears only on the devices of delegates who sit in that alliance. The cells' pseudonyms
("cell-b", "north") are not identifiers of anyone: they are what crosses by design.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hasteh.app import Workspace, admission, alliances, cards, cells, delegation, federation
from hasteh.org.events import MotionOutcome
from hasteh.org.joint import go
from hasteh.org.programme import endorsers
from tests.app.helpers import settle_relay
from tests.app.test_delegation import elect
from tests.app.test_expiry import export_plaintext
from tests.relay.harness import RelayProcess

DAY = 86_400
#: (cell name on its members' devices, its pseudonym in the alliance, cover names).
#: The second name of each cell is elected its delegate, the third its alternate.
CELLS = (
    ("bakery", "cell-a", ("Parvaneh", "Siavash", "Golnaz")),
    ("textile", "cell-b", ("Behrouz", "Mahtab", "Ardalan", "Roxana")),
    ("cannery", "cell-c", ("Esfandiar", "Nilufar", "Kourosh")),
    ("refinery", "cell-d", ("Shahrzad", "Bijan", "Azadeh")),
    ("tannery", "cell-e", ("Homayoun", "Ladan", "Faramarz", "Soraya", "Jamshid")),
)


@dataclass
class Cell:
    name: str
    pseudonym: str
    names: tuple[str, ...]
    members: list[Workspace]
    cards: list[str] = field(default_factory=list)  # the newcomers' cell cards

    @property
    def delegate(self) -> Workspace:
        return self.members[1]


def build_cell(
    make_ws: Callable[[str], Workspace], relay: str, spec: tuple[str, str, tuple[str, ...]]
) -> Cell:
    """A cell: the first name founds it; each newcomer's card is proposed by the founder,
    vouched by the next member and approved by the others. The cards are kept, to scan
    for their init keys and pickup mailboxes."""
    name, pseudonym, names = spec
    founder = make_ws(f"{name}-{names[0]}")
    cells.create_cell(founder, name, cover_name=names[0], relays=[relay])
    cell = Cell(name, pseudonym, names, [founder])
    for cover in names[1:]:
        newcomer = make_ws(f"{name}-{cover}")
        code = cards.create_card(newcomer, cover, relays=[relay])
        cell.cards.append(code)
        admission.propose(founder, name, code)
        settle_relay(cell.members)
        for i, other in enumerate(cell.members[1:]):
            (admission.vouch if i == 0 else admission.approve)(other, name, cover)
        settle_relay([*cell.members, newcomer])
        cell.members.append(newcomer)
        settle_relay(cell.members)
    assert [m.cover_name for m in cells.members(cell.members[-1], name)] == list(names)
    return cell


def cell_key(cell: Cell) -> Ed25519PrivateKey:
    """The cell's key as its delegate's device holds it."""
    [seed] = cells.find_cell(cell.delegate, cell.name).record.held_keys.values()
    return Ed25519PrivateKey.from_private_bytes(seed)


def vote_all(delegates: list[Workspace], group: str, motion: bytes) -> None:
    settle_relay(delegates)
    for ws in delegates:
        alliances.vote(ws, group, motion, agree=True)
    settle_relay(delegates)
    settle_relay(delegates)


@dataclass(frozen=True)
class Mark:
    """One identifier found on some device: whose cell it is, and, for an alliance
    identity, the group whose seats may hold it (None: a cell identifier, held by that
    cell's members only)."""

    owner: str
    group: str | None
    what: str
    value: bytes


def card_marks(owner: str, group: str | None, code: str) -> list[Mark]:
    card = cards.read_card(code, now=None)
    leaf = card.key_package.leaf_node
    return [
        Mark(owner, group, "init key", card.key_package.init_key),
        Mark(owner, group, "pickup mailbox", card.pickup),
        Mark(owner, group, "card signature key", leaf.signature_key),
        Mark(owner, group, "card HPKE key", leaf.encryption_key),
    ]


def test_five_cells_two_alliances_a_council_and_a_raw_scan(
    make_ws: Callable[[str], Workspace], relay: RelayProcess, tmp_path: Path
) -> None:
    url = relay.url
    a, b, c, d, e = (build_cell(make_ws, url, spec) for spec in CELLS)
    for cell in (a, b, c, d, e):
        elect(cell.members, cell.name, list(cell.names), cell.pseudonym)
    da, db, dc, dd, de = (x.delegate for x in (a, b, c, d, e))
    everyone = [ws for x in (a, b, c, d, e) for ws in x.members]

    # Cells introduced by cards handed over in person; the third is approved by the second.
    seat_cards: dict[tuple[str, str], str] = {}  # (group, pseudonym) -> the card

    def card(ws: Workspace, group: str, pseudonym: str) -> str:
        code = cards.create_card(ws, pseudonym, relays=[url])
        seat_cards[group, pseudonym] = code
        return code

    alliances.form(da, "north", cell="cell-a", relays=[url])
    alliances.propose_cell(da, "north", card(db, "north", "cell-b"))
    settle_relay([da, db])
    alliances.propose_cell(da, "north", card(dc, "north", "cell-c"))
    settle_relay([da, db])
    alliances.approve_cell(db, "north", "cell-c")
    alliances.form(dd, "south", cell="cell-d", relays=[url])
    alliances.propose_cell(dd, "south", card(de, "south", "cell-e"))
    alliances.form(da, "national", cell="north", relays=[url])
    federation.declare_council(da, "national")
    alliances.propose_cell(da, "national", card(dd, "national", "south"))
    delegates = [da, db, dc, dd, de]
    settle_relay(delegates)
    settle_relay(delegates)
    for ws, group, cell in ((da, "north", a), (db, "north", b), (dc, "north", c)):
        delegation.register_key(ws, group, cell.name)
    for ws, group, cell in ((dd, "south", d), (de, "south", e)):
        delegation.register_key(ws, group, cell.name)
    settle_relay(delegates)
    north = alliances.find_alliance(dc, "north").org
    assert north.cells == {"cell-a", "cell-b", "cell-c"} == set(north.cell_keys)
    assert alliances.find_alliance(de, "south").org.cells == {"cell-d", "cell-e"}
    council = alliances.find_alliance(dd, "national").org
    assert council.council and council.cells == {"north", "south"}

    # A joint action in north: each cell opts in with its number, the alliance says go.
    north_seats = [da, db, dc]
    action = federation.propose_joint(
        db,
        "north",
        "Monday stoppage",
        ["Wages on time"],
        date=db.now() + 7 * DAY,
        decide_by=db.now() + 2 * DAY,
    )
    settle_relay(north_seats)
    for ws, cell in zip(north_seats, (a, b, c), strict=True):
        federation.opt_in(ws, "north", action, len(cell.members))
    vote_all(north_seats, "north", action)
    for ws in north_seats:
        state = alliances.find_alliance(ws, "north").org
        assert dict(state.joint[action].counts) == {"cell-a": 3, "cell-b": 4, "cell-c": 3}
        outcome = state.motions[action].outcome
        assert outcome is not None and go(outcome.adopted) == "go"

    # A programme amendment, ratified one vote per cell and endorsed with the cells' keys.
    amendment = federation.propose_amendment(
        dc, "north", "Wages", "A living wage, paid on time.", deadline=dc.now() + DAY
    )
    vote_all(north_seats, "north", amendment)
    for ws, cell in zip(north_seats, (a, b, c), strict=True):
        federation.endorse(ws, "north", 1, cell_key(cell))
    settle_relay(north_seats)
    for ws in north_seats:
        programme = alliances.find_alliance(ws, "north").org.programme
        assert [s.text for s in programme.sections] == ["A living wage, paid on time."]
        assert endorsers(programme, 1) == ["cell-a", "cell-b", "cell-c"]

    # The nationwide bulletin: compiled in the council, republished into both alliances,
    # carried down into every cell.
    seats = [da, dd]
    federation.submit_article(da, "national", "Night shifts", "Nobody works nights alone.")
    federation.submit_article(dd, "national", "The fund", "How the fund helped three families.")
    editorial = alliances.open_motion(da, "national", "Issue 1: both articles?", da.now() + DAY)
    vote_all(seats, "national", editorial)
    naming = federation.name_editors(dd, "national", ["north"], deadline=dd.now() + DAY)
    vote_all(seats, "national", naming)
    assert federation.key_view(da, "national").holds
    assert federation.compile_issue(da, "national", editorial, title="Workers' Voice") == 1
    settle_relay(seats)
    federation.republish(da, "national", 1, into="north")
    federation.republish(dd, "national", 1, into="south")

    # A council decision, reported back down the same way.
    motion = alliances.open_motion(dd, "national", "A national day of action?", dd.now() + DAY)
    vote_all(seats, "national", motion)
    federation.report_down(da, "national", motion, into="north")
    federation.report_down(dd, "national", motion, into="south")
    settle_relay(delegates)
    settle_relay(delegates)
    for group, cell in (("north", a), ("north", b), ("north", c), ("south", d), ("south", e)):
        carried = federation.reports_in(cell.delegate, group)
        assert sorted(r.kind for r in carried) == ["bulletin", "decision"]
        for report in carried:
            federation.pass_down(cell.delegate, group, report.report_id, into=cell.name)
    settle_relay(everyone)
    settle_relay(everyone)
    for group, cell in (("north", a), ("north", b), ("north", c), ("south", d), ("south", e)):
        for ws in cell.members:
            got = {r.kind: r for r in federation.reports_in(ws, cell.name)}
            assert sorted(got) == ["bulletin", "decision"]
            assert federation.bulletin_status(got["bulletin"]) == "genuine"
            assert "# The fund" in got["bulletin"].text
            decision = got["decision"]
            assert (decision.text, decision.outcome, decision.path) == (
                "A national day of action?",
                MotionOutcome(True, 2, 0),
                ("national", group),
            )

    # --- the raw scan ------------------------------------------------------------------
    marks: list[Mark] = []
    for cell in (a, b, c, d, e):
        for ws, cover in zip(cell.members, cell.names, strict=True):
            rt = cells.find_cell(ws, cell.name)
            leaf = rt.require_group().own_leaf_node
            marks += [
                Mark(cell.pseudonym, None, "cover name", cover.encode()),
                Mark(cell.pseudonym, None, "leaf signature key", leaf.signature_key),
                Mark(cell.pseudonym, None, "leaf HPKE key", leaf.encryption_key),
                Mark(cell.pseudonym, None, "cell mailbox", rt.record.mailbox),
                Mark(cell.pseudonym, None, "cell group id", rt.group_id),
            ]
        for code in cell.cards:
            marks += card_marks(cell.pseudonym, None, code)
    seated = {
        "north": {"cell-a": da, "cell-b": db, "cell-c": dc},
        "south": {"cell-d": dd, "cell-e": de},
        "national": {"cell-a": da, "cell-d": dd},  # north's and south's seats
    }
    for group, by_cell in seated.items():
        for owner, ws in by_cell.items():
            art = alliances.find_alliance(ws, group)
            leaf = art.require_group().own_leaf_node
            marks += [
                Mark(owner, group, "seat signature key", leaf.signature_key),
                Mark(owner, group, "seat HPKE key", leaf.encryption_key),
                Mark(owner, group, "alliance mailbox", art.record.mailbox),
                Mark(owner, group, "alliance group id", art.group_id),
            ]
    for (group, pseudonym), code in seat_cards.items():
        owner = {"south": "cell-d"}.get(pseudonym, pseudonym)
        marks += card_marks(owner, group, code)
    for pseudonym, public in north.cell_keys.items():
        marks.append(Mark(pseudonym, "north", "cell key", public))
    for pseudonym, public in alliances.find_alliance(dd, "south").org.cell_keys.items():
        marks.append(Mark(pseudonym, "south", "cell key", public))
    assert len({m.value for m in marks}) > 100

    found: list[tuple[str, str, str, str]] = []
    exercised: set[str] = set()
    for cell in (a, b, c, d, e):
        for ws, cover in zip(cell.members, cell.names, strict=True):
            raw = export_plaintext(ws, tmp_path / f"{cell.name}-{cover}.db")
            sits_in = {g for g, by_cell in seated.items() if ws in by_cell.values()}
            for mark in marks:
                present = mark.value in raw
                if mark.owner == cell.pseudonym:
                    # control: the scan sees the member's own cell, every member of it
                    if mark.what in ("cover name", "leaf signature key", "cell group id"):
                        assert present, (cover, mark.what)
                    continue
                if mark.group is not None and mark.group in sits_in:
                    if present:
                        exercised.add(mark.group)  # a seat's identity, allowed here
                    continue
                if present:
                    found.append((cell.pseudonym, cover, mark.owner, mark.what))
            if ws is cell.delegate:
                # a delegate's device holds no roster of other cells
                strangers = [n for x in (a, b, c, d, e) if x is not cell for n in x.names]
                assert [n for n in strangers if n.encode() in raw] == [], cover
    assert found == []
    # The relay (a state-run one, say) stores none of it but the mailboxes it serves.
    relay_db = Path(relay.db.removeprefix("sqlite:///"))
    relay_bytes = b"".join(p.read_bytes() for p in relay_db.parent.glob(relay_db.name + "*"))
    assert len(relay_bytes) > 100_000
    hidden = [m for m in marks if "mailbox" not in m.what]
    assert [(m.owner, m.what) for m in hidden if m.value in relay_bytes] == []
    # the allowance was used: delegates do hold the seats of their alliances and council
    assert exercised == {"north", "south", "national"}
