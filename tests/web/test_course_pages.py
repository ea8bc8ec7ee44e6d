"""The security course's pages in-process: index → lesson → quiz → results, checklists,
the guide; every hostile form refused with 400, a Persian message and nothing stored;
and progress never leaves the device (a real relay process sees nothing new)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from hasteh.app import course as device
from hasteh.app.course import bundled_course
from hasteh.course import Progress
from hasteh.i18n import translations
from hasteh.web.app import WebState
from tests.relay.harness import RelayProcess

from .conftest import ORIGIN, Web, csrf_of, make_web
from .htmlscan import scan, unlabelled

FA = translations("fa")
COURSE = bundled_course()
LESSON = COURSE.lessons[1]
RIGHT = {f"q{n}": str(q.answer) for n, q in enumerate(LESSON.quiz, start=1)}


def submit(web: Web, path: str, data: dict[str, str] | list[tuple[str, str]], page: str):
    csrf = csrf_of(web.client.get(page).text)
    items = list(data.items()) if isinstance(data, dict) else data
    form: dict[str, list[str]] = {"csrf": [csrf]}
    for key, value in items:
        form.setdefault(key, []).append(value)
    return web.client.post(path, data=form, follow_redirects=True)


def stored_progress(web: Web) -> Progress:
    state = web.app.state.web
    assert isinstance(state, WebState) and state.vault is not None
    return state.vault.read(device.progress)


def stored_ticks(web: Web, slug: str) -> tuple[int, ...]:
    state = web.app.state.web
    assert isinstance(state, WebState) and state.vault is not None
    return state.vault.read(lambda conn: device.ticks(conn, slug))


def test_index_lesson_quiz_results_in_persian(unlocked: Web) -> None:
    index = unlocked.client.get("/course")
    assert index.status_code == 200
    assert FA.gettext("Security course") in index.text
    for lesson in COURSE.lessons:
        assert lesson.title.fa in index.text
    assert "درس‌های گذرانده: ۰ از ۹" in index.text
    page = unlocked.client.get(f"/course/{LESSON.number}").text
    assert LESSON.scenario.fa in page and LESSON.checklist[0].fa in page
    assert "<strong>نابودی فوری</strong>" in page
    assert stored_progress(unlocked).read == (LESSON.number,)
    quiz = unlocked.client.get(f"/course/{LESSON.number}/quiz").text
    assert LESSON.quiz[0].question.fa in quiz and 'type="radio"' in quiz
    wrong = {**RIGHT, "q1": str(LESSON.quiz[0].answer % len(LESSON.quiz[0].choices) + 1)}
    result = submit(
        unlocked, f"/course/{LESSON.number}/quiz", wrong, f"/course/{LESSON.number}/quiz"
    )
    assert result.status_code == 200
    assert "۲ از ۳ درست" in result.text
    assert LESSON.quiz[0].explanation.fa in result.text
    assert stored_progress(unlocked).best == {LESSON.number: 2}
    result = submit(
        unlocked, f"/course/{LESSON.number}/quiz", RIGHT, f"/course/{LESSON.number}/quiz"
    )
    assert FA.gettext("Lesson passed.") in result.text
    assert "درس‌های گذرانده: ۱ از ۹" in unlocked.client.get("/course").text


def test_english_pages(unlocked: Web) -> None:
    unlocked.post("/language", {"language": "en"})
    page = unlocked.client.get(f"/course/{LESSON.number}").text
    assert LESSON.text.en.split("\n")[1][:40] in page and LESSON.scenario.en[:40] in page
    assert 'dir="ltr"' in page
    guide = unlocked.client.get("/course/guide").text
    assert COURSE.guide.step[2].you.en[:30] in guide and "hasteh cell seized" in guide


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ({k: v for k, v in RIGHT.items() if k != "q2"}, "پرسش ۲ جواب ندارد"),
        ({**RIGHT, "q3": "7"}, "پرسش ۳: یکی از گزینه‌های"),
        ({**RIGHT, "q1": "<script>alert(1)</script>"}, "پرسش ۱: یکی از گزینه‌های"),
        ({**RIGHT, "q42": "1"}, "این آزمون چنین پرسشی ندارد"),
    ],
)
def test_hostile_quiz_forms_change_nothing(
    unlocked: Web, sent: dict[str, str], message: str
) -> None:
    path = f"/course/{LESSON.number}/quiz"
    before = stored_progress(unlocked)
    response = submit(unlocked, path, sent, path)
    assert response.status_code == 400
    assert message in response.text
    assert "<script>alert" not in response.text
    assert stored_progress(unlocked) == before


@pytest.mark.parametrize("number", ["0", "10", "abc", "-1", "۱۰", "99999999999999999999"])
def test_unknown_lesson_is_a_persian_404(unlocked: Web, number: str) -> None:
    for path in (f"/course/{number}", f"/course/{number}/quiz"):
        response = unlocked.client.get(path)
        assert response.status_code == 404, path
        assert "این درس در دوره نیست" in response.text
    response = submit(unlocked, f"/course/{number}/quiz", RIGHT, "/course")
    assert response.status_code == 404
    assert stored_progress(unlocked) == Progress()


def test_checklist_ticks_per_device_and_cleared_per_use(unlocked: Web) -> None:
    path = "/course/checklists/meeting"
    page = unlocked.client.get(path).text
    assert COURSE.checklists[0].items[0].fa in page and 'type="checkbox"' in page
    response = submit(unlocked, path, [("item", "1"), ("item", "3")], path)
    assert response.status_code == 200 and "۲ از ۵ تیک خورده" in response.text
    assert stored_ticks(unlocked, "meeting") == (1, 3)
    assert stored_ticks(unlocked, "action") == ()
    for bad in ([("item", "6")], [("item", "1"), ("item", "x")], [("item", "0")]):
        response = submit(unlocked, path, bad, path)
        assert response.status_code == 400
        assert "این فهرست وارسی چنین خطی ندارد" in response.text
        assert stored_ticks(unlocked, "meeting") == (1, 3)
    submit(unlocked, path, [("item", "1"), ("clear", "1")], path)
    assert stored_ticks(unlocked, "meeting") == ()
    response = unlocked.client.get("/course/checklists/nothing")
    assert response.status_code == 404 and "چنین فهرست وارسی‌ای نیست" in response.text


def test_course_pages_are_labelled_local_and_need_unlock(web: Web) -> None:
    web.launch()
    assert web.client.get("/course", follow_redirects=False).status_code == 303
    web.create_profile()
    paths = ["/course", "/course/1", "/course/1/quiz", "/course/guide", "/course/checklists/action"]
    for path in paths:
        html = web.client.get(path).text
        s = scan(html)
        assert unlabelled(s) == [], path
        assert (s.lang, s.dir) == ("fa", "rtl"), path
        for form, fields in zip(s.forms, s.form_fields, strict=True):
            assert form.get("method") == "post" and "csrf" in fields, path
        assert "<script" not in html and "http://" not in html.replace(ORIGIN, ""), path


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RelayProcess, Path]]:
    db = tmp_path_factory.mktemp("relay") / "relay.sqlite3"
    proc = RelayProcess(f"sqlite:///{db}", extra=["--rate", "100000"]).start()
    try:
        yield proc, db
    finally:
        proc.kill()


def relay_rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of the relay's database."""
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
        }


def test_progress_never_leaves_the_device(tmp_path: Path, relay: tuple[RelayProcess, Path]) -> None:
    """A member of a cell on a real relay reads, takes a quiz, ticks a checklist and
    syncs: the relay holds exactly what it held before."""
    proc, db = relay
    app = make_web(tmp_path / "member")
    with TestClient(app, base_url=ORIGIN) as client:
        web = Web(app, client, tmp_path / "member")
        web.launch()
        web.create_profile()
        web.post(
            "/settings",
            {"relays": proc.url, "proxy": "", "chat_expiry_days": "14", "language": "fa"},
        )
        created = submit(
            web,
            "/cells",
            {
                "name": "نانوایی",
                "cover_name": "سپیده",
                "cap": "۵",
                "admission": "all",
                "expiry_days": "",
            },
            "/home",
        )
        cell = created.url.path
        assert cell.startswith("/cell/")
        said = submit(web, f"{cell}/say", {"text": "سلام", "thread": ""}, cell)
        assert said.status_code == 200
        submit(web, "/sync", {}, "/home")
        before = relay_rows(db)
        assert any(before.values())  # the cell is on the relay
        web.client.get(f"/course/{LESSON.number}")
        submit(web, f"/course/{LESSON.number}/quiz", RIGHT, f"/course/{LESSON.number}/quiz")
        submit(web, "/course/checklists/action", [("item", "2")], "/course/checklists/action")
        submit(web, "/sync", {}, "/home")
        assert stored_progress(web).best == {LESSON.number: len(LESSON.quiz)}
        assert relay_rows(db) == before


def test_a_thief_with_the_locked_device_reads_no_progress(unlocked: Web) -> None:
    """Progress and ticks are inside the SQLCipher vault: after a quiz and a checklist,
    no file of the profile holds the setting keys, a lesson's name or a checklist line in
    the clear."""
    quiz = f"/course/{LESSON.number}/quiz"
    assert submit(unlocked, quiz, RIGHT, quiz).status_code == 200
    path = "/course/checklists/meeting"
    submit(unlocked, path, [("item", "1")], path)
    assert stored_ticks(unlocked, "meeting") == (1,)
    unlocked.post("/lock", {})
    needles = [b"course.progress", b"course.ticks", LESSON.slug.encode(), b"seizure"]
    needles.append(COURSE.checklists[0].items[0].fa.encode())
    files = [p for p in unlocked.home.rglob("*") if p.is_file()]
    assert files
    for file in files:
        data = file.read_bytes()
        for needle in needles:
            assert needle not in data, (file.name, needle)


def test_the_guide_opens_my_cells_at_members_and_seizure_reports(unlocked: Web) -> None:
    guide = unlocked.client.get("/course/guide").text
    assert "این پروفایل در هیچ هسته‌ای نیست." in guide
    unlocked.post(
        "/settings",
        {"relays": "http://127.0.0.1:9", "proxy": "", "chat_expiry_days": "14", "language": "fa"},
    )
    created = submit(
        unlocked,
        "/cells",
        {
            "name": "نانوایی",
            "cover_name": "سپیده",
            "cap": "۵",
            "admission": "all",
            "expiry_days": "",
        },
        "/home",
    )
    cell = created.url.path
    assert cell.startswith("/cell/")
    guide = unlocked.client.get("/course/guide").text
    # A cell's members and its seizure reports are on its Members page (one page per job).
    assert f'href="{cell}/members#members"' in guide
    assert f'href="{cell}/members#seizures"' in guide
    assert "نانوایی" in guide
    assert 'id="members"' in unlocked.client.get(f"{cell}/members").text
