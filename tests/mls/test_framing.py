"""Framing structures (RFC 9420 §6): selects that depend on sender and content type, the
MLSMessage envelope, and PrivateMessageContent padding."""

from __future__ import annotations

import pytest

from hasteh.mls.commit import Commit
from hasteh.mls.errors import MLSDecodeError, UsageError
from hasteh.mls.framing import (
    AuthenticatedContent,
    ContentType,
    FramedContent,
    FramedContentAuthData,
    FramedContentTBS,
    MLSMessage,
    PrivateMessage,
    PrivateMessageContent,
    PublicMessage,
    Sender,
    SenderData,
    SenderType,
    WireFormat,
)
from hasteh.mls.group_context import GroupContext
from hasteh.mls.proposals import Remove

CONTEXT = GroupContext(1, b"group", 7, b"t" * 32, b"c" * 32)


def framed(sender: Sender, body: bytes | Remove | Commit = b"hello") -> FramedContent:
    return FramedContent(b"group", 7, sender, b"aad", body)


@pytest.mark.parametrize(
    ("sender", "wire"),
    [
        (Sender.member(3), b"\x01\x00\x00\x00\x03"),
        (Sender.external(2), b"\x02\x00\x00\x00\x02"),
        (Sender.new_member_proposal(), b"\x03"),
        (Sender.new_member_commit(), b"\x04"),
    ],
)
def test_sender_encoding(sender: Sender, wire: bytes) -> None:
    assert sender.to_bytes() == wire
    assert Sender.from_bytes(wire) == sender


def test_sender_index_matches_type() -> None:
    with pytest.raises(UsageError):
        Sender(SenderType.MEMBER)
    with pytest.raises(UsageError):
        Sender(SenderType.NEW_MEMBER_COMMIT, 1)
    with pytest.raises(MLSDecodeError, match="sender type"):
        Sender.from_bytes(b"\x05")


def test_content_type_follows_the_body() -> None:
    assert framed(Sender.member(0)).content_type == ContentType.APPLICATION
    assert framed(Sender.member(0), Remove(1)).content_type == ContentType.PROPOSAL
    assert framed(Sender.member(0), Commit(())).content_type == ContentType.COMMIT
    bad = bytearray(framed(Sender.member(0)).to_bytes())
    index = len(b"\x05group") + 8 + 5 + len(b"\x03aad")
    assert bad[index] == ContentType.APPLICATION
    bad[index] = 0
    with pytest.raises(MLSDecodeError, match="content type"):
        FramedContent.from_bytes(bytes(bad))


def test_confirmation_tag_exactly_for_commits() -> None:
    with pytest.raises(UsageError):
        AuthenticatedContent(
            WireFormat.PUBLIC_MESSAGE,
            framed(Sender.member(0), Commit(())),
            FramedContentAuthData(b"sig"),
        )
    with pytest.raises(UsageError):
        AuthenticatedContent(
            WireFormat.PUBLIC_MESSAGE, framed(Sender.member(0)), FramedContentAuthData(b"s", b"t")
        )
    ac = AuthenticatedContent(
        WireFormat.PUBLIC_MESSAGE,
        framed(Sender.member(0), Commit(())),
        FramedContentAuthData(b"sig", b"tag"),
    )
    assert AuthenticatedContent.from_bytes(ac.to_bytes()) == ac


def test_membership_tag_exactly_for_member_senders() -> None:
    auth = FramedContentAuthData(b"sig")
    member = PublicMessage(framed(Sender.member(1), Remove(0)), auth, b"tag")
    external = PublicMessage(framed(Sender.external(0), Remove(0)), auth)
    for msg in (member, external):
        assert PublicMessage.from_bytes(msg.to_bytes()) == msg
    with pytest.raises(UsageError):
        PublicMessage(framed(Sender.member(1), Remove(0)), auth)
    with pytest.raises(UsageError):
        PublicMessage(framed(Sender.external(0), Remove(0)), auth, b"tag")


def test_tbs_carries_the_context_for_member_and_new_member_commit() -> None:
    for sender, signs in [
        (Sender.member(0), True),
        (Sender.new_member_commit(), True),
        (Sender.external(0), False),
        (Sender.new_member_proposal(), False),
    ]:
        content = framed(sender, Remove(0))
        tbs = FramedContentTBS(WireFormat.PUBLIC_MESSAGE, content, CONTEXT if signs else None)
        assert tbs.to_bytes().endswith(CONTEXT.to_bytes()) == signs
        assert FramedContentTBS.from_bytes(tbs.to_bytes()) == tbs
        with pytest.raises(UsageError):
            FramedContentTBS(WireFormat.PUBLIC_MESSAGE, content, None if signs else CONTEXT)


def test_private_message_content_padding() -> None:
    pmc = PrivateMessageContent(b"hi", FramedContentAuthData(b"sig"), padding=5)
    data = pmc.to_bytes()
    assert data.endswith(bytes(5))
    assert PrivateMessageContent.from_bytes(data, ContentType.APPLICATION) == pmc
    with pytest.raises(MLSDecodeError, match="padding"):
        PrivateMessageContent.from_bytes(data[:-1] + b"\x01", ContentType.APPLICATION)


def test_sender_data_is_fixed_size() -> None:
    sd = SenderData(1, 2, b"\x01\x02\x03\x04")
    assert len(sd.to_bytes()) == 12
    assert SenderData.from_bytes(sd.to_bytes()) == sd
    with pytest.raises(UsageError):
        SenderData(1, 2, b"abc").to_bytes()


def test_mls_message_envelope() -> None:
    pm = PrivateMessage(b"g", 1, ContentType.APPLICATION, b"", b"sd", b"ct")
    msg = MLSMessage(pm)
    assert msg.wire_format == WireFormat.PRIVATE_MESSAGE
    data = msg.to_bytes()
    assert data[:4] == b"\x00\x01\x00\x02"
    assert MLSMessage.from_bytes(data) == msg
    with pytest.raises(MLSDecodeError, match="version"):
        MLSMessage.from_bytes(b"\x00\x02" + data[2:])
    with pytest.raises(MLSDecodeError, match="wire format"):
        MLSMessage.from_bytes(b"\x00\x01\x00\x06" + data[4:])
