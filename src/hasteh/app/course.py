"""The course on this device: the bundled lessons, and the person's own progress.

The lessons ship inside the package (`hasteh/course/lessons/*.toml`, `checklists.toml`,
`guide.toml`) and are read and checked once per process (`bundled_course`); a broken file
is a `LessonFileInvalid` at the first page or command that needs the course.

Progress and ticked boxes are vault settings (listed in `hasteh.app.records`):

| setting key                  | value              | what |
|------------------------------|--------------------|------|
| ``course.progress``          | `Progress`         | lessons opened, best quiz scores |
| ``course.ticks.<slug>``      | ``list[int]``      | boxes ticked on a checklist now |

They are never events of a cell: no cell, relay or member learns who studied, passed or
failed anything (a test takes a quiz and checks the relay saw nothing new).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Final

from hasteh.course import Course, Progress, assemble
from hasteh.vault import Connection
from hasteh.vault.settings import delete_setting, get_setting, set_setting

PROGRESS_KEY: Final = "course.progress"
TICKS_PREFIX: Final = "course.ticks."


@cache
def bundled_course() -> Course:
    """The course shipped with hasteh, read and checked once per process (it never
    changes while hasteh runs)."""
    root = resources.files("hasteh.course")
    lessons = [
        (f"lessons/{item.name}", item.read_text(encoding="utf-8"))
        for item in (root / "lessons").iterdir()
        if item.name.endswith(".toml")
    ]
    checklists = ("checklists.toml", (root / "checklists.toml").read_text(encoding="utf-8"))
    guide = ("guide.toml", (root / "guide.toml").read_text(encoding="utf-8"))
    return assemble(lessons, checklists, guide)


def progress(conn: Connection) -> Progress:
    """This device's progress (empty at first)."""
    return get_setting(conn, PROGRESS_KEY, Progress, Progress())


def set_progress(conn: Connection, value: Progress) -> None:
    set_setting(conn, PROGRESS_KEY, value)


def ticks(conn: Connection, slug: str) -> tuple[int, ...]:
    """The boxes of checklist `slug` ticked on this device since it was last cleared."""
    return tuple(get_setting(conn, TICKS_PREFIX + slug, list[int], []))


def set_ticks(conn: Connection, slug: str, value: tuple[int, ...]) -> None:
    """Store the ticks of checklist `slug`; none clears it (a new meeting, a new action)."""
    if value:
        set_setting(conn, TICKS_PREFIX + slug, list(value))
    else:
        delete_setting(conn, TICKS_PREFIX + slug)
