"""A cell's delegates page: two people elect by STV (two seats) from the decisions page,
record the election on the delegates page (Persian first), and both see who speaks for
the cell; a bad election or a cross-site post is refused with a Persian message and
changes nothing. In-process, with a real relay process, like test_cells."""

from __future__ import annotations

import html as htmllib
from collections.abc import Callable

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
