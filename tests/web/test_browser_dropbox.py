"""The drop-box page in real Chromium with JavaScript off (as Tor Browser's safest
level): an outsider finds every control by its Persian label, sends a text and a photo,
writes down the codename, and later reads the editors' reply; every page (form, error,
received, status, closed) passes axe, contrast in both themes, no sideways scrolling and
44 px targets at phone size. Screenshots go to $HASTEH_SCREENSHOTS (docs/screenshots)."""

from __future__ import annotations

import io
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

pytest.importorskip("playwright")
from PIL import Image
from playwright.sync_api import Browser, Page

from hasteh.app import dropbox
from hasteh.i18n import translations
from hasteh.web.app import WebState
from hasteh.web.dropbox import DropBox, create_dropbox
from hasteh.web.security import LaunchToken, Origin
from tests.app.conftest import clock, make_ws, relay, relay_clock_file  # noqa: F401
from tests.app.helpers import CELL, form_cell, settle_relay

from .browsercheck import Axe, contrast, sideways, small_targets

pytestmark = pytest.mark.slow

fa = translations("fa").gettext
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
TEXT = "در سالن بسته‌بندی از هفته‌ی پیش شیفت شب بدون اضافه‌کاری است."
REPLY = "رسید. در شماره‌ی آذر چاپ می‌شود؛ اسم کارخانه را ننوشتیم."


class Served:
    """The drop-box app on a real loopback port (uvicorn in a thread)."""

    def __init__(self, box: DropBox) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.origin = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(create_dropbox(box), log_level="critical", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]})
        self.thread.start()
        started = threading.Event()
        while not started.wait(0.05):
            if self.server.started:
                started.set()

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()


@pytest.fixture
def site(make_ws, relay, tmp_path: Path) -> Iterator[tuple[object, object, DropBox, Served]]:  # noqa: F811
    a, b = form_cell(make_ws, relay.url, settle_relay, n=2)
    web = WebState(tmp_path, Origin(1), LaunchToken("x" * 32), vault=a.vault, workspace=a)
    box = DropBox(web)
    served = Served(box)
    try:
        yield a, b, box, served
    finally:
        served.stop()


def shots(tmp_path: Path) -> Path:
    target = Path(os.environ.get("HASTEH_SCREENSHOTS") or tmp_path / "screenshots")
    target.mkdir(parents=True, exist_ok=True)
    return target


def problems(page: Page, axe: Axe, phone: bool) -> list[str]:
    found = [f"axe: {v}" for v in axe.check(page)]
    if sideways(page):
        found.append("scrolls sideways")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        measured = contrast(page)
        assert measured["checked"] > 0
        found += [f"contrast ({scheme}): {f}" for f in measured["failures"]]
    page.emulate_media(color_scheme="light")
    if phone:
        found += [f"under 44 px: {s}" for s in small_targets(page)]
    return found


def photo(path: Path) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (40, 110, 60)).save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return path


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_an_outsider_in_a_browser_without_javascript(
    site, browser: Browser, tmp_path: Path, size: str
) -> None:
    a, b, box, served = site
    phone = size == "phone"
    viewport = PHONE if phone else DESKTOP
    code = dropbox.make_code(a, CELL).code
    context = browser.new_context(java_script_enabled=False, viewport=viewport)  # type: ignore[arg-type]
    axe = Axe(browser, served.origin, viewport)
    folder = shots(tmp_path)
    found: dict[str, list[str]] = {}
    try:
        page = context.new_page()
        page.goto(served.origin + "/")
        assert page.locator("html").get_attribute("dir") == "rtl"
        found["form"] = problems(page, axe, phone)
        page.screenshot(path=str(folder / f"dropbox-form-{size}.png"), full_page=True)

        page.get_by_label(fa("Code from the slip")).fill("1234 5678 0000")
        page.get_by_label(fa("Your text")).fill(TEXT)
        with page.expect_navigation():
            page.get_by_role("button", name=fa("Send")).click()
        assert page.get_by_role("alert").is_visible()  # the wrong code, in Persian
        assert page.get_by_label(fa("Your text")).input_value() == TEXT  # nothing lost
        found["form-error"] = problems(page, axe, phone)

        page.get_by_label(fa("Code from the slip")).fill(code)
        page.get_by_label(
            fa("Photos (optional, at most {n}, JPEG or PNG)").format(n="۴")
        ).set_input_files(str(photo(tmp_path / "IMG_2044.jpg")))
        with page.expect_navigation():
            page.get_by_role("button", name=fa("Send")).click()
        codename = page.locator("#codename").inner_text().strip()
        assert len(codename.split()) == dropbox.CODENAME_WORDS
        found["received"] = problems(page, axe, phone)
        page.screenshot(path=str(folder / f"dropbox-received-{size}.png"), full_page=True)

        settle_relay([a, b])
        (seen,) = dropbox.submissions(b, CELL)
        assert seen.text == TEXT and len(seen.images) == 1
        dropbox.reply(b, CELL, seen.ref, REPLY)
        settle_relay([a, b])

        with page.expect_navigation():
            page.get_by_role("link", name=fa("See the answer with your codename")).click()
        page.get_by_label(fa("Your codename (eight words)")).fill(codename)
        with page.expect_navigation():
            page.get_by_role("button", name=fa("See the answer")).click()
        assert REPLY in page.locator("blockquote").inner_text()
        assert page.get_by_text(fa("Not published yet")).is_visible()
        found["status"] = problems(page, axe, phone)
        page.screenshot(path=str(folder / f"dropbox-reply-{size}.png"), full_page=True)

        box.web.vault = None  # the member locks hasteh: the page says to try later
        page.goto(served.origin + "/")
        assert page.get_by_role("heading", name=fa("The drop box is closed now")).is_visible()
        found["closed"] = problems(page, axe, phone)
        assert context.cookies() == []
    finally:
        axe.close()
        context.close()
    assert {k: v for k, v in found.items() if v} == {}
