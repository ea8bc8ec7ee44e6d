"""Tree hashes (RFC 9420 §7.8) and original sibling tree hashes (§7.9): the encoding,
the §7.9 blanking rule, and that a path change re-hashes only that path."""

from __future__ import annotations

from hasteh.mls.parent_node import ParentNode
from hasteh.mls.ratchet_tree import Node, RatchetTree, TreeCaches
from hasteh.mls.tree_hash import all_tree_hashes, original_tree_hash, tree_hash
from hasteh.mls.tree_math import LeafIndex, NodeIndex, direct_path

from .tree_support import SUITE, fake_leaf


def big_tree(n: int) -> RatchetTree:
    nodes: list[Node | None] = []
    for i in range(n):
        nodes.append(fake_leaf(i))
        if i < n - 1:
            nodes.append(None)
    return RatchetTree.from_nodes(SUITE, nodes)


def test_blank_leaf_and_parent_encodings() -> None:
    tree = RatchetTree.from_nodes(SUITE, [fake_leaf(0), None, fake_leaf(1)])
    blank_leaf_2 = SUITE.hash(bytes([1]) + (5).to_bytes(4, "big") + b"\x00")
    grown = tree.extended().extended()  # 8 leaves; leaf 5 is blank
    assert tree_hash(grown, NodeIndex(10)) == blank_leaf_2
    leaf0 = SUITE.hash(b"\x01" + bytes(4) + b"\x01" + fake_leaf(0).to_bytes())
    assert tree_hash(tree, NodeIndex(0)) == leaf0
    lh, rh = tree_hash(tree, NodeIndex(0)), tree_hash(tree, NodeIndex(2))
    root = SUITE.hash(b"\x02" + b"\x00" + bytes([len(lh)]) + lh + bytes([len(rh)]) + rh)
    assert tree_hash(tree) == root


def test_original_sibling_tree_hash_figure_21() -> None:
    # W [F] at the root, Y [F] above E F G _, T above A B; C, D, E, F, G members.
    slots: dict[int, Node] = {2 * i: fake_leaf(i) for i in range(7)}
    slots[1] = ParentNode(b"T", b"", ())
    slots[7] = ParentNode(b"W", b"", (5,))
    slots[11] = ParentNode(b"Y", b"", (5,))
    nodes: list[Node | None] = [slots.get(x) for x in range(15)]
    while nodes[-1] is None:
        nodes.pop()
    tree = RatchetTree.from_nodes(SUITE, nodes)
    # The tree S = Y would have had if F were blank and not unmerged anywhere.
    expected_tree = tree.with_nodes({NodeIndex(10): None, NodeIndex(11): ParentNode(b"Y", b"", ())})
    want = tree_hash(expected_tree, NodeIndex(11))
    assert original_tree_hash(tree, NodeIndex(11), [LeafIndex(5)]) == want
    assert original_tree_hash(tree, NodeIndex(11), []) == tree_hash(tree, NodeIndex(11))
    # Leaves outside the subtree do not matter.
    assert original_tree_hash(tree, NodeIndex(3), [LeafIndex(5)]) == tree_hash(tree, NodeIndex(3))


def test_path_change_rehashes_only_the_path() -> None:
    tree = big_tree(1024)
    tree_hash(tree)
    assert None not in tree.caches.hashes
    leaf = LeafIndex(517)
    changed = tree.update_leaf(leaf, fake_leaf(5000))
    stale = [x for x, v in enumerate(changed.caches.hashes) if v is None]
    assert stale == sorted([2 * leaf, *direct_path(NodeIndex(2 * leaf), tree.n_leaves)])
    assert tree_hash(changed) == tree_hash(RatchetTree.from_bytes(SUITE, changed.to_bytes()))
    # The original tree's caches are untouched.
    assert None not in tree.caches.hashes


def test_extend_and_truncate_keep_valid_hashes() -> None:
    tree = big_tree(5)
    hashes = all_tree_hashes(tree)
    grown = tree.extended()
    assert grown.caches.hashes[: tree.width] == list(hashes)
    # A blank right half is never sent, so compare with an uncached copy instead.
    uncached = RatchetTree(SUITE, grown.nodes, TreeCaches.empty(grown.width))
    assert all_tree_hashes(grown) == all_tree_hashes(uncached)
    shrunk = tree.remove_leaf(LeafIndex(4))
    assert shrunk.n_leaves == 4
    assert all_tree_hashes(shrunk) == all_tree_hashes(
        RatchetTree.from_bytes(SUITE, shrunk.to_bytes())
    )
