"""The drop box switch (issue 16): a device setting "open the drop box while hasteh is
open" on the settings page, kept in the vault (off unless turned on), and `hasteh up`
serving the drop box's page while it is on, without `--drop-box`. Tor itself is tested in
tests/tor/test_dropbox_onion.py; here a recording stand-in takes the onion calls, and
the page's loopback server is real."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import httpx
import pytest

from hasteh import vault
from hasteh.app import Workspace, dropbox, records
from hasteh.cli import web as cli_web
from hasteh.cli.web import DropBoxPage
from hasteh.i18n import translations
from hasteh.tor.onion import OnionService
from hasteh.web.app import WebState

from .conftest import FAST, PASSPHRASE, Web

FA = translations("fa")
ONION = "a" * 56 + ".onion"


def _settings(**values: str) -> dict[str, str]:
    return {"relays": "", "proxy": "", "chat_expiry_days": "14", "language": "fa", **values}


def _stored(web: Web) -> bool:
    web.post("/lock", {})
    with vault.opened(web.home, PASSPHRASE, min_kdf=FAST) as v:
        stored = v.read(records.drop_box_open)
    web.post("/unlock", {"passphrase": PASSPHRASE})
    return stored


def _switch(page: str) -> str:
    return page.split('name="drop_box"', 1)[1].split(">", 1)[0]


def test_the_switch_is_off_explained_and_kept_in_the_vault(unlocked: Web) -> None:
    page = unlocked.client.get("/settings").text
    assert 'name="drop_box"' in page and "checked" not in _switch(page)
    explained = FA.gettext(
        "While hasteh is open and unlocked on this computer, it serves the drop box's page on "
        "its own onion address, so outside workers can send slips for the bulletin without a "
        "name. When this computer is off, or hasteh is closed, the page is down; when hasteh "
        "is locked, it says to try later."
    )
    assert explained in page and explained != FA.gettext("Drop box")
    assert _stored(unlocked) is False
    page = unlocked.post("/settings", _settings(drop_box="yes"))
    assert "checked" in _switch(page)
    assert _stored(unlocked) is True
    # A refused form (a bad expiry) changes nothing, the switch included.
    page = unlocked.post("/settings", _settings(chat_expiry_days="abc"))
    assert 'role="alert"' in page
    assert _stored(unlocked) is True
    unlocked.post("/settings", _settings())
    assert _stored(unlocked) is False


class RecordingTor:
    """Takes the onion calls `DropBoxPage` makes of hasteh's tor; signals each."""

    def __init__(self) -> None:
        self.published: list[int] = []
        self.withdrawn: list[int] = []
        self.changed = threading.Event()

    def add_onion(self, target_port: int, key: str) -> OnionService:
        self.published.append(target_port)
        self.changed.set()
        return OnionService(ONION, key)

    def remove_onion(self, target_port: int) -> None:
        self.withdrawn.append(target_port)
        self.changed.set()


async def _until(check: Callable[[], bool], event: threading.Event) -> None:
    """Wait for `check`, woken by `event` (no timing assertion: pytest's timeout bounds it)."""
    while not check():
        await asyncio.to_thread(event.wait, 1.0)
        event.clear()


def test_up_serves_the_drop_box_while_the_setting_is_on(
    unlocked: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = unlocked.app.state.web
    assert isinstance(state, WebState)
    reads = threading.Event()
    read_count = [0]
    wanted = dropbox.wanted

    def counted(ws: Workspace) -> bool:
        read_count[0] += 1
        reads.set()
        return wanted(ws)

    monkeypatch.setattr(cli_web.dropbox, "wanted", counted)
    tor = RecordingTor()

    async def scenario() -> None:
        drop = DropBoxPage(state, tor)  # type: ignore[arg-type]
        follow = asyncio.create_task(drop.follow_setting(every=0.05))
        try:
            # Off (the default): the setting is read, and nothing is served.
            await _until(lambda: read_count[0] >= 3, reads)
            assert not drop.serving and tor.published == []
            await asyncio.to_thread(unlocked.post, "/settings", _settings(drop_box="yes"))
            await _until(lambda: drop.address is not None, tor.changed)
            assert drop.serving and drop.address == f"http://{ONION}"
            port = tor.published[0]
            async with httpx.AsyncClient() as client:
                onion = await client.get(f"http://127.0.0.1:{port}/", headers={"host": ONION})
                stranger = await client.get(f"http://127.0.0.1:{port}/")
            assert onion.status_code == 200 and stranger.status_code != 200
            # Off again: the onion page is withdrawn and the server stops.
            await asyncio.to_thread(unlocked.post, "/settings", _settings())
            await _until(lambda: tor.withdrawn == [port], tor.changed)
            await _until(lambda: not drop.serving, reads)
        finally:
            follow.cancel()
            with pytest.raises(asyncio.CancelledError):
                await follow
            await drop.stop()

    asyncio.run(scenario())
