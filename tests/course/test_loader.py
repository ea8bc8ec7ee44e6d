"""A malformed lesson file is a clear error at load, naming the file and the field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hasteh.course import LessonFileInvalid, assemble, parse_guide, parse_lesson
from hasteh.course.loader import parse_checklists

SRC = Path(__file__).resolve().parents[2] / "src" / "hasteh" / "course"
GOOD = (SRC / "lessons" / "01-phone.toml").read_text(encoding="utf-8")


def _broken(old: str, new: str, count: int = 1) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, count)


CASES = [
    ("not toml", "this is [ not toml", "01-phone.toml"),
    ("unknown field", GOOD + '\nauthor = "x"\n', "author"),
    ("missing field", re.sub(r"^scenario\.en = .*$", "", GOOD, flags=re.M), "scenario"),
    ("one language", _broken('en = "Your phone can be an informer"', 'en = " "'), "title"),
    ("english in the persian", _broken("گوشی شما می‌تواند خبرچین باشد", "Your phone"), "title"),
    ("office word", _broken("گوشی را به جلسهٔ هسته نبرید", "پرونده را نبرید"), "«فایل»"),
    ("answer out of range", _broken("answer = 2", "answer = 4"), "question 1"),
    ("answer zero", _broken("answer = 2", "answer = 0"), "question 1"),
    ("bad slug", _broken('slug = "phone"', 'slug = "../etc"'), "slug"),
    (
        "empty checklist",
        re.sub(r"checklist = \[.*?\n\]", "checklist = []", GOOD, flags=re.S),
        "checklist",
    ),
    ("too long", _broken('text.en = """', 'text.en = """' + "word " * 401), "at most 400"),
]


@pytest.mark.parametrize(("text", "says"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_broken_lesson_is_refused_at_load(text: str, says: str) -> None:
    with pytest.raises(LessonFileInvalid) as caught:
        parse_lesson(text, "01-phone.toml")
    assert "01-phone.toml" in str(caught.value)
    assert says in str(caught.value)


def test_too_few_questions() -> None:
    head, *questions = GOOD.split("[[quiz]]")
    with pytest.raises(LessonFileInvalid, match="3 to 5 questions"):
        parse_lesson("[[quiz]]".join([head, questions[0], questions[1]]), "x.toml")


def test_a_lesson_must_be_named_after_its_number_and_slug() -> None:
    checklists = (SRC / "checklists.toml").read_text(encoding="utf-8")
    guide = (SRC / "guide.toml").read_text(encoding="utf-8")
    assemble([("lessons/01-phone.toml", GOOD)], ("c", checklists), ("g", guide))
    with pytest.raises(LessonFileInvalid, match=r"01-phone\.toml"):
        assemble([("lessons/02-phone.toml", GOOD)], ("c", checklists), ("g", guide))


def test_guide_links_stay_inside_hasteh() -> None:
    guide = (SRC / "guide.toml").read_text(encoding="utf-8")
    with pytest.raises(LessonFileInvalid, match="link"):
        parse_guide(guide.replace('link = "/panic"', 'link = "https://example.org/"'), "g")
    with pytest.raises(LessonFileInvalid, match="link"):
        parse_guide(guide.replace('link = "cell#members"', 'link = "cell#../x"'), "g")
    with pytest.raises(LessonFileInvalid, match="command"):
        parse_guide(guide.replace('command = "hasteh panic"', 'command = "rm -rf ~"'), "g")


def test_duplicate_checklists_are_refused() -> None:
    text = (SRC / "checklists.toml").read_text(encoding="utf-8")
    with pytest.raises(LessonFileInvalid, match="unique"):
        parse_checklists(text.replace('slug = "action"', 'slug = "meeting"'), "c")


@given(st.text(max_size=400))
def test_any_text_is_a_lesson_or_a_clear_refusal(text: str) -> None:
    """The loader never crashes on junk: it is a lesson, or `LessonFileInvalid`."""
    try:
        parse_lesson(text, "fuzz.toml")
    except LessonFileInvalid as exc:
        assert "fuzz.toml" in str(exc)


@given(st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_junk_inside_a_good_file_is_refused_cleanly(junk: str) -> None:
    try:
        parse_lesson(GOOD.replace("answer = 2", f"answer = {junk}", 1), "fuzz.toml")
    except LessonFileInvalid:
        pass
