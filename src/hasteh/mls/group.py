"""A member's view of an MLS group, one immutable value per epoch (RFC 9420 §8, §11, §12, §14).

    state = create_group(suite_id, group_id, kp_secrets, rng=rng)
    out = state.commit([Add(kp)], rng=rng)             # stages; `state` is unchanged (§14)
    state = state.merge_pending(out.pending)            # after the relay accepts the commit
    joined = join_by_external_commit(group_info, kp_secrets, rng=rng)  # §12.4.3.2
    state = joined.new_state                            # once the DS accepted joined.commit
    match state.process(wire, now=ts):                  # someone else's message
        case ApplicationData(sender=s, data=d): ...
        case ProposalReceived(new_state=st): state = st
        case CommitApplied(new_state=st, removed_self=False): state = st

Why it looks like this:

* **Immutable epochs.** `GroupState` is frozen. Processing returns a new value and a
  failure raises, leaving the caller's value as it was (STYLE: "a failure leaves the old
  state"). Creating a commit changes nothing (§14: "The generation of Commit messages
  MUST NOT modify a client's state"); the successor state rides in `PendingCommit`
  until `merge_pending` (RFC 9750 §5.2: the DS orders commits, the loser discards).
* **One mutable part, on purpose.** The epoch's secret tree (§9) is shared by every
  value of the same epoch. §9.2 deletion must hold whichever value a caller keeps: a
  copy would keep a deleted key alive. So `protect` and application `process` return
  no new state, and a key, once used, is gone from all of them.
* **Little history.** At most one previous epoch is retained, and only what late
  application messages of that epoch need (its secret tree, sender-data secret and
  signature keys), until the next epoch change or `forget_previous_epoch` (§14: "MUST
  minimize the amount of time that forked or previous group states are kept").
  Epoch secrets the state no longer needs (joiner, welcome, commit, psk and encryption
  secrets, confirmation key) are not stored at all (§9.2).
* **Errors by fault.** A bad message raises `InvalidMessage(reason)`; asking for the
  impossible (committing while removed, protecting with proposals pending) raises
  `UsageError`.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from . import hpke, treekem
from .cipher_suite import CipherSuite, Rng, get_suite
from .codec import Reader, Writer, decode_all
from .commit import Commit, HPKECiphertext, ProposalOrRef, ProposalRef, UpdatePath
from .credential import Credential
from .errors import InternalError, InvalidMessage, MLSDecodeError, UsageError
from .extensions import EXTERNAL_PUB, RATCHET_TREE, Extension, check_unique
from .external_senders import external_senders
from .framing import (
    AuthenticatedContent,
    ContentType,
    FramedContent,
    FramedContentAuthData,
    MLSMessage,
    PrivateMessage,
    PublicMessage,
    Sender,
    SenderType,
    WireFormat,
)
from .group_context import GroupContext
from .key_package import KeyPackage
from .key_package_ops import KeyPackageSecrets
from .key_schedule import (
    EpochSecrets,
    derive_epoch_secrets,
    epoch_secrets_from_joiner,
    exporter,
    external_init_secret_for_joiner,
    external_init_secret_for_members,
    external_pub,
    secrets_from_epoch_secret,
    welcome_key_nonce,
    welcome_secret,
    zero_secret,
)
from .labels import (
    decrypt_with_label,
    encrypt_with_label,
    sign_with_label,
    verify_with_label,
)
from .leaf_node import LeafNode, LeafNodeSource
from .leaf_validation import check_supports_group_extensions, sign_leaf_node, validate_tree
from .message_protection import (
    authenticate,
    seal_private,
    seal_public,
    sign_content,
    unprotect_private,
    unprotect_public,
)
from .proposal_store import CachedProposal, ProposalStore
from .proposal_validation import (
    AppliedProposals,
    GroupView,
    ProposalItem,
    ProposalPolicy,
    apply_proposals,
    check_external_commit_list,
    check_external_joiner_leaf,
    check_proposal,
    check_proposal_list,
    external_commit_items,
    path_required,
    required_capabilities,
)
from .proposals import Add, ExternalInit, PreSharedKey, Proposal, Remove, Update
from .psk import PskInput, psk_secret
from .psk_id import PreSharedKeyID, PSKType, ResumptionPSKUsage
from .psk_store import PskStore
from .ratchet_tree import RatchetTree
from .secret_tree import SecretTree
from .transcript_hash import (
    confirmation_tag,
    next_confirmed_transcript_hash,
    next_interim_transcript_hash,
    verify_confirmation_tag,
)
from .tree_hash import tree_hash
from .tree_math import LeafIndex, NodeIndex, common_ancestor, leaf_to_node
from .welcome import (
    GROUP_INFO_TBS_LABEL,
    EncryptedGroupSecrets,
    GroupInfo,
    GroupSecrets,
    KeyPackageRef,
    PathSecret,
    Welcome,
)

__all__ = [
    "ApplicationData",
    "CommitApplied",
    "CommitOutput",
    "ExternalJoin",
    "GroupConfig",
    "GroupState",
    "PendingCommit",
    "ProcessResult",
    "ProposalReceived",
    "create_group",
    "join_by_external_commit",
    "join_from_welcome",
]

#: `ProposalRef` label and the "Welcome" / "UpdatePathNode" HPKE labels (§5.1.3, §17.7).
_WELCOME_LABEL = "Welcome"
_UPDATE_PATH_LABEL = "UpdatePathNode"
#: Epochs are uint64 (§6, §8.1): a group at the last one can never commit again.
_MAX_EPOCH = (1 << 64) - 1
#: Serialization version of `GroupState.to_bytes`.
_STATE_FORMAT = 2
#: Format 1 lacked ratchet floors and pending signature keys; it is still read.
_STATE_FORMATS = (1, 2)


# --- configuration and results ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupConfig:
    """Per-member choices that do not change the protocol's outcome.

    `encrypt_handshake` sends proposals and commits as PrivateMessages (§6.3) rather than
    PublicMessages; `padding_block` pads private plaintexts to a multiple of that many
    bytes (§15.1); `keep_previous_epoch` keeps the last epoch's message keys for late
    application messages (§15.3); `policy` adds application rules to §12.2 and must be
    the same on every member.
    """

    encrypt_handshake: bool = False
    padding_block: int = 0
    keep_previous_epoch: bool = True
    policy: ProposalPolicy | None = None
    max_skipped: int = 1000


@dataclass(frozen=True, slots=True)
class ApplicationData:
    """An application message (§15) from leaf `sender` in `epoch`."""

    sender: LeafIndex
    data: bytes
    authenticated_data: bytes
    epoch: int


@dataclass(frozen=True, slots=True)
class ProposalReceived:
    """A valid proposal, now cached in `new_state` for a later Commit (§12.1)."""

    new_state: GroupState
    proposal: Proposal
    sender: Sender
    ref: ProposalRef


@dataclass(frozen=True, slots=True)
class CommitApplied:
    """A valid Commit. `new_state` is the next epoch, or None when it removed us
    (`removed_self`): a removed member cannot derive the new epoch (§12.4.2)."""

    new_state: GroupState | None
    removed_self: bool
    committer: LeafIndex
    epoch: int


#: What `GroupState.process` returns (STYLE: tagged results, not callbacks).
ProcessResult = ApplicationData | ProposalReceived | CommitApplied


@dataclass(frozen=True, slots=True)
class PendingCommit:
    """A staged Commit: the epoch it was built on, and the state it leads to (§14)."""

    base_epoch: int
    base_confirmed_transcript_hash: bytes
    new_state: GroupState = field(repr=False)
    commit: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class CommitOutput:
    """What `commit` produces. Send `commit` to the group; deliver `welcome` to the new
    members only once the commit is accepted (§14). `group_info` and `ratchet_tree`
    describe the new epoch (for external joiners, or for an out-of-band tree); they are
    built on demand, since encoding a large tree costs more than the commit itself."""

    commit: bytes
    welcome: bytes | None
    pending: PendingCommit = field(repr=False)
    inline_tree: bool = True

    @property
    def group_info(self) -> bytes:
        """The new epoch's signed GroupInfo (§12.4.3), as an MLSMessage."""
        return self.pending.new_state.group_info(external_tree=not self.inline_tree)

    @property
    def ratchet_tree(self) -> bytes:
        """The new epoch's `ratchet_tree` extension payload (§12.4.3.3)."""
        return self.pending.new_state.ratchet_tree()


# --- epoch material ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _EpochKeys:
    """The epoch secrets a member still needs after deriving the epoch (§8, §9.2)."""

    init_secret: bytes = field(repr=False)
    sender_data_secret: bytes = field(repr=False)
    exporter_secret: bytes = field(repr=False)
    external_secret: bytes = field(repr=False)
    membership_key: bytes = field(repr=False)
    resumption_psk: bytes = field(repr=False)
    epoch_authenticator: bytes = field(repr=False)

    @classmethod
    def of(cls, s: EpochSecrets) -> _EpochKeys:
        return cls(
            s.init_secret,
            s.sender_data_secret,
            s.exporter_secret,
            s.external_secret,
            s.membership_key,
            s.resumption_psk,
            s.epoch_authenticator,
        )

    def encode(self, w: Writer) -> None:
        for v in (
            self.init_secret,
            self.sender_data_secret,
            self.exporter_secret,
            self.external_secret,
            self.membership_key,
            self.resumption_psk,
            self.epoch_authenticator,
        ):
            w.opaque(v)

    @classmethod
    def decode(cls, r: Reader) -> _EpochKeys:
        return cls(*(r.opaque() for _ in range(7)))


@dataclass(frozen=True, slots=True)
class _PreviousEpoch:
    """What late application messages of the last epoch need (§15.3), nothing more."""

    context: GroupContext
    tree: RatchetTree = field(repr=False)
    sender_data_secret: bytes = field(repr=False)
    secret_tree: SecretTree = field(repr=False, compare=False)


# --- the state ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class GroupState:
    """One member's state of one epoch of one group. Immutable but for the secret tree
    (see the module docstring). Build it with `create_group` or `join_from_welcome`."""

    suite: CipherSuite
    context: GroupContext
    tree: RatchetTree = field(repr=False)
    own_leaf: LeafIndex
    signature_private: bytes = field(repr=False)
    #: HPKE private keys we hold, by public key: our leaf's and our direct path's (§4.2).
    private_keys: Mapping[bytes, bytes] = field(repr=False)
    keys: _EpochKeys = field(repr=False)
    interim_transcript_hash: bytes = field(repr=False)
    confirmation_tag: bytes = field(repr=False)
    secret_tree: SecretTree = field(repr=False)
    proposals: ProposalStore = field(default_factory=ProposalStore, repr=False)
    psk_store: PskStore = field(default_factory=PskStore, repr=False)
    #: Private keys of leaves we proposed in our own Updates this epoch, by public key.
    pending_update_keys: Mapping[bytes, bytes] = field(
        default_factory=lambda: MappingProxyType({}), repr=False
    )
    #: Signature private keys of our own Updates with a new signature key, by public key:
    #: the one whose leaf gets committed becomes ours (§12.1.2).
    pending_signature_keys: Mapping[bytes, bytes] = field(
        default_factory=lambda: MappingProxyType({}), repr=False
    )
    previous: _PreviousEpoch | None = field(default=None, repr=False)
    config: GroupConfig = field(default_factory=GroupConfig, repr=False)

    # --- what the group is ----------------------------------------------------------------

    @property
    def group_id(self) -> bytes:
        return self.context.group_id

    @property
    def epoch(self) -> int:
        return self.context.epoch

    @property
    def epoch_authenticator(self) -> bytes:
        """§8.7: equal on every member of the epoch unless someone is impersonated."""
        return self.keys.epoch_authenticator

    @property
    def tree_hash(self) -> bytes:
        return self.context.tree_hash

    @property
    def own_leaf_node(self) -> LeafNode:
        leaf = self.tree.leaf_node(self.own_leaf)
        if leaf is None:
            raise InternalError("our own leaf is blank")
        return leaf

    def members(self) -> list[tuple[LeafIndex, LeafNode]]:
        """The current members, by leaf index."""
        return list(self.tree.leaves())

    def leaf_of_identity(self, identity: bytes) -> LeafIndex | None:
        """The leaf whose BasicCredential identity is `identity`, if any."""
        for index, leaf in self.tree.leaves():
            if getattr(leaf.credential, "identity", None) == identity:
                return index
        return None

    def export(self, label: bytes | str, context: bytes, length: int) -> bytes:
        """MLS-Exporter(label, context, length) of this epoch (§8.5)."""
        return exporter(self.suite, self.keys.exporter_secret, label, context, length)

    def forget_previous_epoch(self) -> GroupState:
        """This state without the previous epoch's message keys (§14, §15.3)."""
        return replace(self, previous=None)

    def with_psk(self, psk_id: bytes, psk: bytes) -> GroupState:
        """This state knowing the external PSK `psk_id` (§8.4)."""
        return replace(self, psk_store=self.psk_store.with_external(psk_id, psk))

    # --- proposals ------------------------------------------------------------------------

    def _sender(self) -> Sender:
        return Sender.member(self.own_leaf)

    def _wire_format(self) -> WireFormat:
        if self.config.encrypt_handshake:
            return WireFormat.PRIVATE_MESSAGE
        return WireFormat.PUBLIC_MESSAGE

    def _send_proposal(
        self,
        proposal: Proposal,
        rng: Rng,
        authenticated_data: bytes,
        *,
        own_key: bytes | None,
        own_signature_key: bytes | None = None,
    ) -> tuple[GroupState, bytes]:
        check_proposal(self._view(None), proposal, self._sender())
        content = FramedContent(
            self.group_id, self.epoch, self._sender(), authenticated_data, proposal
        )
        auth = authenticate(
            self.suite,
            self._wire_format(),
            content,
            context=self.context,
            signing_key=self.signature_private,
        )
        wire = self._seal(auth, rng)
        ref = ProposalRef.of(self.suite, auth.to_bytes())
        store = self.proposals.add(CachedProposal(ref, proposal, self._sender(), own=True))
        pending = self.pending_update_keys
        signatures = self.pending_signature_keys
        if own_key is not None and isinstance(proposal, Update):
            pending = MappingProxyType({**pending, proposal.leaf_node.encryption_key: own_key})
            if own_signature_key is not None:
                key = proposal.leaf_node.signature_key
                signatures = MappingProxyType({**signatures, key: own_signature_key})
        return (
            replace(
                self,
                proposals=store,
                pending_update_keys=pending,
                pending_signature_keys=signatures,
            ),
            wire,
        )

    def propose_add(
        self, key_package: KeyPackage, *, rng: Rng, authenticated_data: bytes = b""
    ) -> tuple[GroupState, bytes]:
        """An Add proposal message (§12.1.1) and this state remembering it (§12.1)."""
        return self._send_proposal(Add(key_package), rng, authenticated_data, own_key=None)

    def propose_remove(
        self, leaf: LeafIndex, *, rng: Rng, authenticated_data: bytes = b""
    ) -> tuple[GroupState, bytes]:
        """A Remove proposal message for the member at `leaf` (§12.1.3)."""
        return self._send_proposal(Remove(leaf), rng, authenticated_data, own_key=None)

    def propose_update(
        self,
        *,
        rng: Rng,
        authenticated_data: bytes = b"",
        signature_private: bytes | None = None,
        credential: Credential | None = None,
    ) -> tuple[GroupState, bytes]:
        """An Update proposal (§12.1.2) with a fresh leaf encryption key, and a new
        signature key when `signature_private` is given (the credential stays unless
        `credential` is given).

        Another member must commit it (§12.2 forbids committing one's own Update); when
        they do, the new keys' private halves, kept in this state, become ours. The new
        leaf is signed with its own (new) key (§7.2); the proposal message with the
        current one, which the group knows (§6.1).
        """
        enc_private, enc_public = hpke.generate_key_pair(self.suite.kem, rng)
        old = self.own_leaf_node
        signing_key = self.signature_private
        signature_key = old.signature_key
        if signature_private is not None:
            signing_key = signature_private
            signature_key = self.suite.signature_public_key(signature_private)
        leaf = LeafNode(
            encryption_key=enc_public,
            signature_key=signature_key,
            credential=credential or old.credential,
            capabilities=old.capabilities,
            leaf_node_source=LeafNodeSource.UPDATE,
            extensions=old.extensions,
            signature=b"",
        )
        leaf = sign_leaf_node(
            self.suite, signing_key, leaf, group_id=self.group_id, leaf_index=self.own_leaf
        )
        return self._send_proposal(
            Update(leaf),
            rng,
            authenticated_data,
            own_key=enc_private,
            own_signature_key=signature_private,
        )

    # --- protecting and receiving messages ----------------------------------------------

    def _seal(self, auth: AuthenticatedContent, rng: Rng) -> bytes:
        body: PublicMessage | PrivateMessage
        if auth.wire_format == WireFormat.PUBLIC_MESSAGE:
            body = seal_public(
                self.suite, auth, context=self.context, membership_key=self.keys.membership_key
            )
        else:
            body = seal_private(
                self.suite,
                auth,
                sender_data_secret=self.keys.sender_data_secret,
                secret_tree=self.secret_tree,
                rng=rng,
                padding_block=self.config.padding_block,
            )
        return MLSMessage(body).to_bytes()

    def protect(self, plaintext: bytes, aad: bytes = b"", *, rng: Rng) -> bytes:
        """An application message (§15) as a PrivateMessage.

        §12.4: a member that has seen valid proposals in this epoch MUST commit before
        sending application data, so this raises `UsageError("commit-required")` then.
        The sending ratchet advances in place; the key used is deleted (§9.2).
        """
        if len(self.proposals):
            raise UsageError(
                "commit-required: proposals are pending in this epoch (§12.4)",
                reason="commit-required",
            )
        content = FramedContent(self.group_id, self.epoch, self._sender(), aad, bytes(plaintext))
        auth = authenticate(
            self.suite,
            WireFormat.PRIVATE_MESSAGE,
            content,
            context=self.context,
            signing_key=self.signature_private,
        )
        return self._seal(auth, rng)

    def unprotect(self, message: bytes) -> ApplicationData:
        """The application data in `message`, or `InvalidMessage` for anything else."""
        result = self.process(message)
        if not isinstance(result, ApplicationData):
            raise InvalidMessage("not-application", "the message is not application data")
        return result

    def process(self, message: bytes, now: int | None = None) -> ProcessResult:
        """Check and act on a group message (§6, §12.1, §12.4.2).

        `now` (seconds since the Unix epoch) enables lifetime checks of new leaves.
        Raises `InvalidMessage` (or `MLSDecodeError`) and leaves this state as it was,
        but for one thing: the ratchet keys derived to reach a PrivateMessage's
        generation stay derived (unused, still available once; see `secret_tree`), so
        the same garbage again costs nothing.
        """
        try:
            msg = MLSMessage.from_bytes(message)
        except MLSDecodeError as exc:
            raise InvalidMessage("malformed-message", str(exc)) from None
        body = msg.body
        if isinstance(body, PublicMessage):
            group_id, epoch = body.content.group_id, body.content.epoch
        elif isinstance(body, PrivateMessage):
            group_id, epoch = body.group_id, body.epoch
        else:
            raise InvalidMessage(
                "unexpected-wire-format", f"{msg.wire_format.name} is not for process"
            )
        if not hmac.compare_digest(group_id, self.group_id):
            raise InvalidMessage("wrong-group", "the message is for another group")
        if epoch != self.epoch:
            prev = self.previous
            if (
                prev is not None
                and epoch == prev.context.epoch
                and isinstance(body, PrivateMessage)
                and body.content_type == ContentType.APPLICATION
            ):
                return self._application_from_previous(body, prev)
            raise InvalidMessage("wrong-epoch", f"message epoch {epoch}, ours {self.epoch}")
        auth = self._unprotect(body)
        content = auth.content
        if content.content_type == ContentType.APPLICATION:
            assert content.sender.index is not None and isinstance(content.content, bytes)
            return ApplicationData(
                LeafIndex(content.sender.index),
                content.content,
                content.authenticated_data,
                self.epoch,
            )
        if content.content_type == ContentType.PROPOSAL:
            return self._receive_proposal(auth, now)
        return self._receive_commit(auth, now)

    def _verification_key(self, content: FramedContent) -> bytes:
        return _sender_signature_key(self.tree, self.context.extensions, content)

    def _unprotect(self, body: PublicMessage | PrivateMessage) -> AuthenticatedContent:
        if isinstance(body, PublicMessage):
            return unprotect_public(
                self.suite,
                body,
                context=self.context,
                membership_key=self.keys.membership_key,
                verification_key=self._verification_key,
            )
        return unprotect_private(
            self.suite,
            body,
            context=self.context,
            sender_data_secret=self.keys.sender_data_secret,
            secret_tree=self.secret_tree,
            verification_key=self._verification_key,
        )

    def _application_from_previous(
        self, body: PrivateMessage, prev: _PreviousEpoch
    ) -> ApplicationData:
        auth = unprotect_private(
            self.suite,
            body,
            context=prev.context,
            sender_data_secret=prev.sender_data_secret,
            secret_tree=prev.secret_tree,
            verification_key=lambda c: _member_signature_key(prev.tree, c),
        )
        content = auth.content
        assert content.sender.index is not None and isinstance(content.content, bytes)
        return ApplicationData(
            LeafIndex(content.sender.index),
            content.content,
            content.authenticated_data,
            prev.context.epoch,
        )

    def _receive_proposal(self, auth: AuthenticatedContent, now: int | None) -> ProposalReceived:
        content = auth.content
        proposal = content.content
        assert not isinstance(proposal, bytes | Commit)
        if content.sender == self._sender():
            raise UsageError("own-message: this member sent the proposal; it is already stored")
        check_proposal(self._view(now), proposal, content.sender)
        ref = ProposalRef.of(self.suite, auth.to_bytes())
        store = self.proposals.add(CachedProposal(ref, proposal, content.sender))
        return ProposalReceived(replace(self, proposals=store), proposal, content.sender, ref)

    def _view(self, now: int | None) -> GroupView:
        return GroupView(self.suite, self.context, self.tree, now)

    def _resolve(self, items: Sequence[ProposalOrRef], committer: LeafIndex) -> list[ProposalItem]:
        out: list[ProposalItem] = []
        for item in items:
            if isinstance(item, ProposalRef):
                cached = self.proposals.get(item)
                if cached is None:
                    raise InvalidMessage(
                        "unknown-proposal", "the Commit references a proposal we lack"
                    )
                out.append(ProposalItem(cached.proposal, cached.sender, item))
            else:
                out.append(ProposalItem(item, Sender.member(committer)))
        return out

    def _receive_commit(self, auth: AuthenticatedContent, now: int | None) -> CommitApplied:
        content = auth.content
        commit = content.content
        assert isinstance(commit, Commit)
        if self.epoch >= _MAX_EPOCH:
            raise InvalidMessage("epoch-exhausted", "the group's epoch cannot advance (uint64)")
        if content.sender.sender_type == SenderType.NEW_MEMBER_COMMIT:
            return self._receive_external_commit(auth, commit, now)
        if content.sender.sender_type != SenderType.MEMBER or content.sender.index is None:
            raise InvalidMessage("bad-sender", "only members and new members commit")
        committer = LeafIndex(content.sender.index)
        if committer == self.own_leaf:
            raise UsageError("own-commit: merge our own commit with merge_pending")
        items = self._resolve(commit.proposals, committer)
        view = self._view(now)
        check_proposal_list(view, items, committer, policy=self.config.policy)
        if path_required(items) and commit.path is None:
            raise InvalidMessage("missing-path", "this Commit must carry an UpdatePath (§12.4)")
        applied = apply_proposals(view, items)
        new_epoch = self.epoch + 1
        if self.own_leaf in applied.removed:
            # We cannot derive the next epoch, but everything about the path that needs no
            # secret is still checked (§12.4.2): a commit the others refuse must not make
            # us alone believe we were removed (found by differential fuzzing, H1).
            if commit.path is not None:
                _check_path_without_secrets(self, applied.tree, committer, commit.path, applied)
            return CommitApplied(None, True, committer, new_epoch)
        tree = applied.tree
        new_keys: dict[bytes, bytes] = {}
        commit_secret = zero_secret(self.suite)
        if commit.path is not None:
            tree, commit_secret, new_keys = _apply_update_path(
                self, tree, committer, commit.path, applied
            )
        new_state = self._derive_next(
            auth, tree, applied, commit_secret, self.keys.init_secret, new_keys
        )
        return CommitApplied(new_state, False, committer, new_epoch)

    def _receive_external_commit(
        self, auth: AuthenticatedContent, commit: Commit, now: int | None
    ) -> CommitApplied:
        """§12.4.3.2 on the members' side: a new member joins (or resyncs) by its own
        Commit, signed with its path leaf's key (checked by `_unprotect`), holding one
        ExternalInit by value, at most one Remove and PSKs; the joiner takes the
        leftmost blank leaf and the init secret comes from the ExternalInit (§8.3)."""
        if auth.wire_format != WireFormat.PUBLIC_MESSAGE:
            raise InvalidMessage("bad-sender", "an external Commit is a PublicMessage")
        if commit.path is None:
            raise InvalidMessage("missing-path", "an external Commit must carry a path")
        items = external_commit_items(commit)
        view = self._view(now)
        check_external_commit_list(view, items)
        applied = apply_proposals(view, items)
        check_external_joiner_leaf(applied, commit.path.leaf_node)
        base, joiner = applied.tree.with_blank_leaf()
        if self.config.policy is not None:
            self.config.policy.check(joiner, items, view.tree)
        new_epoch = self.epoch + 1
        if self.own_leaf in applied.removed:
            treekem.merge_update_path(
                base, joiner, commit.path, _provisional(self, applied), external=True
            )
            return CommitApplied(None, True, joiner, new_epoch)
        init = next(i.proposal for i in items if isinstance(i.proposal, ExternalInit))
        init_secret = external_init_secret_for_members(
            self.suite, self.keys.external_secret, init.kem_output
        )
        known = dict(self.private_keys)
        known.update(self.pending_update_keys)
        result = treekem.apply_update_path(
            base,
            joiner,
            commit.path,
            _provisional(self, applied),
            _tree_private_keys(base, self.own_leaf, known),
            external=True,
        )
        new_state = self._derive_next(
            auth,
            result.tree,
            applied,
            result.commit_secret.value,
            init_secret,
            _key_map(result.private_keys),
        )
        return CommitApplied(new_state, False, joiner, new_epoch)

    def _derive_next(
        self,
        auth: AuthenticatedContent,
        tree: RatchetTree,
        applied: AppliedProposals,
        commit_secret: bytes,
        init_secret: bytes,
        new_keys: Mapping[bytes, bytes],
    ) -> GroupState:
        """§12.4.2 from the new tree on: transcript hash, key schedule, confirmation tag."""
        content = auth.content
        new_epoch = self.epoch + 1
        confirmed = next_confirmed_transcript_hash(
            self.suite, self.interim_transcript_hash, auth.wire_format, content, auth.auth.signature
        )
        new_context = GroupContext(
            self.suite.id,
            self.group_id,
            new_epoch,
            tree_hash(tree),
            confirmed,
            applied.extensions,
        )
        secrets = derive_epoch_secrets(
            self.suite,
            init_secret,
            commit_secret,
            self._psk_secret(applied.psks),
            new_context.to_bytes(),
        )
        tag = auth.auth.confirmation_tag
        assert tag is not None
        verify_confirmation_tag(self.suite, secrets.confirmation_key, confirmed, tag)
        private_keys = dict(self.private_keys)
        private_keys.update(self.pending_update_keys)
        private_keys.update(new_keys)
        return self._next_state(tree, new_context, secrets, tag, private_keys)

    def _psk_secret(self, ids: Sequence[PreSharedKeyID]) -> bytes:
        return psk_secret(self.suite, [PskInput(i, self.psk_store.lookup(i)) for i in ids])

    def _next_state(
        self,
        tree: RatchetTree,
        context: GroupContext,
        secrets: EpochSecrets,
        tag: bytes,
        private_keys: Mapping[bytes, bytes],
        own_leaf: LeafIndex | None = None,
        own_signature: bytes | None = None,
    ) -> GroupState:
        """The state of the next epoch, keeping only the keys still in our path."""
        own = self.own_leaf if own_leaf is None else own_leaf
        signature_private = self.signature_private if own_signature is None else own_signature
        leaf = tree.leaf_node(own)
        if leaf is not None and leaf.signature_key in self.pending_signature_keys:
            # Our Update with a new signature key was committed (§12.1.2).
            signature_private = self.pending_signature_keys[leaf.signature_key]
        previous = None
        if self.config.keep_previous_epoch:
            previous = _PreviousEpoch(
                self.context, self.tree, self.keys.sender_data_secret, self.secret_tree
            )
        return GroupState(
            suite=self.suite,
            context=context,
            tree=tree,
            own_leaf=own,
            signature_private=signature_private,
            private_keys=_keys_on_path(tree, own, private_keys),
            keys=_EpochKeys.of(secrets),
            interim_transcript_hash=next_interim_transcript_hash(
                self.suite, context.confirmed_transcript_hash, tag
            ),
            confirmation_tag=tag,
            secret_tree=SecretTree(
                self.suite,
                secrets.encryption_secret,
                tree.n_leaves,
                max_skipped=self.config.max_skipped,
            ),
            proposals=ProposalStore(),
            psk_store=self.psk_store.with_resumption(
                self.group_id, context.epoch, secrets.resumption_psk
            ),
            previous=previous,
            config=self.config,
        )

    # --- committing -------------------------------------------------------------------

    def commit(
        self,
        proposals: Sequence[Proposal] = (),
        *,
        by_reference: Sequence[ProposalRef] | None = None,
        force_path: bool = False,
        inline_tree: bool = True,
        authenticated_data: bytes = b"",
        signature_private: bytes | None = None,
        rng: Rng,
        now: int | None = None,
    ) -> CommitOutput:
        """Stage a Commit of `proposals` (by value) and stored proposals (by reference).

        `by_reference=None` includes every stored proposal that can be committed (§12.4
        SHOULD), skipping our own Updates (§12.2). An UpdatePath is included when
        required (§12.4) or when `force_path`. The Welcome carries the ratchet tree
        unless `inline_tree` is False (then share `CommitOutput.ratchet_tree`).
        `signature_private` gives our path leaf a new signature key (same credential),
        which implies a path; the Commit itself is signed with the current key (§6.1).

        This state is not changed (§14): merge `CommitOutput.pending` once accepted.
        """
        own = self.own_leaf
        if self.epoch >= _MAX_EPOCH:
            raise UsageError("epoch-exhausted: the group's epoch cannot advance (uint64)")
        items: list[ProposalItem] = []
        if by_reference is None:
            items.extend(_default_references(self.proposals, own))
        else:
            for ref in by_reference:
                cached = self.proposals.get(ref)
                if cached is None:
                    raise UsageError("commit: a referenced proposal is not stored in this epoch")
                items.append(ProposalItem(cached.proposal, cached.sender, ref))
        for p in proposals:
            if isinstance(p, Update):
                raise UsageError("commit: our own update goes in the path (force_path=True)")
            items.append(ProposalItem(p, self._sender()))
        view = self._view(now)
        check_proposal_list(view, items, own, policy=self.config.policy)
        applied = apply_proposals(view, items)
        new_epoch = self.epoch + 1
        use_path = force_path or path_required(items) or signature_private is not None
        tree = applied.tree
        commit_secret = zero_secret(self.suite)
        path: UpdatePath | None = None
        path_secrets: dict[NodeIndex, bytes] = {}
        new_keys: dict[bytes, bytes] = {}
        if use_path:
            tree, path, path_secrets, commit_secret, new_keys = _create_update_path(
                self, tree, applied, rng, signature_private
            )
        refs_or_values: tuple[ProposalOrRef, ...] = tuple(
            i.ref if i.ref is not None else i.proposal for i in items
        )
        content = FramedContent(
            self.group_id,
            self.epoch,
            self._sender(),
            authenticated_data,
            Commit(refs_or_values, path),
        )
        wire_format = self._wire_format()
        signature = sign_content(
            self.suite,
            wire_format,
            content,
            context=self.context,
            signing_key=self.signature_private,
        )
        # The confirmed transcript hash covers the signature but not the tag (§8.2).
        confirmed = next_confirmed_transcript_hash(
            self.suite, self.interim_transcript_hash, wire_format, content, signature
        )
        new_context = GroupContext(
            self.suite.id, self.group_id, new_epoch, tree_hash(tree), confirmed, applied.extensions
        )
        secrets = derive_epoch_secrets(
            self.suite,
            self.keys.init_secret,
            commit_secret,
            self._psk_secret(applied.psks),
            new_context.to_bytes(),
        )
        tag = confirmation_tag(self.suite, secrets.confirmation_key, confirmed)
        auth = AuthenticatedContent(wire_format, content, FramedContentAuthData(signature, tag))
        commit_bytes = self._seal(auth, rng)

        private_keys = dict(self.private_keys)
        private_keys.update(new_keys)
        new_state = self._next_state(
            tree, new_context, secrets, tag, private_keys, own_signature=signature_private
        )
        welcome = None
        if applied.added:
            info = new_state._group_info(inline_tree=inline_tree)
            welcome = _build_welcome(
                self.suite, info, secrets, applied, path_secrets, own, rng
            ).to_bytes()
        return CommitOutput(
            commit=commit_bytes,
            welcome=welcome,
            pending=PendingCommit(
                self.epoch, self.context.confirmed_transcript_hash, new_state, commit_bytes
            ),
            inline_tree=inline_tree,
        )

    def merge_pending(self, pending: PendingCommit) -> GroupState:
        """The next epoch from our own staged commit, once the DS accepted it (§14)."""
        if (
            pending.base_epoch != self.epoch
            or pending.base_confirmed_transcript_hash != self.context.confirmed_transcript_hash
            or pending.new_state.group_id != self.group_id
        ):
            raise UsageError("the pending commit was staged on another epoch")
        return pending.new_state

    # --- GroupInfo --------------------------------------------------------------------

    def _group_info(self, *, inline_tree: bool) -> GroupInfo:
        extensions: list[Extension] = []
        if inline_tree:
            extensions.append(Extension(RATCHET_TREE, self.tree.to_bytes()))
        extensions.append(
            Extension(EXTERNAL_PUB, _opaque(external_pub(self.suite, self.keys.external_secret)))
        )
        unsigned = GroupInfo(
            self.context, tuple(extensions), self.confirmation_tag, self.own_leaf, b""
        )
        signature = sign_with_label(
            self.suite, self.signature_private, GROUP_INFO_TBS_LABEL, unsigned.tbs.to_bytes()
        )
        return replace(unsigned, signature=signature)

    def group_info(self, *, external_tree: bool = False) -> bytes:
        """A signed GroupInfo of this epoch as an MLSMessage (§12.4.3), with the
        ratchet_tree extension unless `external_tree` (§12.4.3.3), and external_pub."""
        return MLSMessage(self._group_info(inline_tree=not external_tree)).to_bytes()

    def ratchet_tree(self) -> bytes:
        """The `ratchet_tree` extension payload of this epoch (§12.4.3.3)."""
        return self.tree.to_bytes()

    # --- persistence ------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The whole state, secrets included, for the vault to persist (encrypted!).

        The previous epoch and the proposal store are included; the policy is not
        (pass it again to `from_bytes`).
        """
        return _encode_state(self)

    @classmethod
    def from_bytes(cls, data: bytes, config: GroupConfig | None = None) -> GroupState:
        return _decode_state(data, config)


# --- helpers: signature keys, private keys --------------------------------------------


def _sender_signature_key(
    tree: RatchetTree, extensions: Sequence[Extension], content: FramedContent
) -> bytes:
    """§6.1: the key that verifies `content`, by sender type: the member's leaf, the
    external_senders entry (§12.1.8.1), the Add's KeyPackage leaf (new_member_proposal)
    or the leaf in the external Commit's path (new_member_commit, §12.4.3.2)."""
    sender = content.sender
    body = content.content
    if sender.sender_type == SenderType.MEMBER:
        return _member_signature_key(tree, content)
    if sender.sender_type == SenderType.EXTERNAL:
        assert sender.index is not None
        allowed = external_senders(extensions)
        if sender.index >= len(allowed):
            raise InvalidMessage("unknown-sender", f"no external sender {sender.index}")
        return allowed[sender.index].signature_key
    if sender.sender_type == SenderType.NEW_MEMBER_PROPOSAL:
        if not isinstance(body, Add):
            raise InvalidMessage("bad-sender", "a new_member_proposal sender may only propose Add")
        return body.key_package.leaf_node.signature_key
    if not isinstance(body, Commit):
        raise InvalidMessage("bad-sender", "a new_member_commit sender may only commit")
    if body.path is None:
        raise InvalidMessage("missing-path", "an external Commit must carry a path (§12.4.3.2)")
    return body.path.leaf_node.signature_key


def _member_signature_key(tree: RatchetTree, content: FramedContent) -> bytes:
    sender = content.sender
    if sender.sender_type != SenderType.MEMBER or sender.index is None:
        raise InvalidMessage("unsupported-sender", "only member senders are supported")
    # The leaf's slot is node 2·index (§4.1.1), read directly: this runs for every
    # message received. An index past the tree or a blank leaf is no member.
    nodes = tree.nodes
    x = 2 * sender.index
    leaf = nodes[x] if 0 <= x < len(nodes) else None
    if leaf is None:
        raise InvalidMessage("unknown-sender", f"leaf {sender.index} is not a member")
    assert isinstance(leaf, LeafNode)
    return leaf.signature_key


def _keys_on_path(
    tree: RatchetTree, own: LeafIndex, keys: Mapping[bytes, bytes]
) -> Mapping[bytes, bytes]:
    """Only the private keys of nodes that still hold their public key on our path:
    everything else is outdated and deleted (§7.5, §9.2)."""
    kept: dict[bytes, bytes] = {}
    for x in (leaf_to_node(own), *tree.direct_path(own)):
        node = tree.node(x)
        if node is not None and node.encryption_key in keys:
            kept[node.encryption_key] = keys[node.encryption_key]
    return MappingProxyType(kept)


def _opaque(data: bytes) -> bytes:
    w = Writer()
    w.opaque(data)
    return w.getvalue()


def _default_references(store: ProposalStore, own: LeafIndex) -> list[ProposalItem]:
    """Stored proposals a committer can include (§12.4 SHOULD), resolving conflicts
    as §12.2 suggests: a Remove beats Updates of the same leaf, the latest Update
    beats earlier ones; our own Updates are left out."""
    removed = {c.proposal.removed for c in store if isinstance(c.proposal, Remove)}
    latest_update: dict[int | None, ProposalRef] = {}
    for c in store:
        if isinstance(c.proposal, Update):
            latest_update[c.sender.index] = c.ref
    out: list[ProposalItem] = []
    seen_removed: set[int] = set()
    for c in store:
        p = c.proposal
        if isinstance(p, Update):
            if c.sender.index == own or c.sender.index in removed:
                continue
            if latest_update.get(c.sender.index) != c.ref:
                continue
        if isinstance(p, Remove):
            if p.removed == own or p.removed in seen_removed:
                continue
            seen_removed.add(p.removed)
        out.append(ProposalItem(p, c.sender, c.ref))
    return out


# --- TreeKEM (§7.4-§7.6), through `treekem` ---------------------------------------------
#
# The group keeps its HPKE private keys as a map public key -> private key (so keys from
# our own Update proposals can join it when someone commits them); `treekem` wants them
# by node. These helpers convert at the boundary.


def _tree_private_keys(
    tree: RatchetTree, own: LeafIndex, keys: Mapping[bytes, bytes]
) -> treekem.TreePrivateKeys:
    held: dict[NodeIndex, treekem.NodeKeyPair] = {}
    for x in (leaf_to_node(own), *tree.direct_path(own)):
        node = tree.node(x)
        if node is not None and node.encryption_key in keys:
            held[x] = treekem.NodeKeyPair(keys[node.encryption_key], node.encryption_key)
    return treekem.TreePrivateKeys(own, held)


def _key_map(keys: treekem.TreePrivateKeys) -> dict[bytes, bytes]:
    return {pair.public: pair.private for pair in keys.keys.values()}


def _provisional(state: GroupState, applied: AppliedProposals) -> GroupContext:
    """§12.4.1/§12.4.2: new epoch and extensions, old transcript hash; `treekem` sets
    the tree hash of the tree with the path merged."""
    return GroupContext(
        state.suite.id,
        state.group_id,
        state.epoch + 1,
        b"",
        state.context.confirmed_transcript_hash,
        applied.extensions,
    )


def _create_update_path(
    state: GroupState,
    tree: RatchetTree,
    applied: AppliedProposals,
    rng: Rng,
    signature_private: bytes | None = None,
) -> tuple[RatchetTree, UpdatePath, dict[NodeIndex, bytes], bytes, dict[bytes, bytes]]:
    """§7.5 sender side (`treekem.create_update_path`): returns the new tree, the
    UpdatePath, path secrets by node (for Welcomes), the commit_secret and the new
    private keys by public key. New members are excluded from the encryption (§7.6).
    With `signature_private`, the new leaf has that signature key (§7.5)."""
    template = state.own_leaf_node
    signing_key = state.signature_private
    if signature_private is not None:
        signing_key = signature_private
        template = replace(
            template, signature_key=state.suite.signature_public_key(signature_private)
        )
    created = treekem.create_update_path(
        tree,
        state.own_leaf,
        template,
        signing_key,
        _provisional(state, applied),
        exclude=[index for index, _ in applied.added],
        rng=rng,
    )
    return (
        created.tree,
        created.update_path,
        {x: secret.value for x, secret in created.path_secrets.items()},
        created.commit_secret.value,
        _key_map(created.private_keys),
    )


def _check_path_without_secrets(
    state: GroupState,
    tree: RatchetTree,
    committer: LeafIndex,
    path: UpdatePath,
    applied: AppliedProposals,
) -> None:
    """The checks of a received UpdatePath that a member removed by the commit can still
    make (§7.3, §7.5, §7.6, §7.9.2, §12.4.2): a new leaf encryption key, a valid leaf
    node, one node per node of the filtered direct path, no key already in the tree,
    parent hashes. Only the path secrets and the confirmation tag are out of its reach."""
    old_leaf = state.tree.leaf_node(committer)
    if old_leaf is None:
        raise InvalidMessage("unknown-sender", "the committer's leaf is blank")
    if path.leaf_node.encryption_key == old_leaf.encryption_key:
        raise InvalidMessage("stale-encryption-key", "the path leaf reuses the old key")
    treekem.merge_update_path(
        tree,
        committer,
        path,
        _provisional(state, applied),
        exclude=[index for index, _ in applied.added],
    )


def _apply_update_path(
    state: GroupState,
    tree: RatchetTree,
    committer: LeafIndex,
    path: UpdatePath,
    applied: AppliedProposals,
) -> tuple[RatchetTree, bytes, dict[bytes, bytes]]:
    """§7.5/§12.4.2 receiver side (`treekem.apply_update_path`), after checking the new
    leaf replaces the committer's old encryption key (§12.4.2). Returns the new tree,
    the commit_secret and our private keys by public key."""
    old_leaf = state.tree.leaf_node(committer)
    if old_leaf is None:
        raise InvalidMessage("unknown-sender", "the committer's leaf is blank")
    if path.leaf_node.encryption_key == old_leaf.encryption_key:
        raise InvalidMessage("stale-encryption-key", "the path leaf reuses the old key")
    known = dict(state.private_keys)
    known.update(state.pending_update_keys)
    result = treekem.apply_update_path(
        tree,
        committer,
        path,
        _provisional(state, applied),
        _tree_private_keys(tree, state.own_leaf, known),
        exclude=[index for index, _ in applied.added],
    )
    return result.tree, result.commit_secret.value, _key_map(result.private_keys)


# --- Welcome (§12.4.3.1) ----------------------------------------------------------------


def _build_welcome(
    suite: CipherSuite,
    info: GroupInfo,
    secrets: EpochSecrets,
    applied: AppliedProposals,
    path_secrets: Mapping[NodeIndex, bytes],
    committer: LeafIndex,
    rng: Rng,
) -> MLSMessage:
    key, nonce = welcome_key_nonce(suite, secrets.welcome_secret)
    encrypted_group_info = suite.aead_seal(key, nonce, b"", info.to_bytes())
    entries: list[EncryptedGroupSecrets] = []
    for index, kp in applied.added:
        path_secret = None
        if path_secrets:
            lca = common_ancestor(leaf_to_node(index), leaf_to_node(committer))
            if lca in path_secrets:
                path_secret = PathSecret(path_secrets[lca])
        group_secrets = GroupSecrets(secrets.joiner_secret, path_secret, applied.psks)
        kem_output, ct = encrypt_with_label(
            suite,
            kp.init_key,
            _WELCOME_LABEL,
            encrypted_group_info,
            group_secrets.to_bytes(),
            rng=rng,
        )
        entries.append(
            EncryptedGroupSecrets(KeyPackageRef(kp.ref(suite)), HPKECiphertext(kem_output, ct))
        )
    return MLSMessage(Welcome(suite.id, tuple(entries), encrypted_group_info))


def find_welcome_entry(welcome: Welcome, key_package_ref: bytes) -> EncryptedGroupSecrets:
    """The `secrets` entry addressed to our KeyPackage (§12.4.3.1), or `InvalidMessage`."""
    for entry in welcome.secrets:
        if entry.new_member.value == key_package_ref:
            return entry
    raise InvalidMessage("welcome-not-for-us", "no Welcome entry names our KeyPackage")


def decrypt_group_secrets(
    suite: CipherSuite, welcome: Welcome, entry: EncryptedGroupSecrets, init_private: bytes
) -> GroupSecrets:
    """DecryptWithLabel(init_key_priv, "Welcome", encrypted_group_info, ...) (§12.4.3.1)."""
    ct = entry.encrypted_group_secrets
    plain = decrypt_with_label(
        suite,
        init_private,
        _WELCOME_LABEL,
        welcome.encrypted_group_info,
        ct.kem_output,
        ct.ciphertext,
    )
    try:
        return decode_all(plain, GroupSecrets.decode)
    except MLSDecodeError as exc:
        raise InvalidMessage("malformed-group-secrets", str(exc)) from None


def decrypt_group_info(
    suite: CipherSuite, welcome: Welcome, joiner_secret: bytes, psk_secret_value: bytes
) -> GroupInfo:
    """Open `encrypted_group_info` with the welcome key and nonce (§12.4.3.1)."""
    if len(joiner_secret) != suite.nh:
        raise InvalidMessage("malformed-group-secrets", "joiner_secret is not Nh bytes")
    key, nonce = welcome_key_nonce(suite, welcome_secret(suite, joiner_secret, psk_secret_value))
    try:
        plain = suite.aead_open(key, nonce, b"", welcome.encrypted_group_info)
    except InvalidMessage:
        raise InvalidMessage("bad-welcome", "the GroupInfo does not decrypt") from None
    try:
        return decode_all(plain, GroupInfo.decode)
    except MLSDecodeError as exc:
        raise InvalidMessage("malformed-group-info", str(exc)) from None


def verify_group_info_signature(suite: CipherSuite, info: GroupInfo, signer_key: bytes) -> None:
    """§12.4.3.1: the GroupInfo is signed by the leaf `signer` over GroupInfoTBS."""
    if not verify_with_label(
        suite, signer_key, GROUP_INFO_TBS_LABEL, info.tbs.to_bytes(), info.signature
    ):
        raise InvalidMessage("bad-signature", "GroupInfo signature")


def _checked_group_info_tree(
    suite: CipherSuite, info: GroupInfo, ratchet_tree: bytes | None, now: int | None
) -> RatchetTree:
    """§12.4.3.1 checks a joiner makes of a GroupInfo and its tree, from a Welcome or
    for an external Commit: a usable epoch, no repeated extension type (§13.4), the
    signer a member whose key verifies the signature, the tree hash, and the tree valid
    (§7.3, leaf lifetimes against `now`, every leaf supporting the context's extensions).
    `ratchet_tree` is used when the GroupInfo does not carry the tree (§12.4.3.3)."""
    ctx = info.group_context
    if ctx.epoch >= _MAX_EPOCH:
        raise InvalidMessage("epoch-exhausted", "the group's epoch cannot advance (§8, uint64)")
    for what, extensions in (("GroupInfo", info.extensions), ("GroupContext", ctx.extensions)):
        # RFC 9420 §13.4: no list holds one extension type twice.
        try:
            check_unique(extensions)
        except InvalidMessage:
            raise InvalidMessage("duplicate-extension", f"{what} repeats a type") from None
    tree_bytes = ratchet_tree
    if tree_bytes is None:
        tree_bytes = next(
            (e.extension_data for e in info.extensions if e.extension_type == RATCHET_TREE), None
        )
    if tree_bytes is None:
        raise InvalidMessage("missing-tree", "no ratchet tree in the GroupInfo and none was given")
    try:
        tree = RatchetTree.from_bytes(suite, tree_bytes)
    except MLSDecodeError as exc:
        raise InvalidMessage("malformed-tree", str(exc)) from None
    signer = LeafIndex(info.signer)
    signer_leaf = tree.leaf_node(signer) if tree.contains_leaf(signer) else None
    if signer_leaf is None:
        raise InvalidMessage("bad-signer", "the GroupInfo signer is not a member")
    verify_group_info_signature(suite, info, signer_leaf.signature_key)
    if not hmac.compare_digest(tree_hash(tree), ctx.tree_hash):
        raise InvalidMessage("bad-tree-hash", "the ratchet tree does not match the GroupInfo")
    validate_tree(
        tree,
        group_id=ctx.group_id,
        required=required_capabilities(ctx.extensions),
        now=now,
    )
    return tree


# --- creating and joining -----------------------------------------------------------------


def create_group(
    suite_id: int,
    group_id: bytes,
    key_package_secrets: KeyPackageSecrets,
    *,
    rng: Rng,
    extensions: tuple[Extension, ...] = (),
    psk_store: PskStore | None = None,
    config: GroupConfig | None = None,
) -> GroupState:
    """A one-member group (§11) whose creator's leaf comes from its own KeyPackage.

    Epoch 0 has a random epoch secret (§11), an empty confirmed transcript hash and a
    confirmation tag over it; the KeyPackage's init key is not used.
    """
    suite = get_suite(suite_id)
    kp = key_package_secrets.key_package
    if kp.cipher_suite != suite_id:
        raise UsageError("the KeyPackage is for another cipher suite")
    tree = RatchetTree.one_member(suite, kp.leaf_node)
    context = GroupContext(suite_id, group_id, 0, tree_hash(tree), b"", extensions)
    epoch_secret = rng(suite.nh)
    if len(epoch_secret) != suite.nh:
        raise UsageError(f"rng({suite.nh}) returned {len(epoch_secret)} bytes")
    secrets = secrets_from_epoch_secret(suite, epoch_secret)
    tag = confirmation_tag(suite, secrets.confirmation_key, b"")
    cfg = config or GroupConfig()
    store = (psk_store or PskStore()).with_resumption(group_id, 0, secrets.resumption_psk)
    return GroupState(
        suite=suite,
        context=context,
        tree=tree,
        own_leaf=LeafIndex(0),
        signature_private=key_package_secrets.signature_private,
        private_keys=MappingProxyType(
            {kp.leaf_node.encryption_key: key_package_secrets.encryption_private}
        ),
        keys=_EpochKeys.of(secrets),
        interim_transcript_hash=next_interim_transcript_hash(suite, b"", tag),
        confirmation_tag=tag,
        secret_tree=SecretTree(suite, secrets.encryption_secret, 1, max_skipped=cfg.max_skipped),
        psk_store=store,
        config=cfg,
    )


def join_from_welcome(
    welcome: bytes,
    key_package_secrets: KeyPackageSecrets | Iterable[KeyPackageSecrets],
    ratchet_tree: bytes | None = None,
    *,
    psk_store: PskStore | None = None,
    now: int | None = None,
    config: GroupConfig | None = None,
) -> GroupState:
    """Join a group from a Welcome (§12.4.3.1), with one of our KeyPackages.

    `ratchet_tree` is the tree when the Welcome's GroupInfo does not carry it
    (§12.4.3.3). Every check of §12.4.3.1 is made; failures raise `InvalidMessage`.
    """
    try:
        msg = MLSMessage.from_bytes(welcome)
    except MLSDecodeError as exc:
        raise InvalidMessage("malformed-message", str(exc)) from None
    if not isinstance(msg.body, Welcome):
        raise InvalidMessage("unexpected-wire-format", "not a Welcome")
    w = msg.body
    candidates = (
        [key_package_secrets]
        if isinstance(key_package_secrets, KeyPackageSecrets)
        else list(key_package_secrets)
    )
    try:
        suite = get_suite(w.cipher_suite)
    except UsageError:
        raise InvalidMessage("suite-mismatch", "the Welcome uses an unknown cipher suite") from None
    mine: KeyPackageSecrets | None = None
    entry: EncryptedGroupSecrets | None = None
    for kps in candidates:
        if kps.key_package.cipher_suite != w.cipher_suite:
            continue
        ref = kps.key_package.ref(suite)
        for e in w.secrets:
            if e.new_member.value == ref:
                mine, entry = kps, e
                break
        if mine is not None:
            break
    if mine is None or entry is None:
        raise InvalidMessage("welcome-not-for-us", "no Welcome entry names one of our KeyPackages")
    kp = mine.key_package
    secrets = decrypt_group_secrets(suite, w, entry, mine.init_private)
    store = psk_store or PskStore()
    special = [
        p
        for p in secrets.psks
        if p.psk_type == PSKType.RESUMPTION
        and p.usage in (ResumptionPSKUsage.REINIT, ResumptionPSKUsage.BRANCH)
    ]
    if len(special) > 1:
        raise InvalidMessage("invalid-psk", "more than one reinit/branch PSK")
    psk_value = psk_secret(suite, [PskInput(i, store.lookup(i)) for i in secrets.psks])
    info = decrypt_group_info(suite, w, secrets.joiner_secret, psk_value)
    ctx = info.group_context
    if ctx.cipher_suite != kp.cipher_suite:
        raise InvalidMessage(
            "suite-mismatch", "the GroupInfo's suite differs from the KeyPackage's"
        )
    tree = _checked_group_info_tree(suite, info, ratchet_tree, now)
    signer = LeafIndex(info.signer)
    own = tree.find_leaf(kp.leaf_node)
    if own is None:
        raise InvalidMessage("not-in-tree", "our KeyPackage's leaf is not in the tree")
    # RFC 9420 §13.4: a joiner supports every extension of the GroupContext.
    check_supports_group_extensions(kp.leaf_node, ctx.extensions)
    joiner_keys = treekem.TreePrivateKeys.for_joiner(
        tree,
        own,
        mine.encryption_private,
        signer,
        None
        if secrets.path_secret is None
        else treekem.PathSecret(secrets.path_secret.path_secret),
    )
    private_keys = _key_map(joiner_keys)
    epoch = epoch_secrets_from_joiner(suite, secrets.joiner_secret, psk_value, ctx.to_bytes())
    verify_confirmation_tag(
        suite, epoch.confirmation_key, ctx.confirmed_transcript_hash, info.confirmation_tag
    )
    cfg = config or GroupConfig()
    return GroupState(
        suite=suite,
        context=ctx,
        tree=tree,
        own_leaf=own,
        signature_private=mine.signature_private,
        private_keys=_keys_on_path(tree, own, private_keys),
        keys=_EpochKeys.of(epoch),
        interim_transcript_hash=next_interim_transcript_hash(
            suite, ctx.confirmed_transcript_hash, info.confirmation_tag
        ),
        confirmation_tag=info.confirmation_tag,
        secret_tree=SecretTree(
            suite, epoch.encryption_secret, tree.n_leaves, max_skipped=cfg.max_skipped
        ),
        psk_store=store.with_resumption(ctx.group_id, ctx.epoch, epoch.resumption_psk),
        config=cfg,
    )


@dataclass(frozen=True, slots=True)
class ExternalJoin:
    """What `join_by_external_commit` produces: the external Commit to send, and our
    state in the epoch it creates, to use once the DS accepted the Commit (§14)."""

    commit: bytes
    new_state: GroupState = field(repr=False)


def join_by_external_commit(
    group_info: bytes,
    key_package_secrets: KeyPackageSecrets,
    ratchet_tree: bytes | None = None,
    *,
    rng: Rng,
    resync: LeafIndex | None = None,
    psks: Sequence[PreSharedKeyID] = (),
    psk_store: PskStore | None = None,
    authenticated_data: bytes = b"",
    now: int | None = None,
    config: GroupConfig | None = None,
) -> ExternalJoin:
    """Join a group by an external Commit (§12.4.3.2), from its signed GroupInfo.

    The GroupInfo must carry external_pub; the tree comes from it or `ratchet_tree`.
    Our leaf is `key_package_secrets`' leaf (signature key, credential, capabilities,
    extensions) with a fresh encryption key, at the leftmost blank leaf. `resync`
    removes our old appearance at that leaf in the same Commit. The KeyPackage's init
    and encryption keys are not used. Checks of the GroupInfo as in `join_from_welcome`;
    failures raise `InvalidMessage`.
    """
    try:
        msg = MLSMessage.from_bytes(group_info)
    except MLSDecodeError as exc:
        raise InvalidMessage("malformed-message", str(exc)) from None
    if not isinstance(msg.body, GroupInfo):
        raise InvalidMessage("unexpected-wire-format", "not a GroupInfo")
    info = msg.body
    ctx = info.group_context
    kp = key_package_secrets.key_package
    if ctx.cipher_suite != kp.cipher_suite:
        raise InvalidMessage(
            "suite-mismatch", "the GroupInfo's suite differs from the KeyPackage's"
        )
    suite = get_suite(ctx.cipher_suite)
    tree = _checked_group_info_tree(suite, info, ratchet_tree, now)
    pub = next((e for e in info.extensions if e.extension_type == EXTERNAL_PUB), None)
    if pub is None:
        raise InvalidMessage("missing-external-pub", "the GroupInfo has no external_pub")
    try:
        external_pub_key = decode_all(pub.extension_data, Reader.opaque)
    except MLSDecodeError as exc:
        raise InvalidMessage("malformed-extension", f"external_pub: {exc}") from None
    kem_output, init_secret = external_init_secret_for_joiner(suite, external_pub_key, rng)
    sender = Sender.new_member_commit()
    proposals: list[Proposal] = [ExternalInit(kem_output)]
    if resync is not None:
        proposals.append(Remove(resync))
    proposals.extend(PreSharedKey(p) for p in psks)
    items = [ProposalItem(p, sender) for p in proposals]
    view = GroupView(suite, ctx, tree, now)
    check_external_commit_list(view, items)
    applied = apply_proposals(view, items)
    check_external_joiner_leaf(applied, kp.leaf_node)
    base, own = applied.tree.with_blank_leaf()
    provisional = GroupContext(
        suite.id,
        ctx.group_id,
        ctx.epoch + 1,
        b"",
        ctx.confirmed_transcript_hash,
        applied.extensions,
    )
    created = treekem.create_update_path(
        base,
        own,
        kp.leaf_node,
        key_package_secrets.signature_private,
        provisional,
        external=True,
        rng=rng,
    )
    content = FramedContent(
        ctx.group_id,
        ctx.epoch,
        sender,
        authenticated_data,
        Commit(tuple(proposals), created.update_path),
    )
    signature = sign_content(
        suite,
        WireFormat.PUBLIC_MESSAGE,
        content,
        context=ctx,
        signing_key=key_package_secrets.signature_private,
    )
    interim = next_interim_transcript_hash(
        suite, ctx.confirmed_transcript_hash, info.confirmation_tag
    )
    confirmed = next_confirmed_transcript_hash(
        suite, interim, WireFormat.PUBLIC_MESSAGE, content, signature
    )
    new_context = replace(created.group_context, confirmed_transcript_hash=confirmed)
    store = psk_store or PskStore()
    psk_value = psk_secret(suite, [PskInput(i, store.lookup(i)) for i in applied.psks])
    secrets = derive_epoch_secrets(
        suite, init_secret, created.commit_secret.value, psk_value, new_context.to_bytes()
    )
    tag = confirmation_tag(suite, secrets.confirmation_key, confirmed)
    auth = AuthenticatedContent(
        WireFormat.PUBLIC_MESSAGE, content, FramedContentAuthData(signature, tag)
    )
    wire = MLSMessage(seal_public(suite, auth, context=ctx, membership_key=b"")).to_bytes()
    cfg = config or GroupConfig()
    state = GroupState(
        suite=suite,
        context=new_context,
        tree=created.tree,
        own_leaf=own,
        signature_private=key_package_secrets.signature_private,
        private_keys=_keys_on_path(created.tree, own, _key_map(created.private_keys)),
        keys=_EpochKeys.of(secrets),
        interim_transcript_hash=next_interim_transcript_hash(suite, confirmed, tag),
        confirmation_tag=tag,
        secret_tree=SecretTree(
            suite, secrets.encryption_secret, created.tree.n_leaves, max_skipped=cfg.max_skipped
        ),
        psk_store=store.with_resumption(ctx.group_id, new_context.epoch, secrets.resumption_psk),
        config=cfg,
    )
    return ExternalJoin(wire, state)


# --- persistence (GroupState.to_bytes / from_bytes) ---------------------------------------
#
# A private, versioned TLS-style encoding. The secret tree writes only what it still
# holds (`SecretTree.encode`), so keys deleted under §9.2 stay deleted in the vault too.


def _encode_pairs(w: Writer, pairs: Iterable[tuple[bytes, bytes]]) -> None:
    def pair(w2: Writer, kv: tuple[bytes, bytes]) -> None:
        w2.opaque(kv[0])
        w2.opaque(kv[1])

    w.vector(sorted(pairs), pair)


def _decode_pairs(r: Reader) -> dict[bytes, bytes]:
    return dict(r.vector(lambda r2: (r2.opaque(), r2.opaque())))


def _encode_state(state: GroupState) -> bytes:
    from .proposals import encode_proposal

    w = Writer()
    w.u8(_STATE_FORMAT)
    w.u16(state.suite.id)
    state.context.encode(w)
    w.opaque(state.tree.to_bytes())
    w.u32(state.own_leaf)
    w.opaque(state.signature_private)
    _encode_pairs(w, state.private_keys.items())
    state.keys.encode(w)
    w.opaque(state.interim_transcript_hash)
    w.opaque(state.confirmation_tag)
    state.secret_tree.encode(w)

    def cached(w2: Writer, c: CachedProposal) -> None:
        c.ref.encode(w2)
        encode_proposal(w2, c.proposal)
        c.sender.encode(w2)
        w2.boolean(c.own)

    w.vector(state.proposals.entries, cached)
    _encode_pairs(w, state.psk_store.external.items())

    def resumption(w2: Writer, kv: tuple[tuple[bytes, int], bytes]) -> None:
        w2.opaque(kv[0][0])
        w2.u64(kv[0][1])
        w2.opaque(kv[1])

    w.vector(sorted(state.psk_store.resumption.items()), resumption)
    w.u32(state.psk_store.max_resumption_epochs)
    _encode_pairs(w, state.pending_update_keys.items())
    _encode_pairs(w, state.pending_signature_keys.items())

    def previous(w2: Writer, p: _PreviousEpoch) -> None:
        p.context.encode(w2)
        w2.opaque(p.tree.to_bytes())
        w2.opaque(p.sender_data_secret)
        p.secret_tree.encode(w2)

    w.optional(state.previous, previous)
    cfg = state.config
    w.boolean(cfg.encrypt_handshake)
    w.u32(cfg.padding_block)
    w.boolean(cfg.keep_previous_epoch)
    w.u32(cfg.max_skipped)
    return w.getvalue()


def _decode_state(data: bytes, config: GroupConfig | None) -> GroupState:
    from .proposals import decode_proposal

    def body(r: Reader) -> GroupState:
        version = r.u8()
        if version not in _STATE_FORMATS:
            raise MLSDecodeError("unknown GroupState format")
        floors = version >= 2
        try:
            suite = get_suite(r.u16())
        except UsageError as exc:
            raise MLSDecodeError(str(exc)) from None
        context = GroupContext.decode(r)
        try:
            tree = RatchetTree.from_bytes(suite, r.opaque())
        except InvalidMessage as exc:
            raise MLSDecodeError(str(exc)) from None
        own = LeafIndex(r.u32())
        signature_private = r.opaque()
        private_keys = _decode_pairs(r)
        keys = _EpochKeys.decode(r)
        interim = r.opaque()
        tag = r.opaque()
        secret_tree = SecretTree.decode(r, suite, with_floor=floors)
        entries = r.vector(
            lambda r2: CachedProposal(
                ProposalRef.decode(r2), decode_proposal(r2), Sender.decode(r2), r2.boolean()
            )
        )
        external = _decode_pairs(r)
        resumption = dict(r.vector(lambda r2: ((r2.opaque(), r2.u64()), r2.opaque())))
        max_res = r.u32()
        pending_updates = _decode_pairs(r)
        pending_signatures = _decode_pairs(r) if version >= 2 else {}

        def previous(r2: Reader) -> _PreviousEpoch:
            ctx = GroupContext.decode(r2)
            try:
                ptree = RatchetTree.from_bytes(suite, r2.opaque())
            except InvalidMessage as exc:
                raise MLSDecodeError(str(exc)) from None
            sender_data = r2.opaque()
            return _PreviousEpoch(
                ctx, ptree, sender_data, SecretTree.decode(r2, suite, with_floor=floors)
            )

        prev = r.optional(previous)
        stored = GroupConfig(r.boolean(), r.u32(), r.boolean(), None, r.u32())
        cfg = stored if config is None else config
        store = PskStore(MappingProxyType(external), MappingProxyType(resumption), max_res)
        return GroupState(
            suite=suite,
            context=context,
            tree=tree,
            own_leaf=own,
            signature_private=signature_private,
            private_keys=MappingProxyType(private_keys),
            keys=keys,
            interim_transcript_hash=interim,
            confirmation_tag=tag,
            secret_tree=secret_tree,
            proposals=ProposalStore(tuple(entries)),
            psk_store=store,
            pending_update_keys=MappingProxyType(pending_updates),
            pending_signature_keys=MappingProxyType(pending_signatures),
            previous=prev,
            config=cfg,
        )

    return decode_all(data, body)
