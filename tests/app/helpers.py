"""Shared steps of the app scenarios: form a cell, settle, compare safety words."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hasteh.app import Workspace, admission, cards, cells, courier, sync
from hasteh.app.sync import SyncReport
from hasteh.transport.courier import KdfCost

#: Test-only courier Argon2id cost.
CHEAP = KdfCost(memory_kib=8 * 1024, iterations=1, lanes=1)
CELL = "bakery"
NAMES = ("sepideh", "reza", "maryam", "kaveh", "nasrin", "omid", "leila")


def settle_relay(members: Sequence[Workspace], rounds: int = 3) -> None:
    """Sync everyone until nothing moves (bounded)."""
    for _ in range(rounds):
        moved = 0
        for ws in members:
            report: SyncReport = sync.sync(ws)
            moved += report.sent + report.received + report.commits_staged + len(report.joined)
        if not moved:
            return


def settle_courier(members: Sequence[Workspace], rounds: int = 3) -> None:
    """Everyone exports a bundle; everyone imports everyone else's (no relay at all)."""
    for _ in range(rounds):
        bundles = [(ws, *courier.export_bundle(ws, cost=CHEAP)[:2]) for ws in members]
        moved = 0
        for ws in members:
            for maker, code, data in bundles:
                if maker is not ws:
                    report = courier.import_bundle(ws, data, code, cost=CHEAP)
                    moved += report.received + report.commits_staged + len(report.joined)
        if not moved:
            return


Settle = Callable[[Sequence[Workspace]], None]


def words(members: Sequence[Workspace], cell: str = CELL) -> set[tuple[str, ...]]:
    return {cells.safety_words(ws, cell) for ws in members}


def assert_same_words(members: Sequence[Workspace], cell: str = CELL) -> None:
    found = words(members, cell)
    assert len(found) == 1, found
    epochs = {cells.find_cell(ws, cell).require_group().epoch for ws in members}
    assert len(epochs) == 1, epochs


def form_cell(
    make_ws: Callable[[str], Workspace], relay_url: str, settle: Settle, n: int = 5
) -> list[Workspace]:
    """Founder + (n-1) newcomers admitted through cards, vouches and approvals; safety
    words are compared after every change."""
    founder = make_ws(NAMES[0])
    cells.create_cell(founder, CELL, cover_name=NAMES[0], relays=[relay_url])
    members = [founder]
    for i in range(1, n):
        newcomer = make_ws(NAMES[i])
        code = cards.create_card(newcomer, NAMES[i], relays=[relay_url])
        proposer = members[(i - 1) % len(members)]
        admission.propose(proposer, CELL, code)
        settle(members)
        others = [m for m in members if m is not proposer]
        if others:
            admission.vouch(others[0], CELL, NAMES[i])
            for m in others[1:]:
                admission.approve(m, CELL, NAMES[i])
        settle([*members, newcomer])
        members.append(newcomer)
        settle(members)
        for m in members:
            assert [v.cover_name for v in cells.members(m, CELL)] == list(NAMES[: i + 1])
        assert_same_words(members)
    return members
