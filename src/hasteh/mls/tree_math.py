"""Array-based tree math (RFC 9420 Appendix C).

The ratchet tree and the secret tree share one shape: a complete binary tree stored as
a flat array where leaf ``n`` sits at node ``2n`` and parents at odd indices. Every
relationship (parent, children, sibling, paths) is arithmetic on indices.

RFC 9420 §7.7 keeps the tree *full*: the number of leaves is always a power of two, and
the Appendix C `parent` formula is only correct for such trees. Functions that take a
leaf count therefore reject any other count with `UsageError` rather than return a
node that silently belongs to a different tree. `node_width` alone accepts any count,
because a Welcome's ratchet tree may arrive truncated (§12.4.3.3).

Leaf and node indices are easy to confuse (leaf 3 is node 6), so each has its own type.
"""

from __future__ import annotations

from typing import NewType

from .errors import UsageError

#: The position of a member in the list of leaves (RFC 9420 §7.1 `leaf_index`).
LeafIndex = NewType("LeafIndex", int)
#: The position of a node in the array representation (Appendix C).
NodeIndex = NewType("NodeIndex", int)


def _check_node(x: int) -> None:
    if x < 0:
        raise UsageError(f"node index must be non-negative, got {x}")


def _check_leaf_count(n_leaves: int) -> None:
    # RFC 9420 §7.7: "the tree is always full" -> a power of two leaves.
    if n_leaves < 1 or n_leaves & (n_leaves - 1):
        raise UsageError(f"a tree must have a power of two leaves (≥1), got {n_leaves}")


def _check_in_tree(x: int, n_leaves: int) -> None:
    _check_node(x)
    _check_leaf_count(n_leaves)
    if x >= node_width(n_leaves):
        raise UsageError(f"node {x} is outside a tree of {n_leaves} leaves")


def _log2(x: int) -> int:
    """The exponent of the largest power of two ≤ x (0 for x == 0)."""
    return max(x.bit_length() - 1, 0)


def is_leaf(x: NodeIndex) -> bool:
    """Leaves are the even nodes (Appendix C)."""
    _check_node(x)
    return x % 2 == 0


def level(x: NodeIndex) -> int:
    """The height of a node: 0 for leaves, and the number of trailing one bits otherwise."""
    _check_node(x)
    # x ^ (x + 1) is 2^(k+1) - 1 for k trailing ones: no loop over the bits.
    return (x ^ (x + 1)).bit_length() - 1


def node_width(n_leaves: int) -> int:
    """The number of array slots a tree with `n_leaves` leaves needs: 2(n-1)+1."""
    if n_leaves < 0:
        raise UsageError(f"leaf count must be non-negative, got {n_leaves}")
    return 0 if n_leaves == 0 else 2 * (n_leaves - 1) + 1


def root(n_leaves: int) -> NodeIndex:
    """The root node of a full tree with `n_leaves` leaves."""
    _check_leaf_count(n_leaves)
    return NodeIndex((1 << _log2(node_width(n_leaves))) - 1)


def left(x: NodeIndex) -> NodeIndex:
    """The left child of a parent node; a leaf has none (`UsageError`)."""
    k = level(x)
    if k == 0:
        raise UsageError(f"node {x} is a leaf and has no children")
    return NodeIndex(x ^ (0x01 << (k - 1)))


def right(x: NodeIndex) -> NodeIndex:
    """The right child of a parent node; a leaf has none (`UsageError`)."""
    k = level(x)
    if k == 0:
        raise UsageError(f"node {x} is a leaf and has no children")
    return NodeIndex(x ^ (0x03 << (k - 1)))


def parent(x: NodeIndex, n_leaves: int) -> NodeIndex:
    """The parent of a node; the root has none (`UsageError`)."""
    _check_in_tree(x, n_leaves)
    if x == root(n_leaves):
        raise UsageError(f"node {x} is the root and has no parent")
    k = level(x)
    b = (x >> (k + 1)) & 0x01
    return NodeIndex((x | (1 << k)) ^ (b << (k + 1)))


def sibling(x: NodeIndex, n_leaves: int) -> NodeIndex:
    """The other child of the node's parent; the root has none (`UsageError`)."""
    p = parent(x, n_leaves)
    return right(p) if x < p else left(p)


def direct_path(x: NodeIndex, n_leaves: int) -> list[NodeIndex]:
    """The ancestors of `x`, from its parent up to and including the root (§4.1.2)."""
    _check_in_tree(x, n_leaves)
    r = root(n_leaves)
    path: list[NodeIndex] = []
    while x != r:
        # `parent` without re-checking x and the tree at every step (x stays inside).
        k = (x ^ (x + 1)).bit_length() - 1
        b = (x >> (k + 1)) & 0x01
        x = NodeIndex((x | (1 << k)) ^ (b << (k + 1)))
        path.append(x)
    return path


def copath(x: NodeIndex, n_leaves: int) -> list[NodeIndex]:
    """The siblings of `x` and of each ancestor below the root, leaf to root (§4.1.2)."""
    _check_in_tree(x, n_leaves)
    path = [x, *direct_path(x, n_leaves)]
    path.pop()  # the root has no sibling
    return [sibling(y, n_leaves) for y in path]


def common_ancestor(x: NodeIndex, y: NodeIndex) -> NodeIndex:
    """The lowest node whose subtree holds both `x` and `y` (either may be it).

    Both nodes' indices share the ancestor's high bits; the ancestor is the node whose
    index is that common prefix followed by ``0111…``.
    """
    _check_node(x)
    _check_node(y)
    lx, ly = level(x) + 1, level(y) + 1
    if lx <= ly and x >> ly == y >> ly:
        return y
    if ly <= lx and x >> lx == y >> lx:
        return x
    xn, yn, k = int(x), int(y), 0
    while xn != yn:
        xn, yn, k = xn >> 1, yn >> 1, k + 1
    return NodeIndex((xn << k) + (1 << (k - 1)) - 1)


def leaf_to_node(leaf: LeafIndex) -> NodeIndex:
    """Leaf ``n`` is node ``2n`` (Appendix C)."""
    if leaf < 0:
        raise UsageError(f"leaf index must be non-negative, got {leaf}")
    return NodeIndex(2 * leaf)


def node_to_leaf(node: NodeIndex) -> LeafIndex:
    """The leaf index of an even node; a parent node is not a leaf (`UsageError`)."""
    if not is_leaf(node):
        raise UsageError(f"node {node} is a parent node, not a leaf")
    return LeafIndex(node // 2)
