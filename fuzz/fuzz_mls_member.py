"""MLS as a malicious member: bob, a member of alice's group, sends fuzzed proposals and
commits that are **signed with his key and tagged** (PublicMessage, membership tag) or
**encrypted under his ratchet** (PrivateMessage), so they pass authentication and reach
proposal and commit validation. Byte 0: bit 0 private/public; bits 1–2: proposal, commit,
application data, or raw wire bytes. The rest: the proposal or commit (TLS encoding) or the
raw message. A fuzzed commit carries a confirmation tag bob cannot compute for a commit
that is not real, so it stops at that last check at the latest.

Oracle: alice's `process` raises only `MLSError`; after a rejection her epoch, tree and
epoch authenticator are unchanged; no forged commit is ever applied."""

from __future__ import annotations

import hashlib

from fuzz import _mls_world
from fuzz._common import NOW, DetRng, Finding, harness, main
from hasteh.mls.codec import decode_all
from hasteh.mls.commit import Commit
from hasteh.mls.errors import MLSError
from hasteh.mls.framing import FramedContent, MLSMessage, Sender, WireFormat
from hasteh.mls.group import CommitApplied, GroupState
from hasteh.mls.message_protection import authenticate, seal_public
from hasteh.mls.proposals import decode_proposal

for _private in (False, True):
    _mls_world.world(_private)  # built once, at import (also for the CI replay)


def _content(kind: int, data: bytes) -> bytes | object | None:
    try:
        if kind == 0:
            return decode_all(data, decode_proposal)
        if kind == 1:
            return decode_all(data, Commit.decode)
    except MLSError:
        return None
    return data  # application data: any bytes


def _fingerprint(state: GroupState) -> tuple[object, ...]:
    return (state.epoch, state.tree_hash, state.epoch_authenticator, state.context)


def forge(world: _mls_world.World, kind: int, data: bytes) -> bytes | None:
    """Bob's signed (and tagged, or encrypted) message carrying `data` as `kind`."""
    content_body = _content(kind, data)
    if content_body is None:
        return None
    bob = world.state("bob")
    private = world.config.encrypt_handshake or kind == 2
    wire_format = WireFormat.PRIVATE_MESSAGE if private else WireFormat.PUBLIC_MESSAGE
    content = FramedContent(
        bob.group_id,
        bob.epoch,
        Sender.member(int(bob.own_leaf)),
        b"",
        content_body,  # type: ignore[arg-type]
    )
    tag = hashlib.sha256(data).digest() if kind == 1 else None
    try:
        auth = authenticate(
            bob.suite,
            wire_format,
            content,
            context=bob.context,
            signing_key=bob.signature_private,
            confirmation_tag=tag,
        )
        if private:
            return bob._seal(auth, DetRng(data[:16]))
        body = seal_public(
            bob.suite, auth, context=bob.context, membership_key=bob.keys.membership_key
        )
        return MLSMessage(body).to_bytes()
    except MLSError:
        return None  # bob's own library refuses to frame it


@harness
def TestOneInput(data: bytes) -> None:
    if not data:
        return
    world = _mls_world.world(bool(data[0] & 1))
    kind = (data[0] >> 1) % 4
    wire = data[1:] if kind == 3 else forge(world, kind, data[1:])
    if wire is None:
        return
    alice = world.state("alice")
    before = _fingerprint(alice)
    try:
        result = alice.process(wire, now=NOW)
    except MLSError:
        if _fingerprint(alice) != before:
            raise Finding("a rejected message changed alice's group") from None
        return
    if isinstance(result, CommitApplied) and kind != 3:
        raise Finding("a commit with a forged confirmation tag was applied")
    if _fingerprint(alice) != before:
        raise Finding("processing changed the state it started from")


if __name__ == "__main__":
    main(TestOneInput)
