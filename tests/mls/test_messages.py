"""Wire structures (RFC 9420 §5.3, §7, §10, §12): the messages.json and deserialization.json
vectors, plus the construction and decoding rules the vectors do not exercise."""

from __future__ import annotations

import json

import pytest

from hasteh.mls.codec import Reader, Writer
from hasteh.mls.commit import Commit, ProposalRef
from hasteh.mls.credential import BasicCredential, X509Credential, credential_from_bytes
from hasteh.mls.errors import MLSDecodeError, UsageError
from hasteh.mls.framing import MLSMessage
from hasteh.mls.key_package import KeyPackage
from hasteh.mls.leaf_node import Capabilities, LeafNode, LeafNodeSource, Lifetime
from hasteh.mls.parent_node import ParentNode
from hasteh.mls.proposals import Remove, proposal_from_bytes, proposal_to_bytes
from hasteh.mls.psk_id import PreSharedKeyID, PSKType, ResumptionPSKUsage
from hasteh.mls.ratchet_tree_codec import RatchetTree
from hasteh.mls.vectors import run_file

from ..conftest import vectors_dir


def test_messages_vectors() -> None:
    result = run_file(vectors_dir() / "messages.json")
    assert result.failures == []
    assert result.passed > 0


def test_deserialization_vectors() -> None:
    result = run_file(vectors_dir() / "deserialization.json")
    assert result.failures == []
    assert result.passed > 0


def _first_case() -> dict[str, str]:
    cases: list[dict[str, str]] = json.loads((vectors_dir() / "messages.json").read_text())
    return cases[0]


def leaf(source: LeafNodeSource = LeafNodeSource.UPDATE) -> LeafNode:
    return LeafNode(
        encryption_key=b"e" * 32,
        signature_key=b"s" * 32,
        credential=BasicCredential(b"alice"),
        capabilities=Capabilities((1,), (1,), (), (), (1,)),
        leaf_node_source=source,
        extensions=(),
        signature=b"sig",
        lifetime=Lifetime(0, 2**64 - 1) if source == LeafNodeSource.KEY_PACKAGE else None,
        parent_hash=b"ph" if source == LeafNodeSource.COMMIT else None,
    )


@pytest.mark.parametrize("source", list(LeafNodeSource))
def test_leaf_node_round_trips_each_source(source: LeafNodeSource) -> None:
    node = leaf(source)
    assert LeafNode.from_bytes(node.to_bytes()) == node


def test_leaf_node_select_fields_must_match_source() -> None:
    with pytest.raises(UsageError):
        LeafNode(
            b"e",
            b"s",
            BasicCredential(b"a"),
            Capabilities(),
            LeafNodeSource.UPDATE,
            (),
            b"",
            lifetime=Lifetime(0, 1),
        )
    with pytest.raises(UsageError):
        LeafNode(b"e", b"s", BasicCredential(b"a"), Capabilities(), LeafNodeSource.COMMIT, (), b"")


def test_leaf_node_tbs_binds_group_and_leaf_for_update_and_commit() -> None:
    node = leaf(LeafNodeSource.UPDATE)
    tbs = node.tbs(b"group", 3)
    assert tbs.startswith(node.to_bytes()[: len(tbs) - len(b"\x05group") - 4])
    assert tbs.endswith(b"\x05group" + (3).to_bytes(4, "big"))
    with pytest.raises(UsageError):
        node.tbs()
    with pytest.raises(UsageError):
        leaf(LeafNodeSource.KEY_PACKAGE).tbs(b"group", 3)


def test_unknown_leaf_node_source_is_a_decode_error() -> None:
    node = leaf()
    data = bytearray(node.to_bytes())
    offset = 33 + 33 + len(node.credential.to_bytes()) + len(node.capabilities.to_bytes())
    assert data[offset] == LeafNodeSource.UPDATE
    data[offset] = 9
    with pytest.raises(MLSDecodeError, match="leaf node source"):
        LeafNode.from_bytes(bytes(data))


def test_credentials() -> None:
    basic = BasicCredential(b"bob")
    x509 = X509Credential((b"cert1", b"cert2"))
    assert credential_from_bytes(basic.to_bytes()) == basic
    assert credential_from_bytes(x509.to_bytes()) == x509
    with pytest.raises(MLSDecodeError, match="credential type"):
        credential_from_bytes(b"\x00\x03\x00")


def test_capabilities_keep_unknown_values() -> None:
    grease = Capabilities((1, 0x0A0A), (1, 0x1A1A), (0x2A2A,), (0x3A3A,), (1, 0x4A4A))
    assert Capabilities.from_bytes(grease.to_bytes()) == grease


def test_psk_ids() -> None:
    ext = PreSharedKeyID.external(b"id", b"n" * 32)
    res = PreSharedKeyID.resumption(ResumptionPSKUsage.BRANCH, b"g", 7, b"n" * 32)
    for psk in (ext, res):
        assert PreSharedKeyID.from_bytes(psk.to_bytes()) == psk
    with pytest.raises(UsageError):
        PreSharedKeyID(PSKType.EXTERNAL, b"", usage=ResumptionPSKUsage.BRANCH)
    with pytest.raises(MLSDecodeError, match="PSK type"):
        PreSharedKeyID.from_bytes(b"\x03\x00")
    with pytest.raises(MLSDecodeError, match="usage"):
        PreSharedKeyID.from_bytes(b"\x02\x04\x00" + bytes(8) + b"\x00")


def test_unknown_proposal_type_is_a_decode_error() -> None:
    assert proposal_from_bytes(proposal_to_bytes(Remove(5))) == Remove(5)
    with pytest.raises(MLSDecodeError, match="proposal type"):
        proposal_from_bytes(b"\x00\x08\x00\x00\x00\x05")


def test_commit_with_references_and_no_path() -> None:
    commit = Commit((ProposalRef(b"r" * 32), Remove(1)))
    assert Commit.from_bytes(commit.to_bytes()) == commit
    with pytest.raises(MLSDecodeError, match="ProposalOrRef"):
        Commit.from_bytes(b"\x02\x03\x00\x00")


def test_ratchet_tree_shape_is_checked() -> None:
    parent = ParentNode(b"k", b"", (2,))
    good = RatchetTree((leaf(), parent, leaf()))
    assert RatchetTree.from_bytes(good.to_bytes()) == good

    def raw(nodes: list[LeafNode | ParentNode | None]) -> bytes:
        w = Writer()
        w.vector(nodes, lambda w2, n: w2.raw(_node_bytes(n)))
        return w.getvalue()

    cases: list[tuple[list[LeafNode | ParentNode | None], str]] = [
        ([], "at least one node"),
        ([leaf(), None], "blank node"),
        ([leaf(), leaf(), leaf()], "odd position"),
        ([parent], "even position"),
    ]
    for nodes, why in cases:
        with pytest.raises(MLSDecodeError, match=why):
            RatchetTree.from_bytes(raw(nodes))
        with pytest.raises(UsageError):
            RatchetTree(tuple(nodes))


def _node_bytes(node: LeafNode | ParentNode | None) -> bytes:
    if node is None:
        return b"\x00"
    return (b"\x01\x01" if isinstance(node, LeafNode) else b"\x01\x02") + node.to_bytes()


def test_key_package_version_must_be_mls10() -> None:
    data = bytes.fromhex(_first_case()["mls_key_package"])
    kp = MLSMessage.from_bytes(data).body
    assert isinstance(kp, KeyPackage)
    encoded = kp.to_bytes()
    assert kp.tbs() == encoded[: len(encoded) - len(kp.signature) - 1 - (len(kp.signature) > 63)]
    with pytest.raises(MLSDecodeError, match="version"):
        KeyPackage.from_bytes(b"\x00\x02" + encoded[2:])


def test_reader_rejects_trailing_bytes_on_every_from_bytes() -> None:
    data = bytes.fromhex(_first_case()["commit"])
    Commit.decode(Reader(data + b"\x00"))  # a bare decode leaves the rest to the caller
    with pytest.raises(MLSDecodeError, match="trailing"):
        Commit.from_bytes(data + b"\x00")
