"""Deterministic MLS groups for the MLS harnesses: alice (the receiver), bob (a member
who turns malicious), carol; one group with PublicMessage handshakes, one with
PrivateMessage handshakes (hasteh's cells). And a Welcome for a joiner, dave.

Their cover names (credential identities) are those of the org harness cell
(`_org_cell.NAMES`: alice is Bahar, bob Kaveh, carol Shirin, dave Dariush), so a join
history from that cell matches the tree dave joins."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from fuzz._common import NOW, DetRng
from fuzz._org_cell import NAMES
from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.credential import BasicCredential
from hasteh.mls.group import CommitApplied, GroupConfig, GroupState, create_group, join_from_welcome
from hasteh.mls.key_package_ops import KeyPackageSecrets, create_key_package
from hasteh.mls.proposals import Add

SUITE_ID = 1
SUITE = get_suite(SUITE_ID)


def key_package(name: str, rng: DetRng) -> KeyPackageSecrets:
    private, _ = SUITE.generate_signature_key(rng)
    return create_key_package(SUITE_ID, BasicCredential(name.encode()), private, rng=rng, now=NOW)


@dataclass(frozen=True)
class World:
    config: GroupConfig
    alice: bytes
    bob: bytes
    carol: bytes
    #: A commit of bob's and a proposal of bob's, valid in the current epoch (seeds).
    commit: bytes
    proposal: bytes
    #: For the Welcome harness: dave's secrets and the Welcome that adds him.
    dave: KeyPackageSecrets
    welcome: bytes
    #: For the join-history harness: alice after adding dave, and dave just joined.
    alice_after: bytes
    dave_joined: bytes

    def state(self, name: str) -> GroupState:
        return GroupState.from_bytes(getattr(self, name), self.config)


@cache
def world(private: bool) -> World:
    rng = DetRng(b"mls-private" if private else b"mls-public")
    config = GroupConfig(encrypt_handshake=private)
    alice_kp = key_package(NAMES[0], rng)
    alice = create_group(SUITE_ID, b"fuzz-group", alice_kp, rng=rng, config=config)
    bob_kp, carol_kp = key_package(NAMES[1], rng), key_package(NAMES[2], rng)
    out = alice.commit([Add(bob_kp.key_package), Add(carol_kp.key_package)], rng=rng, now=NOW)
    alice = alice.merge_pending(out.pending)
    assert out.welcome is not None
    bob = join_from_welcome(out.welcome, bob_kp, now=NOW, config=config)
    carol = join_from_welcome(out.welcome, carol_kp, now=NOW, config=config)
    # Seeds: what an honest bob would send in this epoch (not applied).
    _, proposal = bob.propose_update(rng=rng)
    bob_commit = bob.commit([], force_path=True, rng=rng, now=NOW).commit
    dave = key_package(NAMES[3], rng)
    added = alice.commit([Add(dave.key_package)], rng=rng, now=NOW)
    assert added.welcome is not None
    result = GroupState.from_bytes(bob.to_bytes(), config).process(added.commit, now=NOW)
    assert isinstance(result, CommitApplied)
    dave_joined = join_from_welcome(added.welcome, dave, now=NOW, config=config)
    return World(
        config,
        alice.to_bytes(),
        bob.to_bytes(),
        carol.to_bytes(),
        bob_commit,
        proposal,
        dave,
        added.welcome,
        alice.merge_pending(added.pending).to_bytes(),
        dave_joined.to_bytes(),
    )
