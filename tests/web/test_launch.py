"""The launch token never travels where another local user can read it: `hasteh up`
opens the browser on a private file (0600 in a 0700 folder) whose form POSTs the token,
deletes it after the first use and at exit; a reused launch in a browser that already
has a session leads home."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from hasteh.cli import web as cli_web
from hasteh.web import create_web

from .conftest import FAST, ORIGIN, PORT, TOKEN


def app_with_page(tmp_path: Path) -> tuple[TestClient, cli_web.LaunchPage, list[int]]:
    page = cli_web.write_launch_page(ORIGIN, TOKEN, tmp_path)
    calls: list[int] = []

    def on_launch() -> None:
        calls.append(1)
        page.remove()

    app = create_web(
        tmp_path / "home",
        launch_token=TOKEN,
        port=PORT,
        kdf=FAST,
        min_kdf=FAST,
        on_launch=on_launch,
    )
    return TestClient(app, base_url=ORIGIN), page, calls


def test_launch_page_is_private_and_posts_the_token(tmp_path: Path) -> None:
    page = cli_web.write_launch_page(ORIGIN, TOKEN, tmp_path)
    assert stat.S_IMODE(page.folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(page.path.stat().st_mode) == 0o600
    text = page.path.read_text(encoding="utf-8")
    assert f'<form method="post" action="{ORIGIN}/launch">' in text
    assert f'name="token" value="{TOKEN}"' in text
    assert "?token=" not in text  # nothing for the history
    assert TOKEN not in page.path.as_uri()
    page.remove()
    assert not page.folder.exists()


def test_post_from_the_launch_page_opens_once_then_the_page_is_gone(tmp_path: Path) -> None:
    client, page, calls = app_with_page(tmp_path)
    with client:
        # As a browser posts a form of a local file: Origin "null", no cookie yet.
        first = client.post(
            "/launch", data={"token": TOKEN}, headers={"origin": "null"}, follow_redirects=False
        )
        # A same-origin step (meta refresh), so that the browser sends the Strict cookie.
        assert first.status_code == 200
        assert '<meta http-equiv="refresh" content="0;url=/setup">' in first.text
        assert "set-cookie" in first.headers
        assert client.get("/setup").status_code == 200
        assert calls == [1] and not page.path.exists() and not page.folder.exists()
        # The same browser (it holds the session) posting again: led home.
        again = client.post("/launch", data={"token": TOKEN}, headers={"origin": "null"})
        assert again.status_code == 200 and again.url.path == "/setup"
        assert calls == [1]
    # Another browser (another local user who copied the page in time): refused.
    with TestClient(client.app, base_url=ORIGIN) as other:
        stolen = other.post("/launch", data={"token": TOKEN}, headers={"origin": "null"})
        assert stolen.status_code == 403 and "set-cookie" not in stolen.headers


def test_reused_link_leads_home_only_with_a_live_session(tmp_path: Path) -> None:
    client, _page, _calls = app_with_page(tmp_path)
    with client:
        assert client.get(f"/launch?token={TOKEN}").url.path == "/setup"
        reused = client.get(f"/launch?token={TOKEN}", follow_redirects=False)
        assert reused.status_code == 303 and reused.headers["location"] == "/setup"
        wrong = client.get("/launch?token=guess", follow_redirects=False)
        assert wrong.status_code == 303  # already in: no dead end, and nothing gained
    with TestClient(client.app, base_url=ORIGIN) as fresh:
        dead = fresh.get(f"/launch?token={TOKEN}", follow_redirects=False)
        assert dead.status_code == 403


@pytest.mark.parametrize("origin", ["http://evil.example", "http://127.0.0.1:1"])
def test_launch_post_from_another_site_is_refused(tmp_path: Path, origin: str) -> None:
    client, page, calls = app_with_page(tmp_path)
    with client:
        answer = client.post("/launch", data={"token": TOKEN}, headers={"origin": origin})
        assert answer.status_code == 403 and calls == [] and page.path.exists()
        # The token was not spent by the refused request.
        ok = client.post("/launch", data={"token": TOKEN}, headers={"origin": "null"})
        assert ok.status_code == 200 and client.get("/home").url.path == "/setup"


def test_up_opens_the_browser_on_the_file_not_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What another local user could read in /proc/PID/cmdline of the browser is the
    file's path; the file itself is theirs to read only if they are this user."""
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    opened: list[tuple[str, int]] = []

    def fake_open(url: str, new: int = 0) -> bool:
        path = Path(url.removeprefix("file://"))
        opened.append((url, stat.S_IMODE(path.stat().st_mode)))
        return True

    async def no_serving(self: object, sockets: object = None) -> None:
        return None

    monkeypatch.setattr(cli_web.webbrowser, "open", fake_open)
    monkeypatch.setattr(cli_web.uvicorn.Server, "serve", no_serving)
    asyncio.run(
        cli_web.serve(tmp_path / "home", port=0, relay_port=0, token=TOKEN, open_browser=True)
    )
    [(url, mode)] = opened
    assert url.startswith(f"file://{runtime}/hasteh-launch-") and TOKEN not in url
    assert mode == 0o600
    assert list(runtime.iterdir()) == []  # deleted at exit


def test_runtime_base_refuses_a_folder_others_may_enter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(shared))
    assert cli_web.runtime_base() is None
    shared.chmod(0o700)
    assert cli_web.runtime_base() == shared
