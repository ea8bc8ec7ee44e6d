"""Names at the app boundary: a joiner's MLS credential may carry any bytes; what the
cell sees is either a clean name or "?" (whose Add then differs from the approved name
and raises an alarm), and a crafted card is refused before it is proposed."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from hasteh.app.cards import card_cover_name as _card_cover_name
from hasteh.app.errors import Refused
from hasteh.app.runtime import cover_name_of


def leaf(identity: bytes) -> Any:
    return SimpleNamespace(credential=SimpleNamespace(identity=identity))


@pytest.mark.parametrize(
    "identity",
    [
        "Kav\u202eeh".encode(),  # bidi override
        "Kaveh\u2069".encode(),  # closes the page's isolate
        "\u200b".encode(),  # invisible only
        "K\u0430veh".encode(),  # Cyrillic а
        b"Kaveh  ",  # not in its plain form
        b"\xff\xfe",  # not UTF-8
        b"",
    ],
)
def test_a_lying_credential_reads_as_a_question_mark(identity: bytes) -> None:
    assert cover_name_of(leaf(identity)) == "?"


def test_a_clean_credential_reads_as_itself() -> None:
    assert cover_name_of(leaf("مهر\u200cناز".encode())) == "مهر\u200cناز"


@pytest.mark.parametrize(
    ("identity", "code"),
    [
        ("Kav\u202eeh".encode(), "name-hidden-character"),
        (b"  Kaveh", "name-unclean"),
        ("\uff2baveh".encode(), "name-unclean"),  # full-width K
        (b"\xff", "name-unclean"),
    ],
)
def test_a_crafted_card_cannot_be_proposed(identity: bytes, code: str) -> None:
    card = SimpleNamespace(key_package=SimpleNamespace(leaf_node=leaf(identity)))
    with pytest.raises(Refused) as err:
        _card_cover_name(card)  # type: ignore[arg-type]
    assert err.value.code == code
