"""What arrives by itself, in-process against a real relay: the news frame lists what
came since the cell page was shown, only our own pages may frame it, hostile parameters
change nothing; the unread marker per cell; the background sync's rules (never while
locked, never while the app is busy, a failure is a status); the time zone page."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from hasteh.app import sync
from hasteh.web.appcalls import APP_LOCK
from hasteh.web.background import BackgroundSync, Pace
from hasteh.web.security import CSP
from hasteh.web.views.common import NOTICES
from hasteh.web.views.news import FRAME_HEADERS

from .conftest import ORIGIN, Web
from .test_cells import FA, Person, card_code, create_cell, form_cell, people, relay

__all__ = ["people", "relay"]


def news_href(page: str) -> str:
    match = re.search(r'<iframe class="news" src="([^"]+)"', page)
    assert match, "no news frame on the cell page"
    return htmllib.unescape(match.group(1))


def test_the_frame_lists_what_arrived_and_only_we_may_frame_it(
    people: Callable[[str], Person],
) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    shown = b.client.get(cell)
    frame = news_href(shown.text)
    assert frame.startswith(f"{cell}/news?")
    # The page itself may not be framed; it may frame our own pages.
    assert shown.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in shown.headers["content-security-policy"]
    assert "frame-src 'self'" in shown.headers["content-security-policy"]

    quiet = b.client.get(frame)
    assert quiet.status_code == 200
    assert FA.gettext("Nothing new yet. This box checks by itself.") in quiet.text
    assert quiet.headers["x-frame-options"] == "SAMEORIGIN"
    assert quiet.headers["content-security-policy"] == FRAME_HEADERS["content-security-policy"]
    assert "frame-ancestors 'self'" in quiet.headers["content-security-policy"]
    assert "script-src" not in quiet.headers["content-security-policy"]
    assert re.search(r'<meta http-equiv="refresh" content="\d+">', quiet.text)

    a.submit(f"{cell}/say", {"text": "فردا ساعت شش", "thread": "عمومی"}, cell)
    b.app_read(sync.sync)
    fresh = b.client.get(frame)
    assert "فردا ساعت شش" in fresh.text and "سپیده" in fresh.text
    assert 'target="_top"' in fresh.text
    # A's own frame never lists A's own message.
    own = a.client.get(news_href(a.client.get(cell).text))
    assert "فردا ساعت شش" not in own.text


def test_unread_marker_per_cell(people: Callable[[str], Person]) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    b.client.get(cell)
    assert 'class="unread"' not in b.client.get("/home").text
    a.submit(f"{cell}/say", {"text": "خبر تازه", "thread": "عمومی"}, cell)
    b.app_read(sync.sync)
    home = b.client.get("/home").text
    assert f'<strong class="unread">{FA.gettext("New")}</strong>' in home
    b.client.get(cell)  # shown: read
    assert 'class="unread"' not in b.client.get("/home").text
    # A's own message does not make A's cell unread.
    assert 'class="unread"' not in a.client.get("/home").text


@pytest.mark.parametrize(
    "query",
    [
        "c=-1-5&since=-5",
        "c=0-99999999999999999999999&since=1",
        "c=abc.%00.--.1-&since=%00",
        "c=۱-۲&since=۳",
        "since=" + "9" * 5000,
        "c=" + ".".join(f"{i}-{i}" for i in range(5000)),
        "",
    ],
)
def test_hostile_frame_parameters_change_nothing(unlocked: Web, query: str) -> None:
    home_before = unlocked.client.get("/home").text
    response = unlocked.client.get(f"/cell/abcdef12/news?{query}")
    assert response.status_code == 200
    assert "Traceback" not in response.text
    assert unlocked.client.get("/home").text == home_before


def test_a_stranger_gets_no_frame(tmp_path: Path, unlocked: Web) -> None:
    with TestClient(unlocked.app, base_url=ORIGIN) as stranger:  # no session cookie
        response = stranger.get("/cell/abcdef12/news?seen=0&since=0")
    assert response.status_code == 403
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"] == CSP


def test_background_sync_rules(people: Callable[[str], Person]) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    background = BackgroundSync(b.state(), Pace(first=0, every=(0, 0)))

    # Busy: the app lock is held (a Fetch now, an action): the turn is skipped.
    with APP_LOCK:
        assert background.turn() is False
    assert background.status.skipped == 1 and background.status.rounds == 0

    # A round brings A's message; the outcome is a notice key.
    a.submit(f"{cell}/say", {"text": "از پس‌زمینه", "thread": "عمومی"}, cell)
    assert background.turn() is True
    assert background.status.outcome == "synced" and background.status.received >= 1
    assert "از پس‌زمینه" in b.client.get(cell).text

    # Locked: nothing runs, nothing is opened.
    b.post("/lock", {})
    assert not b.state().unlocked
    assert background.turn() is False
    assert b.state().workspace is None


def test_a_failed_round_is_a_status(people: Callable[[str], Person], tmp_path: Path) -> None:
    b = people("b")
    b.post(
        "/settings",
        {"relays": "http://127.0.0.1:9", "proxy": "", "chat_expiry_days": "14", "language": "fa"},
    )
    b.submit(
        "/cells", {"name": "تنها", "cover_name": "رضا", "cap": "۵", "admission": "all"}, "/home"
    )
    background = BackgroundSync(b.state(), Pace())
    assert background.turn() is True
    assert background.status.outcome == "unreachable"
    cell = re.search(r'href="(/cell/[0-9a-f]{8})"', b.client.get("/home").text)
    assert cell
    b.state().background = background  # as `hasteh up`'s lifespan does
    frame = b.client.get(news_href(b.client.get(cell.group(1)).text))
    assert frame.status_code == 200
    assert FA.gettext(NOTICES["unreachable"]) in htmllib.unescape(frame.text)
    assert "Traceback" not in frame.text and "127.0.0.1:9" not in frame.text


def test_time_zone_page(unlocked: Web) -> None:
    page = unlocked.client.get("/settings/time").text
    assert 'value="Asia/Tehran" checked' in page
    unlocked.post("/settings/time", {"zone": "UTC"})
    assert 'value="UTC" checked' in unlocked.client.get("/settings/time").text
    state = unlocked.app.state.web
    assert state.zone is not None and state.zone.key == "UTC"
    for bad in ("Mars/Olympus", "../../../etc/passwd", "x" * 500):
        html = unlocked.post("/settings/time", {"zone": "other", "other": bad})
        assert FA.gettext("There is no time zone by that name.") in html
    assert state.zone.key == "UTC"
    assert 'value="UTC" checked' in unlocked.client.get("/settings/time").text


def test_join_after_the_background_already_joined(people: Callable[[str], Person]) -> None:
    """The background sync picks the Welcome up before the newcomer presses Join: Join
    then leads to that cell, which home marks New until it is shown."""
    a, b = people("a"), people("b")
    cell = create_cell(a)
    status, _, page = b.submit("/join/card", {"cover_name": "رضا", "days": "۷"}, "/join")
    assert status == 200
    a.submit(f"{cell}/propose", {"card": card_code(page)}, cell)
    assert BackgroundSync(b.state(), Pace()).turn() is True
    assert 'class="unread"' in b.client.get("/home").text  # joined, never shown
    status, path, page = b.submit("/join", {}, "/join")
    assert status == 200 and path == cell, page
    joined = FA.gettext("You joined the cell. Compare safety words with the members in person.")
    assert joined in page
    assert 'class="unread"' not in b.client.get("/home").text
