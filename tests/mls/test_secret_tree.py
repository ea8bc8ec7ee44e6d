"""Secret tree (RFC 9420 §9): vectors, sender/receiver agreement, out-of-order receipt,
the §9.2 deletion schedule, and pinned error reasons."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.mls import tree_math as tm
from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.errors import InvalidMessage, UsageError
from hasteh.mls.labels import derive_tree_secret, expand_with_label
from hasteh.mls.secret_tree import (
    MAX_SKIPPED,
    RatchetKey,
    RatchetKind,
    SecretTree,
    sender_data_key_nonce,
)
from hasteh.mls.tree_math import LeafIndex, NodeIndex
from hasteh.mls.vectors import run_file

from ..conftest import vectors_dir

SUITE = get_suite(1)
SECRET = bytes(range(32))
APP = RatchetKind.APPLICATION
HS = RatchetKind.HANDSHAKE


def test_secret_tree_vectors() -> None:
    result = run_file(vectors_dir() / "secret-tree.json")
    assert result.failures == []
    assert result.passed > 0


def retained_bytes(obj: object, seen: set[int] | None = None) -> Iterator[bytes]:
    """Every bytes value reachable from `obj`: what the object still remembers."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, bytes | bytearray):
        yield bytes(obj)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from retained_bytes(k, seen)
            yield from retained_bytes(v, seen)
    elif isinstance(obj, list | tuple | set | frozenset):
        for item in obj:
            yield from retained_bytes(item, seen)
    elif not isinstance(obj, str | int | float | type(None)):
        for cls in type(obj).__mro__:
            for name in getattr(cls, "__slots__", ()):
                if hasattr(obj, name):
                    yield from retained_bytes(getattr(obj, name), seen)
        if hasattr(obj, "__dict__"):
            yield from retained_bytes(vars(obj), seen)


def test_sender_and_receiver_agree() -> None:
    sender = SecretTree(SUITE, SECRET, 4)
    receiver = SecretTree(SUITE, SECRET, 4)
    for leaf in map(LeafIndex, range(4)):
        for kind in RatchetKind:
            for g in range(3):
                sent = sender.next_key(leaf, kind)
                assert sent.generation == g
                assert receiver.key_for(leaf, kind, g) == sent
    assert sender.next_key(LeafIndex(0), HS) != sender.next_key(LeafIndex(0), APP)


def test_single_leaf_tree() -> None:
    tree = SecretTree(SUITE, SECRET, 1)
    key = tree.next_key(LeafIndex(0), APP)
    base = expand_with_label(SUITE, SECRET, "application", b"", SUITE.nh)
    assert key.key == derive_tree_secret(SUITE, base, "key", 0, SUITE.nk)
    assert key.nonce == derive_tree_secret(SUITE, base, "nonce", 0, SUITE.nn)


@settings(max_examples=50, deadline=None)
@given(st.permutations(list(range(12))), st.sampled_from(list(RatchetKind)))
def test_out_of_order_matches_in_order(order: list[int], kind: RatchetKind) -> None:
    in_order = SecretTree(SUITE, SECRET, 8)
    expected = [in_order.key_for(LeafIndex(5), kind, g) for g in range(12)]
    shuffled = SecretTree(SUITE, SECRET, 8)
    got = {g: shuffled.key_for(LeafIndex(5), kind, g) for g in order}
    assert [got[g] for g in range(12)] == expected
    for g in order:  # each key exactly once
        with pytest.raises(InvalidMessage) as exc:
            shuffled.key_for(LeafIndex(5), kind, g)
        assert exc.value.reason == "key-consumed"


def test_used_application_key_is_deleted() -> None:
    """§9.2: after decrypting with K1 (skipping 0), K1/N1, AR0, AR1, the leaf's and its
    ancestors' node secrets and the encryption secret are gone; only K0/N0 stay."""
    n, leaf = 4, LeafIndex(3)
    tree = SecretTree(SUITE, SECRET, n)
    key1 = tree.key_for(leaf, APP, 1)

    # Recompute the §9 chain from the RFC formulas, independently of SecretTree.
    consumed = [SECRET]
    secret, node = SECRET, tm.root(n)
    target = tm.leaf_to_node(leaf)
    while node != target:
        step_left = target < node
        child = tm.left(node) if step_left else tm.right(node)
        secret = expand_with_label(SUITE, secret, "tree", b"left" if step_left else b"right", 32)
        consumed.append(secret)
        node = NodeIndex(child)
    ar0 = expand_with_label(SUITE, secret, "application", b"", 32)
    ar1 = derive_tree_secret(SUITE, ar0, "secret", 0, 32)
    consumed += [ar0, ar1, key1.key, key1.nonce]

    held = set(retained_bytes(tree))
    for value in consumed:
        assert value not in held
    with pytest.raises(InvalidMessage) as exc:
        tree.key_for(leaf, APP, 1)
    assert exc.value.reason == "key-consumed"

    # The skipped key 0 is kept until used, then deleted too.
    key0 = tree.key_for(leaf, APP, 0)
    assert key0.key == derive_tree_secret(SUITE, ar0, "key", 0, SUITE.nk)
    held = set(retained_bytes(tree))
    assert key0.key not in held and key0.nonce not in held
    with pytest.raises(InvalidMessage) as exc:
        tree.key_for(leaf, APP, 0)
    assert exc.value.reason == "key-consumed"


def test_sent_key_is_not_retained() -> None:
    tree = SecretTree(SUITE, SECRET, 2)
    sent = tree.next_key(LeafIndex(1), APP)
    held = set(retained_bytes(tree))
    assert sent.key not in held and sent.nonce not in held and SECRET not in held
    with pytest.raises(InvalidMessage) as exc:
        tree.key_for(LeafIndex(1), APP, 0)
    assert exc.value.reason == "key-consumed"


def test_node_secrets_dropped_once_both_children_derived() -> None:
    tree = SecretTree(SUITE, SECRET, 4)
    tree.next_key(LeafIndex(0), HS)
    # Root (3) and node 1 are expanded; their children 0 was consumed; 2 and 5 remain.
    assert set(tree._nodes) == {NodeIndex(2), NodeIndex(5)}


def test_generation_window() -> None:
    tree = SecretTree(SUITE, SECRET, 2, max_skipped=5)
    assert tree.key_for(LeafIndex(0), APP, 5).generation == 5
    with pytest.raises(InvalidMessage) as exc:
        tree.key_for(LeafIndex(0), APP, 12)
    assert exc.value.reason == "generation-too-far"
    assert tree.key_for(LeafIndex(0), APP, 11).generation == 11
    assert MAX_SKIPPED == 1000
    with pytest.raises(InvalidMessage) as exc:
        SecretTree(SUITE, SECRET, 2).key_for(LeafIndex(0), APP, MAX_SKIPPED + 1)
    assert exc.value.reason == "generation-too-far"


def test_skipped_keys_are_bounded() -> None:
    tree = SecretTree(SUITE, SECRET, 2, max_skipped=3)
    tree.key_for(LeafIndex(0), APP, 3)  # keeps 0, 1, 2
    tree.key_for(LeafIndex(0), APP, 6)  # adds 4, 5; the oldest (0, 1) go
    for gone in (0, 1):
        with pytest.raises(InvalidMessage) as exc:
            tree.key_for(LeafIndex(0), APP, gone)
        assert exc.value.reason == "key-consumed"
    assert [tree.key_for(LeafIndex(0), APP, g).generation for g in (2, 4, 5)] == [2, 4, 5]


@pytest.mark.parametrize("leaf", [4, 100, -1])
def test_unknown_sender(leaf: int) -> None:
    tree = SecretTree(SUITE, SECRET, 4)
    with pytest.raises(InvalidMessage) as exc:
        tree.key_for(LeafIndex(leaf), HS, 0)
    assert exc.value.reason == "unknown-sender"
    with pytest.raises(UsageError):
        tree.next_key(LeafIndex(leaf), HS)


def test_construction_errors() -> None:
    with pytest.raises(UsageError):
        SecretTree(SUITE, SECRET, 3)  # not a full tree (§7.7)
    with pytest.raises(UsageError):
        SecretTree(SUITE, SECRET[:16], 4)
    with pytest.raises(UsageError):
        SecretTree(SUITE, SECRET, 4, max_skipped=-1)


def test_sender_data_sample_is_first_nh_bytes() -> None:
    secret = bytes(32)
    long_ct = bytes(range(40))
    assert sender_data_key_nonce(SUITE, secret, long_ct) == sender_data_key_nonce(
        SUITE, secret, long_ct[:32]
    )
    key, nonce = sender_data_key_nonce(SUITE, secret, b"short")
    assert (len(key), len(nonce)) == (SUITE.nk, SUITE.nn)
    assert key == expand_with_label(SUITE, secret, "key", b"short", SUITE.nk)


def test_ratchet_key_repr_hides_secrets() -> None:
    k = RatchetKey(7, b"\x01" * 16, b"\x02" * 12)
    assert "01010101" not in repr(k) and "7" in repr(k)


def test_persisted_tree_keeps_deletions_and_continues() -> None:
    """`encode`/`decode` carry the ratchets forward; a consumed key stays consumed."""
    from hasteh.mls.codec import Reader, encode

    suite = get_suite(1)
    tree = SecretTree(suite, bytes(range(32)), 4)
    first = tree.key_for(LeafIndex(2), RatchetKind.APPLICATION, 3)  # keeps 0..2 as skipped
    blob = encode(tree)
    again = SecretTree.decode(Reader(blob), suite)
    with pytest.raises(InvalidMessage) as exc:
        again.key_for(LeafIndex(2), RatchetKind.APPLICATION, 3)
    assert exc.value.reason == "key-consumed"
    assert again.key_for(LeafIndex(2), RatchetKind.APPLICATION, 1) == SecretTree(
        suite, bytes(range(32)), 4
    ).key_for(LeafIndex(2), RatchetKind.APPLICATION, 1)
    assert first.key not in blob


@given(st.binary(max_size=300))
def test_decoding_random_bytes_is_a_decode_error_or_a_tree(data: bytes) -> None:
    from hasteh.mls.codec import Reader, Writer
    from hasteh.mls.errors import MLSDecodeError

    r = Reader(data)
    try:
        tree = SecretTree.decode(r, get_suite(1))
    except MLSDecodeError:
        return
    # what decodes is a tree that encodes back to the bytes it was read from
    w = Writer()
    tree.encode(w)
    assert w.getvalue() == data[: r.position]
