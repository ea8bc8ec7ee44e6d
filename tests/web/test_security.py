"""The guard: Host allow-list, launch token, session cookie, CSRF, headers on every answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from hasteh.web.security import CSP, Sessions, same_secret

from .conftest import ORIGIN, PASSPHRASE, PORT, TOKEN, Web, csrf_of, make_web

PAGES = ["/home", "/settings", "/panic"]


def test_without_a_session_everything_is_closed(web: Web) -> None:
    for path in ["/", "/setup", "/unlock", "/home", "/settings", "/panic"]:
        response = web.client.get(path)
        assert response.status_code == 403
        assert "session_" not in response.headers.get("set-cookie", "")


def test_static_files_need_no_session(web: Web) -> None:
    response = web.client.get("/static/site.css")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CSP


def test_launch_token_is_single_use(web: Web) -> None:
    first = web.client.get(f"/launch?token={TOKEN}", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/setup"
    with TestClient(web.app, base_url=ORIGIN) as other:  # another browser, same link
        replay = other.get(f"/launch?token={TOKEN}")
        assert replay.status_code == 403
        assert "already used" in replay.text
        assert "set-cookie" not in replay.headers
    # The first browser, which holds a live session, is led home, not to a dead end.
    again = web.client.get(f"/launch?token={TOKEN}", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/setup"
    assert "set-cookie" not in again.headers


@pytest.mark.parametrize("token", ["", "x", TOKEN[:-1], TOKEN + "x", TOKEN.upper()])
def test_wrong_launch_token_refused_and_real_one_still_works(web: Web, token: str) -> None:
    assert web.client.get(f"/launch?token={token}").status_code == 403
    assert web.client.get("/launch").status_code == 403
    assert web.client.get(f"/launch?token={TOKEN}").status_code == 200


def test_session_cookie_flags(web: Web) -> None:
    response = web.client.get(f"/launch?token={TOKEN}", follow_redirects=False)
    cookie = response.headers["set-cookie"]
    name, _, rest = cookie.partition("=")
    assert name == f"session_{PORT}"
    value, *flags = [part.strip() for part in rest.split(";")]
    assert len(value) >= 40
    assert {"HttpOnly", "SameSite=Strict", "Path=/"} <= set(flags)
    assert not any(f.lower().startswith(("domain", "expires", "max-age")) for f in flags)


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:8765",
        "127.0.0.1",
        "127.0.0.1:80",
        "localhost",
        "0.0.0.0:8765",
        "[::1]:8765",
        "127.0.0.1:8765.evil.example",
    ],
)
def test_foreign_host_refused(unlocked: Web, host: str) -> None:
    for path in ["/home", f"/launch?token={TOKEN}", "/static/site.css"]:
        response = unlocked.client.get(path, headers={"host": host})
        assert response.status_code == 421, (host, path)
        assert response.headers["content-security-policy"] == CSP
    response = unlocked.client.post("/lock", headers={"host": host}, data={})
    assert response.status_code == 421


def test_localhost_name_allowed(web: Web) -> None:
    response = web.client.get(f"/launch?token={TOKEN}", headers={"host": f"localhost:{PORT}"})
    assert response.status_code == 200


def test_post_without_or_with_wrong_csrf_refused(unlocked: Web) -> None:
    page = unlocked.client.get("/settings").text
    good = csrf_of(page)
    for data in [{}, {"csrf": ""}, {"csrf": good[:-1]}, {"csrf": "x" * len(good)}]:
        for path in ["/lock", "/settings", "/language", "/panic", "/unlock", "/setup"]:
            response = unlocked.client.post(path, data={**data, "confirm": "yes"})
            assert response.status_code == 403, (path, data)
    assert unlocked.client.get("/home").status_code == 200  # nothing happened
    assert (unlocked.home / "hasteh.key").exists()


def test_csrf_checked_in_multipart_bodies_too(unlocked: Web) -> None:
    response = unlocked.client.post(
        "/lock", files={"card": ("card.txt", b"x")}, data={"csrf": "nope"}
    )
    assert response.status_code == 403
    good = csrf_of(unlocked.client.get("/home").text)
    response = unlocked.client.post(
        "/language", files={"card": ("card.txt", b"x")}, data={"csrf": good, "language": "en"}
    )
    assert response.status_code == 200
    assert 'lang="en"' in response.text


def test_foreign_origin_refused_even_with_token(unlocked: Web) -> None:
    good = csrf_of(unlocked.client.get("/home").text)
    response = unlocked.client.post(
        "/lock", data={"csrf": good}, headers={"origin": "http://evil.example"}
    )
    assert response.status_code == 403
    response = unlocked.client.post(
        "/language", data={"csrf": good, "language": "en"}, headers={"origin": "null"}
    )
    assert response.status_code == 200


def test_csrf_token_of_another_session_refused(tmp_path: Path, unlocked: Web) -> None:
    other = make_web(tmp_path / "other")
    with TestClient(other, base_url=ORIGIN) as client:
        page = client.get(f"/launch?token={TOKEN}").text
        foreign = csrf_of(page)
    assert unlocked.client.post("/lock", data={"csrf": foreign}).status_code == 403


def test_oversized_body_refused(unlocked: Web) -> None:
    good = csrf_of(unlocked.client.get("/home").text)
    response = unlocked.client.post("/language", data={"csrf": good, "x": "a" * (2 << 20)})
    assert response.status_code == 413


def test_other_methods_refused(unlocked: Web) -> None:
    for method in ["PUT", "DELETE", "PATCH"]:
        assert unlocked.client.request(method, "/home").status_code == 405
    assert unlocked.client.post("/static/site.css").status_code == 405


def test_security_headers_on_every_response(unlocked: Web) -> None:
    responses = [unlocked.client.get(path) for path in ["/home", "/settings", "/panic", "/nowhere"]]
    responses.append(unlocked.client.get("/static/site.css"))
    responses.append(unlocked.client.post("/lock", data={}))
    responses.append(unlocked.client.get("/home", headers={"host": "evil.example"}))
    for response in responses:
        headers = response.headers
        assert headers["content-security-policy"] == CSP
        assert "script-src" not in CSP and "unsafe" not in CSP
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "no-store"
        assert headers["x-frame-options"] == "DENY"


def test_lock_ends_the_session(unlocked: Web) -> None:
    old_cookie = unlocked.client.cookies.get(f"session_{PORT}")
    page = unlocked.post("/lock", {})
    assert "/unlock" in page and 'name="passphrase"' in page
    new_cookie = unlocked.client.cookies.get(f"session_{PORT}")
    assert new_cookie and new_cookie != old_cookie
    with TestClient(unlocked.app, base_url=ORIGIN, cookies={f"session_{PORT}": old_cookie}) as c:
        assert c.get("/home").status_code == 403
    assert unlocked.client.get("/home", follow_redirects=False).headers["location"] == "/unlock"


def test_unlock_renews_the_session(unlocked: Web) -> None:
    unlocked.post("/lock", {})
    before = unlocked.client.cookies.get(f"session_{PORT}")
    page = unlocked.post("/unlock", {"passphrase": PASSPHRASE})
    assert "/lock" in page
    assert unlocked.client.cookies.get(f"session_{PORT}") != before


def test_sessions_store_and_compare() -> None:
    sessions = Sessions()
    s = sessions.start("fa")
    assert sessions.get(s.id) is s
    assert sessions.get(s.id + "x") is None and sessions.get("") is None
    t = sessions.rotate(s)
    assert sessions.get(s.id) is None and sessions.get(t.id) is t and t.csrf != s.csrf
    assert not same_secret(None, "a") and not same_secret("", "") and same_secret("ab", "ab")
