"""Talk: say something in a cell's thread, read what is still held.

Messages disappear: each carries `expires_at`, by default the cell's `message_expiry`
(14 days) after it was sent, and never later. `sync.sweep` deletes expired messages from
memory and from the vault (the event rows, with `secure_delete`), on every sync and
before every read. There are no read receipts, typing indicators or online status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hasteh import org
from hasteh.app import runtime
from hasteh.app.cells import DEFAULT_THREAD, find_cell
from hasteh.app.errors import BadInput
from hasteh.app.runtime import CellRuntime
from hasteh.i18n import _
from hasteh.org import MessagePosted, ThreadOpened

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = ["MessageView", "ThreadView", "read", "say", "threads"]

MAX_TEXT = 16_000


@dataclass(frozen=True, slots=True)
class MessageView:
    thread: str
    author: str
    at: int
    expires_at: int
    text: str
    mine: bool


@dataclass(frozen=True, slots=True)
class ThreadView:
    title: str
    messages: int


def _thread(rt: CellRuntime, title: str | None) -> org.Thread | None:
    threads = sorted(rt.org.threads.values(), key=lambda t: (t.at, t.thread_id))
    if title is None:
        return threads[0] if threads else None
    wanted = title.strip()
    return next((t for t in threads if t.title == wanted), None)


def say(
    ws: Workspace,
    cell: str,
    text: str,
    *,
    thread: str | None = None,
    expires_in: int | None = None,
) -> MessageView:
    """Post `text` (a new thread is opened if `thread` names none yet)."""
    rt = find_cell(ws, cell)
    rt.require_group()
    body_text = text.strip()
    if not body_text:
        raise BadInput("empty", _("There is nothing to send."))
    if len(body_text) > MAX_TEXT:
        raise BadInput("too-long", _("A message has at most 16,000 characters."))
    found = _thread(rt, thread)
    if found is None:
        title = (thread or _(DEFAULT_THREAD)).strip()
        if not 1 <= len(title) <= 200:
            raise BadInput("thread", _("A thread title has 1 to 200 characters."))
        env = runtime.send_event(ws, rt, ThreadOpened(title))
        found = rt.org.threads[org.EventId(env.event_id)]
    now = ws.now()
    limit = rt.org.settings.message_expiry
    keep = limit if expires_in is None else max(60, min(expires_in, limit))
    env = runtime.send_event(ws, rt, MessagePosted(found.thread_id, body_text, now + keep))
    return MessageView(
        found.title, rt.org.cover_name(env.author), env.at, now + keep, body_text, True
    )


def read(ws: Workspace, cell: str, *, thread: str | None = None) -> list[MessageView]:
    """Messages still held (oldest first), in one thread or in all."""
    from hasteh.app.sync import sweep

    sweep(ws)
    rt = find_cell(ws, cell)
    me = rt.own_leaf if rt.active else -1
    titles = {t.thread_id: t.title for t in rt.org.threads.values()}
    wanted = None if thread is None else _thread(rt, thread)
    if thread is not None and wanted is None:
        raise BadInput("thread", _("There is no thread with that title."))
    found = [
        m for m in rt.org.messages.values() if wanted is None or m.thread_id == wanted.thread_id
    ]
    found.sort(key=lambda m: (m.at, m.message_id))
    return [
        MessageView(
            titles.get(m.thread_id, "?"),
            rt.org.cover_name(m.author) or "?",
            m.at,
            m.expires_at,
            m.text,
            int(m.author) == me,
        )
        for m in found
    ]


def threads(ws: Workspace, cell: str) -> list[ThreadView]:
    rt = find_cell(ws, cell)
    counts: dict[bytes, int] = {}
    for m in rt.org.messages.values():
        counts[m.thread_id] = counts.get(m.thread_id, 0) + 1
    return [
        ThreadView(t.title, counts.get(t.thread_id, 0))
        for t in sorted(rt.org.threads.values(), key=lambda t: (t.at, t.thread_id))
    ]
