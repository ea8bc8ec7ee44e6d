"""The fund's page: give, ask, approve (never one's own), pay in parts, the report and the
Beancount export; bad input gets a Persian message and changes nothing. In-process, with
a real relay process, like test_cells."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable

from hasteh.app.errors import APP_MESSAGES
from tests.web.test_cells import FA, Person, form_cell, people, relay

__all__ = ["people", "relay"]  # the fixtures, used by name


def ref_on(page: str) -> str:
    found = re.search(r'<li id="r-([0-9a-f]{8})">', page)
    assert found, page
    return found.group(1)


def test_a_fund_round_through_the_pages(people: Callable[[str], Person]) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    fund = f"{cell}/fund"
    assert FA.gettext("Solidarity fund") in a.client.get(cell).text
    # A cross-site post (no CSRF token) is refused.
    assert b.client.post(f"{fund}/give", data={"amount": "5"}).status_code == 403

    status, path, page = a.submit(f"{fund}/give", {"amount": "۱٬۰۰۰٬۰۰۰", "kind": "cash"}, fund)
    assert status == 200 and path == fund, page
    assert FA.gettext("Recorded and sent to the cell.") in page
    assert "۱۰۰۰۰۰۰" in page

    b.submit("/sync", {"next": fund}, fund)
    data = {"family": "سرو", "category": "rent", "amount": "۴۰۰۰۰۰", "urgency": "urgent"}
    status, _, page = b.submit(f"{fund}/ask", data, fund)
    assert status == 200, page
    ref = ref_on(page)
    # B cannot approve its own request: no button, and a forged post is refused.
    assert 'action="' + fund + '/approve"' not in page
    status, _, page = b.submit(f"{fund}/approve", {"ref": ref}, fund)
    assert status == 400 and FA.gettext(
        "You cannot approve or vote on a matter about yourself."
    ) in htmllib.unescape(page)

    _, _, page = a.submit("/sync", {"next": fund}, fund)
    assert "سرو" in page and f'{fund}/approve"' in page
    status, _, page = a.submit(f"{fund}/approve", {"ref": ref}, fund)
    assert status == 200, page
    status, _, page = a.submit(f"{fund}/pay", {"ref": ref, "amount": "۳۰۰۰۰۰"}, fund)
    assert status == 200, page
    status, _, page = a.submit(f"{fund}/pay", {"ref": ref, "amount": "۱۰۰۰۰۰"}, fund)
    assert status == 200, page
    assert FA.gettext("No open requests.") in page
    assert FA.gettext("Paid requests") in page
    _, _, page_b = b.submit("/sync", {"next": fund}, fund)
    fingerprint = re.search(r"[0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4}", page)
    assert fingerprint and fingerprint.group(0) in page_b
    assert "۶۰۰۰۰۰" in page_b  # cash left
    assert FA.gettext("Out: {amount} to {families} families").format(
        amount="۴۰۰۰۰۰", families="۱"
    ) in htmllib.unescape(page_b)
    export = b.client.get(f"{fund}/beancount")
    assert export.status_code == 200
    assert "Expenses:Hardship  300000 TOMAN" in export.text


def test_bad_input_on_the_fund_page_changes_nothing(people: Callable[[str], Person]) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    fund = f"{cell}/fund"
    before = a.client.get(fund).text
    count = re.search(r"\(([۰-۹]+) ", htmllib.unescape(before))
    assert count and count.group(1) == "۰"
    cases = [
        (
            "give",
            {"amount": "پنج"},
            FA.gettext(APP_MESSAGES["bad-amount"]).split("{")[0],
        ),
        ("give", {"amount": "5", "note": "کارت ۶۰۳۷ ۹۹۱۲ ۳۴۵۶ ۷۸۹۳"}, "شمارهٔ کارت"),
        ("ask", {"family": "IR820540102680020817909002", "category": "food", "amount": "5"}, "شبا"),
        ("ask", {"family": "سرو", "category": "cars", "amount": "5"}, "cars"),
        ("pay", {"ref": "ffffffff", "amount": "5"}, "ffffffff"),
        ("rules", {"period": "۵۰۰"}, FA.gettext("toman")),
        ("nonsense", {}, FA.gettext("Nothing was changed.")),
    ]
    for action, data, expected in cases:
        status, _, page = a.submit(f"{fund}/{action}", data, fund)
        assert status == 400, (action, page)
        assert expected in htmllib.unescape(page), (action, expected)
        assert re.search(r"\(۰ ", htmllib.unescape(page)), action


def test_a_big_fund_is_shown_a_page_at_a_time(people: Callable[[str], Person]) -> None:
    """Open requests come 30 to a page, most urgent first, with links to the others; a
    request made after the page was shown appears on the next view (the memo of the fund
    is renewed when the fund changes)."""
    from hasteh.app import Workspace
    from hasteh.app import fund as app_fund
    from hasteh.web.views.fund import PAGE
    from tests.web.test_cells import create_cell

    a = people("a")
    cell = create_cell(a)
    ref = cell.rsplit("/", 1)[1]
    fund = f"{cell}/fund"

    def ask(ws: Workspace) -> None:
        for i in range(PAGE + 5):
            urgency = "critical" if i < 3 else "normal"
            app_fund.request(ws, ref, f"خانواده {i}", "food", "1000", urgency=urgency)

    a.app_read(ask)
    family = re.compile(r"<bdi>خانواده (\d+)</bdi>")
    first = a.client.get(fund).text
    on_first = family.findall(first)
    assert len(on_first) == PAGE and set(on_first[:3]) == {"0", "1", "2"}  # critical first
    assert FA.gettext("{n} open requests in all.").format(n="۳۵") in first
    less = re.search(r'<a href="([^"]+)">' + re.escape(FA.gettext("Less urgent")), first)
    assert less
    second = a.client.get(htmllib.unescape(less.group(1))).text
    on_second = family.findall(second)
    assert len(on_second) == 5 and not set(on_first) & set(on_second)
    assert FA.gettext("More urgent") in second and FA.gettext("Less urgent") not in second
    # The memo follows the fund: a new critical request is on the first page at once.
    a.app_read(
        lambda ws: app_fund.request(ws, ref, "خانواده تازه", "rent", "5", urgency="critical")
    )
    assert "خانواده تازه" in a.client.get(fund).text
