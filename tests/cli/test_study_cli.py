"""`hasteh study …` through the real console script, in Persian: a circle, readings with
questions, a session with its place, a discussion, your own progress; bad input is refused
with a Persian message and changes nothing."""

from __future__ import annotations

from pathlib import Path

from hasteh.app import study
from hasteh.app.profile import workspace
from tests.relay.harness import RelayProcess

from .test_cells_cli import PASS, ok, profile, run


def shown(home: Path) -> study.CircleSummary:
    with workspace(home, PASS) as ws:
        return study.circle(ws, "bakery", "1")


def test_a_study_circle_through_the_cli(tmp_path: Path, cli_relay: RelayProcess) -> None:
    a = profile(tmp_path, "a")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", cli_relay.url)
    out = ok(a, "study", "open", "bakery", "Wages and profit", lang="fa")
    assert "گرداننده: sepideh" in out
    ok(a, "study", "reading", "bakery", "۱", "Chapter 1", "--question", "What is a wage?")
    ok(a, "study", "reading", "bakery", "1", "Chapter 2")
    out = ok(a, "study", "move", "bakery", "1", "2", "1", lang="fa")
    assert out.index("Chapter 2") < out.index("Chapter 1")
    out = ok(
        a,
        "study",
        "session",
        "bakery",
        "1",
        "--date",
        "فردا",
        "--reading",
        "۲",
        "--place",
        "Blue garden",
        lang="fa",
    )
    assert "جلسهٔ ۱" in out and "محل: Blue garden" in out
    ok(a, "study", "discuss", "bakery", "1", "2", "Is a wage a price?")
    out = ok(a, "study", "progress", "bakery", "1", "2", "--read", "--note", "p. 12", lang="fa")
    assert "فقط روی همین دستگاه" in out
    out = ok(a, "study", "read", "bakery", "1", "2", lang="fa")
    assert "What is a wage?" in out and "Is a wage a price?" in out
    assert "یادداشت شما: p. 12" in out
    out = ok(a, "study", "show", "bakery", lang="fa")
    assert "متن‌ها: ۲" in out and "خوانده‌شده: ۱" in out and "جلسهٔ بعد" in out
    circle = shown(a)
    assert [r.title for r in circle.readings] == ["Chapter 2", "Chapter 1"]
    assert circle.readings[1].read and circle.sessions[0].place == "Blue garden"

    before = shown(a)
    for args, persian in (
        (("study", "reading", "bakery", "7", "x"), "چنین حلقهٔ مطالعه‌ای"),
        (("study", "move", "bakery", "1", "1", "9"), "متنی با این شماره"),
        (("study", "session", "bakery", "1", "--date", "فردا", "--hours", "20"), "ساعت"),
        (("study", "session", "bakery", "1", "--date", "۳۲ آذر"), "تاریخ"),
        (("study", "place", "bakery", "1", "5", "Park"), "جلسه‌ای با این شماره"),
        (("study", "open", "bakery", " "), "عنوان"),
        (("study", "reading", "bakery", "1", "x", "--item", "abc"), "کتابخانه"),
    ):
        code, out = run(a, *args, lang="fa")
        assert code == 1, args
        assert persian in out, (args, out)
    assert shown(a) == before
