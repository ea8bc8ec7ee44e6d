"""Study circles across real profiles, through a real relay and through courier bundles:
a curriculum with questions, a session whose place (a code word) every profile holds
until the session ends and no profile's vault holds after (a raw SQLCipher export),
a discussion per reading, and reading progress that never leaves its own device."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from hasteh.app import Workspace, admission, cards, study, sync
from hasteh.app.cells import find_cell
from hasteh.app.errors import AppError, BadInput
from tests.app.helpers import CELL, NAMES, form_cell, settle_courier, settle_relay
from tests.app.test_expiry import export_plaintext

HOUR = 3_600
DAY = 86_400
PLACE = "PLACE-MARKER-b71c2e"
NOTE = "OWN-NOTE-MARKER-5d09aa"


def outbox_rows(ws: Workspace) -> int:
    return int(ws.vault._conn.execute("SELECT count(*) FROM outbox").fetchone()[0])


def run_circle(
    members: Sequence[Workspace],
    settle: Callable[[Sequence[Workspace]], None],
    clock: object,
    tmp_path: Path,
) -> None:
    a, b, c = members
    study.open_circle(a, CELL, title="Wages and profit", note="one chapter a week")
    settle(members)
    study.add_reading(a, CELL, "1", title="Chapter 1", questions=["What is a wage?", " "])
    study.add_reading(a, CELL, "1", title="Chapter 2", questions=["Where does profit come from?"])
    study.add_reading(a, CELL, "1", title="Chapter 3")
    study.move_reading(a, CELL, "1", "3", "1")
    starts = a.now() + DAY
    study.plan_session(a, CELL, "1", starts=starts, hours=2, reading_ref="2", place=PLACE)
    settle(members)
    for ws in members:
        shown = study.circle(ws, CELL, "1")
        assert shown.convener == NAMES[0]
        assert [r.title for r in shown.readings] == ["Chapter 3", "Chapter 1", "Chapter 2"]
        assert shown.readings[1].questions == ("What is a wage?",)
        (session,) = shown.sessions
        assert session.place == PLACE and session.reading == "Chapter 1"
        assert session.starts == starts and session.ends == starts + 2 * HOUR
    # The discussion of a reading: every member says something, every member sees it.
    study.discuss(b, CELL, "1", "2", "Is a wage the price of labour?")
    study.discuss(c, CELL, "1", "2", "Of labour power, says chapter 2.")
    settle(members)
    for ws in members:
        page = study.reading(ws, CELL, "1", "2")
        assert sorted(m.author for m in page.discussion) == sorted([NAMES[1], NAMES[2]])
        assert page.reading.messages == 2
    # Own progress: b's marks and note stay in b's vault; nothing is queued to send.
    queued = outbox_rows(b)
    marked = study.mark(b, CELL, "1", "2", read=True, discussed=True, note=NOTE)
    assert marked.read and marked.discussed and marked.own_note == NOTE
    assert outbox_rows(b) == queued
    if settle is settle_relay:
        assert sync.sync(b).sent == 0  # nothing of it goes to the relay
    settle(members)
    assert NOTE.encode() in export_plaintext(b, tmp_path / "b-progress.db")  # control
    for ws, name in ((a, "a"), (c, "c")):
        assert not study.circle(ws, CELL, "1").readings[1].read
        assert study.circles(ws, CELL)[0].read == 0
        assert NOTE.encode() not in export_plaintext(ws, tmp_path / f"{name}-progress.db")
    assert study.circles(b, CELL)[0].read == 1
    # Every profile holds the place until the session ends…
    for i, ws in enumerate(members):
        assert PLACE.encode() in export_plaintext(ws, tmp_path / f"before-{i}.db")  # control
    clock.advance(DAY + 2 * HOUR)  # type: ignore[attr-defined]
    settle(members)
    # …and none holds it after: not in memory, not in the vault.
    for i, ws in enumerate(members):
        (session,) = study.circle(ws, CELL, "1").sessions
        assert session.place is None and session.reading == "Chapter 1"
        assert (
            find_cell(ws, CELL).org.study.places.get(
                next(iter(find_cell(ws, CELL).org.study.sessions))
            )
            is None
        )
        assert PLACE.encode() not in export_plaintext(ws, tmp_path / f"after-{i}.db")
    # The reading progress is still there, on b only.
    assert study.circle(b, CELL, "1").readings[1].own_note == NOTE


def test_a_study_circle_through_a_real_relay(make_ws, relay, clock, tmp_path: Path) -> None:
    members = form_cell(make_ws, relay.url, settle_relay, n=3)
    run_circle(members, settle_relay, clock, tmp_path)


def test_a_study_circle_through_courier_bundles(make_ws, relay, clock, tmp_path: Path) -> None:
    members = form_cell(make_ws, relay.url, settle_relay, n=3)
    run_circle(members, settle_courier, clock, tmp_path)


def test_an_informer_member_cannot_rewrite_or_move_the_circle(
    make_ws, relay, clock, tmp_path: Path
) -> None:
    """Maryam is a member, perhaps an informer. She cannot add, reorder or remove
    readings, plan a session or change its place: her device refuses before sending, and
    a modified one that sends anyway is refused by every other member (the org rules)."""
    a, _b, c = members = form_cell(make_ws, relay.url, settle_relay, n=3)
    study.open_circle(a, CELL, title="Wages and profit")
    study.add_reading(a, CELL, "1", title="Chapter 1")
    study.add_reading(a, CELL, "1", title="Chapter 2")
    study.plan_session(a, CELL, "1", starts=a.now() + DAY, place=PLACE)
    settle_relay(members)
    before = study.circle(c, CELL, "1")
    for call in (
        lambda: study.add_reading(c, CELL, "1", title="A planted text"),
        lambda: study.move_reading(c, CELL, "1", "2", "1"),
        lambda: study.remove_reading(c, CELL, "1", "1"),
        lambda: study.plan_session(c, CELL, "1", starts=c.now() + DAY),
        lambda: study.give_place(c, CELL, "1", "1", "Police yard"),
    ):
        with pytest.raises(AppError) as refused:
            call()
        assert refused.value.code == "not-the-convener"
        assert study.circle(c, CELL, "1") == before
    settle_relay(members)
    for ws in members:
        assert study.circle(ws, CELL, "1").sessions[0].place == PLACE
    # After the session, even the convener cannot give a place again.
    clock.advance(DAY + 2 * HOUR)  # type: ignore[attr-defined]
    settle_relay(members)
    with pytest.raises(AppError) as over:
        study.give_place(a, CELL, "1", "1", PLACE)
    assert over.value.code == "session-over"


def test_bad_input_changes_nothing(make_ws, relay, clock) -> None:
    (a,) = form_cell(make_ws, relay.url, settle_relay, n=1)
    now = a.now()
    study.open_circle(a, CELL, title="Circle")
    study.add_reading(a, CELL, "1", title="Chapter 1")
    for call, code in (
        (lambda: study.open_circle(a, CELL, title="  "), "bad-study-title"),
        (lambda: study.open_circle(a, CELL, title="x" * 201), "bad-study-title"),
        (lambda: study.add_reading(a, CELL, "9", title="x"), "unknown-circle"),
        (
            lambda: study.add_reading(a, CELL, "1", title="x", note="n" * 2001),
            "study-note-too-long",
        ),
        (
            lambda: study.add_reading(a, CELL, "1", title="x", questions=["q"] * 17),
            "too-many-questions",
        ),
        (lambda: study.add_reading(a, CELL, "1", title="x", item="zz"), "bad-library-item"),
        (lambda: study.add_reading(a, CELL, "1", title="x", item="۷"), "bad-library-item"),
        (lambda: study.move_reading(a, CELL, "1", "1", "5"), "unknown-reading"),
        (lambda: study.remove_reading(a, CELL, "1", "2"), "unknown-reading"),
        (lambda: study.plan_session(a, CELL, "1", starts=now + DAY, hours=0), "bad-session-hours"),
        (lambda: study.plan_session(a, CELL, "1", starts=now + DAY, hours=13), "bad-session-hours"),
        (
            lambda: study.plan_session(a, CELL, "1", starts=now + 400 * DAY),
            "date-out-of-range",
        ),
        (
            lambda: study.plan_session(a, CELL, "1", starts=now + DAY, place="Blue\u202egarden"),
            "name-hidden-character",
        ),
        (lambda: study.give_place(a, CELL, "1", "1", "Park"), "unknown-session"),
        (lambda: study.discuss(a, CELL, "1", "1", "   "), "empty-message"),
        (lambda: study.mark(a, CELL, "1", "1", note="n" * 2001), "study-note-too-long"),
        (lambda: study.mark(a, CELL, "1", "7", read=True), "unknown-reading"),
    ):
        before = study.circle(a, CELL, "1")
        with pytest.raises(AppError) as err:
            call()
        assert err.value.code == code, code
        assert study.circle(a, CELL, "1") == before
    with pytest.raises(BadInput):
        study.circle(a, CELL, "٩")


def test_a_newcomer_after_the_session_gets_no_place(make_ws, relay, clock, tmp_path: Path) -> None:
    """The history a member hands a newcomer comes from the vault: once the session is
    over, the place is not in it, so the newcomer's vault never holds it either."""
    members = form_cell(make_ws, relay.url, settle_relay, n=2)
    a, b = members
    study.open_circle(a, CELL, title="Wages and profit")
    study.add_reading(a, CELL, "1", title="Chapter 1", questions=["What is a wage?"])
    study.plan_session(a, CELL, "1", starts=a.now() + HOUR, hours=1, place=PLACE)
    settle_relay(members)
    assert PLACE.encode() in export_plaintext(a, tmp_path / "control.db")  # control
    clock.advance(3 * HOUR)  # type: ignore[attr-defined]
    settle_relay(members)
    newcomer = make_ws(NAMES[2])
    code = cards.create_card(newcomer, NAMES[2], relays=[relay.url])
    admission.propose(a, CELL, code)
    settle_relay(members)
    admission.vouch(b, CELL, NAMES[2])
    settle_relay([*members, newcomer])
    settle_relay([*members, newcomer])
    shown = study.circle(newcomer, CELL, "1")
    assert [r.title for r in shown.readings] == ["Chapter 1"]  # the history arrived
    assert shown.sessions[0].place is None
    for i, ws in enumerate([*members, newcomer]):
        assert PLACE.encode() not in export_plaintext(ws, tmp_path / f"late-{i}.db")


def test_a_reading_names_a_library_item_by_its_number(make_ws, relay, clock) -> None:
    """The library's number as typed (Persian digits): the reading shows the item's title
    on every member; an item that is not in the library is refused by the org rules."""
    from hasteh.app import files

    a, b = form_cell(make_ws, relay.url, settle_relay, n=2)
    files.add_item(a, CELL, title="مزد و سرمایه", kind="reading", note="فصل ۱")
    study.open_circle(a, CELL, title="مزد")
    study.add_reading(a, CELL, "1", title="فصل ۱", item="۱")
    settle_relay([a, b])
    for ws in (a, b):
        reading = study.reading(ws, CELL, "1", "1").reading
        assert reading.item == "مزد و سرمایه"
