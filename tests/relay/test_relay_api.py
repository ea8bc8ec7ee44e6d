"""The relay HTTP API in-process (Starlette TestClient, which runs the lifespan)."""

from __future__ import annotations

import base64
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from hasteh.envelope import Envelope, Kind
from hasteh.relay.app import RelayConfig, create_app
from hasteh.relay.storage import open_storage

from .harness import Group, envelope


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    store = open_storage(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    app = create_app(store, RelayConfig(rate_per_second=1000, rate_burst=1000))
    with TestClient(app) as c:
        yield c
    store.close()


def post(
    c: TestClient, data: bytes, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, object]]:
    r = c.post(
        "/v1/envelopes",
        content=data,
        headers={"content-type": "application/octet-stream", **(headers or {})},
    )
    return r.status_code, r.json()


def send(c: TestClient, g: Group, env: Envelope, epoch: int = 0, **kw: object) -> dict[str, object]:
    status, body = post(c, env.to_bytes(), g.headers(env, epoch, **kw))
    assert status == 200, body
    return body


def fetch(c: TestClient, g: Group, after: str = "0", **kw: object) -> dict[str, object]:
    r = c.post("/v1/fetch", json=g.fetch_body(after=after, **kw))
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


def test_post_fetch_and_idempotency(client: TestClient) -> None:
    g = Group()
    mb = g.mailbox
    envs = [envelope(mb, b"m%d" % i) for i in range(3)]
    answers = [post(client, e.to_bytes(), g.headers(e)) for e in envs]
    assert all(status == 200 for status, _ in answers)
    assert answers[0][1]["id"] == envs[0].id.hex()
    assert post(client, envs[1].to_bytes(), g.headers(envs[1])) == answers[1]  # same again
    got = fetch(client, g)
    assert [base64.b64decode(e) for e in got["envelopes"]] == [e.to_bytes() for e in envs]  # type: ignore[attr-defined]
    assert got["cursor"] == answers[2][1]["cursor"] and got["more"] is False
    assert got["stamps"] == [a[1]["stamp"] for a in answers]
    page = fetch(client, g, limit=2)
    assert len(page["envelopes"]) == 2 and page["more"] is True  # type: ignore[arg-type]
    rest = fetch(client, g, after=str(page["cursor"]))
    assert len(rest["envelopes"]) == 1  # type: ignore[arg-type]


def test_commits_for_one_epoch_are_all_stored_in_order(client: TestClient) -> None:
    g = Group()
    send(client, g, envelope(g.mailbox))
    a = envelope(g.mailbox, b"a", kind=Kind.COMMIT, epoch=0)
    b = envelope(g.mailbox, b"b", kind=Kind.COMMIT, epoch=0)
    first = send(client, g, a, next_key=g.key(1))
    second = send(client, g, b, next_key=os.urandom(32))
    assert (first["earlier_commits"], second["earlier_commits"]) == (0, 1)
    assert first["epoch"] == 1 and first["key_registered"] is True
    assert int(str(second["cursor"])) > int(str(first["cursor"]))
    assert fetch(client, g)["epoch"] == 1


def test_racing_commits_are_all_stored(client: TestClient) -> None:
    g = Group()
    send(client, g, envelope(g.mailbox))
    rivals = [envelope(g.mailbox, b"r%d" % i, kind=Kind.COMMIT, epoch=0) for i in range(8)]
    results: list[int] = []
    barrier = threading.Barrier(len(rivals))

    def race(e: Envelope) -> None:
        barrier.wait(timeout=10)
        results.append(post(client, e.to_bytes(), g.headers(e))[0])

    threads = [threading.Thread(target=race, args=(e,)) for e in rivals]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert results == [200] * 8
    assert len(fetch(client, g)["envelopes"]) == 9  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (b"", 400, "bad_envelope"),
        (b"\x01" * 100, 400, "bad_envelope"),
        (b"\x00" * (60 + 262144 + 1), 413, "too_large"),
    ],
)
def test_bad_envelopes(client: TestClient, body: bytes, status: int, error: str) -> None:
    code, answer = post(client, body)
    assert (code, answer["error"]) == (status, error)
    assert set(answer) == {"error", "detail"}


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (b"{", 400, "bad_json"),
        (b'{"mailbox": "zz"}', 422, "bad_request"),
        (b'{"mailbox": "' + b"a" * 64 + b'", "limit": 0}', 422, "bad_request"),
        (b'{"mailbox": "' + b"a" * 64 + b'", "extra": 1}', 422, "bad_request"),
        (b'{"mailbox": "' + b"a" * 64 + b'", "after": "-1"}', 422, "bad_request"),
        (b"x" * 5000, 413, "too_large"),
        (b'{"\xff":1}', 400, "bad_json"),  # fuzz finding: invalid UTF-8 answered 500
        (b'{"mailbox": "\xc3\x28"}', 400, "bad_json"),
    ],
)
def test_bad_fetches(client: TestClient, body: bytes, status: int, error: str) -> None:
    r = client.post("/v1/fetch", content=body)
    assert (r.status_code, r.json()["error"]) == (status, error)


def test_unknown_route_is_json(client: TestClient) -> None:
    r = client.get("/nope")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    assert client.get("/v1/envelopes").status_code == 405


def test_long_poll_wakes_on_post(client: TestClient) -> None:
    g = Group()
    send(client, g, envelope(g.mailbox))
    env = envelope(g.mailbox)
    posted = threading.Event()

    def later() -> None:
        post(client, env.to_bytes(), g.headers(env))
        posted.set()

    timer = threading.Timer(0.3, later)
    timer.start()
    start = time.monotonic()
    got = fetch(client, g, after="1", wait=30)
    woke_after = time.monotonic() - start
    timer.join(10)
    # The fetch came back with the envelope posted while it waited, long before its 30 s
    # wait ran out: the post woke it (the margin is two orders of magnitude, not a race).
    assert posted.is_set() and len(got["envelopes"]) == 1  # type: ignore[arg-type]
    assert woke_after < 15
    start = time.monotonic()
    assert fetch(client, g, after=str(got["cursor"]), wait=0.3)["envelopes"] == []
    assert 0.25 < time.monotonic() - start < 3


def test_rate_limit_is_per_connection(tmp_path: Path) -> None:
    store = open_storage(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    app = create_app(store, RelayConfig(rate_per_second=1, rate_burst=3))
    with TestClient(app) as c:
        codes = [c.post("/v1/fetch", json={"mailbox": "a" * 64}).status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200] and codes[-1] == 429
        assert c.post("/v1/fetch", json={"mailbox": "a" * 64}).json()["error"] == "rate_limited"
    store.close()


def test_healthz_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/openapi.json").json()["openapi"].startswith("3.")
