"""Federation through a real relay (issue 17): three cells in two alliances and a council.

Cells A and B form the alliance "north", cell C the alliance "south"; the delegates of
north and south form the council "national". Proven here: a programme amendment voted one
vote per cell, ratified by the lowest seat and endorsed with the cells' keys (a forged
endorsement refused by the sender's own client and, smuggled past it, dropped by every
other delegate); a joint action with per-cell counts and its go/no-go; a cell's warning
carried down into another cell; a council decision reported back down through both
alliances into every member of every cell. No member of one cell ends up holding a
cover name of another cell's members, not even in a raw export of its vault; and the
nationwide bulletin, compiled, signed, republished and checked.

The cell keys are plain Ed25519 keys until the cell's key (another part of issue 17)
registers them in the alliance's log: `hasteh.org.alliance.cell_key` is patched to them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from hasteh.app import (
    Workspace,
    admission,
    alliances,
    bulletin_key,
    cards,
    cells,
    federation,
    sync,
)
from hasteh.app.errors import Refused
from hasteh.errors import HastehError
from hasteh.org import alliance as alliance_rules
from hasteh.org.alliance import AllianceState
from hasteh.org.events import MotionOutcome
from hasteh.org.events.federation import IssueCompiled, ProgrammeEndorsed
from hasteh.org.joint import go
from hasteh.org.programme import endorsers, sign_endorsement
from hasteh.org.reports import ordered
from hasteh.publish import signing
from hasteh.publish.claim import make_claim
from hasteh.publish.keys import BulletinKey
from tests.app.helpers import CELL, settle_relay
from tests.app.test_alliance import smuggle
from tests.app.test_expiry import export_plaintext
from tests.relay.harness import RelayProcess

DAY = 86_400
#: Each cell's cover names: the delegate (its founder) first.
PEOPLE = {"a": ("Bahar", "Kaveh"), "b": ("Shirin", "Dariush"), "c": ("Nasrin", "Farhad")}
KEYS = {
    f"cell-{x}": Ed25519PrivateKey.from_private_bytes(bytes([i + 1]) * 32)
    for i, x in enumerate("abc")
}


def public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def small_cell(make_ws: Callable[[str], Workspace], relay_url: str, tag: str) -> list[Workspace]:
    """A cell of two: its founder (the cell's delegate) and one member."""
    first, second = PEOPLE[tag]
    founder, member = make_ws(f"{tag}-{first}"), make_ws(f"{tag}-{second}")
    cells.create_cell(founder, CELL, cover_name=first, relays=[relay_url])
    admission.propose(founder, CELL, cards.create_card(member, second, relays=[relay_url]))
    settle_relay([founder, member])
    settle_relay([founder, member])
    assert [m.cover_name for m in cells.members(member, CELL)] == [first, second]
    return [founder, member]


def north(ws: Workspace) -> AllianceState:
    return alliances.find_alliance(ws, "north").org


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every delegate's alliance state knows the three cells' public keys."""
    table = {cell: public(key) for cell, key in KEYS.items()}
    monkeypatch.setattr(alliance_rules, "cell_key", lambda state, cell: table.get(cell))


def test_three_cells_two_alliances_and_a_council(
    make_ws: Callable[[str], Workspace], relay: RelayProcess, keyed: None, tmp_path: Path
) -> None:
    url = relay.url
    cell_a, cell_b, cell_c = (small_cell(make_ws, url, tag) for tag in "abc")
    da, db, dc = cell_a[0], cell_b[0], cell_c[0]
    everyone = [*cell_a, *cell_b, *cell_c]
    alliances.form(da, "north", cell="cell-a", relays=[url])
    alliances.propose_cell(da, "north", cards.create_card(db, "cell-b", relays=[url]))
    alliances.form(dc, "south", cell="cell-c", relays=[url])
    alliances.form(da, "national", cell="north", relays=[url])
    federation.declare_council(da, "national")
    alliances.propose_cell(da, "national", cards.create_card(dc, "south", relays=[url]))
    settle_relay(everyone)
    settle_relay(everyone)
    assert north(db).cells == {"cell-a", "cell-b"}
    council = alliances.find_alliance(dc, "national").org
    assert council.council and council.cells == {"north", "south"}

    # The programme: cell-b proposes, both cells vote, the lowest seat ratifies.
    amendment = federation.propose_amendment(
        db, "north", "Wages", "A living wage, paid on time.", deadline=db.now() + DAY
    )
    settle_relay([da, db])
    alliances.vote(da, "north", amendment, agree=True)
    alliances.vote(db, "north", amendment, agree=True)
    settle_relay([da, db])
    settle_relay([da, db])
    for ws in (da, db):
        prog = north(ws).programme
        assert prog.number == 1 and [s.text for s in prog.sections] == [
            "A living wage, paid on time."
        ]
    federation.endorse(da, "north", 1, KEYS["cell-a"])
    # cell-b's delegate signs with a key that is not its cell's: its own client refuses,
    with pytest.raises(Refused) as err:
        federation.endorse(db, "north", 1, KEYS["cell-c"])
    assert err.value.code == "forged-endorsement"
    # and a hacked client that sends it anyway is dropped by every other delegate.
    version = north(db).programme.versions[0]
    rt_b = alliances.find_alliance(db, "north")
    smuggle(db, rt_b, ProgrammeEndorsed(1, sign_endorsement(KEYS["cell-c"], version)))
    sync.sync(db)
    assert sync.sync(da).dropped == 1
    assert endorsers(north(da).programme, 1) == ["cell-a"]
    federation.endorse(db, "north", 1, KEYS["cell-b"])
    settle_relay([da, db])
    for ws in (da, db):
        assert endorsers(north(ws).programme, 1) == ["cell-a", "cell-b"]

    # A joint action: per-cell counts (numbers only) and the alliance's go.
    action = federation.propose_joint(
        da,
        "north",
        "Monday stoppage",
        ["Wages on time", "No night shifts"],
        date=da.now() + 7 * DAY,
        decide_by=da.now() + 2 * DAY,
    )
    settle_relay([da, db])
    federation.opt_in(da, "north", action, 2)
    federation.opt_in(db, "north", action, 2)
    alliances.vote(da, "north", action, agree=True)
    alliances.vote(db, "north", action, agree=True)
    settle_relay([da, db])
    settle_relay([da, db])
    for ws in (da, db):
        state = north(ws)
        assert dict(state.joint[action].counts) == {"cell-a": 2, "cell-b": 2}
        outcome = state.motions[action].outcome
        assert outcome is not None and go(outcome.adopted) == "go"

    # cell-b warns the alliance; cell-a's delegate carries it into cell A.
    warning = federation.warn(db, "north", "informer", "A new foreman asks who reads the bulletin.")
    settle_relay([da, db])
    federation.report_warning(da, "north", warning, into=CELL)

    # The council decides; each level's delegate carries it one level down.
    motion = alliances.open_motion(
        da, "national", "A national day of action on the 1st?", da.now() + DAY
    )
    settle_relay([da, dc])
    alliances.vote(da, "national", motion, agree=True)
    alliances.vote(dc, "national", motion, agree=True)
    settle_relay([da, dc])
    settle_relay([da, dc])
    federation.report_down(da, "national", motion, into="north")
    federation.report_down(dc, "national", motion, into="south")
    settle_relay(everyone)
    [in_north] = ordered(north(db).carried)
    federation.pass_down(da, "north", in_north.report_id, into=CELL)
    federation.pass_down(db, "north", in_north.report_id, into=CELL)
    [in_south] = ordered(alliances.find_alliance(dc, "south").org.carried)
    federation.pass_down(dc, "south", in_south.report_id, into=CELL)
    settle_relay(everyone)
    settle_relay(everyone)
    for members, via in ((cell_a, "north"), (cell_b, "north"), (cell_c, "south")):
        for ws in members:
            reports = ordered(cells.find_cell(ws, CELL).org.carried)
            decisions = [r for r in reports if r.kind == "decision"]
            assert [(r.text, r.outcome, r.path) for r in decisions] == [
                (
                    "A national day of action on the 1st?",
                    MotionOutcome(True, 2, 0),
                    ("national", via),
                )
            ]
    for ws in cell_a:
        [carried] = [
            r for r in ordered(cells.find_cell(ws, CELL).org.carried) if r.kind == "warning"
        ]
        assert "cell-b" in carried.text and "foreman" in carried.text
    # No member of a cell holds another cell's members' cover names, not even in the raw
    # export of its vault (SQLCipher's `sqlcipher_export`): only pseudonyms crossed.
    for tag, members in zip("abc", (cell_a, cell_b, cell_c), strict=True):
        strangers = {name for other, names in PEOPLE.items() if other != tag for name in names}
        for i, ws in enumerate(members):
            raw = export_plaintext(ws, tmp_path / f"export-{tag}-{i}.db")
            assert raw.count(PEOPLE[tag][i].encode()) > 0  # the scan sees what is there
            assert [n for n in strangers if n.encode() in raw] == [], (tag, i)


def test_bad_input_is_refused_before_anything_is_sent(
    make_ws: Callable[[str], Workspace], relay: RelayProcess
) -> None:
    da = make_ws("delegate")
    alliances.form(da, "north", cell="cell-a", relays=[relay.url])
    before = alliances.find_alliance(da, "north").org
    cases: list[tuple[Callable[[], object], str]] = [
        (
            lambda: federation.propose_joint(
                da, "north", "x", [], date=da.now() + DAY, decide_by=da.now() + DAY
            ),
            "bad-demands",
        ),
        (
            lambda: federation.propose_joint(
                da, "north", "x", ["d"] * 13, date=da.now() + DAY, decide_by=da.now() + DAY
            ),
            "bad-demands",
        ),
        (lambda: federation.opt_in(da, "north", bytes(16), 1_001), "bad-count"),
        (lambda: federation.opt_in(da, "north", bytes(16), 3), "unknown-action"),
        (
            lambda: federation.propose_amendment(
                da, "north", "Wages", "x" * 16_001, deadline=da.now() + DAY
            ),
            "message-too-long",
        ),
        (
            lambda: federation.propose_amendment(da, "north", "Wages", "", deadline=da.now() + DAY),
            "unknown-section",
        ),
        (lambda: federation.endorse(da, "north", 1, KEYS["cell-a"]), "unknown-version"),
        (lambda: federation.warn(da, "north", "place", "   "), "empty-message"),
        (lambda: federation.report_down(da, "north", bytes(16), into="north"), "unknown-decision"),
        (
            lambda: federation.report_down(da, "nowhere", bytes(16), into="north"),
            "unknown-alliance",
        ),
        (lambda: federation.pass_down(da, "north", bytes(16), into="north"), "unknown-decision"),
    ]
    for call, code in cases:
        with pytest.raises(HastehError) as err:
            call()
        assert getattr(err.value, "code", None) == code, code
    state = alliances.find_alliance(da, "north").org
    assert state.joint == before.joint and state.programme == before.programme
    assert not state.warnings and not state.motions


def _issue(
    motion: bytes, number: int, article: bytes, claim: str, key: BulletinKey
) -> IssueCompiled:
    return IssueCompiled(motion, number, "W", 1_780_000_000, (article,), claim, key.public)


def test_a_nationwide_bulletin_compiled_signed_and_republished(
    make_ws: Callable[[str], Workspace], relay: RelayProcess
) -> None:
    """Two cells submit articles; the alliance names cell-a's delegate its editor and
    decides the issue; cell-a's delegate compiles it with the alliance's bulletin key
    (which reached its seat by the naming); cell-b's delegate finds it genuine and
    republishes it into cell B, where a member checks it and the press prints it signed.
    A compile whose claim signs other content is flagged on every device, and one from a
    seat that holds no key is refused by the sender's client and by the log."""
    url = relay.url
    cell_a, cell_b = small_cell(make_ws, url, "a"), small_cell(make_ws, url, "b")
    da, db = cell_a[0], cell_b[0]
    alliances.form(da, "north", cell="cell-a", relays=[url])
    alliances.propose_cell(da, "north", cards.create_card(db, "cell-b", relays=[url]))
    settle_relay([da, db])
    naming = federation.name_editors(da, "north", ["cell-a"], deadline=da.now() + DAY)
    settle_relay([da, db])
    alliances.vote(da, "north", naming, agree=True)
    alliances.vote(db, "north", naming, agree=True)
    settle_relay([da, db])
    settle_relay([da, db])
    key = bulletin_key.held_key(alliances.find_alliance(da, "north"), alliance_rules.key_holders)
    assert key is not None
    federation.submit_article(da, "north", "Night shifts", "Nobody should work nights alone.")
    federation.submit_article(db, "north", "The fund", "How the fund helped three families.")
    editorial = alliances.open_motion(da, "north", "Issue 1: both articles?", da.now() + DAY)
    settle_relay([da, db])
    alliances.vote(da, "north", editorial, agree=True)
    alliances.vote(db, "north", editorial, agree=True)
    settle_relay([da, db])
    settle_relay([da, db])
    assert federation.compile_issue(da, "north", editorial, title="Workers' Voice") == 1
    settle_relay([da, db])
    assert federation.view(db, "north").issues == ((1, "Workers' Voice", "genuine"),)
    assert "# The fund" in federation.issue_text(db, "north", 1)
    federation.republish(db, "north", 1, into=CELL)
    settle_relay(cell_b)
    [carried] = federation.reports_in(cell_b[1], CELL)
    assert carried.kind == "bulletin" and federation.bulletin_status(carried) == "genuine"
    # The same text with one word changed is not what the claim signs.
    tampered = dataclasses.replace(carried, text=carried.text.replace("three", "thirty"))
    assert federation.bulletin_status(tampered) == "altered"
    pdf = federation.press_issue(da, "north", 1)
    verdict = signing.verify(pdf, [key.fingerprint])
    assert verdict.outcome is signing.Outcome.GENUINE

    # Hacked clients skip every check of their own: the editor's sends issue 2 with a
    # claim over other content (cell-b's device folds it, flagged "altered"); cell-b's,
    # whose seat holds no key, sends its own issue 2 under a key of its making (the
    # editor's device drops it: only a holder of the alliance's current key compiles).
    second = alliances.open_motion(da, "north", "Issue 2?", da.now() + DAY)
    third = alliances.open_motion(da, "north", "Issue 3?", da.now() + DAY)
    settle_relay([da, db])
    for motion in (second, third):
        alliances.vote(da, "north", motion, agree=True)
        alliances.vote(db, "north", motion, agree=True)
    settle_relay([da, db])
    settle_relay([da, db])
    article = federation.submit_article(db, "north", "Gate 3", "Watch the new camera.")
    settle_relay([da, db])
    with pytest.raises(HastehError) as refused:
        federation.compile_issue(db, "north", second, title="W", articles=[article])
    assert getattr(refused.value, "code", None) == "fed-not-editor"
    wrong = make_claim(key, 2, bytes(32)).to_text()
    smuggle(da, alliances.find_alliance(da, "north"), _issue(second, 2, article, wrong, key))
    stranger = BulletinKey.from_seed(b"\x66" * 32)
    claim = make_claim(stranger, 2, bytes(32)).to_text()
    smuggle(db, alliances.find_alliance(db, "north"), _issue(third, 2, article, claim, stranger))
    settle_relay([da, db])
    assert [s for _, _, s in federation.view(db, "north").issues] == ["genuine", "altered"]
    assert [s for _, _, s in federation.view(da, "north").issues] == ["genuine"]
    with pytest.raises(HastehError):
        federation.republish(db, "north", 2, into=CELL)
