"""The codes a person types or scans for delegation (a cell's key code, a recall code):
any text is read or refused with `bad-key-code`, never a crash; a code survives the ways
people copy it (case, spaces, dashes); one changed character is caught."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.app import delegation
from hasteh.app.delegation import (
    KEY_PREFIX,
    RECALL_PREFIX,
    RecallCode,
    _decode,
    _encode,
    read_recall_code,
)
from hasteh.app.errors import BadInput

RECALL = RecallCode("cell-a", b"f" * 32, b"r" * 32, b"s" * 64)


def recall_text() -> str:
    return _encode(RECALL_PREFIX, delegation._RECALL_CHECK, msgspec.msgpack.encode(RECALL))


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_any_text_is_a_recall_or_a_precise_refusal(text: str) -> None:
    for candidate in (text, RECALL_PREFIX + text, recall_text()[:20] + text):
        try:
            got = read_recall_code(candidate)
        except BadInput as err:
            assert err.code == "bad-key-code"
        else:
            assert len(got.recall) == 32 and len(got.signature) == 64


@given(st.binary(min_size=1, max_size=200))
@settings(max_examples=200, deadline=None)
def test_any_payload_round_trips_through_a_key_code(payload: bytes) -> None:
    code = _encode(KEY_PREFIX, delegation._KEY_CHECK, payload)
    if len(code) <= 512:
        assert _decode(KEY_PREFIX, delegation._KEY_CHECK, code) == payload


def test_a_recall_code_as_people_copy_it() -> None:
    text = recall_text()
    spaced = " ".join(text[i : i + 4] for i in range(0, len(text), 4)).lower()
    assert read_recall_code(spaced) == RECALL
    assert read_recall_code("-".join(text[i : i + 5] for i in range(0, len(text), 5))) == RECALL
    changed = text[:-6] + ("A" if text[-6] != "A" else "B") + text[-5:]
    with pytest.raises(BadInput):
        read_recall_code(changed)
    with pytest.raises(BadInput):  # a key code is not a recall code
        read_recall_code(_encode(KEY_PREFIX, delegation._KEY_CHECK, b"k" * 32))
