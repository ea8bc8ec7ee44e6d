"""The ratchet tree (RFC 9420 §4.1, §7.7, §12.1): vectors, the RFC's figures, and
random add/remove/update/commit sequences checked against naive definitions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.mls.errors import InvalidMessage, UsageError
from hasteh.mls.leaf_node import LeafNode
from hasteh.mls.parent_node import ParentNode
from hasteh.mls.ratchet_tree import Node, RatchetTree, leaf_span
from hasteh.mls.tree_hash import all_tree_hashes, tree_hash
from hasteh.mls.tree_math import LeafIndex, NodeIndex, copath, direct_path, left, right
from hasteh.mls.vectors import run_file

from ..conftest import vectors_dir
from .tree_support import SUITE, fake_leaf


def test_tree_operations_vectors() -> None:
    result = run_file(vectors_dir() / "tree-operations.json")
    assert result.failures == []
    assert result.passed > 0


def parent(tag: int, unmerged: tuple[int, ...] = ()) -> ParentNode:
    return ParentNode(b"parent" + tag.to_bytes(4, "big"), b"", unmerged)


def tree_of(slots: dict[int, Node], n_leaves: int) -> RatchetTree:
    nodes: list[Node | None] = [None] * (2 * n_leaves - 1)
    for x, node in slots.items():
        nodes[x] = node
    while nodes[-1] is None:
        nodes.pop()
    return RatchetTree.from_nodes(SUITE, nodes)


# --- §4.1.1 Figure 10 and §4.1.2 Figure 11 ---------------------------------------------


def test_resolution_figure_10() -> None:
    # A B _ D E F _ H, X = node 3 with unmerged [B], Y = node 9.
    leaves = {0: 0, 1: 1, 3: 3, 4: 4, 5: 5, 7: 7}
    slots: dict[int, Node] = {2 * i: fake_leaf(t) for i, t in leaves.items()}
    slots[3] = parent(3, (1,))
    slots[9] = parent(9)
    tree = tree_of(slots, 8)
    assert tree.resolution(NodeIndex(3)) == (3, 2)
    assert tree.resolution(NodeIndex(4)) == ()
    assert tree.resolution(NodeIndex(12)) == ()
    assert tree.resolution(NodeIndex(7)) == (3, 2, 9, 14)
    assert tree.resolution(NodeIndex(7), exclude=[LeafIndex(1), LeafIndex(7)]) == (3, 9)


def test_filtered_direct_path_figure_11() -> None:
    # A B _ _ E F G _, T = 1, W = 7 (root), X = 9, Y = 11; U, V, Z blank.
    slots: dict[int, Node] = {2 * i: fake_leaf(i) for i in (0, 1, 4, 5, 6)}
    for x in (1, 7, 9, 11):
        slots[x] = parent(x)
    tree = tree_of(slots, 8)
    assert tree.filtered_direct_path(LeafIndex(0)) == (1, 7)
    assert tree.filtered_direct_path(LeafIndex(1)) == (1, 7)
    assert tree.filtered_direct_path(LeafIndex(4)) == (9, 11, 7)
    assert tree.filtered_direct_path(LeafIndex(5)) == (9, 11, 7)
    assert tree.filtered_direct_path(LeafIndex(6)) == (11, 7)


# --- §7.7, §12.1 -----------------------------------------------------------------------


def test_add_takes_leftmost_blank_then_extends() -> None:
    tree = RatchetTree.one_member(SUITE, fake_leaf(0))
    tree, a = tree.add_leaf(fake_leaf(1))
    tree, b = tree.add_leaf(fake_leaf(2))
    assert (a, b, tree.n_leaves) == (1, 2, 4)
    tree = tree.remove_leaf(LeafIndex(1))
    assert tree.n_leaves == 4  # leaf 2 keeps the right half alive
    tree, c = tree.add_leaf(fake_leaf(3))
    assert c == 1


def test_add_records_unmerged_leaf_sorted_at_non_blank_ancestors() -> None:
    slots: dict[int, Node] = {0: fake_leaf(0), 2: fake_leaf(1), 6: fake_leaf(3)}
    slots[3] = parent(3, (3,))
    slots[1] = parent(1)
    tree = tree_of(slots, 4)
    after, leaf = tree.add_leaf(fake_leaf(9))
    assert leaf == 2
    assert after.unmerged_leaves(NodeIndex(3)) == (2, 3)
    assert after.parent_node(NodeIndex(5)) is None
    assert after.unmerged_leaves(NodeIndex(1)) == ()
    # The old tree is unchanged.
    assert tree.unmerged_leaves(NodeIndex(3)) == (3,)
    assert tree.leaf_node(LeafIndex(2)) is None


def test_remove_blanks_path_and_truncates() -> None:
    tree = RatchetTree.one_member(SUITE, fake_leaf(0))
    for t in range(1, 5):
        tree, _ = tree.add_leaf(fake_leaf(t))
    assert tree.n_leaves == 8
    tree = tree.with_nodes({NodeIndex(7): parent(7), NodeIndex(9): parent(9)})
    smaller = tree.remove_leaf(LeafIndex(4))
    assert smaller.n_leaves == 4
    assert smaller.to_nodes()[-1] == fake_leaf(3)
    assert tree.remove_leaf(LeafIndex(3)).n_leaves == 8
    only = smaller
    for leaf in (3, 2, 1):
        only = only.remove_leaf(LeafIndex(leaf))
    assert only.n_leaves == 1 and only.to_nodes() == (fake_leaf(0),)


def test_remove_of_a_blank_or_absent_leaf_is_invalid() -> None:
    tree, _ = RatchetTree.one_member(SUITE, fake_leaf(0)).add_leaf(fake_leaf(1))
    tree, _ = tree.add_leaf(fake_leaf(2))
    with pytest.raises(InvalidMessage) as e:
        tree.remove_leaf(LeafIndex(3))
    assert e.value.reason == "invalid-remove"
    with pytest.raises(InvalidMessage):
        tree.remove_leaf(LeafIndex(9))


def test_update_replaces_leaf_and_blanks_path() -> None:
    slots: dict[int, Node] = {0: fake_leaf(0), 2: fake_leaf(1), 1: parent(1), 3: parent(3)}
    tree = tree_of(slots, 4)
    new = fake_leaf(7)
    after = tree.update_leaf(LeafIndex(1), new)
    assert after.leaf_node(LeafIndex(1)) == new
    assert after.parent_node(NodeIndex(1)) is None
    with pytest.raises(InvalidMessage):
        tree.remove_leaf(LeafIndex(1)).update_leaf(LeafIndex(1), new)


def test_from_nodes_rejects_malformed_lists() -> None:
    for bad in ([], [fake_leaf(0), None], [parent(0)], [fake_leaf(0), fake_leaf(1)]):
        with pytest.raises(InvalidMessage) as e:
            RatchetTree.from_nodes(SUITE, bad)
        assert e.value.reason == "malformed-tree"
    # A short list is padded to the next full width.
    tree = RatchetTree.from_nodes(SUITE, [fake_leaf(0), None, fake_leaf(1), None, fake_leaf(2)])
    assert tree.n_leaves == 4 and tree.width == 7
    assert tree.to_nodes()[-1] == fake_leaf(2)
    with pytest.raises(UsageError):
        tree.with_nodes({NodeIndex(1): fake_leaf(5)})


def test_key_lookup() -> None:
    tree = RatchetTree.one_member(SUITE, fake_leaf(0))
    tree, _ = tree.add_leaf(fake_leaf(1))
    assert tree.find_leaf_by_encryption_key(fake_leaf(1).encryption_key) == 1
    assert tree.find_leaf_by_signature_key(fake_leaf(0).signature_key) == 0
    assert tree.find_leaf(fake_leaf(1)) == 1
    assert tree.find_leaf_by_encryption_key(b"nope") is None
    tree = tree.with_nodes({NodeIndex(1): parent(1)})
    assert tree.find_node_by_encryption_key(parent(1).encryption_key) == 1
    assert tree.find_leaf_by_encryption_key(parent(1).encryption_key) is None


# --- random sequences against naive definitions ---------------------------------------


def naive_resolution(tree: RatchetTree, x: int) -> list[int]:
    node = tree.nodes[x]
    if x % 2 == 0:
        return [] if node is None else [x]
    if node is not None:
        assert isinstance(node, ParentNode)
        return [x, *(2 * u for u in node.unmerged_leaves)]
    return naive_resolution(tree, left(NodeIndex(x))) + naive_resolution(tree, right(NodeIndex(x)))


def check_against_naive(tree: RatchetTree) -> None:
    fresh = RatchetTree.from_bytes(SUITE, tree.to_bytes())
    assert fresh == tree
    assert all_tree_hashes(tree) == all_tree_hashes(fresh)
    for x in range(tree.width):
        assert list(tree.resolution(NodeIndex(x))) == naive_resolution(tree, x)
        first, end = leaf_span(NodeIndex(x))
        assert list(range(first, end)) == [
            u
            for u in range(tree.n_leaves)
            if x in (2 * u, *direct_path(NodeIndex(2 * u), tree.n_leaves))
        ]
    for leaf, node in tree.leaves():
        assert tree.find_leaf_by_encryption_key(node.encryption_key) == leaf
        assert tree.find_leaf_by_signature_key(node.signature_key) == leaf
        d = direct_path(NodeIndex(2 * leaf), tree.n_leaves)
        c = copath(NodeIndex(2 * leaf), tree.n_leaves)
        want = tuple(p for p, s in zip(d, c, strict=True) if naive_resolution(tree, s))
        assert tree.filtered_direct_path(leaf) == want
    for x, slot in enumerate(tree.nodes):
        if slot is not None:
            assert tree.find_node_by_encryption_key(slot.encryption_key) == x
    # Minimal width: no blank right half and no trailing blank in the encoding.
    assert tree.truncated() is tree
    assert tree.to_nodes()[-1] is not None


ops = st.lists(
    st.tuples(st.sampled_from(["add", "remove", "update", "commit"]), st.integers(0, 1000)),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(ops)
def test_random_operations_keep_caches_and_shape_consistent(steps: list[tuple[str, int]]) -> None:
    tree = RatchetTree.one_member(SUITE, fake_leaf(0))
    tag = 1
    for op, pick in steps:
        members = [leaf for leaf, _ in tree.leaves()]
        who = members[pick % len(members)]
        old, before = tree, (tree.to_bytes(), tree_hash(tree))
        if op == "add":
            tree, _ = tree.add_leaf(fake_leaf(tag))
        elif op == "remove" and len(members) > 1:
            tree = tree.remove_leaf(who)
        elif op == "update":
            tree = tree.update_leaf(who, fake_leaf(tag))
        elif op == "commit":
            # The public effect of an UpdatePath: blank the direct path, set the
            # filtered direct path with fresh keys and no unmerged leaves.
            updates: dict[NodeIndex, Node | None] = {p: None for p in tree.direct_path(who)}
            for p in tree.filtered_direct_path(who):
                updates[p] = parent(tag * 1000 + p)
            tree = tree.with_nodes(updates)
        tag += 1
        check_against_naive(tree)
        assert all(isinstance(n, LeafNode) for _, n in tree.leaves())
        # Persistence: deriving a tree never changes the one it came from.
        assert (old.to_bytes(), tree_hash(old)) == before
