"""`hasteh up --onion`: one member's computer carries the cell. The embedded relay is
published as an onion service by hasteh's own tor; two other profiles (each command a
separate process) form a cell through it and talk. Its address is stable across runs."""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hasteh import vault
from hasteh.tor.process import TorProcess
from hasteh.vault.keyfile import MIN_KDF
from tests.tor.helpers import HASTEH, PASS, Lines, env_for, hasteh
from tests.tor.network import TorNetwork

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Up:
    """`hasteh up --onion` for the profile in `home`, unlocked as a browser would."""

    def __init__(self, network: TorNetwork, home: Path) -> None:
        self.home = home
        self.proc = subprocess.Popen(
            [HASTEH, "up", "--onion", "--no-browser", "--relay-port", "0", "--home", str(home)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env_for(network),
            text=True,
        )
        self.lines = Lines(self.proc)

    def unlock(self) -> str:
        """Open the launch link, unlock; return the onion address the relay got."""
        link = self.lines.wait_for("/launch?token=", 60)
        origin = link.split("/launch", 1)[0]
        with httpx.Client(base_url=origin, follow_redirects=True, timeout=240) as web:
            web.get(link)
            page = web.get("/unlock").text
            csrf = _CSRF.search(page)
            assert csrf is not None
            web.post("/unlock", data={"csrf": csrf.group(1), "passphrase": PASS})
        return self.lines.wait_for(".onion", 240)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        return self.proc.returncode


@pytest.fixture
def carrier(tor_network: TorNetwork, tmp_path: Path) -> Iterator[Up]:
    home = tmp_path / "carrier"
    vault.create(home, PASS, kdf=MIN_KDF)
    up = Up(tor_network, home)
    try:
        yield up
    finally:
        up.stop()


def test_a_cell_talks_through_an_up_onion_relay(
    tor_network: TorNetwork, carrier: Up, user_tor: TorProcess, tmp_path: Path
) -> None:
    url = carrier.unlock()
    assert re.fullmatch(r"http://[a-z2-7]{56}\.onion", url)
    assert (carrier.home / "tor").is_dir()

    b, c = tmp_path / "b", tmp_path / "c"
    for home in (b, c):
        vault.create(home, PASS, kdf=MIN_KDF)
    # hasteh's own tor in a CLI process is covered by test_onion_relay; here both reach the
    # carrier through a Tor they already run (fewer tor starts keep the suite quick).
    for home in (b, c):
        hasteh(tor_network, home, "tor", "proxy", user_tor.socks_url)
    hasteh(tor_network, b, "cell", "create", "garage", "--as", "kaveh", "--relay", url)
    card_out = hasteh(
        tor_network, c, "card", "--as", "nasrin", "--relay", url, "--out", str(tmp_path / "c.png")
    ).stdout
    card = next(line for line in card_out.splitlines() if line.startswith("HC1:"))
    hasteh(tor_network, b, "propose", "garage", card)
    hasteh(tor_network, b, "sync")
    assert "You joined garage" in hasteh(tor_network, c, "join").stdout
    hasteh(tor_network, c, "say", "garage", "the strike fund has grown")
    hasteh(tor_network, c, "sync")
    hasteh(tor_network, b, "sync")
    assert "nasrin: the strike fund has grown" in hasteh(tor_network, b, "read", "garage").stdout

    # Stopping `up` stops its tor and shreds its folder.
    carrier.stop()
    assert not (carrier.home / "tor").exists()

    # The address is derived from a secret in the vault: the same on the next run.
    again = Up(tor_network, carrier.home)
    try:
        assert again.unlock() == url
    finally:
        again.stop()
