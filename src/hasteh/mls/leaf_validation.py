"""Leaf node validation (RFC 9420 §7.3, §10.1, §11.1) and whole-tree validation
(§12.4.3.1).

A LeafNode is checked when it arrives in a KeyPackage (Add), an Update, a Commit's
UpdatePath, or a ratchet tree being joined. Each failure is an `InvalidMessage` with a
stable reason, since a bad leaf is always the sender's fault:

    wrong-leaf-node-source   the source does not match where the leaf appeared
    bad-leaf-signature       SignWithLabel(., "LeafNodeTBS", LeafNodeTBS) fails
    unsupported-credential   own credential type not in own capabilities
    unsupported-extension    a non-default extension not in own capabilities
    duplicate-extension      an extension type twice in the leaf's list (§13.4)
    unsupported-group-extension   a new member lacks a GroupContext extension (§13.4)
    missing-required-capability   §11.1 required_capabilities not all listed
    incompatible-credential  credential types not mutually supported with the members
    lifetime-not-valid / lifetime-too-long   §7.2 lifetime checks (time passed in)
    duplicate-encryption-key / duplicate-signature-key   §7.3 uniqueness

Credential validation with the Authentication Service (§5.3.1) is the application's
policy and is not done here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from . import labels
from .cipher_suite import CipherSuite
from .codec import Reader, Writer, decode_all, encode
from .errors import InvalidMessage
from .extensions import REQUIRED_CAPABILITIES, Extension, check_unique
from .leaf_node import Capabilities, LeafNode, LeafNodeSource
from .parent_hash import verify_parent_hashes
from .ratchet_tree import RatchetTree
from .tree_math import LeafIndex, leaf_to_node

__all__ = [
    "DEFAULT_EXTENSION_TYPES",
    "DEFAULT_PROPOSAL_TYPES",
    "LEAF_NODE_TBS_LABEL",
    "CredentialSupport",
    "RequiredCapabilities",
    "check_supports_group_extensions",
    "sign_leaf_node",
    "validate_leaf_node",
    "validate_tree",
    "verify_leaf_signature",
]

#: SignWithLabel label of a LeafNode's signature (§7.2).
LEAF_NODE_TBS_LABEL = "LeafNodeTBS"
#: Extension types every client implements; never listed in capabilities (§7.2).
DEFAULT_EXTENSION_TYPES = frozenset({0x0001, 0x0002, 0x0003, 0x0004, 0x0005})
#: Proposal types every client implements; never listed in capabilities (§7.2).
DEFAULT_PROPOSAL_TYPES = frozenset(range(0x0001, 0x0008))


def _u16(w: Writer, v: int) -> None:
    w.u16(v)


@dataclass(frozen=True, slots=True)
class RequiredCapabilities:
    """§11.1: what every member must support, from the GroupContext extension."""

    extension_types: tuple[int, ...] = ()
    proposal_types: tuple[int, ...] = ()
    credential_types: tuple[int, ...] = ()

    def encode(self, w: Writer) -> None:
        for values in (self.extension_types, self.proposal_types, self.credential_types):
            w.vector(values, _u16)

    @classmethod
    def decode(cls, r: Reader) -> RequiredCapabilities:
        return cls(*(tuple(r.vector(Reader.u16)) for _ in range(3)))

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> RequiredCapabilities:
        return decode_all(data, cls.decode)

    @classmethod
    def from_extensions(cls, extensions: Iterable[Extension]) -> RequiredCapabilities | None:
        """The group's required capabilities, if its extensions carry them."""
        for ext in extensions:
            if ext.extension_type == REQUIRED_CAPABILITIES:
                return cls.from_bytes(ext.extension_data)
        return None

    def missing_from(self, caps: Capabilities) -> list[int]:
        """§11.1: the required types `caps` does not list (default types need no
        listing). The one copy of this check, for new leaves and for new contexts."""
        return (
            [
                t
                for t in self.extension_types
                if t not in DEFAULT_EXTENSION_TYPES and t not in caps.extensions
            ]
            + [
                t
                for t in self.proposal_types
                if t not in DEFAULT_PROPOSAL_TYPES and t not in caps.proposals
            ]
            + [t for t in self.credential_types if t not in caps.credentials]
        )


# --- signatures ------------------------------------------------------------------------


def _tbs(leaf: LeafNode, group_id: bytes | None, leaf_index: LeafIndex | None) -> bytes:
    if leaf.leaf_node_source == LeafNodeSource.KEY_PACKAGE:
        return leaf.tbs()
    if group_id is None or leaf_index is None:
        raise InvalidMessage(
            "bad-leaf-signature", "an update or commit leaf is only valid in a group position"
        )
    return leaf.tbs(group_id, leaf_index)


def sign_leaf_node(
    suite: CipherSuite,
    signature_private_key: bytes,
    leaf: LeafNode,
    *,
    group_id: bytes | None = None,
    leaf_index: LeafIndex | None = None,
) -> LeafNode:
    """`leaf` with a fresh signature over its LeafNodeTBS (§7.2); update and commit
    leaves bind the group and their position, key_package leaves neither."""
    tbs = _tbs(leaf, group_id, leaf_index)
    sig = labels.sign_with_label(suite, signature_private_key, LEAF_NODE_TBS_LABEL, tbs)
    return replace(leaf, signature=sig)


def verify_leaf_signature(
    suite: CipherSuite,
    leaf: LeafNode,
    *,
    group_id: bytes | None = None,
    leaf_index: LeafIndex | None = None,
) -> None:
    """§7.3: the signature verifies under the leaf's own signature_key, over the TBS
    with the group_id and leaf_index for update and commit leaves (ignored for
    key_package leaves). `InvalidMessage("bad-leaf-signature")` otherwise."""
    tbs = _tbs(leaf, group_id, leaf_index)
    if not labels.verify_with_label(
        suite, leaf.signature_key, LEAF_NODE_TBS_LABEL, tbs, leaf.signature
    ):
        where = "" if leaf_index is None else f" at leaf {leaf_index}"
        raise InvalidMessage("bad-leaf-signature", f"leaf node signature invalid{where}")


# --- credential compatibility ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CredentialSupport:
    """Counts of the credential types members use and support.

    §7.3 asks that a leaf's credential type be supported by every other member and
    that the leaf support every type in use. With counts, checking one leaf costs
    O(types) instead of O(members), so validating a whole tree stays O(n).
    """

    members: int
    used: Counter[int]
    supported: Counter[int]

    @classmethod
    def of(cls, tree: RatchetTree) -> CredentialSupport:
        """The counts of `tree`'s leaves (kept by the tree, `credential_counts`)."""
        counts = tree.credential_counts()
        return cls(counts.members, counts.used, counts.supported)

    def check(self, leaf: LeafNode, other_than: LeafNode | None) -> None:
        """`leaf` is compatible with every member except `other_than` (the leaf it
        replaces or is), else `InvalidMessage("incompatible-credential")`."""
        # The counts without `other_than`, read off without copying them (a joiner
        # checks every leaf of the tree against the same counts).
        ctype = leaf.credential.credential_type
        members, supporting, other_type = self.members, self.supported[ctype], None
        if other_than is not None:
            members -= 1
            supporting -= ctype in other_than.capabilities.credentials
            other_type = other_than.credential.credential_type
        if supporting != members:
            raise InvalidMessage(
                "incompatible-credential", f"credential type {ctype} unsupported by a member"
            )
        in_use = {t for t, count in self.used.items() if count - (t == other_type) > 0}
        missing = in_use - set(leaf.capabilities.credentials)
        if missing:
            raise InvalidMessage(
                "incompatible-credential", f"credential types in use not supported: {missing}"
            )


# --- one leaf --------------------------------------------------------------------------


def validate_leaf_node(
    tree: RatchetTree,
    leaf: LeafNode,
    *,
    source: LeafNodeSource | None,
    group_id: bytes,
    leaf_index: LeafIndex | None = None,
    required: RequiredCapabilities | None = None,
    now: int | None = None,
    max_lifetime: int | None = None,
    support: CredentialSupport | None = None,
) -> None:
    """Validate `leaf` for the group whose current tree is `tree` (§7.3).

    `source` is where the leaf appeared: key_package (Add, KeyPackage), update (Update
    proposal), commit (UpdatePath), or None for a leaf already in a received tree
    (any source). `leaf_index` is the leaf's position: the sender's for an update or a
    commit, its slot for a tree leaf; None for an Add. The leaf at `leaf_index` is the
    one being replaced: it may share the new leaf's signature key but not its
    encryption key (§7.3, §12.4.2), unless it is this very leaf node.

    `now` (seconds since the Unix epoch) enables the lifetime check for key_package
    leaves, mandatory when sending and recommended when receiving (§7.3);
    `max_lifetime` is the application's bound on not_after - not_before (§7.2).
    `support` may be passed to share one `CredentialSupport.of(tree)` across leaves.
    """
    suite = tree.suite
    if source is not None and leaf.leaf_node_source != source:
        raise InvalidMessage(
            "wrong-leaf-node-source",
            f"expected {source.name.lower()}, got {leaf.leaf_node_source.name.lower()}",
        )
    verify_leaf_signature(suite, leaf, group_id=group_id, leaf_index=leaf_index)
    check_unique(leaf.extensions, "LeafNode")  # RFC 9420 §13.4
    _check_capabilities(leaf, required)
    current = None if leaf_index is None else tree.leaf_node(leaf_index)
    (support or CredentialSupport.of(tree)).check(leaf, current)
    _check_lifetime(leaf, now, max_lifetime)
    _check_unique(tree, leaf, leaf_index, current)


def _check_capabilities(leaf: LeafNode, required: RequiredCapabilities | None) -> None:
    # §7.3 does not ask that a leaf list the group's cipher suite or version (§10.1
    # checks a KeyPackage's own fields instead), and deployed implementations do not
    # always list them, so neither is checked here.
    caps = leaf.capabilities
    if leaf.credential.credential_type not in caps.credentials:
        raise InvalidMessage("unsupported-credential", "own credential type not listed")
    for ext in leaf.extensions:
        t = ext.extension_type
        if t not in DEFAULT_EXTENSION_TYPES and t not in caps.extensions:
            raise InvalidMessage("unsupported-extension", f"extension 0x{t:04x} not listed")
    if required is None:
        return
    missing = required.missing_from(caps)
    if missing:
        raise InvalidMessage(
            "missing-required-capability", ", ".join(f"0x{t:04x}" for t in missing)
        )


def check_supports_group_extensions(leaf: LeafNode, extensions: Iterable[Extension]) -> None:
    """RFC 9420 §13.4: a new member's capabilities list every (non-default) extension
    type of the GroupContext, checked by whoever adds it and by the joiner itself."""
    listed = set(leaf.capabilities.extensions)
    for ext in extensions:
        t = ext.extension_type
        if t not in DEFAULT_EXTENSION_TYPES and t not in listed:
            raise InvalidMessage(
                "unsupported-group-extension", f"group extension 0x{t:04x} not listed"
            )


def _check_lifetime(leaf: LeafNode, now: int | None, max_lifetime: int | None) -> None:
    lifetime = leaf.lifetime
    if lifetime is None:
        return
    if now is not None and not lifetime.not_before <= now <= lifetime.not_after:
        raise InvalidMessage("lifetime-not-valid", f"{now} outside the leaf's lifetime")
    if max_lifetime is not None and lifetime.not_after - lifetime.not_before > max_lifetime:
        raise InvalidMessage("lifetime-too-long", f"longer than {max_lifetime} seconds")


def _check_unique(
    tree: RatchetTree, leaf: LeafNode, leaf_index: LeafIndex | None, current: LeafNode | None
) -> None:
    in_place = current is not None and current == leaf
    own = None if leaf_index is None else leaf_to_node(leaf_index)
    at = tree.find_node_by_encryption_key(leaf.encryption_key)
    if at is not None and not (in_place and at == own):
        raise InvalidMessage("duplicate-encryption-key", f"already at node {at}")
    holder = tree.find_leaf_by_signature_key(leaf.signature_key)
    if holder is not None and holder != leaf_index:
        raise InvalidMessage("duplicate-signature-key", f"already at leaf {holder}")


# --- a whole tree ----------------------------------------------------------------------


def validate_tree(
    tree: RatchetTree,
    *,
    group_id: bytes,
    required: RequiredCapabilities | None = None,
    now: int | None = None,
    max_lifetime: int | None = None,
) -> None:
    """§12.4.3.1 "Verify the integrity of the ratchet tree", except the tree hash
    comparison with the GroupInfo (the caller's): key uniqueness, every leaf as in §7.3,
    unmerged leaves, then parent hashes (a forged leaf thus reports its own signature
    rather than the parent-hash chains it breaks). O(n) after the caches fill."""
    tree.check_unique_keys()
    support = CredentialSupport.of(tree)
    for index, leaf in tree.leaves():
        validate_leaf_node(
            tree,
            leaf,
            source=None,
            group_id=group_id,
            leaf_index=index,
            required=required,
            now=now,
            max_lifetime=max_lifetime,
            support=support,
        )
    tree.check_unmerged_leaves()
    verify_parent_hashes(tree)
