"""Property tests for what a person types into study circles: any text given as a
circle, reading or session reference, a library item, a title, questions or a note is
either accepted or refused with a precise `BadInput` code, and a refusal changes nothing
(the state and the vault's progress are as they were)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hasteh.app import Workspace, study
from hasteh.app.cells import find_cell
from hasteh.app.errors import AppError
from tests.app.helpers import CELL, form_cell, settle_relay

TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40
) | st.sampled_from(["1", "۱", "٣", "#1", "0", "-1", "99999999", "ffffffff", " 2 ", "1e3"])
CODES = {
    "unknown-circle",
    "unknown-reading",
    "unknown-session",
    "bad-study-title",
    "study-note-too-long",
    "too-many-questions",
    "bad-library-item",
    "bad-session-hours",
    "empty-message",
    "message-too-long",
}


def progress(ws: Workspace) -> object:
    return study.circle(ws, CELL, "1")


def test_typed_text_is_accepted_or_refused_precisely(make_ws, relay, clock) -> None:
    (a,) = form_cell(make_ws, relay.url, settle_relay, n=1)
    study.open_circle(a, CELL, title="Circle")
    study.add_reading(a, CELL, "1", title="Chapter 1")
    now = a.now()

    @settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.sampled_from(["circle", "reading", "item", "mark", "session"]), TEXT, TEXT)
    def check(what: str, first: str, second: str) -> None:
        before = (find_cell(a, CELL).org.study, progress(a))
        try:
            if what == "circle":
                study.circle(a, CELL, first)
            elif what == "reading":
                study.reading(a, CELL, "1", first)
            elif what == "item":
                study.add_reading(a, CELL, "1", title="x", questions=[second], item=first)
            elif what == "mark":
                study.mark(a, CELL, first, second, read=True)
            else:
                study.plan_session(a, CELL, first, starts=now + 86_400, reading_ref=second)
        except AppError as err:
            assert err.code in CODES or err.code.startswith("name-"), err.code
            assert (find_cell(a, CELL).org.study, progress(a)) == before

    check()
