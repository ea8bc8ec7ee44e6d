"""Findings of the audit (RFC 9420 §13.4, §9.2, §12.4.3.1), each with a hostile test.

The hostile committers sign and tag what they build (their own checks are switched off
by monkeypatching), so only the receiver's or joiner's validation stands in the way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest

from hasteh.mls import group as group_module
from hasteh.mls import key_package_ops, leaf_validation, proposal_validation
from hasteh.mls import secret_tree as secret_tree_module
from hasteh.mls.commit import UpdatePath
from hasteh.mls.credential import BasicCredential
from hasteh.mls.errors import InvalidMessage, UsageError
from hasteh.mls.extensions import RATCHET_TREE, Extension
from hasteh.mls.framing import ContentType, MLSMessage, PrivateMessage, SenderData, SenderDataAAD
from hasteh.mls.group import GroupState, create_group, join_from_welcome
from hasteh.mls.key_package_ops import KeyPackageSecrets, create_key_package, default_capabilities
from hasteh.mls.leaf_validation import sign_leaf_node
from hasteh.mls.proposals import Add, GroupContextExtensions
from hasteh.mls.secret_tree import RatchetKind, SecretTree, sender_data_key_nonce

from .group_helpers import NOW, SUITE, DetRng, World, new_key_package
from .test_group_hostile import corrupt_path, reject

GROUP_EXT = 0xFF00
LEAF_EXT = 0xFF01


def capable_kp(name: str, rng: DetRng, **kwargs: object) -> KeyPackageSecrets:
    """A KeyPackage whose leaf lists GROUP_EXT and LEAF_EXT in its capabilities."""
    suite = group_module.get_suite(SUITE)
    private, _ = suite.generate_signature_key(rng)
    return create_key_package(
        SUITE,
        BasicCredential(name.encode()),
        private,
        rng=rng,
        now=NOW,
        capabilities=default_capabilities(SUITE, extensions=(GROUP_EXT, LEAF_EXT)),
        **kwargs,  # type: ignore[arg-type]
    )


def ext_world() -> World:
    """alice and carol in a group whose GroupContext carries extension GROUP_EXT."""
    rng = DetRng("ext")
    world = World(rng=rng)
    world.states["alice"] = create_group(
        SUITE,
        b"g-ext",
        capable_kp("alice", rng),
        rng=rng,
        extensions=(Extension(GROUP_EXT, b"x"),),
    )
    carol = capable_kp("carol", rng)
    world.commit("alice", [Add(carol.key_package)], joiners={"carol": carol})
    return world


@contextmanager
def lenient(monkeypatch: pytest.MonkeyPatch, *patches: tuple[object, str]) -> Iterator[None]:
    """Switch off the named checks (module, name) while a forged commit is built."""
    with monkeypatch.context() as m:
        for module, name in patches:
            m.setattr(module, name, lambda *a, **k: None)
        yield


# --- §13.4 (1): a new member supports every GroupContext extension ----------------------


def test_honest_committer_refuses_an_add_lacking_a_group_extension() -> None:
    world = ext_world()
    bob = new_key_package("bob", world.rng)  # lists no GROUP_EXT
    alice = world.states["alice"]
    before = alice.to_bytes()
    with pytest.raises(InvalidMessage) as e:
        alice.commit([Add(bob.key_package)], rng=world.rng, now=NOW)
    assert e.value.reason == "unsupported-group-extension"
    assert alice.to_bytes() == before


def test_receiver_and_joiner_refuse_an_add_lacking_a_group_extension(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = ext_world()
    bob = new_key_package("bob", world.rng)
    with lenient(monkeypatch, (proposal_validation, "check_supports_group_extensions")):
        out = world.states["alice"].commit([Add(bob.key_package)], rng=world.rng, now=NOW)
    reject(world.states["carol"], out.commit, "unsupported-group-extension")
    assert out.welcome is not None
    with pytest.raises(InvalidMessage) as e:
        join_from_welcome(out.welcome, bob, now=NOW)
    assert e.value.reason == "unsupported-group-extension"


# --- §13.4 (2): no extension list holds a type twice -------------------------------------

DUP = (Extension(LEAF_EXT, b"a"), Extension(LEAF_EXT, b"b"))


@pytest.mark.parametrize("where", ["leaf_extensions", "extensions"])
def test_duplicate_extension_in_an_added_key_package(
    monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    world = ext_world()
    dup = capable_kp("dup", world.rng, **{where: DUP})
    alice = world.states["alice"]
    with pytest.raises(InvalidMessage) as e:
        alice.commit([Add(dup.key_package)], rng=world.rng, now=NOW)
    assert e.value.reason == "duplicate-extension"
    with lenient(monkeypatch, (leaf_validation, "check_unique"), (key_package_ops, "check_unique")):
        out = alice.commit([Add(dup.key_package)], rng=world.rng, now=NOW)
    reject(world.states["carol"], out.commit, "duplicate-extension")


def test_duplicate_extension_in_an_update_path_leaf(monkeypatch: pytest.MonkeyPatch) -> None:
    world = ext_world()

    def duplicate(state: GroupState, path: UpdatePath) -> UpdatePath:
        leaf = replace(path.leaf_node, extensions=DUP)
        signed = sign_leaf_node(
            state.suite,
            state.signature_private,
            leaf,
            group_id=state.group_id,
            leaf_index=state.own_leaf,
        )
        return replace(path, leaf_node=signed)

    with corrupt_path(monkeypatch, duplicate):
        out = world.states["alice"].commit(force_path=True, rng=world.rng, now=NOW)
    reject(world.states["carol"], out.commit, "duplicate-extension")


def test_welcome_with_two_ratchet_tree_extensions(monkeypatch: pytest.MonkeyPatch) -> None:
    world = World.start()
    bob = new_key_package("bob", world.rng)
    original = GroupState._group_info

    def two_trees(self: GroupState, *, inline_tree: bool):  # type: ignore[no-untyped-def]
        info = original(self, inline_tree=inline_tree)
        unsigned = replace(
            info, extensions=(*info.extensions, Extension(RATCHET_TREE, self.tree.to_bytes()))
        )
        signature = group_module.sign_with_label(
            self.suite,
            self.signature_private,
            group_module.GROUP_INFO_TBS_LABEL,
            unsigned.tbs.to_bytes(),
        )
        return replace(unsigned, signature=signature)

    with monkeypatch.context() as m:
        m.setattr(GroupState, "_group_info", two_trees)
        out = world.states["alice"].commit([Add(bob.key_package)], rng=world.rng, now=NOW)
    assert out.welcome is not None
    with pytest.raises(InvalidMessage) as e:
        join_from_welcome(out.welcome, bob, now=NOW)
    assert e.value.reason == "duplicate-extension"


def test_group_context_with_a_repeated_type(monkeypatch: pytest.MonkeyPatch) -> None:
    """A GroupContextExtensions with a repeated type, committed with an Add by a lenient
    committer: the member refuses the commit, the joiner the Welcome."""
    world = ext_world()
    bob = capable_kp("bob", world.rng)
    gce = GroupContextExtensions((Extension(GROUP_EXT, b"1"), Extension(GROUP_EXT, b"2")))
    with lenient(monkeypatch, (proposal_validation, "check_unique")):
        out = world.states["alice"].commit([gce, Add(bob.key_package)], rng=world.rng, now=NOW)
    reject(world.states["carol"], out.commit, "duplicate-extension")
    assert out.welcome is not None
    with pytest.raises(InvalidMessage) as e:
        join_from_welcome(out.welcome, bob, now=NOW)
    assert e.value.reason == "duplicate-extension"


# --- §9.2: garbage at the edge of the window is derived once ------------------------------


def test_garbage_at_the_window_edge_is_derived_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    original = secret_tree_module.ratchet_step_secrets

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(secret_tree_module, "ratchet_step_secrets", counting)
    suite = group_module.get_suite(SUITE)
    tree = SecretTree(suite, bytes(range(32)), 2)
    reference = SecretTree(suite, bytes(range(32)), 2)
    app = RatchetKind.APPLICATION

    def garbage(_key: object) -> None:
        raise InvalidMessage("aead-open-failed", "garbage")

    edge = tree.max_skipped
    for attempt in range(3):
        calls = 0
        with pytest.raises(InvalidMessage):
            tree.open_with(group_module.LeafIndex(1), app, edge, garbage)
        if attempt == 0:
            assert calls >= edge  # one step (key, nonce, next secret) per generation
        else:
            assert calls == 0  # nothing re-derived
    # The window did not move: one past the edge is still too far ...
    with pytest.raises(InvalidMessage) as e:
        tree.key_for(group_module.LeafIndex(1), app, edge + 1)
    assert e.value.reason == "generation-too-far"
    # ... and the real messages at every generation up to the edge still open, once.
    for g in (0, 7, edge):
        want = reference.key_for(group_module.LeafIndex(1), app, g)
        assert tree.key_for(group_module.LeafIndex(1), app, g) == want
        with pytest.raises(InvalidMessage) as e:
            tree.key_for(group_module.LeafIndex(1), app, g)
        assert e.value.reason == "key-consumed"


def test_unused_keys_stay_bounded() -> None:
    suite = group_module.get_suite(SUITE)
    tree = SecretTree(suite, bytes(range(32)), 2, max_skipped=10)
    leaf, app = group_module.LeafIndex(0), RatchetKind.APPLICATION

    def garbage(_key: object) -> None:
        raise InvalidMessage("aead-open-failed", "garbage")

    for step in range(50):
        with pytest.raises(InvalidMessage):
            tree.open_with(leaf, app, step + 10, garbage)
        tree.key_for(leaf, app, step)  # a real message moves the floor
        ratchet = tree._ratchets[(leaf, app)]
        assert len(ratchet.skipped) <= 2 * 10 + 1


# --- §12.4.3.1: the joiner checks lifetimes with `now`, and a usable epoch ----------------


@pytest.mark.parametrize("offset", [-30 * 86400, 200 * 86400])
def test_join_checks_leaf_lifetimes(offset: int) -> None:
    world = World.start()
    bob = new_key_package("bob", world.rng)
    out = world.states["alice"].commit([Add(bob.key_package)], rng=world.rng, now=NOW)
    assert out.welcome is not None
    with pytest.raises(InvalidMessage) as e:
        join_from_welcome(out.welcome, bob, now=NOW + offset)
    assert e.value.reason == "lifetime-not-valid"
    assert join_from_welcome(out.welcome, bob, now=NOW).epoch == 1


def test_join_refuses_the_last_epoch() -> None:
    world = World.start()
    alice = world.states["alice"]
    alice = replace(alice, context=replace(alice.context, epoch=(1 << 64) - 2))
    bob = new_key_package("bob", world.rng)
    out = alice.commit([Add(bob.key_package)], rng=world.rng, now=NOW)
    assert out.welcome is not None
    with pytest.raises(InvalidMessage) as e:
        join_from_welcome(out.welcome, bob, now=NOW)
    assert e.value.reason == "epoch-exhausted"
    last = alice.merge_pending(out.pending)
    with pytest.raises(UsageError):
        last.commit(force_path=True, rng=world.rng, now=NOW)


def test_group_repeat_garbage_does_not_rederive(monkeypatch: pytest.MonkeyPatch) -> None:
    """A member forges sender data naming alice at the window's edge, with garbage
    content: bob derives the chain once; the same message again derives nothing."""
    world = World.start()
    world.add("alice", "bob")
    bob = world.states["bob"]
    suite = bob.suite
    ciphertext = bytes(range(64))
    header = (bob.group_id, bob.epoch, ContentType.APPLICATION)
    sd_key, sd_nonce = sender_data_key_nonce(suite, bob.keys.sender_data_secret, ciphertext)
    sender_data = SenderData(0, bob.config.max_skipped, bytes(4)).to_bytes()
    encrypted = suite.aead_seal(sd_key, sd_nonce, SenderDataAAD(*header).to_bytes(), sender_data)
    forged = MLSMessage(PrivateMessage(*header, b"", encrypted, ciphertext)).to_bytes()

    calls = 0
    original = secret_tree_module.ratchet_step_secrets

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(secret_tree_module, "ratchet_step_secrets", counting)
    with pytest.raises(InvalidMessage) as e:
        bob.process(forged, now=NOW)
    assert e.value.reason == "aead-open-failed"
    assert calls >= bob.config.max_skipped  # one ratchet step per generation
    calls = 0
    reject(bob, forged, "aead-open-failed")
    assert calls == 0
    monkeypatch.undo()
    # alice's real messages still open.
    msg = world.states["alice"].protect(b"real", rng=world.rng)
    assert bob.unprotect(msg).data == b"real"
