"""S1 (found by fuzz/fuzz_rendezvous.py in its first seconds): a SPAKE2 message whose point
is not on the curve made the `spake2` package raise `NotOnCurve`, which is not one of its
`SPAKEError`s, out of `Member.receive`: a stranger who opened a rendezvous slot with it
would have crashed the member's `hasteh propose-code` (a traceback) instead of a clean
refusal; the newcomer's side finishes SPAKE2 the same way."""

from __future__ import annotations

from pathlib import Path

import pytest
from fuzz.fuzz_rendezvous import TestOneInput, sides

from hasteh.app.invite_code import InviteCodeError

SEED = Path(__file__).resolve().parents[2] / "fuzz/corpus/rendezvous/not-on-curve"


def test_a_point_off_the_curve_is_malformed_and_fails_the_side() -> None:
    data = SEED.read_bytes()
    assert data[0] % 5 == 1  # mode 1: the member takes it as the newcomer's open
    _newcomer, member = sides()
    with pytest.raises(InviteCodeError) as refused:
        member.receive(data[1:])
    assert refused.value.reason == "malformed" and member.failed
    TestOneInput(data)
