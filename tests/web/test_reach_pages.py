"""The reach pages in-process against a real relay on 127.0.0.1: the transport ladder, a
cell's relays with when each answered, a new list proposed (a decision), junk refused
with 400 and the state unchanged, and the in-country relay only with the warning ticked."""

from __future__ import annotations

import html as htmllib
from collections.abc import Callable

from hasteh.app import Workspace, cells, reach
from tests.web import test_cells
from tests.web.test_cells import FA, Person, create_cell

# The cell pages' fixtures: a relay process for the module, people with their web face.
relay = test_cells.relay
people = test_cells.people


def decisions_of(person: Person, cell: str) -> int:
    ref = cell.rsplit("/", 1)[-1]

    def count(ws: Workspace) -> int:
        return len(cells.find_cell(ws, ref).org.decisions)

    found = person.app_read(count)
    assert isinstance(found, int)
    return found


def test_the_ladder_page_and_the_cells_relays(people: Callable[[str], Person], relay) -> None:
    a = people("a")
    cell = create_cell(a)
    a.submit("/sync", {"next": cell}, cell)
    page = htmllib.unescape(a.client.get(f"{cell}/settings").text)
    assert relay.url in page
    assert FA.gettext("orders the messages") in page
    assert FA.gettext("answered {date}").split("{")[0].strip() in page
    shown = htmllib.unescape(a.client.get("/reach").text)
    assert FA.gettext("How your cells reach their relays") in shown
    status, _, checked = a.submit("/reach", {}, "/reach")
    checked = htmllib.unescape(checked)
    assert status == 200
    assert (
        FA.gettext(
            "Your cells reach their relays directly. It works, but your internet provider sees "
            "it: set up Tor or a proxy when you can."
        )
        in checked
    )
    assert FA.gettext("hasteh's own Tor is off, and no Tor of yours is set as the proxy.") in (
        checked
    )


def test_a_new_relay_list_is_a_decision_and_junk_is_refused(
    people: Callable[[str], Person], relay
) -> None:
    a = people("a")
    cell = create_cell(a)
    bad_relay = FA.gettext(
        "A relay address must start with http:// or https:// and name a host, with no "
        "password, no spaces and no / at the end."
    )
    empty = FA.gettext("A cell needs at least one relay: the list of relays cannot be empty.")
    for junk, said in (
        ("javascript:alert(1)", bad_relay),
        ("", empty),
        ("http://spy:pw@relay.example", bad_relay),
    ):
        status, _, page = a.submit(f"{cell}/relays", {"relays": junk}, f"{cell}/relays")
        assert status == 400
        errors = htmllib.unescape(page.split('<textarea id="new-relays"')[0])
        assert said in errors
        assert "pw@" not in errors  # the typed secret is not repeated in the message
        assert decisions_of(a, cell) == 0
    status, path, page = a.submit(
        f"{cell}/relays", {"relays": f"{relay.url}\n", "deadline": "+2d"}, f"{cell}/relays"
    )
    assert status == 200 and path == f"{cell}/decisions", page
    assert decisions_of(a, cell) == 1


def test_the_local_relay_needs_the_warning_ticked(people: Callable[[str], Person], relay) -> None:
    a = people("a")
    cell = create_cell(a)
    local = "http://127.0.0.1:9"
    status, _, page = a.submit(f"{cell}/local-relay", {"url": local}, f"{cell}/relays")
    assert status == 400
    assert FA.gettext(reach.LOCAL_WARNING) in htmllib.unescape(page)
    status, _, page = a.submit(
        f"{cell}/local-relay", {"url": local, "understood": "yes"}, f"{cell}/relays"
    )
    assert status == 200
    shown = htmllib.unescape(a.client.get(f"{cell}/relays").text)
    assert local in shown and FA.gettext("local, reached directly") in shown
    status, _, _ = a.submit(
        f"{cell}/local-relay", {"url": local, "action": "off"}, f"{cell}/relays"
    )
    assert status == 200
    assert FA.gettext("local, reached directly") not in htmllib.unescape(
        a.client.get(f"{cell}/relays").text
    )
