"""The envelope codec: strict decoding, exact re-encoding, and only EnvelopeError on bad input."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.envelope import (
    BUCKETS,
    HEADER_SIZE,
    MAX_PAYLOAD,
    Envelope,
    EnvelopeError,
    Kind,
    bucket_for,
    open_payload,
    seal,
)

MAILBOX = bytes(range(32))


def sealed(payload: bytes = b"hello", kind: Kind = Kind.MESSAGE, epoch: int = 0) -> bytes:
    return seal(kind=kind, mailbox=MAILBOX, payload=payload, rng=os.urandom, epoch=epoch).to_bytes()


def test_round_trip_and_id() -> None:
    data = sealed(b"hello")
    env = Envelope.from_bytes(data)
    assert env.to_bytes() == data
    assert len(data) == HEADER_SIZE + 256
    assert open_payload(env) == b"hello"
    assert env.id == Envelope.from_bytes(data).id
    assert env.id != Envelope.from_bytes(sealed(b"hello")).id  # fresh nonce


@pytest.mark.parametrize(
    ("size", "bucket"), [(0, 256), (252, 256), (253, 1024), (MAX_PAYLOAD, 262144)]
)
def test_buckets(size: int, bucket: int) -> None:
    assert bucket_for(size) == bucket
    env = seal(kind=Kind.MESSAGE, mailbox=MAILBOX, payload=b"a" * size, rng=os.urandom)
    assert len(env.body) == bucket and open_payload(env) == b"a" * size


def test_too_large_payload_must_be_chunked() -> None:
    with pytest.raises(EnvelopeError) as err:
        bucket_for(MAX_PAYLOAD + 1)
    assert err.value.reason == "too-large"


def _patch(data: bytes, offset: int, value: bytes) -> bytes:
    return data[:offset] + value + data[offset + len(value) :]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "truncated"),
        (sealed()[:59], "truncated"),
        (_patch(sealed(), 0, b"\x02"), "bad-version"),
        (_patch(sealed(), 1, b"\x09"), "bad-kind"),
        (_patch(sealed(), 2, b"\x06"), "bad-bucket"),
        (_patch(sealed(), 3, b"\x01"), "bad-reserved"),
        (_patch(sealed(), 11, b"\x01"), "bad-epoch"),
        (sealed() + b"\x00", "bad-length"),
        (_patch(sealed(), 2, b"\x01"), "bad-length"),
    ],
)
def test_precise_errors(data: bytes, reason: str) -> None:
    with pytest.raises(EnvelopeError) as err:
        Envelope.from_bytes(data)
    assert err.value.reason == reason


def test_commit_carries_epoch() -> None:
    env = Envelope.from_bytes(sealed(kind=Kind.COMMIT, epoch=7))
    assert env.kind is Kind.COMMIT and env.epoch == 7


def test_tampered_padding_is_refused() -> None:
    env = Envelope.from_bytes(sealed(b"hi"))
    flipped = Envelope(
        env.kind,
        env.epoch,
        env.mailbox,
        env.nonce,
        _patch(env.body, 100, bytes([env.body[100] ^ 1])),
    )
    with pytest.raises(EnvelopeError) as err:
        open_payload(flipped)
    assert err.value.reason == "bad-padding"


def _check(data: bytes) -> None:
    try:
        env = Envelope.from_bytes(data)
    except EnvelopeError:
        return
    assert env.to_bytes() == data


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_decode_or_envelope_error(data: bytes) -> None:
    _check(data)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([sealed(b"a"), sealed(b"b" * 900, Kind.COMMIT, 3), sealed(b"", Kind.WELCOME)]),
    st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 255)), max_size=6),
    st.integers(0, 1200),
)
def test_mutations_decode_or_envelope_error(
    base: bytes, flips: list[tuple[int, int]], cut: int
) -> None:
    data = bytearray(base)
    for offset, value in flips:
        if offset < len(data):
            data[offset] = value
    if cut % 3 == 0:
        data = data[: len(data) - cut]
    elif cut % 3 == 1:
        data += bytes(cut)
    _check(bytes(data))
    if len(data) >= HEADER_SIZE:
        try:
            env = Envelope.from_bytes(bytes(data))
        except EnvelopeError:
            return
        try:
            open_payload(env)
        except EnvelopeError:
            pass


def test_buckets_are_the_documented_ones() -> None:
    assert BUCKETS == (256, 1024, 4096, 16384, 65536, 262144)
