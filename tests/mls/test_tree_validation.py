"""Tree and leaf validation (RFC 9420 §7.3, §7.9.2, §12.4.3.1): the tree-validation
vectors, the whole-tree checks a joiner runs, and each §7.3 leaf rule with its reason."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.credential import X509Credential
from hasteh.mls.errors import InvalidMessage
from hasteh.mls.extensions import Extension
from hasteh.mls.leaf_node import Capabilities, LeafNode, LeafNodeSource, Lifetime
from hasteh.mls.leaf_validation import (
    CredentialSupport,
    RequiredCapabilities,
    sign_leaf_node,
    validate_leaf_node,
    validate_tree,
)
from hasteh.mls.parent_hash import verify_parent_hashes
from hasteh.mls.parent_node import ParentNode
from hasteh.mls.ratchet_tree import RatchetTree
from hasteh.mls.tree_math import LeafIndex, NodeIndex
from hasteh.mls.vectors import run_file

from ..conftest import vectors_dir
from .tree_support import GROUP_ID, SUITE, Group, Member, fake_leaf


def test_tree_validation_vectors() -> None:
    result = run_file(vectors_dir() / "tree-validation.json")
    assert result.failures == []
    assert result.passed > 0


def test_vector_trees_pass_full_validation() -> None:
    cases = json.loads((vectors_dir() / "tree-validation.json").read_text())
    assert len(cases) >= 10, "the vector file has lost its cases"
    for case in cases:
        tree = RatchetTree.from_bytes(get_suite(case["cipher_suite"]), bytes.fromhex(case["tree"]))
        validate_tree(tree, group_id=bytes.fromhex(case["group_id"]))


@pytest.fixture(scope="module")
def group() -> Group:
    g = Group.create(Member.new(b"v0"))
    g.commit(LeafIndex(0), [], [Member.new(b"v%d" % i) for i in range(1, 6)])
    g.commit(LeafIndex(4), [], [])
    g.commit(LeafIndex(1), [LeafIndex(2)], [])
    g.commit(LeafIndex(0), [], [Member.new(b"v6")])
    g.check_invariants()
    return g


def reason(call: object) -> str:
    assert callable(call)
    with pytest.raises(InvalidMessage) as e:
        call()
    return e.value.reason


# --- whole trees -----------------------------------------------------------------------


def test_tampered_trees_are_rejected(group: Group) -> None:
    tree = group.views[LeafIndex(0)]
    validate_tree(tree, group_id=GROUP_ID)

    # A parent key swapped by whoever relayed the tree breaks its parent-hash chain.
    root = tree.parent_node(tree.root)
    assert root is not None
    swapped = tree.with_nodes({tree.root: replace(root, encryption_key=b"\x01" * 32)})
    assert reason(lambda: verify_parent_hashes(swapped)) == "bad-parent-hash"

    # A leaf whose signature does not verify.
    leaf = tree.leaf_node(LeafIndex(3))
    assert leaf is not None
    forged = tree.with_nodes({NodeIndex(6): replace(leaf, signature=bytes(64))})
    assert reason(lambda: validate_tree(forged, group_id=GROUP_ID)) == "bad-leaf-signature"
    # ... or signed for another group.
    assert reason(lambda: validate_tree(tree, group_id=b"other")) == "bad-leaf-signature"

    # Two nodes with one encryption key.
    other = tree.leaf_node(LeafIndex(1))
    assert other is not None
    dup = tree.with_nodes({tree.root: replace(root, encryption_key=other.encryption_key)})
    assert reason(lambda: validate_tree(dup, group_id=GROUP_ID)) == "duplicate-encryption-key"


def test_unmerged_leaf_rules() -> None:
    g = Group.create(Member.new(b"u0"))
    g.commit(LeafIndex(0), [], [Member.new(b"u1"), Member.new(b"u2")])
    tree, new = g.views[LeafIndex(0)].add_leaf(Member.new(b"u3").leaf_node)
    assert new == 3 and tree.unmerged_leaves(tree.root) == (3,)
    tree.check_unmerged_leaves()
    validate_tree(tree, group_id=GROUP_ID)
    root = tree.parent_node(tree.root)
    assert root is not None
    # Repeated, outside the subtree, merged at a node in between, unsorted.
    for bad in ((3, 3), (5,), (1, 3), (3, 2)):
        broken = tree.with_nodes({tree.root: replace(root, unmerged_leaves=bad)})
        assert reason(broken.check_unmerged_leaves) == "bad-unmerged-leaves"


def test_unmerged_leaf_missing_at_an_intermediate_node() -> None:
    g = Group.create(Member.new(b"i0"))
    g.commit(LeafIndex(0), [], [Member.new(b"i%d" % i) for i in range(1, 8)])
    g.commit(LeafIndex(4), [LeafIndex(6)], [])
    tree, new = g.views[LeafIndex(0)].add_leaf(Member.new(b"i8").leaf_node)
    assert new == 6
    holders = [p for p in tree.direct_path(new) if tree.unmerged_leaves(p)]
    assert len(holders) >= 2
    low = tree.parent_node(holders[0])
    assert low is not None
    broken = tree.with_nodes({holders[0]: replace(low, unmerged_leaves=())})
    assert reason(broken.check_unmerged_leaves) == "bad-unmerged-leaves"


# --- one leaf (§7.3) -------------------------------------------------------------------


def kp_leaf(name: bytes, **changes: object) -> tuple[LeafNode, Member]:
    m = Member.new(name)
    leaf = replace(m.leaf_node, **changes)  # type: ignore[arg-type]
    return sign_leaf_node(SUITE, m.signature_private, leaf), m


def check_add(tree: RatchetTree, leaf: LeafNode, **kw: object) -> None:
    validate_leaf_node(
        tree,
        leaf,
        source=LeafNodeSource.KEY_PACKAGE,
        group_id=GROUP_ID,
        **kw,  # type: ignore[arg-type]
    )


def test_leaf_rules(group: Group) -> None:
    tree = group.views[LeafIndex(0)]
    good, _ = kp_leaf(b"new")
    check_add(tree, good)

    assert (
        reason(
            lambda: validate_leaf_node(
                tree, good, source=LeafNodeSource.UPDATE, group_id=GROUP_ID, leaf_index=LeafIndex(1)
            )
        )
        == "wrong-leaf-node-source"
    )

    unsigned = replace(good, signature=good.signature[:-1] + bytes([good.signature[-1] ^ 1]))
    assert reason(lambda: check_add(tree, unsigned)) == "bad-leaf-signature"

    # Lifetime: checked when a time is given; bounded by the application's maximum.
    short, _ = kp_leaf(b"short", lifetime=Lifetime(100, 200))
    check_add(tree, short, now=150)
    assert reason(lambda: check_add(tree, short, now=201)) == "lifetime-not-valid"
    assert reason(lambda: check_add(tree, short, now=99)) == "lifetime-not-valid"
    assert reason(lambda: check_add(tree, short, max_lifetime=50)) == "lifetime-too-long"

    # Capabilities: own credential type and non-default extensions must be listed.
    no_cred, _ = kp_leaf(b"nc", capabilities=Capabilities((1,), (1,), (), (), (2,)))
    assert reason(lambda: check_add(tree, no_cred)) == "unsupported-credential"
    ext, _ = kp_leaf(b"ext", extensions=(Extension(0xFF00, b""),))
    assert reason(lambda: check_add(tree, ext)) == "unsupported-extension"
    app_id, _ = kp_leaf(b"app", extensions=(Extension(0x0001, b"id"),))
    check_add(tree, app_id)  # a default extension needs no listing (§7.2)

    required = RequiredCapabilities(extension_types=(0xFF00,), proposal_types=(0x0001,))
    assert reason(lambda: check_add(tree, good, required=required)) == (
        "missing-required-capability"
    )
    listed, _ = kp_leaf(b"listed", capabilities=Capabilities((1,), (1,), (0xFF00,), (), (1,)))
    check_add(tree, listed, required=required)
    assert RequiredCapabilities.from_bytes(required.to_bytes()) == required

    # Credential types must be supported both ways with every member.
    x509, _ = kp_leaf(
        b"x",
        credential=X509Credential((b"cert",)),
        capabilities=Capabilities((1,), (1,), (), (), (1, 2)),
    )
    assert reason(lambda: check_add(tree, x509)) == "incompatible-credential"
    # ... and a new leaf must support every credential type in use.
    mixed = RatchetTree.from_nodes(
        SUITE,
        [
            replace(fake_leaf(0), capabilities=Capabilities((1,), (1,), (), (), (1, 2))),
            None,
            replace(
                fake_leaf(1),
                credential=X509Credential((b"c",)),
                capabilities=Capabilities((1,), (1,), (), (), (1, 2)),
            ),
        ],
    )
    support = CredentialSupport.of(mixed)
    assert support.members == 2
    support.check(
        replace(fake_leaf(2), capabilities=Capabilities((1,), (1,), (), (), (2, 1))), None
    )
    assert reason(lambda: support.check(fake_leaf(2), None)) == "incompatible-credential"
    # Replacing the only x509 member lifts that requirement.
    support.check(fake_leaf(2), mixed.leaf_node(LeafIndex(1)))

    # Keys must be new to the group.
    member = tree.leaf_node(LeafIndex(3))
    assert member is not None
    dup_enc, _ = kp_leaf(b"de", encryption_key=member.encryption_key)
    assert reason(lambda: check_add(tree, dup_enc)) == "duplicate-encryption-key"
    dup_sig = sign_leaf_node(
        SUITE, group.signers[LeafIndex(3)], replace(good, signature_key=member.signature_key)
    )
    assert reason(lambda: check_add(tree, dup_sig)) == "duplicate-signature-key"


def test_update_leaf_may_keep_its_signature_key_but_not_its_encryption_key(
    group: Group,
) -> None:
    tree = group.views[LeafIndex(0)]
    me = LeafIndex(3)
    current = tree.leaf_node(me)
    assert current is not None
    fresh, _ = kp_leaf(b"fresh")
    update = sign_leaf_node(
        SUITE,
        group.signers[me],
        replace(
            current,
            encryption_key=fresh.encryption_key,
            leaf_node_source=LeafNodeSource.UPDATE,
            lifetime=None,
            parent_hash=None,
        ),
        group_id=GROUP_ID,
        leaf_index=me,
    )
    validate_leaf_node(tree, update, source=LeafNodeSource.UPDATE, group_id=GROUP_ID, leaf_index=me)
    same_key = sign_leaf_node(
        SUITE,
        group.signers[me],
        replace(update, encryption_key=current.encryption_key),
        group_id=GROUP_ID,
        leaf_index=me,
    )
    assert (
        reason(
            lambda: validate_leaf_node(
                tree, same_key, source=LeafNodeSource.UPDATE, group_id=GROUP_ID, leaf_index=me
            )
        )
        == "duplicate-encryption-key"
    )
    # An update leaf verified at another position fails its signature.
    assert reason(
        lambda: validate_leaf_node(
            tree, update, source=LeafNodeSource.UPDATE, group_id=GROUP_ID, leaf_index=LeafIndex(1)
        )
    ) in {"bad-leaf-signature", "duplicate-signature-key"}


def test_parent_node_without_a_chain_is_rejected(group: Group) -> None:
    tree = group.views[LeafIndex(0)]
    # Plant a parent over blank parents that no leaf's path vouches for.
    blanks = [x for x in range(1, tree.width, 2) if tree.parent_node(NodeIndex(x)) is None]
    assert blanks
    planted = tree.with_nodes({NodeIndex(blanks[0]): ParentNode(b"\x07" * 32, b"", ())})
    assert reason(lambda: verify_parent_hashes(planted)) == "bad-parent-hash"
