"""A cell's delegates page: two people elect by STV (two seats) from the decisions page,
record the election on the delegates page (Persian first), and both see who speaks for
the cell; a bad election or a cross-site post is refused with a Persian message and
changes nothing. In-process, with a real relay process, like test_cells."""

from __future__ import annotations

import html as htmllib
from collections.abc import Callable

from hasteh.app import Workspace, alliances, decisions, delegation
from tests.relay.harness import RelayProcess
from tests.web.test_cells import FA, Person, form_cell, people, relay

__all__ = ["people", "relay"]  # the fixtures, used by name


def test_a_cell_records_its_delegates_from_the_pages(people: Callable[[str], Person]) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    page_path = f"{cell}/delegates"
    page = a.client.get(cell).text
    assert f'href="{page_path}"' in page and FA.gettext("Delegates") in page
    page = a.client.get(page_path).text
    assert FA.gettext("The cell has not elected its delegates yet.") in page

    # Refused: no election yet (the "(none)" choice); nothing is recorded.
    status, _, page = a.submit(
        f"{page_path}/elect", {"decision": "0", "pseudonym": "شمال-۱"}, page_path
    )
    assert status == 400
    assert FA.gettext("There is no such decision in this cell.") in htmllib.unescape(page)
    assert b.client.post(f"{page_path}/elect", data={"decision": "1"}).status_code == 403

    status, path, _ = a.submit(
        f"{cell}/decisions",
        {"kind": "stv", "question": "نماینده‌های ما؟", "options": "سپیده\nرضا", "deadline": "+2d"},
        f"{cell}/decisions",
    )
    assert status == 200
    decision = path
    a.submit(f"{decision}/vote", {"rank_1": "2", "rank_2": "1"}, decision)
    b.submit("/sync", {"next": cell}, cell)
    b.submit(f"{decision}/vote", {"rank_1": "2", "rank_2": "1"}, decision)
    a.submit("/sync", {"next": cell}, cell)
    status, _, page = a.submit(f"{decision}/close", {}, decision)
    assert status == 200 and 'class="outcome"' in page, page

    page = a.client.get(page_path).text
    assert "نماینده‌های ما؟" in page  # offered as the election
    status, path, page = a.submit(
        f"{page_path}/elect",
        {"decision": "1", "pseudonym": "north-1", "term_days": "۹۰", "mandate": "فقط با رأی هسته"},
        page_path,
    )
    assert status == 200 and path == page_path, page
    assert FA.gettext("The cell's delegates are recorded.") in page
    b.submit("/sync", {"next": cell}, cell)
    seen_by_b = b.client.get(page_path).text
    for seen in (page, seen_by_b):
        assert "<bdi>رضا</bdi>" in seen and "<bdi>سپیده</bdi>" in seen
        assert "north-1" in seen and "فقط با رأی هسته" in seen
        assert FA.gettext("No report from the alliance yet.") in seen


def elect(a: Person, b: Person, cell: str, first: str, second: str) -> None:
    """An STV election from the decisions page, recorded on the delegates page."""
    _, decision, _ = a.submit(
        f"{cell}/decisions",
        {"kind": "stv", "question": "نماینده‌ها؟", "options": "سپیده\nرضا", "deadline": "+2d"},
        f"{cell}/decisions",
    )
    ballot = {"rank_1": first, "rank_2": second}
    a.submit(f"{decision}/vote", ballot, decision)
    b.submit("/sync", {"next": cell}, cell)
    b.submit(f"{decision}/vote", ballot, decision)
    a.submit("/sync", {"next": cell}, cell)
    a.submit(f"{decision}/close", {}, decision)
    status, _, page = a.submit(
        f"{cell}/delegates/elect", {"decision": "1", "pseudonym": "cell-a"}, f"{cell}/delegates"
    )
    assert status == 200, page


def test_a_delegates_alliance_pages(people: Callable[[str], Person], relay: RelayProcess) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    cell_id = cell.rsplit("/", 1)[1]
    none = (
        "No alliances on this device. Form one below; or, to join one, make your card on the "
        "Join a cell page and hand it in person to a delegate of the alliance."
    )
    assert FA.gettext(none) in htmllib.unescape(a.client.get("/alliances").text)
    elect(a, b, cell, "1", "2")  # سپیده the delegate

    def setup(ws: Workspace) -> str:
        delegation.create_key(ws, cell_id, "1")
        alliances.form(ws, "north", cell="cell-a", relays=[relay.url])
        delegation.register_key(ws, "north", cell_id)
        motion = alliances.open_motion(ws, "north", "A joint strike?", ws.now() + 86_400)
        opened = decisions.open_decision(
            ws, cell_id, kind="proposal", question="Yes to it?", deadline=ws.now() + 86_400
        )
        decisions.vote(ws, cell_id, opened.decision_id[:8], position="agree")
        return f"{motion.hex()}|{opened.decision_id[:8]}"

    motion, mandate = str(a.app_read(setup)).split("|")
    a.submit("/sync", {"next": cell}, cell)
    b.submit("/sync", {"next": cell}, cell)
    decision = f"{cell}/decisions/{mandate}"
    status, _, page = b.submit(f"{decision}/vote", {"position": "agree"}, decision)
    assert status == 200, page
    a.submit("/sync", {"next": cell}, cell)
    a.app_read(lambda ws: decisions.close(ws, cell_id, mandate))
    a.app_read(lambda ws: delegation.give_mandate(ws, cell_id, motion, "A joint strike?", mandate))

    listing = a.client.get("/alliances").text
    assert "north" in listing and "cell-a" in listing
    ref = listing.split('href="/alliance/')[1][:8]
    page_path = f"/alliance/{ref}"
    page = a.client.get(page_path).text
    assert "A joint strike?" in page and FA.gettext("key registered") in page
    assert "نانوایی" in page  # the profile's cells to choose from, never shown to others
    status, _, page = a.submit(
        f"{page_path}/vote", {"cell": cell_id, "motion": motion[:8]}, page_path
    )
    assert status == 200 and FA.gettext("Voted as the cell decided.") in page, page
    a.submit("/sync", {"next": cell}, cell)  # every cell voted: the lowest seat closes it
    page = a.client.get(page_path).text
    assert FA.gettext("adopted") in page
    status, _, page = a.submit(
        f"{page_path}/sign", {"cell": cell_id, "motion": motion[:8]}, page_path
    )
    assert status == 200 and FA.gettext("Tally signed.") in page, page
    # Reported back with only its own cell's signature: refused, in Persian; nothing sent.
    status, _, page = a.submit(
        f"{page_path}/report", {"cell": cell_id, "motion": motion[:8]}, page_path
    )
    assert status == 400
    assert FA.gettext("No other cell signed this tally; it proves nothing yet.") in page
    assert a.client.get(f"{cell}/delegates").text.count('class="reports"') == 0
