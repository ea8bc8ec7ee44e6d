"""Sending external proposals (RFC 9420 §12.1.8): proposals from outside the group.

Two kinds of sender are not members:

* an **external sender** (`SenderType.external`), pre-provisioned in the group's
  external_senders extension (§12.1.8.1) and named by its index there; it may propose
  add, remove, psk, reinit and group_context_extensions;
* a **new member** (`SenderType.new_member_proposal`) proposing its own Add, signed
  with the key of the KeyPackage's leaf.

Both send PublicMessages without a membership tag (§6.2) and sign a FramedContentTBS
without GroupContext (§6.1), so all they need of the group is its id, epoch and suite.
Receiving them is `GroupState.process`; a member then commits them by reference.
"""

from __future__ import annotations

from .cipher_suite import get_suite
from .errors import UsageError
from .framing import FramedContent, MLSMessage, Sender, WireFormat
from .group_context import GroupContext
from .key_package_ops import KeyPackageSecrets
from .message_protection import authenticate, seal_public
from .proposals import Add, Proposal, ProposalType

__all__ = ["EXTERNAL_PROPOSAL_TYPES", "propose_as_external_sender", "propose_own_add"]

#: §12.1.8: the proposal types an external sender may send (the "Ext" column, §17.4).
EXTERNAL_PROPOSAL_TYPES = frozenset(
    {
        ProposalType.ADD,
        ProposalType.REMOVE,
        ProposalType.PSK,
        ProposalType.REINIT,
        ProposalType.GROUP_CONTEXT_EXTENSIONS,
    }
)


def _send(
    suite_id: int,
    group_id: bytes,
    epoch: int,
    sender: Sender,
    proposal: Proposal,
    signature_private: bytes,
    authenticated_data: bytes,
) -> bytes:
    suite = get_suite(suite_id)
    content = FramedContent(group_id, epoch, sender, authenticated_data, proposal)
    # Non-member senders do not sign the GroupContext (§6.1); `authenticate` leaves it
    # out for them, so a placeholder with the right suite is enough.
    placeholder = GroupContext(suite_id, group_id, epoch, b"", b"", ())
    auth = authenticate(
        suite,
        WireFormat.PUBLIC_MESSAGE,
        content,
        context=placeholder,
        signing_key=signature_private,
    )
    body = seal_public(suite, auth, context=placeholder, membership_key=b"")
    return MLSMessage(body).to_bytes()


def propose_as_external_sender(
    suite_id: int,
    group_id: bytes,
    epoch: int,
    proposal: Proposal,
    *,
    sender_index: int,
    signature_private: bytes,
    authenticated_data: bytes = b"",
) -> bytes:
    """A proposal from the group's external sender number `sender_index` (§12.1.8),
    as an MLSMessage; `signature_private` is that entry's key."""
    if proposal.proposal_type not in EXTERNAL_PROPOSAL_TYPES:
        raise UsageError(f"an external sender cannot propose {proposal.proposal_type.name}")
    return _send(
        suite_id,
        group_id,
        epoch,
        Sender.external(sender_index),
        proposal,
        signature_private,
        authenticated_data,
    )


def propose_own_add(
    group_id: bytes,
    epoch: int,
    key_package_secrets: KeyPackageSecrets,
    *,
    authenticated_data: bytes = b"",
) -> bytes:
    """An Add of our own KeyPackage from a new_member_proposal sender (§12.1.8),
    signed with the KeyPackage leaf's signature key."""
    kp = key_package_secrets.key_package
    return _send(
        kp.cipher_suite,
        group_id,
        epoch,
        Sender.new_member_proposal(),
        Add(kp),
        key_package_secrets.signature_private,
        authenticated_data,
    )
