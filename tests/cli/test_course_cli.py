"""`hasteh course` from the terminal (CliRunner, a real SQLCipher profile): reading,
the quiz asked one question at a time, checklists; bad input refused, nothing recorded."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hasteh import vault
from hasteh.app import course as device
from hasteh.app.course import bundled_course
from hasteh.cli.main import app
from hasteh.course import Progress

from .test_cells_cli import PASS, ok, profile, run

COURSE = bundled_course()
LESSON = COURSE.lessons[2]


def answer(home: Path, *args: str, typed: str, lang: str = "en") -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        [*args, "--home", str(home)],
        input=typed,
        env={"HASTEH_LANG": lang, "HASTEH_PASSPHRASE": PASS},
    )
    return result.exit_code, result.output


def progress(home: Path) -> Progress:
    with vault.unlock(home, PASS) as opened:
        return opened.read(device.progress)


def test_read_and_list(tmp_path: Path) -> None:
    home = profile(tmp_path, "a")
    listed = ok(home, "course", "list")
    assert all(lesson.title.en in listed for lesson in COURSE.lessons)
    assert "meeting, action" in listed
    page = ok(home, "course", "read", "3")
    assert LESSON.scenario.en[:40] in page and LESSON.checklist[0].en in page
    assert progress(home).read == (3,)
    assert "3. Messengers in Iran — read" in ok(home, "course", "list")
    persian = ok(home, "course", "read", "۳", lang="fa")
    assert LESSON.title.fa in persian and "درس ۳" in persian


def test_quiz_asks_again_on_a_wrong_choice(tmp_path: Path) -> None:
    home = profile(tmp_path, "a")
    right = [str(q.answer) for q in LESSON.quiz]
    typed = "\n".join(["9", "x", right[0], "۲" if right[1] != "2" else "1", right[2]]) + "\n"
    code, output = answer(home, "course", "quiz", "3", typed=typed)
    assert code == 0, output
    assert output.count("Question 1: choose one of its choices.") == 2
    assert "2 of 3 right." in output and LESSON.quiz[1].explanation.en in output
    assert progress(home).best == {3: 2}
    code, output = answer(home, "course", "quiz", "3", typed="\n".join(right) + "\n", lang="fa")
    assert code == 0 and "۳ از ۳ درست." in output and "درس را گذراندید." in output
    assert progress(home).best == {3: 3}


def test_a_stopped_quiz_records_nothing(tmp_path: Path) -> None:
    home = profile(tmp_path, "a")
    code, output = answer(home, "course", "quiz", "3", typed="1\n")
    assert code == 1 and "Nothing was recorded." in output
    assert progress(home) == Progress()


def test_unknown_lesson_and_checklist(tmp_path: Path) -> None:
    home = profile(tmp_path, "a")
    for args in (("read", "10"), ("quiz", "0"), ("read", "x")):
        code, output = run(home, "course", *args, lang="fa")
        assert code == 1 and "این درس در دوره نیست." in output, args
    code, output = run(home, "course", "checklist", "party")
    assert code == 1 and "There is no such checklist." in output


def test_checklist_ticks_and_clears(tmp_path: Path) -> None:
    home = profile(tmp_path, "a")
    shown = ok(home, "course", "checklist", "action", "--tick", "1,۳")
    assert "[x] 1." in shown and "[ ] 2." in shown and "[x] 3." in shown
    assert "2 of 6 ticked" in shown
    code, output = run(home, "course", "checklist", "action", "--tick", "1,7")
    assert code == 1 and "The checklist has no such item." in output
    assert "2 of 6 ticked" in ok(home, "course", "checklist", "action")
    assert "0 of 6 ticked" in ok(home, "course", "checklist", "action", "--clear")


def test_guide(tmp_path: Path) -> None:
    home = profile(tmp_path, "a")
    guide = ok(home, "course", "guide", lang="fa")
    assert COURSE.guide.title.fa in guide
    assert "hasteh cell seized CELL COVER-NAME" in guide and "هسته چه می‌کند:" in guide
