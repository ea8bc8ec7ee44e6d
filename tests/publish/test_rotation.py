"""The key rotation chain: followed when it holds, refused where it breaks, and a file
signed by a key rotated away after a seizure is no longer genuine."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from hasteh.publish.claim import make_claim
from hasteh.publish.issue import Issue
from hasteh.publish.keys import BulletinKey
from hasteh.publish.press import Layout, render
from hasteh.publish.rotation import ChainBroken, Rotation, follow, rotate
from hasteh.publish.signing import Outcome, sign, verify
from tests.publish.conftest import AT

DECISION = bytes(32)
KEYS = [BulletinKey.from_seed(bytes([n]) * 32) for n in range(1, 5)]


def chain() -> list[Rotation]:
    return [rotate(KEYS[i], KEYS[i + 1].public, i + 1, DECISION) for i in range(3)]


def _other_decision(link: Rotation) -> Rotation:
    return dataclasses.replace(link, decision=b"\x01" * 32)


def test_a_chain_leads_to_the_newest_key() -> None:
    state = follow(KEYS[0].fingerprint, chain())
    assert state.current == KEYS[3].fingerprint
    assert state.retired == {k.fingerprint for k in KEYS[:3]}
    assert follow(KEYS[0].fingerprint, []).current == KEYS[0].fingerprint


def test_a_thief_cannot_add_a_link_without_the_current_key() -> None:
    thief = BulletinKey.from_seed(b"\x09" * 32)
    # The thief signs a rotation from the current key to theirs with their own key.
    forged = dataclasses.replace(rotate(thief, thief.public, 4, DECISION), old=KEYS[3].public)
    with pytest.raises(ChainBroken) as caught:
        follow(KEYS[0].fingerprint, [*chain(), forged])
    assert caught.value.reason == "bad-signature" and caught.value.index == 3


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda links: links[1:], "out-of-order"),
        (lambda links: [links[0], links[2]], "out-of-order"),
        (
            lambda links: [dataclasses.replace(links[0], decision=b"\x01" * 32), *links[1:]],
            "bad-signature",
        ),
        (lambda links: [*links, rotate(KEYS[3], KEYS[1].public, 4, DECISION)], "key-reused"),
    ],
)
def test_broken_chains(mangle: Callable[[list[Rotation]], list[Rotation]], reason: str) -> None:
    with pytest.raises(ChainBroken) as caught:
        follow(KEYS[0].fingerprint, mangle(chain()))
    assert caught.value.reason == reason


def test_a_chain_from_another_root_is_refused() -> None:
    with pytest.raises(ChainBroken) as caught:
        follow(KEYS[1].fingerprint, chain())
    assert caught.value.reason == "wrong-old-key"


def test_file_signed_by_a_retired_key_after_a_seizure(issue: Issue) -> None:
    seized = KEYS[2]
    claim = make_claim(seized, issue.number, issue.digest())
    pdf = sign(render(issue, Layout.A5, claim), seized, AT)
    state = follow(KEYS[0].fingerprint, chain())
    assert verify(pdf, {seized.fingerprint}).outcome is Outcome.GENUINE  # before the rotation
    verdict = verify(pdf, {state.current}, state.retired)
    assert verdict.outcome is Outcome.UNKNOWN_ISSUER and verdict.reason == "retired-key"
