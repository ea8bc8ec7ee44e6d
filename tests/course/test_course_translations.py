"""Every string the course's faces show is in the Persian catalog; the lesson data
carries its own two languages (tests/course/test_lessons.py)."""

from __future__ import annotations

import re
from pathlib import Path

from hasteh.course.errors import COURSE_MESSAGES
from hasteh.i18n import translations

SRC = Path(__file__).resolve().parents[2] / "src" / "hasteh"
_MSGID = re.compile(r'(?<![A-Za-z0-9_])_\(\s*"((?:[^"\\]|\\.)*)"\s*\)')


def course_msgids() -> set[str]:
    files = [
        SRC / "cli" / "course.py",
        SRC / "web" / "views" / "course.py",
        *(SRC / "web" / "templates").glob("course*.html"),
    ]
    found: set[str] = set()
    for path in files:
        found |= set(_MSGID.findall(path.read_text(encoding="utf-8")))
    # The refusals' templates (their steps are held to Persian by tests/test_error_contract.py).
    found |= set(COURSE_MESSAGES.values())
    return found


def test_every_course_string_is_translated() -> None:
    msgids = course_msgids()
    assert len(msgids) > 40
    assert "Question {number} has no answer." in msgids
    fa = translations("fa")
    assert sorted(m for m in msgids if fa.gettext(m) == m) == []
    for msgid in msgids:
        assert set(re.findall(r"\{\w+\}", fa.gettext(msgid))) == set(
            re.findall(r"\{\w+\}", msgid)
        ), msgid
