"""`hasteh up`: registered, documented, translated; the embedded relay starts and is shared."""

from __future__ import annotations

import asyncio
import re
import socket
from pathlib import Path

import httpx
from typer.testing import CliRunner

from hasteh.cli.main import app
from hasteh.cli.web import LoopbackRelay, bind_loopback
from hasteh.i18n import translations

ROOT = Path(__file__).resolve().parents[2]


def test_up_is_a_command() -> None:
    result = CliRunner().invoke(app, ["up", "--help"], env={"HASTEH_LANG": "en"})
    assert result.exit_code == 0
    for option in ["--home", "--no-browser", "--port", "--relay-port"]:
        assert option in result.output


def test_up_strings_translated() -> None:
    source = (ROOT / "src/hasteh/cli/web.py").read_text(encoding="utf-8")
    msgids = set(re.findall(r'_\(\s*"((?:[^"\\]|\\.)*)"\s*\)', source))
    assert len(msgids) >= 7
    fa = translations("fa")
    assert sorted(m for m in msgids if fa.gettext(m) == m) == []


def test_bind_loopback_only() -> None:
    sock = bind_loopback(0)
    try:
        host, port = sock.getsockname()
        assert host == "127.0.0.1" and port > 0
    finally:
        sock.close()


def test_embedded_relay_starts_is_shared_and_destroyed(tmp_path: Path) -> None:
    async def scenario() -> None:
        first = LoopbackRelay(tmp_path / "a", port=0)
        url = await first.start()
        assert url.startswith("http://127.0.0.1:")
        assert await first.start() == url  # idempotent
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{url}/healthz")).status_code == 200
        port = int(url.rsplit(":", 1)[1])
        second = LoopbackRelay(tmp_path / "b", port=port)  # the port is taken by a relay
        assert await second.start() == url
        await second.destroy()
        assert (tmp_path / "a" / "relay" / "relay.sqlite3").exists()
        await first.destroy()
        assert not (tmp_path / "a" / "relay").exists()
        assert first.url is None

    asyncio.run(scenario())


def test_embedded_relay_moves_when_the_port_is_busy_with_something_else(tmp_path: Path) -> None:
    async def scenario() -> None:
        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        try:
            relay = LoopbackRelay(tmp_path, port=busy.getsockname()[1])
            url = await relay.start()
            assert url != f"http://127.0.0.1:{busy.getsockname()[1]}"
            await relay.destroy()
        finally:
            busy.close()

    asyncio.run(scenario())


def test_user_guides_show_existing_screenshots() -> None:
    for language in ("fa", "en"):
        guide = (ROOT / "docs/user" / f"{language}.md").read_text(encoding="utf-8")
        shots = re.findall(r"\.\./screenshots/([\w-]+\.png)", guide)
        assert {f"home-{language}.png", f"settings-{language}.png"} <= set(shots)
        for shot in shots:
            assert (ROOT / "docs/screenshots" / shot).exists(), shot
        for topic in ("hasteh up", "hasteh panic", "passphrase duress"):
            assert topic in guide
