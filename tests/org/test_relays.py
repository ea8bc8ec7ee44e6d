"""The relay list as a cell setting (`hasteh.org.relays`): the URL parser against any text,
and the settings codec with a relay list, as hypothesis properties."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hasteh.org import (
    MAX_RELAYS,
    CellSettings,
    InvalidEvent,
    check_relay_list,
    check_relay_url,
    relay_url_problem,
)
from hasteh.org.events import MAX_RELAY_URL

HOST = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\.[a-z0-9]{1,10}){0,3}", fullmatch=True)
PATH = st.from_regex(r"(/[A-Za-z0-9._~-]{1,12}){0,3}", fullmatch=True)
GOOD = st.builds(
    lambda scheme, host, port, path: f"{scheme}://{host}{port}{path}",
    st.sampled_from(["http", "https"]),
    HOST,
    st.one_of(st.just(""), st.integers(1, 65535).map(lambda p: f":{p}")),
    PATH,
)


@given(st.text(max_size=300))
def test_any_text_gets_an_answer_never_a_crash(text: str) -> None:
    problem = relay_url_problem(text)
    assert problem is None or isinstance(problem, str)
    if problem is None:
        assert text.startswith(("http://", "https://"))
        assert len(text) <= MAX_RELAY_URL and not text.endswith("/")
        assert "@" not in text and "?" not in text and "#" not in text
        assert not any(c.isspace() for c in text)


@given(GOOD)
def test_well_formed_relay_urls_are_accepted(url: str) -> None:
    if len(url) <= MAX_RELAY_URL:
        assert relay_url_problem(url) is None, url
        check_relay_url(url)


@given(GOOD, st.sampled_from(["user:pw@", "x y", "?q=1", "#f", "/", "<b>", "\u202e", "%2F"]))
def test_credentials_queries_markup_and_hidden_characters_are_refused(url: str, junk: str) -> None:
    bad = (
        url + junk
        if junk in ("/", "?q=1", "#f", "<b>", "\u202e", "%2F")
        else url.replace("://", "://" + junk, 1)
    )
    assert relay_url_problem(bad) is not None
    with pytest.raises(InvalidEvent) as refused:
        check_relay_url(bad)
    assert refused.value.code == "bad-relay"


@given(st.lists(GOOD.filter(lambda u: len(u) <= MAX_RELAY_URL), max_size=12))
def test_a_list_is_refused_empty_too_long_or_with_repeats(relays: list[str]) -> None:
    try:
        check_relay_list(relays)
    except InvalidEvent as exc:
        expected = (
            "no-relays"
            if not relays
            else "too-many-relays"
            if len(relays) > MAX_RELAYS
            else "relay-twice"
        )
        assert exc.code == expected
    else:
        assert 1 <= len(relays) <= MAX_RELAYS and len(set(relays)) == len(relays)


@given(st.one_of(st.none(), st.lists(GOOD, max_size=MAX_RELAYS).map(tuple)))
def test_settings_with_relays_round_trip(relays: tuple[str, ...] | None) -> None:
    settings = CellSettings(relays=relays)
    wire = msgspec.msgpack.encode(settings)
    assert msgspec.msgpack.decode(wire, type=CellSettings) == settings


def test_settings_from_before_the_relay_list_still_decode() -> None:
    old = msgspec.msgpack.encode([5, "all", 3_600])
    assert msgspec.msgpack.decode(old, type=CellSettings).relays is None
