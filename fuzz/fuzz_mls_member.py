"""MLS as a malicious member: bob, a member of alice's group, sends fuzzed proposals and
commits that are **signed with his key and tagged** (PublicMessage, membership tag) or
**encrypted under his ratchet** (PrivateMessage), so they pass authentication and reach
proposal and commit validation. Byte 0: bit 0 private/public; bits 1–2: proposal, commit,
application data, or raw wire bytes. The rest: the proposal or commit (TLS encoding) or the
raw message. Bit 3, for a commit: bob computes the **real confirmation tag** (as a
malicious committer can: `real_tag` lets carol, who sees the group as alice does, derive
the new epoch up to the tag), so a hostile but well-formed commit is applied and merged;
otherwise the tag is junk and processing stops at that last check at the latest.

Oracle: alice's `process` raises only `MLSError`; after a rejection her epoch, tree and
epoch authenticator are unchanged; a commit with a junk tag is never applied; an applied
commit moves to the next epoch and its state survives `to_bytes`/`from_bytes`."""

from __future__ import annotations

import hashlib
from typing import Any

from fuzz import _mls_world
from fuzz._common import NOW, DetRng, Finding, harness, main
from hasteh.mls import group as mls_group
from hasteh.mls.codec import decode_all
from hasteh.mls.commit import Commit
from hasteh.mls.errors import MLSError
from hasteh.mls.framing import FramedContent, MLSMessage, Sender, WireFormat
from hasteh.mls.group import CommitApplied, GroupState
from hasteh.mls.message_protection import authenticate, seal_public
from hasteh.mls.proposals import decode_proposal
from hasteh.mls.transcript_hash import confirmation_tag

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


class _Tag(Exception):
    def __init__(self, tag: bytes) -> None:
        self.tag = tag


def _capture(suite: Any, confirmation_key: bytes, confirmed: bytes, tag: bytes) -> None:
    raise _Tag(confirmation_tag(suite, confirmation_key, confirmed))


def real_tag(world: _mls_world.World, wire: bytes) -> bytes | None:
    """The confirmation tag bob would compute for his commit: carol (who sees the group
    as alice does) processes it up to the tag check, which hands over the right tag."""
    carol = world.state("carol")
    saved = mls_group.verify_confirmation_tag
    mls_group.verify_confirmation_tag = _capture
    try:
        carol.process(wire, now=NOW)
    except _Tag as found:
        return found.tag
    except MLSError:
        return None
    finally:
        mls_group.verify_confirmation_tag = saved
    return None


def forge(
    world: _mls_world.World, kind: int, data: bytes, tag: bytes | None = None
) -> bytes | None:
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
    if kind == 1 and tag is None:
        tag = hashlib.sha256(data).digest()  # not the real one: see `real_tag`
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
    honest_tag = False
    if kind == 1 and data[0] & 8:  # bob computes the real confirmation tag
        tag = real_tag(world, wire)
        if tag is not None:
            wire = forge(world, kind, data[1:], tag)
            honest_tag = True
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
    if isinstance(result, CommitApplied) and kind == 1 and not honest_tag:
        raise Finding("a commit with a forged confirmation tag was applied")
    if _fingerprint(alice) != before:
        raise Finding("processing changed the state it started from")
    if isinstance(result, CommitApplied) and result.new_state is not None:
        new = result.new_state
        if new.epoch != alice.epoch + 1:
            raise Finding("a commit applied to another epoch than the next")
        again = GroupState.from_bytes(new.to_bytes(), world.config)
        if _fingerprint(again) != _fingerprint(new):
            raise Finding("the state after a commit does not survive to_bytes/from_bytes")


if __name__ == "__main__":
    main(TestOneInput)
