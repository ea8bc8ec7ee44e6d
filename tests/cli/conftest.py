"""Fixtures for CLI tests: one real relay on 127.0.0.1 for the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.relay.harness import RelayProcess


@pytest.fixture(scope="session")
def cli_relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RelayProcess]:
    db = tmp_path_factory.mktemp("cli-relay") / "relay.sqlite3"
    proc = RelayProcess(f"sqlite:///{db}", extra=["--rate", "100000"]).start()
    try:
        yield proc
    finally:
        proc.kill()
