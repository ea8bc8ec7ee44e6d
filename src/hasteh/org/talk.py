"""Talk family (``talk.*``): threads and disappearing messages.

A message lives until its `expires_at`, at most the cell's `message_expiry` (default 14
days) after it was posted. `expire(state, now)` drops every message due and returns their
ids, so the app deletes those events from the vault too (DESIGN §4: disappearing messages).

Expiry is local and depends on the device's clock, so a message's presence is a *view*,
never a rule: no check here depends on whether a message is still held, except that only a
message's poster may delete it while it is held. Deleting a message that is gone already
is accepted and changes nothing, so a member whose copy expired a minute earlier does not
refuse what the others accept for any reason that matters to the log.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

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
from hasteh.org.policy import MembershipPolicy
from hasteh.org.state import Message, OrgState, Thread

__all__ = ["Expired", "default_expiry", "expire", "messages_in"]


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
    if body.expires_at - env.at > state.settings.message_expiry:
        raise InvalidEvent("expiry-too-long", limit=state.settings.message_expiry)
    if env.event_id in state.messages:
        raise InvalidEvent("duplicate-id")


def fold_message_posted(
    state: OrgState, env: EventEnvelope, body: MessagePosted, policy: MembershipPolicy
) -> OrgState:
    key = EventId(env.event_id)
    message = Message(
        key, EventId(body.thread_id), LeafIndex(env.author), env.at, body.text, body.expires_at
    )
    return replace(state, messages=state.messages.set(key, message))


def check_message_deleted(state: OrgState, env: EventEnvelope, body: MessageDeleted) -> None:
    require_member(state, env.author)
    held = state.messages.get(EventId(body.message_id))
    if held is not None and held.author != env.author:
        raise InvalidEvent("not-your-message")


def fold_message_deleted(
    state: OrgState, env: EventEnvelope, body: MessageDeleted, policy: MembershipPolicy
) -> OrgState:
    return replace(state, messages=state.messages.delete(EventId(body.message_id)))


@dataclass(frozen=True, slots=True)
class Expired:
    """The state without the expired messages, and their ids (sorted) to delete from
    storage."""

    state: OrgState
    forget: tuple[EventId, ...]


def expire(state: OrgState, now: int) -> Expired:
    """Drop every message with ``expires_at <= now``. `now` comes from the caller."""
    due = sorted(m.message_id for m in state.messages.values() if m.expires_at <= now)
    messages = state.messages
    for key in due:
        messages = messages.delete(key)
    return Expired(replace(state, messages=messages), tuple(due))


def messages_in(state: OrgState, thread_id: bytes) -> list[Message]:
    """A thread's messages still held, oldest first (ties by id)."""
    found = [m for m in state.messages.values() if m.thread_id == thread_id]
    return sorted(found, key=lambda m: (m.at, m.message_id))
