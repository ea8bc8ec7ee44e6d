"""In-process web tests: the app on a fake 127.0.0.1 port, fast Argon2id, a temp profile."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from hasteh.transport.courier import KdfCost
from hasteh.vault import KdfParams
from hasteh.web import create_web

if TYPE_CHECKING:
    from playwright.sync_api import Browser

FAST = KdfParams(memory_kib=64, iterations=1, lanes=1)  # tests only (docs/vault.md)
CHEAP_COURIER = KdfCost(memory_kib=8 * 1024, iterations=1, lanes=1)  # tests only
PORT = 8765
ORIGIN = f"http://127.0.0.1:{PORT}"
TOKEN = "launch-token-for-tests-0123456789"
PASSPHRASE = "correct horse battery staple"
DURESS = "a different decoy phrase"
TODAY = dt.date(2026, 3, 3)  # Tuesday, 12 Esfand 1404

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF field on the page"
    return match.group(1)


@dataclass
class Web:
    app: Starlette
    client: TestClient
    home: Path

    def launch(self) -> str:
        """Redeem the launch token; return the page it leads to."""
        response = self.client.get(f"/launch?token={TOKEN}")
        assert response.status_code == 200, response.text
        return response.text

    def post(self, path: str, data: dict[str, str], page: str | None = None) -> str:
        """Submit a form as a browser would: with the CSRF token of the page at `page`
        (default: `path` itself, or /home for forms without a page of their own)."""
        if page is None:
            page = "/home" if path in ("/lock", "/language") else path
        html = self.client.get(page).text
        response = self.client.post(path, data={"csrf": csrf_of(html), **data})
        return response.text

    def create_profile(self, duress: str = "") -> str:
        return self.post(
            "/setup",
            {
                "passphrase": PASSPHRASE,
                "passphrase_again": PASSPHRASE,
                "duress": duress,
                "duress_again": duress,
            },
        )


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium per browser test module (Debian's, driven by Playwright), shared by
    its tests through fresh contexts. Not per session: Playwright's sync API keeps an
    event loop running in this thread while it is open, which the in-process tests'
    `asyncio.run` cannot share."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (scripts/bootstrap.sh)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def make_web(home: Path) -> Starlette:
    return create_web(
        home,
        launch_token=TOKEN,
        port=PORT,
        kdf=FAST,
        min_kdf=FAST,
        today=lambda: TODAY,
        courier_cost=CHEAP_COURIER,
    )


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Web]:
    home = tmp_path / "profile"
    app = make_web(home)
    with TestClient(app, base_url=ORIGIN) as client:
        yield Web(app, client, home)


@pytest.fixture
def unlocked(web: Web) -> Web:
    web.launch()
    web.create_profile()
    return web
