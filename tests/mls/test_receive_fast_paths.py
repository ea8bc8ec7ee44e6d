"""The receive path's joined derivations and decoders give exactly what the general
ones give (RFC 9420 §6.3, §9.1): same bytes, same refusals."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.mls.cipher_suite import SUITES, CipherSuite
from hasteh.mls.labels import (
    derive_tree_secret,
    ratchet_step_secrets,
)

suites = st.sampled_from(sorted(SUITES.values(), key=lambda s: s.id))


@settings(max_examples=200, deadline=None)
@given(suites, st.binary(min_size=1, max_size=80), st.integers(0, (1 << 32) - 1))
def test_ratchet_step_secrets_equal_three_derive_tree_secret(
    suite: CipherSuite, secret: bytes, generation: int
) -> None:
    assert ratchet_step_secrets(suite, secret, generation) == (
        derive_tree_secret(suite, secret, "key", generation, suite.nk),
        derive_tree_secret(suite, secret, "nonce", generation, suite.nn),
        derive_tree_secret(suite, secret, "secret", generation, suite.nh),
    )
