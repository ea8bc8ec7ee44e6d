"""Every wire decoder either decodes (and re-encodes to the same bytes) or raises
`MLSDecodeError` — never another exception — on random bytes and on mutations of valid
encodings taken from the official vectors (messages.json, transcript-hashes.json)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hasteh.mls import (
    commit,
    credential,
    framing,
    key_package,
    leaf_node,
    parent_node,
    proposals,
    psk_id,
    ratchet_tree_codec,
    welcome,
)
from hasteh.mls.codec import Reader, Writer, decode_all
from hasteh.mls.commit import (
    Commit,
    HPKECiphertext,
    ProposalRef,
    UpdatePath,
    UpdatePathNode,
    decode_proposal_or_ref,
    encode_proposal_or_ref,
)
from hasteh.mls.credential import decode_credential
from hasteh.mls.errors import MLSDecodeError
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
    WireFormat,
)
from hasteh.mls.group_context import GroupContext
from hasteh.mls.key_package import KeyPackage
from hasteh.mls.leaf_node import Capabilities, LeafNode, Lifetime
from hasteh.mls.parent_node import ParentNode
from hasteh.mls.proposals import (
    Add,
    ExternalInit,
    GroupContextExtensions,
    PreSharedKey,
    ReInit,
    Remove,
    Update,
    decode_proposal,
    encode_proposal,
)
from hasteh.mls.psk_id import PreSharedKeyID
from hasteh.mls.ratchet_tree_codec import RatchetTree
from hasteh.mls.welcome import (
    EncryptedGroupSecrets,
    GroupInfo,
    GroupInfoTBS,
    GroupSecrets,
    KeyPackageRef,
    PathSecret,
    Welcome,
)

from ..conftest import vectors_dir

#: A decoder under test: reads one structure; and its encoder.
Codec = tuple[Callable[[Reader], Any], Callable[[Writer, Any], None]]


def fresh(value: Any) -> Any:
    """`value` rebuilt from its fields, all the way down, without the encodings that
    decoded `LeafNode`s and `FramedContent`s keep: encoding it shows what the encoders
    write, so the round-trip checks below test the codec, not the kept bytes."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [f.name for f in dataclasses.fields(value) if f.init]
        changes = {name: fresh(getattr(value, name)) for name in fields}
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple | list):
        return type(value)(fresh(v) for v in value)
    return value


def _obj(cls: Any) -> Codec:
    return cls.decode, lambda w, v: fresh(v).encode(w)


def _with_type(cls: Any, content_type: ContentType) -> Codec:
    return (lambda r: cls.decode(r, content_type)), lambda w, v: fresh(v).encode(w)


CODECS: dict[str, Codec] = {
    "MLSMessage": _obj(MLSMessage),
    "PublicMessage": _obj(PublicMessage),
    "PrivateMessage": _obj(PrivateMessage),
    "FramedContent": _obj(FramedContent),
    "FramedContentTBS": _obj(FramedContentTBS),
    "AuthenticatedContent": _obj(AuthenticatedContent),
    "FramedContentAuthData/commit": _with_type(FramedContentAuthData, ContentType.COMMIT),
    "PrivateMessageContent/application": _with_type(PrivateMessageContent, ContentType.APPLICATION),
    "PrivateMessageContent/proposal": _with_type(PrivateMessageContent, ContentType.PROPOSAL),
    "PrivateMessageContent/commit": _with_type(PrivateMessageContent, ContentType.COMMIT),
    "Sender": _obj(Sender),
    "SenderData": _obj(SenderData),
    "Welcome": _obj(Welcome),
    "EncryptedGroupSecrets": _obj(EncryptedGroupSecrets),
    "GroupSecrets": _obj(GroupSecrets),
    "GroupInfo": _obj(GroupInfo),
    "GroupInfoTBS": _obj(GroupInfoTBS),
    "KeyPackage": _obj(KeyPackage),
    "LeafNode": _obj(LeafNode),
    "Capabilities": _obj(Capabilities),
    "Lifetime": _obj(Lifetime),
    "Credential": (decode_credential, lambda w, v: fresh(v).encode(w)),
    "ParentNode": _obj(ParentNode),
    "RatchetTree": _obj(RatchetTree),
    "Proposal": (decode_proposal, lambda w, v: encode_proposal(w, fresh(v))),
    "ProposalOrRef": (decode_proposal_or_ref, lambda w, v: encode_proposal_or_ref(w, fresh(v))),
    "Add": _obj(Add),
    "Update": _obj(Update),
    "Remove": _obj(Remove),
    "PreSharedKey": _obj(PreSharedKey),
    "PreSharedKeyID": _obj(PreSharedKeyID),
    "ReInit": _obj(ReInit),
    "ExternalInit": _obj(ExternalInit),
    "GroupContextExtensions": _obj(GroupContextExtensions),
    "Commit": _obj(Commit),
    "UpdatePath": _obj(UpdatePath),
    "UpdatePathNode": _obj(UpdatePathNode),
    "HPKECiphertext": _obj(HPKECiphertext),
    "ProposalRef": _obj(ProposalRef),
    "KeyPackageRef": _obj(KeyPackageRef),
    "PathSecret": _obj(PathSecret),
}


def _enc(value: Any, codec: Codec) -> bytes:
    w = Writer()
    codec[1](w, value)
    return w.getvalue()


@cache
def seeds() -> dict[str, tuple[bytes, ...]]:
    """Valid encodings for each decoder, cut out of the vector files."""
    out: dict[str, list[bytes]] = {name: [] for name in CODECS}

    def add(name: str, value: Any) -> None:
        out[name].append(_enc(value, CODECS[name]))

    messages: list[dict[str, str]] = json.loads((vectors_dir() / "messages.json").read_text())
    for case in messages[:4]:
        raw = {k: bytes.fromhex(v) for k, v in case.items()}
        for name in (
            "mls_welcome",
            "mls_group_info",
            "mls_key_package",
            "private_message",
            "public_message_application",
            "public_message_proposal",
            "public_message_commit",
        ):
            message = MLSMessage.from_bytes(raw[name])
            add("MLSMessage", message)
            body = message.body
            if isinstance(body, Welcome):
                add("Welcome", body)
                for s in body.secrets:
                    add("EncryptedGroupSecrets", s)
                    add("KeyPackageRef", s.new_member)
                    add("HPKECiphertext", s.encrypted_group_secrets)
            elif isinstance(body, GroupInfo):
                add("GroupInfo", body)
                add("GroupInfoTBS", body.tbs)
            elif isinstance(body, KeyPackage):
                add("KeyPackage", body)
                add("LeafNode", body.leaf_node)
                add("Capabilities", body.leaf_node.capabilities)
                add("Credential", body.leaf_node.credential)
                if body.leaf_node.lifetime:
                    add("Lifetime", body.leaf_node.lifetime)
            elif isinstance(body, PrivateMessage):
                add("PrivateMessage", body)
            elif isinstance(body, PublicMessage):
                add("PublicMessage", body)
                add("FramedContent", body.content)
                add("Sender", body.content.sender)
                ac = AuthenticatedContent(WireFormat.PUBLIC_MESSAGE, body.content, body.auth)
                add("AuthenticatedContent", ac)
                context = GroupContext(1, body.content.group_id, body.content.epoch, b"t", b"c")
                add("FramedContentTBS", ac.tbs(context))
                kind = body.content.content_type
                pmc = PrivateMessageContent(body.content.content, body.auth, padding=3)
                add(f"PrivateMessageContent/{kind.name.lower()}", pmc)
                if kind == ContentType.COMMIT:
                    add("FramedContentAuthData/commit", body.auth)
        tree = RatchetTree.from_bytes(raw["ratchet_tree"])
        add("RatchetTree", tree)
        for node in tree.nodes:
            if isinstance(node, ParentNode):
                add("ParentNode", node)
        secrets = GroupSecrets.from_bytes(raw["group_secrets"])
        add("GroupSecrets", secrets)
        if secrets.path_secret is not None:
            add("PathSecret", secrets.path_secret)
        for psk in secrets.psks:
            add("PreSharedKeyID", psk)
        for name, cls in (
            ("Add", Add),
            ("Update", Update),
            ("Remove", Remove),
            ("PreSharedKey", PreSharedKey),
            ("ReInit", ReInit),
            ("ExternalInit", ExternalInit),
            ("GroupContextExtensions", GroupContextExtensions),
        ):
            proposal = cls.from_bytes(raw[f"{_snake(name)}_proposal"])
            add(name, proposal)
            add("Proposal", proposal)
            add("ProposalOrRef", proposal)
        commit = Commit.from_bytes(raw["commit"])
        add("Commit", commit)
        for item in commit.proposals:
            add("ProposalOrRef", item)
            if isinstance(item, ProposalRef):
                add("ProposalRef", item)
        if commit.path is not None:
            add("UpdatePath", commit.path)
            for path_node in commit.path.nodes:
                add("UpdatePathNode", path_node)
    for case in json.loads((vectors_dir() / "transcript-hashes.json").read_text()):
        add(
            "AuthenticatedContent",
            AuthenticatedContent.from_bytes(bytes.fromhex(case["authenticated_content"])),
        )
    for case in messages:
        if len(out["ParentNode"]) >= 4:
            break
        for node in RatchetTree.from_bytes(bytes.fromhex(case["ratchet_tree"])).nodes:
            if isinstance(node, ParentNode):
                add("ParentNode", node)
    add("ParentNode", ParentNode(b"k" * 32, b"h" * 32, (0, 2, 5)))
    add("SenderData", SenderData(1, 7, b"\x01\x02\x03\x04"))
    add("ProposalRef", ProposalRef(b"r" * 32))
    add("PathSecret", PathSecret(b"p" * 32))
    add("Sender", Sender.new_member_commit())
    missing = [name for name, values in out.items() if not values]
    assert not missing, f"no seed for {missing}"
    return {name: tuple(dict.fromkeys(values)) for name, values in out.items()}


def _snake(name: str) -> str:
    special = {
        "PreSharedKey": "pre_shared_key",
        "ReInit": "re_init",
        "ExternalInit": "external_init",
        "GroupContextExtensions": "group_context_extensions",
    }
    return special.get(name, name.lower())


@st.composite
def mutated(draw: st.DrawFn, name: str) -> bytes:
    """Random bytes, or a valid encoding with a few mutations applied."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.binary(max_size=200))
    data = bytearray(draw(st.sampled_from(seeds()[name])))
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["flip", "set", "truncate", "insert", "delete", "append"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and data:
            data[pos] = draw(st.sampled_from([0x00, 0x01, 0x02, 0x3F, 0x40, 0x80, 0xC0, 0xFF]))
        elif op == "truncate":
            del data[pos:]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=4))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 4))]
        else:
            data += draw(st.binary(min_size=1, max_size=4))
    return bytes(data)


def _check(name: str, data: bytes) -> None:
    decode, _ = CODECS[name]
    try:
        value = decode_all(data, decode)
    except MLSDecodeError:
        return
    assert _enc(value, CODECS[name]) == data


@pytest.mark.parametrize("name", sorted(CODECS))
def test_seeds_round_trip(name: str) -> None:
    for data in seeds()[name]:
        _check(name, data)
        assert decode_all(data, CODECS[name][0]) is not None


@pytest.mark.parametrize("name", sorted(CODECS))
def test_decoder_never_crashes(name: str) -> None:
    @settings(
        max_examples=200,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(mutated(name))
    def run(data: bytes) -> None:
        _check(name, data)

    run()


def test_every_decoder_is_covered() -> None:
    """Each class in the wire-structure modules that can decode itself is fuzzed here."""
    modules = (
        commit,
        credential,
        framing,
        key_package,
        leaf_node,
        parent_node,
        proposals,
        psk_id,
        ratchet_tree_codec,
        welcome,
    )
    decodable = {
        name
        for module in modules
        for name, obj in vars(module).items()
        if isinstance(obj, type) and obj.__module__ == module.__name__ and hasattr(obj, "decode")
    }
    covered = {name.split("/")[0] for name in CODECS}
    assert decodable <= covered, decodable - covered
