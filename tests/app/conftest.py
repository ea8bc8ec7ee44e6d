"""Fixtures for app tests: workspaces (fast test-only Argon2id) and one real relay."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hasteh import vault
from hasteh.app import Workspace, open_workspace
from hasteh.vault.keyfile import KdfParams
from tests.relay.harness import RelayProcess

FAST = KdfParams(memory_kib=8 * 1024, iterations=1, lanes=1)
PASS = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HASTEH_LANG", "en")


@pytest.fixture(scope="session")
def relay_clock_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session relay's clock: each test's `Clock` writes its time here, so the relay
    stamps envelopes with the test's time (members' log time rests on those stamps)."""
    return tmp_path_factory.mktemp("relay-clock") / "now"


@pytest.fixture(scope="session")
def relay(
    tmp_path_factory: pytest.TempPathFactory, relay_clock_file: Path
) -> Iterator[RelayProcess]:
    db = tmp_path_factory.mktemp("relay") / "relay.sqlite3"
    proc = RelayProcess(
        f"sqlite:///{db}", extra=["--rate", "100000"], clock_file=relay_clock_file
    ).start()
    try:
        yield proc
    finally:
        proc.kill()


class Clock:
    """A settable clock shared by every workspace of a test, and by the relay when it is
    given the relay's clock file."""

    def __init__(self, start: float = 1_780_000_000.0, file: Path | None = None) -> None:
        self.file = file
        self.t = start
        self._publish()

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds
        self._publish()

    def _publish(self) -> None:
        if self.file is not None:
            partial = self.file.with_suffix(".new")
            partial.write_text(repr(self.t))
            partial.replace(self.file)


@pytest.fixture
def clock(relay_clock_file: Path) -> Clock:
    import time

    return Clock(time.time(), relay_clock_file)


@pytest.fixture
def make_ws(tmp_path: Path, clock: Clock) -> Iterator[Callable[[str], Workspace]]:
    opened: list[Workspace] = []

    def make(name: str) -> Workspace:
        home = tmp_path / name
        vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
        ws = open_workspace(home, PASS, min_kdf=FAST, clock=clock)
        opened.append(ws)
        return ws

    yield make
    for ws in opened:
        if not ws.vault.closed:
            ws.close()
