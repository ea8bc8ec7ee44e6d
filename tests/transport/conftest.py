"""Fixtures for transport tests: profiles (fast test-only Argon2id) and a real relay."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hasteh import vault
from hasteh.vault.keyfile import KdfParams
from tests.relay.harness import RelayProcess

FAST = KdfParams(memory_kib=8 * 1024, iterations=1, lanes=1)
PASS = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HASTEH_LANG", "en")


@pytest.fixture
def make_profile(tmp_path: Path) -> Iterator[Callable[[str], vault.Vault]]:
    opened: list[vault.Vault] = []

    def make(name: str) -> vault.Vault:
        home = tmp_path / name
        vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
        v = vault.unlock(home, PASS, min_kdf=FAST)
        opened.append(v)
        return v

    yield make
    for v in opened:
        v.close()


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RelayProcess]:
    db = tmp_path_factory.mktemp("relay") / "relay.sqlite3"
    proc = RelayProcess(f"sqlite:///{db}", extra=["--rate", "100000"]).start()
    try:
        yield proc
    finally:
        proc.kill()


@contextlib.contextmanager
def loopback_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A hostile HTTP server on 127.0.0.1 answering with `handler`; its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
