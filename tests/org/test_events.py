"""The codec: round trips, precise refusals, and hostile bytes."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.org import (
    MAX_EVENT_BYTES,
    AllianceFormed,
    AllianceMessage,
    CellApproved,
    CellCreated,
    CellProposed,
    CellSettings,
    CellVoted,
    CellVouched,
    ChangeSettings,
    Choices,
    DecisionClosed,
    DecisionOpened,
    EventEnvelope,
    EventId,
    MemberAdded,
    MessagePosted,
    MotionClosed,
    MotionOpened,
    MotionOutcome,
    NewcomerProposed,
    Objection,
    OrgDecodeError,
    Outcome,
    Ranking,
    RemoveMember,
    StanceCast,
    ThreadOpened,
    decode,
    encode,
)

ID = EventId(bytes(range(16)))

SAMPLES = [
    CellCreated("cell", "Bahar", CellSettings(4, "all-but-one", 86_400)),
    NewcomerProposed(b"\x01" * 32, "Kaveh", 1_800_000_000),
    MemberAdded(3, "Kaveh", b"\x01" * 32, 0, 7),
    ThreadOpened("strike fund"),
    MessagePosted(ID, "سلام، فردا ساعت ۸", 1_800_000_000),
    DecisionOpened(
        "proposal", "Remove Omid?", 1_800_000_000, motion=RemoveMember(4, "Omid"), quorum=3
    ),
    DecisionOpened("ranked", "Delegate", 1_800_000_000, ("a", "b", "c"), seats=2),
    DecisionOpened(
        "consent", "Cap 4", 1_800_000_000, motion=ChangeSettings(CellSettings(size_cap=4))
    ),
    StanceCast(ID, Objection("not now")),
    StanceCast(ID, Ranking((2, 0))),
    StanceCast(ID, Choices(())),
    DecisionClosed(ID, Outcome("elected", (2, 0), (1, 0, 2), 3)),
    # the alliance family: the same codec for every kind of group
    AllianceFormed("north", "cell-a"),
    CellProposed(b"\x02" * 32, "cell-b", 1_800_000_000),
    CellApproved(ID),
    AllianceMessage("اعتصاب دوشنبه"),
    MotionOpened("A joint strike?", 1_800_000_000),
    CellVoted(ID, True),
    MotionClosed(ID, MotionOutcome(True, 2, 1)),
    CellVouched(b"\x03" * 32, "cell-d", 1_800_000_000),
]


@pytest.mark.parametrize("body", SAMPLES, ids=lambda b: type(b).__name__)
def test_round_trip(body: object) -> None:
    env = EventEnvelope(1, ID, 2, 1_760_000_000, body)  # type: ignore[arg-type]
    data = encode(env)
    assert decode(data) == env
    assert encode(decode(data)) == data


def test_encoding_is_compact() -> None:
    env = EventEnvelope(1, ID, 2, 1_760_000_000, MessagePosted(ID, "hi", 1_800_000_000))
    assert len(encode(env)) <= 70


def test_tags_are_family_prefixed() -> None:
    env = EventEnvelope(1, ID, 0, 1, ThreadOpened("x"))
    assert msgspec.msgpack.decode(encode(env))[4][0] == "talk.thread"


def raw(
    v: object = 1, eid: object = ID, author: object = 0, at: object = 5, body: object = None
) -> bytes:
    if body is None:
        body = ["talk.thread", "title"]
    return msgspec.msgpack.encode([v, eid, author, at, body])


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (raw(v=2), "unsupported-version"),
        (raw(v=0), "unsupported-version"),
        (raw(body=["future.family", "x"]), "unknown-event"),
        (raw(body=["talk.thread", "x" * 201]), "field-too-large"),
        (raw(body=["talk.thread", ""]), "malformed"),
        (raw(eid=b"short"), "malformed"),
        (raw(author=-1), "malformed"),
        (raw(author=2**40), "field-too-large"),
        (raw(body=["talk.thread"]), "malformed"),
        (raw(body=["talk.thread", "t", "extra"]), "malformed"),
        (raw(body=["member.proposed", b"\x00" * 65, "X", 5]), "field-too-large"),
        (raw(at="yesterday"), "malformed"),
        (b"", "malformed"),
        (b"\xc1", "malformed"),
        (b"\x95\x01", "malformed"),
        (b"\x00" * (MAX_EVENT_BYTES + 1), "too-large"),
    ],
)
def test_refusals_are_precise(data: bytes, code: str) -> None:
    with pytest.raises(OrgDecodeError) as err:
        decode(data)
    assert err.value.code == code
    assert err.value.message


def test_unknown_version_message_says_update() -> None:
    with pytest.raises(OrgDecodeError) as err:
        decode(raw(v=9))
    assert "Update hasteh" in err.value.message
    assert err.value.params == {"version": 9, "supported": 1}


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_decode_or_refuse(data: bytes) -> None:
    try:
        env = decode(data)
    except OrgDecodeError as exc:
        assert exc.code in {
            "malformed",
            "too-large",
            "unsupported-version",
            "unknown-event",
            "field-too-large",
        }
    else:
        assert isinstance(env, EventEnvelope)


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from([encode(EventEnvelope(1, ID, 3, 77, b)) for b in SAMPLES]),  # type: ignore[arg-type]
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=4),
    st.integers(0, 8),
)
def test_mutated_encodings_decode_or_refuse(
    data: bytes, flips: list[tuple[int, int]], cut: int
) -> None:
    mutated = bytearray(data)
    for pos, value in flips:
        mutated[pos % len(mutated)] = value
    mutated = mutated[: len(mutated) - cut] if cut else mutated
    try:
        env = decode(bytes(mutated))
    except OrgDecodeError:
        return
    # Whatever decodes is a well-typed envelope that encodes again.
    assert decode(encode(env)) == env
