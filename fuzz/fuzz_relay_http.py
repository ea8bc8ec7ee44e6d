"""The relay's HTTP bodies through the in-process ASGI app (`create_app` over SQLite in a
temporary folder, driven by Starlette's TestClient, which runs the lifespan and the writer
thread). The first byte chooses the route; the rest is the body.

Oracle: never a 5xx (a 500 is an uncaught exception in the relay); every answer is JSON;
a refused POST stores nothing."""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
from pathlib import Path

import msgspec
from starlette.testclient import TestClient

from fuzz._common import Finding, harness, main
from hasteh.relay.app import RelayConfig, create_app
from hasteh.relay.storage import open_storage

_DIR = Path(tempfile.mkdtemp(prefix="hasteh-fuzz-relay-"))
atexit.register(shutil.rmtree, _DIR, True)
_DB = _DIR / "relay.sqlite3"
_APP = create_app(
    open_storage(f"sqlite:///{_DB}"),
    RelayConfig(rate_per_second=1e9, rate_burst=10**9, max_wait=0.0, body_timeout=1.0),
)
_CLIENT = TestClient(_APP, raise_server_exceptions=False)
_CLIENT.__enter__()
atexit.register(_CLIENT.__exit__, None, None, None)

ROUTES = (
    ("POST", "/v1/envelopes", "application/octet-stream"),
    ("POST", "/v1/fetch", "application/json"),
    ("POST", "/v1/fetch", "text/plain"),
    ("GET", "/v1/envelopes", ""),
    ("POST", "/v1/envelopes", "application/json"),
)


def _stored() -> int:
    with sqlite3.connect(_DB) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return sum(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)  # noqa: S608


def _utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@harness
def TestOneInput(data: bytes) -> None:
    if not data:
        return
    method, path, kind = ROUTES[data[0] % len(ROUTES)]
    body = data[1:]
    before = _stored() if path == "/v1/envelopes" else None
    headers = {"content-type": kind} if kind else {}
    response = _CLIENT.request(method, path, content=body, headers=headers)
    if response.status_code >= 500:
        # Finding F2 (fixed): invalid UTF-8 in a JSON fetch body was a 500.
        raise Finding(f"{method} {path}: {response.status_code} {response.text[:200]}")
    try:
        answer = msgspec.json.decode(response.content)
    except msgspec.DecodeError:
        raise Finding(f"{method} {path}: the answer is not JSON") from None
    if response.status_code >= 400:
        if not isinstance(answer, dict) or "error" not in answer:
            raise Finding("a refusal without an error slug")
        if before is not None and _stored() != before:
            raise Finding("a refused POST changed the relay's storage")


if __name__ == "__main__":
    main(TestOneInput)
