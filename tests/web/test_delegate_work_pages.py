"""A delegate's whole work from the pages, with no terminal (issue 17): form an alliance,
propose and approve cells by their delegates' cards, declare a council; make the cell's
key, show its code once and keep it on the alternate's device, register the key and the
alternate, give a mandate and vote by it, recall the delegate and carry the recall.

Each form: the success (the notice, in Persian), a refusal (400, the reason in Persian,
nothing sent or stored: the alliance or cell folds to the same state), and a cross-site
post (no CSRF token: 403). The attacks: a form that names a file on this computer as a
card (the CLI reads paths; the web must not), a key or recall code in a page that can be
opened again, a mistyped code shown back. In-process, with a real relay process."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hasteh.app import Workspace, alliances, cards, cells, decisions, delegation
from hasteh.app.records import default_relays
from tests.relay.harness import RelayProcess
from tests.web.conftest import csrf_of
from tests.web.test_cells import FA, Person, form_cell, people, relay
from tests.web.test_delegates_pages import elect

__all__ = ["people", "relay"]  # the fixtures, used by name


def said(page: str, msgid: str) -> bool:
    return FA.gettext(msgid) in htmllib.unescape(page)


def refused(person: Person, path: str, data: dict[str, str], page: str, msgid: str) -> str:
    """POST a form that must be refused: 400, the Persian reason on the page again."""
    status, _, html = person.submit(path, data, page)
    assert status == 400, html
    assert said(html, msgid), htmllib.unescape(html)
    return html


_CODES = re.compile(r'<textarea id="code-\d+"[^>]*>([^<]+)</textarea>')


def make_card(person: Person, cover_name: str) -> str:
    """The person's new card under `cover_name`, made on the join page (a pseudonym, for
    an alliance); its code as the page shows it."""
    before = set(_CODES.findall(person.client.get("/join").text))
    status, _, html = person.submit("/join/card", {"cover_name": cover_name, "days": "۷"}, "/join")
    assert status == 200, html
    new = set(_CODES.findall(html)) - before
    assert len(new) == 1, html
    return htmllib.unescape(new.pop()).strip()


def alliance_ref(person: Person, name: str) -> str:
    listing = person.client.get("/alliances").text
    found = re.findall(r'<a href="/alliance/([0-9a-f]{8})"><bdi>([^<]+)</bdi>', listing)
    refs = [ref for ref, shown in found if htmllib.unescape(shown) == name]
    assert len(refs) == 1, listing
    return f"/alliance/{refs[0]}"


def view_of(person: Person, ref: str) -> object:
    return person.app_read(lambda ws: delegation.alliance_view(ws, ref.rsplit("/", 1)[1]))


def sync(*persons: Person) -> None:
    for person in persons:
        person.submit("/sync", {"next": "/alliances"}, "/alliances")


def test_a_delegate_forms_an_alliance_admits_cells_and_declares_a_council(
    people: Callable[[str], Person],
) -> None:
    a, c, d = people("a"), people("c"), people("d")
    page = a.client.get("/alliances").text
    assert said(page, "Form an alliance") and 'action="/alliances"' in page
    # Refused: no pseudonym; nothing formed, the name typed is kept in the form.
    html = refused(
        a,
        "/alliances",
        {"name": "north", "pseudonym": "  "},
        "/alliances",
        "The name is empty. Write a name.",
    )
    assert 'value="north"' in html
    assert a.app_read(lambda ws: alliances.all_alliances(ws)) == []
    assert a.client.post("/alliances", data={"name": "x", "pseudonym": "y"}).status_code == 403

    status, path, html = a.submit(
        "/alliances", {"name": "north", "pseudonym": "cell-a"}, "/alliances"
    )
    assert status == 200 and path.startswith("/alliance/"), html
    assert said(
        html,
        "The alliance is formed. Propose other cells by the cards their delegates hand you "
        "in person.",
    )
    north = path
    assert alliance_ref(a, "north") == north
    assert said(html, "Make this alliance a council")  # still alone: it may

    # Propose: never a file on this computer (the CLI reads paths; the web must not).
    secret = a.home / "card.txt"
    secret.write_text(make_card(c, "cell-c"), encoding="utf-8")
    before = view_of(a, north)
    for typed in (str(secret), "not a card at all"):
        refused(
            a, f"{north}/propose", {"card": typed}, north, "This is not a hasteh invitation card."
        )
    refused(a, f"{north}/propose", {"card": ""}, north, "This is not a hasteh invitation card.")
    assert view_of(a, north) == before
    assert a.client.post(f"{north}/propose", data={"card": "HC1:x"}).status_code == 403

    # The card as an uploaded text file (`hasteh card > card.txt`, with its comment line).
    upload = ("card.txt", b"# hasteh card\n" + secret.read_bytes(), "text/plain")
    status, _, html = a.submit(f"{north}/propose", {"card": ""}, north, files={"card_file": upload})
    assert status == 200, html
    assert said(html, "Proposed. Every member cell must approve.")
    sync(a, c, a)
    assert alliance_ref(c, "north") == north  # C's delegate sits in the alliance
    html = a.client.get(north).text
    assert "cell-c" in html and not said(html, "Make this alliance a council")
    refused(
        a,
        f"{north}/council",
        {},
        north,
        "Only the alliance's founder, before any other cell joins, can make it a council.",
    )

    # C proposes D's cell; A approves it for cell A (two member cells: both must).
    status, _, html = c.submit(f"{north}/propose", {"card": make_card(d, "cell-d")}, north)
    assert status == 200, html
    sync(a)
    html = a.client.get(north).text
    assert said(html, "Approve a proposed cell, for your cell") and "cell-d" in html
    before = view_of(a, north)
    refused(
        a, f"{north}/approve", {"pseudonym": "cell-x"}, north, "No cell with this name is proposed."
    )
    assert view_of(a, north) == before
    assert a.client.post(f"{north}/approve", data={"pseudonym": "cell-d"}).status_code == 403
    status, _, html = a.submit(f"{north}/approve", {"pseudonym": "cell-d"}, north)
    assert status == 200 and said(html, "Approved."), html
    sync(c, a, d, a, c)
    seen = view_of(d, north)
    assert seen.cells == ("cell-a", "cell-c", "cell-d")  # type: ignore[attr-defined]

    # A mistyped recall code: refused precisely; nothing posted, the code not shown back.
    before = view_of(a, north)
    html = refused(
        a,
        f"{north}/carry-recall",
        {"code": "HR1:AAAABBBBCCCC"},
        north,
        "This is not the cell's current key or recall code, or it was mistyped. Check it "
        "with the person who gave it to you.",
    )
    assert "AAAABBBBCCCC" not in html
    assert view_of(a, north) == before
    assert a.client.post(f"{north}/carry-recall", data={"code": "x"}).status_code == 403

    # A council: a new alliance, still alone, made one from its page.
    status, council, html = a.submit(
        "/alliances", {"name": "شورا", "pseudonym": "north"}, "/alliances"
    )
    assert status == 200, html
    assert a.client.post(f"{council}/council", data={}).status_code == 403
    status, _, html = a.submit(f"{council}/council", {}, council)
    assert status == 200, html
    assert said(html, "This alliance is now a council: its members are alliances' delegates.")
    assert not said(html, "Make this alliance a council")
    ref = council.rsplit("/", 1)[1]
    assert a.app_read(lambda ws: alliances.find_alliance(ws, ref).org.council) is True


def test_the_cell_key_mandate_and_recall_from_the_pages(
    people: Callable[[str], Person], relay: RelayProcess
) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    cell_id = cell.rsplit("/", 1)[1]
    page = f"{cell}/delegates"
    elect(a, b, cell, "1", "2")  # سپیده (A) the delegate, رضا (B) the alternate
    b.submit("/sync", {"next": page}, page)
    html = a.client.get(page).text
    assert said(html, "Make the cell's key") and not said(html, "Show the key code")

    # The key: refused without its decision; then made by the election.
    html = refused(
        a, f"{page}/key", {"decision": "0"}, page, "There is no such decision in this cell."
    )
    assert a.app_read(lambda ws: cells.find_cell(ws, cell_id).org.fed.key) is None
    assert a.client.post(f"{page}/key", data={"decision": "1"}).status_code == 403
    status, path, html = a.submit(f"{page}/key", {"decision": "1"}, page)
    assert status == 200 and path == page, html
    assert said(html, "The cell's key is made. Show its code to the other holder in person.")
    fingerprint = a.app_read(lambda ws: delegation.delegate_view(ws, cell_id).key_fingerprint)
    assert isinstance(fingerprint, str) and fingerprint in html

    # Its code: only in the answer to a POST, never stored; never in a page by its address.
    assert a.client.post(f"{page}/key-code", data={}).status_code == 403
    csrf_page = a.client.get(page).text
    answer = a.client.post(f"{page}/key-code", data={"csrf": csrf_of(csrf_page)})
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    assert said(
        answer.text,
        "Whoever has this code speaks for the cell. Show it only in person; never send it.",
    )
    shown = re.search(r'<textarea id="handed-code"[^>]*>([^<]+)</textarea>', answer.text)
    assert shown is not None
    code = htmllib.unescape(shown.group(1))
    assert code.startswith("HK1: ")
    assert code.replace(" ", "").replace("HK1:", "HK1:") == a.app_read(
        lambda ws: delegation.key_code(ws, cell_id)
    )
    body = code.split(": ", 1)[1].replace(" ", "")
    for path in (page, cell, "/alliances", "/home"):
        assert body[:16] not in a.client.get(path).text
    assert b.client.post(f"{page}/key-code", data={}).status_code == 403
    # B holds no key: B's key-code answer is a refusal, not a code.
    refused(
        b,
        f"{page}/key-code",
        {},
        page,
        "This cell has no key yet. Set the cell's key after the election.",
    )

    # The alternate keeps it: a mistyped code is refused and not shown back.
    status, path, html = b.submit("/sync", {"next": page}, page)  # Fetch now, on this page
    assert status == 200 and path == page and said(html, "Fetched: everything new is shown.")
    assert said(html, "Keep the key another holder shows you")
    wrong = code[:-4] + ("AAAA" if not code.endswith("AAAA") else "BBBB")
    html = refused(
        b,
        f"{page}/key-import",
        {"code": wrong},
        page,
        "This is not the cell's current key or recall code, or it was mistyped. Check it "
        "with the person who gave it to you.",
    )
    assert wrong.split(": ", 1)[1] not in html and body[:16] not in html
    assert b.app_read(lambda ws: cells.find_cell(ws, cell_id).record.held_keys) == {}
    assert b.client.post(f"{page}/key-import", data={"code": code}).status_code == 403
    status, _, html = b.submit(f"{page}/key-import", {"code": code.lower()}, page)
    assert status == 200, html
    assert said(html, "You hold the cell's key. Compare its fingerprint with the other holder.")
    assert said(html, "Show the key code")

    # The alliance: A forms it, registers the key and B's card under the pseudonym.
    _, north, _ = a.submit("/alliances", {"name": "north", "pseudonym": "cell-a"}, "/alliances")
    ref = north.rsplit("/", 1)[1]
    assert a.client.post(f"{north}/register-key", data={"cell": cell_id}).status_code == 403
    other = a.app_read(
        lambda ws: cells.create_cell(ws, "دیگر", cover_name="x", relays=[relay.url]).group_id.hex()[
            :8
        ]
    )
    refused(
        a,
        f"{north}/register-key",
        {"cell": str(other)},
        north,
        "This cell has no key yet. Set the cell's key after the election.",
    )
    status, _, html = a.submit(f"{north}/register-key", {"cell": cell_id}, north)
    assert status == 200 and said(html, "The alliance knows the cell's key."), html
    assert said(html, "key registered")
    alternate_card = make_card(b, "cell-a")
    before = view_of(a, north)
    refused(
        a,
        f"{north}/register-alternate",
        {"cell": cell_id, "card": "/etc/passwd"},
        north,
        "This is not a hasteh invitation card.",
    )
    assert view_of(a, north) == before
    status, _, html = a.submit(
        f"{north}/register-alternate", {"cell": cell_id, "card": alternate_card}, north
    )
    assert status == 200 and said(html, "The alternate is registered with the alliance."), html
    assert said(html, "alternate registered")

    # A question to the cells (a motion), from the alliance's page.
    before = view_of(a, north)
    refused(a, f"{north}/motion", {"question": " "}, north, "There is nothing to send.")
    status, _, html = a.submit(
        f"{north}/motion", {"question": "اعتصاب؟", "deadline": "دیروز"}, north
    )
    assert status == 400 and "این تاریخ نیست" in html
    assert view_of(a, north) == before
    assert a.client.post(f"{north}/motion", data={"question": "x"}).status_code == 403
    status, _, html = a.submit(
        f"{north}/motion", {"question": "اعتصاب مشترک؟", "deadline_choice": "three-days"}, north
    )
    assert status == 200, html
    assert said(
        html,
        "The question is put to the cells. Each cell decides first, then its delegate votes "
        "as it decided.",
    )
    assert "اعتصاب مشترک؟" in html

    # A mandate: the alliance's open motion, tied to the cell's decision on it.
    def motion_and_decision(ws: Workspace) -> str:
        (motion,) = alliances.find_alliance(ws, ref).org.motions
        opened = decisions.open_decision(
            ws, cell_id, kind="proposal", question="موافقیم؟", deadline=ws.now() + 86_400
        )
        decisions.vote(ws, cell_id, opened.decision_id[:8], position="agree")
        return f"{motion.hex()}|{opened.decision_id[:8]}"

    motion, mandate = str(a.app_read(motion_and_decision)).split("|")
    a.submit("/sync", {"next": page}, page)
    b.submit("/sync", {"next": page}, page)
    b.submit(
        f"{cell}/decisions/{mandate}/vote", {"position": "agree"}, f"{cell}/decisions/{mandate}"
    )
    a.submit("/sync", {"next": page}, page)
    a.app_read(lambda ws: decisions.close(ws, cell_id, mandate))
    html = a.client.get(page).text
    assert "اعتصاب مشترک؟" in html and said(html, "Record the mandate")
    number = a.app_read(
        lambda ws: decisions.numbers(cells.find_cell(ws, cell_id))[
            decisions.find(cells.find_cell(ws, cell_id), mandate).decision_id
        ]
    )
    refused(
        a,
        f"{page}/mandate",
        {"motion": "00" * 16, "decision": str(number)},
        page,
        "No motion of the alliance starts with this. Copy its id from the alliance.",
    )
    assert a.app_read(lambda ws: delegation.delegate_view(ws, cell_id).mandates) == ()
    assert a.client.post(f"{page}/mandate", data={"motion": motion}).status_code == 403
    status, _, html = a.submit(f"{page}/mandate", {"motion": motion, "decision": str(number)}, page)
    assert status == 200 and said(html, "Mandate recorded."), html
    status, _, html = a.submit(f"{north}/vote", {"cell": cell_id, "motion": motion[:8]}, north)
    assert status == 200 and said(html, "Voted as the cell decided."), html

    # A recall: B (a holder of the key) signs it after the cell adopted it; the code is
    # shown once, in the answer; A's page never shows it.
    recall_id = a.app_read(
        lambda ws: decisions.open_decision(
            ws, cell_id, kind="proposal", question="فراخوان؟", deadline=ws.now() + 86_400
        ).decision_id[:8]
    )
    a.app_read(lambda ws: decisions.vote(ws, cell_id, str(recall_id), position="agree"))
    a.submit("/sync", {"next": page}, page)
    b.submit("/sync", {"next": page}, page)
    decision_page = f"{cell}/decisions/{recall_id}"
    b.submit(f"{decision_page}/vote", {"position": "agree"}, decision_page)
    a.submit("/sync", {"next": page}, page)
    a.app_read(lambda ws: decisions.close(ws, cell_id, str(recall_id)))
    a.submit("/sync", {"next": page}, page)
    b.submit("/sync", {"next": page}, page)
    recall_number = b.app_read(
        lambda ws: decisions.numbers(cells.find_cell(ws, cell_id))[
            decisions.find(cells.find_cell(ws, cell_id), str(recall_id)).decision_id
        ]
    )
    refused(
        b,
        f"{page}/recall",
        {"decision": str(recall_number), "card": "~/.ssh/id_ed25519"},
        page,
        "This is not a hasteh invitation card.",
    )
    assert b.app_read(lambda ws: cells.find_cell(ws, cell_id).org.fed.recalls) == ()
    assert b.client.post(f"{page}/recall", data={"decision": "1"}).status_code == 403
    status, _, html = b.submit(
        f"{page}/recall", {"decision": str(recall_number), "card": alternate_card}, page
    )
    assert status == 200, html
    assert said(html, "Give this code in person to any delegate of the alliance:")
    shown = re.search(r'<textarea id="handed-code"[^>]*>([^<]+)</textarea>', html)
    assert shown is not None
    recall_code = htmllib.unescape(shown.group(1))
    assert recall_code.startswith("HR1: ")
    for person in (a, b):
        for path in (page, cell):
            assert recall_code.split(": ", 1)[1][:16] not in person.client.get(path).text
    # The old delegate cannot keep the code from being posted: any delegate carries it.
    status, _, html = a.submit(f"{north}/carry-recall", {"code": recall_code}, north)
    assert status == 200, html
    assert said(html, "Recall posted; the delegate is swapped for the alternate at the next sync.")
    assert said(html, "recall under way")
    assert view_of(a, north).recalls == ("cell-a",)  # type: ignore[attr-defined]


def test_a_card_as_a_photo_of_its_qr_image(people: Callable[[str], Person]) -> None:
    """The alliance page reads a card from a photo of its QR image, as the cell page does."""
    a, c = people("a"), people("c")
    _, north, _ = a.submit("/alliances", {"name": "north", "pseudonym": "cell-a"}, "/alliances")

    def card(ws: Workspace) -> str:
        return cards.create_card(ws, "cell-c", relays=ws.vault.read(default_relays))

    code = str(c.app_read(card))
    png = cards.qr_png(code)
    files = {"card_file": ("card.png", png, "image/png")}
    status, _, html = a.submit(f"{north}/propose", {"card": ""}, north, files=files)
    assert status == 200 and said(html, "Proposed. Every member cell must approve."), html
    broken = {"card_file": ("card.png", b"\x89PNG\r\n\x1a\nbroken", "image/png")}
    refused(a, f"{north}/propose", {"card": ""}, north, "This is not a hasteh invitation card.")
    status, _, html = a.submit(f"{north}/propose", {"card": ""}, north, files=broken)
    assert status == 400, html


# ------------------------------------------------------------------ whatever is typed

#: What a person may paste or type where a card or a code is asked: any text, texts that
#: start like a card, a key code or a recall code, and paths of files on this computer.
TYPED = st.one_of(
    st.text(max_size=2000),
    st.builds(
        lambda prefix, body: prefix + body,
        st.sampled_from(["HC1:", "HK1:", "HR1:", "hc1:", "HK1: ", "/", "~/", "../"]),
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567 -=\n", max_size=600),
    ),
)


@pytest.fixture
def delegate(people: Callable[[str], Person]) -> tuple[Person, str, str]:
    """A delegate who holds the cell's key and sits in an alliance (one profile shared by
    every example hypothesis tries): (person, the cell's id, the alliance's path)."""
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    elect(a, b, cell, "1", "2")
    cell_id = cell.rsplit("/", 1)[1]
    a.app_read(lambda ws: delegation.create_key(ws, cell_id, "1"))
    _, north, _ = a.submit("/alliances", {"name": "north", "pseudonym": "cell-a"}, "/alliances")
    return a, cell_id, north


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=TYPED, as_file=st.booleans())
def test_whatever_is_typed_as_a_card_or_a_code_is_refused_precisely(
    delegate: tuple[Person, str, str], typed: str, as_file: bool
) -> None:
    a, cell_id, north = delegate
    page = f"/cell/{cell_id}/delegates"

    def state(ws: Workspace) -> object:
        rt = cells.find_cell(ws, cell_id)
        return (
            delegation.alliance_view(ws, north.rsplit("/", 1)[1]),
            rt.org.fed,
            dict(rt.record.held_keys),
        )

    before = a.app_read(state)
    forms: list[tuple[str, str, dict[str, str]]] = [
        (f"{north}/propose", north, {}),
        (f"{north}/register-alternate", north, {"cell": cell_id}),
        (f"{page}/recall", page, {"decision": "1"}),
    ]
    for path, shown, data in forms:
        files = {"card_file": ("card.txt", typed.encode(), "text/plain")} if as_file else None
        fields = {**data, "card": "" if as_file else typed}
        status, _, html = a.submit(path, fields, shown, files=files)
        assert status == 400 and 'role="alert"' in html, (path, typed)
    for path, shown in ((f"{north}/carry-recall", north), (f"{page}/key-import", page)):
        status, _, html = a.submit(path, {"code": typed}, shown)
        assert status == 400 and 'role="alert"' in html, (path, typed)
        if len(typed.strip()) >= 12:
            assert htmllib.escape(typed.strip()) not in html  # a code is never shown back
    assert a.app_read(state) == before


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.text(max_size=300),
    pseudonym=st.text(max_size=100),
    question=st.text(max_size=400),
    deadline=st.one_of(st.just(""), st.text(max_size=40)),
)
def test_whatever_is_typed_to_form_an_alliance_or_ask_a_question(
    delegate: tuple[Person, str, str], name: str, pseudonym: str, question: str, deadline: str
) -> None:
    """Any name, pseudonym, question or date: formed or refused precisely (400, in a
    red box), never a crash; a refusal forms nothing and asks nothing."""
    a, _, north = delegate
    ref = north.rsplit("/", 1)[1]

    def counts(ws: Workspace) -> tuple[int, int]:
        motions = alliances.find_alliance(ws, ref).org.motions
        return len(alliances.all_alliances(ws)), len(motions)

    made, asked = a.app_read(counts)  # type: ignore[misc]
    status, path, html = a.submit(
        "/alliances", {"name": name, "pseudonym": pseudonym}, "/alliances"
    )
    formed = status == 200
    if formed:
        assert path.startswith("/alliance/"), html
    else:
        assert status == 400 and 'role="alert"' in html and path == "/alliances", html
    fields = {"question": question, "deadline_choice": "three-days", "deadline": deadline}
    status, path, html = a.submit(f"{north}/motion", fields, north)
    opened = status == 200
    if not opened:
        assert status == 400 and 'role="alert"' in html, html
    assert a.app_read(counts) == (made + formed, asked + opened)


def test_the_forms_offer_the_newest_decisions_and_the_election(
    delegate: tuple[Person, str, str],
) -> None:
    """A cell's long history: the key, mandate and recall lists offer the newest 30
    decisions that can authorize (never an opt-in poll), and always the election."""
    a, cell_id, _ = delegate

    def history(ws: Workspace) -> None:
        for i in range(40):  # numbers 2 to 41; every fifth an opt-in poll
            kind = "optin" if i % 5 == 0 else "consent"
            decisions.open_decision(
                ws, cell_id, kind=kind, question=f"پرسش {i}", deadline=ws.now() + 86_400
            )

    a.app_read(history)

    def expected(ws: Workspace) -> tuple[list[str], str]:
        """(the numbers of the 30 newest consent decisions and the election, newest
        first; the election's): numbers follow log time, which the relay stamps (the
        election, received back from the relay, may be stamped after the rest)."""
        rt = cells.find_cell(ws, cell_id)
        numbers = decisions.numbers(rt)
        election = rt.org.fed.delegation
        assert election is not None
        allowed = sorted(
            (
                numbers[d.decision_id]
                for d in rt.org.decisions.values()
                if d.kind == "consent" or d.decision_id == election.decision_id
            ),
            reverse=True,
        )
        return [str(n) for n in allowed], str(numbers[election.decision_id])

    allowed, election = a.app_read(expected)  # type: ignore[misc]
    html = a.client.get(f"/cell/{cell_id}/delegates").text
    listed = re.search(r'<select id="key-decision" name="decision">(.*?)</select>', html, re.S)
    assert listed is not None
    values = re.findall(r'<option value="(\d+)">', listed.group(1))
    newest = allowed[:30]
    # The newest 30 (opt-in polls never), the election if older, and "(none)".
    assert values == [*newest, *([] if election in newest else [election]), "0"]
    assert len(allowed) == 33 and election in values
    assert "پرسش 0" not in listed.group(1) and "پرسش 5" not in listed.group(1)  # polls
