"""Hostile input to what the design's pages read from a URL: the page number of the
decisions list and of a thread, the first run's step, a cell's sub-page. Anything a
stranger or a mistyped link sends gets a page or a redirect, never a crash."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import Web, csrf_of

QUIET = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def cell(unlocked: Web) -> str:
    settings = {"relays": "http://127.0.0.1:9", "proxy": "", "chat_expiry_days": "14"}
    unlocked.post("/settings", {**settings, "language": "fa"})
    html = unlocked.client.get("/home").text
    created = unlocked.client.post(
        "/cells",
        data={
            "csrf": csrf_of(html),
            "name": "x",
            "cover_name": "y",
            "cap": "5",
            "admission": "all",
            "expiry_days": "",
        },
        follow_redirects=False,
    )
    return str(created.headers["location"]).split("?")[0]


@QUIET
@given(value=st.text(max_size=40))
def test_any_page_number_is_a_page(unlocked: Web, cell: str, value: str) -> None:
    for path in (f"{cell}/decisions", cell):
        response = unlocked.client.get(f"{path}?page={quote(value)}")
        assert response.status_code == 200, (path, value)
        assert 'role="alert"' not in response.text


@QUIET
@given(step=st.text(max_size=20) | st.integers(min_value=-(10**12), max_value=10**12).map(str))
def test_any_first_run_step_is_a_page_or_a_redirect(unlocked: Web, step: str) -> None:
    response = unlocked.client.get(f"/welcome/{quote(step, safe='')}", follow_redirects=False)
    assert response.status_code in (200, 303, 404), step
    if response.status_code == 303:
        assert response.headers["location"] == "/welcome/1"


@QUIET
@given(tail=st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
def test_any_sub_page_of_a_cell_is_answered(unlocked: Web, cell: str, tail: str) -> None:
    response = unlocked.client.get(f"{cell}/{quote(tail, safe='')}", follow_redirects=False)
    assert response.status_code in (200, 303, 307, 404, 405), tail  # 307: a trailing slash
