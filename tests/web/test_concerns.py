"""When something is wrong, from the web: raise an alarm by hand, review a seizure report,
object to a newcomer. In-process, against a real relay process, like test_cells."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable

from tests.web.test_cells import FA, Person, card_code, form_cell, people, relay

__all__ = ["people", "relay"]  # the fixtures, used by name


def alarms_of(page: str) -> str:
    found = re.search(r'<section class="alarms" role="alert".*?</section>', page, re.S)
    return htmllib.unescape(found.group(0)) if found else ""


def three(a: Person, b: Person, c: Person) -> str:
    """A cell of A (سپیده), B (رضا) and C (مریم), formed through the pages."""
    cell = form_cell(a, b)
    _, _, page = c.submit("/join/card", {"cover_name": "مریم", "days": "7"}, "/join")
    status, _, page = a.submit(f"{cell}/propose", {"card": card_code(page)}, cell)
    assert status == 200, page
    b.submit("/sync", {"next": cell}, cell)
    status, _, page = b.submit(f"{cell}/admission", {"newcomer": "مریم", "action": "vouch"}, cell)
    assert status == 200, page
    a.submit("/sync", {"next": cell}, cell)
    status, path, page = c.submit("/join", {}, "/join")
    assert status == 200 and path == cell, page
    b.submit("/sync", {"next": cell}, cell)
    return cell


def test_safety_words_differ_alarm_reaches_every_member(
    people: Callable[[str], Person],
) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    # A forged cross-site post (no CSRF token) is refused and raises nothing.
    response = b.client.post(f"{cell}/alarm", data={"kind": "safety-words-differ"})
    assert response.status_code == 403
    # Refusals: an unknown kind, "other" without saying what; nothing is raised.
    status, _, page = b.submit(f"{cell}/alarm", {"kind": "all-fine"}, cell)
    assert status == 400 and not alarms_of(page)
    status, _, page = b.submit(f"{cell}/alarm", {"kind": "other", "note": "  "}, cell)
    assert status == 400 and FA.gettext("Say in a few words what is wrong.") in page
    assert not alarms_of(page)

    status, _, page = b.submit(
        f"{cell}/alarm",
        {"kind": "safety-words-differ", "member": "سپیده", "note": "در دیدار"},
        cell,
    )
    assert status == 200, page
    assert FA.gettext("the safety words differ") in alarms_of(page)
    _, _, page = a.submit("/sync", {"next": cell}, cell)
    shown = alarms_of(page)
    assert "رضا" in shown and FA.gettext("the safety words differ") in shown
    assert "سپیده" in shown and "در دیدار" in shown


def test_a_false_seizure_report_is_reviewed_and_names_the_reporter(
    people: Callable[[str], Person],
) -> None:
    """An informer (A) reports an honest member's (B's) device as seized to push B out.
    C reviews the report: not upheld, and every member sees an alarm naming A."""
    a, b, c = people("a"), people("b"), people("c")
    cell = three(a, b, c)
    member = f"{cell}/members/1"
    status, _, page = a.submit(f"{member}/seized", {"confirm": "yes", "note": "x"}, member)
    assert status == 200, page
    _, _, page = c.submit("/sync", {"next": f"{cell}/members"}, cell)
    assert FA.gettext("Seizure reports to review") in page
    assert 'name="verdict" value="not-upheld"' in page
    # The reporter sees the report but cannot review it (not even by posting the form).
    page_a = a.client.get(f"{cell}/members").text
    assert FA.gettext("You made this report; another member reviews it.") in page_a
    status, _, page_a = a.submit(f"{cell}/review", {"member": "رضا", "verdict": "upheld"}, cell)
    assert status == 400
    assert FA.gettext("You cannot approve or vote on a matter about yourself.") in page_a
    # A verdict that is neither: refused.
    status, _, page = c.submit(f"{cell}/review", {"member": "رضا", "verdict": "maybe"}, cell)
    assert status == 400

    status, _, page = c.submit(
        f"{cell}/review", {"member": "رضا", "verdict": "not-upheld", "note": "دروغ بود"}, cell
    )
    assert status == 200, page
    assert FA.gettext("Your review of the seizure report was recorded.") in page
    assert FA.gettext("Seizure reports to review") not in page
    shown = alarms_of(page)
    assert "سپیده" in shown and "رضا" in shown
    # Reviewed once: a second review is refused.
    status, _, page = c.submit(f"{cell}/review", {"member": "رضا", "verdict": "upheld"}, cell)
    assert status == 400
    _, _, page_a = a.submit("/sync", {"next": f"{cell}/members"}, cell)
    assert "سپیده" in alarms_of(page_a)


def test_one_objection_refuses_a_newcomer_from_the_web(people: Callable[[str], Person]) -> None:
    """With the rule "all members", B's objection refuses the newcomer A proposed: the
    buttons go, and A's client never adds them."""
    a, b, c = people("a"), people("b"), people("c")
    cell = form_cell(a, b)
    _, _, page = c.submit("/join/card", {"cover_name": "مریم", "days": "7"}, "/join")
    status, _, page = a.submit(f"{cell}/propose", {"card": card_code(page)}, cell)
    assert status == 200, page
    b.submit("/sync", {"next": f"{cell}/members"}, cell)
    status, _, page = b.submit(
        f"{cell}/admission",
        {"newcomer": "مریم", "action": "object", "reason": "کسی او را نمی‌شناسد"},
        cell,
    )
    assert status == 200, page
    assert FA.gettext("refused") in page
    _, _, page = a.submit("/sync", {"next": f"{cell}/members"}, cell)
    assert FA.gettext("refused") in page
    status, path, page = c.submit("/join", {}, "/join")
    assert path == "/join"  # nothing to join: never added
    members = re.search(
        r'<ul class="members">(.*?)</ul>', a.client.get(f"{cell}/members").text, re.S
    )
    assert members and "مریم" not in members.group(1)


def test_the_proposer_withdraws_from_the_web(people: Callable[[str], Person]) -> None:
    """The page says what a proposal still needs; only its proposer sees the withdraw
    button, and withdrawing takes it away for everyone (it can be made again)."""
    a, b, c = people("a"), people("b"), people("c")
    cell = form_cell(a, b)
    _, _, page = c.submit("/join/card", {"cover_name": "مریم", "days": "7"}, "/join")
    code = card_code(page)
    status, _, page = a.submit(f"{cell}/propose", {"card": code}, cell)
    assert status == 200, page
    withdraw = FA.gettext("Withdraw my proposal")
    assert withdraw in page and FA.gettext("Still needed: {what}.").split("{")[0] in page
    _, _, page_b = b.submit("/sync", {"next": f"{cell}/members"}, cell)
    assert "مریم" in page_b and withdraw not in page_b
    status, _, page = a.submit(
        f"{cell}/admission", {"newcomer": "مریم", "action": "withdraw"}, cell
    )
    assert status == 200, page
    _, _, page_b = b.submit("/sync", {"next": f"{cell}/members"}, cell)
    assert not re.search(r'name="newcomer" value="مریم"', page_b)
    status, _, page = a.submit(f"{cell}/propose", {"card": code}, cell)
    assert status == 200 and withdraw in page


def test_a_device_sets_its_own_notices_aside_but_never_the_cells_alarms(
    people: Callable[[str], Person],
) -> None:
    """A notice is this device's alone (a relay's clock ahead, a junk change): once read it
    may go. An alarm is the log's, seen by every member: no button removes it."""
    from hasteh.app import cells, runtime

    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    b.submit(f"{cell}/alarm", {"kind": "safety-words-differ", "member": "سپیده"}, cell)
    alarm = FA.gettext("the safety words differ")

    def note(ws: object) -> None:
        rt = cells.find_cell(ws, cell.rsplit("/", 1)[1])  # type: ignore[arg-type]
        runtime.write(ws, rt, lambda conn: runtime.note(rt, "relay-clock-ahead"))  # type: ignore[arg-type]

    b.app_read(note)
    notice = FA.gettext(
        "The relay's clock runs ahead of this device's: check this device's date and time. "
        "If it is right, the relay may be trying to make deadlines pass early."
    )
    page = htmllib.unescape(b.client.get(cell).text)
    assert notice in alarms_of(page) and alarm in alarms_of(page)
    button = FA.gettext("I have read this device's notices")
    assert button in page
    # A cross-site post (no CSRF token) sets nothing aside.
    assert b.client.post(f"{cell}/notices", data={}).status_code == 403
    assert notice in alarms_of(htmllib.unescape(b.client.get(cell).text))

    status, _, page = b.submit(f"{cell}/notices", {}, cell)
    page = htmllib.unescape(page)
    assert status == 200
    assert notice not in alarms_of(page) and alarm in alarms_of(page)
    assert button not in page
    assert (
        FA.gettext("This device's notices were set aside. The cell's alarms stay for every member.")
        in page
    )
    # Kept after a reload of the profile: the vault holds the cleared list.
    b.submit("/sync", {"next": cell}, cell)
    assert notice not in alarms_of(htmllib.unescape(b.client.get(cell).text))
    # Nothing of the kind reaches the other member: their alarm stays too.
    _, _, page = a.submit("/sync", {"next": cell}, cell)
    assert alarm in alarms_of(htmllib.unescape(page))
