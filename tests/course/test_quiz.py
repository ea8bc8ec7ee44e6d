"""Scoring, and hostile quiz forms: precise refusals, nothing recorded."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hasteh.app.course import bundled_course
from hasteh.course import (
    Progress,
    QuizAnswerInvalid,
    after_quiz,
    after_reading,
    lesson_for,
    read_answers,
    read_ticks,
    score,
)

COURSE = bundled_course()
LESSON = COURSE.lessons[0]
RIGHT = {f"q{n}": str(q.answer) for n, q in enumerate(LESSON.quiz, start=1)}


def test_all_right_passes() -> None:
    result = score(LESSON, read_answers(LESSON, {**RIGHT, "csrf": "x"}))
    assert (result.score, result.total, result.passed) == (len(LESSON.quiz),) * 2 + (True,)


def test_one_wrong_is_scored_and_not_passed() -> None:
    wrong = str(LESSON.quiz[0].answer % len(LESSON.quiz[0].choices) + 1)
    result = score(LESSON, read_answers(LESSON, {**RIGHT, "q1": wrong}))
    assert result.score == len(LESSON.quiz) - 1 and not result.passed
    assert not result.questions[0].right and result.questions[1].right


@pytest.mark.parametrize(
    ("sent", "reason", "number"),
    [
        ({k: v for k, v in RIGHT.items() if k != "q2"}, "missing-answer", 2),
        ({**RIGHT, "q1": ""}, "missing-answer", 1),
        ({**RIGHT, "q3": "9"}, "no-such-choice", 3),
        ({**RIGHT, "q1": "0"}, "no-such-choice", 1),
        ({**RIGHT, "q1": "-1"}, "no-such-choice", 1),
        ({**RIGHT, "q2": "1 OR 1=1"}, "no-such-choice", 2),
        ({**RIGHT, "q99": "1"}, "unknown-question", None),
        ({**RIGHT, "q0": "1"}, "unknown-question", None),
    ],
)
def test_hostile_answers_are_refused_precisely(
    sent: dict[str, str], reason: str, number: int | None
) -> None:
    with pytest.raises(QuizAnswerInvalid) as caught:
        read_answers(LESSON, sent)
    assert caught.value.reason == reason
    assert caught.value.params.get("number") == number
    assert "OR" not in str(caught.value)  # the input is never repeated


@pytest.mark.parametrize("text", ["0", "10", "x", "", "1.0", "٣٣", "1" * 50])
def test_unknown_lesson(text: str) -> None:
    with pytest.raises(QuizAnswerInvalid, match="no such lesson"):
        lesson_for(COURSE, text)


def test_lesson_numbers_in_persian_digits() -> None:
    assert lesson_for(COURSE, "۳").number == 3


def test_progress_keeps_the_best_score() -> None:
    good = score(LESSON, read_answers(LESSON, RIGHT))
    worse = score(LESSON, read_answers(LESSON, {**RIGHT, "q1": "3" if RIGHT["q1"] != "3" else "1"}))
    progress = after_quiz(after_quiz(Progress(), good), worse)
    assert progress.passed(COURSE, 1) and progress.done(COURSE) == 1
    assert progress.read == (1,)
    assert after_reading(progress, 1) is progress


def test_ticks() -> None:
    meeting = COURSE.checklist("meeting")
    assert meeting is not None
    assert read_ticks(meeting, ["2", "1", "2"]) == (1, 2)
    for bad in (["0"], ["99"], ["x"], ["1", "<b>"]):
        with pytest.raises(QuizAnswerInvalid, match="no such item"):
            read_ticks(meeting, bad)


@given(st.dictionaries(st.text(max_size=6), st.text(max_size=6), max_size=8))
def test_any_form_is_scored_or_refused(sent: dict[str, str]) -> None:
    try:
        chosen = read_answers(LESSON, sent)
    except QuizAnswerInvalid:
        return
    result = score(LESSON, chosen)
    assert 0 <= result.score <= result.total == len(LESSON.quiz)
