"""The chat fold's fast paths (`talk.fold_message_posted`, `log.receive`) give exactly
what the general path gives: the same state, the same ids to forget, and the same refusal
for a bad event anywhere in a log."""

from __future__ import annotations

import dataclasses
import gc
from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hasteh.org import (
    EventEnvelope,
    EventId,
    InvalidEvent,
    MessageDeleted,
    MessagePosted,
    OrgState,
    ThreadOpened,
    log,
    talk,
)
from hasteh.org.fold import CELL
from hasteh.org.psorted import PSorted
from hasteh.org.state import Message

from .helpers import DAY, cell


def test_a_cells_messages_are_not_walked_by_the_garbage_collector() -> None:
    """A chat message and the map's leaves hold no container a cycle could pass through,
    so the collector's passes during a catch-up do not walk the messages already held."""
    log_ = cell(2)
    thread = log_.do(0, ThreadOpened("t")).event_id
    for i in range(40):
        log_.do(i % 2, MessagePosted(thread, f"m{i}", log_.now + DAY), at=log_.now + i)
    held = list(log_.state.messages.values())
    assert len(held) == 40 and not any(gc.is_tracked(m) for m in held)
    for _ in range(3):  # a pass untracks the tuples whose items are untracked: a level
        gc.collect()
    root = log_.state.messages._root
    assert not gc.is_tracked(root)
    assert talk.messages_in(log_.state, thread)[-1].text == "m39"


def reference_fold(state: OrgState, env: EventEnvelope, body: MessagePosted) -> OrgState:
    """The general path, as the fold was written before its fast paths: the dataclass's
    `__init__`, a lookup of the id, `dataclasses.replace`."""
    key = EventId(env.event_id)
    expires_at = min(body.expires_at, env.at + state.settings.message_expiry)
    message = Message(
        key,
        EventId(body.thread_id),
        env.author,
        env.at,
        body.text,
        expires_at,  # type: ignore[arg-type]
        state.cover_name(env.author),
        env.n,
    )
    held = state.messages.get(key)
    if held is not None:
        state = talk._forget(state, held)
    order = state.thread_order.get(message.thread_id) or PSorted()
    return dataclasses.replace(
        state,
        messages=state.messages.set(key, message),
        thread_order=state.thread_order.set(message.thread_id, order.add(message.place)),
        expiry_order=state.expiry_order.add((expires_at, env.n, key)),
        time=max(state.time, env.at),
    )


def reference_receive(state: OrgState, env: EventEnvelope) -> tuple[OrgState, tuple[Any, ...]]:
    body = env.body
    if isinstance(body, MessagePosted):
        log._checked(CELL, state, env)
        return reference_fold(state, env, body), ()
    new = log.apply(CELL, state, env)
    forgets = CELL.row(body).forgets
    return new, (() if forgets is None else forgets(state, env, body))


def outcome(fn: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "ok", fn(*args)
    except InvalidEvent as exc:
        return "refused", exc.code


# One step of a chat: (what, author, thread, at offset, expiry offset, which id, counter).
steps = st.lists(
    st.tuples(
        st.sampled_from(["post", "post", "post", "repost", "delete", "stranger"]),
        st.integers(0, 2),
        st.integers(0, 2),
        st.integers(-40, 60),
        st.integers(-5, 30 * DAY),
        st.integers(0, 200),
        st.integers(0, 3),
    ),
    max_size=120,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_receive_matches_the_general_path(script: list[tuple[Any, ...]]) -> None:
    """Messages posted out of order, to an unknown thread, already expired, with an id
    already held, by a stranger, and deletions of one's own and others' messages: each
    is refused with the general path's code, or gives its state and its ids to forget;
    a refused event leaves the state as it was for the next one."""
    base = cell(2)
    threads = [base.do(0, ThreadOpened(f"t{i}")).event_id for i in range(2)]
    threads.append(EventId(b"\x07" * 16))  # no such thread
    state, posted = base.state, [EventId(b"\x01" * 16)]
    for what, author, thread, dt, expiry, pick, n in script:
        at = base.now + dt
        if what == "delete":
            body: Any = MessageDeleted(posted[pick % len(posted)])
        else:
            body = MessagePosted(threads[thread], "سلام", at + expiry)
        env = base.envelope(9 if what == "stranger" else author, body, at)
        if what == "repost":
            env = msgspec.structs.replace(env, event_id=posted[pick % len(posted)])
        env = msgspec.structs.replace(env, n=n)
        fast = outcome(log.receive, CELL, state, env)
        slow = outcome(reference_receive, state, env)
        if slow[0] == "refused":
            assert fast == slow
            continue
        assert fast[0] == "ok"
        received = fast[1]
        assert received.state == slow[1][0] and received.state.time == slow[1][0].time
        assert received.forget == slow[1][1]
        assert talk.messages_in(received.state, threads[0]) == talk.messages_in(
            slow[1][0], threads[0]
        )
        state = received.state
        if isinstance(body, MessagePosted):
            posted.append(env.event_id)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 1), st.integers(-20, 20)), max_size=80)
)
def test_fold_of_a_held_id_matches_the_general_path(script: list[tuple[int, int, int]]) -> None:
    """`fold` without checks (a replay) of an id already held replaces the message in
    the map and both indexes, as the general path does."""
    base = cell(2)
    thread = base.do(0, ThreadOpened("t")).event_id
    state = base.state
    for pick, author, dt in script:
        at = base.now + dt
        env = base.envelope(author, MessagePosted(thread, "x", at + DAY), at)
        env = msgspec.structs.replace(env, event_id=EventId(bytes([pick]) * 16))
        fast = log.fold(CELL, state, env)
        slow = reference_fold(state, env, env.body)  # type: ignore[arg-type]
        assert fast == slow and fast.time == slow.time
        assert list(fast.expiry_order) == list(slow.expiry_order)
        assert len(fast.messages) == len(slow.messages) == len(list(fast.expiry_order))
        state = fast


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 3), st.integers(1, 4), st.integers(0, 3)),
        max_size=60,
    ),
    st.integers(0, 8),
)
def test_expire_in_a_burst_takes_exactly_the_due_messages(
    posts: list[tuple[int, int, int, int]], now: int
) -> None:
    """The expiry order sorts by expiry, then the author's counter, then id: bursts from
    several authors expiring in the same second (counters in any order, and equal), then
    `expire` at every second: exactly the messages due go, and the next expiry is the
    earliest left."""
    base = cell(3)
    thread = base.do(0, ThreadOpened("t")).event_id
    state = base.state
    for author, dt, life, n in posts:
        at = base.now + dt
        env = msgspec.structs.replace(
            base.envelope(author, MessagePosted(thread, "x", at + life), at), n=n
        )
        state = log.receive(CELL, state, env).state
    held = {m.message_id: m.expires_at for m in state.messages.values()}
    assert len(list(state.expiry_order)) == len(held)
    clock = base.now + now
    gone = talk.expire(state, clock)
    assert gone.forget == tuple(sorted(k for k, e in held.items() if e <= clock))
    left = {k: e for k, e in held.items() if e > clock}
    assert {m.message_id for m in gone.state.messages.values()} == set(left)
    assert talk.next_expiry(gone.state) == (min(left.values()) if left else None)
