"""Message protection (RFC 9420 §6.1-§6.3): signatures, membership tags and encryption.

Sending a Commit needs a pause between signing and sealing: its confirmation tag is
computed from the confirmed transcript hash, which covers the signature (§8.2), and the
tag is not itself signed (§6.1). So the building blocks are:

1. `sign_content` -> the signature over FramedContentTBS;
2. the caller builds `AuthenticatedContent` (with the confirmation tag for a Commit);
3. `seal_public` adds the membership tag (§6.2) or `seal_private` encrypts (§6.3).

`protect_public`/`protect_private` run all three when the tag is already known (or no tag
is needed); `unprotect_public`/`unprotect_private` undo them, check what §6 requires and
return the `AuthenticatedContent`, which transcript hashes and proposal refs cover.

Sans-I/O: keys and the secret tree are parameters, and the reuse guard comes from `rng`.
Receiving failures raise `InvalidMessage`, with these reasons:

    wrong-group          group_id is not this group's
    wrong-epoch          epoch differs from the context's (the caller picks the epoch)
    public-application   application data in a PublicMessage (§6: it MUST be private)
    bad-sender           sender type not allowed for this wire format or content (§6.1)
    bad-membership-tag   a member's PublicMessage whose membership tag does not verify
    bad-signature        the FramedContentAuthData signature does not verify
    aead-open-failed     the sender data or the content fails AEAD authentication
    malformed-sender-data, malformed-content
                         authenticated plaintext that does not decode
    bad-padding          PrivateMessageContent padding is not all zero (§6.3.1)

and whatever the secret tree or the caller's key lookup raise (`unknown-sender`,
`key-consumed`, `generation-too-far`). Caller mistakes raise `UsageError`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from . import labels
from .cipher_suite import CipherSuite, Rng
from .codec import Reader, Writer
from .errors import InvalidMessage, MLSDecodeError, UsageError
from .framing import (
    AuthenticatedContent,
    ContentType,
    FramedContent,
    FramedContentAuthData,
    PrivateContentAAD,
    PrivateMessage,
    PrivateMessageContent,
    PublicMessage,
    Sender,
    SenderData,
    SenderDataAAD,
    SenderType,
    WireFormat,
    decode_content,
    read_private_application,
)
from .group_context import MLS10, GroupContext
from .proposals import Add
from .secret_tree import RatchetKey, RatchetKind, SecretTree, sender_data_key_nonce
from .tree_math import LeafIndex

#: SignWithLabel label for FramedContentTBS (§6.1).
FRAMED_CONTENT_TBS_LABEL = "FramedContentTBS"

#: Given the content being verified, the signature public key of its sender (§6.1: the
#: member's leaf, the external_senders entry, the Commit path's or the Add's leaf node).
#: It may raise `InvalidMessage` (for example "unknown-sender").
VerificationKeyLookup = Callable[[FramedContent], bytes]

#: Allowed content types per sender type (§6.1). Finer rules (which proposal types an
#: external sender may send) are group policy, checked by the group code.
_SENDER_CONTENT: dict[SenderType, frozenset[ContentType]] = {
    SenderType.MEMBER: frozenset(ContentType),
    SenderType.EXTERNAL: frozenset({ContentType.PROPOSAL}),
    SenderType.NEW_MEMBER_PROPOSAL: frozenset({ContentType.PROPOSAL}),
    SenderType.NEW_MEMBER_COMMIT: frozenset({ContentType.COMMIT}),
}


# --- signatures (§6.1) ----------------------------------------------------------------


def framed_content_tbs(
    wire_format: WireFormat, content: FramedContent, context: GroupContext
) -> bytes:
    """The FramedContentTBS encoding; `context` enters only for senders that sign it."""
    signs_context = content.sender.sender_type in (
        SenderType.MEMBER,
        SenderType.NEW_MEMBER_COMMIT,
    )
    # FramedContentTBS { version; wire_format; content; select: context } (§6.1),
    # joined from the parts' kept encodings: this runs for every message received.
    head = _TBS_HEADS.get(wire_format) or MLS10.to_bytes(2, "big") + int(wire_format).to_bytes(
        2, "big"
    )
    return b"".join((head, content.encoded(), context.encoded if signs_context else b""))


#: FramedContentTBS's `version` and `wire_format` fields for the two framed formats.
_TBS_HEADS: dict[WireFormat, bytes] = {
    f: MLS10.to_bytes(2, "big") + int(f).to_bytes(2, "big")
    for f in (WireFormat.PUBLIC_MESSAGE, WireFormat.PRIVATE_MESSAGE)
}


def sign_content(
    suite: CipherSuite,
    wire_format: WireFormat,
    content: FramedContent,
    *,
    context: GroupContext,
    signing_key: bytes,
) -> bytes:
    """SignWithLabel(signing_key, "FramedContentTBS", FramedContentTBS) (§6.1)."""
    if wire_format not in (WireFormat.PUBLIC_MESSAGE, WireFormat.PRIVATE_MESSAGE):
        raise UsageError(f"content cannot be framed as {wire_format.name}")
    tbs = framed_content_tbs(wire_format, content, context)
    return labels.sign_with_label(suite, signing_key, FRAMED_CONTENT_TBS_LABEL, tbs)


def authenticate(
    suite: CipherSuite,
    wire_format: WireFormat,
    content: FramedContent,
    *,
    context: GroupContext,
    signing_key: bytes,
    confirmation_tag: bytes | None = None,
) -> AuthenticatedContent:
    """Sign and wrap as AuthenticatedContent; a Commit needs its `confirmation_tag`."""
    signature = sign_content(suite, wire_format, content, context=context, signing_key=signing_key)
    return AuthenticatedContent(
        wire_format, content, FramedContentAuthData(signature, confirmation_tag)
    )


def verify_signature(
    suite: CipherSuite,
    authenticated: AuthenticatedContent,
    *,
    context: GroupContext,
    verification_key: bytes,
) -> None:
    """Raise `InvalidMessage("bad-signature")` unless the signature verifies (§6.1)."""
    tbs = framed_content_tbs(authenticated.wire_format, authenticated.content, context)
    if not labels.verify_with_label(
        suite, verification_key, FRAMED_CONTENT_TBS_LABEL, tbs, authenticated.auth.signature
    ):
        raise InvalidMessage("bad-signature", "the content signature does not verify")


def _check_sender_content(content: FramedContent) -> None:
    sender_type = content.sender.sender_type
    if content.content_type not in _SENDER_CONTENT[sender_type]:
        raise InvalidMessage(
            "bad-sender", f"a {sender_type.name} sender cannot send {content.content_type.name}"
        )
    if sender_type == SenderType.NEW_MEMBER_PROPOSAL and not isinstance(content.content, Add):
        raise InvalidMessage("bad-sender", "a new_member_proposal sender may only propose Add")


def _check_group(context: GroupContext, group_id: bytes, epoch: int) -> None:
    if not hmac.compare_digest(group_id, context.group_id):
        raise InvalidMessage("wrong-group", "the message is for another group")
    if epoch != context.epoch:
        raise InvalidMessage("wrong-epoch", f"message epoch {epoch}, ours {context.epoch}")


# --- PublicMessage (§6.2) -------------------------------------------------------------


def membership_tag(
    suite: CipherSuite,
    membership_key: bytes,
    authenticated: AuthenticatedContent,
    context: GroupContext,
) -> bytes:
    """MAC(membership_key, AuthenticatedContentTBM) (§6.2), where AuthenticatedContentTBM
    is FramedContentTBS followed by FramedContentAuthData."""
    w = Writer()
    w.raw(framed_content_tbs(authenticated.wire_format, authenticated.content, context))
    authenticated.auth.encode(w)
    return suite.mac(membership_key, w.getvalue())


def seal_public(
    suite: CipherSuite,
    authenticated: AuthenticatedContent,
    *,
    context: GroupContext,
    membership_key: bytes,
) -> PublicMessage:
    """Encode signed content as a PublicMessage, tagging it if the sender is a member."""
    if authenticated.wire_format != WireFormat.PUBLIC_MESSAGE:
        raise UsageError("content signed for another wire format cannot be sent public")
    content = authenticated.content
    if content.content_type == ContentType.APPLICATION:
        raise UsageError("application data MUST be sent as a PrivateMessage (§6)")
    tag = None
    if content.sender.sender_type == SenderType.MEMBER:
        tag = membership_tag(suite, membership_key, authenticated, context)
    return PublicMessage(content, authenticated.auth, tag)


def protect_public(
    suite: CipherSuite,
    content: FramedContent,
    *,
    context: GroupContext,
    signing_key: bytes,
    membership_key: bytes,
    confirmation_tag: bytes | None = None,
) -> PublicMessage:
    """Sign `content` and encode it as a PublicMessage (§6.1, §6.2)."""
    authenticated = authenticate(
        suite,
        WireFormat.PUBLIC_MESSAGE,
        content,
        context=context,
        signing_key=signing_key,
        confirmation_tag=confirmation_tag,
    )
    return seal_public(suite, authenticated, context=context, membership_key=membership_key)


def unprotect_public(
    suite: CipherSuite,
    message: PublicMessage,
    *,
    context: GroupContext,
    membership_key: bytes,
    verification_key: VerificationKeyLookup,
) -> AuthenticatedContent:
    """Check a PublicMessage and return its AuthenticatedContent (§6.2).

    The confirmation tag of a Commit is not checked here: it needs the next epoch's key.
    """
    content = message.content
    _check_group(context, content.group_id, content.epoch)
    if content.content_type == ContentType.APPLICATION:
        raise InvalidMessage("public-application", "application data must be encrypted")
    _check_sender_content(content)
    authenticated = AuthenticatedContent(WireFormat.PUBLIC_MESSAGE, content, message.auth)
    if message.membership_tag is not None:
        want = membership_tag(suite, membership_key, authenticated, context)
        if not hmac.compare_digest(want, message.membership_tag):
            raise InvalidMessage("bad-membership-tag", "the membership tag does not verify")
    verify_signature(
        suite, authenticated, context=context, verification_key=verification_key(content)
    )
    return authenticated


# --- PrivateMessage (§6.3) ------------------------------------------------------------


def private_content(
    message: PrivateMessage, leaf: LeafIndex, plaintext: bytes
) -> AuthenticatedContent:
    """The AuthenticatedContent of a decrypted PrivateMessageContent (§6.3.1) from member
    `leaf`, decoded field by field: every content type, every refusal
    (`malformed-content`, `bad-padding`). `framing.read_private_application` reads the
    common application case in one pass and falls back to this for anything else."""
    content_type = message.content_type
    r = Reader(plaintext)
    try:
        body = decode_content(r, content_type)
        auth = FramedContentAuthData.decode(r, content_type)
    except MLSDecodeError as exc:
        raise InvalidMessage("malformed-content", str(exc)) from None
    if any(r.read(r.remaining)):
        raise InvalidMessage("bad-padding", "PrivateMessageContent padding is not all zero")
    content = FramedContent(
        message.group_id, message.epoch, Sender.member(leaf), message.authenticated_data, body
    )
    return AuthenticatedContent(WireFormat.PRIVATE_MESSAGE, content, auth)


def _ratchet_kind(content_type: ContentType) -> RatchetKind:
    """§6.3.1: application data uses the application ratchet, the rest the handshake one."""
    if content_type == ContentType.APPLICATION:
        return RatchetKind.APPLICATION
    return RatchetKind.HANDSHAKE


def _guarded_nonce(nonce: bytes, reuse_guard: bytes) -> bytes:
    """XOR the 4-byte reuse guard into the nonce's first four bytes (§6.3.1)."""
    if len(reuse_guard) != 4 or len(nonce) < 4:
        raise UsageError("the reuse guard is 4 bytes and the nonce at least 4")
    head = int.from_bytes(nonce[:4], "big") ^ int.from_bytes(reuse_guard, "big")
    return head.to_bytes(4, "big") + nonce[4:]


def seal_private(
    suite: CipherSuite,
    authenticated: AuthenticatedContent,
    *,
    sender_data_secret: bytes,
    secret_tree: SecretTree,
    rng: Rng,
    padding_block: int = 0,
) -> PrivateMessage:
    """Encrypt signed content as a PrivateMessage (§6.3), advancing the sender's ratchet.

    The plaintext is zero-padded to a multiple of `padding_block` bytes (0: no padding),
    hiding exact lengths from the relay (§16.4.2). The 4-byte reuse guard is drawn from
    `rng`; it protects against nonce reuse if ratchet state is ever lost (§6.3.1).
    """
    if authenticated.wire_format != WireFormat.PRIVATE_MESSAGE:
        raise UsageError("content signed for another wire format cannot be sent private")
    if padding_block < 0:
        raise UsageError("padding_block cannot be negative")
    content = authenticated.content
    if content.sender.sender_type != SenderType.MEMBER or content.sender.index is None:
        raise UsageError("only members send PrivateMessages (§6.3.2)")
    leaf = LeafIndex(content.sender.index)
    content_type = content.content_type

    unpadded = PrivateMessageContent(content.content, authenticated.auth).to_bytes()
    padding = (-len(unpadded)) % padding_block if padding_block > 1 else 0
    plaintext = unpadded + bytes(padding)

    key = secret_tree.next_key(leaf, _ratchet_kind(content_type))
    reuse_guard = rng(4)
    if len(reuse_guard) != 4:
        raise UsageError("rng(4) must return 4 bytes")
    aad = PrivateContentAAD(
        content.group_id, content.epoch, content_type, content.authenticated_data
    ).to_bytes()
    ciphertext = suite.aead_seal(key.key, _guarded_nonce(key.nonce, reuse_guard), aad, plaintext)

    sd_key, sd_nonce = sender_data_key_nonce(suite, sender_data_secret, ciphertext)
    sender_data = SenderData(leaf, key.generation, reuse_guard).to_bytes()
    sd_aad = SenderDataAAD(content.group_id, content.epoch, content_type).to_bytes()
    encrypted_sender_data = suite.aead_seal(sd_key, sd_nonce, sd_aad, sender_data)
    return PrivateMessage(
        content.group_id,
        content.epoch,
        content_type,
        content.authenticated_data,
        encrypted_sender_data,
        ciphertext,
    )


def protect_private(
    suite: CipherSuite,
    content: FramedContent,
    *,
    context: GroupContext,
    signing_key: bytes,
    sender_data_secret: bytes,
    secret_tree: SecretTree,
    rng: Rng,
    padding_block: int = 0,
    confirmation_tag: bytes | None = None,
) -> PrivateMessage:
    """Sign `content` and encrypt it as a PrivateMessage (§6.1, §6.3)."""
    authenticated = authenticate(
        suite,
        WireFormat.PRIVATE_MESSAGE,
        content,
        context=context,
        signing_key=signing_key,
        confirmation_tag=confirmation_tag,
    )
    return seal_private(
        suite,
        authenticated,
        sender_data_secret=sender_data_secret,
        secret_tree=secret_tree,
        rng=rng,
        padding_block=padding_block,
    )


def unprotect_private(
    suite: CipherSuite,
    message: PrivateMessage,
    *,
    context: GroupContext,
    sender_data_secret: bytes,
    secret_tree: SecretTree,
    verification_key: VerificationKeyLookup,
) -> AuthenticatedContent:
    """Decrypt and check a PrivateMessage, returning its AuthenticatedContent (§6.3).

    The ratchet key is consumed from `secret_tree` once the sender data names it, even
    if the content then fails to open (the tree has no way to put a key back).
    """
    _check_group(context, message.group_id, message.epoch)
    content_type = message.content_type

    sd_key, sd_nonce = sender_data_key_nonce(suite, sender_data_secret, message.ciphertext)
    sd_aad = message.sender_data_aad()
    sd_plain = suite.aead_open(sd_key, sd_nonce, sd_aad, message.encrypted_sender_data)
    try:
        sender_data = SenderData.from_bytes(sd_plain)
    except MLSDecodeError as exc:
        raise InvalidMessage("malformed-sender-data", str(exc)) from None

    leaf = LeafIndex(sender_data.leaf_index)

    def open_and_verify(key: RatchetKey) -> AuthenticatedContent:
        aad = message.content_aad()
        nonce = _guarded_nonce(key.nonce, sender_data.reuse_guard)
        plaintext = suite.aead_open(key.key, nonce, aad, message.ciphertext)
        authenticated = read_private_application(message, leaf, plaintext) or private_content(
            message, leaf, plaintext
        )
        content = authenticated.content
        verify_signature(
            suite, authenticated, context=context, verification_key=verification_key(content)
        )
        return authenticated

    # The key is consumed only once the content decrypts AND its signature verifies.
    return secret_tree.open_with(
        leaf, _ratchet_kind(content_type), sender_data.generation, open_and_verify
    )
