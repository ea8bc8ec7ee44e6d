"""TreeKEM (RFC 9420 §7.4-§7.6, §12.4.1-§12.4.2): the treekem vectors, random groups
where every member must agree after every commit, and hostile UpdatePaths that must be
rejected with a specific reason and no change to the receiver's state."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.mls import hpke, labels
from hasteh.mls.commit import HPKECiphertext, UpdatePath, UpdatePathNode
from hasteh.mls.errors import InvalidMessage
from hasteh.mls.leaf_node import LeafNode
from hasteh.mls.leaf_validation import sign_leaf_node, validate_tree
from hasteh.mls.parent_hash import with_path_parent_hashes
from hasteh.mls.parent_node import ParentNode
from hasteh.mls.ratchet_tree import Node, RatchetTree
from hasteh.mls.tree_hash import tree_hash
from hasteh.mls.tree_math import LeafIndex, NodeIndex
from hasteh.mls.treekem import (
    CommitSecret,
    CreatedPath,
    TreePrivateKeys,
    apply_update_path,
    create_update_path,
)
from hasteh.mls.vectors import run_file

from ..conftest import vectors_dir
from .tree_support import GROUP_ID, SUITE, Group, Member, make_rng


def test_treekem_vectors() -> None:
    result = run_file(vectors_dir() / "treekem.json")
    assert result.failures == []
    assert result.passed > 0


# --- random groups ---------------------------------------------------------------------


steps = st.lists(
    st.tuples(
        st.integers(0, 100),  # committer
        st.lists(st.integers(0, 100), max_size=2),  # removes
        st.integers(0, 3),  # adds
    ),
    min_size=1,
    max_size=7,
)


@settings(max_examples=25, deadline=None)
@given(steps)
def test_random_groups_agree_after_every_commit(plan: list[tuple[int, list[int], int]]) -> None:
    group = Group.create(Member.new(b"creator"))
    names = 0
    secrets: set[bytes] = set()
    for pick, remove_picks, n_adds in plan:
        members = group.members
        committer = members[pick % len(members)]
        others = [m for m in members if m != committer]
        removes = sorted({others[r % len(others)] for r in remove_picks} if others else set())
        adds = []
        for _ in range(n_adds):
            names += 1
            adds.append(Member.new(b"m%d" % names))
        secret = group.commit(committer, removes, adds)
        assert secret.value not in secrets  # a fresh commit secret every epoch
        secrets.add(secret.value)
        group.check_invariants()


def test_lone_member_commits_then_grows() -> None:
    group = Group.create(Member.new(b"alone"))
    group.commit(LeafIndex(0), [], [])
    tree = group.views[LeafIndex(0)]
    leaf = tree.leaf_node(LeafIndex(0))
    assert leaf is not None and leaf.parent_hash == b""
    group.commit(LeafIndex(0), [], [Member.new(b"a"), Member.new(b"b")])
    group.commit(LeafIndex(2), [LeafIndex(0)], [Member.new(b"c")])
    group.check_invariants()


# --- hostile UpdatePaths ---------------------------------------------------------------


@pytest.fixture(scope="module")
def scene() -> tuple[Group, CreatedPath, RatchetTree]:
    """Five members; leaf 1 has created (not yet sent) a commit with a path."""
    group = Group.create(Member.new(b"h0"))
    group.commit(LeafIndex(0), [], [Member.new(b"h%d" % i) for i in range(1, 5)])
    group.commit(LeafIndex(3), [], [])
    tree = group.views[LeafIndex(1)]
    created = create_update_path(
        tree,
        LeafIndex(1),
        tree.leaf_node(LeafIndex(1)) or _blank(),
        group.signers[LeafIndex(1)],
        group.context(),
        rng=make_rng(b"hostile"),
    )
    return group, created, tree


def _blank() -> LeafNode:
    raise AssertionError("blank leaf")


def resign(group: Group, sender: LeafIndex, leaf: LeafNode) -> LeafNode:
    return sign_leaf_node(SUITE, group.signers[sender], leaf, group_id=GROUP_ID, leaf_index=sender)


def rejected(
    group: Group, tree: RatchetTree, path: UpdatePath, receiver: int = 4, sender: int = 1
) -> str:
    """Apply `path` at `receiver`; return the InvalidMessage reason, checking that
    neither the tree nor the receiver's keys changed."""
    keys = group.keys[LeafIndex(receiver)]
    before = (tree.to_bytes(), tree_hash(tree), dict(keys.keys))
    with pytest.raises(InvalidMessage) as e:
        apply_update_path(tree, LeafIndex(sender), path, group.context(), keys)
    assert (tree.to_bytes(), tree_hash(tree), dict(keys.keys)) == before
    return e.value.reason


def test_honest_path_is_accepted(scene: tuple[Group, CreatedPath, RatchetTree]) -> None:
    group, created, tree = scene
    for j in (0, 2, 3, 4):
        applied = apply_update_path(
            tree, LeafIndex(1), created.update_path, group.context(), group.keys[LeafIndex(j)]
        )
        assert applied.commit_secret == created.commit_secret
        assert applied.tree == created.tree


def test_wrong_number_of_path_nodes(scene: tuple[Group, CreatedPath, RatchetTree]) -> None:
    group, created, tree = scene
    path = created.update_path
    short = replace(path, nodes=path.nodes[:-1])
    assert rejected(group, tree, short) == "bad-update-path-length"
    long = replace(path, nodes=(*path.nodes, path.nodes[-1]))
    assert rejected(group, tree, long) == "bad-update-path-length"


def test_wrong_number_of_ciphertexts(scene: tuple[Group, CreatedPath, RatchetTree]) -> None:
    group, created, tree = scene
    path = created.update_path
    first = path.nodes[0]
    extra = replace(
        first, encrypted_path_secret=(*first.encrypted_path_secret, HPKECiphertext(b"k", b"c"))
    )
    bad = replace(path, nodes=(extra, *path.nodes[1:]))
    assert rejected(group, tree, bad) == "bad-update-path-ciphertexts"


def test_bad_parent_hash(scene: tuple[Group, CreatedPath, RatchetTree]) -> None:
    group, created, tree = scene
    path = created.update_path
    leaf = resign(group, LeafIndex(1), replace(path.leaf_node, parent_hash=bytes(32)))
    assert rejected(group, tree, replace(path, leaf_node=leaf)) == "bad-parent-hash"


def test_bad_leaf_signature(scene: tuple[Group, CreatedPath, RatchetTree]) -> None:
    group, created, tree = scene
    path = created.update_path
    sig = bytearray(path.leaf_node.signature)
    sig[5] ^= 1
    leaf = replace(path.leaf_node, signature=bytes(sig))
    assert rejected(group, tree, replace(path, leaf_node=leaf)) == "bad-leaf-signature"
    # A leaf signed for another position does not verify either.
    moved = sign_leaf_node(
        SUITE,
        group.signers[LeafIndex(1)],
        path.leaf_node,
        group_id=GROUP_ID,
        leaf_index=LeafIndex(2),
    )
    assert rejected(group, tree, replace(path, leaf_node=moved)) == "bad-leaf-signature"


def test_duplicate_encryption_keys(scene: tuple[Group, CreatedPath, RatchetTree]) -> None:
    group, created, tree = scene
    path = created.update_path
    other = tree.leaf_node(LeafIndex(3))
    assert other is not None
    leaf = resign(group, LeafIndex(1), replace(path.leaf_node, encryption_key=other.encryption_key))
    assert rejected(group, tree, replace(path, leaf_node=leaf)) == "duplicate-encryption-key"
    # Re-using its own current leaf key is not allowed either (§12.4.2).
    own = tree.leaf_node(LeafIndex(1))
    assert own is not None
    leaf = resign(group, LeafIndex(1), replace(path.leaf_node, encryption_key=own.encryption_key))
    assert rejected(group, tree, replace(path, leaf_node=leaf)) == "duplicate-encryption-key"
    # A path node whose key is already in the tree.
    root_key = tree.node(tree.root)
    assert root_key is not None
    node = replace(path.nodes[-1], encryption_key=root_key.encryption_key)
    bad = replace(path, nodes=(*path.nodes[:-1], node))
    assert rejected(group, tree, bad) == "duplicate-encryption-key"


def test_path_key_that_does_not_match_the_secret(
    scene: tuple[Group, CreatedPath, RatchetTree],
) -> None:
    group, created, tree = scene
    path = created.update_path
    sender = LeafIndex(1)
    _, fresh = hpke.generate_key_pair(SUITE.kem, make_rng(b"other key"))
    keys = [n.encryption_key for n in path.nodes[:-1]] + [fresh]
    # An insider can sign a consistent parent hash over the wrong root key ...
    updates: dict[NodeIndex, Node | None] = {p: None for p in tree.direct_path(sender)}
    pairs = tree.filtered_path_with_copath(sender)
    for (p, _), key in zip(pairs, keys, strict=True):
        updates[p] = ParentNode(key, b"", ())
    _, ph = with_path_parent_hashes(tree.with_nodes(updates), sender)
    leaf = resign(group, sender, replace(path.leaf_node, parent_hash=ph))
    # ... and encrypt the honest path secrets under the resulting provisional context ...
    merged_tree, _ = with_path_parent_hashes(
        tree.with_nodes({**updates, NodeIndex(2): leaf}), sender
    )
    context = replace(group.context(), tree_hash=tree_hash(merged_tree)).to_bytes()
    rng = make_rng(b"insider")
    nodes = []
    for (p, c), key in zip(pairs, keys, strict=True):
        cts = []
        for y in tree.resolution(c):
            target = tree.node(y)
            assert target is not None
            kem_output, ct = labels.encrypt_with_label(
                SUITE,
                target.encryption_key,
                "UpdatePathNode",
                context,
                created.path_secrets[p].value,
                rng=rng,
            )
            cts.append(HPKECiphertext(kem_output, ct))
        nodes.append(UpdatePathNode(key, tuple(cts)))
    bad = UpdatePath(leaf, tuple(nodes))
    # ... but whoever decrypts a secret below that node derives a different key.
    assert rejected(group, tree, bad, receiver=4) == "path-key-mismatch"
    assert rejected(group, tree, bad, receiver=0) == "path-key-mismatch"


def test_undecryptable_path_secret(scene: tuple[Group, CreatedPath, RatchetTree]) -> None:
    group, created, tree = scene
    path = created.update_path
    root_node = path.nodes[-1]
    broken = tuple(
        HPKECiphertext(c.kem_output, bytes([c.ciphertext[0] ^ 1]) + c.ciphertext[1:])
        for c in root_node.encrypted_path_secret
    )
    bad = replace(path, nodes=(*path.nodes[:-1], UpdatePathNode(root_node.encryption_key, broken)))
    assert rejected(group, tree, bad, receiver=4) == "hpke-open-failed"
    # The wrong provisional context (here: another epoch) does not decrypt either.
    keys = group.keys[LeafIndex(4)]
    with pytest.raises(InvalidMessage) as e:
        apply_update_path(tree, LeafIndex(1), path, replace(group.context(), epoch=99), keys)
    assert e.value.reason == "hpke-open-failed"


def test_sender_must_be_a_member(scene: tuple[Group, CreatedPath, RatchetTree]) -> None:
    group, created, tree = scene
    smaller = tree.remove_leaf(LeafIndex(1))
    keys = group.keys[LeafIndex(4)].restricted_to(smaller)
    with pytest.raises(InvalidMessage) as e:
        apply_update_path(smaller, LeafIndex(1), created.update_path, group.context(), keys)
    assert e.value.reason == "unknown-sender"


def test_joiner_keys_from_welcome_path_secret() -> None:
    group = Group.create(Member.new(b"w0"))
    group.commit(LeafIndex(0), [], [Member.new(b"w1"), Member.new(b"w2")])
    tree = group.views[LeafIndex(0)]
    joiner = Member.new(b"w3")
    after, idx = tree.add_leaf(joiner.leaf_node)
    created = create_update_path(
        after,
        LeafIndex(0),
        after.leaf_node(LeafIndex(0)) or _blank(),
        group.signers[LeafIndex(0)],
        group.context(),
        exclude=[idx],
        rng=make_rng(b"w"),
    )
    keys = TreePrivateKeys.for_joiner(
        created.tree, idx, joiner.encryption_private, LeafIndex(0), created.path_secret_for(idx)
    )
    # Its leaf, and the root: the common ancestor with the committer (node 5 is not on
    # the committer's path, so the joiner learns nothing for it).
    assert set(keys.keys) == {NodeIndex(6), NodeIndex(3)}
    # A wrong path secret is caught against the tree's public keys.
    with pytest.raises(InvalidMessage) as e:
        TreePrivateKeys.for_joiner(
            created.tree,
            idx,
            joiner.encryption_private,
            LeafIndex(0),
            created.path_secret_for(LeafIndex(1)),
        )
    assert e.value.reason == "path-key-mismatch"
    assert CommitSecret.zero(SUITE).value == bytes(32)


def test_external_commit_takes_the_leftmost_blank_leaf() -> None:
    group = Group.create(Member.new(b"e0"))
    group.commit(LeafIndex(0), [], [Member.new(b"e1"), Member.new(b"e2")])
    joiner = Member.new(b"outsider")
    tree, slot = group.views[LeafIndex(0)].with_blank_leaf()
    assert slot == 3
    created = create_update_path(
        tree,
        slot,
        joiner.leaf_node,
        joiner.signature_private,
        group.context(),
        external=True,
        rng=make_rng(b"ext"),
    )
    for j in group.members:
        mine, mine_slot = group.views[j].with_blank_leaf()
        assert mine_slot == slot
        applied = apply_update_path(
            mine, slot, created.update_path, group.context(), group.keys[j], external=True
        )
        assert applied.commit_secret == created.commit_secret
        assert applied.tree == created.tree
    validate_tree(created.tree, group_id=GROUP_ID)
    # Without the external flag, a blank slot is not a member ...
    keys = group.keys[LeafIndex(0)]
    with pytest.raises(InvalidMessage) as e:
        apply_update_path(tree, slot, created.update_path, group.context(), keys)
    assert e.value.reason == "unknown-sender"
    # ... and an external joiner cannot pick an occupied or non-leftmost slot.
    with pytest.raises(InvalidMessage) as e:
        apply_update_path(
            tree, LeafIndex(1), created.update_path, group.context(), keys, external=True
        )
    assert e.value.reason == "unknown-sender"
