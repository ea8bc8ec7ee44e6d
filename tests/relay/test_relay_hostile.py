"""Hostile input against a live relay: every abuse gets a 4xx or a timeout, and an honest
client on another connection keeps being served throughout. All loops are bounded."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .harness import Group, RelayProcess, envelope


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RelayProcess]:
    db = tmp_path_factory.mktemp("hostile") / "relay.sqlite3"
    proc = RelayProcess(
        f"sqlite:///{db}", extra=["--rate", "50", "--body-timeout", "1", "--max-wait", "1"]
    ).start()
    try:
        yield proc
    finally:
        proc.kill()


def honest(relay: RelayProcess) -> None:
    """A fresh connection posts and fetches (each request must answer within the client's
    timeout, or httpx raises)."""
    g = Group()
    env = envelope(g.mailbox)
    with httpx.Client(base_url=relay.url, timeout=5) as c:
        r = c.post("/v1/envelopes", content=env.to_bytes(), headers=g.headers(env))
        assert r.status_code == 200
        got = c.post("/v1/fetch", json=g.fetch_body()).json()
    assert len(got["envelopes"]) == 1


def raw(relay: RelayProcess, data: bytes, timeout: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", relay.port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
    return b"".join(chunks)


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/1.1") else 0


def test_oversized_bodies(relay: RelayProcess) -> None:
    declared = raw(
        relay,
        b"POST /v1/envelopes HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n"
        b"Connection: close\r\n\r\n" + b"\x00" * 1000,
    )
    assert status_of(declared) == 413 and b'"too_large"' in declared
    # A Content-Length that `str.isdigit` accepts but `int` refuses, or that is absurdly
    # long, is refused like any other bad length, not answered with a 500.
    for length in (b"\xb2", b"9" * 5000):
        odd = raw(
            relay,
            b"POST /v1/envelopes HTTP/1.1\r\nHost: x\r\nContent-Length: "
            + length
            + b"\r\nConnection: close\r\n\r\n",
        )
        assert 400 <= status_of(odd) < 500, odd[:200]
    with httpx.Client(base_url=relay.url, timeout=10) as c:

        def chunks() -> Iterator[bytes]:
            for _ in range(40):  # 40 x 16 KiB, sent chunked with no length
                yield b"\x00" * 16384

        r = c.post("/v1/envelopes", content=chunks())
        assert r.status_code == 413 and r.json()["error"] == "too_large"
    honest(relay)


def test_bad_ids_and_json(relay: RelayProcess) -> None:
    with httpx.Client(base_url=relay.url, timeout=5) as c:
        for body in [
            b"{",
            b"[]",
            b'{"mailbox": 1}',
            json.dumps({"mailbox": "g" * 64}).encode(),
            json.dumps({"mailbox": "a" * 63}).encode(),
            b"\xff\xfe",
            b"",
        ]:
            r = c.post("/v1/fetch", content=body)
            assert r.status_code in (400, 422) and set(r.json()) >= {"error", "detail"}
        for body in [b"", os.urandom(316), b"\x01\x01\x00\x00" + bytes(56 + 256)]:
            r = c.post("/v1/envelopes", content=body)
            if body[:4] == b"\x01\x01\x00\x00":  # a valid envelope, but no write credential
                assert r.status_code == 400 and r.json()["error"] == "bad_write_auth"
            else:
                assert r.status_code == 400 and r.json()["error"] == "bad_envelope"
        assert c.get("/v1/fetch").status_code == 405
        assert c.post("/admin").status_code == 404
    honest(relay)


def test_slow_body_times_out_while_others_are_served(relay: RelayProcess) -> None:
    results: list[bytes] = []

    def slow() -> None:
        with socket.create_connection(("127.0.0.1", relay.port), timeout=10) as s:
            s.sendall(b"POST /v1/envelopes HTTP/1.1\r\nHost: x\r\nContent-Length: 316\r\n\r\n")
            try:
                for _ in range(20):  # one byte every 0.2 s: far slower than the 1 s budget
                    s.sendall(b"\x01")
                    time.sleep(0.2)
            except OSError:
                pass
            try:
                results.append(s.recv(65536))
            except OSError:
                results.append(b"")

    threads = [threading.Thread(target=slow) for _ in range(5)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    honest(relay)  # served while the slow bodies trickle in
    for t in threads:
        t.join(timeout=20)
    assert len(results) == 5
    assert all(r == b"" or status_of(r) == 408 for r in results)
    honest(relay)


def test_idle_half_open_connections_do_not_block_others(relay: RelayProcess) -> None:
    socks = []
    try:
        for _ in range(100):
            s = socket.create_connection(("127.0.0.1", relay.port), timeout=5)
            s.sendall(b"POST /v1/fetch HTTP/1.1\r\nHost: x\r\n")  # headers never finished
            socks.append(s)
        honest(relay)
    finally:
        for s in socks:
            s.close()


def test_flood_on_one_connection_is_rate_limited(relay: RelayProcess) -> None:
    with httpx.Client(base_url=relay.url, timeout=5) as c:
        codes = [c.post("/v1/fetch", json={"mailbox": "ab" * 32}).status_code for _ in range(300)]
    assert 429 in codes and set(codes) <= {200, 429}
    honest(relay)  # another connection is not affected


def test_relay_still_healthy(relay: RelayProcess, tmp_path: Path) -> None:
    assert httpx.get(relay.url + "/healthz", timeout=5).json() == {"status": "ok"}
    assert "Traceback" not in relay.stderr()
    assert "127.0.0.1" not in relay.stderr()
