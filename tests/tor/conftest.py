"""The private Tor network for the session, and a client tor on it ("a Tor the user already
runs": Tor Browser or Orbot in real life)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hasteh.tor.process import DEFAULTS_ENV, TorProcess
from tests.tor.helpers import OnionRelay, start_onion_relay
from tests.tor.network import TorNetwork, start_network


@pytest.fixture(scope="session")
def tor_network() -> Iterator[TorNetwork]:
    # A short path: tor limits the length of Unix socket paths, and pytest's are long.
    root = Path(tempfile.mkdtemp(prefix="hasteh-tornet-"))
    network = start_network(root)
    try:
        yield network
    finally:
        network.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def user_tor(tor_network: TorNetwork) -> Iterator[TorProcess]:
    base = Path(tempfile.mkdtemp(prefix="hasteh-usertor-"))
    tor = TorProcess.start(base / "tor", defaults=tor_network.defaults_file, timeout=120)
    try:
        yield tor
    finally:
        tor.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def on_network(tor_network: TorNetwork, monkeypatch: pytest.MonkeyPatch) -> TorNetwork:
    """hasteh's own tor (in this process and its children) joins the private network."""
    monkeypatch.setenv(DEFAULTS_ENV, str(tor_network.defaults_file))
    return tor_network


@pytest.fixture(scope="session")
def onion_relay(tor_network: TorNetwork) -> Iterator[OnionRelay]:
    """`hasteh relay serve --onion` in its own process, reachable only by its onion."""
    folder = Path(tempfile.mkdtemp(prefix="hasteh-onionrelay-"))
    relay = start_onion_relay(tor_network, folder)
    try:
        yield relay
    finally:
        relay.stop()
        shutil.rmtree(folder, ignore_errors=True)
