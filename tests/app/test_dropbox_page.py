"""The drop-box page (web/dropbox.py) in front of a real profile in a real cell: the
outsider's whole round trip in Persian, and what the page must never do (cookies, scripts,
the member's own face, logs of plaintext, bodies beyond the limit, a closed vault)."""

from __future__ import annotations

import io
import re

import httpx
import pytest
from PIL import Image
from starlette.testclient import TestClient

from hasteh.app import cells, dropbox
from hasteh.i18n import translations
from hasteh.web.app import WebState
from hasteh.web.dropbox import CSP, MAX_BODY, DropBox, create_dropbox
from hasteh.web.security import LaunchToken, Origin
from tests.app.helpers import CELL, form_cell, settle_relay

HOST = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion"
FA = translations("fa")
TEXT = "اضافه‌کاری اجباری بدون مزد در سالن دو"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 600), (10, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def page(make_ws, relay, tmp_path):
    a, b = form_cell(make_ws, relay.url, settle_relay, n=2)
    web = WebState(tmp_path, Origin(1), LaunchToken("x" * 32), vault=a.vault, workspace=a)
    box = DropBox(web, hosts={HOST}, codes=dropbox.Gate(limit=3))
    with TestClient(create_dropbox(box), base_url=f"http://{HOST}") as client:
        yield a, b, box, client


def check_headers(response: httpx.Response) -> None:
    assert "set-cookie" not in response.headers
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "<script" not in response.text


def test_an_outsider_submits_reads_the_reply_and_sees_published(page) -> None:
    a, b, _box, client = page
    code = dropbox.make_code(a, CELL).code
    first = client.get("/")
    check_headers(first)
    assert 'dir="rtl"' in first.text and FA.gettext("Drop box") in first.text
    assert CELL not in first.text  # nothing names the cell
    sent = client.post(
        "/",
        data={"code": code, "text": TEXT},
        files=[("photos", ("a.jpg", jpeg(), "image/jpeg"))],
    )
    check_headers(sent)
    assert sent.status_code == 200, sent.text
    found = re.search(r'<p class="spoken-code" id="codename"><strong>([^<]+)</strong>', sent.text)
    assert found is not None
    codename = found.group(1)
    settle_relay([a, b])
    (seen,) = dropbox.submissions(b, CELL)
    assert seen.text == TEXT and len(seen.images) == 1
    dropbox.reply(b, CELL, seen.ref, "رسید؛ ممنون")
    dropbox.mark_published(b, CELL, seen.ref)
    settle_relay([a, b])
    status = client.post("/receipt", data={"codename": codename})
    check_headers(status)
    assert "رسید؛ ممنون" in status.text
    assert FA.gettext("Published in the bulletin") in status.text
    # the code was single-use
    again = client.post("/", data={"code": code, "text": "دوباره"})
    assert again.status_code == 400
    assert FA.gettext(dropbox_message("drop-bad-code")) in again.text


def dropbox_message(code: str) -> str:
    from hasteh.app.errors import APP_MESSAGES

    return APP_MESSAGES[code]  # type: ignore[index]


def test_the_page_reaches_nothing_of_the_members_face(page) -> None:
    _a, _b, _box, client = page
    for path in ("/home", "/unlock", "/settings", "/launch", "/static/icon.svg", "/../x"):
        response = client.get(path)
        assert response.status_code == 404
        check_headers(response)
    assert client.get("/static/site.css").status_code == 200
    wrong_host = client.get("/", headers={"host": "127.0.0.1:8000"})
    assert wrong_host.status_code == 421


def test_oversized_bodies_are_refused_before_parsing(page) -> None:
    a, _b, _box, client = page
    code = dropbox.make_code(a, CELL).code
    before = len(cells.find_cell(a, CELL).record.own_pending)
    huge = client.post("/", content=b"x" * 64, headers={"content-length": str(MAX_BODY + 1)})
    assert huge.status_code == 413
    streamed = client.post(
        "/",
        content=iter([b"-" * (1024 * 1024)] * 43),
        headers={"content-type": "multipart/form-data; boundary=zz"},
    )
    assert streamed.status_code == 413
    text = client.post("/", data={"code": code, "text": "ب" * 20_000})
    assert text.status_code == 400
    assert FA.gettext(dropbox_message("drop-text-too-long")).split("{")[0] in text.text
    fake = client.post(
        "/",
        data={"code": code, "text": "x"},
        files=[("photos", ("photo.jpg", b"MZ\x90\x00 an exe", "image/jpeg"))],
    )
    assert fake.status_code == 400
    assert len(cells.find_cell(a, CELL).record.own_pending) == before
    assert client.post("/", data={"code": code, "text": "x"}).status_code == 200


def test_guessing_is_stopped_and_a_locked_vault_closes_the_page(page) -> None:
    a, _b, box, client = page
    code = dropbox.make_code(a, CELL).code
    for guess in range(3):
        assert client.post("/", data={"code": f"{guess:012d}", "text": "x"}).status_code == 400
    locked = client.post("/", data={"code": code, "text": "x"})
    assert FA.gettext(dropbox_message("drop-too-many-tries")) in locked.text
    box.codes.failures.clear()
    box.web.vault = None  # the member locked hasteh
    closed = client.get("/")
    assert closed.status_code == 503
    assert FA.gettext("The drop box is closed now") in closed.text
    assert client.post("/", data={"code": code, "text": "x"}).status_code == 503


def test_hostile_forms_are_refused_without_a_crash(page) -> None:
    a, _b, _box, client = page
    code = dropbox.make_code(a, CELL).code
    before = len(cells.find_cell(a, CELL).record.own_pending)
    many = [("photos", (f"{i}.jpg", jpeg(), "image/jpeg")) for i in range(9)]
    assert client.post("/", data={"code": code, "text": "x"}, files=many).status_code == 400
    fields = {f"f{i}": "x" for i in range(20)}
    assert client.post("/", data={"code": code, **fields}).status_code == 400
    broken = client.post(
        "/",
        content=b'--zz\r\nContent-Disposition: form-data; name="code"\r\n\r\n',
        headers={"content-type": "multipart/form-data; boundary=zz"},
    )
    assert broken.status_code in (400, 200)  # refused, or read as an empty form
    assert "<script" not in client.post("/", data={"code": code, "text": "<script>x</script>"}).text
    escaped = dropbox.submissions(a, CELL)[0].text
    assert escaped == "<script>x</script>"  # kept as text; every page escapes it
    assert len(cells.find_cell(a, CELL).record.own_pending) == before + 1
