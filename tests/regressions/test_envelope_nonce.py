"""Fuzzing finding (fuzz_envelope): an envelope whose nonce starts with a high ChaCha20
block counter made `open_payload` raise cryptography's ValueError ("the 32-bit counter
portion of the nonce would overflow") instead of `EnvelopeError`: a sync that fetched it
failed, and its cursor never moved. `seal` could hit the same with a random nonce (about
once in a million envelopes of 256 KiB)."""

from __future__ import annotations

import pytest

from hasteh.envelope import BUCKETS, Envelope, EnvelopeError, Kind, open_payload, seal


def test_overflowing_nonce_is_an_envelope_error() -> None:
    good = seal(kind=Kind.MESSAGE, mailbox=b"m" * 32, payload=b"x", rng=lambda n: bytes(n))
    data = bytearray(good.to_bytes())
    data[44:48] = b"\xff\xff\xff\xff"  # the nonce's counter bytes
    with pytest.raises(EnvelopeError) as err:
        open_payload(Envelope.from_bytes(bytes(data)))
    assert err.value.reason == "bad-nonce"


@pytest.mark.parametrize("size", [1, BUCKETS[-1] - 4])
def test_seal_never_draws_an_overflowing_nonce(size: int) -> None:
    env = seal(kind=Kind.MESSAGE, mailbox=b"m" * 32, payload=b"p" * size, rng=lambda n: b"\xff" * n)
    assert open_payload(Envelope.from_bytes(env.to_bytes())) == b"p" * size
