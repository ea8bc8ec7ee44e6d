"""schemathesis against the live relay's /openapi.json: no 5xx, no response outside the schema.

The relay runs as a real process on 127.0.0.1 (SQLite); examples are bounded per operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hasteh.relay.openapi import SCHEMA

from .harness import RelayProcess

schema = schemathesis.openapi.from_dict(SCHEMA)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def live_relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RelayProcess]:
    db = tmp_path_factory.mktemp("schema") / "relay.sqlite3"
    relay = RelayProcess(
        f"sqlite:///{db}", extra=["--rate", "100000", "--max-wait", "0.05"]
    ).start()
    try:
        yield relay
    finally:
        relay.kill()


def test_served_schema_is_the_documented_one(live_relay: RelayProcess) -> None:
    assert httpx.get(live_relay.url + "/openapi.json").json() == SCHEMA


@schema.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms(case: schemathesis.Case, live_relay: RelayProcess) -> None:  # type: ignore[type-arg]
    case.call_and_validate(base_url=live_relay.url, checks=CHECKS, timeout=40)


def test_schema_lists_every_route() -> None:
    assert set(SCHEMA["paths"]) == {
        "/healthz",
        "/v1/envelopes",
        "/v1/fetch",
        "/v1/rendezvous/open",
        "/v1/rendezvous/post",
        "/v1/rendezvous/read",
    }
    assert Path(__file__).exists()
