"""transcript-hashes.json: confirmation tag and transcript hash update (RFC 9420 §8.2).

Verification (test-vectors.md):
* `authenticated_content` contains a Commit, and its `auth.confirmation_tag` is a valid
  MAC for `authenticated_content` with key `confirmation_key` and input
  `confirmed_transcript_hash_after`.
* `confirmed_transcript_hash_after` and `interim_transcript_hash_after` are the result of
  updating `interim_transcript_hash_before` with `authenticated_content`.
"""

from __future__ import annotations

from typing import Any

from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.commit import Commit
from hasteh.mls.errors import InvalidMessage
from hasteh.mls.framing import AuthenticatedContent
from hasteh.mls.transcript_hash import update_transcript_hashes, verify_confirmation_tag
from hasteh.mls.vectors import Mismatch, expect, h


def check(case: dict[str, Any]) -> None:
    suite = get_suite(case["cipher_suite"])
    data = h(case["authenticated_content"])
    authenticated = AuthenticatedContent.from_bytes(data)
    expect("authenticated_content re-encoded", authenticated.to_bytes(), data)
    if not isinstance(authenticated.content.content, Commit):
        raise Mismatch("authenticated_content does not contain a Commit")
    tag = authenticated.auth.confirmation_tag
    assert tag is not None
    confirmed_after = h(case["confirmed_transcript_hash_after"])
    try:
        verify_confirmation_tag(suite, h(case["confirmation_key"]), confirmed_after, tag)
    except InvalidMessage:
        raise Mismatch("confirmation_tag does not verify") from None

    confirmed, interim = update_transcript_hashes(
        suite, h(case["interim_transcript_hash_before"]), authenticated
    )
    expect("confirmed_transcript_hash_after", confirmed, confirmed_after)
    expect("interim_transcript_hash_after", interim, h(case["interim_transcript_hash_after"]))
