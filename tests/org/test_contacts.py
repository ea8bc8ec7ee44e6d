"""`contact.shared`: a member's count and chosen code names; hostile reports refused with
the state as it was; the latest report replaces the previous one."""

from __future__ import annotations

import pytest

from hasteh.org import ContactsShared, InvalidEvent, replay

from .helpers import cell


def test_the_latest_report_replaces_the_previous_one() -> None:
    log = cell(3)
    log.do(1, ContactsShared(3, ("Rahim",)))
    log.do(2, ContactsShared(1))
    log.do(1, ContactsShared(4, ("Rahim", "Golnar")))
    assert log.state.contacts == {1: (4, ("Rahim", "Golnar")), 2: (1, ())}
    assert replay(log.envelopes) == log.state


@pytest.mark.parametrize(
    ("author", "body", "code"),
    [
        (1, ContactsShared(1, ("Rahim", "Golnar")), "too-many-items"),
        (1, ContactsShared(2, ("Rahim", "Rahim")), "duplicate-option"),
        (1, ContactsShared(1, ("a\u202eb",)), "name-hidden-character"),
        (9, ContactsShared(1), "not-a-member"),
    ],
)
def test_a_hostile_report_is_refused(author: int, body: ContactsShared, code: str) -> None:
    log = cell(3)
    before = log.state
    with pytest.raises(InvalidEvent) as err:
        log.do(author, body)
    assert err.value.code == code
    assert log.state is before
