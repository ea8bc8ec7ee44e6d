"""Threads and disappearing messages."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.org import (
    CellSettings,
    MessageDeleted,
    MessagePosted,
    ThreadOpened,
    default_expiry,
    expire,
    held_in,
    messages_in,
    next_expiry,
    replay,
)
from hasteh.org.talk import expires_message

from .helpers import DAY, cell


def test_post_and_list_in_order() -> None:
    log = cell(2)
    tid = log.do(0, ThreadOpened("May Day")).event_id
    log.do(1, MessagePosted(tid, "second", default_expiry(log.state, log.now + 5)), at=log.now + 5)
    log.do(0, MessagePosted(tid, "first", default_expiry(log.state, log.now)))
    texts = [m.text for m in messages_in(log.state, tid)]
    assert texts == ["first", "second"]
    assert log.state.threads[tid].title == "May Day"


def test_default_expiry_is_fourteen_days() -> None:
    log = cell(1)
    assert default_expiry(log.state, 100) == 100 + 14 * DAY


def test_expire_drops_due_messages_and_returns_their_ids() -> None:
    log = cell(2)
    tid = log.do(0, ThreadOpened("t")).event_id
    short = log.do(0, MessagePosted(tid, "burn after reading", log.now + 60)).event_id
    long = log.do(1, MessagePosted(tid, "two weeks", log.now + 14 * DAY)).event_id
    before = log.state
    gone = expire(log.state, log.now + 60)
    assert gone.forget == (short,)
    assert short not in gone.state.messages
    assert long in gone.state.messages
    assert short in before.messages  # the old state is untouched
    later = expire(gone.state, log.now + 14 * DAY)
    assert later.forget == (long,)
    assert len(later.state.messages) == 0
    assert expire(later.state, log.now + 99 * DAY).forget == ()


def test_delete_own_message() -> None:
    log = cell(2)
    tid = log.do(0, ThreadOpened("t")).event_id
    mid = log.do(1, MessagePosted(tid, "oops, a real name", log.now + DAY)).event_id
    log.do(1, MessageDeleted(mid))
    assert mid not in log.state.messages


def test_deleting_a_message_already_gone_changes_nothing() -> None:
    log = cell(2)
    tid = log.do(0, ThreadOpened("t")).event_id
    mid = log.do(1, MessagePosted(tid, "x", log.now + 60)).event_id
    log.state = expire(log.state, log.now + 60).state
    before = log.state
    log.do(0, MessageDeleted(mid))  # another member's copy had not expired yet: fine
    assert log.state == before


def test_replay_of_a_log_without_expired_messages_matches_expire() -> None:
    log = cell(2)
    tid = log.do(0, ThreadOpened("t")).event_id
    short = log.do(0, MessagePosted(tid, "a", log.now + 60)).event_id
    log.do(1, MessagePosted(tid, "b", log.now + DAY))
    gone = expire(log.state, log.now + 60)
    kept = [e for e in log.envelopes if e.event_id not in gone.forget]
    assert short in gone.forget
    assert replay(kept) == gone.state


def test_ten_thousand_messages_share_structure() -> None:
    log = cell(2)
    tid = log.do(0, ThreadOpened("t")).event_id
    first = log.state
    for i in range(10_000):
        log.do(i % 2, MessagePosted(tid, f"m{i}", log.now + DAY), at=log.now)
    assert len(log.state.messages) == 10_000
    assert len(first.messages) == 0
    assert len(messages_in(log.state, tid)) == 10_000


def test_pages_and_expiry_come_from_the_indexes() -> None:
    log = cell(2)
    tid = log.do(0, ThreadOpened("t")).event_id
    start = log.now
    for i in range(300):  # posted out of order: newest first
        at = start + 300 - i
        log.do(i % 2, MessagePosted(tid, f"m{300 - i}", at + 60 + 2 * i), at=at)
    everything = messages_in(log.state, tid)
    assert [m.text for m in everything] == [f"m{i}" for i in range(1, 301)]
    assert messages_in(log.state, tid, -50, None) == everything[-50:]
    assert messages_in(log.state, tid, 100, 150) == everything[100:150]
    assert held_in(log.state, tid) == 300
    soonest = min(m.expires_at for m in everything)
    assert next_expiry(log.state) == soonest
    gone = expire(log.state, soonest + 10)
    assert gone.forget == tuple(
        sorted(m.message_id for m in everything if m.expires_at <= soonest + 10)
    )
    assert held_in(gone.state, tid) == 300 - len(gone.forget)
    assert [m.text for m in messages_in(gone.state, tid)] == [
        m.text for m in everything if m.message_id not in gone.forget
    ]
    kept = [e for e in log.envelopes if e.event_id not in gone.forget]
    assert replay(kept) == gone.state
    talkless = [e for e in log.envelopes if not isinstance(e.body, MessagePosted)]
    assert replay(talkless) == expire(log.state, start + 99_999).state  # no thread entry left
    log.do(0, MessageDeleted(everything[-1].message_id))
    assert held_in(log.state, tid) == 299
    assert messages_in(log.state, tid, -1, None) == [everything[-2]]


@settings(max_examples=40, deadline=None)
@given(ahead=st.integers(min_value=1, max_value=60 * DAY), late=st.integers(0, 3 * DAY))
def test_stored_expiry_is_the_held_messages(ahead: int, late: int) -> None:
    """The expiry the app stores a message with (`expires_message`, computed, not looked
    up) is the one the fold kept, clamped or not, whatever the author asked and however
    the log time moved."""
    log = cell(2, CellSettings(message_expiry=7 * DAY))
    tid = log.do(0, ThreadOpened("t")).event_id
    env = log.do(1, MessagePosted(tid, "x", log.now + late + ahead), at=log.now + late)
    body = env.body
    assert isinstance(body, MessagePosted)
    held = log.state.messages[env.event_id]
    assert expires_message(log.state, env, body) == held.expires_at
    assert held.expires_at == min(body.expires_at, env.at + 7 * DAY)
