"""Shared helpers for the ratchet tree, TreeKEM and tree validation tests.

`fake_leaf` makes structurally valid but unsigned leaves (cheap, for shape tests);
`Member.new` makes real signed KeyPackage leaves; `Group` simulates members committing
with UpdatePaths, each member keeping its own view of the tree and its private keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from hasteh.mls import hpke
from hasteh.mls.cipher_suite import CipherSuite, get_suite
from hasteh.mls.credential import BasicCredential
from hasteh.mls.group_context import GroupContext
from hasteh.mls.leaf_node import Capabilities, LeafNode, LeafNodeSource, Lifetime
from hasteh.mls.leaf_validation import sign_leaf_node, validate_tree
from hasteh.mls.parent_hash import verify_parent_hashes
from hasteh.mls.ratchet_tree import RatchetTree
from hasteh.mls.tree_hash import tree_hash
from hasteh.mls.tree_math import LeafIndex
from hasteh.mls.treekem import CommitSecret, TreePrivateKeys, apply_update_path, create_update_path

SUITE = get_suite(0x0001)
GROUP_ID = b"cell-7"
FAR_FUTURE = (1 << 63) - 1


def make_rng(seed: bytes) -> Callable[[int], bytes]:
    """A deterministic byte stream (tests only; the app passes os.urandom)."""
    counter = [0]

    def rng(n: int) -> bytes:
        out = b""
        while len(out) < n:
            counter[0] += 1
            out += hashlib.sha512(seed + counter[0].to_bytes(8, "big")).digest()
        return out[:n]

    return rng


def capabilities(suite: CipherSuite = SUITE, credentials: tuple[int, ...] = (1,)) -> Capabilities:
    return Capabilities(versions=(1,), cipher_suites=(suite.id,), credentials=credentials)


def fake_leaf(tag: int) -> LeafNode:
    """A key-package leaf with distinct fake keys and no valid signature."""
    return LeafNode(
        encryption_key=b"enc" + tag.to_bytes(4, "big"),
        signature_key=b"sig" + tag.to_bytes(4, "big"),
        credential=BasicCredential(b"member-%d" % tag),
        capabilities=capabilities(),
        leaf_node_source=LeafNodeSource.KEY_PACKAGE,
        extensions=(),
        signature=b"",
        lifetime=Lifetime(0, FAR_FUTURE),
    )


@dataclass(frozen=True)
class Member:
    """A client with a signed KeyPackage leaf and its private keys."""

    leaf_node: LeafNode
    encryption_private: bytes
    signature_private: bytes

    @classmethod
    def new(
        cls,
        name: bytes,
        suite: CipherSuite = SUITE,
        *,
        lifetime: Lifetime | None = None,
        caps: Capabilities | None = None,
    ) -> Member:
        rng = make_rng(b"member:" + name)
        enc_priv, enc_pub = hpke.generate_key_pair(suite.kem, rng)
        sig_priv, sig_pub = suite.generate_signature_key(rng)
        unsigned = LeafNode(
            encryption_key=enc_pub,
            signature_key=sig_pub,
            credential=BasicCredential(name),
            capabilities=caps or capabilities(suite),
            leaf_node_source=LeafNodeSource.KEY_PACKAGE,
            extensions=(),
            signature=b"",
            lifetime=lifetime or Lifetime(0, FAR_FUTURE),
        )
        return cls(sign_leaf_node(suite, sig_priv, unsigned), enc_priv, sig_priv)


@dataclass
class Group:
    """Every member's view of one group, advanced by commits with an UpdatePath."""

    suite: CipherSuite
    views: dict[LeafIndex, RatchetTree] = field(default_factory=dict)
    keys: dict[LeafIndex, TreePrivateKeys] = field(default_factory=dict)
    signers: dict[LeafIndex, bytes] = field(default_factory=dict)
    epoch: int = 0
    counter: int = 0

    @classmethod
    def create(cls, creator: Member, suite: CipherSuite = SUITE) -> Group:
        tree = RatchetTree.one_member(suite, creator.leaf_node)
        g = cls(suite)
        g.views[LeafIndex(0)] = tree
        g.keys[LeafIndex(0)] = TreePrivateKeys.create(
            tree, LeafIndex(0), creator.encryption_private
        )
        g.signers[LeafIndex(0)] = creator.signature_private
        return g

    @property
    def members(self) -> list[LeafIndex]:
        return sorted(self.views)

    def context(self) -> GroupContext:
        return GroupContext(self.suite.id, GROUP_ID, self.epoch + 1, b"", b"transcript")

    def commit(
        self, committer: LeafIndex, removes: list[LeafIndex], adds: list[Member]
    ) -> CommitSecret:
        """`committer` removes and adds members, with a path; everyone processes it."""
        self.counter += 1
        base = self.views[committer]
        tree = base
        for r in removes:
            tree = tree.remove_leaf(r)
        added: list[tuple[LeafIndex, Member]] = []
        for m in adds:
            tree, idx = tree.add_leaf(m.leaf_node)
            added.append((idx, m))
        new = [idx for idx, _ in added]
        created = create_update_path(
            tree,
            committer,
            tree.leaf_node(committer) or _never(),
            self.signers[committer],
            self.context(),
            exclude=new,
            rng=make_rng(b"commit:%d" % self.counter),
        )
        survivors = [m for m in self.members if m not in removes]
        views: dict[LeafIndex, RatchetTree] = {committer: created.tree}
        keys = {committer: created.private_keys}
        for j in survivors:
            if j == committer:
                continue
            mine = self.views[j]
            assert mine == base, "views diverged before the commit"
            t = mine
            for r in removes:
                t = t.remove_leaf(r)
            for m in adds:
                t, _ = t.add_leaf(m.leaf_node)
            applied = apply_update_path(
                t,
                committer,
                created.update_path,
                self.context(),
                self.keys[j].restricted_to(t),
                exclude=new,
            )
            assert applied.commit_secret == created.commit_secret
            assert applied.tree == created.tree
            assert tree_hash(applied.tree) == tree_hash(created.tree)
            views[j] = applied.tree
            keys[j] = applied.private_keys
        for r in removes:
            del self.signers[r]
        for idx, m in added:
            views[idx] = created.tree
            keys[idx] = TreePrivateKeys.for_joiner(
                created.tree,
                idx,
                m.encryption_private,
                committer,
                created.path_secret_for(idx),
            )
            self.signers[idx] = m.signature_private
        self.views, self.keys = views, keys
        self.epoch += 1
        return created.commit_secret

    def check_invariants(self) -> None:
        trees = list(self.views.values())
        tree = trees[0]
        assert all(t == tree for t in trees)
        hashes = {tree_hash(t) for t in trees}
        assert hashes == {tree_hash(RatchetTree.from_bytes(self.suite, tree.to_bytes()))}
        verify_parent_hashes(tree)
        validate_tree(tree, group_id=GROUP_ID)
        assert tree.truncated() is tree, "a blank right half was left in place"
        assert tree.to_nodes()[-1] is not None
        assert sorted(i for i, _ in tree.leaves()) == self.members
        for j, k in self.keys.items():
            # Every key a member holds matches the tree, and it holds its leaf's.
            assert k.restricted_to(tree) == k
            assert (
                k.leaf == j and k.leaf_key.public == (tree.leaf_node(j) or _never()).encryption_key
            )


def _never() -> LeafNode:
    raise AssertionError("unexpected blank leaf")
