"""The ratchet tree as an immutable value (RFC 9420 §4, §7.7, §12.1, §12.4.3.3).

A `RatchetTree` is a full array of node slots (Appendix C): leaf L at slot 2L, parents at
odd slots, `None` for a blank node. The number of leaves is always a power of two (§7.7);
blank slots past the last non-blank node exist in memory but are never sent
(§12.4.3.3, `to_nodes`).

Every operation returns a new tree and leaves the old one untouched, so a rejected
proposal or commit keeps the previous state (STYLE "a failure leaves the old state").

Why the caches: tree hashes (§7.8) and resolutions (§4.1.1) of a node depend only on
its subtree. A change to one node therefore invalidates that node and its direct path
and nothing else, so a derived tree copies its parent's caches and clears O(log n)
entries. After a commit only the changed path is re-hashed (benchmarks run at 1024
members). The caches are memo tables: filling them never changes the tree's value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from . import ratchet_tree_codec
from .cipher_suite import CipherSuite
from .errors import InvalidMessage, UsageError
from .leaf_node import LeafNode
from .parent_node import ParentNode
from .ratchet_tree_codec import Node
from .tree_math import (
    LeafIndex,
    NodeIndex,
    copath,
    direct_path,
    leaf_to_node,
    left,
    level,
    node_width,
    right,
    root,
)

__all__ = [
    "CredentialCounts",
    "Node",
    "RatchetTree",
    "TreeCaches",
    "leaf_span",
]


def leaf_span(x: NodeIndex) -> tuple[LeafIndex, LeafIndex]:
    """The leaves under node `x` as a half-open range [first, end) (Appendix C).

    A node at level k covers the 2^k leaves whose node indices lie within 2^k - 1 of it.
    """
    k = level(x)
    first = (x - ((1 << k) - 1)) // 2
    return LeafIndex(first), LeafIndex(first + (1 << k))


@dataclass(frozen=True, slots=True)
class CredentialCounts:
    """How many leaves there are, how many use each credential type, and how many list
    each type as supported: what §7.3's credential compatibility check of one leaf
    needs, kept up to date as leaves change so that check costs O(types), not O(n).
    Treat the counters as read-only (`changed` makes new ones)."""

    members: int
    used: Counter[int]
    supported: Counter[int]

    @classmethod
    def of(cls, leaves: Iterable[LeafNode]) -> CredentialCounts:
        used: Counter[int] = Counter()
        supported: Counter[int] = Counter()
        members = 0
        for leaf in leaves:
            members += 1
            used[leaf.credential.credential_type] += 1
            supported.update(set(leaf.capabilities.credentials))
        return cls(members, used, supported)

    def changed(self, old: LeafNode | None, new: LeafNode | None) -> CredentialCounts:
        """The counts after a leaf slot went from `old` to `new` (either may be blank)."""
        members, used, supported = self.members, Counter(self.used), Counter(self.supported)
        if old is not None:
            members -= 1
            used[old.credential.credential_type] -= 1
            supported.subtract(set(old.capabilities.credentials))
        if new is not None:
            members += 1
            used[new.credential.credential_type] += 1
            supported.update(set(new.capabilities.credentials))
        return CredentialCounts(members, used, supported)


@dataclass(slots=True, eq=False)
class TreeCaches:
    """Memo tables of one tree (internal to `hasteh.mls`; see the module docstring).

    `hashes[x]` is the §7.8 tree hash of node x and `resolutions[x]` its §4.1.1
    resolution, or None while not computed. `encryption_keys` maps every node's
    encryption key to its node, `signature_keys` every leaf's signature key to its node;
    None means "build on first use" (also after a duplicate key made a map ambiguous).
    `credentials` counts the leaves' credential types (None: count on first use).
    """

    hashes: list[bytes | None]
    resolutions: list[tuple[NodeIndex, ...] | None]
    encryption_keys: dict[bytes, NodeIndex] | None = None
    signature_keys: dict[bytes, NodeIndex] | None = None
    credentials: CredentialCounts | None = None

    @classmethod
    def empty(cls, width: int) -> TreeCaches:
        return cls([None] * width, [None] * width)


@dataclass(frozen=True, slots=True)
class RatchetTree:
    """The public ratchet tree of one epoch, with its cipher suite (for hashing)."""

    suite: CipherSuite
    nodes: tuple[Node | None, ...]
    caches: TreeCaches = field(compare=False, repr=False, hash=False)

    def __post_init__(self) -> None:
        # Build with from_nodes / from_bytes / one_member; this guards direct use.
        width = len(self.nodes)
        n = (width + 1) // 2
        if width < 1 or n & (n - 1) or width != 2 * n - 1:
            raise UsageError(f"{width} node slots is not a full tree")
        if len(self.caches.hashes) != width or len(self.caches.resolutions) != width:
            raise UsageError("tree caches do not match the tree's width")

    # --- construction -----------------------------------------------------------------

    @classmethod
    def from_nodes(cls, suite: CipherSuite, nodes: Sequence[Node | None]) -> RatchetTree:
        """A tree from a received node list (§12.4.3.3).

        The list must be non-empty and end with a non-blank node; it is extended with
        blanks to the next full width. Leaves must sit at even slots and parents at odd
        ones. Anything else is `InvalidMessage("malformed-tree")`.
        """
        if not nodes:
            raise InvalidMessage("malformed-tree", "a ratchet tree has at least one node")
        if nodes[-1] is None:
            raise InvalidMessage("malformed-tree", "a ratchet tree must not end with a blank")
        n_leaves = 1
        while node_width(n_leaves) < len(nodes):
            n_leaves *= 2
        full = tuple(nodes) + (None,) * (node_width(n_leaves) - len(nodes))
        for x, node in enumerate(full):
            problem = _slot_problem(x, node)
            if problem:
                raise InvalidMessage("malformed-tree", problem)
        return cls(suite, full, TreeCaches.empty(len(full)))

    @classmethod
    def from_bytes(cls, suite: CipherSuite, data: bytes) -> RatchetTree:
        """Decode the `ratchet_tree` extension payload (§12.4.3.3)."""
        return cls.from_nodes(suite, ratchet_tree_codec.RatchetTree.from_bytes(data).nodes)

    @classmethod
    def one_member(cls, suite: CipherSuite, leaf: LeafNode) -> RatchetTree:
        """The tree of a freshly created group: its creator alone at leaf 0 (§11)."""
        return cls(suite, (leaf,), TreeCaches.empty(1))

    def to_nodes(self) -> tuple[Node | None, ...]:
        """The node list to send: trailing blank nodes omitted (§12.4.3.3)."""
        end = len(self.nodes)
        while end > 1 and self.nodes[end - 1] is None:
            end -= 1
        return self.nodes[:end]

    def to_bytes(self) -> bytes:
        """The `ratchet_tree` extension payload (§12.4.3.3)."""
        return ratchet_tree_codec.RatchetTree(self.to_nodes()).to_bytes()

    # --- shape ------------------------------------------------------------------------

    @property
    def n_leaves(self) -> int:
        """The number of leaf slots, a power of two (§7.7)."""
        return (len(self.nodes) + 1) // 2

    @property
    def width(self) -> int:
        return len(self.nodes)

    @property
    def root(self) -> NodeIndex:
        return root(self.n_leaves)

    def contains_leaf(self, leaf: LeafIndex) -> bool:
        return 0 <= leaf < self.n_leaves

    def direct_path(self, leaf: LeafIndex) -> list[NodeIndex]:
        """The parents of `leaf` up to the root (§4.1.2)."""
        return direct_path(leaf_to_node(self._leaf_in_tree(leaf)), self.n_leaves)

    def copath(self, leaf: LeafIndex) -> list[NodeIndex]:
        """The siblings of `leaf` and of its ancestors below the root (§4.1.2)."""
        return copath(leaf_to_node(self._leaf_in_tree(leaf)), self.n_leaves)

    # --- node access ------------------------------------------------------------------

    def node(self, x: NodeIndex) -> Node | None:
        if not 0 <= x < len(self.nodes):
            raise UsageError(f"node {x} is outside a tree of width {len(self.nodes)}")
        return self.nodes[x]

    def leaf_node(self, leaf: LeafIndex) -> LeafNode | None:
        node = self.nodes[leaf_to_node(self._leaf_in_tree(leaf))]
        assert node is None or isinstance(node, LeafNode)
        return node

    def parent_node(self, x: NodeIndex) -> ParentNode | None:
        node = self.node(x)
        if x % 2 == 0:
            raise UsageError(f"node {x} is a leaf, not a parent")
        assert node is None or isinstance(node, ParentNode)
        return node

    def leaves(self) -> Iterator[tuple[LeafIndex, LeafNode]]:
        """The non-blank leaves, left to right."""
        for x in range(0, len(self.nodes), 2):
            node = self.nodes[x]
            if node is not None:
                assert isinstance(node, LeafNode)
                yield LeafIndex(x // 2), node

    def credential_counts(self) -> CredentialCounts:
        """The leaves' credential types and supported types, counted (§7.3); computed
        once per tree and carried through `with_nodes`, so a commit's leaf check does
        not walk every leaf."""
        counts = self.caches.credentials
        if counts is None:
            counts = CredentialCounts.of(leaf for _, leaf in self.leaves())
            self.caches.credentials = counts
        return counts

    @property
    def member_count(self) -> int:
        return sum(1 for x in range(0, len(self.nodes), 2) if self.nodes[x] is not None)

    def unmerged_leaves(self, x: NodeIndex) -> tuple[LeafIndex, ...]:
        """The unmerged leaves recorded at parent `x` (§4.2); none for a blank node."""
        node = self.parent_node(x)
        return () if node is None else tuple(LeafIndex(u) for u in node.unmerged_leaves)

    # --- resolution and filtered direct path (§4.1.1, §4.1.2) ------------------------

    def resolution(self, x: NodeIndex, exclude: Iterable[LeafIndex] = ()) -> tuple[NodeIndex, ...]:
        """The resolution of node `x` (§4.1.1), leaving out the leaves in `exclude`.

        `exclude` is for §7.6/§12.4.1: path secrets are not encrypted to members added in
        the same commit. Unmerged leaves of a non-blank parent follow it, in order.
        """
        res = self._resolution(x)
        excluded = frozenset(leaf_to_node(u) for u in exclude)
        return tuple(y for y in res if y not in excluded) if excluded else res

    def _resolution(self, x: NodeIndex) -> tuple[NodeIndex, ...]:
        cached = self.caches.resolutions[x]
        if cached is not None:
            return cached
        node = self.nodes[x]
        res: tuple[NodeIndex, ...]
        if x % 2 == 0:
            res = () if node is None else (x,)
        elif node is not None:
            assert isinstance(node, ParentNode)
            res = (x, *(leaf_to_node(LeafIndex(u)) for u in node.unmerged_leaves))
        else:
            res = self._resolution(left(x)) + self._resolution(right(x))
        self.caches.resolutions[x] = res
        return res

    def filtered_direct_path(self, leaf: LeafIndex) -> tuple[NodeIndex, ...]:
        """The direct path of `leaf` without nodes whose copath child resolves to
        nothing (§4.1.2): those nodes need no key, since encrypting to them would equal
        encrypting to the non-copath child."""
        return tuple(p for p, _ in self.filtered_path_with_copath(leaf))

    def filtered_path_with_copath(self, leaf: LeafIndex) -> tuple[tuple[NodeIndex, NodeIndex], ...]:
        """Pairs (parent on the filtered direct path, its child on the copath), leaf to
        root: the child is where that parent's path secret is encrypted to (§7.5)."""
        pairs = zip(self.direct_path(leaf), self.copath(leaf), strict=True)
        return tuple((p, c) for p, c in pairs if self._resolution(c))

    # --- key lookup (§7.3 uniqueness, §12.4.2) ----------------------------------------

    def find_node_by_encryption_key(self, key: bytes) -> NodeIndex | None:
        """The node (leaf or parent) holding this HPKE public key, if any."""
        keys = self.caches.encryption_keys
        if keys is None:
            keys = {}
            for x, node in enumerate(self.nodes):
                if node is not None:
                    keys.setdefault(node.encryption_key, NodeIndex(x))
            self.caches.encryption_keys = keys
        return keys.get(key)

    def find_leaf_by_encryption_key(self, key: bytes) -> LeafIndex | None:
        x = self.find_node_by_encryption_key(key)
        return None if x is None or x % 2 else LeafIndex(x // 2)

    def find_leaf_by_signature_key(self, key: bytes) -> LeafIndex | None:
        """The leaf whose signature key this is, if any."""
        keys = self.caches.signature_keys
        if keys is None:
            keys = {}
            for leaf, node in self.leaves():
                keys.setdefault(node.signature_key, leaf_to_node(leaf))
            self.caches.signature_keys = keys
        x = keys.get(key)
        return None if x is None else LeafIndex(x // 2)

    def find_leaf(self, leaf_node: LeafNode) -> LeafIndex | None:
        """The leaf holding exactly this LeafNode (a joiner finding itself, §12.4.3.1)."""
        x = self.find_leaf_by_encryption_key(leaf_node.encryption_key)
        return x if x is not None and self.leaf_node(x) == leaf_node else None

    def leftmost_blank_leaf(self) -> LeafIndex | None:
        for x in range(0, len(self.nodes), 2):
            if self.nodes[x] is None:
                return LeafIndex(x // 2)
        return None

    # --- changes ----------------------------------------------------------------------

    def with_nodes(self, updates: Mapping[NodeIndex, Node | None]) -> RatchetTree:
        """A tree with the given slots replaced (same width); caches carried over.

        Low-level: callers keep §7 invariants. Wrong node kinds are `UsageError`.
        """
        if not updates:
            return self
        nodes = list(self.nodes)
        for x, node in updates.items():
            if not 0 <= x < len(nodes):
                raise UsageError(f"node {x} is outside a tree of width {len(nodes)}")
            problem = _slot_problem(x, node)
            if problem:
                raise UsageError(problem)
            nodes[x] = node
        caches = self.caches
        hashes = list(caches.hashes)
        resolutions = list(caches.resolutions)
        dirty: set[int] = set()
        n = self.n_leaves
        for x in updates:
            for y in (x, *direct_path(x, n)):
                if y in dirty:
                    break
                dirty.add(y)
                hashes[y] = None
                resolutions[y] = None
        credentials = caches.credentials
        if credentials is not None:
            for x, node in updates.items():
                if x % 2 == 0:
                    old = self.nodes[x]
                    assert old is None or isinstance(old, LeafNode)
                    assert node is None or isinstance(node, LeafNode)
                    credentials = credentials.changed(old, node)
        new_caches = TreeCaches(
            hashes,
            resolutions,
            _carry_keys(caches.encryption_keys, self.nodes, updates, _encryption_key),
            _carry_keys(caches.signature_keys, self.nodes, updates, _signature_key),
            credentials,
        )
        return RatchetTree(self.suite, tuple(nodes), new_caches)

    def extended(self) -> RatchetTree:
        """The tree doubled to the right with a blank root and blank subtree (§7.7).

        The old slots keep their indices and subtrees, so their caches stay valid.
        """
        extra = len(self.nodes) + 1
        caches = TreeCaches(
            self.caches.hashes + [None] * extra,
            self.caches.resolutions + [None] * extra,
            None if self.caches.encryption_keys is None else dict(self.caches.encryption_keys),
            None if self.caches.signature_keys is None else dict(self.caches.signature_keys),
            self.caches.credentials,  # only blank slots were added
        )
        return RatchetTree(self.suite, self.nodes + (None,) * extra, caches)

    def truncated(self) -> RatchetTree:
        """Drop right halves while they hold no non-blank leaf (§7.7, §12.1.3).

        With L the rightmost non-blank leaf, the result has the smallest power of two
        leaves greater than L (one leaf if the tree is entirely blank).
        """
        last = len(self.nodes) - 1  # the rightmost leaf slot (the width is odd)
        while last > 0 and self.nodes[last] is None:
            last -= 2
        n = 1
        while n <= last // 2:
            n *= 2
        width = node_width(n)
        if width == len(self.nodes):
            return self
        kept = self.nodes[:width]
        caches = TreeCaches(
            self.caches.hashes[:width],
            self.caches.resolutions[:width],
            None,  # dropped slots may hold keys; rebuild lazily
            None,
            self.caches.credentials,  # only blank leaves were dropped
        )
        return RatchetTree(self.suite, kept, caches)

    def blank_path(self, leaf: LeafIndex) -> RatchetTree:
        """Blank every parent on the direct path of `leaf` (§7.4, §12.1.2, §12.1.3)."""
        return self.with_nodes({p: None for p in self.direct_path(leaf)})

    def add_leaf(self, leaf_node: LeafNode) -> tuple[RatchetTree, LeafIndex]:
        """Add a member at the leftmost blank leaf, extending if none (§12.1.1, §7.7).

        The new leaf is recorded as unmerged at every non-blank parent above it, since
        it does not know those parents' private keys (§4.2).
        """
        tree, leaf = self.with_blank_leaf()
        updates: dict[NodeIndex, Node | None] = {leaf_to_node(leaf): leaf_node}
        for p in tree.direct_path(leaf):
            node = tree.nodes[p]
            if node is not None:
                assert isinstance(node, ParentNode)
                unmerged = tuple(sorted({*node.unmerged_leaves, leaf}))
                updates[p] = replace(node, unmerged_leaves=unmerged)
        return tree.with_nodes(updates), leaf

    def with_blank_leaf(self) -> tuple[RatchetTree, LeafIndex]:
        """The leftmost blank leaf, after extending the tree if there is none (§7.7);
        an external committer takes this slot (§12.4.2)."""
        leaf = self.leftmost_blank_leaf()
        if leaf is not None:
            return self, leaf
        tree = self.extended()
        return tree, LeafIndex(self.n_leaves)

    def update_leaf(self, leaf: LeafIndex, leaf_node: LeafNode) -> RatchetTree:
        """Apply an Update (§12.1.2): replace the sender's leaf, blank its direct path."""
        if not self.contains_leaf(leaf) or self.leaf_node(leaf) is None:
            raise InvalidMessage("blank-leaf", f"leaf {leaf} is not a member to update")
        updates: dict[NodeIndex, Node | None] = {p: None for p in self.direct_path(leaf)}
        updates[leaf_to_node(leaf)] = leaf_node
        return self.with_nodes(updates)

    def remove_leaf(self, leaf: LeafIndex) -> RatchetTree:
        """Apply a Remove (§12.1.3): blank the leaf and its direct path, then truncate."""
        if not self.contains_leaf(leaf) or self.leaf_node(leaf) is None:
            raise InvalidMessage("invalid-remove", f"leaf {leaf} is not a member")
        updates: dict[NodeIndex, Node | None] = {p: None for p in self.direct_path(leaf)}
        updates[leaf_to_node(leaf)] = None
        return self.with_nodes(updates).truncated()

    # --- checks -----------------------------------------------------------------------

    def check_unmerged_leaves(self) -> None:
        """§12.4.3.1: each unmerged leaf of a parent is a non-blank descendant, listed
        also at every non-blank parent in between; lists are sorted (§7.1).

        `InvalidMessage("bad-unmerged-leaves")` otherwise.
        """
        n = self.n_leaves
        for x in range(1, len(self.nodes), 2):
            node = self.nodes[x]
            if node is None:
                continue
            assert isinstance(node, ParentNode)
            unmerged = node.unmerged_leaves
            if list(unmerged) != sorted(set(unmerged)):
                raise InvalidMessage("bad-unmerged-leaves", f"node {x}: not strictly sorted")
            first, end = leaf_span(NodeIndex(x))
            for u in unmerged:
                if not first <= u < end or self.nodes[2 * u] is None:
                    raise InvalidMessage(
                        "bad-unmerged-leaves", f"node {x}: leaf {u} is not a member below it"
                    )
                for p in direct_path(leaf_to_node(LeafIndex(u)), n):
                    if p == x:
                        break
                    between = self.nodes[p]
                    if between is not None:
                        assert isinstance(between, ParentNode)
                        if u not in between.unmerged_leaves:
                            raise InvalidMessage(
                                "bad-unmerged-leaves",
                                f"leaf {u} is unmerged at {x} but not at {p} below it",
                            )

    def check_unique_keys(self) -> None:
        """§7.3, §12.4.3.1, §16.7: encryption keys are unique across all nodes and
        signature keys across leaves. `InvalidMessage("duplicate-encryption-key")` or
        `InvalidMessage("duplicate-signature-key")` otherwise."""
        seen_enc: set[bytes] = set()
        seen_sig: set[bytes] = set()
        for x, node in enumerate(self.nodes):
            if node is None:
                continue
            if node.encryption_key in seen_enc:
                raise InvalidMessage("duplicate-encryption-key", f"at node {x}")
            seen_enc.add(node.encryption_key)
            if isinstance(node, LeafNode):
                if node.signature_key in seen_sig:
                    raise InvalidMessage("duplicate-signature-key", f"at leaf {x // 2}")
                seen_sig.add(node.signature_key)

    # --- helpers ----------------------------------------------------------------------

    def _leaf_in_tree(self, leaf: LeafIndex) -> LeafIndex:
        if not self.contains_leaf(leaf):
            raise UsageError(f"leaf {leaf} is outside a tree of {self.n_leaves} leaves")
        return leaf


def _slot_problem(x: int, node: Node | None) -> str:
    if node is None:
        return ""
    if x % 2 == 0 and not isinstance(node, LeafNode):
        return f"a parent node at leaf slot {x}"
    if x % 2 == 1 and not isinstance(node, ParentNode):
        return f"a leaf node at parent slot {x}"
    return ""


def _encryption_key(node: Node | None) -> bytes | None:
    return None if node is None else node.encryption_key


def _signature_key(node: Node | None) -> bytes | None:
    return node.signature_key if isinstance(node, LeafNode) else None


def _carry_keys(
    keys: dict[bytes, NodeIndex] | None,
    old_nodes: tuple[Node | None, ...],
    updates: Mapping[NodeIndex, Node | None],
    key_of: Callable[[Node | None], bytes | None],
) -> dict[bytes, NodeIndex] | None:
    """Update a key -> node map for changed slots, or None (rebuild lazily) when a new
    key collides with another node's: only invalid trees have duplicates, and
    validation then reports them (`check_unique_keys`)."""
    if keys is None:
        return None
    keys = dict(keys)
    for x in updates:
        old = key_of(old_nodes[x])
        if old is not None and keys.get(old) == x:
            del keys[old]
    for x, node in updates.items():
        new = key_of(node)
        if new is None:
            continue
        if keys.setdefault(new, x) != x:
            return None
    return keys
