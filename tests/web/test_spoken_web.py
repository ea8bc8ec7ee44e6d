"""Spoken codes and card images on the web face (no JavaScript), two people against a real
relay process on 127.0.0.1: the newcomer's page shows a code and reloads itself (HTTP
``Refresh``) while its exchange runs in a thread; the member types the code on the cell's
page; both pages show the same check words; a wrong code burns it on both sides. A photo
of a card's QR code proposes the newcomer; a hostile upload is refused precisely."""

from __future__ import annotations

import base64
import html as htmllib
import io
import re
from collections.abc import Callable

from PIL import Image

from hasteh.app import Workspace
from hasteh.app.code_words import WORDS
from hasteh.app.records import set_rendezvous_relays
from hasteh.i18n import translations
from hasteh.web.views.spoken import SpokenSession
from tests.relay.harness import RelayProcess
from tests.web.test_cells import FA, Person, card_code, create_cell
from tests.web.test_cells import people as people
from tests.web.test_cells import relay as relay


def use_rendezvous(person: Person, url: str) -> None:
    def run(ws: Workspace) -> None:
        ws.vault.write(lambda conn: set_rendezvous_relays(conn, [url]))

    person.app_read(run)


def shown_code(page: str) -> str:
    match = re.search(r'<p class="spoken-code"[^>]*><strong>([^<]+)</strong>', page)
    assert match, "no code on the page"
    return htmllib.unescape(match.group(1))


def check_words(page: str) -> str:
    match = re.search(r'<strong class="check-words">([^<]+)</strong>', page)
    assert match, "no check words on the page"
    return match.group(1)


def session_of(person: Person) -> SpokenSession:
    session = person.state().spoken
    assert isinstance(session, SpokenSession) and session.thread is not None
    return session


def finished(person: Person) -> SpokenSession:
    """Wait for the exchange's thread to end (an event, bounded), then the session."""
    session = session_of(person)
    assert session.thread is not None
    session.thread.join(timeout=120)
    assert not session.thread.is_alive()
    return session


def test_a_spoken_code_from_page_to_page(
    people: Callable[[str], Person], relay: RelayProcess
) -> None:
    a, b = people("a"), people("b")
    cell = create_cell(a)
    for person in (a, b):
        use_rendezvous(person, relay.url)
    status, path, page = b.submit("/join/code", {"cover_name": "رضا", "minutes": "۵"}, "/join/code")
    assert status == 200 and path == "/join/code", page
    code = shown_code(page)
    assert len([w for w in code.split(" - ") if w in WORDS]) == 3
    assert b.client.get("/join/code").headers.get("refresh") == "3"

    status, _, taken = a.submit(f"{cell}/propose-code", {"code": code}, f"{cell}/members")
    assert status == 200, taken
    assert FA.gettext("{name} was proposed.").format(name="\u2068رضا\u2069") in taken
    session = finished(b)
    assert session.status == "done", session.errors
    page = b.client.get("/join/code")
    assert "refresh" not in page.headers
    assert check_words(page.text) == check_words(taken)
    assert "\u2068سپیده\u2069" in page.text
    # The spoken card is never shown on the join page (nothing to photograph).
    assert 'id="code-1"' not in b.client.get("/join").text

    a.submit("/sync", {"next": cell}, cell)
    status, path, page = b.submit("/join", {}, "/join")
    assert status == 200 and path == cell, page


def test_a_wrong_code_on_the_web_burns_it_on_both_pages(
    people: Callable[[str], Person], relay: RelayProcess
) -> None:
    a, b = people("a"), people("b")
    cell = create_cell(a)
    for person in (a, b):
        use_rendezvous(person, relay.url)
    _, _, page = b.submit("/join/code", {"cover_name": "رضا", "minutes": "5"}, "/join/code")
    number, *words = shown_code(page).split(" - ")
    wrong = " ".join([number, *[w for w in WORDS if w not in words][:3]])
    status, _, refused = a.submit(f"{cell}/propose-code", {"code": wrong}, f"{cell}/members")
    burned = FA.gettext("The code did not match. It is burned now and cannot be tried again.")
    assert status == 400 and burned in refused
    session = finished(b)
    assert session.status == "failed"
    assert burned in b.client.get("/join/code").text
    status, _, page = a.submit(f"{cell}/propose-code", {"code": "۴۲ نه واژه"}, f"{cell}/members")
    assert (
        status == 400
        and FA.gettext(
            "This is not a spoken code: it needs a number and three words from the list."
        )
        in page
    )


def test_a_photo_of_the_card_proposes_the_newcomer(people: Callable[[str], Person]) -> None:
    a, b = people("a"), people("b")
    cell = create_cell(a)
    _, _, page = b.submit("/join/card", {"cover_name": "رضا", "days": "7"}, "/join")
    qr = re.search(r'<img class="qr" src="data:image/png;base64,([^"]+)"', page)
    assert qr and card_code(page).startswith("HC1:")
    photo = io.BytesIO()
    image = Image.open(io.BytesIO(base64.b64decode(qr.group(1)))).convert("L")
    canvas = Image.new("L", (800, 800), 230)
    canvas.paste(image.resize((420, 420)), (190, 160))
    canvas.save(photo, "JPEG", quality=80)
    files = {"card_file": ("photo.jpg", photo.getvalue(), "image/jpeg")}
    status, _, page = a.submit(f"{cell}/propose", {"card": ""}, cell, files=files)
    assert status == 200 and "رضا" in page, page

    blank = io.BytesIO()
    Image.new("L", (200, 200), 255).save(blank, "PNG")
    files = {"card_file": ("blank.png", blank.getvalue(), "image/png")}
    status, _, page = a.submit(f"{cell}/propose", {"card": ""}, cell, files=files)
    assert status == 400 and FA.gettext("No QR code was found in the image.") in page
    en = translations("en")
    assert en.gettext("No QR code was found in the image.") not in page


def test_a_cells_delegate_is_introduced_to_an_alliance_by_a_spoken_code(
    people: Callable[[str], Person], relay: RelayProcess
) -> None:
    """A's alliance page takes B's spoken code (B's pseudonym as the name): B's cell is
    proposed in the alliance, both pages show the same check words; a mistyped code is
    refused on the alliance page in Persian (400) and nothing is proposed."""
    from hasteh.app import alliances

    a, b = people("a"), people("b")
    for person in (a, b):
        use_rendezvous(person, relay.url)

    def form(ws: Workspace) -> str:
        return alliances.form(ws, "north", cell="cell-a", relays=[relay.url]).group_id.hex()[:8]

    group = a.app_read(form)
    page_of = f"/alliance/{group}"
    assert 'action="' + page_of + '/propose-code"' in a.client.get(page_of).text
    status, _, refused = a.submit(f"{page_of}/propose-code", {"code": "۱۲ ستاره"}, page_of)
    assert status == 400 and 'role="alert"' in refused

    status, _, page = b.submit("/join/code", {"cover_name": "cell-b", "minutes": "۵"}, "/join/code")
    assert status == 200, page
    code = shown_code(page)
    status, _, taken = a.submit(f"{page_of}/propose-code", {"code": code}, page_of)
    assert status == 200, taken
    assert FA.gettext("Every member cell must approve it on the alliance's page.") in taken
    session = finished(b)
    assert session.status == "done", session.errors
    assert check_words(b.client.get("/join/code").text) == check_words(taken)

    def proposals(ws: Workspace) -> list[str]:
        return sorted(p.cell for p in alliances.find_alliance(ws, "north").org.proposals.values())

    assert a.app_read(proposals) == ["cell-b"]
