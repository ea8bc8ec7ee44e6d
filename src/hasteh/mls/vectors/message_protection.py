"""message-protection.json: PublicMessage and PrivateMessage protection (RFC 9420 §6).

Verification (test-vectors.md):
* Construct a GroupContext with the provided cipher_suite, group_id, epoch, tree_hash and
  confirmed_transcript_hash, and empty extensions.
* For each of proposal, commit and application:
  * Initialize a secret tree for 2 members with the specified encryption_secret.
  * Use the member with LeafIndex 1 as the sender.
  * The `pub` message verifies with membership_key and signature_pub and produces the
    raw proposal / commit / application data.
  * Protecting the raw value with membership_key and signature_priv produces a
    PublicMessage that verifies with membership_key and signature_pub. For the
    application message, instead verify that protecting as a PublicMessage fails.
  * The `priv` message unprotects using the secret tree and signature_pub.
  * Protecting the raw value with the secret tree, sender_data_secret and signature_priv
    produces a PrivateMessage that unprotects with the secret tree, sender_data_secret
    and signature_pub.
Each secret tree below is fresh, as each party (vector sender, us as sender, us as
receiver) would hold its own.
"""

from __future__ import annotations

import hashlib
from typing import Any

from hasteh.mls.cipher_suite import CipherSuite, get_suite
from hasteh.mls.commit import Commit
from hasteh.mls.errors import UsageError
from hasteh.mls.framing import (
    AuthenticatedContent,
    Content,
    FramedContent,
    MLSMessage,
    PrivateMessage,
    PublicMessage,
    Sender,
)
from hasteh.mls.group_context import GroupContext
from hasteh.mls.message_protection import (
    protect_private,
    protect_public,
    unprotect_private,
    unprotect_public,
)
from hasteh.mls.proposals import proposal_from_bytes, proposal_to_bytes
from hasteh.mls.secret_tree import SecretTree
from hasteh.mls.tree_math import LeafIndex
from hasteh.mls.vectors import Mismatch, expect, h

SENDER = LeafIndex(1)
N_LEAVES = 2


class _CountingRng:
    """Deterministic bytes for the reuse guard; any value must work."""

    def __init__(self) -> None:
        self._n = 0

    def __call__(self, n: int) -> bytes:
        self._n += 1
        return hashlib.sha256(self._n.to_bytes(4, "big")).digest()[:n]


def _public(data: bytes) -> PublicMessage:
    body = MLSMessage.from_bytes(data).body
    if not isinstance(body, PublicMessage):
        raise Mismatch("expected an MLSMessage(PublicMessage)")
    return body


def _private(data: bytes) -> PrivateMessage:
    body = MLSMessage.from_bytes(data).body
    if not isinstance(body, PrivateMessage):
        raise Mismatch("expected an MLSMessage(PrivateMessage)")
    return body


def _check_one(
    case: dict[str, Any], suite: CipherSuite, context: GroupContext, name: str, raw: Content
) -> None:
    membership_key = h(case["membership_key"])
    sds = h(case["sender_data_secret"])
    priv, pub = h(case["signature_priv"]), h(case["signature_pub"])

    def tree() -> SecretTree:
        return SecretTree(suite, h(case["encryption_secret"]), N_LEAVES)

    def key(content: FramedContent) -> bytes:
        expect(f"{name}: sender", content.sender, Sender.member(SENDER))
        return pub

    confirmation_tag: bytes | None = None
    if name != "application":
        got = unprotect_public(
            suite,
            _public(h(case[f"{name}_pub"])),
            context=context,
            membership_key=membership_key,
            verification_key=key,
        )
        expect(f"{name}_pub content", got.content.content, raw)
        confirmation_tag = got.auth.confirmation_tag

    framed = FramedContent(context.group_id, context.epoch, Sender.member(SENDER), b"", raw)
    if name == "application":
        try:
            protect_public(
                suite, framed, context=context, signing_key=priv, membership_key=membership_key
            )
        except UsageError:
            pass
        else:
            raise Mismatch("protecting application data as a PublicMessage succeeded")
    else:
        ours = protect_public(
            suite,
            framed,
            context=context,
            signing_key=priv,
            membership_key=membership_key,
            confirmation_tag=confirmation_tag,
        )
        ours = _public(MLSMessage(ours).to_bytes())  # through the wire encoding
        again = unprotect_public(
            suite, ours, context=context, membership_key=membership_key, verification_key=key
        )
        expect(f"{name}: our PublicMessage content", again.content.content, raw)

    got_priv: AuthenticatedContent = unprotect_private(
        suite,
        _private(h(case[f"{name}_priv"])),
        context=context,
        sender_data_secret=sds,
        secret_tree=tree(),
        verification_key=key,
    )
    expect(f"{name}_priv content", got_priv.content.content, raw)

    sent = protect_private(
        suite,
        framed,
        context=context,
        signing_key=priv,
        sender_data_secret=sds,
        secret_tree=tree(),
        rng=_CountingRng(),
        padding_block=32,
        confirmation_tag=got_priv.auth.confirmation_tag,
    )
    sent = _private(MLSMessage(sent).to_bytes())  # through the wire encoding
    back = unprotect_private(
        suite,
        sent,
        context=context,
        sender_data_secret=sds,
        secret_tree=tree(),
        verification_key=key,
    )
    expect(f"{name}: our PrivateMessage content", back.content.content, raw)


def check(case: dict[str, Any]) -> None:
    suite = get_suite(case["cipher_suite"])
    context = GroupContext(
        cipher_suite=case["cipher_suite"],
        group_id=h(case["group_id"]),
        epoch=case["epoch"],
        tree_hash=h(case["tree_hash"]),
        confirmed_transcript_hash=h(case["confirmed_transcript_hash"]),
    )
    proposal = proposal_from_bytes(h(case["proposal"]))
    expect("proposal re-encoded", proposal_to_bytes(proposal), h(case["proposal"]))
    commit = Commit.from_bytes(h(case["commit"]))
    expect("commit re-encoded", commit.to_bytes(), h(case["commit"]))
    _check_one(case, suite, context, "proposal", proposal)
    _check_one(case, suite, context, "commit", commit)
    _check_one(case, suite, context, "application", h(case["application"]))
