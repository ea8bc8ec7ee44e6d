"""Validating proposals and applying a proposal list (RFC 9420 §12.1, §12.2, §12.3).

Three layers, each used by both the committer and every receiver (§12.2: "A group
member creating a Commit and a group member processing a Commit MUST verify"), so the
two sides cannot disagree:

* `check_proposal` — one proposal on its own (§12.1.x), as soon as it is received;
* `check_proposal_list` — the whole list of a regular (member) Commit (§12.2);
* `apply_proposals` — the list applied to the tree and GroupContext in the §12.3 order,
  followed by the checks that need the result (every new leaf valid, §7.3 key
  uniqueness, required capabilities).

Every failure is `InvalidMessage` with a stable reason; the committer gets the same
reasons (its own caller asked for an invalid list). Application rules that §12.2 allows
("additional rules") are a `ProposalPolicy`, injected and the same on every member.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from .cipher_suite import CipherSuite
from .commit import Commit, ProposalRef
from .errors import InvalidMessage, MLSDecodeError
from .extensions import Extension, check_unique
from .framing import Sender, SenderType
from .group_context import GroupContext
from .key_package import KeyPackage
from .key_package_ops import MAX_TOTAL_LIFETIME_SECONDS, validate_key_package
from .leaf_node import LeafNode, LeafNodeSource
from .leaf_validation import (
    DEFAULT_EXTENSION_TYPES,
    CredentialSupport,
    RequiredCapabilities,
    check_supports_group_extensions,
    validate_leaf_node,
    verify_leaf_signature,
)
from .proposals import (
    Add,
    ExternalInit,
    GroupContextExtensions,
    PreSharedKey,
    Proposal,
    ProposalType,
    ReInit,
    Remove,
    Update,
)
from .psk_id import PreSharedKeyID, PSKType, ResumptionPSKUsage
from .ratchet_tree import RatchetTree
from .tree_math import LeafIndex

#: §12.4: proposal types whose presence requires the Commit to carry an UpdatePath.
PATH_REQUIRED_TYPES = frozenset(
    {
        ProposalType.UPDATE,
        ProposalType.REMOVE,
        ProposalType.EXTERNAL_INIT,
        ProposalType.GROUP_CONTEXT_EXTENSIONS,
    }
)


@dataclass(frozen=True, slots=True)
class ProposalItem:
    """A proposal in a Commit with who sent it (§12.2 needs the sender of Updates) and,
    when it came by reference, the reference."""

    proposal: Proposal
    sender: Sender
    ref: ProposalRef | None = None


class ProposalPolicy(Protocol):
    """Application rules on top of §12.2 (for example who may add); the same on every
    member (STYLE "policy is injected"). Raise `InvalidMessage` to reject."""

    def check(
        self, committer: LeafIndex, items: Sequence[ProposalItem], tree: RatchetTree
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class AllowAll:
    """The default policy: only the RFC's rules."""

    def check(self, committer: LeafIndex, items: Sequence[ProposalItem], tree: RatchetTree) -> None:
        return None


# --- the group's extensions (§11.1, §12.1.7) --------------------------------------------


def required_capabilities(extensions: Sequence[Extension]) -> RequiredCapabilities | None:
    """The required_capabilities extension of a context, decoded; a malformed one makes
    the message that carries it invalid."""
    try:
        return RequiredCapabilities.from_extensions(extensions)
    except MLSDecodeError as exc:
        raise InvalidMessage("malformed-extension", str(exc)) from None


def check_group_context_extensions(
    extensions: Sequence[Extension], members: Sequence[LeafNode]
) -> None:
    """§12.1.7/§11.1: every member supports the required capabilities and every
    non-default extension type the new context carries."""
    try:
        check_unique(tuple(extensions))
    except InvalidMessage:
        raise InvalidMessage(
            "duplicate-extension", "GroupContextExtensions repeats a type"
        ) from None
    required = required_capabilities(extensions)
    for leaf in members:
        caps = leaf.capabilities
        if required is not None and required.missing_from(caps):
            raise InvalidMessage(
                "missing-required-capability", "a member lacks a required capability"
            )
        for ext in extensions:
            t = ext.extension_type
            if t not in DEFAULT_EXTENSION_TYPES and t not in caps.extensions:
                raise InvalidMessage("unsupported-extension", f"a member lacks extension 0x{t:04x}")


# --- single proposals (§12.1) ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupView:
    """What proposal checks need to know of the group: its context and tree, and the
    time (None in vectors and tests that replay fixed data)."""

    suite: CipherSuite
    context: GroupContext
    tree: RatchetTree
    now: int | None = None
    max_total_lifetime: int = MAX_TOTAL_LIFETIME_SECONDS


def check_proposal(view: GroupView, proposal: Proposal, sender: Sender) -> None:
    """§12.1: one proposal is valid on its own (the list checks come later, §12.2)."""
    suite, ctx, tree = view.suite, view.context, view.tree
    if sender.sender_type == SenderType.MEMBER:
        assert sender.index is not None
        if not tree.contains_leaf(LeafIndex(sender.index)) or (
            tree.leaf_node(LeafIndex(sender.index)) is None
        ):
            raise InvalidMessage("unknown-sender", "proposal from a blank or absent leaf")
    if isinstance(proposal, Add):
        kp = proposal.key_package
        validate_key_package(
            kp, suite_id=ctx.cipher_suite, now=view.now, max_total_lifetime=view.max_total_lifetime
        )
        if kp.version != ctx.version:
            raise InvalidMessage("bad-version", "KeyPackage version differs from the group's")
    elif isinstance(proposal, Update):
        if sender.sender_type != SenderType.MEMBER:
            raise InvalidMessage("bad-sender", "only a member can send an Update")
        assert sender.index is not None
        _check_update_leaf(view, proposal.leaf_node, LeafIndex(sender.index))
    elif isinstance(proposal, Remove):
        leaf = LeafIndex(proposal.removed)
        if not tree.contains_leaf(leaf) or tree.leaf_node(leaf) is None:
            raise InvalidMessage("invalid-remove", f"leaf {proposal.removed} is not a member")
    elif isinstance(proposal, PreSharedKey):
        check_psk_id(suite, proposal.psk)
    elif isinstance(proposal, ReInit):
        if proposal.version < ctx.version:
            raise InvalidMessage("invalid-reinit", "ReInit lowers the protocol version")
    elif isinstance(proposal, ExternalInit):
        if sender.sender_type != SenderType.NEW_MEMBER_COMMIT:
            raise InvalidMessage("invalid-proposal", "ExternalInit outside an external commit")
    elif isinstance(proposal, GroupContextExtensions):
        try:
            check_unique(proposal.extensions)
        except InvalidMessage:
            raise InvalidMessage("duplicate-extension", "GroupContextExtensions") from None
        required_capabilities(proposal.extensions)
    if sender.sender_type in (SenderType.EXTERNAL, SenderType.NEW_MEMBER_PROPOSAL) and (
        proposal.proposal_type
        not in (
            ProposalType.ADD,
            ProposalType.REMOVE,
            ProposalType.PSK,
            ProposalType.REINIT,
            ProposalType.GROUP_CONTEXT_EXTENSIONS,
        )
    ):
        raise InvalidMessage("bad-sender", "an external sender cannot send this proposal")


def check_psk_id(suite: CipherSuite, psk: PreSharedKeyID) -> None:
    """§12.1.4: a fresh Nh-byte nonce; no reinit/branch PSK outside those procedures."""
    if len(psk.psk_nonce) != suite.nh:
        raise InvalidMessage("invalid-psk", "psk_nonce is not Nh bytes")
    if psk.psk_type == PSKType.RESUMPTION and psk.usage in (
        ResumptionPSKUsage.REINIT,
        ResumptionPSKUsage.BRANCH,
    ):
        raise InvalidMessage("invalid-psk", "reinit/branch PSKs only in reinit or branching")


def _check_update_leaf(view: GroupView, leaf: LeafNode, index: LeafIndex) -> None:
    """§12.1.2 and §7.3 for an Update's LeafNode."""
    if leaf.leaf_node_source != LeafNodeSource.UPDATE:
        raise InvalidMessage("bad-leaf-source", "an Update's leaf must have source update")
    current = view.tree.leaf_node(index)
    if current is None:
        raise InvalidMessage("unknown-sender", "Update from a blank leaf")
    if leaf.encryption_key == current.encryption_key:
        raise InvalidMessage("stale-encryption-key", "an Update must change the encryption key")
    verify_leaf_signature(view.suite, leaf, group_id=view.context.group_id, leaf_index=index)


# --- the whole list (§12.2) ------------------------------------------------------------


def check_proposal_list(
    view: GroupView,
    items: Sequence[ProposalItem],
    committer: LeafIndex,
    *,
    policy: ProposalPolicy | None = None,
) -> None:
    """§12.2 for a regular Commit from member `committer`; `InvalidMessage` if invalid.

    Each proposal is checked on its own first (§12.1), then the list rules.
    """
    for item in items:
        check_proposal(view, item.proposal, item.sender)
    touched: set[int] = set()
    add_keys: set[bytes] = set()
    psk_ids: set[bytes] = set()
    removed: set[int] = set()
    n_gce = 0
    has_reinit = False
    for item in items:
        p = item.proposal
        if isinstance(p, Update):
            if item.sender.sender_type != SenderType.MEMBER or item.sender.index is None:
                raise InvalidMessage("bad-sender", "Update from a non-member")
            if item.sender.index == committer:
                raise InvalidMessage("own-update", "a committer cannot commit its own Update")
            if item.sender.index in touched:
                raise InvalidMessage("conflicting-proposals", "two Updates/Removes for one leaf")
            touched.add(item.sender.index)
        elif isinstance(p, Remove):
            if p.removed == committer:
                raise InvalidMessage("removes-committer", "a Commit cannot remove its committer")
            if p.removed in touched:
                raise InvalidMessage("conflicting-proposals", "two Updates/Removes for one leaf")
            touched.add(p.removed)
            removed.add(p.removed)
        elif isinstance(p, Add):
            key = p.key_package.leaf_node.signature_key
            if key in add_keys:
                raise InvalidMessage("duplicate-add", "two Adds for the same client")
            add_keys.add(key)
        elif isinstance(p, PreSharedKey):
            encoded = p.psk.to_bytes()
            if encoded in psk_ids:
                raise InvalidMessage("duplicate-psk", "two PreSharedKey proposals for one PSK")
            psk_ids.add(encoded)
        elif isinstance(p, GroupContextExtensions):
            n_gce += 1
            if n_gce > 1:
                raise InvalidMessage("duplicate-gce", "more than one GroupContextExtensions")
        elif isinstance(p, ReInit):
            has_reinit = True
        elif isinstance(p, ExternalInit):
            raise InvalidMessage("invalid-proposal", "ExternalInit in a member Commit")
    if has_reinit and len(items) > 1:
        raise InvalidMessage("reinit-not-alone", "ReInit must be the only proposal")
    # An Add for a client already in the group, unless that client is removed here.
    for item in items:
        if isinstance(item.proposal, Add):
            existing = view.tree.find_leaf_by_signature_key(
                item.proposal.key_package.leaf_node.signature_key
            )
            if existing is not None and existing not in removed:
                raise InvalidMessage("duplicate-add", "the added client is already a member")
    if policy is not None:
        policy.check(committer, items, view.tree)


def external_commit_items(commit: Commit) -> list[ProposalItem]:
    """The proposals of an external Commit, all by value (§12.4.3.2: "MUST NOT include
    any proposals by reference"), each sent by the new member."""
    items: list[ProposalItem] = []
    for p in commit.proposals:
        if isinstance(p, ProposalRef):
            raise InvalidMessage(
                "invalid-external-commit", "an external Commit references a proposal"
            )
        items.append(ProposalItem(p, Sender.new_member_commit()))
    return items


def check_external_commit_list(view: GroupView, items: Sequence[ProposalItem]) -> None:
    """§12.2 for an external Commit: exactly one ExternalInit, at most one Remove (the
    joiner's old self, a "resync"), any PreSharedKeys (each once), nothing else."""
    for item in items:
        check_proposal(view, item.proposal, item.sender)
    inits = removes = 0
    psk_ids: set[bytes] = set()
    for item in items:
        p = item.proposal
        if isinstance(p, ExternalInit):
            inits += 1
        elif isinstance(p, Remove):
            removes += 1
        elif isinstance(p, PreSharedKey):
            encoded = p.psk.to_bytes()
            if encoded in psk_ids:
                raise InvalidMessage("duplicate-psk", "two PreSharedKey proposals for one PSK")
            psk_ids.add(encoded)
        else:
            raise InvalidMessage(
                "invalid-external-commit",
                f"{p.proposal_type.name} is not allowed in an external Commit",
            )
    if inits != 1:
        raise InvalidMessage("invalid-external-commit", "not exactly one ExternalInit")
    if removes > 1:
        raise InvalidMessage("invalid-external-commit", "more than one Remove")


def check_external_joiner_leaf(applied: AppliedProposals, leaf: LeafNode) -> None:
    """The joiner's leaf in an external Commit, after its proposals are applied: it
    supports every GroupContext extension (§13.4: it is a new member), and in a
    "resync" it meets the criteria of an Update of the removed leaf (§12.2): a new
    encryption key and the same credential (hasteh's identity is the credential)."""
    check_supports_group_extensions(leaf, applied.extensions)
    for old in applied.removed_leaves:
        if leaf.encryption_key == old.encryption_key:
            raise InvalidMessage("stale-encryption-key", "the resync leaf reuses the old key")
        if leaf.credential != old.credential:
            raise InvalidMessage("resync-mismatch", "a resync must keep the removed credential")


def path_required(items: Sequence[ProposalItem]) -> bool:
    """§12.4: an empty Commit, or one with a path-required type, must carry a path."""
    return not items or any(i.proposal.proposal_type in PATH_REQUIRED_TYPES for i in items)


# --- applying the list (§12.3) ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AppliedProposals:
    """The new tree and extensions after §12.3, and what later steps need."""

    tree: RatchetTree
    extensions: tuple[Extension, ...]
    added: tuple[tuple[LeafIndex, KeyPackage], ...] = ()
    removed: tuple[LeafIndex, ...] = ()
    updated: tuple[LeafIndex, ...] = ()
    psks: tuple[PreSharedKeyID, ...] = ()
    reinit: ReInit | None = None
    extensions_changed: bool = False
    removed_leaves: tuple[LeafNode, ...] = field(default=(), repr=False)


def apply_proposals(view: GroupView, items: Sequence[ProposalItem]) -> AppliedProposals:
    """Apply a validated list in the §12.3 order and check the result (§12.2 last rule).

    GroupContextExtensions first (its extensions govern the checks of the Adds), then
    Updates, Removes, Adds in list order, then PSKs in list order.
    """
    tree = view.tree
    extensions = view.context.extensions
    changed = False
    for item in items:
        if isinstance(item.proposal, GroupContextExtensions):
            extensions = item.proposal.extensions
            changed = True
    updated: list[LeafIndex] = []
    for item in items:
        if isinstance(item.proposal, Update):
            assert item.sender.index is not None
            index = LeafIndex(item.sender.index)
            tree = tree.update_leaf(index, item.proposal.leaf_node)
            updated.append(index)
    removed: list[LeafIndex] = []
    removed_leaves: list[LeafNode] = []
    for item in items:
        if isinstance(item.proposal, Remove):
            index = LeafIndex(item.proposal.removed)
            old = tree.leaf_node(index) if tree.contains_leaf(index) else None
            if old is None:
                raise InvalidMessage("invalid-remove", f"leaf {index} is not a member")
            removed_leaves.append(old)
            tree = tree.remove_leaf(index)
            removed.append(index)
    added: list[tuple[LeafIndex, KeyPackage]] = []
    for item in items:
        if isinstance(item.proposal, Add):
            kp = item.proposal.key_package
            tree, index = tree.add_leaf(kp.leaf_node)
            added.append((index, kp))
    psks = tuple(i.proposal.psk for i in items if isinstance(i.proposal, PreSharedKey))
    reinit = next((i.proposal for i in items if isinstance(i.proposal, ReInit)), None)

    # Checks on the result (§12.2 last rule): the new and updated leaves against the
    # (possibly new) context and the final tree, the new context against every member,
    # and key uniqueness across the whole tree (§7.3).
    required = required_capabilities(extensions)
    # O(n) work only when leaves changed: Removes alone cannot break §7.3 (an empty
    # self-update commit at 1024 members would otherwise pay for it every time).
    support = CredentialSupport.of(tree) if added or updated else None
    group_id = view.context.group_id
    for index, kp in added:
        # RFC 9420 §13.4: the new member supports every extension of the GroupContext.
        check_supports_group_extensions(kp.leaf_node, extensions)
        validate_leaf_node(
            tree,
            kp.leaf_node,
            source=LeafNodeSource.KEY_PACKAGE,
            group_id=group_id,
            leaf_index=index,
            required=required,
            now=view.now,
            max_lifetime=None if view.now is None else view.max_total_lifetime,
            support=support,
        )
    for index in updated:
        leaf = tree.leaf_node(index)
        assert leaf is not None
        validate_leaf_node(
            tree,
            leaf,
            source=LeafNodeSource.UPDATE,
            group_id=group_id,
            leaf_index=index,
            required=required,
            support=support,
        )
    if changed:
        check_group_context_extensions(extensions, [leaf for _, leaf in tree.leaves()])
    if added or updated:
        tree.check_unique_keys()
    return AppliedProposals(
        tree=tree,
        extensions=tuple(extensions),
        added=tuple(added),
        removed=tuple(removed),
        updated=tuple(updated),
        psks=psks,
        reinit=reinit,
        extensions_changed=changed,
        removed_leaves=tuple(removed_leaves),
    )
