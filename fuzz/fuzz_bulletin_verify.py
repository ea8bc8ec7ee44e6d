"""The bulletin verifier: a PDF (mode 0) through `signing.verify`, a claim's QR text
(mode 1) through `claim.read_claim`. `verify` never raises; `read_claim` raises only
`ClaimRefused`; no fuzzed file is ever genuine unless it is byte for byte a signed
seed (or differs only inside the signature's zero padding)."""

from __future__ import annotations

from fuzz._common import Finding, harness, main
from hasteh.publish.claim import ClaimRefused, read_claim
from hasteh.publish.keys import BulletinKey
from hasteh.publish.signing import Outcome, verify

KEY = BulletinKey.from_seed(b"\x05" * 32)


@harness
def TestOneInput(data: bytes) -> None:
    if not data:
        return
    mode, rest = data[0] % 2, data[1:]
    if mode == 0:
        verdict = verify(rest, {KEY.fingerprint})
        if verdict.outcome is Outcome.GENUINE and verdict.claim is None:
            raise Finding("genuine without a claim")
        return
    try:
        claim = read_claim(rest.decode("utf-8", errors="replace"))
    except ClaimRefused:
        return
    if claim.to_text() != rest.decode("utf-8", errors="replace"):
        raise Finding("two texts for one claim")


if __name__ == "__main__":
    main(TestOneInput)
