"""treekem.json: creating and processing UpdatePaths (RFC 9420 §7.4-§7.6, §7.9).

Verification (test-vectors.md, "TreeKEM"):
* for each entry of `leaves_private`, build the private state of that leaf from its
  encryption key and path secrets, checking it against `ratchet_tree` (nodes non-blank,
  public keys matching);
* the GroupContext has the given cipher suite, group_id, epoch and confirmed transcript
  hash, no extensions, and the tree hash of the tree with the UpdatePath merged;
* for each entry of `update_paths`, from sender i:
  * `update_path` is parent-hash valid relative to `ratchet_tree`;
  * every non-blank leaf j != i processes it, decrypting `path_secrets[j]` and
    obtaining `commit_secret`;
  * the tree with `update_path` merged has root tree hash `tree_hash_after`;
  * a new UpdatePath created by i (with its signature key) is processed by every
    non-blank leaf j != i to the creator's commit secret.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.commit import UpdatePath
from hasteh.mls.group_context import GroupContext
from hasteh.mls.parent_hash import verify_parent_hashes
from hasteh.mls.ratchet_tree import RatchetTree
from hasteh.mls.tree_hash import tree_hash
from hasteh.mls.tree_math import LeafIndex, NodeIndex
from hasteh.mls.treekem import (
    PathSecret,
    TreePrivateKeys,
    apply_update_path,
    create_update_path,
    merge_update_path,
)
from hasteh.mls.vectors import Mismatch, expect, h


def _counter_rng(seed: bytes) -> Callable[[int], bytes]:
    """A deterministic rng for our own UpdatePath (the vector fixes no randomness)."""
    state = {"n": 0}

    def rng(n: int) -> bytes:
        out = b""
        while len(out) < n:
            state["n"] += 1
            out += hashlib.sha512(seed + state["n"].to_bytes(8, "big")).digest()
        return out[:n]

    return rng


def check(case: dict[str, Any]) -> None:
    suite = get_suite(case["cipher_suite"])
    tree = RatchetTree.from_bytes(suite, h(case["ratchet_tree"]))
    context = GroupContext(
        cipher_suite=suite.id,
        group_id=h(case["group_id"]),
        epoch=case["epoch"],
        tree_hash=tree_hash(tree),
        confirmed_transcript_hash=h(case["confirmed_transcript_hash"]),
    )

    private: dict[int, TreePrivateKeys] = {}
    signature_keys: dict[int, bytes] = {}
    for entry in case["leaves_private"]:
        leaf = LeafIndex(entry["index"])
        secrets = {
            NodeIndex(s["node"]): PathSecret(h(s["path_secret"])) for s in entry["path_secrets"]
        }
        private[leaf] = TreePrivateKeys.create(tree, leaf, h(entry["encryption_priv"]), secrets)
        signature_keys[leaf] = h(entry["signature_priv"])

    for number, entry in enumerate(case["update_paths"]):
        sender = LeafIndex(entry["sender"])
        path = UpdatePath.from_bytes(h(entry["update_path"]))

        merged = merge_update_path(tree, sender, path, context)
        verify_parent_hashes(merged)
        expect(f"path {number}: tree_hash_after", tree_hash(merged), h(entry["tree_hash_after"]))

        for j, _ in tree.leaves():
            if j == sender:
                continue
            if j not in private:
                raise Mismatch(f"path {number}: no private state for leaf {j}")
            applied = apply_update_path(tree, sender, path, context, private[j])
            want = entry["path_secrets"][j]
            expect(f"path {number}: path secret at leaf {j}", applied.path_secret.value, h(want))
            expect(
                f"path {number}: commit secret at leaf {j}",
                applied.commit_secret.value,
                h(entry["commit_secret"]),
            )
            expect(f"path {number}: merged tree at leaf {j}", applied.tree, merged)

        template = tree.leaf_node(sender)
        assert template is not None
        created = create_update_path(
            tree,
            sender,
            template,
            signature_keys[sender],
            context,
            rng=_counter_rng(bytes([number]) + h(case["group_id"])),
        )
        verify_parent_hashes(created.tree)
        for j, _ in tree.leaves():
            if j == sender:
                continue
            applied = apply_update_path(tree, sender, created.update_path, context, private[j])
            expect(
                f"path {number}: our commit secret at leaf {j}",
                applied.commit_secret.value,
                created.commit_secret.value,
            )
            expect(f"path {number}: our tree at leaf {j}", applied.tree, created.tree)
