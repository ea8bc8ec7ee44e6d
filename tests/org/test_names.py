"""Names that lie: what an informer would type to pass for someone else, and the refusal.

`clean_name` returns a clean name or raises `InvalidEvent`, for any text at all; the
cleaned name comes back unchanged; "taken" sees through look-alikes.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.org import CellCreated, InvalidEvent, NewcomerProposed, apply, empty_state
from hasteh.org.names import clean_name, look_alike, skeleton

from .helpers import DAY, Log, card, cell


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        ("  Sepideh \t", "Sepideh"),
        ("Sepideh\u3000\u00a0 Ahmadi", "Sepideh Ahmadi"),
        ("\uff33epideh", "Sepideh"),  # full-width S: NFKC
        ("\ufee3\ufeec\ufeae", "مهر"),  # Arabic presentation forms: NFKC
        ("مهر\u200cناز", "مهر\u200cناز"),  # ZWNJ between two Persian letters stays
        ("رضا ۲", "رضا ۲"),
        ("reza2", "reza2"),
    ],
)
def test_clean_name_normalizes(typed: str, clean: str) -> None:
    assert clean_name(typed) == clean


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("s\u0435pideh", "name-mixed-script"),  # Cyrillic е inside a Latin word
        ("sep\u0456deh", "name-mixed-script"),  # Cyrillic і
        ("رضاreza", "name-mixed-script"),
        ("Sepi\u200bdeh", "name-hidden-character"),  # zero-width space
        ("\u2060Sepideh", "name-hidden-character"),  # word joiner
        ("Sepideh\u202e", "name-hidden-character"),  # RIGHT-TO-LEFT OVERRIDE
        ("\u2067Sepideh", "name-hidden-character"),  # RIGHT-TO-LEFT ISOLATE
        ("Sepideh\u2069 admin", "name-hidden-character"),  # closes the page's isolate
        ("Sepi\u2028deh", "name-hidden-character"),  # line separator inside
        ("Sepi\u0007deh", "name-hidden-character"),
        ("Sepi\ue000deh", "name-hidden-character"),  # private use
        ("Sepi\U000e0041deh", "name-hidden-character"),  # tag character
        ("\u200b\u200c\u200d", "name-hidden-character"),  # only invisible
        ("\u200c", "name-zwnj"),
        ("مهر\u200c", "name-zwnj"),  # at the end
        ("Ni\u200cma", "name-zwnj"),  # between Latin letters
        ("مهر\u200c\u200cناز", "name-zwnj"),
        ("", "name-empty"),
        ("   \u3000 ", "name-empty"),
        ("...", "name-no-letter"),
        ("\u0334", "name-marks"),
        ("a" + "\u0334" * 4, "name-marks"),
        ("x" * 65, "name-too-long"),
    ],
)
def test_lying_names_refused(typed: str, code: str) -> None:
    with pytest.raises(InvalidEvent) as err:
        clean_name(typed)
    assert err.value.code == code


def test_cell_names_may_be_longer() -> None:
    assert clean_name("x" * 200, limit=200) == "x" * 200
    with pytest.raises(InvalidEvent) as err:
        clean_name("x" * 201, limit=200)
    assert err.value.code == "name-too-long"
    assert err.value.params == {"limit": 200}


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("sepideh", "s\u0435pideh"),  # Cyrillic е
        ("Kaveh", "\u041a\u0430\u0475\u0435\u04bb"),  # all Cyrillic
        ("Sepideh", "sepideh"),
        ("Ahmadl", "AhmadI"),  # l and capital I
        ("رضایی", "رضايي"),  # Persian and Arabic yeh
        ("کاوه", "كاوه"),  # Persian and Arabic kaf
        ("مهرناز", "مهر\u200cناز"),
        ("omid", "\uff4fmid"),
    ],
)
def test_look_alikes_are_one_name(one: str, other: str) -> None:
    assert look_alike(one, other)


@pytest.mark.parametrize(("one", "other"), [("reza", "roza"), ("رضا", "رزا"), ("ali", "all")])
def test_different_names_differ(one: str, other: str) -> None:
    assert not look_alike(one, other)
    assert skeleton(one) != skeleton(other)


def test_informer_cannot_propose_a_look_alike_of_a_member() -> None:
    log = cell(3)  # Bahar, Kaveh, Shirin
    before = log.state
    for fake in ("\u041a\u0430\u0475\u0435\u04bb", "KAVEH", "Kaveh\u200b", "Kave\u202eh"):
        with pytest.raises(InvalidEvent):
            log.do(1, NewcomerProposed(card(fake), fake, log.now + DAY))
        assert log.state is before


def test_look_alike_of_an_open_proposal_is_taken() -> None:
    log = cell(3)
    log.do(0, NewcomerProposed(card("Roya"), "Roya", log.now + DAY))
    for fake in ("roya", "ROYA"):
        with pytest.raises(InvalidEvent) as err:
            log.do(1, NewcomerProposed(card(fake), fake, log.now + DAY))
        assert err.value.code == "cover-name-taken"


@pytest.mark.parametrize(
    "body",
    [
        CellCreated("\u202eyrekab", "Bahar"),
        CellCreated("bakery", "Bah\u0430r"),
        CellCreated("bakery  two", "Bahar"),
        CellCreated("bakery", "\uff22ahar"),
    ],
)
def test_cell_created_with_a_lying_name_is_refused(body: CellCreated) -> None:
    log = Log()
    with pytest.raises(InvalidEvent) as err:
        apply(empty_state(), log.envelope(0, body))
    assert err.value.code.startswith("name-")


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_clean_name_is_total_and_idempotent(text: str) -> None:
    try:
        name = clean_name(text)
    except InvalidEvent as err:
        assert err.code.startswith("name-")
        return
    assert name == unicodedata.normalize("NFKC", name)
    assert name == name.strip() and "  " not in name
    assert clean_name(name) == name
    assert any(unicodedata.category(c)[0] in "LN" for c in name)
    assert not any(unicodedata.category(c) in {"Cc", "Zl", "Zp", "Co", "Cn"} for c in name)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_skeleton_is_total(text: str) -> None:
    assert isinstance(skeleton(text), str)
    assert look_alike(text, text)
