"""The actions pages, in-process against a real relay, two people: plan, demands, a task,
the turnout (a number, the same for both, with the plain warning), a review; hostile
and bad input gets the Persian message and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from hasteh.app import actions
from hasteh.app import sync as app_sync
from hasteh.web.views import actions as views

from .test_cells import FA, Person, create_cell, form_cell, people, relay

__all__ = ["people", "relay"]


def action_path(page_path: str) -> str:
    assert re.fullmatch(r"/cell/[0-9a-f]+/actions/[0-9a-f]{8}", page_path), page_path
    return page_path


def test_plan_take_part_and_review(people: Callable[[str], Person]) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    status, path, page = a.submit(
        f"{cell}/actions",
        {"kind": "strike", "code_name": "کارگاه ۳", "date": "فردا", "note": "", "urgent": ""},
        f"{cell}/actions",
    )
    assert status == 200, page
    here = action_path(path)
    assert FA.gettext("strike") in page and "کارگاه ۳" in page
    for demand in ("دستمزد به موقع", "لباس ایمنی"):
        status, _, page = a.submit(f"{here}/demand", {"text": demand}, here)
        assert status == 200 and demand in page
    status, _, page = a.submit(f"{here}/vote", {"role": "turnout", "when": ""}, here)
    assert status == 200 and FA.gettext("I will take part") in page
    assert FA.gettext(views.TURNOUT_LIMIT) in page
    status, _, page = a.submit(f"{here}/join", {}, here)
    assert status == 200
    assert FA.gettext("will take part: {n}").format(n="۱") in page

    b.app_read(app_sync.sync)
    shown = b.client.get(here).text
    assert FA.gettext("will take part: {n}").format(n="۱") in shown
    assert "کارگاه ۳" in shown
    status, _, page = b.submit(f"{here}/join", {}, here)
    assert status == 200
    assert FA.gettext("will take part: {n}").format(n="۲") in page
    # Neither page says who: no cover name next to the count, no "you took part".
    for person in (a, b):
        text = person.client.get(here).text
        section = text.split('id="turnout-title"')[1].split("</section>")[0]
        assert "سپیده" not in section and "رضا" not in section

    status, _, page = b.submit(
        f"{here}/task", {"title": "اعلامیه", "assignee": "رضا", "when": ""}, here
    )
    assert status == 200 and "اعلامیه" in page
    status, _, page = b.submit(f"{here}/status", {"task": "1", "status": "done"}, here)
    assert status == 200 and FA.gettext("done") in page


@pytest.mark.parametrize(
    ("what", "data", "message"),
    [
        ("join", {}, "This action has no open count of who will take part."),
        ("status", {"task": "1", "status": "done"}, "There is no such task in this action."),
        ("status", {"task": "x" * 5000, "status": "done"}, "There is no such task in this action."),
        ("vote", {"role": "priorities"}, "Add at least two demands before ranking them."),
        ("review", {"went_well": "خوب"}, "An action can be reviewed only on or after its date."),
        ("demand", {"text": "x" * 201}, None),
        ("nonsense", {}, "Nothing was changed."),
    ],
)
def test_bad_input_changes_nothing(
    people: Callable[[str], Person], what: str, data: dict[str, str], message: str | None
) -> None:
    a = people("a")

    cell = create_cell(a)
    _, path, _ = a.submit(
        f"{cell}/actions", {"kind": "protest", "code_name": "در", "date": "فردا"}, f"{cell}/actions"
    )
    here = action_path(path)
    before = a.app_read(lambda ws: actions.show(ws, cell.rsplit("/", 1)[1]))
    status, _, page = a.submit(f"{here}/{what}", data, here)
    assert status == 400
    if message is not None:
        assert FA.gettext(message) in page
    assert "Traceback" not in page
    assert a.app_read(lambda ws: actions.show(ws, cell.rsplit("/", 1)[1])) == before


def test_a_bad_plan_is_refused_in_persian(people: Callable[[str], Person]) -> None:
    a = people("a")

    cell = create_cell(a)
    for data, message in (
        ({"kind": "riot", "code_name": "x"}, "Unknown kind of action: choose one of {kinds}."),
        ({"kind": "strike", "code_name": ""}, None),
        ({"kind": "strike", "code_name": "x", "date": "۳۱ اسفند ۱۴۰۴"}, None),
    ):
        status, _, page = a.submit(f"{cell}/actions", data, f"{cell}/actions")
        assert status == 400, data
        if message is not None:
            assert FA.gettext(message).split("{")[0] in page
    assert FA.gettext("No actions.") in a.client.get(f"{cell}/actions").text


def test_every_table_word_is_translated() -> None:
    words = [*views.KIND_NAMES.values(), *views.STATUS_NAMES.values()]
    words += [*views.ROLE_NAMES.values(), *views.ACTION_NOTICES.values()]
    words += [label for _, label in views.VOTES] + [views.TURNOUT_LIMIT]
    missing = [w for w in words if FA.gettext(w) == w]
    assert missing == []
