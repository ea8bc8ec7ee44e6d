"""Cell pages in-process, against a real relay process on 127.0.0.1: two people form a
cell through a card, talk, decide; every form refuses bad input with 400, a translated
message and the state unchanged (never a 500)."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from hasteh.app import Workspace, cells, decisions, talk
from hasteh.i18n import translations
from hasteh.org.errors import MESSAGES
from hasteh.web.app import WebState
from hasteh.web.appcalls import run_app
from hasteh.web.i18n import Ui
from tests.relay.harness import RelayProcess

from .conftest import ORIGIN, Web, csrf_of, make_web

FA = translations("fa")


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RelayProcess]:
    db = tmp_path_factory.mktemp("relay") / "relay.sqlite3"
    proc = RelayProcess(f"sqlite:///{db}", extra=["--rate", "100000"]).start()
    try:
        yield proc
    finally:
        proc.kill()


class Person(Web):
    """One person's web face, unlocked, with the shared relay in their settings."""

    def state(self) -> WebState:
        state = self.app.state.web
        assert isinstance(state, WebState)
        return state

    def app_read(self, fn: Callable[[Workspace], object]) -> object:
        return run_app(self.state(), Ui("en"), fn)

    def submit(
        self, path: str, data: dict[str, str], page: str, files: dict[str, object] | None = None
    ) -> tuple[int, str, str]:
        """POST a form from `page`; (status, final URL path, HTML) after redirects."""
        csrf = csrf_of(self.client.get(page).text)
        response = self.client.post(
            path, data={"csrf": csrf, **data}, files=files, follow_redirects=True
        )
        return response.status_code, response.url.path, response.text


@pytest.fixture
def people(tmp_path: Path, relay: RelayProcess) -> Iterator[Callable[[str], Person]]:
    opened: list[TestClient] = []

    def make(name: str) -> Person:
        home = tmp_path / name
        app = make_web(home)
        client = TestClient(app, base_url=ORIGIN)
        client.__enter__()
        opened.append(client)
        person = Person(app, client, home)
        person.launch()
        person.create_profile()
        person.post(
            "/settings",
            {"relays": relay.url, "proxy": "", "chat_expiry_days": "14", "language": "fa"},
        )
        return person

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def create_cell(person: Person, name: str = "نانوایی", cover: str = "سپیده") -> str:
    status, path, page = person.submit(
        "/cells",
        {"name": name, "cover_name": cover, "cap": "۵", "admission": "all", "expiry_days": ""},
        "/home",
    )
    assert status == 200 and path.startswith("/cell/"), page
    return path


def card_code(page: str) -> str:
    match = re.search(r'<textarea id="code-1"[^>]*>([^<]+)</textarea>', page)
    assert match, "no card on the join page"
    return htmllib.unescape(match.group(1)).strip()


def form_cell(a: Person, b: Person) -> str:
    """A creates a cell; B makes a card; A proposes it (the cell of one approves at once,
    commits the Add, sends the Welcome); B joins. Returns the cell's path."""
    cell = create_cell(a)
    status, _, page = b.submit("/join/card", {"cover_name": "رضا", "days": "۷"}, "/join")
    assert status == 200
    code = card_code(page)
    status, _, page = a.submit(f"{cell}/propose", {"card": code}, cell)
    assert status == 200, page
    status, path, page = b.submit("/join", {}, "/join")
    assert status == 200 and path == cell, page
    assert (
        FA.gettext("You joined the cell. Compare safety words with the members in person.") in page
    )
    return cell


def safety_words(page: str) -> str:
    match = re.search(r'<p class="safety-words">([^<]+)</p>', page)
    assert match
    return match.group(1)


def test_two_people_form_a_cell_talk_and_decide(people: Callable[[str], Person]) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    for person in (a, b):
        members = person.client.get(f"{cell}/members").text
        assert "سپیده" in members and "رضا" in members
    words_a, words_b = (p.client.get(f"{cell}/safety").text for p in (a, b))
    assert safety_words(words_a) == safety_words(words_b)

    # Talk both ways.
    status, _, _ = a.submit(f"{cell}/say", {"text": "سلام به همه", "thread": "عمومی"}, cell)
    assert status == 200
    _, _, page = b.submit("/sync", {"next": cell}, cell)
    assert "سلام به همه" in page
    b.submit(f"{cell}/say", {"text": "درود، رسیدم", "thread": "عمومی"}, cell)
    _, _, page = a.submit("/sync", {"next": cell}, cell)
    assert "درود، رسیدم" in page and "سلام به همه" in page

    # A decision: both vote, A closes; both see the same outcome.
    status, path, page = a.submit(
        f"{cell}/decisions",
        {"kind": "single", "question": "کجا؟", "options": "پارک\nنانوایی", "deadline": "+2d"},
        f"{cell}/decisions",
    )
    assert status == 200 and path.startswith(f"{cell}/decisions/"), page
    decision = path
    b.submit("/sync", {"next": cell}, cell)
    status, _, page = b.submit(f"{decision}/vote", {"choice": "2"}, decision)
    assert status == 200, page
    a.submit("/sync", {"next": cell}, cell)
    a.submit(f"{decision}/vote", {"choice": "2"}, decision)
    status, _, page = a.submit(f"{decision}/close", {}, decision)
    assert status == 200, page
    _, _, seen_by_b = b.submit("/sync", {"next": decision}, decision)
    for seen in (page, seen_by_b):
        outcome = re.search(r'<p class="outcome">(.*?)</p>', seen, re.S)
        assert outcome, seen
        assert "نانوایی" in outcome.group(1) and FA.gettext("decided") in outcome.group(1)
    assert re.search(r'<p class="outcome">(.*?)</p>', page, re.S).group(1) == re.search(  # type: ignore[union-attr]
        r'<p class="outcome">(.*?)</p>', seen_by_b, re.S
    ).group(1)  # type: ignore[union-attr]


def test_every_kind_of_decision_from_the_web(people: Callable[[str], Person]) -> None:
    a = people("solo")
    cell = create_cell(a)
    ballots = {
        "consent": ("", {"position": "agree"}),
        "proposal": ("", {"position": "abstain"}),
        "single": ("چای\nقهوه", {"choice": "1"}),
        "multiple": ("شنبه\nیکشنبه\nدوشنبه", {"choice": "2"}),
        "ranked": ("الف\nب\nپ", {"rank_1": "3", "rank_2": "1"}),
        "stv": ("الف\nب\nپ\nت", {"rank_1": "2", "rank_2": "4", "rank_3": "1"}),
        "optin": ("", {}),
    }
    for kind, (options, ballot) in ballots.items():
        status, path, page = a.submit(
            f"{cell}/decisions",
            {"kind": kind, "question": f"پرسش {kind}", "options": options, "deadline": "+1d"},
            f"{cell}/decisions",
        )
        assert status == 200 and path.startswith(f"{cell}/decisions/"), (kind, page)
        assert 'class="outcome"' not in page  # no result while open
        status, _, page = a.submit(f"{path}/vote", ballot, path)
        assert status == 200, (kind, page)
        status, _, page = a.submit(f"{path}/close", {}, path)
        assert status == 200 and 'class="outcome"' in page, (kind, page)
    # outcome only: no counts shown
    _, path, _ = a.submit(
        f"{cell}/decisions",
        {
            "kind": "single",
            "question": "فقط نتیجه",
            "options": "آری\nنه",
            "deadline": "+1d",
            "outcome_only": "yes",
        },
        f"{cell}/decisions",
    )
    a.submit(f"{path}/vote", {"choice": "1"}, path)
    _, _, page = a.submit(f"{path}/close", {}, path)
    assert FA.gettext("Only the outcome was kept: no counts.") in page
    assert 'class="counts"' not in page


def _counts(person: Person) -> tuple[int, int, int, int]:
    def read(ws: Workspace) -> tuple[int, int, int, int]:
        found = cells.list_cells(ws)
        if not found:
            return (0, 0, 0, 0)
        ref = found[0].cell_id
        return (
            len(found),
            len(talk.read(ws, ref)),
            len(decisions.show(ws, ref)),
            len(cells.members(ws, ref)),
        )

    result = person.app_read(read)
    assert isinstance(result, tuple)
    return result


BAD_INPUT: list[tuple[str, str, dict[str, str], str]] = [
    # (id, path under the cell or absolute, form, expected Persian message msgid)
    ("empty-message", "say", {"text": "   "}, "There is nothing to send."),
    ("long-message", "say", {"text": "x" * 16_001}, "A message has at most 16,000 characters."),
    ("no-card", "propose", {"card": ""}, "Paste the card code, or choose the file that holds it."),
    ("not-a-card", "propose", {"card": "hello"}, "This is not a hasteh invitation card."),
    ("file-path", "propose", {"card": "/etc/passwd"}, "This is not a hasteh invitation card."),
    (
        "damaged-card",
        "propose",
        {"card": "HC1:ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"},
        "The card code is damaged or incomplete (its checksum does not match).",
    ),
    (
        "bad-action",
        "admission",
        {"newcomer": "x", "action": "hug"},
        "Choose vouch, approve or object.",
    ),
    (
        "unknown-newcomer",
        "admission",
        {"newcomer": "nobody", "action": "approve"},
        "There is no member with that cover name in this cell.",
    ),
    (
        "cap-above-7",
        "settings",
        {"cap": "9", "deadline": "+3d"},
        "A cell cannot have more than {hard} members.",
    ),
    ("cap-letters", "settings", {"cap": "abc"}, "Write whole numbers, or leave the field empty."),
    # Digit-like characters `str.isdigit` accepts but `int` refuses; and a huge number.
    ("cap-superscript", "settings", {"cap": "²"}, "Write whole numbers, or leave the field empty."),
    ("cap-huge", "settings", {"cap": "9" * 5000}, "Write whole numbers, or leave the field empty."),
    (
        "file-cap-zero",
        "settings",
        {"file_cap_mb": "۰", "deadline": "+3d"},
        "A file may be 1 to {most} MB, and all the cell's files together at least that and at "
        "most {total} MB.",
    ),
    (
        "files-cap-below-file-cap",
        "settings",
        {"file_cap_mb": "۲۰", "files_cap_mb": "۱۰", "deadline": "+3d"},
        "A file may be 1 to {most} MB, and all the cell's files together at least that and at "
        "most {total} MB.",
    ),
    (
        "files-cap-letters",
        "settings",
        {"files_cap_mb": "ده"},
        "Write whole numbers, or leave the field empty.",
    ),
    (
        "quorum-superscript",
        "decisions",
        {"kind": "consent", "question": "q", "quorum": "³", "deadline": "+1d"},
        "The quorum must be a whole number.",
    ),
    (
        "bad-deadline",
        "settings",
        {"cap": "6", "deadline": "next tuesday"},
        "That is not a date: choose one of the choices, or type a date such as {example}.",
    ),
    (
        "typed-past-deadline",
        "settings",
        {"cap": "6", "deadline_choice": "week", "deadline": "۱۴۰۰/۰۱/۰۱"},
        "The deadline is already past. Choose a later deadline.",
    ),
    (
        "no-such-deadline",
        "decisions",
        {"kind": "consent", "question": "q", "deadline": "۳۱ اسفند ۱۴۰۴"},
        "That date does not exist.",
    ),
    (
        "bad-kind",
        "decisions",
        {"kind": "lottery", "question": "q"},
        "Choose a kind of decision from the list.",
    ),
    ("no-question", "decisions", {"kind": "consent", "question": " "}, "Write the question."),
    (
        "one-option",
        "decisions",
        {"kind": "single", "question": "q", "options": "only", "deadline": "+1d"},
        "This kind of decision needs two or more options.",
    ),
    (
        "past-deadline",
        "decisions",
        {"kind": "consent", "question": "q", "deadline": "2001-01-01"},
        "The deadline is already past. Choose a later deadline.",
    ),
    (
        "stv-one-seat",
        "decisions",
        {"kind": "stv", "question": "q", "options": "a\nb\nc", "seats": "1", "deadline": "+1d"},
        "An STV decision elects two or more.",
    ),
]


@pytest.mark.parametrize(
    ("where", "form", "msgid"), [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT]
)
def test_bad_input_is_refused_and_changes_nothing(
    people: Callable[[str], Person], where: str, form: dict[str, str], msgid: str
) -> None:
    a = people("a")
    cell = create_cell(a)
    before = _counts(a)
    page_path = f"{cell}/decisions" if where == "decisions" else cell
    status, _, page = a.submit(f"{cell}/{where}", form, page_path)
    assert status == 400, page
    assert 'role="alert"' in page
    expected = FA.gettext(msgid).split("{")[0]
    assert expected and expected in htmllib.unescape(page), (expected, page)
    assert _counts(a) == before


def test_bad_votes_and_closing_early_are_refused(people: Callable[[str], Person]) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    _, decision, _ = a.submit(
        f"{cell}/decisions",
        {"kind": "ranked", "question": "ترتیب", "options": "الف\nب\nپ", "deadline": "+2d"},
        f"{cell}/decisions",
    )
    cases = [
        ({"rank_1": "1", "rank_2": "1"}, "Each option can have only one place in your ranking."),
        ({"choice": "9"}, "There is no such option in this decision."),
        ({}, "Rank at least one option, most preferred first."),
    ]
    for form, msgid in cases:
        status, _, page = a.submit(f"{decision}/vote", form, decision)
        assert status == 400 and FA.gettext(msgid).split("{")[0] in page, (form, page)
    # Closing before the deadline while B has not voted is the cell's rule to refuse.
    status, _, page = a.submit(f"{decision}/close", {}, decision)
    assert status == 400 and 'role="alert"' in page
    assert 'class="outcome"' not in a.client.get(decision).text
    # Unknown decisions and cells: 404 with the reason, not a 500.
    unknown = ["decisions/99", "decisions/deadbeef", "members/42"]
    for path in [*(f"{cell}/{u}" for u in unknown), "/cell/deadbeef"]:
        response = a.client.get(path)
        assert response.status_code == 404 and 'role="alert"' in response.text, path
    status, _, page = a.submit(f"{cell}/decisions/99/vote", {"choice": "1"}, f"{cell}/decisions")
    assert status == 404


def test_seized_needs_confirmation_and_not_oneself(people: Callable[[str], Person]) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    members = a.client.get(f"{cell}/members").text
    leaf = re.search(rf'href="{cell}/members/(\d+)"', members)
    assert leaf, members
    member = f"{cell}/members/{leaf.group(1)}"
    page = a.client.get(member).text
    assert "رضا" in page and 'value="yes"' in page
    csrf = csrf_of(page)
    response = a.client.post(f"{member}/seized", data={"csrf": csrf, "note": "x"})
    assert response.status_code == 400
    assert _counts(a)[3] == 2
    response = a.client.post(f"{cell}/members/0/seized", data={"csrf": csrf, "confirm": "yes"})
    assert response.status_code == 400  # one's own device
    assert FA.gettext("You cannot report your own device as seized from that device.") in (
        response.text
    )
    status, path, page = a.submit(f"{member}/seized", {"confirm": "yes", "note": "گرفتند"}, member)
    assert status == 200 and path == f"{cell}/members"
    assert _counts(a)[3] == 1
    _, _, page_b = b.submit("/sync", {"next": cell}, cell)
    assert FA.gettext("This profile is no longer a member of this cell: it was removed.") in page_b


def test_removal_by_decision_from_the_member_page(people: Callable[[str], Person]) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    member = f"{cell}/members/1"
    status, path, page = a.submit(f"{member}/remove", {"deadline": "+1d"}, member)
    assert status == 200 and path.startswith(f"{cell}/decisions/"), page
    assert "رضا" in page
    status, _, page = a.submit(f"{member}/remove", {"deadline": "دیروز"}, member)
    assert status == 400 and 'role="alert"' in page


def test_join_and_card_refusals(people: Callable[[str], Person]) -> None:
    b = people("b")
    status, _, page = b.submit("/join", {}, "/join")
    assert status == 400
    assert FA.gettext("The cell has not admitted you yet. Press Join again later.") in page
    for days in ["99", "abc", "0"]:
        status, _, page = b.submit("/join/card", {"cover_name": "رضا", "days": days}, "/join")
        assert status == 400 and 'role="alert"' in page, days
    status, _, page = b.submit("/join/card", {"cover_name": "", "days": "7"}, "/join")
    assert status == 400
    assert "<textarea" not in page.split('id="cards"')[1].split("</section>")[0]
    status, _, page = b.submit("/join/card", {"cover_name": "رضا", "days": "۳"}, "/join")
    assert status == 200 and 'src="data:image/png;base64,' in page
    assert card_code(page).startswith("HC1:")


def test_courier_export_and_import(people: Callable[[str], Person]) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    a.submit(f"{cell}/say", {"text": "با پیک", "thread": "عمومی"}, cell)
    status, _, page = a.submit("/courier/export", {"recent_days": "abc"}, "/courier")
    assert status == 400 and 'role="alert"' in page
    status, _, page = a.submit("/courier/export", {"recent_days": "۱"}, "/courier")
    assert status == 200
    code = re.search(r'<p class="bundle-code"><code dir="ltr">([^<]+)</code>', page)
    assert code, page
    bundle = a.client.get("/courier/bundle")
    assert bundle.headers["content-disposition"].startswith("attachment")
    # Refused: no file, a wrong code, garbage.
    for files, form in [
        (None, {"code": code.group(1)}),
        ({"bundle": ("b.bin", bundle.content)}, {"code": "WRONG-CODE"}),
        ({"bundle": ("b.bin", b"garbage")}, {"code": code.group(1)}),
    ]:
        status, _, page = b.submit("/courier/import", form, "/courier", files=files)
        assert status == 400 and 'role="alert"' in page, page
    files = {"bundle": ("b.bin", bundle.content)}
    status, _, page = b.submit("/courier/import", {"code": code.group(1)}, "/courier", files)
    assert status == 200, page
    assert "با پیک" in b.client.get(cell).text


def test_english_pages_and_errors(people: Callable[[str], Person]) -> None:
    a = people("a")
    a.post("/language", {"language": "en"})
    cell = create_cell(a, "bakery", "sepideh")
    page = a.client.get(f"{cell}/safety").text
    assert 'lang="en" dir="ltr"' in page and "Safety words" in page
    status, _, page = a.submit(f"{cell}/say", {"text": ""}, cell)
    assert status == 400 and "There is nothing to send." in page


def test_pagination_of_a_long_thread(people: Callable[[str], Person]) -> None:
    a = people("a")
    cell = create_cell(a)
    ref = cell.rsplit("/", 1)[1]

    def fill(ws: Workspace) -> None:
        real, start = ws.clock, ws.clock() - 1000
        try:
            for i in range(120):  # one second apart: the order is by time
                ws.clock = lambda i=i: start + i
                talk.say(ws, ref, f"پیام {i}")
        finally:
            ws.clock = real

    a.app_read(fill)
    page = a.client.get(cell).text
    assert "پیام 119" in page and "پیام 70" in page and "پیام 69" not in page
    older = re.search(r'<a href="([^"]+)">' + re.escape(FA.gettext("Older messages")), page)
    assert older
    page = a.client.get(htmllib.unescape(older.group(1))).text
    assert "پیام 69" in page and "پیام 20" in page and "پیام 119" not in page


def test_three_people_vouch_approve_and_a_card_file(people: Callable[[str], Person]) -> None:
    """In a cell of two, a newcomer needs a voucher other than the proposer: B vouches
    (which also approves), A's client commits the Add at its next fetch, C joins."""
    a, b, c = people("a"), people("b"), people("c")
    cell = form_cell(a, b)
    _, _, page = c.submit("/join/card", {"cover_name": "مریم", "days": "7"}, "/join")
    code = card_code(page)
    # Proposed with the card as an uploaded text file.
    files = {"card_file": ("card.txt", code.encode("utf-8"), "text/plain")}
    status, _, page = a.submit(f"{cell}/propose", {"card": ""}, cell, files=files)
    assert status == 200, page
    assert "مریم" in page and FA.gettext("waiting") in page
    _, _, page = b.submit("/sync", {"next": f"{cell}/members"}, cell)
    assert FA.gettext("I know this person (vouch)") in page
    # An objection needs a reason: refused, nothing recorded.
    status, _, page = b.submit(f"{cell}/admission", {"newcomer": "مریم", "action": "object"}, cell)
    assert status == 400 and FA.gettext("An objection needs a reason.") in page
    status, _, page = b.submit(f"{cell}/admission", {"newcomer": "مریم", "action": "vouch"}, cell)
    assert status == 200, page
    a.submit("/sync", {"next": cell}, cell)  # A commits the Add and sends the Welcome
    status, path, page = c.submit("/join", {}, "/join")
    assert status == 200 and path == cell, page
    page = c.client.get(f"{cell}/members").text
    members = re.search(r'<ul class="members">(.*?)</ul>', page, re.S)
    assert members and all(n in members.group(1) for n in ("سپیده", "رضا", "مریم"))
    words = {
        safety_words(p.submit("/sync", {"next": f"{cell}/safety"}, cell)[2]) for p in (a, b, c)
    }
    assert len(words) == 1


def test_settings_change_is_a_decision(people: Callable[[str], Person]) -> None:
    a = people("a")
    cell = create_cell(a)
    status, _, page = a.submit(
        f"{cell}/settings",
        {"cap": "۶", "admission": "", "expiry_days": "", "deadline": "+1d"},
        cell,
    )
    assert status == 200 and FA.gettext("A decision on the new settings was opened.") in page
    decision = re.search(rf'href="({cell}/decisions/[0-9a-f]{{8}})"', page)
    assert decision, page.split('<main id="main"')[1][:3000]
    a.submit(f"{decision.group(1)}/vote", {"position": "agree"}, decision.group(1))
    a.submit(f"{decision.group(1)}/close", {}, decision.group(1))
    assert "۱ عضو از ۶" in a.client.get(cell).text  # carried out once adopted


def test_file_caps_change_by_decision(people: Callable[[str], Person]) -> None:
    """The two caps of the cell's files, typed in Persian digits, open a decision; once
    adopted the settings page shows them (the web needs no `cell settings --file-cap-mb`)."""
    a = people("a")
    cell = create_cell(a)
    page = a.client.get(f"{cell}/settings").text
    assert 'name="file_cap_mb"' in page and 'name="files_cap_mb"' in page
    status, _, page = a.submit(
        f"{cell}/settings",
        {"file_cap_mb": "۳", "files_cap_mb": "۴۰", "deadline": "+1d"},
        f"{cell}/settings",
    )
    assert status == 200 and FA.gettext("A decision on the new settings was opened.") in page
    decision = re.search(rf'href="({cell}/decisions/[0-9a-f]{{8}})"', page)
    assert decision, page.split('<main id="main"')[1][:3000]
    a.submit(f"{decision.group(1)}/vote", {"position": "agree"}, decision.group(1))
    a.submit(f"{decision.group(1)}/close", {}, decision.group(1))
    summary = a.app_read(lambda ws: cells.list_cells(ws)[0])
    assert isinstance(summary, cells.CellSummary)
    assert (summary.file_cap_mb, summary.files_cap_mb) == (3, 40)
    shown = FA.gettext(
        "A file may be at most {one} MB; all the cell's files together at most {all} MB."
    ).format(one="۳", all="۴۰")
    assert shown in htmllib.unescape(a.client.get(f"{cell}/settings").text)


def test_alarms_come_first_and_loud(
    people: Callable[[str], Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hasteh.app.sync import AlarmView
    from hasteh.web.views import cell as cell_view

    a = people("a")
    cell = create_cell(a)
    alarm = AlarmView("no-proposal", "کاوه، نسرین را بی پیشنهاد پذیرفته‌شده افزود.", "x", "y", 3)
    monkeypatch.setattr(cell_view.sync, "alarms", lambda ws, ref: [alarm])
    page = a.client.get(cell).text
    main = page.split('<main id="main"', 1)[1]
    assert main.index('class="alarms" role="alert"') < main.index('id="talk"')
    assert alarm.text in main


def test_language_switch_returns_to_the_cell(people: Callable[[str], Person]) -> None:
    a = people("a")
    cell = create_cell(a)
    status, path, page = a.submit("/language", {"language": "en", "next": cell}, cell)
    assert status == 200 and path == cell and 'lang="en"' in page
    status, path, _ = a.submit("/language", {"language": "fa", "next": "//evil.example"}, cell)
    assert path == "/home"


@pytest.mark.parametrize(
    ("form", "msgid"),
    [
        ({"cap": "9"}, "A cell cannot have more than {hard} members."),
        ({"cap": "1"}, "The cap must be at least 2."),
        ({"cap": "five"}, "The cap must be a whole number from 2 to 7."),
        ({"name": " "}, "The name is empty. Write a name."),
        ({"cover_name": ""}, "The name is empty. Write a name."),
        # names that lie: a Cyrillic е, a bidi override, only invisible characters,
        # and U+2069, which would close the page's own isolation early
        ({"cover_name": "s\u0435pideh"}, MESSAGES["name-mixed-script"]),
        ({"name": "\u202eنانوایی"}, MESSAGES["name-hidden-character"]),
        ({"cover_name": "\u200b\u200d"}, MESSAGES["name-hidden-character"]),
        ({"cover_name": "سپیده\u2069"}, MESSAGES["name-hidden-character"]),
        ({"cover_name": "سپیده\u200c"}, MESSAGES["name-zwnj"]),
        ({"admission": "anyone"}, "Admission is `all` or `all-but-one`."),
        ({"expiry_days": "0"}, "Messages expire after 1 to 365 days."),
        ({"expiry_days": "soon"}, "Days must be a whole number from 1 to 365."),
    ],
)
def test_create_cell_refusals(
    people: Callable[[str], Person], form: dict[str, str], msgid: str
) -> None:
    a = people("a")
    values = {"name": "نانوایی", "cover_name": "سپیده", "cap": "5", "admission": "all"}
    status, path, page = a.submit("/cells", {**values, **form}, "/home")
    assert status == 400 and path == "/cells", page
    assert FA.gettext(msgid).split("{")[0] in htmllib.unescape(page)
    assert 'value="' + htmllib.escape(values["name"] if "name" not in form else "") in page
    assert _counts(a) == (0, 0, 0, 0)


def test_courier_import_contacts_unknown_servers_only_when_asked(
    people: Callable[[str], Person],
) -> None:
    """A bundle from a cell this profile is not in names a relay it does not use: the
    import lists that relay and contacts it only when the box is ticked."""
    a, b, c = people("a"), people("b"), people("c")
    cell = form_cell(a, b)
    a.submit(f"{cell}/say", {"text": "برای رساندن", "thread": "عمومی"}, cell)
    _, _, page = a.submit("/courier/export", {"recent_days": "۱"}, "/courier")
    code = re.search(r'<p class="bundle-code"><code dir="ltr">([^<]+)</code>', page)
    assert code, page
    files = {"bundle": ("b.bin", a.client.get("/courier/bundle").content)}
    status, _, page = c.submit("/courier/import", {"code": code.group(1)}, "/courier", files)
    assert status == 200, page
    listed = re.search(r'<ul class="unconfirmed">(.*?)</ul>', page, re.S)
    assert listed and "127.0.0.1" in listed.group(1)
    status, _, page = c.submit(
        "/courier/import", {"code": code.group(1), "other_relays": "yes"}, "/courier", files
    )
    assert status == 200, page
    assert '<ul class="unconfirmed">' not in page


def test_the_decisions_list_pages_its_closed_decisions(people: Callable[[str], Person]) -> None:
    """40 decisions to a page: the open ones first, then the closed ones, newest first
    (a cell with a thousand open decisions keeps a small page too)."""
    from hasteh.app import decisions
    from hasteh.web.views.decision import CLOSED_PAGE

    a = people("a")
    cell = create_cell(a)
    ref = cell.rsplit("/", 1)[1]

    def fill(ws: Workspace) -> None:
        real, start = ws.clock, ws.clock() - 1000
        try:
            for i in range(CLOSED_PAGE + 5):  # one second apart: numbered in this order
                ws.clock = lambda i=i: start + i
                d = decisions.open_decision(
                    ws, ref, kind="consent", question=f"پرسش {i}", deadline=ws.now() + 3600
                )
                decisions.vote(ws, ref, d.decision_id, position="agree")
                decisions.close(ws, ref, d.decision_id)
        finally:
            ws.clock = real
        decisions.open_decision(
            ws, ref, kind="consent", question="هنوز باز", deadline=ws.now() + 3600
        )

    a.app_read(fill)
    asked = re.compile(r"<bdi>پرسش (\d+)</bdi>")
    first = a.client.get(f"{cell}/decisions").text
    on_first = set(asked.findall(first))
    assert "هنوز باز" in first and len(on_first) == CLOSED_PAGE - 1
    older = re.search(r'<a href="([^"]+)">' + re.escape(FA.gettext("Older decisions")), first)
    assert older
    second = a.client.get(htmllib.unescape(older.group(1))).text
    on_second = set(asked.findall(second))
    assert "هنوز باز" not in second and len(on_second) == 6
    assert on_first | on_second == {str(i) for i in range(CLOSED_PAGE + 5)}
    assert FA.gettext("Older decisions") not in second and FA.gettext("Newer decisions") in second
