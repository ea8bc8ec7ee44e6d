"""Talk: say something in a cell's thread, read what is still held.

Messages disappear: each carries `expires_at`, by default the cell's `message_expiry`
(14 days) after it was sent, and never later. `expiry.sweep` deletes expired messages from
memory and from the vault (the event rows, with `secure_delete`), on every sync and
before every read. There are no read receipts, typing indicators or online status.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hasteh import org
from hasteh.app import runtime
from hasteh.app.cells import DEFAULT_THREAD, find_cell
from hasteh.app.errors import BadInput
from hasteh.app.expiry import sweep
from hasteh.app.runtime import CellRuntime
from hasteh.i18n import _
from hasteh.org import MessagePosted, ThreadOpened
from hasteh.org.state import Place

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = ["MessagePage", "MessageView", "ThreadView", "read", "read_page", "say", "threads"]

MAX_TEXT = 16_000
#: Messages per page in `read_page`.
PAGE_SIZE = 50


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


@dataclass(frozen=True, slots=True)
class MessagePage:
    """One page of a thread: page 0 is the newest `size` messages, page 1 the ones
    before, and so on."""

    thread: str
    #: The page's messages, oldest first.
    messages: list[MessageView]
    page: int
    #: Messages held in the thread (all pages).
    total: int
    #: There are older messages (page + 1 is not empty).
    older: bool
    #: There are newer messages (page > 0).
    newer: bool
    #: The earliest `expires_at` of the cell's messages still held: until then, the
    #: same state gives the same page (None: nothing held).
    expires_next: int | None


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
        raise BadInput("empty-message")
    if len(body_text) > MAX_TEXT:
        raise BadInput("message-too-long")
    found = _thread(rt, thread)
    if found is None:
        title = (thread or _(DEFAULT_THREAD)).strip()
        if not 1 <= len(title) <= 200:
            raise BadInput("bad-thread-title")
        env = runtime.send_event(ws, rt, ThreadOpened(title))
        found = rt.org.threads[org.EventId(env.event_id)]
    now = ws.now()
    limit = rt.org.settings.message_expiry
    keep = limit if expires_in is None else max(60, min(expires_in, limit))
    env = runtime.send_event(ws, rt, MessagePosted(found.thread_id, body_text, now + keep))
    return MessageView(
        found.title, rt.org.cover_name(env.author), env.at, now + keep, body_text, True
    )


def _view(rt: CellRuntime, titles: dict[org.EventId, str], me: int, m: org.Message) -> MessageView:
    # The name the author had when posting: a newcomer who later takes the same leaf
    # does not inherit what was said before (nor is it shown as theirs).
    name = m.author_name or rt.org.cover_name(m.author) or "?"
    mine = int(m.author) == me and name == rt.org.cover_name(me)
    return MessageView(titles.get(m.thread_id, "?"), name, m.at, m.expires_at, m.text, mine)


def read(ws: Workspace, cell: str, *, thread: str | None = None) -> list[MessageView]:
    """Messages still held (oldest first), in one thread or in all."""
    sweep(ws)
    rt = find_cell(ws, cell)
    me = rt.own_leaf if rt.active else -1
    titles = {t.thread_id: t.title for t in rt.org.threads.values()}
    wanted = None if thread is None else _thread(rt, thread)
    if thread is not None and wanted is None:
        raise BadInput("unknown-thread")
    # Each thread is kept in posting order by org: merged, not sorted.
    orders: list[Iterable[Place]]
    if wanted is None:
        orders = list(rt.org.thread_order.values())
    else:
        orders = [rt.org.thread_order.get(wanted.thread_id) or ()]
    messages = rt.org.messages
    return [_view(rt, titles, me, messages[place[-1]]) for place in heapq.merge(*orders)]


def read_page(
    ws: Workspace,
    cell: str,
    *,
    thread: str | None = None,
    page: int = 0,
    size: int = PAGE_SIZE,
) -> MessagePage:
    """One page of a thread's messages still held (default: the cell's first thread),
    newest page first, after the expiry sweep. Costs the page, not the thread: org keeps
    each thread's messages in posting order. Threads sharing a title are read as one."""
    page, size = max(0, page), max(1, size)
    sweep(ws)
    rt = find_cell(ws, cell)
    me = rt.own_leaf if rt.active else -1
    first = _thread(rt, thread)
    if thread is not None and first is None:
        raise BadInput("unknown-thread")
    expires_next = org.next_expiry(rt.org)
    if first is None:  # no thread yet
        return MessagePage("", [], page, 0, False, page > 0, expires_next)
    titles = {t.thread_id: t.title for t in rt.org.threads.values()}
    same = [t for t in rt.org.threads.values() if t.title == first.title]
    stop_from_end = page * size
    if len(same) == 1:
        order = rt.org.thread_order.get(first.thread_id)
        total = 0 if order is None else len(order)
        end = max(0, total - stop_from_end)
        start = max(0, end - size)
        keys = [] if order is None else order[start:end]
    else:  # rare: two members opened a thread with the same title at once
        parts = [rt.org.thread_order.get(t.thread_id) or () for t in same]
        merged = list(heapq.merge(*parts))
        total = len(merged)
        end = max(0, total - stop_from_end)
        start = max(0, end - size)
        keys = merged[start:end]
    messages = rt.org.messages
    shown = [_view(rt, titles, me, messages[place[-1]]) for place in keys]
    return MessagePage(first.title, shown, page, total, start > 0, page > 0, expires_next)


def threads(ws: Workspace, cell: str) -> list[ThreadView]:
    rt = find_cell(ws, cell)
    return [
        ThreadView(t.title, org.held_in(rt.org, t.thread_id))
        for t in sorted(rt.org.threads.values(), key=lambda t: (t.at, t.thread_id))
    ]
