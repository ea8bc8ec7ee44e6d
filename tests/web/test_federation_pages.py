"""The alliance's page (issue 17): two delegates amend the programme, vote one vote per
cell, see it ratified and endorsed (with the cells' pseudonyms, never a member); a joint
action with each cell's count; a warning. A cross-site post is refused; bad input gets a
Persian message and changes nothing. In-process, with a real relay process."""

from __future__ import annotations

import html as htmllib
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from hasteh.app import Workspace, alliances, cards, federation
from hasteh.app.errors import APP_MESSAGES
from hasteh.org import alliance as alliance_rules
from tests.web.test_cells import FA, Person, create_cell, people, relay

__all__ = ["people", "relay"]  # the fixtures, used by name

KEYS = {"bakers": Ed25519PrivateKey.from_private_bytes(b"\x05" * 32)}


def public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def two_delegates(a: Person, b: Person) -> str:
    """A forms "north" for the cell "bakers"; B's cell "weavers" joins; the page's path."""

    def form(ws: Workspace) -> str:
        from hasteh.app.records import default_relays

        relays = ws.vault.read(default_relays)
        return alliances.form(ws, "north", cell="bakers", relays=relays).group_id.hex()

    group = a.app_read(form)
    assert isinstance(group, str)

    def card(ws: Workspace) -> str:
        from hasteh.app.records import default_relays

        return cards.create_card(ws, "weavers", relays=ws.vault.read(default_relays))

    code = b.app_read(card)
    assert isinstance(code, str)
    a.app_read(lambda ws: alliances.propose_cell(ws, "north", code))
    page = f"/alliance/{group}/programme"
    a.submit("/sync", {"next": page}, page)
    b.submit("/sync", {"next": "/home"}, "/home")
    a.submit("/sync", {"next": page}, page)
    assert b.client.get(page).status_code == 200
    assert f'href="{page}"' in b.client.get("/home").text  # the way in: My cells
    return page


def test_the_programme_page(
    people: Callable[[str], Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    table = {cell: public(key) for cell, key in KEYS.items()}
    monkeypatch.setattr(alliance_rules, "cell_key", lambda state, cell: table.get(cell))
    a, b = people("a"), people("b")
    page = two_delegates(a, b)
    text = a.client.get(page).text
    assert FA.gettext("The programme has no ratified version yet.") in text
    assert "weavers" in text and "bakers" in text
    # A cross-site post (no CSRF token) is refused.
    assert b.client.post(f"{page}/amend", data={"section": "x"}).status_code == 403

    status, path, text = b.submit(
        f"{page}/amend", {"section": "مزد", "text": "مزد کافی و به‌موقع.", "deadline": ""}, page
    )
    assert status == 200 and path == page, text
    a.submit("/sync", {"next": page}, page)
    status, _, text = a.submit(f"{page}/vote", {"vote": "۱", "answer": "yes"}, page)
    assert status == 200, text
    b.submit(f"{page}/vote", {"vote": "1", "answer": "yes"}, page)
    for _ in range(2):
        a.submit("/sync", {"next": page}, page)
        b.submit("/sync", {"next": page}, page)
    text = htmllib.unescape(b.client.get(page).text)
    assert "مزد کافی و به‌موقع." in text
    assert FA.gettext("Version {n}, ratified {date}").split("{")[0] in text
    a.app_read(lambda ws: federation.endorse(ws, "north", 1, KEYS["bakers"]))
    a.submit("/sync", {"next": page}, page)
    _, where, text = b.submit("/sync", {"next": page}, page)
    assert where == page, (where, text[-3000:])
    endorsed = text.split('class="endorsers"')[1].split("</p>")[0]
    assert "bakers" in endorsed and "weavers" not in endorsed

    data = {
        "title": "تعطیلی دوشنبه",
        "demands": "مزد به‌موقع\nبدون شیفت شب",
        "date": "",
        "deadline": "",
    }
    status, _, text = a.submit(f"{page}/joint", data, page)
    assert status == 200, text
    status, _, text = a.submit(f"{page}/count", {"action": "1", "count": "۶"}, page)
    assert status == 200, text
    b.submit("/sync", {"next": page}, page)
    b.submit(f"{page}/count", {"action": "1", "count": "4"}, page)
    _, _, text = a.submit("/sync", {"next": page}, page)
    text = htmllib.unescape(text)
    assert "بدون شیفت شب" in text and "۱۰" in text  # the total, in Persian digits
    status, _, text = b.submit(
        f"{page}/warn", {"kind": "place", "text": "دروازهٔ ۳ زیر نظر است."}, page
    )
    assert status == 200, text
    _, _, text = a.submit("/sync", {"next": page}, page)
    assert "دروازهٔ ۳ زیر نظر است." in htmllib.unescape(text)


def test_bad_input_on_the_programme_page_changes_nothing(people: Callable[[str], Person]) -> None:
    a, b = people("a"), people("b")
    page = two_delegates(a, b)
    before = a.app_read(lambda ws: federation.view(ws, "north"))
    cases = [
        (
            "count",
            {"action": "1", "count": "5"},
            "There is no joint action with this number in the alliance.",
        ),
        (
            "joint",
            {"title": "x", "demands": "", "date": "", "deadline": ""},
            "A joint action needs 1 to 12 demands, each at most 200 characters.",
        ),
        (
            "amend",
            {"section": "x", "text": "", "deadline": ""},
            "The programme has no section {section} to remove.",
        ),
        ("amend", {"section": "x", "text": "y", "deadline": "دیروز"}, None),
        (
            "vote",
            {"vote": "9", "answer": "yes"},
            "There is no vote, warning or report-back with this number there.",
        ),
        ("vote", {"vote": "1", "answer": "maybe"}, None),
        ("warn", {"kind": "rumour", "text": "x"}, None),
        ("warn", {"kind": "place", "text": "   "}, "There is nothing to send."),
        ("endorse", {"cell": "nowhere", "version": "1", "decision": "1"}, None),
        ("endorse", {"cell": "nowhere", "version": "یک", "decision": "1"}, None),
        ("nothing", {}, "Nothing was changed."),
    ]
    for what, data, message in cases:
        status, _, text = a.submit(f"{page}/{what}", data, page)
        assert status == 400, (what, data)
        if message is not None:
            expected = FA.gettext(message).split("{")[0]
            assert expected in htmllib.unescape(text), (what, message)
    assert a.app_read(lambda ws: federation.view(ws, "north")) == before
    assert a.client.get("/alliance/nowhere/programme").status_code == 404


def test_the_bulletin_on_the_alliance_page(people: Callable[[str], Person]) -> None:
    a, b = people("a"), people("b")
    page = two_delegates(a, b)
    cell = create_cell(a)
    status, _, text = b.submit(
        f"{page}/article", {"title": "شب‌کاری", "body": "هیچ‌کس نباید شب تنها کار کند."}, page
    )
    assert status == 200, text
    a.submit("/sync", {"next": page}, page)
    motion = a.app_read(
        lambda ws: alliances.open_motion(ws, "north", "شمارهٔ ۱؟", ws.now() + 86_400)
    )
    assert isinstance(motion, bytes)
    a.submit("/sync", {"next": page}, page)
    b.submit("/sync", {"next": page}, page)
    for person in (a, b):
        status, _, text = person.submit(f"{page}/vote", {"vote": "1", "answer": "yes"}, page)
        assert status == 200, text
    for _ in range(2):
        a.submit("/sync", {"next": page}, page)
        b.submit("/sync", {"next": page}, page)
    # The alliance names cell-a's delegate its editor (a vote of the alliance, through the
    # page's form); the key reaches that seat at the next syncs; then it compiles.
    status, _, text = a.submit(f"{page}/editors", {"cell": "bakers"}, page)
    assert status == 200, text
    a.submit("/sync", {"next": page}, page)
    b.submit("/sync", {"next": page}, page)
    shown = a.app_read(lambda ws: federation.key_view(ws, "north"))
    assert isinstance(shown, federation.KeyView)
    [(number, named)] = shown.open_namings
    assert named == ("bakers",)
    naming, editorial = str(number), str(3 - number)  # the two votes of the alliance
    for person in (a, b):
        status, _, text = person.submit(f"{page}/vote", {"vote": naming, "answer": "yes"}, page)
        assert status == 200, text
    for _ in range(3):
        a.submit("/sync", {"next": page}, page)
        b.submit("/sync", {"next": page}, page)
    status, _, text = b.submit(f"{page}/compile", {"vote": editorial, "title": "صدای کارگر"}, page)
    assert status == 400 and FA.gettext(APP_MESSAGES["fed-not-editor"]).split(":")[0] in (
        htmllib.unescape(text)
    )
    status, _, text = a.submit(f"{page}/compile", {"vote": editorial, "title": "صدای کارگر"}, page)
    assert status == 200, text
    text = htmllib.unescape(a.client.get(page).text)
    assert (
        FA.gettext("issue {n}: {title} ({status})").format(
            n="۱", title="صدای کارگر", status=FA.gettext("genuine")
        )
        in text
    )
    assert "مقاله از هستهٔ weavers: شب‌کاری" in text
    cell_id = cell.split("/")[-1]
    status, _, text = a.submit(f"{page}/republish", {"number": "1", "into": cell_id}, page)
    assert status == 200, text
    reports = a.app_read(lambda ws: federation.reports_in(ws, cell_id))
    assert isinstance(reports, tuple) and [r.kind for r in reports] == ["bulletin"]
    assert federation.bulletin_status(reports[0]) == "genuine"
    # Every member of the cell finds it from My cells, checked, with the text.
    assert f'href="{cell}/reports"' in a.client.get("/home").text
    shown = htmllib.unescape(a.client.get(f"{cell}/reports").text)
    assert FA.gettext("genuine") in shown and "هیچ‌کس نباید شب تنها کار کند." in shown
    assert a.client.get("/cell/nowhere/reports").status_code == 404
    status, _, text = a.submit(f"{page}/republish", {"number": "۲", "into": cell_id}, page)
    assert status == 400
