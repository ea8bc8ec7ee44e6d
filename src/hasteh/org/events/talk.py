"""The ``talk.*`` family: threads and disappearing messages."""

from __future__ import annotations

from hasteh.org.events.base import Body, Event, Id, Seconds, Title

__all__ = ["MessageDeleted", "MessagePosted", "ThreadOpened"]


class ThreadOpened(Event, tag="talk.thread", frozen=True):
    title: Title


class MessagePosted(Event, tag="talk.message", frozen=True):
    """A message in thread `thread_id`; kept until `expires_at` (at most the cell's
    `message_expiry` after `at`; the app's default is exactly that)."""

    thread_id: Id
    text: Body
    expires_at: Seconds


class MessageDeleted(Event, tag="talk.delete", frozen=True):
    """Delete for everyone a message of one's own. It deletes only a held `MessagePosted`
    of the same author; for any other id (another member's message, an event of another
    kind, an id already gone) it deletes nothing. The tombstone itself stays in the log
    with its author."""

    message_id: Id
