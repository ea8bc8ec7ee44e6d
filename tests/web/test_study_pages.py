"""The study pages, in-process against a real relay, two people: a circle, readings with
questions, a session with its place, a discussion, each person's own progress (shown to
them only); a member who is not the convener gets the Persian refusal and nothing
changes; bad input in every form gets its Persian message and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from hasteh.app import study
from hasteh.app import sync as app_sync
from hasteh.web.views import study as views

from .test_cells import FA, Person, create_cell, form_cell, people, relay

__all__ = ["people", "relay"]


def circle_path(path: str) -> str:
    assert re.fullmatch(r"/cell/[0-9a-f]+/study/[0-9a-f]{8}", path), path
    return path


def open_circle(a: Person, cell: str) -> str:
    status, path, page = a.submit(
        f"{cell}/study", {"title": "مزد و سود", "note": "هر هفته یک فصل"}, f"{cell}/study"
    )
    assert status == 200, page
    assert (
        FA.gettext("The circle was opened.") in page
        or FA.gettext(views.STUDY_NOTICES["queued"]) in page
    )
    return circle_path(path)


def cell_id(cell: str) -> str:
    return cell.rsplit("/", 1)[1]


def test_a_circle_two_people(people: Callable[[str], Person]) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    here = open_circle(a, cell)
    data = {"title": "فصل ۱", "questions": "مزد چیست؟\nسود از کجا می‌آید؟", "note": "", "item": ""}
    status, _, page = a.submit(f"{here}/reading", data, here)
    assert status == 200 and "فصل ۱" in page
    a.submit(f"{here}/reading", {"title": "فصل ۲", "questions": ""}, here)
    status, _, page = a.submit(
        f"{here}/session",
        {"when": "فردا", "hours": "۲", "reading": "۱", "place": "باغ آبی"},
        here,
    )
    assert status == 200, page
    assert FA.gettext("place: {code}").split("{")[0] in page and "باغ آبی" in page

    b.app_read(app_sync.sync)
    seen = b.client.get(here).text
    assert "باغ آبی" in seen and "فصل ۱" in seen
    # b is not the convener: no forms that change the circle, and a forged POST is refused.
    assert f'action="{here}/reading"' not in seen
    before = b.app_read(lambda ws: study.circle(ws, cell_id(cell), "1"))
    status, _, page = b.submit(f"{here}/reading", {"title": "متن جاسازی‌شده"}, here)
    assert status == 400
    assert "گرداننده" in page
    status, _, page = b.submit(f"{here}/place", {"session": "۱", "place": "حیاط"}, here)
    assert status == 400
    assert b.app_read(lambda ws: study.circle(ws, cell_id(cell), "1")) == before

    # b's reading page: questions, progress kept on b's device only, the discussion.
    (reading,) = re.findall(rf'href="({here}/r/[0-9a-f]{{8}})">\s*<bdi>فصل ۱', seen)
    page = b.client.get(reading).text
    assert "مزد چیست؟" in page and FA.gettext(views.PROGRESS_STAYS) in page
    status, _, page = b.submit(
        f"{reading}/progress", {"read": "yes", "discussed": "", "note": "صفحهٔ ۱۲"}, reading
    )
    assert status == 200 and FA.gettext("Saved on this device only.") in page
    assert "صفحهٔ ۱۲" in page
    status, _, page = b.submit(f"{reading}/discuss", {"text": "مزد قیمت کار است؟"}, reading)
    assert status == 200 and "مزد قیمت کار است؟" in page
    a.app_read(app_sync.sync)
    page = a.client.get(reading).text
    assert "مزد قیمت کار است؟" in page  # the discussion reached a
    assert "صفحهٔ ۱۲" not in page  # b's note did not
    assert 'id="read" name="read" value="yes" checked' not in page


@pytest.mark.parametrize(
    ("what", "data", "message"),
    [
        ("reading", {"title": ""}, "A title must be between 1 and {limit} characters."),
        (
            "reading",
            {"title": "x", "item": "zz"},
            "There is no such item in the cell's library: give its number there.",
        ),
        (
            "reading",
            {"title": "x", "questions": "\n".join("q" * 17)},
            "A reading can have at most {limit} questions.",
        ),
        (
            "move",
            {"reading": "x" * 5000, "to": "1"},
            "There is no reading with this number in the circle.",
        ),
        (
            "move",
            {"reading": "1", "to": "9"},
            "There is no reading with this number in the circle.",
        ),
        ("remove", {"reading": "7"}, "There is no reading with this number in the circle."),
        (
            "session",
            {"when": "فردا", "hours": "۲۰"},
            "A session lasts between 1 and {limit} hours.",
        ),
        ("session", {"when": "فردا", "hours": "x"}, "A session lasts between 1 and {limit} hours."),
        ("session", {"when": "۳۲ آذر"}, None),
        ("session", {"when": "فردا", "place": "باغ\u202eآبی"}, None),
        (
            "place",
            {"session": "۵", "place": "پارک"},
            "There is no session with this number in the circle.",
        ),
        ("nonsense", {}, "Nothing was changed."),
    ],
)
def test_bad_input_changes_nothing(
    people: Callable[[str], Person], what: str, data: dict[str, str], message: str | None
) -> None:
    a = people("a")
    cell = create_cell(a)
    here = open_circle(a, cell)
    a.submit(f"{here}/reading", {"title": "فصل ۱"}, here)
    before = a.app_read(lambda ws: study.circle(ws, cell_id(cell), "1"))
    status, _, page = a.submit(f"{here}/{what}", data, here)
    assert status == 400
    if message is not None:
        assert FA.gettext(message).split("{")[0] in page
    assert "Traceback" not in page
    assert a.app_read(lambda ws: study.circle(ws, cell_id(cell), "1")) == before


def test_bad_input_on_a_reading_changes_nothing(people: Callable[[str], Person]) -> None:
    a = people("a")
    cell = create_cell(a)
    here = open_circle(a, cell)
    _, _, page = a.submit(f"{here}/reading", {"title": "فصل ۱"}, here)
    (reading,) = re.findall(rf'href="({here}/r/[0-9a-f]{{8}})"', page)
    before = a.app_read(lambda ws: study.reading(ws, cell_id(cell), "1", "1"))
    for what, data, message in (
        ("discuss", {"text": "   "}, None),
        ("progress", {"note": "n" * 2001}, "A note or question can be at most {limit} characters."),
        ("nonsense", {}, "Nothing was changed."),
    ):
        status, _, page = a.submit(f"{reading}/{what}", data, reading)
        assert status == 400, what
        if message is not None:
            assert FA.gettext(message).split("{")[0] in page
        assert a.app_read(lambda ws: study.reading(ws, cell_id(cell), "1", "1")) == before
    assert a.client.get(f"{cell}/study/zzzzzzzz").status_code == 404
    assert a.client.get(f"{reading[:-8]}ffffffff").status_code == 404


def test_a_bad_circle_is_refused_in_persian(people: Callable[[str], Person]) -> None:
    a = people("a")
    cell = create_cell(a)
    for title in ("", " ", "x" * 201):
        status, _, page = a.submit(f"{cell}/study", {"title": title}, f"{cell}/study")
        assert status == 400
        assert FA.gettext("A title must be between 1 and {limit} characters.").split("{")[0] in page
    assert FA.gettext("No study circles.") in a.client.get(f"{cell}/study").text


def test_every_table_word_is_translated() -> None:
    words = [*views.STUDY_NOTICES.values(), views.PROGRESS_STAYS, views.PLACE_GOES]
    assert [w for w in words if FA.gettext(w) == w] == []


def test_a_long_curriculum_comes_a_page_at_a_time(people: Callable[[str], Person]) -> None:
    """60 readings: the circle's page shows 50 in order, then the other 10 (numbered on
    from 51); a page number beyond the end shows the last page."""
    a = people("a")
    cell = create_cell(a)
    here = open_circle(a, cell)
    ref = cell_id(cell)

    def add(ws: object) -> None:
        for i in range(1, 61):
            study.add_reading(ws, ref, "1", title=f"فصل {i}")  # type: ignore[arg-type]

    a.app_read(add)
    first = a.client.get(here).text
    assert "فصل 50<" in first.replace("</bdi>", "<") and "فصل 51<" not in first
    assert FA.gettext("Later readings") in first
    assert FA.gettext("Earlier readings") not in first
    for path in (f"{here}?page=1", f"{here}?page=99"):
        later = a.client.get(path).text
        assert 'start="51"' in later and "فصل 60" in later and "فصل 50<" not in later
        assert FA.gettext("Earlier readings") in later
