"""The contacts page (`/contacts`) through the real app: add, show to the cell, tell the
cell, delete; bad input gives a precise Persian message and keeps nothing; a post
without the form's token is refused."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable

from hasteh.app import contacts
from tests.web.test_cells import FA, Person, form_cell, people, relay

__all__ = ["people", "relay"]  # the fixtures, used by name

NAME = "رحیم"


def test_contacts_through_the_page(people: Callable[[str], Person]) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    assert a.client.post("/contacts/add", data={"code_name": "x"}).status_code == 403
    status, path, page = a.submit(
        "/contacts/add",
        {"code_name": NAME, "workplace": "کارخانه", "notes": "شیفت شب"},
        "/contacts",
    )
    assert status == 200 and path == "/contacts", page
    assert FA.gettext("Kept on this device only.") in page and NAME in page
    ref = re.search(r'name="ref" value="([0-9a-f]{16})"', page)
    assert ref
    _, _, page = a.submit("/contacts/share", {"ref": ref.group(1), "on": "yes"}, "/contacts")
    assert FA.gettext("(the cell sees this code name)") in page
    cell_id = cell.rsplit("/", 1)[1]
    _, _, page = a.submit("/contacts/tell", {"cell": cell_id}, "/contacts")
    assert FA.gettext("Sent to the cell: the count and the code names you chose.") in page
    b.submit("/sync", {"next": f"{cell}/members"}, f"{cell}/members")
    members = htmllib.unescape(b.client.get(f"{cell}/members").text)
    assert FA.gettext("contacts with leading workers: {n}").format(n="۱") in members
    assert NAME in members and "کارخانه" not in members and "شیفت شب" not in members
    _, _, page = a.submit("/contacts/forget", {"ref": ref.group(1)}, "/contacts")
    assert FA.gettext("No contacts on this device.") in page


def test_bad_input_on_the_contacts_page_keeps_nothing(people: Callable[[str], Person]) -> None:
    a = people("a")
    cases = {
        "card": {"code_name": "کاوه", "notes": "کارت ۶۰۳۷-۹۹۱۲-۳۴۵۶-۷۸۹۳"},
        "hidden": {"code_name": "a\u202eb"},
        "empty": {"code_name": "   "},
    }
    for name, data in cases.items():
        status, _, page = a.submit("/contacts/add", data, "/contacts")
        assert status == 400, name
        assert 'class="errors"' in page or 'role="alert"' in page, name
    assert a.app_read(contacts.list_contacts) == []
