"""secret-tree.json: sender-data key/nonce and every leaf's ratchet keys (RFC 9420 §9).

Verification (test-vectors.md):

* `sender_data`: `key == sender_data_key(sender_data_secret, ciphertext)` and
  `nonce == sender_data_nonce(sender_data_secret, ciphertext)`;
* initialize a secret tree with as many leaves as `leaves` has entries and
  `encryption_secret` as its root secret;
* for each `leaves[i][k]`: the handshake and application key and nonce of leaf `i` at
  `generation` equal the given ones.
"""

from __future__ import annotations

from typing import Any

from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.secret_tree import RatchetKind, SecretTree, sender_data_key_nonce
from hasteh.mls.tree_math import LeafIndex
from hasteh.mls.vectors import expect, h


def check(case: dict[str, Any]) -> None:
    suite = get_suite(case["cipher_suite"])

    sd = case["sender_data"]
    key, nonce = sender_data_key_nonce(suite, h(sd["sender_data_secret"]), h(sd["ciphertext"]))
    expect("sender_data.key", key, h(sd["key"]))
    expect("sender_data.nonce", nonce, h(sd["nonce"]))

    leaves: list[list[dict[str, Any]]] = case["leaves"]
    tree = SecretTree(suite, h(case["encryption_secret"]), len(leaves))
    for i, entries in enumerate(leaves):
        leaf = LeafIndex(i)
        for entry in entries:
            g: int = entry["generation"]
            for kind in RatchetKind:
                name = kind.value
                got = tree.key_for(leaf, kind, g)
                expect(f"leaf {i} {name} generation", got.generation, g)
                expect(f"leaf {i} {name}_key[{g}]", got.key, h(entry[f"{name}_key"]))
                expect(f"leaf {i} {name}_nonce[{g}]", got.nonce, h(entry[f"{name}_nonce"]))
