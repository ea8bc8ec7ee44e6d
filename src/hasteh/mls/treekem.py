"""TreeKEM: re-keying a path and sharing its secrets (RFC 9420 §7.4-§7.6, §12.4.1-§12.4.2).

A committer draws a fresh leaf key and a chain of path secrets, one per node of its
filtered direct path (§7.4), sets the public keys and parent hashes along that path
(§7.5, §7.9), signs its new leaf, and encrypts each path secret to the resolution of the
node's copath child under the provisional GroupContext (§7.6). A receiver merges the
public part, checks the parent hash the committer signed, decrypts the one path secret
meant for its subtree, re-derives the rest and checks each derived public key against
the UpdatePath. The last path secret, ratcheted once more, is the commit_secret.

Both directions are pure: `create_update_path` and `apply_update_path` return new
values and change nothing, so a rejected commit leaves the old tree and keys in place.
Randomness comes only from `rng`.

Errors (`InvalidMessage.reason`), all the committer's fault:

    unknown-sender              the sender's leaf is blank (or, for an external
                                commit, not the leftmost blank leaf)
    bad-update-path-length      not one UpdatePathNode per filtered direct path node
    bad-update-path-ciphertexts a node's ciphertexts do not match its copath resolution
    duplicate-encryption-key    a path key is already in the tree or repeated
    bad-parent-hash             the leaf's signed parent hash does not match the path
    path-key-mismatch           a derived public key differs from the one sent
    hpke-open-failed            the path secret does not decrypt
    ... and every leaf validation reason (`leaf_validation`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from . import hpke, labels
from .cipher_suite import CipherSuite, Rng
from .commit import HPKECiphertext, UpdatePath, UpdatePathNode
from .errors import InternalError, InvalidMessage, UsageError
from .group_context import GroupContext
from .leaf_node import LeafNode, LeafNodeSource
from .leaf_validation import RequiredCapabilities, sign_leaf_node, validate_leaf_node
from .parent_hash import with_path_parent_hashes
from .parent_node import ParentNode
from .ratchet_tree import Node, RatchetTree, leaf_span
from .tree_hash import tree_hash
from .tree_math import LeafIndex, NodeIndex, common_ancestor, leaf_to_node

__all__ = [
    "UPDATE_PATH_NODE_LABEL",
    "AppliedPath",
    "CommitSecret",
    "CreatedPath",
    "NodeKeyPair",
    "PathSecret",
    "TreePrivateKeys",
    "apply_update_path",
    "create_update_path",
    "merge_update_path",
    "next_path_secret",
    "node_key_pair",
]

#: EncryptWithLabel label for path secrets (§7.6).
UPDATE_PATH_NODE_LABEL = "UpdatePathNode"


# --- secrets and keys ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PathSecret:
    """A path secret (§7.4): seeds one node's key pair and the next path secret."""

    value: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class CommitSecret:
    """The commit_secret fed to the key schedule (§8, §12.4.1)."""

    value: bytes = field(repr=False)

    @classmethod
    def zero(cls, suite: CipherSuite) -> CommitSecret:
        """The all-zero commit secret of a commit without a path (§12.4.1)."""
        return cls(bytes(suite.nh))


@dataclass(frozen=True, slots=True)
class NodeKeyPair:
    """An HPKE key pair held for a node of the tree."""

    private: bytes = field(repr=False)
    public: bytes


def next_path_secret(suite: CipherSuite, secret: PathSecret) -> PathSecret:
    """path_secret[n] = DeriveSecret(path_secret[n-1], "path") (§7.4)."""
    return PathSecret(labels.derive_secret(suite, secret.value, "path"))


def node_key_pair(suite: CipherSuite, secret: PathSecret) -> NodeKeyPair:
    """node_secret = DeriveSecret(path_secret, "node"); KEM.DeriveKeyPair (§7.4)."""
    node_secret = labels.derive_secret(suite, secret.value, "node")
    private, public = hpke.derive_key_pair(suite.kem, node_secret)
    return NodeKeyPair(private, public)


@dataclass(frozen=True, slots=True)
class TreePrivateKeys:
    """The private keys one member holds in the tree (§4.2): its leaf's, at node
    2*leaf, and those of ancestors it received path secrets for."""

    leaf: LeafIndex
    keys: Mapping[NodeIndex, NodeKeyPair]

    @classmethod
    def create(
        cls,
        tree: RatchetTree,
        leaf: LeafIndex,
        leaf_private_key: bytes,
        path_secrets: Mapping[NodeIndex, PathSecret] | None = None,
    ) -> TreePrivateKeys:
        """Keys for `leaf` from its leaf private key and any path secrets by node,
        checked against the tree's public keys (`InvalidMessage("path-key-mismatch")`)."""
        suite = tree.suite
        node = tree.leaf_node(leaf)
        public = hpke.public_key_of(suite.kem, leaf_private_key)
        if node is None or node.encryption_key != public:
            raise InvalidMessage("path-key-mismatch", f"leaf {leaf} does not hold this key")
        keys = {leaf_to_node(leaf): NodeKeyPair(leaf_private_key, public)}
        for x, secret in (path_secrets or {}).items():
            keys[x] = _checked_pair(tree, x, node_key_pair(suite, secret))
        return cls(leaf, keys)

    @classmethod
    def for_joiner(
        cls,
        tree: RatchetTree,
        leaf: LeafIndex,
        leaf_private_key: bytes,
        committer: LeafIndex,
        path_secret: PathSecret | None,
    ) -> TreePrivateKeys:
        """A joiner's keys from a Welcome (§12.4.3.1): the path secret is for the lowest
        common ancestor of `leaf` and the committer; each further node of the
        committer's filtered direct path gets the next path secret."""
        if path_secret is None:
            return cls.create(tree, leaf, leaf_private_key)
        lca = common_ancestor(leaf_to_node(leaf), leaf_to_node(committer))
        path = tree.filtered_direct_path(committer)
        if lca not in path:
            raise InvalidMessage("path-key-mismatch", "common ancestor not on the commit path")
        secrets: dict[NodeIndex, PathSecret] = {}
        secret = path_secret
        for x in path[path.index(lca) :]:
            secrets[x] = secret
            secret = next_path_secret(tree.suite, secret)
        return cls.create(tree, leaf, leaf_private_key, secrets)

    @property
    def leaf_key(self) -> NodeKeyPair:
        return self.keys[leaf_to_node(self.leaf)]

    def restricted_to(self, tree: RatchetTree) -> TreePrivateKeys:
        """Only the keys whose node still holds the matching public key: outdated key
        pairs must be deleted (§7.5)."""
        kept = {
            x: pair
            for x, pair in self.keys.items()
            if x < tree.width
            and (node := tree.nodes[x]) is not None
            and node.encryption_key == pair.public
        }
        return TreePrivateKeys(self.leaf, kept)


def _checked_pair(tree: RatchetTree, x: NodeIndex, pair: NodeKeyPair) -> NodeKeyPair:
    node = tree.node(x)
    if node is None or node.encryption_key != pair.public:
        raise InvalidMessage("path-key-mismatch", f"node {x} does not hold the derived key")
    return pair


# --- the committer (§7.4, §7.5, §7.6) --------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreatedPath:
    """A committer's new path: the tree with it merged, the UpdatePath to send, the
    commit secret, the committer's new private keys, and the path secret of every node
    on its filtered direct path (a Welcome carries one of them, `path_secret_for`)."""

    tree: RatchetTree
    update_path: UpdatePath
    commit_secret: CommitSecret
    private_keys: TreePrivateKeys
    path_secrets: Mapping[NodeIndex, PathSecret]
    group_context: GroupContext

    def path_secret_for(self, joiner: LeafIndex) -> PathSecret:
        """The path secret of the lowest common ancestor of the committer and `joiner`,
        for the joiner's GroupSecrets (§12.4.1)."""
        lca = common_ancestor(leaf_to_node(joiner), leaf_to_node(self.private_keys.leaf))
        try:
            return self.path_secrets[lca]
        except KeyError:
            raise UsageError(f"leaf {joiner} is not below the committer's path") from None


def create_update_path(
    tree: RatchetTree,
    sender: LeafIndex,
    leaf_template: LeafNode,
    signature_private_key: bytes,
    group_context: GroupContext,
    *,
    exclude: Iterable[LeafIndex] = (),
    external: bool = False,
    rng: Rng,
) -> CreatedPath:
    """Re-key the path of `sender` in `tree` (the tree with the commit's proposals
    applied) and encrypt the path secrets to the group (§7.5, §12.4.1).

    `leaf_template` supplies the new leaf's signature key, credential, capabilities and
    extensions (its other fields are replaced); `signature_private_key` must match its
    signature key. `group_context` is the provisional GroupContext except `tree_hash`,
    which is set here to the hash of the new tree. `exclude` lists the leaves added by
    the same commit: they get the path secret through the Welcome instead (§7.6).
    An `external` committer takes the blank slot `sender` from
    `RatchetTree.with_blank_leaf` (§12.4.1); a member commits from its own leaf.
    """
    suite = tree.suite
    _check_sender_slot(tree, sender, external, UsageError)
    pairs = tree.filtered_path_with_copath(sender)

    leaf_private, leaf_public = hpke.generate_key_pair(suite.kem, rng)
    secret = PathSecret(rng(suite.nh))
    path_secrets: dict[NodeIndex, PathSecret] = {}
    keys: dict[NodeIndex, NodeKeyPair] = {
        leaf_to_node(sender): NodeKeyPair(leaf_private, leaf_public)
    }
    updates: dict[NodeIndex, Node | None] = {p: None for p in tree.direct_path(sender)}
    for p, _ in pairs:
        path_secrets[p] = secret
        keys[p] = node_key_pair(suite, secret)
        updates[p] = ParentNode(keys[p].public, b"", ())
        secret = next_path_secret(suite, secret)
    commit_secret = CommitSecret(secret.value)

    merged, leaf_parent_hash = with_path_parent_hashes(tree.with_nodes(updates), sender)
    unsigned = replace(
        leaf_template,
        encryption_key=leaf_public,
        leaf_node_source=LeafNodeSource.COMMIT,
        lifetime=None,
        parent_hash=leaf_parent_hash,
        signature=b"",
    )
    leaf = sign_leaf_node(
        suite,
        signature_private_key,
        unsigned,
        group_id=group_context.group_id,
        leaf_index=sender,
    )
    new_tree = merged.with_nodes({leaf_to_node(sender): leaf})
    context = replace(group_context, tree_hash=tree_hash(new_tree))
    context_bytes = context.to_bytes()

    excluded = tuple(exclude)
    nodes = []
    for p, c in pairs:
        ciphertexts = []
        for y in tree.resolution(c, excluded):
            target = tree.nodes[y]
            assert target is not None
            kem_output, ct = labels.encrypt_with_label(
                suite,
                target.encryption_key,
                UPDATE_PATH_NODE_LABEL,
                context_bytes,
                path_secrets[p].value,
                rng=rng,
            )
            ciphertexts.append(HPKECiphertext(kem_output, ct))
        nodes.append(UpdatePathNode(keys[p].public, tuple(ciphertexts)))

    return CreatedPath(
        tree=new_tree,
        update_path=UpdatePath(leaf, tuple(nodes)),
        commit_secret=commit_secret,
        private_keys=TreePrivateKeys(sender, keys),
        path_secrets=path_secrets,
        group_context=context,
    )


# --- a receiver (§7.5, §12.4.2) --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AppliedPath:
    """The result of processing an UpdatePath: the new tree, the commit secret, the
    receiver's updated private keys, the path secret it decrypted, and the provisional
    GroupContext used for decryption."""

    tree: RatchetTree
    commit_secret: CommitSecret
    private_keys: TreePrivateKeys
    path_secret: PathSecret
    group_context: GroupContext


def merge_update_path(
    tree: RatchetTree,
    sender: LeafIndex,
    update_path: UpdatePath,
    group_context: GroupContext,
    *,
    exclude: Iterable[LeafIndex] = (),
    external: bool = False,
) -> RatchetTree:
    """Validate an UpdatePath against `tree` (the commit's proposals applied) and merge
    its public part (§7.5 "merges UpdatePath into the tree", §12.4.2).

    Checks the new leaf (§7.3, source commit, bound to `group_context.group_id` and the
    sender's index, against the group's required capabilities), that no path key is
    already in the tree, the node and ciphertext counts (§7.6), and the leaf's signed
    parent hash (§7.9.2). `group_context` needs only group_id and extensions here.
    For an `external` commit, `sender` is the blank slot the joiner takes (§12.4.2).
    """
    _check_sender_slot(tree, sender, external, InvalidMessage)
    leaf = update_path.leaf_node
    validate_leaf_node(
        tree,
        leaf,
        source=LeafNodeSource.COMMIT,
        group_id=group_context.group_id,
        leaf_index=sender,
        required=RequiredCapabilities.from_extensions(group_context.extensions),
    )
    pairs = tree.filtered_path_with_copath(sender)
    if len(update_path.nodes) != len(pairs):
        raise InvalidMessage(
            "bad-update-path-length",
            f"{len(update_path.nodes)} nodes for a filtered direct path of {len(pairs)}",
        )
    excluded = tuple(exclude)
    seen = {leaf.encryption_key}
    updates: dict[NodeIndex, Node | None] = {p: None for p in tree.direct_path(sender)}
    for (p, c), path_node in zip(pairs, update_path.nodes, strict=True):
        expected = len(tree.resolution(c, excluded))
        if len(path_node.encrypted_path_secret) != expected:
            raise InvalidMessage(
                "bad-update-path-ciphertexts",
                f"node {p}: {len(path_node.encrypted_path_secret)} ciphertexts, want {expected}",
            )
        key = path_node.encryption_key
        if key in seen or tree.find_node_by_encryption_key(key) is not None:
            raise InvalidMessage("duplicate-encryption-key", f"path key for node {p}")
        seen.add(key)
        updates[p] = ParentNode(key, b"", ())
    merged, leaf_parent_hash = with_path_parent_hashes(tree.with_nodes(updates), sender)
    if leaf.parent_hash != leaf_parent_hash:
        raise InvalidMessage("bad-parent-hash", "the committer's leaf parent hash")
    return merged.with_nodes({leaf_to_node(sender): leaf})


def apply_update_path(
    tree: RatchetTree,
    sender: LeafIndex,
    update_path: UpdatePath,
    group_context: GroupContext,
    private_keys: TreePrivateKeys,
    *,
    exclude: Iterable[LeafIndex] = (),
    external: bool = False,
) -> AppliedPath:
    """Process a received UpdatePath (§7.5, §12.4.2): `merge_update_path`, then decrypt
    the path secret for the receiver's subtree under the provisional GroupContext
    (`group_context` with `tree_hash` set to the merged tree's), derive the path
    secrets above it, check the derived public keys, and return the commit secret.

    `tree` is the tree with the commit's proposals applied; `private_keys` the
    receiver's keys in it; `exclude` the leaves added by the same commit.
    """
    suite = tree.suite
    me = private_keys.leaf
    if me == sender:
        raise UsageError("a committer merges its own path from create_update_path")
    excluded = tuple(exclude)
    if me in excluded:
        raise UsageError("a member added by this commit joins through the Welcome")
    new_tree = merge_update_path(
        tree, sender, update_path, group_context, exclude=excluded, external=external
    )
    context = replace(group_context, tree_hash=tree_hash(new_tree))

    pairs = tree.filtered_path_with_copath(sender)
    step = _step_for(pairs, me)
    _, c = pairs[step]
    res = tree.resolution(c, excluded)
    position, pair = _held_key(tree, res, private_keys)
    ciphertext = update_path.nodes[step].encrypted_path_secret[position]
    secret = PathSecret(
        labels.decrypt_with_label(
            suite,
            pair.private,
            UPDATE_PATH_NODE_LABEL,
            context.to_bytes(),
            ciphertext.kem_output,
            ciphertext.ciphertext,
        )
    )
    decrypted = secret

    replaced = set(tree.direct_path(sender))
    keys = {x: kp for x, kp in private_keys.keys.items() if x not in replaced}
    for (q, _), path_node in zip(pairs[step:], update_path.nodes[step:], strict=True):
        derived = node_key_pair(suite, secret)
        if derived.public != path_node.encryption_key:
            raise InvalidMessage("path-key-mismatch", f"node {q}")
        keys[q] = derived
        secret = next_path_secret(suite, secret)

    new_keys = TreePrivateKeys(me, keys).restricted_to(new_tree)
    return AppliedPath(new_tree, CommitSecret(secret.value), new_keys, decrypted, context)


def _check_sender_slot(
    tree: RatchetTree,
    sender: LeafIndex,
    external: bool,
    error: type[InvalidMessage] | type[UsageError],
) -> None:
    """A member commits from its non-blank leaf; an external joiner from the leftmost
    blank leaf, the one `RatchetTree.with_blank_leaf` gives (§12.4.1, §12.4.2)."""
    if not tree.contains_leaf(sender):
        problem = f"leaf {sender} is outside the tree"
    elif external and sender != tree.leftmost_blank_leaf():
        problem = f"an external committer takes the leftmost blank leaf, not {sender}"
    elif not external and tree.leaf_node(sender) is None:
        problem = f"leaf {sender} is not a member"
    else:
        return
    if error is InvalidMessage:
        raise InvalidMessage("unknown-sender", problem)
    raise UsageError(problem)


def _step_for(pairs: tuple[tuple[NodeIndex, NodeIndex], ...], me: LeafIndex) -> int:
    """The filtered-path step whose copath child covers the receiver's leaf."""
    for step, (_, c) in enumerate(pairs):
        first, end = leaf_span(c)
        if first <= me < end:
            return step
    raise UsageError(f"leaf {me} is not in the committer's copath (is it a member?)")


def _held_key(
    tree: RatchetTree, res: tuple[NodeIndex, ...], private_keys: TreePrivateKeys
) -> tuple[int, NodeKeyPair]:
    """The first node of the resolution whose private key the receiver holds (§7.5)."""
    for position, y in enumerate(res):
        pair = private_keys.keys.get(y)
        node = tree.nodes[y]
        if pair is not None and node is not None and node.encryption_key == pair.public:
            return position, pair
    raise InternalError("no private key for any node of the copath resolution")
