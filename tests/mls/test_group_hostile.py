"""Hostile input to the group (RFC 9420 §6, §7.9, §12.2, §12.4.2, §12.4.3.1).

Each forged or replayed message is rejected with a specific `InvalidMessage.reason`, and
the receiver's state is unchanged (STYLE: "a failure leaves the old state"): its full
serialization, secrets included, is byte-for-byte what it was.

Forged commits come from a committer whose own checks are switched off (monkeypatched):
it signs and tags what it built, so only the receiver's validation stands in the way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest

from hasteh.mls import group as group_module
from hasteh.mls.codec import encode_varint
from hasteh.mls.commit import Commit, ProposalRef, UpdatePath
from hasteh.mls.errors import InvalidMessage
from hasteh.mls.framing import (
    AuthenticatedContent,
    MLSMessage,
    PublicMessage,
    WireFormat,
)
from hasteh.mls.group import GroupConfig, GroupState, join_from_welcome
from hasteh.mls.leaf_validation import sign_leaf_node
from hasteh.mls.message_protection import membership_tag
from hasteh.mls.proposals import Add, Remove
from hasteh.mls.welcome import Welcome

from .group_helpers import NOW, World, new_key_package


def reject(state: GroupState, message: bytes, reason: str) -> None:
    """`state` refuses `message` with `reason` and is left exactly as it was."""
    before = state.to_bytes()
    with pytest.raises(InvalidMessage) as e:
        state.process(message, now=NOW)
    assert e.value.reason == reason, str(e.value)
    assert state.to_bytes() == before


def three() -> World:
    world = World.start()
    world.add("alice", "bob", "carol")
    return world


def public_body(message: bytes) -> PublicMessage:
    body = MLSMessage.from_bytes(message).body
    assert isinstance(body, PublicMessage)
    return body


def retag(sender: GroupState, body: PublicMessage) -> bytes:
    """Re-compute the membership tag as the (malicious) member `sender` would."""
    auth = AuthenticatedContent(WireFormat.PUBLIC_MESSAGE, body.content, body.auth)
    tag = membership_tag(sender.suite, sender.keys.membership_key, auth, sender.context)
    return MLSMessage(replace(body, membership_tag=tag)).to_bytes()


@contextmanager
def lenient_committer(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Switch off the committer-side §12.2 checks while a forged commit is built."""
    with monkeypatch.context() as m:
        m.setattr(group_module, "check_proposal_list", lambda *a, **k: None)
        yield


@contextmanager
def corrupt_path(
    monkeypatch: pytest.MonkeyPatch, change: Callable[[GroupState, UpdatePath], UpdatePath]
) -> Iterator[None]:
    """Make the committer's UpdatePath go through `change` before it is signed."""
    original = group_module._create_update_path

    def patched(state, tree, applied, rng, *rest):  # type: ignore[no-untyped-def]
        tree, path, secrets, commit_secret, keys = original(state, tree, applied, rng, *rest)
        return tree, change(state, path), secrets, commit_secret, keys

    with monkeypatch.context() as m:
        m.setattr(group_module, "_create_update_path", patched)
        yield


# --- framing: signature, membership tag, group, epoch, replay ---------------------------------


def test_tampered_signature() -> None:
    world = three()
    a = world.states["alice"]
    out = a.commit(force_path=True, rng=world.rng)
    body = public_body(out.commit)
    sig = bytearray(body.auth.signature)
    sig[0] ^= 1
    forged = retag(a, replace(body, auth=replace(body.auth, signature=bytes(sig))))
    reject(world.states["bob"], forged, "bad-signature")


def test_tampered_membership_tag() -> None:
    world = three()
    out = world.states["alice"].commit(force_path=True, rng=world.rng)
    body = public_body(out.commit)
    assert body.membership_tag is not None
    forged = MLSMessage(replace(body, membership_tag=bytes(len(body.membership_tag)))).to_bytes()
    reject(world.states["bob"], forged, "bad-membership-tag")


def test_tampered_confirmation_tag() -> None:
    world = three()
    a = world.states["alice"]
    out = a.commit(force_path=True, rng=world.rng)
    body = public_body(out.commit)
    assert body.auth.confirmation_tag is not None
    forged = retag(a, replace(body, auth=replace(body.auth, confirmation_tag=bytes(32))))
    reject(world.states["bob"], forged, "bad-confirmation-tag")


def test_wrong_group() -> None:
    world = three()
    other = World.start("zed")
    other.add("zed", "yan")
    reject(world.states["bob"], other.states["zed"].protect(b"x", rng=other.rng), "wrong-group")


def test_wrong_epoch_and_replayed_commit() -> None:
    world = three()
    out = world.states["alice"].commit(force_path=True, rng=world.rng)
    world.deliver("alice", out.commit)
    reject(world.states["bob"], out.commit, "wrong-epoch")


def test_replayed_application_message() -> None:
    world = three()
    msg = world.states["alice"].protect(b"once", rng=world.rng)
    bob = world.states["bob"]
    assert bob.unprotect(msg).data == b"once"
    reject(bob, msg, "key-consumed")


@pytest.mark.parametrize("encrypt", [False, True])
def test_forged_private_content_burns_nothing(encrypt: bool) -> None:
    world = World.start(config=GroupConfig(encrypt_handshake=encrypt))
    world.add("alice", "bob")
    msg = bytearray(world.states["alice"].protect(b"x" * 100, rng=world.rng))
    msg[-1] ^= 1  # in the content ciphertext, past the sender-data sample
    bob = world.states["bob"]
    # The first refusal keeps the derived key (unused, still available once); from then
    # on the same garbage changes nothing at all.
    with pytest.raises(InvalidMessage) as e:
        bob.process(bytes(msg), now=NOW)
    assert e.value.reason == "aead-open-failed"
    reject(bob, bytes(msg), "aead-open-failed")
    msg[-1] ^= 1
    assert bob.unprotect(bytes(msg)).data == b"x" * 100


def test_unknown_proposal_reference() -> None:
    world = three()
    a = world.states["alice"]
    bogus = ProposalRef(bytes(32))
    body = public_body(a.commit(force_path=True, rng=world.rng).commit)
    assert isinstance(body.content.content, Commit)
    content = replace(body.content, content=replace(body.content.content, proposals=(bogus,)))
    auth = group_module.authenticate(
        a.suite,
        WireFormat.PUBLIC_MESSAGE,
        content,
        context=a.context,
        signing_key=a.signature_private,
        confirmation_tag=body.auth.confirmation_tag,
    )
    forged = retag(a, PublicMessage(content, auth.auth, body.membership_tag))
    reject(world.states["bob"], forged, "unknown-proposal")


def test_oversized_vector() -> None:
    world = three()
    # A PublicMessage whose group_id claims 2^30 - 1 bytes.
    forged = (1).to_bytes(2, "big") + (1).to_bytes(2, "big") + encode_varint((1 << 30) - 1) + b"x"
    reject(world.states["bob"], forged, "malformed-message")


def test_trailing_bytes() -> None:
    world = three()
    msg = world.states["alice"].protect(b"x", rng=world.rng)
    reject(world.states["bob"], msg + b"\0", "malformed-message")


# --- proposal lists (§12.2) --------------------------------------------------------------------


def test_commit_removing_its_committer(monkeypatch: pytest.MonkeyPatch) -> None:
    world = three()
    a = world.states["alice"]
    # No path either: a path cannot be built from a leaf the commit blanks.
    with lenient_committer(monkeypatch), monkeypatch.context() as m:
        m.setattr(group_module, "path_required", lambda items: False)
        out = a.commit([Remove(a.own_leaf)], rng=world.rng)
    reject(world.states["bob"], out.commit, "removes-committer")


def test_commit_with_two_removes_of_one_leaf(monkeypatch: pytest.MonkeyPatch) -> None:
    world = three()
    a = world.states["alice"]
    with lenient_committer(monkeypatch), pytest.raises(InvalidMessage) as e:
        a.commit([Remove(world.states["bob"].own_leaf)] * 2, rng=world.rng)
    assert e.value.reason == "invalid-remove"  # the second finds a blank leaf


def test_commit_adding_an_existing_member(monkeypatch: pytest.MonkeyPatch) -> None:
    world = three()
    a = world.states["alice"]
    kps = new_key_package("dan", world.rng)
    with lenient_committer(monkeypatch), pytest.raises(InvalidMessage) as e:
        a.commit([Add(kps.key_package), Add(kps.key_package)], rng=world.rng)
    assert e.value.reason == "duplicate-encryption-key"


def test_commit_of_own_update(monkeypatch: pytest.MonkeyPatch) -> None:
    world = three()
    a, proposal = world.states["alice"].propose_update(rng=world.rng)
    bob = world.states["bob"].process(proposal)
    assert isinstance(bob, group_module.ProposalReceived)
    ref = a.proposals.entries[0].ref
    with lenient_committer(monkeypatch):
        out = a.commit(by_reference=[ref], force_path=True, rng=world.rng)
    reject(bob.new_state, out.commit, "own-update")
    # A member that never saw the proposal cannot even resolve the reference.
    reject(world.states["carol"], out.commit, "unknown-proposal")


def test_commit_without_required_path(monkeypatch: pytest.MonkeyPatch) -> None:
    world = three()
    a = world.states["alice"]
    with monkeypatch.context() as m:
        m.setattr(group_module, "path_required", lambda items: False)
        out = a.commit([Remove(world.states["carol"].own_leaf)], rng=world.rng)
    reject(world.states["bob"], out.commit, "missing-path")


# --- UpdatePath and parent hashes (§7.5, §7.9, §12.4.2) ----------------------------------------


def test_path_with_a_replaced_node_key(monkeypatch: pytest.MonkeyPatch) -> None:
    world = three()

    def change(state: GroupState, path: UpdatePath) -> UpdatePath:
        other = world.states["carol"].own_leaf_node.encryption_key  # a valid point
        return replace(path, nodes=(replace(path.nodes[0], encryption_key=other), *path.nodes[1:]))

    with corrupt_path(monkeypatch, change):
        out = world.states["alice"].commit(force_path=True, rng=world.rng)
    reject(world.states["bob"], out.commit, "duplicate-encryption-key")


def test_path_with_a_wrong_parent_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    world = three()

    def change(state: GroupState, path: UpdatePath) -> UpdatePath:
        leaf = replace(path.leaf_node, parent_hash=bytes(32))
        leaf = sign_leaf_node(
            state.suite,
            state.signature_private,
            leaf,
            group_id=state.group_id,
            leaf_index=state.own_leaf,
        )
        return replace(path, leaf_node=leaf)

    with corrupt_path(monkeypatch, change):
        out = world.states["alice"].commit(force_path=True, rng=world.rng)
    reject(world.states["bob"], out.commit, "bad-parent-hash")


def test_path_with_missing_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    world = three()

    def change(state: GroupState, path: UpdatePath) -> UpdatePath:
        return replace(path, nodes=path.nodes[:-1])

    with corrupt_path(monkeypatch, change):
        out = world.states["alice"].commit(force_path=True, rng=world.rng)
    reject(world.states["bob"], out.commit, "bad-update-path-length")


def test_path_with_a_bad_leaf_signature(monkeypatch: pytest.MonkeyPatch) -> None:
    world = three()

    def change(state: GroupState, path: UpdatePath) -> UpdatePath:
        return replace(path, leaf_node=replace(path.leaf_node, signature=bytes(64)))

    with corrupt_path(monkeypatch, change):
        out = world.states["alice"].commit(force_path=True, rng=world.rng)
    reject(world.states["bob"], out.commit, "bad-leaf-signature")


def test_path_with_a_corrupted_ciphertext(monkeypatch: pytest.MonkeyPatch) -> None:
    world = three()

    def change(state: GroupState, path: UpdatePath) -> UpdatePath:
        nodes = []
        for node in path.nodes:
            cts = tuple(
                replace(c, ciphertext=bytes([c.ciphertext[0] ^ 1]) + c.ciphertext[1:])
                for c in node.encrypted_path_secret
            )
            nodes.append(replace(node, encrypted_path_secret=cts))
        return replace(path, nodes=tuple(nodes))

    with corrupt_path(monkeypatch, change):
        out = world.states["alice"].commit(force_path=True, rng=world.rng)
    reject(world.states["bob"], out.commit, "hpke-open-failed")


# --- Welcome (§12.4.3.1) -----------------------------------------------------------------------


def test_tampered_and_misaddressed_welcome() -> None:
    world = World.start()
    kps = new_key_package("bob", world.rng)
    out = world.states["alice"].commit([Add(kps.key_package)], rng=world.rng)
    assert out.welcome is not None
    w = MLSMessage.from_bytes(out.welcome).body
    assert isinstance(w, Welcome)
    gi = bytearray(w.encrypted_group_info)
    gi[-1] ^= 1
    with pytest.raises(InvalidMessage) as e:
        join_from_welcome(MLSMessage(replace(w, encrypted_group_info=bytes(gi))).to_bytes(), kps)
    assert e.value.reason in ("hpke-open-failed", "bad-welcome")
    stranger = new_key_package("eve", world.rng)
    with pytest.raises(InvalidMessage) as e:
        join_from_welcome(out.welcome, stranger)
    assert e.value.reason == "welcome-not-for-us"
