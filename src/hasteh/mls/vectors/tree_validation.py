"""tree-validation.json: resolutions, tree hashes, parent hashes and leaf signatures of
a received ratchet tree (RFC 9420 §4.1.1, §7.8, §7.9.2, §7.3).

Verification (test-vectors.md, "Tree Validation"):
* the resolution of each node i matches `resolutions[i]`;
* the tree hash of each node i matches `tree_hashes[i]`;
* the parent hashes of `tree` verify, as when joining the group;
* the signatures on all leaves verify with `group_id` as context.
"""

from __future__ import annotations

from typing import Any

from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.leaf_validation import verify_leaf_signature
from hasteh.mls.parent_hash import verify_parent_hashes
from hasteh.mls.ratchet_tree import RatchetTree
from hasteh.mls.tree_hash import all_tree_hashes
from hasteh.mls.tree_math import NodeIndex
from hasteh.mls.vectors import expect, h


def check(case: dict[str, Any]) -> None:
    suite = get_suite(case["cipher_suite"])
    tree = RatchetTree.from_bytes(suite, h(case["tree"]))
    group_id = h(case["group_id"])

    want_res = case["resolutions"]
    expect("node count", tree.width, len(want_res))
    for x, want in enumerate(want_res):
        expect(f"resolution of node {x}", list(tree.resolution(NodeIndex(x))), want)

    want_hashes = [h(v) for v in case["tree_hashes"]]
    expect("tree hashes", list(all_tree_hashes(tree)), want_hashes)

    verify_parent_hashes(tree)

    for leaf, node in tree.leaves():
        verify_leaf_signature(suite, node, group_id=group_id, leaf_index=leaf)
