"""tree-operations.json: applying an Add, Update or Remove to a ratchet tree
(RFC 9420 §12.1.1-§12.1.3, §7.7) and the tree hashes before and after (§7.8).

Verification (test-vectors.md, "Tree Operations"):
* the tree hash of `tree_before` matches `tree_hash_before`;
* `candidate_tree_after` is `proposal`, sent by leaf `proposal_sender`, applied to
  `tree_before`;
* serialized `candidate_tree_after` matches `tree_after`;
* the tree hash of `candidate_tree_after` matches `tree_hash_after`.
"""

from __future__ import annotations

from typing import Any

from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.proposals import Add, Remove, Update, proposal_from_bytes
from hasteh.mls.ratchet_tree import RatchetTree
from hasteh.mls.tree_hash import tree_hash
from hasteh.mls.tree_math import LeafIndex
from hasteh.mls.vectors import Mismatch, expect, h


def check(case: dict[str, Any]) -> None:
    suite = get_suite(case["cipher_suite"])
    before = RatchetTree.from_bytes(suite, h(case["tree_before"]))
    expect("tree_hash_before", tree_hash(before), h(case["tree_hash_before"]))

    proposal = proposal_from_bytes(h(case["proposal"]))
    sender = LeafIndex(case["proposal_sender"])
    match proposal:
        case Add(key_package=kp):
            after, _ = before.add_leaf(kp.leaf_node)
        case Update(leaf_node=leaf):
            after = before.update_leaf(sender, leaf)
        case Remove(removed=removed):
            after = before.remove_leaf(LeafIndex(removed))
        case _:
            raise Mismatch(f"unexpected proposal type {proposal.proposal_type}")

    expect("tree_after", after.to_bytes(), h(case["tree_after"]))
    expect("tree_hash_after", tree_hash(after), h(case["tree_hash_after"]))
    # The derived tree reused cached hashes; a fresh decode must agree.
    fresh = RatchetTree.from_bytes(suite, after.to_bytes())
    expect("tree_hash_after (fresh)", tree_hash(fresh), h(case["tree_hash_after"]))
