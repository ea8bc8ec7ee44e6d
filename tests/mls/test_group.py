"""The group API (RFC 9420 §8, §9.2, §10-§12, §14): life of a group among hasteh members."""

from __future__ import annotations

import pytest

from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.errors import InvalidMessage, UsageError
from hasteh.mls.framing import MLSMessage
from hasteh.mls.group import (
    ApplicationData,
    CommitApplied,
    GroupConfig,
    GroupState,
    ProposalReceived,
    join_from_welcome,
    verify_group_info_signature,
)
from hasteh.mls.key_package import KeyPackage
from hasteh.mls.key_package_ops import (
    LAST_RESORT,
    KeyPackageSecrets,
    is_last_resort,
    key_package_ref,
    validate_key_package,
)
from hasteh.mls.proposals import Add, PreSharedKey, Remove
from hasteh.mls.psk_id import PreSharedKeyID
from hasteh.mls.psk_store import PskStore
from hasteh.mls.secret_tree import RatchetKind
from hasteh.mls.tree_math import LeafIndex
from hasteh.mls.welcome import GroupInfo

from .group_helpers import NOW, SUITE, DetRng, World, new_key_package

# --- KeyPackages (§10) ---------------------------------------------------------------------


def test_key_package_is_valid_and_single_use_by_default() -> None:
    kps = new_key_package("kim", DetRng("kp"))
    validate_key_package(kps.key_package, suite_id=SUITE, now=NOW)
    assert not is_last_resort(kps.key_package)
    assert kps.ref == key_package_ref(kps.key_package)
    assert KeyPackageSecrets.from_bytes(kps.to_bytes()) == kps


def test_last_resort_key_package_is_marked() -> None:
    from hasteh.mls.credential import BasicCredential
    from hasteh.mls.key_package_ops import create_key_package

    rng = DetRng("lr")
    sk, _ = get_suite(SUITE).generate_signature_key(rng)
    kps = create_key_package(SUITE, BasicCredential(b"lr"), sk, rng=rng, now=NOW, last_resort=True)
    assert is_last_resort(kps.key_package)
    assert LAST_RESORT in kps.key_package.leaf_node.capabilities.extensions
    validate_key_package(kps.key_package, suite_id=SUITE, now=NOW)


def test_key_package_checks() -> None:
    kp = new_key_package("kim", DetRng("kp2")).key_package
    bad_sig = KeyPackage(kp.cipher_suite, kp.init_key, kp.leaf_node, kp.extensions, b"\0" * 64)
    with pytest.raises(InvalidMessage) as e:
        validate_key_package(bad_sig)
    assert e.value.reason == "bad-signature"
    with pytest.raises(InvalidMessage) as e:
        validate_key_package(kp, suite_id=2)
    assert e.value.reason == "suite-mismatch"
    with pytest.raises(InvalidMessage) as e:
        validate_key_package(kp, now=NOW + 10 * 365 * 86400)
    assert e.value.reason == "expired-lifetime"


# --- creating, adding, joining (§11, §12.4.3.1) -------------------------------------------


def test_two_members_agree_and_talk() -> None:
    world = World.start()
    world.add("alice", "bob")
    world.assert_agree()
    a, b = world.states["alice"], world.states["bob"]
    msg = a.protect(b"hello", b"aad", rng=world.rng)
    got = b.process(msg)
    assert got == ApplicationData(LeafIndex(0), b"hello", b"aad", 1)
    assert a.unprotect(b.protect(b"back", rng=world.rng)).data == b"back"


@pytest.mark.parametrize("encrypt", [False, True])
def test_five_members_with_paths_updates_and_removes(encrypt: bool) -> None:
    world = World.start(config=GroupConfig(encrypt_handshake=encrypt))
    world.add("alice", "bob", "carol")
    world.add("bob", "dave", "erin", force_path=True)
    world.assert_agree()
    # An Update proposal by carol, committed by dave.
    carol, proposal = world.states["carol"].propose_update(rng=world.rng)
    world.states["carol"] = carol
    for name in ("alice", "bob", "dave", "erin"):
        received = world.states[name].process(proposal)
        assert isinstance(received, ProposalReceived)
        world.states[name] = received.new_state
    world.commit("dave", [])
    world.assert_agree()
    # erin removes bob; bob learns he is out.
    world.commit("erin", [Remove(world.states["bob"].own_leaf)])
    assert "bob" not in world.states
    world.assert_agree()
    for sender in world.states:
        msg = world.states[sender].protect(sender.encode(), rng=world.rng)
        for name, st in world.states.items():
            if name != sender:
                assert st.unprotect(msg).data == sender.encode()


def test_commit_changes_nothing_until_merged() -> None:
    world = World.start()
    world.add("alice", "bob")
    a = world.states["alice"]
    before = (a.epoch, a.tree_hash, a.epoch_authenticator, a.to_bytes())
    out = a.commit(force_path=True, rng=world.rng)
    assert (a.epoch, a.tree_hash, a.epoch_authenticator, a.to_bytes()) == before
    merged = a.merge_pending(out.pending)
    assert merged.epoch == a.epoch + 1
    with pytest.raises(UsageError):
        merged.merge_pending(out.pending)  # staged on another epoch
    b = world.states["bob"].process(out.commit)
    assert isinstance(b, CommitApplied) and b.new_state is not None
    assert b.new_state.epoch_authenticator == merged.epoch_authenticator


def test_join_with_external_tree() -> None:
    world = World.start()
    kps = new_key_package("bob", world.rng)
    out = world.states["alice"].commit([Add(kps.key_package)], inline_tree=False, rng=world.rng)
    assert out.welcome is not None
    with pytest.raises(InvalidMessage) as e:
        join_from_welcome(out.welcome, kps)
    assert e.value.reason == "missing-tree"
    bob = join_from_welcome(out.welcome, kps, out.ratchet_tree, now=NOW)
    alice = world.states["alice"].merge_pending(out.pending)
    assert bob.epoch_authenticator == alice.epoch_authenticator


def test_group_info_is_signed_by_its_member() -> None:
    world = World.start()
    world.add("alice", "bob")
    b = world.states["bob"]
    info = MLSMessage.from_bytes(b.group_info(external_tree=True)).body
    assert isinstance(info, GroupInfo)
    assert info.signer == b.own_leaf and info.group_context == b.context
    verify_group_info_signature(b.suite, info, b.own_leaf_node.signature_key)


# --- §9.2 deletion and the previous epoch -------------------------------------------------


def test_used_application_key_cannot_be_derived_again() -> None:
    world = World.start()
    world.add("alice", "bob")
    a, b = world.states["alice"], world.states["bob"]
    msg = a.protect(b"once", rng=world.rng)
    # A snapshot taken before receiving can still derive the key: capture it.
    key = GroupState.from_bytes(b.to_bytes()).secret_tree.key_for(
        a.own_leaf, RatchetKind.APPLICATION, 0
    )
    assert b.unprotect(msg).data == b"once"
    with pytest.raises(InvalidMessage) as e:
        b.secret_tree.key_for(a.own_leaf, RatchetKind.APPLICATION, 0)
    assert e.value.reason == "key-consumed"
    with pytest.raises(InvalidMessage):
        b.unprotect(msg)  # a replay finds nothing
    assert key.key not in b.to_bytes() and key.nonce not in b.to_bytes()


def test_previous_epoch_kept_briefly_for_late_application_messages() -> None:
    world = World.start()
    world.add("alice", "bob")
    late = world.states["alice"].protect(b"late", rng=world.rng)
    world.commit("alice", [], force_path=True)
    b = world.states["bob"]
    assert b.previous is not None
    got = b.unprotect(late)
    assert got.data == b"late" and got.epoch == b.epoch - 1
    assert b.forget_previous_epoch().previous is None
    late2 = world.states["alice"].protect(b"late2", rng=world.rng)
    world.commit("alice", [], force_path=True)
    world.commit("alice", [], force_path=True)
    with pytest.raises(InvalidMessage) as e:
        world.states["bob"].unprotect(late2)  # two epochs back: gone
    assert e.value.reason == "wrong-epoch"


def test_no_previous_epoch_when_configured() -> None:
    world = World.start(config=GroupConfig(keep_previous_epoch=False))
    world.add("alice", "bob")
    late = world.states["alice"].protect(b"late", rng=world.rng)
    world.commit("alice", [], force_path=True)
    with pytest.raises(InvalidMessage):
        world.states["bob"].unprotect(late)


def test_removed_member_cannot_read_later_messages() -> None:
    world = World.start()
    world.add("alice", "bob", "carol")
    bob_before = world.states["bob"]
    out = world.states["alice"].commit([Remove(bob_before.own_leaf)], rng=world.rng)
    result = bob_before.process(out.commit)
    assert isinstance(result, CommitApplied) and result.removed_self and result.new_state is None
    world.deliver("alice", out.commit)
    world.states["alice"] = world.states["alice"].merge_pending(out.pending)
    msg = world.states["alice"].protect(b"secret", rng=world.rng)
    with pytest.raises(InvalidMessage):
        bob_before.unprotect(msg)
    assert world.states["carol"].unprotect(msg).data == b"secret"


# --- sequencing rules ------------------------------------------------------------------------


def test_protect_refused_while_proposals_pending() -> None:
    world = World.start()
    world.add("alice", "bob")
    b, proposal = world.states["bob"].propose_update(rng=world.rng)
    with pytest.raises(UsageError, match="commit-required"):
        b.protect(b"x", rng=world.rng)
    a = world.states["alice"].process(proposal)
    assert isinstance(a, ProposalReceived)
    with pytest.raises(UsageError, match="commit-required"):
        a.new_state.protect(b"x", rng=world.rng)


def test_committer_cannot_commit_own_update_or_remove_itself() -> None:
    world = World.start()
    world.add("alice", "bob")
    a, _ = world.states["alice"].propose_update(rng=world.rng)
    out = a.commit(rng=world.rng)  # our own Update is left out (§12.2)
    assert out.pending.new_state.epoch == a.epoch + 1
    with pytest.raises(InvalidMessage) as e:
        a.commit([Remove(a.own_leaf)], rng=world.rng)
    assert e.value.reason == "removes-committer"


# --- PSKs (§8.4) -------------------------------------------------------------------------------


def test_external_psk_commit() -> None:
    world = World.start()
    world.add("alice", "bob")
    psk_id = PreSharedKeyID.external(b"cell-key", world.rng(32))
    for name in world.states:
        world.states[name] = world.states[name].with_psk(b"cell-key", b"shared secret")
    world.commit("alice", [PreSharedKey(psk_id)])
    world.assert_agree()
    # A member without the PSK rejects the commit.
    kps = new_key_package("carol", world.rng)
    world.add("alice", "carol")
    del kps
    carol = world.states.pop("carol")
    out = world.states["alice"].commit(
        [PreSharedKey(PreSharedKeyID.external(b"cell-key", world.rng(32)))], rng=world.rng
    )
    with pytest.raises(InvalidMessage) as e:
        carol.process(out.commit)
    assert e.value.reason == "psk-unknown"


def test_psk_store_bounds_resumption_epochs() -> None:
    store = PskStore(max_resumption_epochs=2)
    for epoch in range(5):
        store = store.with_resumption(b"g", epoch, bytes([epoch]) * 32)
    assert sorted(e for (_, e) in store.resumption) == [3, 4]


# --- persistence ---------------------------------------------------------------------------------


def test_state_round_trips_through_bytes() -> None:
    world = World.start(config=GroupConfig(encrypt_handshake=True))
    world.add("alice", "bob", "carol")
    b, proposal = world.states["bob"].propose_update(rng=world.rng)
    world.states["bob"] = b
    for name in ("alice", "carol"):
        r = world.states[name].process(proposal)
        assert isinstance(r, ProposalReceived)
        world.states[name] = r.new_state
    for name, st in world.states.items():
        data = st.to_bytes()
        again = GroupState.from_bytes(data)
        assert again.to_bytes() == data
        world.states[name] = again
    world.commit("alice", [])
    world.assert_agree()
