"""Finding A4: every decoder of untrusted bytes outside MLS gives a result or its own
package's error, never msgspec's `UnicodeDecodeError`/`ValidationError`, a `KeyError` or a
`RecursionError` (hypothesis over arbitrary bytes and over mutations of valid inputs)."""

from __future__ import annotations

from collections.abc import Callable

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hasteh import errors, org
from hasteh.app import frames, parked
from hasteh.app.cards import read_card
from hasteh.app.errors import CardError
from hasteh.app.records import CellRecord, Invitation
from hasteh.envelope import Envelope, EnvelopeError, open_payload
from hasteh.mls.errors import MLSError
from hasteh.mls.key_package_ops import KeyPackageSecrets
from hasteh.org import OrgError


class Refused(Exception):
    pass


def _card(data: bytes) -> object:
    from hasteh.app.cards import decode_card

    return decode_card(data, now=None)


def _envelope(data: bytes) -> object:
    return open_payload(Envelope.from_bytes(data))


DECODERS: dict[str, tuple[Callable[[bytes], object], tuple[type[Exception], ...]]] = {
    "card": (_card, (CardError,)),
    "history": (frames.decode_history, (frames.FrameError,)),
    "join": (frames.decode_join, (frames.FrameError,)),
    "org-event": (org.decode, (OrgError,)),
    "envelope": (_envelope, (EnvelopeError,)),
    "key-package-secrets": (KeyPackageSecrets.from_bytes, (MLSError,)),
    "parked": (parked.framed_for, ()),
    "cell-record-json": (
        lambda b: errors.json_decode(b, CellRecord, lambda d: Refused(d)),
        (Refused,),
    ),
    "invitation-json": (
        lambda b: errors.json_decode(b, Invitation, lambda d: Refused(d)),
        (Refused,),
    ),
}

#: Valid-looking starting points that mutations turn into invalid UTF-8 and bad types.
SEEDS = [
    msgspec.msgpack.encode([1, b"k", b"p" * 32, ["http://relay"], 1]),
    msgspec.msgpack.encode([b"m" * 32, ["http://r"], {"http://r": "1"}, [b"x"]]),
    msgspec.msgpack.encode([1, b"w", b"h"]),
    msgspec.json.encode({"group_id": "AA==", "mailbox": "AA==", "relays": ["é"], "joined_at": 1}),
    b"[" * 5000,
    b"\x91" * 5000,
]


def _check(name: str, data: bytes) -> None:
    decode, allowed = DECODERS[name]
    try:
        decode(data)
    except allowed:
        pass


@pytest.mark.parametrize("name", sorted(DECODERS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2048))
def test_arbitrary_bytes(name: str, data: bytes) -> None:
    _check(name, data)


@pytest.mark.parametrize("name", sorted(DECODERS))
@settings(max_examples=150, deadline=None)
@given(
    seed=st.sampled_from(SEEDS),
    at=st.integers(min_value=0, max_value=10_000),
    junk=st.binary(min_size=1, max_size=4),
)
def test_mutated_valid_inputs(name: str, seed: bytes, at: int, junk: bytes) -> None:
    at %= len(seed)
    _check(name, seed[:at] + junk + seed[at + len(junk) :])
    _check(name, seed.replace(b"http", b"\xff\xfe\xfd\xfc"))


def test_non_utf8_str_field_is_the_package_error() -> None:
    bad = msgspec.msgpack.encode([1, b"k", b"p" * 32, ["http://relay"], 1]).replace(
        b"http", b"\xff\xfe\xfd\xfc"
    )
    with pytest.raises(CardError):
        _card(bad)
    history = msgspec.msgpack.encode(
        [b"m" * 32, ["\udc80".encode("utf-8", "surrogatepass")], {}, []]
    )
    with pytest.raises(frames.FrameError):
        frames.decode_history(history)


def test_card_text_with_lone_surrogates_and_lookalike_digits() -> None:
    for text in ["HC1:\udc80", "HC1:²³", "HC1:" + "٣" * 30, "\ud800"]:
        with pytest.raises(CardError):
            read_card(text, now=None)
