"""Talk family (``talk.*``): threads and disappearing messages.

A message lives until its `expires_at`, at most the cell's `message_expiry` (default 14
days) after it was posted. `expire(state, now)` drops every message due and returns their
ids, so the app deletes those events from the vault too (DESIGN §4: disappearing messages).

Expiry is local and depends on the device's clock, so a message's presence is a *view*,
never a rule: no check here depends on whether a message is still held, except that only a
message's poster may delete it while it is held. A deletion deletes only a held message of
its own author: naming another member's message is refused while it is held, and naming
an id that is gone (expired, or an event of another kind) is accepted as a tombstone that
deletes nothing, so a member whose copy expired a minute earlier does not refuse what the
others accept. A message's expiry is clamped to the cell's rule from its log time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from hasteh.org._checks import require_member
from hasteh.org.errors import InvalidEvent
from hasteh.org.events import (
    EventEnvelope,
    EventId,
    LeafIndex,
    MessageDeleted,
    MessagePosted,
    ThreadOpened,
)
from hasteh.org.log import Copier, advanced, copy_with
from hasteh.org.policy import MembershipPolicy
from hasteh.org.psorted import PSorted
from hasteh.org.state import Message, OrgState, Thread

__all__ = [
    "Expired",
    "default_expiry",
    "expire",
    "held_in",
    "messages_in",
    "next_expiry",
]


def default_expiry(state: OrgState, at: int) -> int:
    """The `expires_at` a new message posted at `at` gets by default."""
    return at + state.settings.message_expiry


def check_thread_opened(state: OrgState, env: EventEnvelope, body: ThreadOpened) -> None:
    require_member(state, env.author)
    if EventId(env.event_id) in state.threads:
        raise InvalidEvent("duplicate-id")


def fold_thread_opened(
    state: OrgState, env: EventEnvelope, body: ThreadOpened, policy: MembershipPolicy
) -> OrgState:
    key = EventId(env.event_id)
    thread = Thread(key, body.title, LeafIndex(env.author), env.at)
    return replace(state, threads=state.threads.set(key, thread))


def check_message_posted(state: OrgState, env: EventEnvelope, body: MessagePosted) -> None:
    require_member(state, env.author)
    if body.thread_id not in state.threads:
        raise InvalidEvent("unknown-thread")
    if body.expires_at <= env.at:
        raise InvalidEvent("expiry-in-past")
    if env.event_id in state.messages:
        raise InvalidEvent("duplicate-id")


def kept_until(state: OrgState, env: EventEnvelope, body: MessagePosted) -> int:
    """When the message goes: what its author asked, but never later than the cell's
    `message_expiry` after its log time — a message dated ahead cannot outlive the rule,
    and an honest author whose clock runs a little ahead is clamped, not refused."""
    return min(body.expires_at, env.at + state.settings.message_expiry)


def fold_message_posted(
    state: OrgState, env: EventEnvelope, body: MessagePosted, policy: MembershipPolicy
) -> OrgState:
    # Every chat message received is folded here: one copy of the state (with the log
    # time, the row `sets_time`), no lookup of the id (a map that does not grow held it).
    key = EventId(env.event_id)
    thread_id = EventId(body.thread_id)
    at, n = env.at, env.n
    expires_at = kept_until(state, env, body)
    message = Message(
        key,
        thread_id,
        LeafIndex(env.author),
        at,
        body.text,
        expires_at,
        state.cover_name(env.author),
        n,
    )
    messages = state.messages
    grown = messages.set(key, message)
    if len(grown) == len(messages):  # held: not reached through `check` (duplicate-id)
        held = messages[key]
        state = _forget(state, held)
        grown = state.messages.set(key, message)
    order = state.thread_order.get(thread_id)
    if order is None:
        order = PSorted()
    return _POSTED(
        state,
        grown,
        state.thread_order.set(thread_id, order.add((at, n, key))),
        state.expiry_order.add((expires_at, n, key)),
        advanced(state.time, env),
    )


#: The copy a posted message makes: its three maps and the log time.
_POSTED: Final = Copier(OrgState, "messages", "thread_order", "expiry_order", "time")


def _forget(state: OrgState, message: Message) -> OrgState:
    """The state without `message` (held), in the map and both indexes."""
    key, thread_id = message.message_id, message.thread_id
    order = (state.thread_order.get(thread_id) or PSorted()).discard(message.place)
    # A thread with no message held has no entry, as if it never had one (same state as
    # a replay of the log without the messages gone).
    thread_order = (
        state.thread_order.set(thread_id, order)
        if len(order)
        else state.thread_order.delete(thread_id)
    )
    return copy_with(
        state,
        messages=state.messages.delete(key),
        thread_order=thread_order,
        expiry_order=state.expiry_order.discard((message.expires_at, message.n, key)),
    )


def check_message_deleted(state: OrgState, env: EventEnvelope, body: MessageDeleted) -> None:
    require_member(state, env.author)
    held = state.messages.get(EventId(body.message_id))
    if held is not None and held.author != env.author:
        raise InvalidEvent("not-your-message")


def fold_message_deleted(
    state: OrgState, env: EventEnvelope, body: MessageDeleted, policy: MembershipPolicy
) -> OrgState:
    # Only a held message of the same author goes; any other id (another kind of event,
    # one already expired) deletes nothing, so no member can erase what others said.
    held = state.messages.get(EventId(body.message_id))
    if held is None or held.author != env.author:
        return state
    return _forget(state, held)


@dataclass(frozen=True, slots=True)
class Expired:
    """The state without the expired messages, and their ids (sorted) to delete from
    storage."""

    state: OrgState
    forget: tuple[EventId, ...]


def expire(state: OrgState, now: int) -> Expired:
    """Drop every message with ``expires_at <= now``. `now` comes from the caller."""
    due = [key for _, _, key in state.expiry_order.below((now + 1, -1, EventId(b"")))]
    for key in due:
        held = state.messages.get(key)
        if held is not None:
            state = _forget(state, held)
    return Expired(state, tuple(sorted(due)))


def messages_in(
    state: OrgState, thread_id: bytes, start: int | None = None, stop: int | None = None
) -> list[Message]:
    """A thread's messages still held, oldest first (ties by id); with `start`/`stop`,
    only those ranks, as in a slice (``-50, None``: the newest 50). Costs the messages
    returned, not the messages held."""
    order = state.thread_order.get(EventId(thread_id))
    if order is None:
        return []
    messages = state.messages
    return [messages[place[-1]] for place in order[start:stop]]


def held_in(state: OrgState, thread_id: bytes) -> int:
    """How many messages of a thread are still held."""
    order = state.thread_order.get(EventId(thread_id))
    return 0 if order is None else len(order)


def next_expiry(state: OrgState) -> int | None:
    """The earliest `expires_at` of the messages still held (None when none are)."""
    first = state.expiry_order.first()
    return None if first is None else first[0]


def expires_message(state: OrgState, env: EventEnvelope, body: MessagePosted) -> int:
    """When the stored message is deleted: its expiry as the log kept it (clamped to the
    cell's rule; `state` is the state after it was folded). Computed as the fold computed
    it (`kept_until`: folding a message changes no setting) rather than looked up in the
    map of 10,000 messages again for every message a catch-up stores."""
    return kept_until(state, env, body)


def forgets_message_deleted(
    state: OrgState, env: EventEnvelope, body: MessageDeleted
) -> tuple[EventId, ...]:
    """The stored message a deletion deletes: a held message of the same author only."""
    held = state.messages.get(EventId(body.message_id))
    if held is not None and held.author == env.author:
        return (held.message_id,)
    return ()
