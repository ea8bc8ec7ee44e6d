"""Handing a contact over in person from the web face (`/contacts/give`, `/contacts/take`),
two profiles against a real relay process on 127.0.0.1, with no JavaScript: the giver's
page shows a number and three words and reloads itself (HTTP ``Refresh``); the receiver
types them on their contacts page; both pages show the same check words; "hand over"
deletes the giver's copy only after the receiver's device kept it, "give a copy" keeps
it. A wrong or malformed code, an unknown contact, a cancelled code: a precise Persian
message and nothing changed on either device."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hasteh.app import contacts
from hasteh.app.code_words import WORDS
from hasteh.web.views.handover import HandoverSession
from tests.relay.harness import RelayProcess
from tests.web.conftest import PASSPHRASE
from tests.web.test_cells import FA, Person, people, relay
from tests.web.test_spoken_web import check_words, shown_code, use_rendezvous

__all__ = ["people", "relay"]  # the fixtures, used by name

NAME = "رحیم"


def session_of(person: Person) -> HandoverSession:
    session = person.state().handover
    assert isinstance(session, HandoverSession) and session.thread is not None
    return session


def finished(person: Person) -> HandoverSession:
    """Wait for the giver's thread to end (an event, bounded), then the session."""
    session = session_of(person)
    assert session.thread is not None
    session.thread.join(timeout=120)
    assert not session.thread.is_alive()
    return session


def names(person: Person) -> list[str]:
    found = person.app_read(contacts.list_contacts)
    assert isinstance(found, list)
    return [c.code_name for c in found]


def giver_with_contact(
    people: Callable[[str], Person], relay: RelayProcess
) -> tuple[Person, Person, str]:
    a, b = people("a"), people("b")
    for person in (a, b):
        use_rendezvous(person, relay.url)
    typed = {"code_name": NAME, "workplace": "کارخانه", "notes": "شیفت شب"}
    a.submit("/contacts/add", typed, "/contacts")
    ref = re.search(r'name="ref" value="([0-9a-f]{16})"', a.client.get("/contacts").text)
    assert ref
    return a, b, ref.group(1)


def test_hand_over_from_page_to_page(people: Callable[[str], Person], relay: RelayProcess) -> None:
    a, b, ref = giver_with_contact(people, relay)
    assert a.client.post("/contacts/give", data={"ref": ref, "keep": "no"}).status_code == 403
    status, path, page = a.submit("/contacts/give", {"ref": ref, "keep": "no"}, "/contacts")
    assert status == 200 and path == "/contacts/give", page
    code = shown_code(page)
    assert len([w for w in code.split(" - ") if w in WORDS]) == 3
    assert a.client.get("/contacts/give").headers.get("refresh") == "3"
    assert names(a) == [NAME]  # nothing is deleted before the receiver kept it

    status, _, taken = b.submit("/contacts/take", {"code": code}, "/contacts")
    assert status == 200, taken
    assert FA.gettext("{name} is kept on this device only.").format(name=f"\u2068{NAME}\u2069") in (
        taken
    )
    session = finished(a)
    assert session.status == "done", session.errors
    page = a.client.get("/contacts/give")
    assert "refresh" not in page.headers
    assert FA.gettext("Handed over.") in page.text
    assert check_words(page.text) == check_words(taken)
    assert names(a) == [] and names(b) == [NAME]
    kept = b.app_read(contacts.list_contacts)
    assert isinstance(kept, list)
    assert (kept[0].workplace, kept[0].notes, kept[0].shared) == ("کارخانه", "شیفت شب", False)


def test_give_a_copy_keeps_it(people: Callable[[str], Person], relay: RelayProcess) -> None:
    a, b, ref = giver_with_contact(people, relay)
    _, _, page = a.submit("/contacts/give", {"ref": ref, "keep": "yes"}, "/contacts")
    status, _, taken = b.submit("/contacts/take", {"code": shown_code(page)}, "/contacts")
    assert status == 200, taken
    assert finished(a).status == "done"
    assert FA.gettext("A copy was handed over.") in a.client.get("/contacts/give").text
    assert names(a) == [NAME] and names(b) == [NAME]


def test_a_wrong_code_changes_nothing_on_either_device(
    people: Callable[[str], Person], relay: RelayProcess
) -> None:
    a, b, ref = giver_with_contact(people, relay)
    _, _, page = a.submit("/contacts/give", {"ref": ref, "keep": "no"}, "/contacts")
    number, *words = shown_code(page).split(" - ")
    wrong = " ".join([number, *[w for w in WORDS if w not in words][:3]])
    status, _, refused = b.submit("/contacts/take", {"code": wrong}, "/contacts")
    burned = FA.gettext("The code did not match. It is burned now and cannot be tried again.")
    assert status == 400 and burned in refused
    assert f'value="{wrong}"' in refused  # the typed code is kept in its field
    session = finished(a)
    assert session.status == "failed"
    failed = a.client.get("/contacts/give").text
    assert burned in failed
    assert FA.gettext("Nothing was deleted: the contact is still on this device.") in failed
    assert names(a) == [NAME] and names(b) == []

    status, _, page = b.submit("/contacts/take", {"code": "۴۲ نه واژه"}, "/contacts")
    not_a_code = FA.gettext(
        "This is not a spoken code: it needs a number and three words from the list."
    )
    assert status == 400 and not_a_code in page
    assert names(b) == []


def test_unknown_contact_and_cancel(people: Callable[[str], Person], relay: RelayProcess) -> None:
    a, b, ref = giver_with_contact(people, relay)
    status, _, page = a.submit("/contacts/give", {"ref": "ffffffffffffffff"}, "/contacts")
    assert status == 400 and 'role="alert"' in page
    assert a.state().handover is None  # nothing opened
    assert a.client.get("/contacts/give").url.path == "/contacts"

    _, _, page = a.submit("/contacts/give", {"ref": ref, "keep": "no"}, "/contacts")
    code = shown_code(page)
    session = session_of(a)
    status, path, _ = a.submit("/contacts/give/cancel", {}, "/contacts/give")
    assert status == 200 and path == "/contacts"
    assert session.thread is not None
    session.thread.join(timeout=120)
    assert session.status == "failed" and a.state().handover is None
    status, _, page = b.submit("/contacts/take", {"code": code}, "/contacts")
    assert status == 400 and 'role="alert"' in page
    assert names(a) == [NAME] and names(b) == []


def test_a_receiver_who_already_holds_it_refuses_and_the_giver_keeps_it(
    people: Callable[[str], Person], relay: RelayProcess
) -> None:
    a, b, ref = giver_with_contact(people, relay)
    b.submit("/contacts/add", {"code_name": NAME, "notes": "از قبل"}, "/contacts")
    _, _, page = a.submit("/contacts/give", {"ref": ref, "keep": "no"}, "/contacts")
    status, _, refused = b.submit("/contacts/take", {"code": shown_code(page)}, "/contacts")
    assert status == 400
    assert FA.gettext("A contact with this code name is already on this device.") in refused
    session = finished(a)
    assert session.status == "failed"
    failed = a.client.get("/contacts/give").text
    assert (
        FA.gettext(
            "The member's device did not keep the contact (it may already hold one with this code "
            "name). Nothing was deleted here."
        )
        in failed
    )
    assert names(a) == [NAME]
    kept = b.app_read(contacts.list_contacts)
    assert isinstance(kept, list) and [c.notes for c in kept] == ["از قبل"]  # untouched


def test_locking_ends_the_hand_over_and_deletes_nothing(
    people: Callable[[str], Person], relay: RelayProcess
) -> None:
    a, b, ref = giver_with_contact(people, relay)
    _, _, page = a.submit("/contacts/give", {"ref": ref, "keep": "no"}, "/contacts")
    code = shown_code(page)
    session = session_of(a)
    a.submit("/lock", {}, "/contacts")
    assert session.thread is not None
    session.thread.join(timeout=120)
    assert session.status == "failed" and a.state().handover is None
    status, _, page = b.submit("/contacts/take", {"code": code}, "/contacts")
    assert status == 400 and 'role="alert"' in page
    assert names(b) == []
    # The giver's contact is still there after unlocking.
    status, path, _ = a.submit("/unlock", {"passphrase": PASSPHRASE}, "/unlock")
    assert status == 200 and path != "/unlock"
    assert names(a) == [NAME]
    assert a.client.get("/contacts/give").url.path == "/contacts"  # no code survives a lock


#: Typed codes: any text, and well-formed codes for slots nobody opened.
TYPED = st.one_of(
    st.text(max_size=3000),
    st.builds(
        lambda n, words: " ".join([str(n), *words]),
        st.integers(min_value=0, max_value=10**6),
        st.lists(st.sampled_from(WORDS), min_size=3, max_size=3),
    ),
)


@pytest.fixture
def receiver(people: Callable[[str], Person], relay: RelayProcess) -> Person:
    """One receiving profile, shared by every example hypothesis tries."""
    b = people("b")
    use_rendezvous(b, relay.url)
    return b


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=TYPED)
def test_whatever_is_typed_as_a_code_is_refused_precisely(receiver: Person, typed: str) -> None:
    b = receiver
    assert b.client.post("/contacts/take", data={"code": typed}).status_code == 403  # no token
    status, path, page = b.submit("/contacts/take", {"code": typed}, "/contacts")
    assert status == 400 and path == "/contacts/take" and 'role="alert"' in page
    assert names(b) == []
