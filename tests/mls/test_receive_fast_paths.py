"""The receive path's joined derivations and decoders give exactly what the general
ones give (RFC 9420 §6.3, §9.1): same bytes, same refusals."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.mls.cipher_suite import SUITES, CipherSuite
from hasteh.mls.codec import decode_all
from hasteh.mls.errors import InvalidMessage, MLSDecodeError
from hasteh.mls.framing import (
    AuthenticatedContent,
    ContentType,
    FramedContent,
    FramedContentAuthData,
    MLSMessage,
    PrivateMessage,
    PrivateMessageContent,
    Sender,
    SenderData,
    WireFormat,
    _read_private_message,
    read_private_application,
)
from hasteh.mls.group import _member_signature_key
from hasteh.mls.group_context import GroupContext
from hasteh.mls.labels import (
    derive_tree_secret,
    ratchet_step_secrets,
)
from hasteh.mls.message_protection import framed_content_tbs, private_content
from hasteh.mls.proposals import Remove
from hasteh.mls.ratchet_tree import RatchetTree
from hasteh.mls.tree_math import LeafIndex

from .group_helpers import World

suites = st.sampled_from(sorted(SUITES.values(), key=lambda s: s.id))


@settings(max_examples=200, deadline=None)
@given(suites, st.binary(min_size=1, max_size=80), st.integers(0, (1 << 32) - 1))
def test_ratchet_step_secrets_equal_three_derive_tree_secret(
    suite: CipherSuite, secret: bytes, generation: int
) -> None:
    assert ratchet_step_secrets(suite, secret, generation) == (
        derive_tree_secret(suite, secret, "key", generation, suite.nk),
        derive_tree_secret(suite, secret, "nonce", generation, suite.nn),
        derive_tree_secret(suite, secret, "secret", generation, suite.nh),
    )


# --- MLSMessage.from_bytes: the one-pass PrivateMessage reader (§6, §6.3) -------------

#: Byte strings around the varint length boundaries (1 byte < 64 <= 2 bytes < 16384).
lengths = st.sampled_from([0, 1, 31, 63, 64, 65, 200, 16383, 16384]) | st.integers(0, 300)
blobs = lengths.flatmap(lambda n: st.binary(min_size=n, max_size=n))


@st.composite
def private_messages(draw: st.DrawFn) -> PrivateMessage:
    return PrivateMessage(
        draw(blobs),
        draw(st.integers(0, (1 << 64) - 1)),
        draw(st.sampled_from(list(ContentType))),
        draw(blobs),
        draw(blobs),
        draw(blobs),
    )


def general(data: bytes) -> MLSMessage:
    """The general decoder, which the one-pass reader must agree with."""
    return decode_all(data, MLSMessage.decode)


def outcome(decode: Callable[[bytes], MLSMessage], data: bytes) -> object:
    """What decoding gives: the message with the AADs it keeps, or the refusal."""
    try:
        msg = decode(data)
    except MLSDecodeError as exc:
        return ("refused", str(exc))
    body = msg.body
    kept = (
        (body.content_aad(), body.sender_data_aad(), [type(getattr(body, f)) for f in FIELDS])
        if isinstance(body, PrivateMessage)
        else None
    )
    return (msg, msg.version, type(body), kept)


FIELDS = (
    "group_id",
    "epoch",
    "content_type",
    "authenticated_data",
    "encrypted_sender_data",
    "ciphertext",
)


@settings(max_examples=300, deadline=None)
@given(private_messages())
def test_private_message_read_in_one_pass_equals_the_general_decoder(
    message: PrivateMessage,
) -> None:
    data = MLSMessage(message).to_bytes()
    fields = (message.group_id, message.authenticated_data)
    common = all(len(f) < 1 << 14 for f in (*fields, message.encrypted_sender_data))
    if common and len(message.ciphertext) < 1 << 14:
        assert _read_private_message(data) is not None  # the fast path is what is tested
    assert outcome(MLSMessage.from_bytes, data) == outcome(general, data)
    assert MLSMessage.from_bytes(data).body == message
    assert MLSMessage.from_bytes(data).to_bytes() == data


@st.composite
def hostile_variants(draw: st.DrawFn) -> bytes:
    """A real encoding cut, extended, or with bytes overwritten (lengths, content type,
    version), or arbitrary bytes after the PrivateMessage head."""
    data = bytearray(MLSMessage(draw(private_messages())).to_bytes())
    how = draw(st.sampled_from(["cut", "extend", "overwrite", "random"]))
    if how == "cut":
        return bytes(data[: draw(st.integers(0, len(data)))])
    if how == "extend":
        return bytes(data + draw(st.binary(min_size=1, max_size=5)))
    if how == "overwrite":
        for _ in range(draw(st.integers(1, 3))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    return b"\x00\x01\x00\x02" + draw(st.binary(max_size=120))


@settings(max_examples=1000, deadline=None)
@given(hostile_variants())
def test_hostile_bytes_get_the_general_decoders_value_or_refusal(data: bytes) -> None:
    assert outcome(MLSMessage.from_bytes, data) == outcome(general, data)


# --- decrypted application content read in one pass (§6.3.1, §6.1) --------------------


@st.composite
def decrypted_applications(draw: st.DrawFn) -> tuple[PrivateMessage, int, bytes]:
    """A received (decoded) application PrivateMessage, its sender's leaf and the
    plaintext its ciphertext would decrypt to."""
    built = PrivateMessage(
        draw(blobs),
        draw(st.integers(0, (1 << 64) - 1)),
        ContentType.APPLICATION,
        draw(blobs),
        b"sender data",
        b"ciphertext",
    )
    received = MLSMessage.from_bytes(MLSMessage(built).to_bytes()).body
    assert isinstance(received, PrivateMessage)
    plaintext = PrivateMessageContent(
        draw(blobs), FramedContentAuthData(draw(blobs)), draw(st.integers(0, 70))
    ).to_bytes()
    return received, draw(st.integers(0, (1 << 32) - 1)), plaintext


@settings(max_examples=300, deadline=None)
@given(decrypted_applications())
def test_application_read_in_one_pass_equals_the_general_decoder(
    case: tuple[PrivateMessage, int, bytes],
) -> None:
    message, leaf, plaintext = case
    fast = read_private_application(message, leaf, plaintext)
    assert fast is not None  # the fast path is what is tested
    general = private_content(message, LeafIndex(leaf), plaintext)
    assert fast == general
    assert fast.to_bytes() == general.to_bytes()
    # The joined encoding is byte for byte the field-by-field encoder's (§6), and so is
    # the FramedContentTBS the signature is checked over (§6.1).
    assert fast.content.encoded() == general.content._encode_fields()
    context = GroupContext(1, message.group_id, message.epoch, b"t", b"c", ())
    assert framed_content_tbs(
        WireFormat.PRIVATE_MESSAGE, fast.content, context
    ) == framed_content_tbs(WireFormat.PRIVATE_MESSAGE, general.content, context)


def content_outcome(
    decode: Callable[[PrivateMessage, LeafIndex, bytes], AuthenticatedContent],
    message: PrivateMessage,
    leaf: LeafIndex,
    plaintext: bytes,
) -> object:
    try:
        authenticated = decode(message, leaf, plaintext)
    except InvalidMessage as exc:
        return ("refused", exc.reason, str(exc))
    return (authenticated, authenticated.content.encoded())


def fast_then_general(
    message: PrivateMessage, leaf: LeafIndex, plaintext: bytes
) -> AuthenticatedContent:
    return read_private_application(message, leaf, plaintext) or private_content(
        message, leaf, plaintext
    )


@settings(max_examples=1000, deadline=None)
@given(
    decrypted_applications(),
    st.sampled_from(["cut", "extend", "overwrite", "other-type", "built"]),
    st.data(),
)
def test_hostile_plaintext_gets_the_general_decoders_value_or_refusal(
    case: tuple[PrivateMessage, int, bytes], how: str, data: st.DataObject
) -> None:
    """Bad lengths, non-zero padding, a handshake content type or a message built here
    (no kept AAD): the same value or the same refusal as the general path."""
    message, leaf, plaintext = case
    mutated = bytearray(plaintext)
    if how == "cut":
        mutated = mutated[: data.draw(st.integers(0, len(mutated)))]
    elif how == "extend":
        mutated += data.draw(st.binary(min_size=1, max_size=5))
    elif how == "overwrite" and mutated:
        for _ in range(data.draw(st.integers(1, 3))):
            mutated[data.draw(st.integers(0, len(mutated) - 1))] = data.draw(st.integers(0, 255))
    elif how == "other-type":
        message = dataclasses.replace(
            message,
            content_type=data.draw(st.sampled_from([ContentType.PROPOSAL, ContentType.COMMIT])),
        )
    elif how == "built":
        message = dataclasses.replace(message)
        assert read_private_application(message, leaf, plaintext) is None
    assert content_outcome(
        fast_then_general, message, LeafIndex(leaf), bytes(mutated)
    ) == content_outcome(private_content, message, LeafIndex(leaf), bytes(mutated))


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=12, max_size=12) | st.binary(max_size=20))
def test_sender_data_from_bytes_equals_the_general_decoder(data: bytes) -> None:
    try:
        general_value: object = decode_all(data, SenderData.decode)
    except MLSDecodeError:
        general_value = MLSDecodeError
    try:
        fast_value: object = SenderData.from_bytes(data)
    except MLSDecodeError:
        fast_value = MLSDecodeError
    assert fast_value == general_value
    if len(data) == 12:
        assert SenderData.from_bytes(data).to_bytes() == data


# --- the signature key of a member sender (§6.1) -------------------------------------


def tree_with_a_blank_leaf() -> RatchetTree:
    """alice, a blank where bob was, carol, and blank slots past them."""
    world = World.start()
    world.add("alice", "bob", "carol")
    world.commit("alice", [Remove(world.states["bob"].own_leaf)])
    return world.states["alice"].tree


TREE = tree_with_a_blank_leaf()


def key_through_the_tree_api(tree: RatchetTree, index: int) -> object:
    """The lookup as the tree's own accessors make it."""
    leaf = tree.leaf_node(LeafIndex(index)) if tree.contains_leaf(LeafIndex(index)) else None
    return ("unknown-sender", None) if leaf is None else leaf.signature_key


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 8) | st.integers(0, (1 << 32) - 1))
def test_member_signature_key_equals_the_tree_lookup(index: int) -> None:
    content = FramedContent(b"g", 1, Sender.member(index), b"", b"data")
    try:
        got: object = _member_signature_key(TREE, content)
    except InvalidMessage as exc:
        got = (exc.reason, None)
    assert got == key_through_the_tree_api(TREE, index)


def test_the_blank_leaf_and_the_leaves_past_the_tree_have_no_key() -> None:
    assert TREE.leaf_node(LeafIndex(1)) is None
    for index in (1, TREE.n_leaves, TREE.n_leaves + 1):
        content = FramedContent(b"g", 1, Sender.member(index), b"", b"data")
        with pytest.raises(InvalidMessage) as exc:
            _member_signature_key(TREE, content)
        assert exc.value.reason == "unknown-sender"
