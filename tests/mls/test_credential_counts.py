"""The tree keeps its leaves' credential counts (§7.3's compatibility check) up to date
through every change, so they always equal a fresh count of the leaves: a stale count
would let an incompatible leaf in, or keep a compatible one out."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.mls.credential import BasicCredential, X509Credential
from hasteh.mls.errors import InvalidMessage
from hasteh.mls.leaf_node import LeafNode
from hasteh.mls.leaf_validation import CredentialSupport
from hasteh.mls.ratchet_tree import CredentialCounts, RatchetTree
from hasteh.mls.tree_math import leaf_to_node

from .tree_support import SUITE, capabilities, fake_leaf

#: One change: (what, leaf position, tag, credential kind, supported types).
CHANGE = st.tuples(
    st.sampled_from(["add", "remove", "update"]),
    st.integers(0, 15),
    st.integers(0, 10_000),
    st.booleans(),
    st.sampled_from([(1,), (1, 2), (2,), (1, 2, 0x0A0A)]),
)


def _leaf(tag: int, x509: bool, supported: tuple[int, ...]) -> LeafNode:
    credential = X509Credential((b"cert-%d" % tag,)) if x509 else BasicCredential(b"m%d" % tag)
    return dataclasses.replace(
        fake_leaf(tag), credential=credential, capabilities=capabilities(credentials=supported)
    )


def _fresh(tree: RatchetTree) -> CredentialCounts:
    return CredentialCounts.of(leaf for _, leaf in tree.leaves())


def _same(a: CredentialCounts, b: CredentialCounts) -> bool:
    positive = lambda c: {k: v for k, v in c.items() if v}  # noqa: E731
    return (a.members, positive(a.used), positive(a.supported)) == (
        b.members,
        positive(b.used),
        positive(b.supported),
    )


@settings(max_examples=60, deadline=None)
@given(changes=st.lists(CHANGE, max_size=25))
def test_kept_counts_equal_a_fresh_count(
    changes: list[tuple[str, int, int, bool, tuple[int, ...]]],
) -> None:
    tree = RatchetTree.one_member(SUITE, fake_leaf(100_000))
    tree.credential_counts()  # counted now, then only carried
    for what, position, tag, x509, supported in changes:
        leaf = _leaf(tag * 32 + position, x509, supported)
        members = [index for index, _ in tree.leaves()]
        if what == "add" or len(members) < 2:
            tree, _ = tree.add_leaf(leaf)
        elif what == "remove":
            gone = members[position % len(members)]
            tree = tree.with_nodes({leaf_to_node(gone): None}).truncated()
        else:
            at = members[position % len(members)]
            tree = tree.with_nodes({leaf_to_node(at): leaf})
        assert tree.caches.credentials is not None
        assert _same(tree.credential_counts(), _fresh(tree))


def test_an_old_tree_keeps_its_own_counts() -> None:
    """Trees are values: counting a changed tree does not touch the one it came from."""
    tree = RatchetTree.one_member(SUITE, fake_leaf(1))
    before = tree.credential_counts()
    bigger, _ = tree.add_leaf(_leaf(2, True, (1, 2)))
    assert bigger.credential_counts().members == 2
    assert tree.credential_counts() is before
    assert before.members == 1 and before.used[2] == 0


def _reference_check(leaves: list[LeafNode], leaf: LeafNode, other_than: LeafNode | None) -> bool:
    """§7.3 read plainly: the leaf's credential type is supported by every other member,
    and the leaf supports every type the other members use."""
    others = list(leaves)
    if other_than is not None:
        others.remove(other_than)
    ctype = leaf.credential.credential_type
    return all(ctype in o.capabilities.credentials for o in others) and all(
        o.credential.credential_type in leaf.capabilities.credentials for o in others
    )


LEAVES = st.lists(
    st.tuples(st.booleans(), st.sampled_from([(1,), (1, 2), (2,), (2, 2), (1, 2, 0x0A0A)])),
    min_size=1,
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(members=LEAVES, candidate=LEAVES, replace_at=st.one_of(st.none(), st.integers(0, 7)))
def test_the_counted_check_agrees_with_the_plain_rule(
    members: list[tuple[bool, tuple[int, ...]]],
    candidate: list[tuple[bool, tuple[int, ...]]],
    replace_at: int | None,
) -> None:
    leaves = [_leaf(i, x509, caps) for i, (x509, caps) in enumerate(members)]
    leaf = _leaf(1000, *candidate[0])
    other = None if replace_at is None else leaves[replace_at % len(leaves)]
    counts = CredentialCounts.of(leaves)
    support = CredentialSupport(counts.members, counts.used, counts.supported)
    try:
        support.check(leaf, other)
        accepted = True
    except InvalidMessage as exc:
        assert exc.reason == "incompatible-credential"
        accepted = False
    assert accepted == _reference_check(leaves, leaf, other)
