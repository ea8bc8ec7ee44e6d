"""The envelope id is computed once per envelope (a catch-up asked for it up to three
times per envelope). Caching must not change what an id is, nor make two envelopes with
different bytes share one, nor make equal envelopes differ."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.envelope import MAILBOX_SIZE, Envelope, Kind, envelope_id, seal


@settings(max_examples=60, deadline=None)
@given(
    payload=st.binary(max_size=300),
    mailbox=st.binary(min_size=MAILBOX_SIZE, max_size=MAILBOX_SIZE),
    nonce=st.binary(min_size=16, max_size=16),
)
def test_id_is_the_hash_of_the_bytes(payload: bytes, mailbox: bytes, nonce: bytes) -> None:
    env = seal(kind=Kind.MESSAGE, mailbox=mailbox, payload=payload, rng=lambda n: nonce[:n])
    first = env.id
    assert first == env.id == envelope_id(env.to_bytes())
    decoded = Envelope.from_bytes(env.to_bytes())
    assert decoded == env and hash(decoded) == hash(env)  # the cache is no part of the value
    assert decoded.id == first
    flipped = bytearray(env.body)
    flipped[0] ^= 1
    other = dataclasses.replace(env, body=bytes(flipped))  # a copy starts without the id
    assert other != env and other.id != first
    assert other.id == envelope_id(other.to_bytes())


def test_the_cached_id_is_not_in_repr() -> None:
    env = seal(kind=Kind.MESSAGE, mailbox=b"m" * MAILBOX_SIZE, payload=b"x", rng=bytes)
    env.id  # noqa: B018 - fills the cache
    assert "_id" not in repr(env)
