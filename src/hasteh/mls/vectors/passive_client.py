"""passive-client-*.json: a member that only listens follows the group (RFC 9420 §12).

One checker for passive-client-welcome.json, passive-client-handling-commit.json and
passive-client-random.json. Verification (test-vectors.md):

* `signature_priv`, `encryption_priv` and `init_priv` correspond to the public keys
  (`signature_key`, `encryption_key`, `init_key`) in the KeyPackage `key_package`;
* join the group with the Welcome `welcome`, the ratchet tree `ratchet_tree` (if
  given) and the pre-shared keys `external_psks`;
* the locally computed `epoch_authenticator` equals `initial_epoch_authenticator`;
* for each entry of `epochs`: apply the Commit `commit`, using any of `proposals` that
  it includes by reference, and check the `epoch_authenticator`.

Times are not checked (`now=None`): the vectors were generated long ago and their
lifetimes need not cover today.
"""

from __future__ import annotations

from typing import Any

from hasteh.mls import hpke
from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.framing import MLSMessage
from hasteh.mls.group import CommitApplied, GroupState, ProposalReceived, join_from_welcome
from hasteh.mls.key_package import KeyPackage
from hasteh.mls.key_package_ops import KeyPackageSecrets
from hasteh.mls.psk_store import PskStore
from hasteh.mls.vectors import Mismatch, expect, h


def check(case: dict[str, Any]) -> None:
    suite = get_suite(case["cipher_suite"])
    msg = MLSMessage.from_bytes(h(case["key_package"]))
    if not isinstance(msg.body, KeyPackage):
        raise Mismatch("key_package does not hold a KeyPackage")
    kp = msg.body

    # Step 1: the private keys match the KeyPackage.
    sig_priv, enc_priv, init_priv = (
        h(case["signature_priv"]),
        h(case["encryption_priv"]),
        h(case["init_priv"]),
    )
    expect("signature_key", suite.signature_public_key(sig_priv), kp.leaf_node.signature_key)
    expect("encryption_key", hpke.public_key_of(suite.kem, enc_priv), kp.leaf_node.encryption_key)
    expect("init_key", hpke.public_key_of(suite.kem, init_priv), kp.init_key)

    # Step 2: join with the Welcome, the optional tree and the external PSKs.
    store = PskStore.of((h(p["psk_id"]), h(p["psk"])) for p in case["external_psks"])
    tree = None if case["ratchet_tree"] is None else h(case["ratchet_tree"])
    state: GroupState = join_from_welcome(
        h(case["welcome"]),
        KeyPackageSecrets(kp, init_priv, enc_priv, sig_priv),
        tree,
        psk_store=store,
    )

    # Step 3: the initial epoch authenticator.
    expect(
        "initial_epoch_authenticator",
        state.epoch_authenticator,
        h(case["initial_epoch_authenticator"]),
    )

    # Step 4: follow each epoch's proposals and commit.
    for n, epoch in enumerate(case["epochs"]):
        for proposal in epoch["proposals"]:
            received = state.process(h(proposal))
            if not isinstance(received, ProposalReceived):
                raise Mismatch(f"epoch {n}: a proposal message was not a proposal")
            state = received.new_state
        applied = state.process(h(epoch["commit"]))
        if not isinstance(applied, CommitApplied) or applied.new_state is None:
            raise Mismatch(f"epoch {n}: the commit did not advance our state")
        state = applied.new_state
        expect(
            f"epochs[{n}].epoch_authenticator",
            state.epoch_authenticator,
            h(epoch["epoch_authenticator"]),
        )
