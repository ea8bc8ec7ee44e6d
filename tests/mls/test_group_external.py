"""External joins, external proposals and new signature keys (RFC 9420 §12.1.2,
§12.1.8, §12.4.3.2), honest and hostile.

Hostile messages are properly signed by whoever the attacker is (the joiner, the external
sender, a member): only the receiver's validation stands in the way. Each is refused with a
pinned `InvalidMessage.reason` and leaves the receiver's serialized state unchanged.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hasteh.mls import group as group_module
from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.commit import Commit, ProposalRef
from hasteh.mls.credential import BasicCredential
from hasteh.mls.errors import InvalidMessage, MLSDecodeError, UsageError
from hasteh.mls.external_proposals import propose_as_external_sender, propose_own_add
from hasteh.mls.external_senders import (
    ExternalSender,
    decode_external_senders,
    encode_external_senders,
    external_senders_extension,
)
from hasteh.mls.framing import (
    AuthenticatedContent,
    FramedContent,
    FramedContentAuthData,
    MLSMessage,
    PublicMessage,
    Sender,
    WireFormat,
)
from hasteh.mls.group import (
    CommitApplied,
    GroupConfig,
    GroupState,
    ProposalReceived,
    create_group,
    join_by_external_commit,
)
from hasteh.mls.labels import sign_with_label
from hasteh.mls.message_protection import sign_content
from hasteh.mls.proposals import ExternalInit, Proposal, Remove, Update
from hasteh.mls.welcome import GROUP_INFO_TBS_LABEL

from .group_helpers import NOW, SUITE, DetRng, World, new_key_package
from .test_group_audit import ext_world
from .test_group_hostile import reject

S = get_suite(SUITE)


def two() -> World:
    world = World.start()
    world.add("alice", "bob")
    return world


def deliver_all(world: World, message: bytes, *, skip: str = "") -> None:
    for name in list(world.states):
        if name == skip:
            continue
        result = world.states[name].process(message, now=NOW)
        assert isinstance(result, CommitApplied)
        if result.removed_self:
            del world.states[name]
        else:
            assert result.new_state is not None
            world.states[name] = result.new_state


def public(message: bytes) -> PublicMessage:
    body = MLSMessage.from_bytes(message).body
    assert isinstance(body, PublicMessage)
    return body


def resign(message: bytes, signing_key: bytes, context_of: GroupState, change: Commit) -> bytes:
    """The external Commit `message` with its Commit replaced by `change`, re-signed by
    the joiner (`signing_key`); the confirmation tag is kept (checked only later)."""
    body = public(message)
    content = replace(body.content, content=change)
    signature = sign_content(
        S, WireFormat.PUBLIC_MESSAGE, content, context=context_of.context, signing_key=signing_key
    )
    auth = FramedContentAuthData(signature, body.auth.confirmation_tag)
    return MLSMessage(PublicMessage(content, auth, None)).to_bytes()


def commit_of(message: bytes) -> Commit:
    commit = public(message).content.content
    assert isinstance(commit, Commit)
    return commit


# --- external join (§12.4.3.2) -----------------------------------------------------------


@pytest.mark.parametrize("external_tree", [False, True])
def test_external_join_then_talk(external_tree: bool) -> None:
    world = two()
    alice = world.states["alice"]
    info = alice.group_info(external_tree=external_tree)
    tree = alice.ratchet_tree() if external_tree else None
    carol_kp = new_key_package("carol", world.rng)
    joined = join_by_external_commit(info, carol_kp, tree, rng=world.rng, now=NOW)
    deliver_all(world, joined.commit)
    world.states["carol"] = joined.new_state
    world.assert_agree()
    assert joined.new_state.epoch == alice.epoch + 1
    carol = world.states["carol"]
    msg = carol.protect(b"hi from carol", rng=world.rng)
    assert world.states["bob"].unprotect(msg).data == b"hi from carol"
    # The joiner commits as a member afterwards.
    world.commit("carol", [], force_path=True)
    world.assert_agree()


def test_external_resync_replaces_the_old_leaf() -> None:
    world = two()
    world.add("alice", "carol")
    bob = world.states.pop("bob")
    kp = new_key_package("bob", world.rng)
    joined = join_by_external_commit(
        world.states["alice"].group_info(), kp, rng=world.rng, resync=bob.own_leaf, now=NOW
    )
    # The old bob sees himself removed.
    result = bob.process(joined.commit, now=NOW)
    assert isinstance(result, CommitApplied) and result.removed_self
    deliver_all(world, joined.commit)
    world.states["bob"] = joined.new_state
    world.assert_agree()
    assert len(joined.new_state.members()) == 3


def test_external_join_refuses_group_info_without_external_pub() -> None:
    world = two()
    alice = world.states["alice"]
    stripped = alice._group_info(inline_tree=True)
    stripped = replace(stripped, extensions=stripped.extensions[:1])  # the tree only
    signed = replace(
        stripped,
        signature=sign_with_label(
            S, alice.signature_private, GROUP_INFO_TBS_LABEL, stripped.tbs.to_bytes()
        ),
    )
    with pytest.raises(InvalidMessage) as e:
        join_by_external_commit(
            MLSMessage(signed).to_bytes(), new_key_package("x", world.rng), rng=world.rng
        )
    assert e.value.reason == "missing-external-pub"


def external_attempt(world: World) -> tuple[bytes, bytes]:
    """An honest external Commit by "mallory" and her signature key."""
    kp = new_key_package("mallory", world.rng)
    joined = join_by_external_commit(world.states["alice"].group_info(), kp, rng=world.rng, now=NOW)
    return joined.commit, kp.signature_private


def test_external_commit_with_a_proposal_by_reference() -> None:
    world = two()
    message, key = external_attempt(world)
    commit = commit_of(message)
    forged = resign(
        message,
        key,
        world.states["bob"],
        replace(commit, proposals=(*commit.proposals, ProposalRef(bytes(32)))),
    )
    reject(world.states["bob"], forged, "invalid-external-commit")


@pytest.mark.parametrize(
    "extra",
    [
        lambda c: (*c.proposals, c.proposals[0]),  # two ExternalInits
        lambda c: (),  # none
        lambda c: (*c.proposals, Remove(0), Remove(1)),  # two Removes
    ],
    ids=["two-inits", "no-init", "two-removes"],
)
def test_external_commit_proposal_list(extra) -> None:  # type: ignore[no-untyped-def]
    world = two()
    message, key = external_attempt(world)
    commit = commit_of(message)
    forged = resign(message, key, world.states["bob"], replace(commit, proposals=extra(commit)))
    reject(world.states["bob"], forged, "invalid-external-commit")


def test_external_commit_with_an_update() -> None:
    world = two()
    alice = world.states["alice"]
    _, update_msg = alice.propose_update(rng=world.rng)
    update = public(update_msg).content.content
    assert isinstance(update, Update)
    message, key = external_attempt(world)
    commit = commit_of(message)
    forged = resign(
        message, key, world.states["bob"], replace(commit, proposals=(*commit.proposals, update))
    )
    reject(world.states["bob"], forged, "bad-sender")


def test_external_commit_without_path() -> None:
    world = two()
    message, key = external_attempt(world)
    forged = resign(message, key, world.states["bob"], replace(commit_of(message), path=None))
    reject(world.states["bob"], forged, "missing-path")


def test_external_commit_signed_by_another_key() -> None:
    world = two()
    message, _ = external_attempt(world)
    other, _ = S.generate_signature_key(DetRng("other"))
    forged = resign(message, other, world.states["bob"], commit_of(message))
    reject(world.states["bob"], forged, "bad-signature")


def test_external_commit_with_a_bad_kem_output() -> None:
    world = two()
    message, key = external_attempt(world)
    commit = commit_of(message)
    forged = resign(
        message,
        key,
        world.states["bob"],
        replace(commit, proposals=(ExternalInit(b"\x01" * 5),)),
    )
    reject(world.states["bob"], forged, "bad-external-init")


def test_external_commit_with_a_wrong_confirmation_tag() -> None:
    world = two()
    message, _ = external_attempt(world)
    body = public(message)
    assert body.auth.confirmation_tag is not None
    forged = MLSMessage(
        replace(body, auth=replace(body.auth, confirmation_tag=bytes(32)))
    ).to_bytes()
    reject(world.states["bob"], forged, "bad-confirmation-tag")


def test_replayed_external_commit() -> None:
    world = two()
    message, _ = external_attempt(world)
    # Replayed into the next epoch it is stale.
    deliver_all(world, message)
    reject(world.states["bob"], message, "wrong-epoch")


# --- external proposals (§12.1.8) -------------------------------------------------------


def ds_world() -> tuple[World, bytes]:
    """A group of alice and bob that allows one external sender (the "ds")."""
    rng = DetRng("ds")
    ds_private, ds_public = S.generate_signature_key(rng)
    world = World(rng=rng)
    ext = external_senders_extension([ExternalSender(ds_public, BasicCredential(b"ds"))])
    world.states["alice"] = create_group(
        SUITE, b"g-ds", new_key_package("alice", rng), rng=rng, extensions=(ext,)
    )
    world.add("alice", "bob", "carol")
    return world, ds_private


def test_external_remove_is_committed_by_reference() -> None:
    world, ds = ds_world()
    bob = world.states["bob"]
    proposal = propose_as_external_sender(
        SUITE, bob.group_id, bob.epoch, Remove(2), sender_index=0, signature_private=ds
    )
    for name in ("alice", "bob", "carol"):
        received = world.states[name].process(proposal, now=NOW)
        assert isinstance(received, ProposalReceived)
        world.states[name] = received.new_state
    out = world.states["alice"].commit(rng=world.rng, now=NOW)
    deliver_all(world, out.commit, skip="alice")
    world.states["alice"] = world.states["alice"].merge_pending(out.pending)
    assert "carol" not in world.states
    world.assert_agree()


def test_new_member_proposal_add_is_committed() -> None:
    world, _ = ds_world()
    alice = world.states["alice"]
    dave = new_key_package("dave", world.rng)
    proposal = propose_own_add(alice.group_id, alice.epoch, dave)
    for name in ("alice", "bob", "carol"):
        received = world.states[name].process(proposal, now=NOW)
        assert isinstance(received, ProposalReceived)
        world.states[name] = received.new_state
    out = world.states["alice"].commit(rng=world.rng, now=NOW)
    assert out.welcome is not None
    deliver_all(world, out.commit, skip="alice")
    world.states["alice"] = world.states["alice"].merge_pending(out.pending)
    assert len(world.states["alice"].members()) == 4


def test_external_proposal_from_an_unknown_sender_index() -> None:
    world, ds = ds_world()
    bob = world.states["bob"]
    p = propose_as_external_sender(
        SUITE, bob.group_id, bob.epoch, Remove(2), sender_index=1, signature_private=ds
    )
    reject(bob, p, "unknown-sender")


def test_external_proposal_without_the_extension() -> None:
    world = two()
    bob = world.states["bob"]
    ds, _ = S.generate_signature_key(DetRng("ds2"))
    p = propose_as_external_sender(
        SUITE, bob.group_id, bob.epoch, Remove(0), sender_index=0, signature_private=ds
    )
    reject(bob, p, "unknown-sender")


def test_external_proposal_with_a_wrong_key() -> None:
    world, _ = ds_world()
    bob = world.states["bob"]
    other, _ = S.generate_signature_key(DetRng("not-ds"))
    p = propose_as_external_sender(
        SUITE, bob.group_id, bob.epoch, Remove(2), sender_index=0, signature_private=other
    )
    reject(bob, p, "bad-signature")


def external_message(world: World, ds: bytes, proposal: Proposal) -> bytes:
    """A properly signed external-sender PublicMessage for any proposal type."""
    bob = world.states["bob"]
    content = FramedContent(bob.group_id, bob.epoch, Sender.external(0), b"", proposal)
    signature = sign_content(
        S, WireFormat.PUBLIC_MESSAGE, content, context=bob.context, signing_key=ds
    )
    auth = AuthenticatedContent(
        WireFormat.PUBLIC_MESSAGE, content, FramedContentAuthData(signature)
    )
    return MLSMessage(PublicMessage(auth.content, auth.auth, None)).to_bytes()


def test_external_sender_cannot_send_an_update() -> None:
    world, ds = ds_world()
    alice = world.states["alice"]
    _, update_msg = alice.propose_update(rng=world.rng)
    update = public(update_msg).content.content
    assert isinstance(update, Update)
    reject(world.states["bob"], external_message(world, ds, update), "bad-sender")
    with pytest.raises(UsageError):
        propose_as_external_sender(
            SUITE, alice.group_id, alice.epoch, update, sender_index=0, signature_private=ds
        )


def test_new_member_proposal_must_be_an_add() -> None:
    world, _ = ds_world()
    bob = world.states["bob"]
    mallory = new_key_package("mallory", world.rng)
    honest = public(propose_own_add(bob.group_id, bob.epoch, mallory))
    content = replace(honest.content, content=Remove(0))
    signature = sign_content(
        S,
        WireFormat.PUBLIC_MESSAGE,
        content,
        context=bob.context,
        signing_key=mallory.signature_private,
    )
    forged = MLSMessage(PublicMessage(content, FramedContentAuthData(signature), None)).to_bytes()
    reject(bob, forged, "bad-sender")


@given(st.binary(max_size=200))
def test_external_senders_parser_total(data: bytes) -> None:
    """Random bytes decode to a list that re-encodes to the same bytes, or fail cleanly."""
    try:
        senders = decode_external_senders(data)
    except MLSDecodeError:
        return
    assert encode_external_senders(senders) == data


@given(st.lists(st.tuples(st.binary(min_size=1, max_size=40), st.binary(max_size=40)), max_size=5))
def test_external_senders_round_trip(entries: list[tuple[bytes, bytes]]) -> None:
    senders = [ExternalSender(k, BasicCredential(i)) for k, i in entries]
    assert list(decode_external_senders(encode_external_senders(senders))) == senders


# --- a new signature key (§12.1.2, §7.5) -------------------------------------------------


def test_update_with_a_new_signature_key() -> None:
    world = two()
    bob = world.states["bob"]
    new_private, new_public = S.generate_signature_key(DetRng("bob-new"))
    bob, proposal = bob.propose_update(rng=world.rng, signature_private=new_private)
    world.states["bob"] = bob
    received = world.states["alice"].process(proposal, now=NOW)
    assert isinstance(received, ProposalReceived)
    world.states["alice"] = received.new_state
    out = world.states["alice"].commit(rng=world.rng, now=NOW)
    deliver_all(world, out.commit, skip="alice")
    world.states["alice"] = world.states["alice"].merge_pending(out.pending)
    world.assert_agree()
    bob = world.states["bob"]
    assert bob.signature_private == new_private
    assert bob.own_leaf_node.signature_key == new_public
    assert bob.own_leaf_node.credential == BasicCredential(b"bob")
    # Others verify bob's next messages and commits with the new key.
    assert world.states["alice"].unprotect(bob.protect(b"new key", rng=world.rng)).data == (
        b"new key"
    )
    world.commit("bob", [], force_path=True)
    world.assert_agree()
    assert not world.states["bob"].pending_signature_keys


def test_uncommitted_update_keeps_the_old_signature_key() -> None:
    world = two()
    bob = world.states["bob"]
    old = bob.signature_private
    new_private, _ = S.generate_signature_key(DetRng("bob-new"))
    bob, _ = bob.propose_update(rng=world.rng, signature_private=new_private)
    world.states["bob"] = bob
    world.commit("alice", [], force_path=True)  # does not include bob's Update
    assert world.states["bob"].signature_private == old
    assert not world.states["bob"].pending_signature_keys


def test_commit_path_with_a_new_signature_key() -> None:
    world = two()
    world.add("alice", "carol")
    new_private, new_public = S.generate_signature_key(DetRng("alice-new"))
    alice = world.states["alice"]
    out = alice.commit(signature_private=new_private, rng=world.rng, now=NOW)
    assert commit_of(out.commit).path is not None
    deliver_all(world, out.commit, skip="alice")
    world.states["alice"] = alice.merge_pending(out.pending)
    world.assert_agree()
    alice = world.states["alice"]
    assert alice.signature_private == new_private
    assert world.states["bob"].tree.leaf_node(alice.own_leaf).signature_key == new_public  # type: ignore[union-attr]
    assert alice.own_leaf_node.credential == BasicCredential(b"alice")
    world.commit("alice", [Remove(world.states["carol"].own_leaf)])
    world.assert_agree()


def test_state_round_trip_keeps_pending_signature_keys() -> None:
    world = two()
    new_private, _ = S.generate_signature_key(DetRng("bob-new"))
    bob, _ = world.states["bob"].propose_update(rng=world.rng, signature_private=new_private)
    again = GroupState.from_bytes(bob.to_bytes(), GroupConfig())
    assert dict(again.pending_signature_keys) == dict(bob.pending_signature_keys)
    assert again.to_bytes() == bob.to_bytes()


def test_resync_must_keep_the_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    world = two()
    bob = world.states["bob"]
    info = world.states["alice"].group_info()
    mallory = new_key_package("mallory", world.rng)
    with pytest.raises(InvalidMessage) as e:
        join_by_external_commit(info, mallory, rng=world.rng, resync=bob.own_leaf, now=NOW)
    assert e.value.reason == "resync-mismatch"
    with monkeypatch.context() as m:
        m.setattr(group_module, "check_external_joiner_leaf", lambda *a, **k: None)
        joined = join_by_external_commit(info, mallory, rng=world.rng, resync=bob.own_leaf, now=NOW)
    reject(world.states["alice"], joined.commit, "resync-mismatch")


def test_external_joiner_must_support_the_group_extensions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = ext_world()
    info = world.states["alice"].group_info()
    plain = new_key_package("dave", world.rng)  # lists no GROUP_EXT
    with pytest.raises(InvalidMessage) as e:
        join_by_external_commit(info, plain, rng=world.rng, now=NOW)
    assert e.value.reason == "unsupported-group-extension"
    with monkeypatch.context() as m:
        m.setattr(group_module, "check_external_joiner_leaf", lambda *a, **k: None)
        joined = join_by_external_commit(info, plain, rng=world.rng, now=NOW)
    reject(world.states["carol"], joined.commit, "unsupported-group-extension")
