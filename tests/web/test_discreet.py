"""Hide, discreet mode and the first run's screens, in-process (docs/design.md).

The attacker here is someone who glances at the screen, the tab bar or the browser's
history, and a stranger's page that tries to use the "hide" link."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from hasteh.app import records
from hasteh.web.app import WebState

from .conftest import ORIGIN, PASSPHRASE, Web

NEUTRAL = "یادداشت‌ها"


def state(web: Web) -> WebState:
    found = web.app.state.web
    assert isinstance(found, WebState)
    return found


def title(html: str) -> str:
    match = re.search(r"<title>([^<]*)</title>", html)
    assert match, html[:300]
    return match.group(1)


def names_the_app(html: str) -> bool:
    return bool(re.search(r"hasteh|هسته", html, re.I))


def test_the_first_run_teaches_in_three_screens(web: Web) -> None:
    web.launch()
    first = web.create_profile()
    assert "مرحلهٔ ۱ از ۳" in first and 'href="/welcome/2"' in first
    second = web.client.get("/welcome/2").text
    assert 'href="/welcome/3"' in second and 'href="/home"' in second  # "Skip"
    third = web.client.get("/welcome/3").text
    assert 'href="/welcome/4"' not in third and 'href="/join"' in third
    for wrong in ("/welcome/0", "/welcome/4", "/welcome/99999"):
        response = web.client.get(wrong, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/welcome/1"


def test_the_first_run_screens_need_the_profile_unlocked(unlocked: Web) -> None:
    unlocked.post("/lock", {})
    response = unlocked.client.get("/welcome/1", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/unlock"


def test_hide_locks_and_leaves_a_page_that_names_nothing(unlocked: Web) -> None:
    old_cookie = unlocked.client.cookies.get("hasteh_session") or next(
        iter(unlocked.client.cookies.values())
    )
    response = unlocked.client.get("/hide")
    assert response.status_code == 200
    assert not names_the_app(response.text)
    assert title(response.text) == NEUTRAL and "notes.svg" in response.text
    assert "<form" not in response.text and "<a " not in response.text
    assert not state(unlocked).unlocked
    # The old session is gone: its cookie opens nothing.
    stranger = TestClient(unlocked.app, base_url=ORIGIN, cookies={"x": "y"})
    for name in list(unlocked.client.cookies.keys()):
        stranger.cookies.set(name, old_cookie)
    assert stranger.get("/home").status_code == 403
    # The new session (set by /hide) goes to the unlock page, and unlocks.
    assert unlocked.client.get("/home").url.path == "/unlock"
    unlocked.post("/unlock", {"passphrase": PASSPHRASE})
    assert state(unlocked).unlocked


def test_a_stranger_cannot_use_hide_to_lock_someone_out(unlocked: Web) -> None:
    """Another site's link to /hide arrives without the SameSite=Strict cookie."""
    stranger = TestClient(unlocked.app, base_url=ORIGIN)
    response = stranger.get("/hide")
    assert response.status_code == 403
    assert state(unlocked).unlocked


def test_discreet_mode_gives_every_page_a_neutral_title_and_icon(unlocked: Web) -> None:
    home = unlocked.client.get("/home").text
    assert title(home).endswith("هسته") and "icon.svg" in home
    unlocked.post(
        "/settings",
        {
            "relays": "",
            "proxy": "",
            "chat_expiry_days": "14",
            "language": "fa",
            "discreet": "yes",
        },
    )
    vault = state(unlocked).vault
    assert vault is not None and vault.read(records.web_discreet)
    for path in ("/home", "/settings", "/join", "/courier", "/panic", "/welcome/1"):
        html = unlocked.client.get(path).text
        assert title(html) == NEUTRAL, path
        assert 'href="/static/notes.svg"' in html and "icon.svg" not in html, path
        assert not names_the_app(html.split("<body>")[0]), path  # the head: tab and history
        footer = html.split('<footer class="footer">')[1]
        assert not names_the_app(footer), path  # a glance at the bottom of the page
    # The session cookie does not name the app either (the browser's cookie list).
    assert all(not name.startswith("hasteh") for name in unlocked.client.cookies.keys())
    # Locked: the unlock page stays neutral; unlocked again, the choice comes from the vault.
    unlocked.post("/lock", {})
    assert title(unlocked.client.get("/unlock").text) == NEUTRAL
    unlocked.post("/unlock", {"passphrase": PASSPHRASE})
    assert title(unlocked.client.get("/home").text) == NEUTRAL
    # Off again.
    unlocked.post(
        "/settings", {"relays": "", "proxy": "", "chat_expiry_days": "14", "language": "fa"}
    )
    assert title(unlocked.client.get("/home").text) != NEUTRAL
    reopened = state(unlocked).vault
    assert reopened is not None and not reopened.read(records.web_discreet)
