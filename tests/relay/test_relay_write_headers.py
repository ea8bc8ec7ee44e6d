"""The write-access header parser: any input is parsed exactly or refused with a precise
reason (a 400 naming the header), never anything else."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from hasteh.envelope import (
    MAX_WIRE_EPOCH,
    WriteAuth,
    WriteAuthError,
    claimed_mailbox,
    fetch_tag,
    parse_write_headers,
    write_key_id,
    write_tag,
)
from hasteh.relay.app import RelayConfig, create_app
from hasteh.relay.storage import open_storage

from .harness import envelope

NAMES = [
    "hasteh-write",
    "hasteh-claim",
    "hasteh-key",
    "hasteh-claim-epoch",
    "hasteh-next-key",
    "hasteh-retire",
]
HEXISH = st.text(alphabet="0123456789abcdefABCDEFgx -", max_size=80)
VALUES = st.one_of(HEXISH, st.text(max_size=80), st.sampled_from(["1", "0", "", " 1"]))
HEADERS = st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=6)
AUTHS = st.builds(
    WriteAuth,
    key=st.binary(min_size=32, max_size=32),
    next_key=st.none() | st.binary(min_size=32, max_size=32),
    retire=st.booleans(),
    claim=st.none() | st.binary(min_size=32, max_size=32),
    claim_epoch=st.integers(0, MAX_WIRE_EPOCH),
)


def test_helpers_follow_the_protocol_text() -> None:
    import hashlib
    import hmac

    key, eid, mb = os.urandom(32), os.urandom(32), os.urandom(32)
    assert write_key_id(key) == hashlib.sha256(b"hasteh/write-key-id/v1\x00" + key).digest()[:16]
    mac = hmac.new(key, b"hasteh/write/v1\x00" + eid, hashlib.sha256).digest()[:16]
    assert write_tag(key, eid) == mac
    mac = hmac.new(key, b"hasteh/fetch/v1\x00" + mb, hashlib.sha256).digest()[:16]
    assert fetch_tag(key, mb) == mac
    claim = os.urandom(32)
    assert claimed_mailbox(claim) == hashlib.sha256(b"hasteh/mailbox-claim/v1\x00" + claim).digest()


@settings(max_examples=400, deadline=None)
@given(HEADERS)
def test_any_headers_parse_or_raise_a_precise_reason(headers: dict[str, str]) -> None:
    try:
        got = parse_write_headers(headers)
    except WriteAuthError as exc:
        assert exc.reason and exc.detail and "hasteh-" in exc.detail
        return
    write = headers["hasteh-write"]
    assert (got.key_id + got.tag).hex() == write
    assert got.retire == (headers.get("hasteh-retire") == "1")
    assert (got.claim is None) == ("hasteh-claim" not in headers)


@settings(max_examples=200, deadline=None)
@given(AUTHS, st.binary(min_size=32, max_size=32))
def test_headers_round_trip(auth: WriteAuth, envelope_id: bytes) -> None:
    raw = {k.lower(): v for k, v in auth.headers(envelope_id).items()}
    got = parse_write_headers(raw)
    assert got.key_id == write_key_id(auth.key)
    assert got.tag == write_tag(auth.key, envelope_id)
    assert (got.next_key, got.retire, got.claim) == (auth.next_key, auth.retire, auth.claim)
    if auth.claim is not None:
        assert (got.claim_key, got.claim_epoch) == (auth.key, auth.claim_epoch)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing-write"),
        ({"hasteh-write": "ab" * 31}, "bad-write"),
        ({"hasteh-write": "AB" * 32}, "bad-write"),
        ({"hasteh-write": "ab" * 32, "hasteh-claim": "00" * 32}, "incomplete-claim"),
        ({"hasteh-write": "ab" * 32, "hasteh-retire": "true"}, "bad-retire"),
        ({"hasteh-write": "ab" * 32, "hasteh-next-key": "00" * 33}, "bad-next-key"),
        (
            {
                "hasteh-write": "ab" * 32,
                "hasteh-claim": "00" * 32,
                "hasteh-key": "11" * 32,
                "hasteh-claim-epoch": "0",
            },
            "key-mismatch",
        ),
        (
            {
                "hasteh-write": "ab" * 32,
                "hasteh-claim": "00" * 32,
                "hasteh-key": "11" * 32,
                "hasteh-claim-epoch": "٣",
            },
            "bad-claim-epoch",
        ),
        (
            {
                "hasteh-write": "ab" * 32,
                "hasteh-claim": "00" * 32,
                "hasteh-key": "11" * 32,
                "hasteh-claim-epoch": str(2**63),
            },
            "bad-claim-epoch",
        ),
    ],
)
def test_each_refusal_names_its_reason(headers: dict[str, str], reason: str) -> None:
    with pytest.raises(WriteAuthError) as err:
        parse_write_headers(headers)
    assert err.value.reason == reason


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path: Path = tmp_path_factory.mktemp("headers") / "r.sqlite3"
    store = open_storage(f"sqlite:///{path}")
    with TestClient(create_app(store, RelayConfig(rate_per_second=1e6, rate_burst=10**6))) as c:
        yield c
    store.close()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(st.sampled_from(NAMES), HEXISH, max_size=6))
def test_the_relay_answers_any_headers_with_a_4xx_json(
    client: TestClient, headers: dict[str, str]
) -> None:
    env = envelope(os.urandom(32))
    r = client.post("/v1/envelopes", content=env.to_bytes(), headers=headers)
    assert r.status_code in (400, 403, 409), r.text
    answer = r.json()
    if r.status_code == 400:
        assert answer["error"] in ("bad_write_auth", "bad_claim") and answer["detail"]
