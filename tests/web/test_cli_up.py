"""`hasteh up`: registered, documented, translated; the embedded relay starts and is shared."""

from __future__ import annotations

import asyncio
import http.server
import re
import socket
import threading
from pathlib import Path
from typing import ClassVar

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


KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


def test_embedded_relay_starts_and_is_destroyed(tmp_path: Path) -> None:
    async def scenario() -> None:
        first = LoopbackRelay(tmp_path / "a", port=0)
        url = await first.start(KEY)
        assert url.startswith("http://127.0.0.1:")
        assert await first.start(KEY) == url  # idempotent
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{url}/healthz")).status_code == 200
        assert (tmp_path / "a" / "relay" / "relay.sqlite3").exists()
        await first.destroy()
        assert not (tmp_path / "a" / "relay").exists()
        assert first.url is None

    asyncio.run(scenario())


class _Squatter(http.server.BaseHTTPRequestHandler):
    """Another local user's server that claims to be a hasteh relay."""

    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Squatter.hits.append(self.path)
        body = b'{"info": {"title": "hasteh relay"}, "status": "ok"}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_squatter_on_the_relay_port_is_never_adopted(tmp_path: Path) -> None:
    """Another local user listens on 127.0.0.1:PORT and answers like a hasteh relay:
    hasteh starts its own relay on another port, and does not even ask the squatter."""
    squatter = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Squatter)
    thread = threading.Thread(target=squatter.serve_forever, daemon=True)
    thread.start()
    port = squatter.server_address[1]

    async def scenario() -> None:
        relay = LoopbackRelay(tmp_path, port=port)
        url = await relay.start(KEY)
        try:
            assert url != f"http://127.0.0.1:{port}" and relay.moved
            async with httpx.AsyncClient() as client:
                answer = await client.get(f"{url}/healthz")
            assert answer.status_code == 200
            assert _Squatter.hits == []
        finally:
            await relay.destroy()

    try:
        asyncio.run(scenario())
    finally:
        squatter.shutdown()
        squatter.server_close()


def test_embedded_relay_moves_when_the_port_is_busy_with_something_else(tmp_path: Path) -> None:
    async def scenario() -> None:
        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        try:
            relay = LoopbackRelay(tmp_path, port=busy.getsockname()[1])
            url = await relay.start(KEY)
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
