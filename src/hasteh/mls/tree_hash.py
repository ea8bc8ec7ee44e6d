"""Tree hashes (RFC 9420 §7.8) and original sibling tree hashes (§7.9).

The tree hash of the root goes into the GroupContext, so every member must agree on
every byte of the tree. Hashes are memoized in the tree's caches (see `ratchet_tree`):
a tree derived by changing a path re-hashes only that path, O(log n), not O(n).
"""

from __future__ import annotations

from collections.abc import Collection

from .codec import Writer
from .leaf_node import LeafNode
from .parent_node import ParentNode
from .ratchet_tree import RatchetTree, leaf_span
from .ratchet_tree_codec import NodeType
from .tree_math import LeafIndex, NodeIndex, left, right

__all__ = [
    "all_tree_hashes",
    "leaf_hash_input",
    "original_tree_hash",
    "parent_hash_input",
    "tree_hash",
]


def leaf_hash_input(leaf_index: LeafIndex, leaf: LeafNode | None) -> bytes:
    """TreeHashInput for a leaf: node_type, uint32 leaf_index, optional<LeafNode>."""
    w = Writer()
    w.u8(NodeType.LEAF)
    w.u32(leaf_index)
    w.optional(leaf, lambda w2, n: n.encode(w2))
    return w.getvalue()


def parent_hash_input(node: ParentNode | None, left_hash: bytes, right_hash: bytes) -> bytes:
    """TreeHashInput for a parent: node_type, optional<ParentNode>, both child hashes."""
    w = Writer()
    w.u8(NodeType.PARENT)
    w.optional(node, lambda w2, n: n.encode(w2))
    w.opaque(left_hash)
    w.opaque(right_hash)
    return w.getvalue()


def tree_hash(tree: RatchetTree, x: NodeIndex | None = None) -> bytes:
    """The tree hash of node `x` (default: the root, the GroupContext's tree_hash)."""
    return _hash(tree, tree.root if x is None else x)


def all_tree_hashes(tree: RatchetTree) -> tuple[bytes, ...]:
    """The tree hash of every node, by node index."""
    tree_hash(tree)
    return tuple(_hash(tree, NodeIndex(x)) for x in range(tree.width))


def _hash(tree: RatchetTree, x: NodeIndex) -> bytes:
    memo = tree.caches.hashes
    cached = memo[x]
    if cached is not None:
        return cached
    node = tree.nodes[x]
    if x % 2 == 0:
        assert node is None or isinstance(node, LeafNode)
        value = tree.suite.hash(leaf_hash_input(LeafIndex(x // 2), node))
    else:
        assert node is None or isinstance(node, ParentNode)
        value = tree.suite.hash(
            parent_hash_input(node, _hash(tree, left(x)), _hash(tree, right(x)))
        )
    memo[x] = value
    return value


def original_tree_hash(tree: RatchetTree, x: NodeIndex, removed: Collection[LeafIndex]) -> bytes:
    """The tree hash of `x` as if the leaves in `removed` were blank and absent from
    every unmerged_leaves list: §7.9's original_sibling_tree_hash, where `removed` is
    the parent's unmerged leaves (those added after the parent was set).

    Only ancestors of removed leaves change; every other subtree reuses its cached
    hash, as §7.9 suggests.
    """
    first, end = leaf_span(x)
    inside = frozenset(u for u in removed if first <= u < end)
    if not inside:
        return _hash(tree, x)
    if x % 2 == 0:
        return tree.suite.hash(leaf_hash_input(LeafIndex(x // 2), None))
    node = tree.nodes[x]
    assert node is None or isinstance(node, ParentNode)
    if node is not None and inside.intersection(node.unmerged_leaves):
        kept = tuple(u for u in node.unmerged_leaves if u not in inside)
        node = ParentNode(node.encryption_key, node.parent_hash, kept)
    return tree.suite.hash(
        parent_hash_input(
            node,
            original_tree_hash(tree, left(x), inside),
            original_tree_hash(tree, right(x), inside),
        )
    )
