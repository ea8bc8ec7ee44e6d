"""Parent hashes (RFC 9420 §7.9): who set each parent node's key, and when.

A committer signs, in its new leaf, a chain of hashes from its leaf to the root over the
keys it set (§7.9.1). A joiner checks that every non-blank parent is the end of such a
chain (§7.9.2), so no outsider can have planted a key whose secret it knows.
"""

from __future__ import annotations

from dataclasses import replace

from .cipher_suite import CipherSuite
from .codec import Writer
from .errors import InvalidMessage
from .leaf_node import LeafNode, LeafNodeSource
from .parent_node import ParentNode
from .ratchet_tree import Node, RatchetTree, leaf_span
from .tree_hash import original_tree_hash
from .tree_math import LeafIndex, NodeIndex, leaf_to_node, left, right

__all__ = [
    "parent_hash",
    "stored_parent_hash",
    "verify_parent_hashes",
    "with_path_parent_hashes",
]


def parent_hash(
    suite: CipherSuite, encryption_key: bytes, parent_hash: bytes, original_sibling_tree_hash: bytes
) -> bytes:
    """Hash(ParentHashInput) (§7.9): P's key, P's own parent_hash field, and the tree
    hash of P's copath child S as it was when P was set."""
    w = Writer()
    w.opaque(encryption_key)
    w.opaque(parent_hash)
    w.opaque(original_sibling_tree_hash)
    return suite.hash(w.getvalue())


def stored_parent_hash(node: Node | None) -> bytes | None:
    """The parent_hash a node carries: a parent's field, or a commit leaf's (§7.9.1).
    Leaves from a KeyPackage or an Update carry none."""
    if isinstance(node, ParentNode):
        return node.parent_hash
    if isinstance(node, LeafNode) and node.leaf_node_source == LeafNodeSource.COMMIT:
        return node.parent_hash
    return None


def with_path_parent_hashes(tree: RatchetTree, leaf: LeafIndex) -> tuple[RatchetTree, bytes]:
    """Fill in the parent_hash fields along the filtered direct path of `leaf`, whose
    nodes were just set by an UpdatePath (§7.5 step 3), and return the parent hash the
    leaf must carry.

    Computed from the root down: the topmost node's field is empty, each lower node's
    is the parent hash of the node above it, and the leaf's is that of the lowest
    (§7.9.1). An empty filtered path gives the leaf an empty parent hash.
    """
    above = b""
    updates: dict[NodeIndex, Node | None] = {}
    for p, s in reversed(tree.filtered_path_with_copath(leaf)):
        node = tree.parent_node(p)
        if node is None:
            raise InvalidMessage("bad-parent-hash", f"node {p} on the path is blank")
        sibling_hash = original_tree_hash(tree, s, _leaves(node.unmerged_leaves))
        updates[p] = replace(node, parent_hash=above)
        above = parent_hash(tree.suite, node.encryption_key, above, sibling_hash)
    return tree.with_nodes(updates), above


def verify_parent_hashes(tree: RatchetTree) -> None:
    """§7.9.2, top down: every non-blank parent P has exactly one descendant D whose
    parent_hash is valid with respect to P. D is then a leaf or a parent checked the
    same way, so every parent chains down to a leaf.

    D (in child C of P, with sibling S) is valid when D is in the resolution of C, the
    rest of that resolution is exactly P's unmerged leaves under C, and D's parent_hash
    is the parent hash of P over S. `InvalidMessage("bad-parent-hash")` otherwise.
    """
    for x in range(1, tree.width, 2):
        p = NodeIndex(x)
        node = tree.parent_node(p)
        if node is None:
            continue
        valid = 0
        for c, s in ((left(p), right(p)), (right(p), left(p))):
            d = _chain_candidate(tree, node, c)
            if d is None:
                continue
            expected = parent_hash(
                tree.suite,
                node.encryption_key,
                node.parent_hash,
                original_tree_hash(tree, s, _leaves(node.unmerged_leaves)),
            )
            if stored_parent_hash(tree.nodes[d]) == expected:
                valid += 1
        if valid != 1:
            raise InvalidMessage(
                "bad-parent-hash", f"node {p} has {valid} valid parent-hash links, not 1"
            )


def _chain_candidate(tree: RatchetTree, node: ParentNode, c: NodeIndex) -> NodeIndex | None:
    """The one node D that could link to P through child C: the resolution of C minus
    P's unmerged leaves under C must be exactly {D}."""
    first, end = leaf_span(c)
    unmerged = {leaf_to_node(LeafIndex(u)) for u in node.unmerged_leaves if first <= u < end}
    res = tree.resolution(c)
    if len(res) != len(unmerged) + 1:
        return None
    rest = [y for y in res if y not in unmerged]
    if len(rest) != 1 or set(res) != unmerged | {rest[0]}:
        return None
    return rest[0]


def _leaves(values: tuple[int, ...]) -> tuple[LeafIndex, ...]:
    return tuple(LeafIndex(u) for u in values)
