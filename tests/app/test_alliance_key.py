"""The alliance's bulletin key through a real relay (issue 17): held by the editors the
alliance names by a vote, sealed to their seats, rotated when an editor is recalled,
deleted from every device that must no longer hold it.

Three cells (bakery 3 members, mill 2, dairy 2) elect delegates and form "north". The
alliance names cell-a's and cell-b's delegates its editors; the key appears on both
seats (and nowhere else); an editor compiles issue 1 and republishes it into cell A.
Cell A then recalls its delegate: the alternate takes the seat, the remaining editor
rotates the key (the new one signed by the old), the recalled delegate's device deletes
the old key (a raw SQLCipher export holds no byte of it), the alternate receives the new
key and compiles issue 2. The attacks: a delegate not named editor cannot compile
(refused by its client, nothing sent); a forged issue signed with the stale key after the
rotation is flagged in the cell; a sealed copy replayed to another editor or into another
alliance does not open.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from hasteh.app import (
    Workspace,
    alliances,
    bulletin_key,
    cards,
    cells,
    delegation,
    federation,
    runtime,
)
from hasteh.app.errors import BadInput
from hasteh.errors import HastehError
from hasteh.mls import hpke
from hasteh.org.alliance import key_holders
from hasteh.org.events import CarriedDown, EventId
from hasteh.org.events.bulletin import SealedKey
from hasteh.publish.claim import make_claim
from hasteh.publish.issue import parse_issue
from hasteh.publish.keys import BulletinKey, fingerprint_of
from hasteh.publish.rotation import follow
from hasteh.vault import events as vevents
from tests.app.helpers import settle_relay
from tests.app.test_delegation import decide_all, three_cells
from tests.app.test_expiry import export_plaintext
from tests.relay.harness import RelayProcess

NORTH = "north"
DAY = 86_400


def vote_all(delegates: list[Workspace], motion: bytes) -> None:
    settle_relay(delegates)
    for ws in delegates:
        alliances.vote(ws, NORTH, motion, agree=True)
    for _ in range(3):  # the vote closes; seats post inboxes; the key is made and sealed
        settle_relay(delegates)


def seed_of(ws: Workspace) -> dict[str, bytes]:
    """The alliance's bulletin keys this device holds (public hex → seed)."""
    return dict(alliances.find_alliance(ws, NORTH).record.bulletin_keys)


def stored_count(ws: Workspace) -> int:
    art = alliances.find_alliance(ws, NORTH)
    return len(ws.vault.read(lambda conn: vevents.read(conn, art.group_id, limit=99_999)))


def test_the_alliance_key_named_held_rotated_on_recall_and_deleted(
    make_ws: Callable[[str], Workspace], relay: RelayProcess, tmp_path: Path
) -> None:
    three = three_cells(make_ws, relay.url)
    cell_a = three.cell_a
    kaveh, shirin, nasrin, farhad = three.kaveh, three.shirin, three.nasrin, three.farhad
    delegates, shirin_card = three.delegates, three.shirin_card

    # Before any naming nobody holds a key, and nobody can compile.
    federation.submit_article(nasrin, NORTH, "Night shifts", "Nobody works nights alone.")
    editorial = alliances.open_motion(farhad, NORTH, "Issue 1?", farhad.now() + DAY)
    vote_all(delegates, editorial)
    with pytest.raises(BadInput) as none_yet:
        federation.compile_issue(kaveh, NORTH, editorial, title="Workers' Voice")
    assert none_yet.value.code == "fed-not-editor"

    # The alliance names cell-a's and cell-b's delegates, one vote per cell.
    naming = federation.name_editors(
        farhad, NORTH, ["cell-a", "cell-b"], deadline=farhad.now() + DAY
    )
    vote_all(delegates, naming)
    first = key_holders(alliances.find_alliance(farhad, NORTH).org).current
    assert first is not None
    assert set(seed_of(kaveh)) == set(seed_of(nasrin)) == {first.public.hex()}
    assert seed_of(farhad) == {}
    old_seed = seed_of(kaveh)[first.public.hex()]
    assert BulletinKey.from_seed(old_seed).public == first.public
    for ws in delegates:
        view = federation.key_view(ws, NORTH)
        assert view.editors == ("cell-a", "cell-b") and view.rotations == 0
    assert federation.key_view(kaveh, NORTH).holds and not federation.key_view(farhad, NORTH).holds
    # The non-editor's device stores only ciphertext: its raw export holds no key byte.
    assert old_seed not in export_plaintext(farhad, tmp_path / "farhad-1.db")

    # Attack: a delegate not named editor compiles. Refused by its client, nothing sent.
    before = stored_count(farhad)
    with pytest.raises(BadInput) as not_editor:
        federation.compile_issue(farhad, NORTH, editorial, title="Workers' Voice")
    assert not_editor.value.code == "fed-not-editor"
    settle_relay(delegates)
    assert stored_count(farhad) == before
    assert all(not alliances.find_alliance(ws, NORTH).org.issues for ws in delegates)

    # An editor compiles; cell A's delegate republishes into cell A, where it is genuine.
    assert federation.compile_issue(nasrin, NORTH, editorial, title="Workers' Voice") == 1
    settle_relay(delegates)
    assert [s for _, _, s in federation.view(farhad, NORTH).issues] == ["genuine"]
    federation.republish(kaveh, NORTH, 1, into="bakery")
    settle_relay(cell_a)
    for ws in cell_a:
        [carried] = federation.reports_in(ws, "bakery")
        assert federation.bulletin_statuses([carried]) == {0: "genuine"}

    # Cell A recalls Kaveh; Farhad carries the recall; the swap seats Shirin.
    recall = decide_all(cell_a, "bakery", "proposal", "Recall Kaveh?", position="agree")
    code = delegation.recall(shirin, "bakery", recall, shirin_card)
    settle_relay(cell_a)
    delegation.carry_recall(farhad, NORTH, code)
    everyone = [*delegates, shirin]
    for _ in range(4):
        settle_relay(everyone)
    assert alliances.find_alliance(kaveh, NORTH).record.removed

    # The remaining editor rotated the key: the new one signed by the old, for the
    # latest naming; Shirin's seat (cell-a is still named) holds the new key.
    chain = key_holders(alliances.find_alliance(farhad, NORTH).org).chain
    assert len(chain.keys) == 2
    second = chain.keys[1]
    assert second.rotation is not None and second.rotation.old == first.public
    assert second.reason_id == naming
    assert second.issued_by == int(
        next(
            leaf
            for leaf, m in alliances.find_alliance(farhad, NORTH).org.members.items()
            if m.cell == "cell-b"
        )
    )
    for ws in (shirin, nasrin):
        assert set(seed_of(ws)) == {second.public.hex()}
    # The recalled delegate's device deleted the key and its inbox: no byte of it left.
    rt = alliances.find_alliance(kaveh, NORTH)
    assert rt.record.bulletin_keys == {} and rt.record.bulletin_inbox == b""
    assert old_seed not in export_plaintext(kaveh, tmp_path / "kaveh.db")
    assert old_seed not in export_plaintext(nasrin, tmp_path / "nasrin.db")
    assert federation.key_view(farhad, NORTH).rotations == 1

    # The alternate compiles issue 2 with the new key and republishes it into cell A.
    federation.submit_article(farhad, NORTH, "Gate 3", "Watch the new camera.")
    second_issue = alliances.open_motion(farhad, NORTH, "Issue 2?", farhad.now() + DAY)
    seats = [shirin, nasrin, farhad]
    vote_all(seats, second_issue)
    assert federation.compile_issue(shirin, NORTH, second_issue, title="Workers' Voice") == 2
    settle_relay(seats)
    assert [s for _, _, s in federation.view(farhad, NORTH).issues] == ["genuine", "genuine"]
    federation.republish(shirin, NORTH, 2, into="bakery")
    settle_relay(cell_a)

    # Attack: whoever kept the old key (a copy taken from Kaveh's device before the
    # recall) forges issue 3 and Kaveh, still a member of cell A, carries it in with the
    # chain as it stood before the rotation. Every member sees it flagged, the two
    # genuine issues stay genuine.
    stale = BulletinKey.from_seed(old_seed)
    source = "---\ntitle: Workers' Voice\nnumber: 3\ndate: 1405/01/01\n---\n\n"
    source += "# Strike off\n\nStay home.\n"
    claim = make_claim(stale, 3, parse_issue(source.encode()).digest()).to_text()
    forged = f"{claim}\nkeys:{first.public.hex()}\n{source}"
    bakery = cells.find_cell(kaveh, "bakery")
    runtime.send_event(kaveh, bakery, CarriedDown("bulletin", NORTH, forged, None, (NORTH,)))
    settle_relay(cell_a)
    for ws in cell_a:
        found = federation.reports_in(ws, "bakery")
        assert len(found) == 3
        statuses = federation.bulletin_statuses(found)
        by_title = {
            title: statuses[i]
            for i, r in enumerate(found)
            for title in ("Night shifts", "Gate 3", "Strike off")
            if f"# {title}" in r.text
        }
        assert by_title == {
            "Night shifts": "genuine",
            "Gate 3": "genuine",
            "Strike off": "stale-key",
        }
    # The same forgery with the chain that is current still names a retired key.
    chained = federation.chain_line(alliances.find_alliance(farhad, NORTH).org)
    genuine = [r for r in found if "Strike off" not in r.text]
    forged_report = next(r for r in found if "Strike off" in r.text)
    relinked = dataclasses.replace(forged_report, text=f"{claim}\n{chained}\n{source}")
    assert federation.bulletin_status(relinked, genuine) == "stale-key"
    # Signed by a key of its own making, on the genuine chain: not the alliance's.
    mine = BulletinKey.from_seed(b"\x77" * 32)
    other = make_claim(mine, 3, parse_issue(source.encode()).digest()).to_text()
    made = dataclasses.replace(forged_report, text=f"{other}\n{chained}\n{source}")
    assert federation.bulletin_status(made, genuine) == "other-key"
    state = follow(fingerprint_of(first.public), federation.read_chain(chained)[1])
    assert state.current == fingerprint_of(second.public)


def test_a_sealed_key_copy_opens_only_for_its_editor_in_its_alliance(
    make_ws: Callable[[str], Workspace], relay: RelayProcess
) -> None:
    """The editors' sealed copies of one alliance's key: relabelled for another editor,
    or opened as if for another alliance, they do not open; the right one does."""
    a, b = make_ws("a"), make_ws("b")
    alliances.form(a, NORTH, cell="cell-a", relays=[relay.url])
    alliances.propose_cell(a, NORTH, cards.create_card(b, "cell-b", relays=[relay.url]))
    settle_relay([a, b])
    settle_relay([a, b])
    # Bad input: a precise refusal, nothing sent.
    before = alliances.find_alliance(a, NORTH).org
    for cells_named, code in (
        ([], "bad-editors"),
        ([" "], "bad-editors"),
        (["cell-x"], "not-a-member-cell"),
    ):
        with pytest.raises(HastehError) as err:
            federation.name_editors(a, NORTH, cells_named, deadline=a.now() + DAY)
        assert getattr(err.value, "code", None) == code
    assert alliances.find_alliance(a, NORTH).org == before
    naming = federation.name_editors(a, NORTH, ["cell-a", "cell-b"], deadline=a.now() + DAY)
    vote_all([a, b], naming)
    rt_a, rt_b = alliances.find_alliance(a, NORTH), alliances.find_alliance(b, NORTH)
    current = key_holders(rt_b.org).current
    assert current is not None and set(seed_of(a)) == set(seed_of(b)) == {current.public.hex()}
    [copy] = current.sealed  # the maker sealed one copy, to the other editor
    other = rt_a if copy.leaf == rt_b.own_leaf else rt_b
    owner = rt_b if other is rt_a else rt_a
    suite = (bulletin_key.KEM, bulletin_key.KDF, bulletin_key.AEAD)
    info = b"hasteh bulletin key v1\0"

    def opens(rt: runtime.GroupRuntime[object], group_id: bytes, leaf: int) -> bool:
        aad = current.public + leaf.to_bytes(4, "big")
        try:
            seed = hpke.open_base(
                *suite, copy.enc, rt.record.bulletin_inbox, info + group_id, aad, copy.ct
            )
        except Exception:
            return False
        return BulletinKey.from_seed(seed).public == current.public

    assert opens(owner, owner.group_id, copy.leaf)  # control: its editor opens it
    assert not opens(owner, bytes(len(owner.group_id)), copy.leaf)  # another alliance
    assert not opens(other, owner.group_id, other.own_leaf)  # replayed to another editor
    # Relabelled for the other editor's leaf, it is not theirs to open either.
    relabelled = dataclasses.replace(
        current, sealed=(SealedKey(other.own_leaf, copy.enc, copy.ct),)
    )
    assert bulletin_key._open(other, relabelled) is None
    assert bulletin_key._open(owner, current) is not None
    assert EventId(naming) in rt_a.org.editor_namings
