"""A real browser (Debian's Chromium via Playwright) against a real `hasteh up` process.

Runs twice: with JavaScript on, and off (Tor Browser's safest mode). Screenshots of the
main pages go to a temporary folder, or to `$HASTEH_SCREENSHOTS` when set:

    HASTEH_SCREENSHOTS=docs/screenshots uv run pytest tests/web/test_browser.py
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser, Page

PASSPHRASE = "کارگران متحد ۱۴۰۴ spring"
NEW_TAB_TIMEOUT = 30_000
HASTEH = str(Path(sys.executable).parent / "hasteh")  # the console script of this venv

pytestmark = pytest.mark.slow


class Up:
    """`hasteh up` as a subprocess; `url` is the launch link it printed."""

    def __init__(self, home: Path, extra: tuple[str, ...] = ()) -> None:
        env = {**os.environ, "HASTEH_LANG": "en", "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [
                HASTEH,
                "up",
                "--home",
                str(home),
                "--no-browser",
                "--relay-port",
                "0",
                *extra,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None
        self.output: list[str] = []
        deadline = time.monotonic() + 30
        self.url = ""
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.output.append(line)
            if match := re.search(r"http://127\.0\.0\.1:\d+/launch\?token=\S+", line):
                self.url = match.group(0)
                break
        assert self.url, "".join(self.output)
        self.origin = self.url.split("/launch")[0]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def up(tmp_path: Path) -> Iterator[Up]:
    server = Up(tmp_path / "profile")
    yield server
    server.stop()


def screenshots_dir(tmp_path: Path) -> Path:
    target = Path(os.environ.get("HASTEH_SCREENSHOTS") or tmp_path / "screenshots")
    target.mkdir(parents=True, exist_ok=True)
    return target


def shoot(page: Page, folder: Path | None, name: str) -> None:
    if folder is not None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def expect_lang(page: Page, lang: str, direction: str) -> None:
    html = page.locator("html")
    assert html.get_attribute("lang") == lang
    assert html.get_attribute("dir") == direction


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_first_run_lock_unlock_language_panic(
    browser: Browser, up: Up, tmp_path: Path, javascript: bool
) -> None:
    context = browser.new_context(
        java_script_enabled=javascript,
        locale="fa-IR",
        viewport={"width": 1000, "height": 760},
        device_scale_factor=1,
    )
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.set_default_timeout(NEW_TAB_TIMEOUT)
    folder = screenshots_dir(tmp_path) if javascript else None
    home = Path(up.proc.args[up.proc.args.index("--home") + 1])

    # First run, in Persian; a look at the English version and back.
    page.goto(up.url)
    assert page.url == f"{up.origin}/setup"
    expect_lang(page, "fa", "rtl")
    assert page.get_by_role("heading", level=1).inner_text() == "پروفایل خود را بسازید"
    shoot(page, folder, "first-run-fa")
    page.get_by_role("button", name="English").click()
    expect_lang(page, "en", "ltr")
    shoot(page, folder, "first-run-en")
    page.get_by_role("button", name="فارسی").click()
    expect_lang(page, "fa", "rtl")

    page.get_by_label("گذرواژه", exact=True).fill(PASSPHRASE)
    page.get_by_label("تکرار گذرواژه", exact=True).fill(PASSPHRASE)
    page.get_by_role("button", name="ساختن پروفایل").click()
    # Three short screens teach first: what is protected, the habits, what next.
    assert page.url == f"{up.origin}/welcome/1"
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "هسته از چه محافظت می‌کند و از چه نمی‌تواند"
    )
    page.get_by_role("link", name="بعدی").click()
    assert page.get_by_role("heading", level=1).inner_text() == "سه عادت که شما را امن نگه می‌دارد"
    page.get_by_role("link", name="بعدی").click()
    assert page.get_by_role("heading", level=1).inner_text() == "قدم بعدی"
    page.get_by_role("link", name="رفتن به هسته‌های من").click()
    assert page.url == f"{up.origin}/home"
    assert page.get_by_role("heading", level=1).inner_text() == "هسته‌های من"
    assert re.search(r"[۰-۹]{4}", page.locator("time").inner_text())  # the Jalali year
    relay_url = page.locator(".relay code").inner_text()
    assert httpx.get(f"{relay_url}/healthz").status_code == 200  # the embedded relay
    assert (home / "relay").is_dir()
    shoot(page, folder, "home-fa")

    page.get_by_role("link", name="تنظیمات").click()
    expect_lang(page, "fa", "rtl")
    shoot(page, folder, "settings-fa")

    # Lock, then a wrong passphrase, then the right one.
    page.get_by_role("button", name="قفل کردن").click()
    assert page.url == f"{up.origin}/unlock?locked=1"
    page.get_by_label("گذرواژه").fill("not the passphrase")
    page.get_by_role("button", name="باز کردن").click()
    assert page.get_by_role("alert").is_visible()
    page.goto(f"{up.origin}/unlock")
    shoot(page, folder, "unlock-fa")
    page.get_by_label("گذرواژه").fill(PASSPHRASE.replace("۱۴۰۴", "1404"))  # any digits
    page.get_by_role("button", name="باز کردن").click()
    assert page.url == f"{up.origin}/home"

    # English: home, settings (saved with a relay list), unlock.
    page.get_by_role("button", name="English").click()
    expect_lang(page, "en", "ltr")
    assert page.get_by_role("heading", level=1).inner_text() == "My cells"
    shoot(page, folder, "home-en")
    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Chat messages disappear after this many days").fill("۷")
    page.get_by_role("button", name="Save").click()
    assert page.locator(".notice[role=status]").inner_text() == "Saved."
    assert page.get_by_label("Chat messages disappear after this many days").input_value() == "7"
    shoot(page, folder, "settings-en")
    page.get_by_role("button", name="Lock").click()
    expect_lang(page, "en", "ltr")
    shoot(page, folder, "unlock-en")
    page.get_by_label("Passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Unlock").click()
    assert page.url == f"{up.origin}/home"

    if javascript:  # keyboard: Tab reaches every control of the settings page, in order
        page.goto(f"{up.origin}/settings")
        reached: list[str] = []
        for _ in range(30):
            page.keyboard.press("Tab")
            reached.append(
                page.evaluate("(e => e.id || e.name || e.textContent)(document.activeElement)")
            )
        # One Tab stop per radio group: the checked radio (English now).
        for control in ["language-en", "relays", "proxy", "chat_expiry_days", "Save", "Panic"]:
            assert control in reached, reached

    # The launch link does not work twice.
    other = browser.new_context(java_script_enabled=javascript)
    replay = other.new_page()
    replay.goto(up.url)
    assert "already used" in replay.content()
    other.close()

    # Panic: a confirmation step, then a neutral page; the profile and relay are gone.
    page.get_by_role("link", name="Panic").click()
    shoot(page, folder, "panic-en")
    page.get_by_role("button", name="Yes, destroy it now").click()
    assert "hasteh" not in page.content()
    assert page.get_by_role("heading", level=1).inner_text() == "Not found"
    assert not home.exists()
    assert up.proc.wait(10) == 0  # the server stops by itself

    assert requests and all(url.startswith(up.origin) for url in requests), requests
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_launch_page_opens_hasteh_and_is_deleted(
    browser: Browser, up: Up, javascript: bool
) -> None:
    """The browser is opened on the private launch page (a file): its form POSTs the
    token, the session works on the pages that follow, the file is then gone, and the
    token never appears in a URL the browser visited."""
    found = [m.group(0) for line in up.output if (m := re.search(r"file://\S+", line))]
    assert found, "".join(up.output)
    launch_file = Path(found[0].removeprefix("file://"))
    assert launch_file.exists()
    context = browser.new_context(java_script_enabled=javascript, locale="fa-IR")
    visited: list[str] = []
    context.on("request", lambda request: visited.append(request.url))
    page = context.new_page()
    page.set_default_timeout(NEW_TAB_TIMEOUT)
    page.goto(found[0])
    if not javascript:
        page.get_by_role("button").click()
    page.wait_for_url(f"{up.origin}/setup")
    assert page.get_by_role("heading", level=1).inner_text() == "پروفایل خود را بسازید"
    page.reload()  # the session cookie is there for the pages that follow
    assert page.url == f"{up.origin}/setup"
    assert not launch_file.exists() and not launch_file.parent.exists()
    token = up.url.split("token=")[1]
    assert not any(token in url for url in visited)
    # The printed link, reused in this browser: home, not a dead end.
    page.goto(up.url)
    assert page.url == f"{up.origin}/setup"
    context.close()
