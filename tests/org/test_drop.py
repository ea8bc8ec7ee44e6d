"""The ``drop.*`` rules on a bare log: who may enter what, each refusal's code with the
state unchanged, expiry on every member alike, and the codec round trip (property)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hasteh.org import InvalidEvent, decode, encode, replay
from hasteh.org.drop import MAX_SUBMISSIONS, expire
from hasteh.org.events import (
    DropImage,
    DropPublished,
    DropReplied,
    DropSubmitted,
    EventEnvelope,
    EventId,
    MemberRemoved,
)
from hasteh.org.events.drop import MAX_DROP_IMAGE, MAX_DROP_TEXT

from .helpers import DAY, cell

JPEG = b"\xff\xd8\xff\xe0" + b"j" * 100


def test_a_submission_its_photos_reply_and_mark() -> None:
    log = cell(3)
    sid = log.do(0, DropSubmitted("خبر", images=1, days=10)).event_id
    log.do(0, DropImage(sid, JPEG))
    log.do(1, DropReplied(sid, "ممنون"))
    log.do(2, DropPublished(sid))
    held = log.state.drops[EventId(sid)]
    assert held.text == "خبر" and held.images == (JPEG,) and held.replies == ("ممنون",)
    assert held.published and held.member == 0 and held.expires_at == log.now + 10 * DAY
    assert len(held.event_ids) == 4


@pytest.mark.parametrize(
    ("author", "make", "code"),
    [
        (0, lambda sid: DropImage(EventId(b"x" * 16), JPEG), "unknown-submission"),
        (1, lambda sid: DropImage(sid, JPEG), "drop-not-yours"),
        (0, lambda sid: DropImage(sid, b"GIF89a"), "drop-bad-image"),
        (0, lambda sid: DropSubmitted("  ", images=0), "drop-empty"),
        (1, lambda sid: DropReplied(EventId(b"y" * 16), "x"), "unknown-submission"),
        (1, lambda sid: DropPublished(EventId(b"y" * 16)), "unknown-submission"),
        (9, lambda sid: DropSubmitted("x"), "not-a-member"),
    ],
)
def test_refusals_change_nothing(author: int, make, code: str) -> None:
    log = cell(3)
    sid = log.do(0, DropSubmitted("x", images=1)).event_id
    before = log.state
    with pytest.raises(InvalidEvent) as err:
        log.do(author, make(sid))
    assert err.value.code == code
    assert log.state is before


def test_no_more_photos_than_announced_and_a_bounded_box() -> None:
    log = cell(2)
    sid = log.do(0, DropSubmitted("x", images=1)).event_id
    log.do(0, DropImage(sid, JPEG))
    with pytest.raises(InvalidEvent) as err:
        log.do(0, DropImage(sid, JPEG))
    assert err.value.code == "too-many-items"
    for _ in range(MAX_SUBMISSIONS - 1):
        log.do(1, DropSubmitted("x"))
    with pytest.raises(InvalidEvent) as err:
        log.do(1, DropSubmitted("one too many"))
    assert err.value.code == "too-many-items"


def test_a_removed_member_can_no_longer_enter_submissions() -> None:
    log = cell(3)
    log.do(0, MemberRemoved(2, 0, log.next_epoch()))
    with pytest.raises(InvalidEvent) as err:
        log.do(2, DropSubmitted("x"))
    assert err.value.code == "not-a-member"


def test_expiry_forgets_the_submission_and_everything_on_it() -> None:
    log = cell(2)
    first = log.do(0, DropSubmitted("a", images=1, days=1))
    photo = log.do(0, DropImage(first.event_id, JPEG))
    reply = log.do(1, DropReplied(first.event_id, "r"))
    log.now += DAY // 2
    kept = log.do(0, DropSubmitted("b", days=2))
    gone = expire(log.state, first.at + DAY - 1)
    assert gone.forget == () and gone.state is log.state
    gone = expire(log.state, first.at + DAY)
    assert set(gone.forget) == {first.event_id, photo.event_id, reply.event_id}
    assert list(gone.state.drops) == [kept.event_id]
    # a replay of the log without the forgotten events gives the same state
    assert replay([e for e in log.envelopes if e.event_id not in gone.forget]).drops == (
        gone.state.drops
    )


@given(
    text=st.text(max_size=MAX_DROP_TEXT // 4),
    data=st.binary(min_size=1, max_size=MAX_DROP_IMAGE),
    images=st.integers(0, 4),
    days=st.integers(1, 90),
)
def test_drop_events_round_trip_through_the_codec(
    text: str, data: bytes, images: int, days: int
) -> None:
    sid = EventId(b"s" * 16)
    for body in (
        DropSubmitted(text, images=images, days=days, route="sealed"),
        DropImage(sid, data),
        DropReplied(sid, text or "x"),
        DropPublished(sid),
    ):
        env = EventEnvelope(1, EventId(b"e" * 16), 0, 1_780_000_000, body)  # type: ignore[arg-type]
        assert decode(encode(env)) == env
