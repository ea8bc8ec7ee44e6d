"""tree-math.json: node counts, root, children, parents and siblings (RFC 9420 App. C).

Verification (test-vectors.md): `n_nodes` is the node count of a tree with `n_leaves`
leaves; `root` its root; `left[i]`, `right[i]`, `parent[i]`, `sibling[i]` the relatives of
node `i`, ``null`` where the node has none.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from hasteh.mls import tree_math as tm
from hasteh.mls.errors import UsageError
from hasteh.mls.tree_math import NodeIndex
from hasteh.mls.vectors import expect


def _or_none(f: Callable[[NodeIndex], NodeIndex], x: NodeIndex) -> int | None:
    """The relative `f(x)`, or None where Appendix C raises because there is none."""
    try:
        return int(f(x))
    except UsageError:
        return None


def check(case: dict[str, Any]) -> None:
    n: int = case["n_leaves"]
    expect("n_nodes", tm.node_width(n), case["n_nodes"])
    expect("root", tm.root(n), case["root"])
    for name in ("left", "right", "parent", "sibling"):
        expect(f"len({name})", len(case[name]), case["n_nodes"])
    for i in range(case["n_nodes"]):
        x = NodeIndex(i)
        expect(f"left[{i}]", _or_none(tm.left, x), case["left"][i])
        expect(f"right[{i}]", _or_none(tm.right, x), case["right"][i])
        expect(f"parent[{i}]", _or_none(partial(tm.parent, n_leaves=n), x), case["parent"][i])
        expect(f"sibling[{i}]", _or_none(partial(tm.sibling, n_leaves=n), x), case["sibling"][i])
