"""A relay run by the state could answer a fetch with a body that never ends, to fill the
worker's memory and crash hasteh. The client reads an answer only up to
`MAX_ANSWER_BYTES`, then refuses the relay (`RelayMisbehaved`); a health probe never reads
the body at all. A real HTTP server on 127.0.0.1 streams without end."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from hasteh.transport import relay_client
from hasteh.transport.errors import RelayMisbehaved
from hasteh.transport.relay_client import RelayClient

from .conftest import loopback_server

CHUNK = b"[" * 65536


class _Endless(BaseHTTPRequestHandler):
    sent = 0

    def _stream(self) -> None:
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        try:
            for _ in range(4096):  # 256 MiB at most, if nothing stops reading
                self.wfile.write(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))
                type(self).sent += len(CHUNK)
        except (BrokenPipeError, ConnectionResetError):
            return

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self._stream()

    def do_GET(self) -> None:
        self._stream()

    def log_message(self, *args: object) -> None:
        """Nothing logged."""


@pytest.fixture
def endless() -> Iterator[str]:
    with loopback_server(_Endless) as url:
        yield url


def test_an_endless_answer_is_refused_at_the_cap(
    endless: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(relay_client, "MAX_ANSWER_BYTES", 1024 * 1024)
    _Endless.sent = 0
    client = RelayClient(endless)
    try:
        with pytest.raises(RelayMisbehaved) as caught:
            client.fetch(bytes(32))
        assert caught.value.what == "answer too large"
        # the health probe reads the status only
        client.health(timeout=5)
    finally:
        client.close()
    # The client stopped reading near the cap, far from the 256 MiB on offer.
    assert _Endless.sent < 64 * 1024 * 1024
