"""The spoken-code exchange, sans I/O: both sides in one process, the relay replaced by
handing bytes over, attacked as a guesser, an eavesdropper and a forger would; every
decoder fed arbitrary bytes (hypothesis)."""

from __future__ import annotations

import os

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.app import invite_code as ic
from hasteh.app.code_words import WORDS, normalize_word, sound_key, word_index
from hasteh.app.invite_code import (
    Answer,
    Answered,
    Confirmed,
    InviteCodeError,
    Member,
    Newcomer,
    Offered,
    Outgoing,
    SpokenCode,
)

NOW = 1_800_000_000


def pair(
    code: SpokenCode, typed: SpokenCode | None = None, *, expires: int = NOW + 600
) -> tuple[Newcomer, Member]:
    return (
        Newcomer(code, expires_at=expires, rng=os.urandom),
        Member(typed or code, now=NOW, rng=os.urandom),
    )


def reply_of(member: Member, opened: bytes) -> bytes:
    (out,) = member.receive(opened)
    assert isinstance(out, Outgoing)
    return out.data


def test_the_exchange_carries_the_card_and_the_answer_with_the_same_check_words() -> None:
    code = ic.make_code(42, os.urandom)
    newcomer, member = pair(code, ic.parse_code(code.text("fa")))
    (confirmed,) = newcomer.receive(reply_of(member, newcomer.open()))
    assert isinstance(confirmed, Confirmed) and len(confirmed.check) == ic.CHECK_WORDS
    events = member.receive(newcomer.offer(b"card payload"))
    assert events == [Confirmed(confirmed.check), Offered(b"card payload")]
    answer = Answer(True, b"g" * 32, "bakery", "sepideh")
    assert newcomer.receive(member.answer(answer)) == [Answered(answer)]


def test_a_wrong_code_fails_the_key_check_and_both_sides_stop() -> None:
    code = SpokenCode(42, (1, 2, 3))
    newcomer, member = pair(code, SpokenCode(42, (1, 2, 4)))
    with pytest.raises(InviteCodeError) as wrong:
        newcomer.receive(reply_of(member, newcomer.open()))
    assert wrong.value.reason == "wrong-code" and newcomer.failed
    with pytest.raises(InviteCodeError) as told:
        member.receive(newcomer.abort("wrong-code"))
    assert told.value.reason == "wrong-code" and member.failed
    # A failed side takes nothing more: one code, one try.
    with pytest.raises(InviteCodeError):
        newcomer.offer(b"card")


def test_a_code_read_for_another_slot_never_matches() -> None:
    newcomer, member = pair(SpokenCode(42, (1, 2, 3)), SpokenCode(43, (1, 2, 3)))
    with pytest.raises(InviteCodeError, match="did not match"):
        newcomer.receive(reply_of(member, newcomer.open()))


def test_the_expiry_cannot_be_stretched_by_whoever_carries_the_frames() -> None:
    """The relay rewrites the open frame's expiry: the keys differ, the check fails."""
    code = SpokenCode(7, (9, 9, 9))
    newcomer, member = pair(code)
    opened = msgspec.msgpack.decode(newcomer.open(), type=ic.Frame)
    stretched = msgspec.msgpack.encode(msgspec.structs.replace(opened, expires_at=NOW + 10**6))
    with pytest.raises(InviteCodeError, match="did not match"):
        newcomer.receive(reply_of(member, stretched))


def test_an_expired_open_is_refused_before_any_key() -> None:
    newcomer, member = pair(SpokenCode(7, (1, 1, 1)), expires=NOW - 1)
    with pytest.raises(InviteCodeError) as expired:
        member.receive(newcomer.open())
    assert expired.value.reason == "expired"


def test_a_forged_answer_or_a_replayed_frame_is_refused() -> None:
    code = SpokenCode(5, (10, 20, 30))
    newcomer, member = pair(code)
    opened = newcomer.open()
    reply = reply_of(member, opened)
    newcomer.receive(reply)
    offer = newcomer.offer(b"card")
    member.receive(offer)
    # Someone who saw every frame but holds no key forges an answer: refused.
    stranger = Member(code, now=NOW, rng=os.urandom)
    reply_of(stranger, opened)
    forged = msgspec.msgpack.encode(ic.Frame(1, ic.Kind.SEALED, os.urandom(60)))
    with pytest.raises(InviteCodeError):
        newcomer.receive(forged)
    # The member's side does not take the offer twice.
    with pytest.raises(InviteCodeError, match="not part of an invitation"):
        member.receive(offer)


def test_codes_parse_in_any_digits_and_spelling() -> None:
    code = SpokenCode(42, (0, 17, 255))
    words = [WORDS[i] for i in code.words]
    assert ic.parse_code(code.text("fa")) == code
    assert ic.parse_code(code.text("en")) == code
    assert ic.parse_code("  ٤٢ ،" + "   ".join(words)) == code
    assert ic.parse_code(" ".join([*words[:1], "42", *words[1:]])) == code
    for bad in ("", "42", "42 " + " ".join(words[:2]), "x y z w", "0 " + " ".join(words)):
        with pytest.raises(InviteCodeError) as refused:
            ic.parse_code(bad)
        assert refused.value.reason == "bad-code"


def test_the_word_list() -> None:
    assert len(WORDS) == 256 == len(set(WORDS))
    assert all(w and " " not in w and "\u200c" not in w for w in WORDS)
    sounds = [sound_key(w) for w in WORDS]

    def distance(a: str, b: str) -> int:
        row = list(range(len(b) + 1))
        for i, ca in enumerate(a, 1):
            prev, row[0] = row[:], i
            for j, cb in enumerate(b, 1):
                row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
        return row[-1]

    for i, a in enumerate(sounds):
        for b in sounds[i + 1 :]:
            assert distance(a, b) >= 2 and not a.startswith(b) and not b.startswith(a), (a, b)
    assert all(word_index(w) == i for i, w in enumerate(WORDS))
    assert word_index("يخچال") == word_index("یخچال") is not None  # Arabic ي typed
    assert normalize_word(" کتاب\u200c ") == "کتاب"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_frames_from_anyone_only_raise_precisely(data: bytes) -> None:
    for side in pair(SpokenCode(3, (4, 5, 6))):
        if isinstance(side, Newcomer):
            side.open()
        try:
            side.receive(data)
        except InviteCodeError:
            assert side.failed
    with pytest.raises(InviteCodeError):
        ic.decode_answer(data + b"\xc1")  # 0xc1 is never valid msgpack


@settings(max_examples=200, deadline=None)
@given(
    kind=st.integers(-2, 8),
    body=st.binary(max_size=64),
    sealed=st.binary(max_size=64),
    expires=st.integers(-(2**63), 2**64 - 1),
)
def test_well_formed_frames_with_hostile_fields(
    kind: int, body: bytes, sealed: bytes, expires: int
) -> None:
    data = msgspec.msgpack.encode([1, kind, body, sealed, expires])
    newcomer, member = pair(SpokenCode(3, (4, 5, 6)))
    newcomer.open()
    for side in (newcomer, member):
        try:
            side.receive(data)
        except InviteCodeError as exc:
            assert exc.reason in ("malformed", "wrong-code", "expired", "refused")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_typed_text_is_a_code_or_bad_code(text: str) -> None:
    try:
        code = ic.parse_code(text)
    except InviteCodeError as exc:
        assert exc.reason == "bad-code"
    else:
        assert ic.parse_code(code.text("fa")) == code


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_answers_decode_or_refuse(data: bytes) -> None:
    try:
        answer = ic.decode_answer(data)
    except InviteCodeError as exc:
        assert exc.reason == "malformed"
    else:
        assert not answer.ok or answer.group_id


def test_an_answer_naming_bad_relays_is_malformed() -> None:
    for relays in (["ftp://relay.example"], ["http://a b"], ["https://r.example"] * 9):
        data = ic.encode_answer(Answer(True, b"g" * 32, "bakery", "sepideh", relays))
        with pytest.raises(InviteCodeError) as refused:
            ic.decode_answer(data)
        assert refused.value.reason == "malformed"
    good = Answer(True, b"g" * 32, "bakery", "sepideh", ["https://relay.example"])
    assert ic.decode_answer(ic.encode_answer(good)) == good
