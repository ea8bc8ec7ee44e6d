"""Study circles (issue 15): circles, their curriculum of readings with questions,
sessions with a place given as a code word, a discussion per reading, and this member's
own reading progress (through org's ``study.*`` events, and the vault for progress).

What stays on this device only: whether you read or discussed a reading and your notes
on it (`records.ReadingProgress`). No event carries them, so nothing another member, the
relay or a courier sees can tell them.

A place is shown only until its session ends (`org.study.place_of`), and `expiry.sweep`
deletes it from memory and from the vault at that time, with the chat.

Circles are referred to by their number (1, 2, … by opening time; Persian digits
accepted) or by the start of their id; readings by their place in the curriculum;
sessions by their number in the circle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from hasteh import org
from hasteh.app import decisions, files, records, runtime
from hasteh.app.cells import find_cell
from hasteh.app.errors import BadInput, clean_or_refuse
from hasteh.app.expiry import sweep
from hasteh.app.runtime import CellRuntime
from hasteh.i18n import parse_digits, whole_number
from hasteh.org.circles import Circle, Reading, Session
from hasteh.org.events import (
    CircleOpened,
    MessagePosted,
    PlaceGiven,
    ReadingAdded,
    ReadingRemoved,
    ReadingsOrdered,
    SessionPlanned,
)
from hasteh.org.events.study import MAX_QUESTIONS, MAX_SESSION_HOURS
from hasteh.org.study import place_of
from hasteh.vault import Connection

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = [
    "MAX_NOTE",
    "CircleLine",
    "CircleSummary",
    "ReadingSummary",
    "SessionSummary",
    "Shown",
    "add_reading",
    "circle",
    "circles",
    "discuss",
    "give_place",
    "mark",
    "move_reading",
    "open_circle",
    "plan_session",
    "reading",
    "remove_reading",
    "starts_at",
]

#: The longest own note on a reading (kept on this device only).
MAX_NOTE: Final = 2_000
#: The longest title or question (as in the events).
MAX_TITLE: Final = 200
MAX_QUESTION: Final = 2_000
#: Messages of a reading's discussion shown on its page (the newest).
DISCUSSION_SHOWN: Final = 50
MAX_TEXT: Final = 16_000


@dataclass(frozen=True, slots=True)
class SessionSummary:
    number: int
    starts: int
    ends: int
    #: The reading's title ("" for an open session, None if it was removed).
    reading: str | None
    #: The place's code word until the session ends, then None.
    place: str | None


@dataclass(frozen=True, slots=True)
class ReadingSummary:
    """A reading as shown to this member: with their own progress, never anyone else's."""

    number: int
    reading_id: str
    title: str
    questions: tuple[str, ...]
    note: str
    #: The title of the library item the reading names, if any (and it is still there).
    item: str | None
    read: bool
    discussed: bool
    own_note: str
    #: Messages of its discussion still held.
    messages: int


@dataclass(frozen=True, slots=True)
class Message:
    author: str
    at: int
    text: str


@dataclass(frozen=True, slots=True)
class CircleSummary:
    number: int
    circle_id: str
    title: str
    note: str
    convener: str
    #: Whether this member is the convener (who alone changes the curriculum).
    mine: bool
    #: The curriculum (or the part asked for, `Shown`), in its order.
    readings: tuple[ReadingSummary, ...]
    #: Every session in planning order (or, with `Shown`, the next ones soonest first,
    #: then the latest that are over).
    sessions: tuple[SessionSummary, ...]
    reading_count: int = 0
    session_count: int = 0


@dataclass(frozen=True, slots=True)
class Shown:
    """What a page shows of a big circle: page `page` of the curriculum, `size` readings
    a page (the last page if `page` is beyond it), the next `upcoming` sessions and the
    latest `past` that are over."""

    page: int
    size: int
    upcoming: int
    past: int


@dataclass(frozen=True, slots=True)
class CircleLine:
    """One line of the list of circles: cheap to make for many."""

    number: int
    circle_id: str
    title: str
    convener: str
    readings: int
    #: How many of its readings this member marked read (from this vault).
    read: int
    #: The next session that is not over (its start), if any.
    next_session: int | None


@dataclass(frozen=True, slots=True)
class ReadingPage:
    """A reading and its discussion (the newest messages still held)."""

    circle: CircleLine
    reading: ReadingSummary
    discussion: tuple[Message, ...]


# --- finding -----------------------------------------------------------------------------


def _circles(rt: CellRuntime) -> list[Circle]:
    return sorted(rt.org.study.circles.values(), key=lambda c: (c.at, c.circle_id))


def _number(ref: str, count: int, code: str) -> int:
    value = whole_number(parse_digits(ref).strip().lstrip("#"), max_digits=6)
    if value is None or not 1 <= value <= count:
        raise BadInput(code)  # type: ignore[arg-type]
    return value


def _is_id(value: str) -> bool:
    """An 8-hex id start (what the pages put in their links): never a number here, as
    no list is that long."""
    return len(value) == 8 and all(c in "0123456789abcdef" for c in value.lower())


def _find(rt: CellRuntime, ref: str) -> tuple[int, Circle]:
    found = _circles(rt)
    value = parse_digits(ref).strip().lstrip("#")
    number = None if _is_id(value) else whole_number(value, max_digits=6)
    if number is not None and 1 <= number <= len(found):
        return number, found[number - 1]
    low = value.lower()
    if len(low) >= 4:
        matches = [(i, c) for i, c in enumerate(found, 1) if c.circle_id.hex().startswith(low)]
        if len(matches) == 1:
            return matches[0]
    raise BadInput("unknown-circle")


def _reading(rt: CellRuntime, circle: Circle, ref: str) -> tuple[int, Reading]:
    """A reading by its place in the curriculum, or by its 8-hex id start."""
    value = parse_digits(ref).strip().lower()
    if _is_id(value):
        for i, key in enumerate(circle.readings, 1):
            if key.hex().startswith(value):
                return i, rt.org.study.readings[key]
        raise BadInput("unknown-reading")
    number = _number(ref, len(circle.readings), "unknown-reading")
    return number, rt.org.study.readings[circle.readings[number - 1]]


def _session(rt: CellRuntime, circle: Circle, ref: str) -> Session:
    number = _number(ref, len(circle.sessions), "unknown-session")
    return rt.org.study.sessions[circle.sessions[number - 1]]


# --- showing -----------------------------------------------------------------------------


def _progress(ws: Workspace, rt: CellRuntime) -> dict[str, records.ReadingProgress]:
    return ws.vault.read(lambda conn: records.study_progress(conn, rt.record.group_id))


def _reading_summary(
    rt: CellRuntime,
    number: int,
    r: Reading,
    progress: dict[str, records.ReadingProgress],
) -> ReadingSummary:
    own = progress.get(r.reading_id.hex(), records.ReadingProgress())
    return ReadingSummary(
        number=number,
        reading_id=r.reading_id.hex()[:8],
        title=r.title,
        questions=r.questions,
        note=r.note,
        item=_item_title(rt, r.item),
        read=own.read,
        discussed=own.discussed,
        own_note=own.note,
        messages=org.held_in(rt.org, r.reading_id),
    )


def _session_summary(rt: CellRuntime, number: int, s: Session, now: int) -> SessionSummary:
    if s.reading_id is None:
        title: str | None = ""
    else:
        held = rt.org.study.readings.get(s.reading_id)
        title = None if held is None else held.title
    return SessionSummary(number, s.starts, s.ends, title, place_of(rt.org, s.session_id, now))


def _summary(
    ws: Workspace,
    rt: CellRuntime,
    number: int,
    c: Circle,
    shown: Shown | None = None,
) -> CircleSummary:
    progress = _progress(ws, rt)
    study, now = rt.org.study, ws.now()
    first, last = 0, len(c.readings)
    if shown is not None:
        first = min(shown.page, max(0, last - 1) // shown.size) * shown.size
        last = first + shown.size
    readings = tuple(
        _reading_summary(rt, i, study.readings[k], progress)
        for i, k in enumerate(c.readings[first:last], first + 1)
    )
    numbered = list(enumerate((study.sessions[k] for k in c.sessions), 1))
    if shown is not None:
        coming = sorted((p for p in numbered if p[1].ends > now), key=lambda p: p[1].starts)
        over = [p for p in numbered if p[1].ends <= now][-shown.past :] if shown.past else []
        numbered = coming[: shown.upcoming] + over[::-1]
    sessions = tuple(_session_summary(rt, i, s, now) for i, s in numbered)
    mine = rt.active and int(rt.own_leaf) == int(c.convener)
    return CircleSummary(
        number,
        c.circle_id.hex()[:8],
        c.title,
        c.note,
        c.convener_name,
        mine,
        readings,
        sessions,
        len(c.readings),
        len(c.sessions),
    )


def _line(
    rt: CellRuntime,
    number: int,
    c: Circle,
    progress: dict[str, records.ReadingProgress],
    now: int,
) -> CircleLine:
    read = sum(1 for k in c.readings if (p := progress.get(k.hex())) is not None and p.read)
    upcoming = [s.starts for k in c.sessions if (s := rt.org.study.sessions[k]).ends > now]
    return CircleLine(
        number,
        c.circle_id.hex()[:8],
        c.title,
        c.convener_name,
        len(c.readings),
        read,
        min(upcoming, default=None),
    )


def circles(ws: Workspace, cell: str) -> list[CircleLine]:
    """Every circle of the cell as a line of the list, by number."""
    sweep(ws)
    rt = find_cell(ws, cell)
    progress, now = _progress(ws, rt), ws.now()
    return [_line(rt, n, c, progress, now) for n, c in enumerate(_circles(rt), 1)]


def circle(ws: Workspace, cell: str, ref: str, shown: Shown | None = None) -> CircleSummary:
    """One circle: its curriculum with your own progress, its sessions (all of them, or
    what `shown` asks for: a page costs what it shows, not the 1,000 a circle may hold)."""
    sweep(ws)
    rt = find_cell(ws, cell)
    number, found = _find(rt, ref)
    return _summary(ws, rt, number, found, shown)


def reading(ws: Workspace, cell: str, circle_ref: str, reading_ref: str) -> ReadingPage:
    """One reading with its questions, your progress and its discussion."""
    sweep(ws)
    rt = find_cell(ws, cell)
    number, found = _find(rt, circle_ref)
    place, r = _reading(rt, found, reading_ref)
    progress = _progress(ws, rt)
    held = org.messages_in(rt.org, r.reading_id, -DISCUSSION_SHOWN, None)
    discussion = tuple(
        Message(m.author_name or rt.org.cover_name(m.author) or "?", m.at, m.text) for m in held
    )
    return ReadingPage(
        _line(rt, number, found, progress, ws.now()),
        _reading_summary(rt, place, r, progress),
        discussion,
    )


# --- changing the curriculum (the convener) ----------------------------------------------


def starts_at(ws: Workspace, text: str) -> int:
    """When a session starts, as typed or chosen (Jalali: ``۲۰ آذر ۱۸:۰۰``, or a choice
    such as ``tomorrow``), in the profile's time zone; the forms decisions' deadlines
    take (`decisions.parse_deadline`), with its precise errors."""
    return decisions.deadline(ws, text)


def _title(text: str) -> str:
    value = text.strip()
    if not 1 <= len(value) <= MAX_TITLE:
        raise BadInput("bad-study-title", limit=MAX_TITLE)
    return value


def _note(text: str) -> str:
    value = text.strip()
    if len(value) > MAX_NOTE:
        raise BadInput("study-note-too-long", limit=MAX_NOTE)
    return value


def open_circle(ws: Workspace, cell: str, *, title: str, note: str = "") -> CircleSummary:
    """Open a study circle; you are its convener."""
    rt = find_cell(ws, cell)
    rt.require_group()
    env = runtime.send_event(ws, rt, CircleOpened(_title(title), _note(note)))
    number = len(_circles(rt))
    return _summary(ws, rt, number, rt.org.study.circles[org.EventId(env.event_id)])


def _questions(questions: list[str]) -> tuple[str, ...]:
    kept = tuple(q.strip() for q in questions if q.strip())
    if len(kept) > MAX_QUESTIONS:
        raise BadInput("too-many-questions", limit=MAX_QUESTIONS)
    if any(len(q) > MAX_QUESTION for q in kept):
        raise BadInput("study-note-too-long", limit=MAX_QUESTION)
    return kept


def _item_title(rt: CellRuntime, item: org.EventId | None) -> str | None:
    found = None if item is None else rt.org.library.get(item)
    return None if found is None else found.title


def _item(rt: CellRuntime, text: str | None) -> org.EventId | None:
    """A library item, by its number in the cell's library (or the start of its id)."""
    if text is None or not text.strip():
        return None
    try:
        return files.find_item(rt, text).item_id
    except BadInput:
        raise BadInput("bad-library-item") from None


def add_reading(
    ws: Workspace,
    cell: str,
    circle_ref: str,
    *,
    title: str,
    questions: list[str] | None = None,
    note: str = "",
    item: str | None = None,
) -> CircleSummary:
    """A reading at the end of the curriculum, with its questions."""
    rt = find_cell(ws, cell)
    rt.require_group()
    number, found = _find(rt, circle_ref)
    body = ReadingAdded(
        found.circle_id, _title(title), _questions(questions or []), _note(note), _item(rt, item)
    )
    runtime.send_event(ws, rt, body)
    return _summary(ws, rt, number, rt.org.study.circles[found.circle_id])


def move_reading(
    ws: Workspace, cell: str, circle_ref: str, reading_ref: str, to: str
) -> CircleSummary:
    """Move a reading to place `to` in the curriculum (the others shift)."""
    rt = find_cell(ws, cell)
    rt.require_group()
    number, found = _find(rt, circle_ref)
    _, r = _reading(rt, found, reading_ref)
    target = _number(to, len(found.readings), "unknown-reading")
    order = [k for k in found.readings if k != r.reading_id]
    order.insert(target - 1, r.reading_id)
    runtime.send_event(ws, rt, ReadingsOrdered(found.circle_id, tuple(order)))
    return _summary(ws, rt, number, rt.org.study.circles[found.circle_id])


def remove_reading(ws: Workspace, cell: str, circle_ref: str, reading_ref: str) -> CircleSummary:
    rt = find_cell(ws, cell)
    rt.require_group()
    number, found = _find(rt, circle_ref)
    _, r = _reading(rt, found, reading_ref)
    runtime.send_event(ws, rt, ReadingRemoved(r.reading_id))
    return _summary(ws, rt, number, rt.org.study.circles[found.circle_id])


def _place(text: str) -> str:
    return clean_or_refuse(text)


def plan_session(
    ws: Workspace,
    cell: str,
    circle_ref: str,
    *,
    starts: int,
    hours: int = 2,
    reading_ref: str | None = None,
    place: str | None = None,
) -> CircleSummary:
    """A session at `starts` for `hours`, on a reading (its place in the curriculum) or
    open; `place`: where, as a code word (deleted everywhere once the session ends)."""
    rt = find_cell(ws, cell)
    rt.require_group()
    number, found = _find(rt, circle_ref)
    if not 1 <= hours <= MAX_SESSION_HOURS:
        raise BadInput("bad-session-hours", limit=MAX_SESSION_HOURS)
    rid = None
    if reading_ref is not None and reading_ref.strip():
        rid = _reading(rt, found, reading_ref)[1].reading_id
    code = None if place is None or not place.strip() else _place(place)
    env = runtime.send_event(ws, rt, SessionPlanned(found.circle_id, starts, hours, rid))
    if code is not None:
        runtime.send_event(ws, rt, PlaceGiven(org.EventId(env.event_id), code))
    return _summary(ws, rt, number, rt.org.study.circles[found.circle_id])


def give_place(
    ws: Workspace, cell: str, circle_ref: str, session_ref: str, place: str
) -> CircleSummary:
    """Give (or change) a session's place, as a code word."""
    rt = find_cell(ws, cell)
    rt.require_group()
    number, found = _find(rt, circle_ref)
    session = _session(rt, found, session_ref)
    runtime.send_event(ws, rt, PlaceGiven(session.session_id, _place(place)))
    return _summary(ws, rt, number, rt.org.study.circles[found.circle_id])


# --- taking part (every member) ----------------------------------------------------------


def discuss(ws: Workspace, cell: str, circle_ref: str, reading_ref: str, text: str) -> None:
    """Say something in a reading's discussion (chat: it disappears like all chat)."""
    rt = find_cell(ws, cell)
    rt.require_group()
    _, found = _find(rt, circle_ref)
    _, r = _reading(rt, found, reading_ref)
    body = text.strip()
    if not body:
        raise BadInput("empty-message")
    if len(body) > MAX_TEXT:
        raise BadInput("message-too-long")
    expires = ws.now() + rt.org.settings.message_expiry
    runtime.send_event(ws, rt, MessagePosted(r.reading_id, body, expires))


def mark(
    ws: Workspace,
    cell: str,
    circle_ref: str,
    reading_ref: str,
    *,
    read: bool | None = None,
    discussed: bool | None = None,
    note: str | None = None,
) -> ReadingSummary:
    """Your own progress on a reading: written to this vault only, never sent."""
    rt = find_cell(ws, cell)
    _, found = _find(rt, circle_ref)
    number, r = _reading(rt, found, reading_ref)
    own_note = None if note is None else _note(note)
    key, gid = r.reading_id.hex(), rt.record.group_id

    def run(conn: Connection) -> dict[str, records.ReadingProgress]:
        progress = records.study_progress(conn, gid)
        old = progress.get(key, records.ReadingProgress())
        new = records.ReadingProgress(
            old.read if read is None else read,
            old.discussed if discussed is None else discussed,
            old.note if own_note is None else own_note,
        )
        if new == records.ReadingProgress():
            progress.pop(key, None)
        else:
            progress[key] = new
        records.set_study_progress(conn, gid, progress)
        return progress

    progress = ws.vault.write(run)
    return _reading_summary(rt, number, r, progress)
