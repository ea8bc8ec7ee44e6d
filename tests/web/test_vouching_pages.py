"""Vouching codes on the web (issue 17): a delegate makes a one-time code on the alliance's
page (shown once, Persian first), the other cell's delegate answers it on the alliances
page, Fetch now proposes the cell (marked as proposed through a code) and brings it in.
Cross-site posts are refused; a code altered by one character, a code used twice, a bad
number of days and an empty pseudonym are refused with a Persian message (400) and keep
nothing; so is whatever is typed as a code (a property test). In-process, with a real
relay process."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hasteh.app import Workspace, alliances
from hasteh.app.errors import APP_MESSAGES
from hasteh.app.records import default_relays, invitations
from tests.web.test_cells import FA, Person, people, relay

__all__ = ["people", "relay"]  # the fixtures, used by name


def code_on(page: str) -> str:
    match = re.search(r'<textarea id="vouch-code"[^>]*>([^<]+)</textarea>', page)
    assert match, "no code on the page"
    return htmllib.unescape(match.group(1)).strip()


def cards_of(person: Person) -> int:
    got = person.app_read(lambda ws: len(ws.vault.read(invitations)))
    assert isinstance(got, int)
    return got


def form_alliance(a: Person) -> str:
    def form(ws: Workspace) -> str:
        relays = ws.vault.read(default_relays)
        return alliances.form(ws, "north", cell="bakers", relays=relays).group_id.hex()[:8]

    short = a.app_read(form)
    assert isinstance(short, str)
    return short


def test_a_cell_joins_an_alliance_through_a_vouching_code_on_the_pages(
    people: Callable[[str], Person],
) -> None:
    a, d, e = people("a"), people("d"), people("e")
    short = form_alliance(a)
    page = f"/alliance/{short}"
    text = a.client.get(page).text
    assert FA.gettext("Vouch for a cell") in text
    assert a.client.post(f"/alliances/vouch/{short}", data={"days": "3"}).status_code == 403

    status, _, text = a.submit(f"/alliances/vouch/{short}", {"days": "۹۹"}, page)
    assert status == 400
    assert "۱ تا ۳۰ روز" in htmllib.unescape(text)
    status, _, text = a.submit(f"/alliances/vouch/{short}", {"days": "۳"}, page)
    assert status == 200, text
    code = code_on(text)
    assert code.startswith("HV1:")
    assert FA.gettext("A vouching code for {alliance}").split("{")[0] in htmllib.unescape(text)
    shown_again = a.client.get(page).text
    assert code not in shown_again  # shown once
    assert "کدهای معرفی شما که هنوز کسی به کار نبرده: ۱" in htmllib.unescape(shown_again)

    form_page = "/alliances"
    assert FA.gettext("Join an alliance with a vouching code") in d.client.get(form_page).text
    assert d.client.post("/alliances/answer", data={"code": code}).status_code == 403
    altered = code[:-3] + ("AAA" if code[-3:] != "AAA" else "BBB")
    status, _, text = d.submit(
        "/alliances/answer", {"code": altered, "pseudonym": "weavers"}, form_page
    )
    assert status == 400 and "اشتباه تایپ شده" in htmllib.unescape(text)
    status, _, text = d.submit("/alliances/answer", {"code": code, "pseudonym": " "}, form_page)
    assert status == 400
    assert cards_of(d) == 0
    status, _, text = d.submit(
        "/alliances/answer", {"code": code, "pseudonym": "weavers"}, form_page
    )
    assert status == 200, text
    assert "weavers" in text and "مهروموم‌شده" in text
    status, _, text = e.submit("/alliances/answer", {"code": code, "pseudonym": "dyers"}, form_page)
    assert status == 400 and "قبلاً به کار رفته" in htmllib.unescape(text)
    assert cards_of(e) == 0

    a.submit("/sync", {"next": page}, page)
    text = htmllib.unescape(a.client.get(page).text)
    assert "weavers" in text
    assert "کدهای معرفی شما" not in text  # burned
    a.submit("/sync", {"next": page}, page)
    d.submit("/sync", {"next": "/home"}, "/home")
    assert "north" in d.client.get("/alliances").text


TYPED = st.one_of(
    st.text(max_size=3000),
    st.builds(
        lambda body: "HV1:" + body,
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567-", max_size=300),
    ),
)


@pytest.fixture
def answerer(people: Callable[[str], Person]) -> Person:
    """One answering profile, shared by every example hypothesis tries."""
    return people("d")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=TYPED)
def test_whatever_is_typed_as_a_vouching_code_is_refused_precisely(
    answerer: Person, typed: str
) -> None:
    d = answerer
    form = {"code": typed, "pseudonym": "weavers"}
    assert d.client.post("/alliances/answer", data=form).status_code == 403  # no token
    status, path, page = d.submit("/alliances/answer", form, "/alliances")
    assert status == 400 and path == "/alliances/answer" and 'role="alert"' in page
    shown = htmllib.unescape(page)
    assert any(
        FA.gettext(APP_MESSAGES[code]) in shown for code in ("vouch-not-a-code", "vouch-mistyped")
    )
    assert cards_of(d) == 0
