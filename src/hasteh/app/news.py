"""What is new in a cell since this device last showed it: the unread marker of each cell
and the news a cell page's self-refreshing frame lists.

A cell's *activity* is the number of events other members sent that this device has
processed: the sum of the per-member counters the runtime keeps to notice withheld events
(`CellRecord.counters`), our own leaf left out. It only moves when something arrives, it
is the same number however the events were read (relay or courier bundle), and it reveals
nothing beyond what the record already holds. Showing a cell's page stores its activity
as *seen* (`records.set_seen_count`, per cell, in this device's vault); a cell is unread
while its activity differs from what was seen, or while its page was never shown (a cell
joined by the background sync).

The news of a page shown at log time `since` with the counters `shown` (`counters`, per
member: how many of their events this device had then): messages of others past those
counters (oldest first, at most `MAX_NEWS`; a burst within one second is told apart by the
counter, not the clock), decisions opened since, and whether anything else moved (votes,
members), so the frame can say "show them".
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hasteh.app import records
from hasteh.app.cells import all_cells, find_cell, summary
from hasteh.app.expiry import sweep
from hasteh.app.runtime import CellRuntime
from hasteh.vault import Connection

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = [
    "MAX_NEWS",
    "News",
    "NewsMessage",
    "activity",
    "counters",
    "mark_seen",
    "news_since",
    "unread",
]

#: Most messages a frame lists (the page itself shows the rest).
MAX_NEWS = 20


@dataclass(frozen=True, slots=True)
class NewsMessage:
    thread: str
    author: str
    at: int
    text: str


@dataclass(frozen=True, slots=True)
class News:
    """What arrived since a page was shown."""

    #: The cell's activity now (what the frame's next refresh compares against).
    activity: int
    #: Something arrived since the page was shown.
    changed: bool
    #: Messages of others posted since, oldest first (at most `MAX_NEWS`).
    messages: list[NewsMessage]
    #: More messages arrived than are listed.
    more: bool
    #: Questions of decisions opened since.
    opened: list[str]


def counters(rt: CellRuntime) -> dict[int, int]:
    """Per other member (leaf), how many of their events this device has processed."""
    me = rt.own_leaf if rt.group is not None and rt.active else -1
    return {int(leaf): n for leaf, n in rt.record.counters.items() if int(leaf) != me}


def activity(rt: CellRuntime) -> int:
    """How many events of other members this device has processed in the cell."""
    me = rt.own_leaf if rt.group is not None and rt.active else -1
    return sum(n for leaf, n in rt.record.counters.items() if int(leaf) != me)


def unread(ws: Workspace) -> set[str]:
    """The ids (8 hex digits) of the cells with something not yet shown on this device."""
    cells = all_cells(ws)

    def seen(conn: Connection) -> list[int | None]:
        return [records.seen_count(conn, rt.group_id) for rt in cells]

    counts = ws.vault.read(seen)
    return {summary(rt).cell_id for rt, n in zip(cells, counts, strict=True) if activity(rt) != n}


def mark_seen(ws: Workspace, cell: str) -> dict[int, int]:
    """Store the cell's activity as seen on this device (its page is being shown); the
    counters, for the page's news frame."""
    rt = find_cell(ws, cell)
    now = activity(rt)
    gid = rt.group_id
    if ws.vault.read(lambda conn: records.seen_count(conn, gid)) != now:
        ws.vault.write(lambda conn: records.set_seen_count(conn, gid, now))
    return counters(rt)


def news_since(ws: Workspace, cell: str, shown: dict[int, int], since: int) -> News:
    """What arrived in the cell since its page was shown at log time `since` with the
    counters `shown` (expired chat swept first). Marks nothing as seen: the frame is not
    the page."""
    sweep(ws)
    rt = find_cell(ws, cell)
    now = activity(rt)
    current = counters(rt)
    if all(current.get(leaf, 0) <= shown.get(leaf, 0) for leaf in current):
        return News(now, False, [], False, [])
    me = rt.own_leaf if rt.group is not None and rt.active else -1
    titles = {t.thread_id: t.title for t in rt.org.threads.values()}
    recent = []
    for order in rt.org.thread_order.values():
        # Each thread is in posting order: walk back from its end while newer than `since`.
        for index in range(len(order) - 1, -1, -1):
            place = order[index]
            if place[0] < since:
                break
            recent.append(place)
            if len(recent) > 4 * MAX_NEWS:
                break
    found = []
    for place in heapq.nsmallest(len(recent), recent):
        m = rt.org.messages[place[-1]]
        if int(m.author) == me or m.n <= shown.get(int(m.author), 0):
            continue
        name = m.author_name or rt.org.cover_name(m.author) or "?"
        found.append(NewsMessage(titles.get(m.thread_id, "?"), name, m.at, m.text))
    decisions = list(rt.org.decisions.values())
    opened = [
        d.question
        for d in sorted(decisions, key=lambda d: d.at)
        if d.at > since and int(d.opened_by) != me
    ]
    return News(now, True, found[-MAX_NEWS:], len(found) > MAX_NEWS, opened)
