"""Transcript hashes and confirmation tags (RFC 9420 §8.2): the vectors, a two-epoch
chain computed by hand from the §8.2 formulas, and the pinned failure reason."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.codec import Writer
from hasteh.mls.commit import Commit
from hasteh.mls.errors import InvalidMessage, UsageError
from hasteh.mls.framing import (
    AuthenticatedContent,
    FramedContent,
    FramedContentAuthData,
    Sender,
    WireFormat,
)
from hasteh.mls.proposals import Remove
from hasteh.mls.transcript_hash import (
    confirmation_tag,
    confirmed_transcript_hash_input,
    update_transcript_hashes,
    verify_confirmation_tag,
)
from hasteh.mls.vectors import run_file

from ..conftest import vectors_dir

SUITE = get_suite(1)


def test_transcript_hash_vectors() -> None:
    result = run_file(vectors_dir() / "transcript-hashes.json")
    assert result.failures == []
    assert result.passed == 7


def commit_content(epoch: int, tag: bytes) -> AuthenticatedContent:
    content = FramedContent(b"g", epoch, Sender.member(0), b"", Commit((Remove(1),)))
    return AuthenticatedContent(
        WireFormat.PUBLIC_MESSAGE, content, FramedContentAuthData(b"sig", tag)
    )


def test_chain_matches_the_formulas() -> None:
    interim = b""  # interim_transcript_hash_[0]
    for epoch in range(3):
        ac = commit_content(epoch, bytes([epoch]) * 32)
        confirmed, new_interim = update_transcript_hashes(SUITE, interim, ac)
        w = Writer()
        w.u16(ac.wire_format)
        ac.content.encode(w)
        w.opaque(ac.auth.signature)
        assert confirmed == SUITE.hash(interim + w.getvalue())
        assert new_interim == SUITE.hash(confirmed + b"\x20" + bytes([epoch]) * 32)
        interim = new_interim


def test_tag_excludes_itself() -> None:
    a = commit_content(1, b"a" * 32)
    b = commit_content(1, b"b" * 32)
    ia, ib = (
        confirmed_transcript_hash_input(x.wire_format, x.content, x.auth.signature) for x in (a, b)
    )
    assert ia == ib


def test_confirmation_tag_check() -> None:
    key, confirmed = b"k" * 32, b"c" * 32
    tag = confirmation_tag(SUITE, key, confirmed)
    verify_confirmation_tag(SUITE, key, confirmed, tag)
    with pytest.raises(InvalidMessage) as exc:
        verify_confirmation_tag(SUITE, key, confirmed, bytes(32))
    assert exc.value.reason == "bad-confirmation-tag"


def test_only_commits() -> None:
    ac = commit_content(0, b"t")
    proposal = replace(ac.content, content=Remove(0))
    with pytest.raises(UsageError):
        confirmed_transcript_hash_input(ac.wire_format, proposal, b"sig")


def test_vector_authenticated_content_round_trips() -> None:
    for case in json.loads((vectors_dir() / "transcript-hashes.json").read_text()):
        data = bytes.fromhex(case["authenticated_content"])
        assert AuthenticatedContent.from_bytes(data).to_bytes() == data
