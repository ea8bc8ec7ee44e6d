"""Decoded `LeafNode`s and `FramedContent`s keep the bytes they came from, and built ones
their first encoding (to spare re-encoding for signatures, tags and hashes). These check
that the kept bytes are always what encoding the fields gives, and that a changed copy
never carries the old bytes (a stale encoding would sign or hash the wrong content)."""

from __future__ import annotations

import dataclasses
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.codec import Reader, Writer, decode_all
from hasteh.mls.credential import BasicCredential
from hasteh.mls.errors import MLSDecodeError
from hasteh.mls.framing import (
    ContentType,
    FramedContent,
    FramedContentTBS,
    PrivateContentAAD,
    PrivateMessage,
    Sender,
    SenderData,
    SenderDataAAD,
    SenderType,
    WireFormat,
)
from hasteh.mls.group_context import GroupContext
from hasteh.mls.labels import expand_with_label
from hasteh.mls.leaf_node import Capabilities, LeafNode, LeafNodeSource
from hasteh.mls.message_protection import framed_content_tbs

from .test_decoders_fuzz import fresh


def _leaf(signature: bytes, source: LeafNodeSource = LeafNodeSource.UPDATE) -> LeafNode:
    return LeafNode(
        b"encryption key",
        b"signature key",
        BasicCredential(b"maryam"),
        Capabilities(versions=(1,), cipher_suites=(1, 2)),
        source,
        (),
        signature,
        parent_hash=b"ph" if source == LeafNodeSource.COMMIT else None,
    )


@given(signature=st.binary(max_size=80), group=st.binary(max_size=20), index=st.integers(0, 99))
def test_a_leafs_tbs_and_encoding_match_its_fields(
    signature: bytes, group: bytes, index: int
) -> None:
    built = _leaf(signature)
    decoded = LeafNode.from_bytes(built.to_bytes())
    for leaf in (built, decoded):
        assert leaf.to_bytes() == fresh(leaf).to_bytes()
        assert leaf.tbs(group, index) == fresh(leaf).tbs(group, index)
    # LeafNodeTBS is the leaf without its signature, then group and index (§7.2).
    body = fresh(built).to_bytes()[: -len(signature) - (1 if len(signature) < 64 else 2)]
    w = Writer()
    w.opaque(group)
    w.u32(index)
    assert decoded.tbs(group, index) == body + w.getvalue()


def test_a_resigned_leaf_does_not_keep_the_old_bytes() -> None:
    leaf = LeafNode.from_bytes(_leaf(b"old signature").to_bytes())
    resigned = dataclasses.replace(leaf, signature=b"new signature")
    assert b"new signature" in resigned.to_bytes()
    assert b"old signature" not in resigned.to_bytes()
    assert resigned.tbs(b"g", 1) == leaf.tbs(b"g", 1)  # the signature is not signed
    assert resigned.to_bytes() != leaf.to_bytes()


def test_a_changed_content_does_not_keep_the_old_bytes() -> None:
    content = FramedContent(b"group", 7, Sender.member(3), b"aad", os.urandom(32))
    decoded = FramedContent.decode(Reader(content.to_bytes()))
    assert decoded.to_bytes() == content.to_bytes() == fresh(decoded).to_bytes()
    moved = dataclasses.replace(decoded, epoch=8)
    assert moved.to_bytes() != decoded.to_bytes()
    rebuilt = FramedContent(b"group", 8, Sender.member(3), b"aad", content.content)
    assert moved.to_bytes() == rebuilt.to_bytes()
    assert decoded.content_type == ContentType.APPLICATION


def test_kept_bytes_are_not_part_of_equality() -> None:
    leaf = _leaf(b"sig")
    decoded = LeafNode.from_bytes(leaf.to_bytes())
    assert decoded == fresh(decoded) == leaf
    assert hash(decoded) == hash(fresh(decoded))


SENDERS = st.one_of(
    st.integers(0, 2**32 - 1).map(Sender.member),
    st.integers(0, 2**32 - 1).map(Sender.external),
    st.just(Sender.new_member_commit()),
    st.just(Sender.new_member_proposal()),
)


@given(
    group=st.binary(max_size=70),
    epoch=st.integers(0, 2**64 - 1),
    sender=SENDERS,
    aad=st.binary(max_size=70),
    body=st.binary(max_size=300),
    wire_format=st.sampled_from([WireFormat.PUBLIC_MESSAGE, WireFormat.PRIVATE_MESSAGE]),
)
def test_the_one_step_encodings_equal_the_field_by_field_ones(
    group: bytes, epoch: int, sender: Sender, aad: bytes, body: bytes, wire_format: WireFormat
) -> None:
    """Application content (every received message) is encoded in one join, and the TBS
    of §6.1 from the parts' kept encodings; both give the general writer's bytes."""
    content = FramedContent(group, epoch, sender, aad, body)
    general = content._encode_fields()
    assert content._encode_application() in (None, general)
    assert content.to_bytes() == general
    if sender.sender_type == SenderType.MEMBER:
        assert content._encode_application() == general
    context = GroupContext(1, group, epoch, b"tree hash", b"transcript")
    signs = sender.sender_type in (SenderType.MEMBER, SenderType.NEW_MEMBER_COMMIT)
    w = Writer()
    w.u16(1)
    w.u16(wire_format)
    w.raw(general)
    if signs:
        context._encode_fields(w)
    assert framed_content_tbs(wire_format, content, context) == w.getvalue()
    assert FramedContentTBS(wire_format, content, context if signs else None).to_bytes() == (
        w.getvalue()
    )


@given(
    group=st.binary(max_size=70),
    epoch=st.integers(0, 2**64 - 1),
    content_type=st.sampled_from(list(ContentType)),
    aad=st.binary(max_size=70),
    sender_data=st.binary(max_size=40),
    ciphertext=st.binary(max_size=100),
)
def test_a_decoded_private_message_keeps_its_aads(
    group: bytes,
    epoch: int,
    content_type: ContentType,
    aad: bytes,
    sender_data: bytes,
    ciphertext: bytes,
) -> None:
    """The AADs cut from a received PrivateMessage are the §6.3.1-§6.3.2 encodings."""
    built = PrivateMessage(group, epoch, content_type, aad, sender_data, ciphertext)
    decoded = PrivateMessage.from_bytes(built.to_bytes())
    content_aad = PrivateContentAAD(group, epoch, content_type, aad).to_bytes()
    sender_data_aad = SenderDataAAD(group, epoch, content_type).to_bytes()
    for message in (built, decoded):
        assert message.content_aad() == content_aad
        assert message.sender_data_aad() == sender_data_aad
    assert decoded._aad is not None and built._aad is None


@given(st.binary(min_size=12, max_size=12) | st.binary(max_size=40))
def test_sender_data_read_in_one_step_is_the_readers(data: bytes) -> None:
    """SenderData (§6.3.2) is read from its fixed 12 bytes in one step: the same value
    as the field-by-field reader, and any other length is malformed, as `decode_all`
    makes it (truncated, or trailing bytes)."""
    try:
        general = decode_all(data, SenderData.decode)
    except MLSDecodeError:
        with pytest.raises(MLSDecodeError):
            SenderData.from_bytes(data)
        assert len(data) != 12
        return
    assert SenderData.from_bytes(data) == general
    assert SenderData.from_bytes(bytearray(data)) == general
    assert general.to_bytes() == data


@given(
    label=st.sampled_from(["key", "nonce", "secret", "tree", b"\x00", "x" * 300]),
    context=st.binary(max_size=200),
    length=st.integers(0, 96),
)
def test_expand_with_label_is_kdf_expand_of_the_kdf_label(
    label: str | bytes, context: bytes, length: int
) -> None:
    """ExpandWithLabel's one-block path gives the bytes of HKDF-Expand over the KDFLabel
    written field by field (§8), for short and long contexts and outputs."""
    suite = get_suite(1)
    secret = bytes(range(32))
    w = Writer()
    w.u16(length)
    w.opaque(b"MLS 1.0 " + (label.encode() if isinstance(label, str) else label))
    w.opaque(context)
    want = suite.kdf_expand(secret, w.getvalue(), length)
    assert expand_with_label(suite, secret, label, context, length) == want
