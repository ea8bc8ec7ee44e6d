"""Envelope bytes (what relays store and couriers carry): `Envelope.from_bytes`, then
`open_payload`. Only `EnvelopeError` may escape; a decoded envelope re-encodes to exactly
the input (the relay relies on that for envelope ids)."""

from __future__ import annotations

from fuzz._common import Finding, harness, main
from hasteh.envelope import Envelope, EnvelopeError, envelope_id, open_payload


@harness
def TestOneInput(data: bytes) -> None:
    try:
        env = Envelope.from_bytes(data)
    except EnvelopeError:
        return
    if env.to_bytes() != data or envelope_id(data) != env.id:
        raise Finding("an envelope does not re-encode to its bytes")
    try:
        open_payload(env)
    except EnvelopeError:
        return


if __name__ == "__main__":
    main(TestOneInput)
