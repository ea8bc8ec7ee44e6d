"""Rendezvous slots (spoken-code invitations): the store's rules with a test clock, and
the relay's HTTP face in-process, attacked as a stranger would: guessing slots, taking a
position twice, oversized or malformed bodies, too many requests."""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from hasteh.relay.app import RelayConfig, create_app
from hasteh.relay.rendezvous import Rendezvous, RendezvousRefused
from hasteh.relay.storage import open_storage


class Clock:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


def store(clock: Clock, **kwargs: int) -> Rendezvous:
    return Rendezvous(clock=clock, randbelow=random.Random(7).randrange, **kwargs)  # type: ignore[arg-type]


def refused(slug: str) -> pytest.RaisesExc[RendezvousRefused]:
    return pytest.raises(RendezvousRefused, match=f"^{slug}$")


def test_first_writer_wins_once_and_retries_are_accepted() -> None:
    slots = store(Clock())
    number, _expires = slots.open()
    assert 1 <= number <= 999
    slots.post(number, "a", 0, b"open")
    slots.post(number, "a", 0, b"open")  # the same bytes again: a retry
    slots.post(number, "b", 0, b"guess")  # a stranger answers first
    with refused("taken"):
        slots.post(number, "b", 0, b"member")
    with refused("out_of_order"):
        slots.post(number, "a", 2, b"skip")
    assert slots.read(number, "b", 0)[0] == [b"guess"]
    assert slots.read(number, "a", 1)[0] == []


def test_slots_expire_and_are_forgotten() -> None:
    clock = Clock()
    slots = store(clock, ttl=600)
    number, expires = slots.open()
    assert expires == clock.t + 600
    clock.t += 600
    with refused("no_slot"):
        slots.read(number, "a", 0)
    with refused("no_slot"):
        slots.post(number, "a", 0, b"late")
    assert len(slots) == 0


def test_size_caps_and_slot_cap() -> None:
    slots = store(Clock(), max_slots=3, max_message=100, max_per_side=2)
    numbers = [slots.open()[0] for _ in range(3)]
    assert len(set(numbers)) == 3
    with refused("busy"):
        slots.open()
    with refused("too_large"):
        slots.post(numbers[0], "a", 0, b"x" * 101)
    with refused("too_large"):
        slots.post(numbers[0], "a", 0, b"")
    with refused("bad_request"):
        slots.post(numbers[0], "c", 0, b"x")
    slots.post(numbers[0], "a", 0, b"1")
    slots.post(numbers[0], "a", 1, b"2")
    with refused("bad_request"):
        slots.post(numbers[0], "a", 2, b"3")


def test_numbers_stay_short_until_the_range_is_half_full() -> None:
    slots = store(Clock(), max_slots=2000)
    numbers = [slots.open()[0] for _ in range(499)]
    assert max(numbers) <= 999
    more = [slots.open()[0] for _ in range(200)]
    assert max(more) > 999 and max(more) <= 9999
    assert len(set(numbers + more)) == 699


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    db = open_storage(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    config = RelayConfig(
        rate_per_second=1000, rate_burst=1000, rendezvous_rate=1000, rendezvous_burst=1000
    )
    with TestClient(create_app(db, config)) as c:
        yield c
    db.close()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_the_http_face(client: TestClient) -> None:
    opened = client.post("/v1/rendezvous/open", json={}).json()
    slot = opened["slot"]
    ok = client.post(
        "/v1/rendezvous/post", json={"slot": slot, "side": "a", "index": 0, "message": b64(b"A0")}
    )
    assert ok.status_code == 200
    read = client.post("/v1/rendezvous/read", json={"slot": slot, "side": "a"}).json()
    assert read["messages"] == [b64(b"A0")] and read["expires"] == opened["expires"]
    taken = client.post(
        "/v1/rendezvous/post", json={"slot": slot, "side": "a", "index": 0, "message": b64(b"X")}
    )
    assert taken.status_code == 409 and taken.json()["error"] == "taken"
    # A stranger guessing numbers finds nothing but 404s for slots nobody opened.
    other = 1 + slot % 999
    guessed = client.post("/v1/rendezvous/read", json={"slot": other, "side": "a"})
    assert guessed.status_code == 404 and guessed.json()["error"] == "no_slot"


def test_hostile_bodies_are_refused(client: TestClient) -> None:
    slot = client.post("/v1/rendezvous/open", json={}).json()["slot"]
    big = {"slot": slot, "side": "a", "index": 0, "message": b64(b"x" * 30_000)}
    assert client.post("/v1/rendezvous/post", json=big).status_code == 413
    huge = b"{" + b" " * 50_000 + b"}"
    assert client.post("/v1/rendezvous/post", content=huge).status_code == 413
    assert client.post("/v1/rendezvous/open", content=b"x" * 100).status_code == 413
    for body in (b"\xff\xfe", b"[]", b'{"slot": 0, "side": "a", "index": 0, "message": ""}'):
        answer = client.post("/v1/rendezvous/post", content=body)
        assert answer.status_code in (400, 422), body
    nope = {"slot": slot, "side": "a", "index": 0, "message": "not base64!"}
    assert client.post("/v1/rendezvous/post", json=nope).status_code == 422


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.binary(max_size=300)
    | st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=20), max_size=5).map(
        lambda d: __import__("json").dumps(d).encode()
    )
)
def test_any_body_gets_a_precise_answer(client: TestClient, body: bytes) -> None:
    for path in ("/v1/rendezvous/post", "/v1/rendezvous/read", "/v1/rendezvous/open"):
        answer = client.post(path, content=body)
        assert answer.status_code in (200, 400, 404, 409, 413, 422, 503), (path, body)
        assert "error" in answer.json() or answer.status_code == 200


def test_guessing_is_rate_limited_apart(tmp_path: Path) -> None:
    db = open_storage(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    config = RelayConfig(
        rate_per_second=1000, rate_burst=1000, rendezvous_rate=1, rendezvous_burst=3
    )
    with TestClient(create_app(db, config)) as c:
        codes = [
            c.post("/v1/rendezvous/read", json={"slot": n, "side": "a"}).status_code
            for n in range(1, 6)
        ]
        assert codes[:3] == [404, 404, 404] and codes[-1] == 429
        # Cells are not slowed by it.
        assert c.post("/v1/fetch", json={"mailbox": "a" * 64}).status_code == 200
    db.close()
