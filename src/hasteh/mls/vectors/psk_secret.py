"""psk_secret.json: chaining external PSKs into a psk_secret (RFC 9420 §8.4).

Verification (test-vectors.md): for each entry of `psks`, build a PreSharedKeyID of
type external with its `psk_id` and `psk_nonce`; with those and the `psk` values,
compute `psk_secret` as §8.4 describes and compare.
"""

from __future__ import annotations

from typing import Any

from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.psk import PskInput, psk_secret
from hasteh.mls.vectors import expect, h


def check(case: dict[str, Any]) -> None:
    suite = get_suite(case["cipher_suite"])
    psks = [PskInput.external(h(p["psk_id"]), h(p["psk_nonce"]), h(p["psk"])) for p in case["psks"]]
    expect("psk_secret", psk_secret(suite, psks), h(case["psk_secret"]))
