"""Tree math (RFC 9420 Appendix C): the official vectors plus structural invariants."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hasteh.mls import tree_math as tm
from hasteh.mls.errors import UsageError
from hasteh.mls.tree_math import LeafIndex, NodeIndex
from hasteh.mls.vectors import run_file

from ..conftest import vectors_dir


def test_tree_math_vectors() -> None:
    result = run_file(vectors_dir() / "tree-math.json")
    assert result.failures == []
    assert result.passed > 0


@st.composite
def tree_and_node(draw: st.DrawFn) -> tuple[int, NodeIndex]:
    n = 1 << draw(st.integers(min_value=0, max_value=16))
    x = draw(st.integers(min_value=0, max_value=tm.node_width(n) - 1))
    return n, NodeIndex(x)


@given(tree_and_node())
def test_children_point_back_to_parent(tn: tuple[int, NodeIndex]) -> None:
    n, x = tn
    if tm.is_leaf(x):
        return
    assert tm.parent(tm.left(x), n) == x
    assert tm.parent(tm.right(x), n) == x
    assert tm.level(tm.left(x)) == tm.level(tm.right(x)) == tm.level(x) - 1
    assert tm.left(x) < x < tm.right(x)


@given(tree_and_node())
def test_direct_path_climbs_to_root(tn: tuple[int, NodeIndex]) -> None:
    n, x = tn
    path = tm.direct_path(x, n)
    if x == tm.root(n):
        assert path == []
        return
    assert path[-1] == tm.root(n)
    assert [tm.level(p) for p in path] == list(range(tm.level(x) + 1, tm.level(x) + 1 + len(path)))
    assert len(tm.copath(x, n)) == len(path)


@given(tree_and_node())
def test_direct_path_is_the_chain_of_parents(tn: tuple[int, NodeIndex]) -> None:
    """`direct_path` climbs without `parent`'s checks at each step: same nodes."""
    n, x = tn
    chain, y = [], x
    while y != tm.root(n):
        y = tm.parent(y, n)
        chain.append(y)
    assert tm.direct_path(x, n) == chain


@given(st.integers(min_value=0, max_value=2**40))
def test_level_counts_trailing_ones(x: int) -> None:
    k = 0
    while (x >> k) & 1:
        k += 1
    assert tm.level(NodeIndex(x)) == k


@given(tree_and_node())
def test_sibling_is_symmetric(tn: tuple[int, NodeIndex]) -> None:
    n, x = tn
    if x == tm.root(n):
        with pytest.raises(UsageError):
            tm.sibling(x, n)
        return
    s = tm.sibling(x, n)
    assert s != x
    assert tm.sibling(s, n) == x
    assert tm.parent(s, n) == tm.parent(x, n)


@given(tree_and_node(), st.data())
def test_common_ancestor_is_lowest_shared_node(
    tn: tuple[int, NodeIndex], data: st.DataObject
) -> None:
    n, x = tn
    y = NodeIndex(data.draw(st.integers(min_value=0, max_value=tm.node_width(n) - 1)))
    shared = ({x} | set(tm.direct_path(x, n))) & ({y} | set(tm.direct_path(y, n)))
    assert tm.common_ancestor(x, y) == min(shared, key=tm.level)
    assert tm.common_ancestor(y, x) == tm.common_ancestor(x, y)


@given(st.integers(min_value=0, max_value=1 << 31))
def test_leaf_node_round_trip(i: int) -> None:
    node = tm.leaf_to_node(LeafIndex(i))
    assert tm.is_leaf(node)
    assert tm.node_to_leaf(node) == i


def test_root_of_small_trees() -> None:
    assert [tm.root(n) for n in (1, 2, 4, 8)] == [0, 1, 3, 7]
    assert [tm.node_width(n) for n in (0, 1, 2, 3, 8)] == [0, 1, 3, 5, 15]


@pytest.mark.parametrize(
    "call",
    [
        lambda: tm.left(NodeIndex(4)),
        lambda: tm.right(NodeIndex(0)),
        lambda: tm.parent(NodeIndex(3), 4),  # the root
        lambda: tm.sibling(NodeIndex(7), 8),  # the root
        lambda: tm.parent(NodeIndex(7), 4),  # outside the tree
        lambda: tm.root(3),  # not a full tree (§7.7)
        lambda: tm.root(0),
        lambda: tm.direct_path(NodeIndex(0), 6),
        lambda: tm.node_to_leaf(NodeIndex(5)),
        lambda: tm.leaf_to_node(LeafIndex(-1)),
        lambda: tm.level(NodeIndex(-2)),
        lambda: tm.node_width(-1),
    ],
)
def test_invalid_use_is_a_usage_error(call: object) -> None:
    with pytest.raises(UsageError):
        call()  # type: ignore[operator]
