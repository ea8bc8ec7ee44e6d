"""Card files and card images as a member receives them: the decoder keeps the code and
drops any hint lines around it; arbitrary text and arbitrary bytes (hypothesis) only
ever give a `CardError` with its reason."""

from __future__ import annotations

import io

import pytest
from fuzz._common import NOW, DetRng
from fuzz._mls_world import key_package
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from hasteh.app.cards import (
    Card,
    card_lines,
    encode_card,
    qr_png,
    read_card,
    read_card_image,
)
from hasteh.app.errors import CARD_REASONS, CardError

CARD = Card(
    key_package("reza", DetRng(b"card-input")).key_package,
    b"p" * 32,
    ("https://relay.example",),
    NOW + 86_400,
)
CODE = encode_card(CARD)

# A hint line: anything that is not itself a code line nor upper-case base32.
#: One hint line: no line boundary of any kind (`str.splitlines` also breaks at form
#: feeds, \x1c-\x1e, \x85, \u2028: "A\x0c0" is two lines, and "A" alone looks like code).
hint = st.text(max_size=60).filter(
    lambda t: (
        len(t.splitlines()) <= 1
        and "\n" not in t
        and "\r" not in t
        and not "".join(t.split()).upper().startswith("HC1:")
        and not set(t.strip()) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567- ")
    )
)


@settings(max_examples=150, deadline=None)
@given(before=st.lists(hint, max_size=4), after=st.lists(hint, max_size=4), wrap=st.integers(0, 90))
def test_a_card_file_with_any_hint_lines_decodes_to_the_card(
    before: list[str], after: list[str], wrap: int
) -> None:
    code = CODE
    if wrap >= 20:  # wrapped by an editor
        code = "\n".join(code[i : i + wrap] for i in range(0, len(code), wrap))
    text = "\n".join([*before, code, *after])
    assert read_card(text, now=NOW) == CARD


def test_hint_lines_in_both_languages() -> None:
    text = (
        f"{CODE}\nGive this card only in person. Then run `hasteh join` until you are in.\n"
        "این کارت را فقط رودررو بدهید.\n"
    )
    assert card_lines(text) == CODE
    assert read_card("# a comment\n\n" + text, now=NOW) == CARD


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_a_card_or_a_precise_refusal(text: str) -> None:
    try:
        read_card(text, now=NOW)
    except CardError as exc:
        assert exc.reason in CARD_REASONS


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_as_an_image_are_refused_precisely(data: bytes) -> None:
    with pytest.raises(CardError) as refused:
        read_card_image(b"\x89PNG\r\n\x1a\n" + data, now=NOW)
    assert refused.value.reason in ("not-an-image", "no-qr-code", "image-too-large")


def test_the_qr_image_of_a_card_decodes_to_the_card() -> None:
    assert read_card_image(qr_png(CODE), now=NOW) == CARD
    gif = io.BytesIO()
    Image.open(io.BytesIO(qr_png(CODE, scale=3))).save(gif, "GIF")
    assert read_card_image(gif.getvalue(), now=NOW) == CARD
