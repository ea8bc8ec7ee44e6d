"""Two cities and a shutdown (issue 13), offline: two profiles in two network namespaces
that can reach each other only through the private Tor network.

    city A (netns)                 this host                      city B (netns)
    hasteh ─ 127.0.0.1:9050 ═╗                                ╔═ 127.0.0.1:9050 ─ hasteh
                             ╠═ tor's SOCKS ─ Tor network ─ onion relay (orders the cell)
    hasteh ─ 127.0.0.1:8471 ═╣                                ╠═ 127.0.0.1:8471 ─ hasteh
                             ╚═ in-country relay (plain, reached directly, opted into)

Each `═` is a forwarder through a Unix socket (a file crosses namespaces; TCP does not).
A namespace holds nothing but its own loopback: no route to the other city, nor to the host.
The cell talks through the onion relay; then the "international" links are cut (the SOCKS
forwarders stop) and it goes on through the in-country relay the members opted into; then
that is cut too and a courier bundle carries the last message.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hasteh import vault
from hasteh.tor.process import TorProcess
from hasteh.vault.keyfile import MIN_KDF
from tests.relay.harness import RelayProcess
from tests.tor.helpers import HASTEH, PASS, Lines, OnionRelay, env_for
from tests.tor.network import TorNetwork

FORWARD = str(Path(__file__).with_name("forward.py"))
SOCKS = 9050
IN_COUNTRY = 8471
LOCAL_URL = f"http://127.0.0.1:{IN_COUNTRY}"


@dataclass
class City:
    """A network namespace with its own loopback only, and the links into it."""

    name: str
    links: dict[str, subprocess.Popen[str]] = field(default_factory=dict)

    def run(self, *argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["ip", "netns", "exec", self.name, *argv],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def cut(self, link: str) -> None:
        proc = self.links.pop(link)
        proc.kill()
        proc.wait(timeout=30)


def _forward(prefix: list[str], listen: str, target: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [*prefix, sys.executable, FORWARD, listen, target],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        Lines(proc).wait_for("ready", 30)
    except BaseException:
        proc.kill()
        raise
    return proc


@pytest.fixture
def cities(user_tor: TorProcess) -> Iterator[tuple[City, City]]:
    root = Path(tempfile.mkdtemp(prefix="hasteh-cities-"))
    relay = RelayProcess(f"sqlite:///{root / 'in-country.sqlite3'}").start()
    host_links = [
        _forward([], f"unix:{root / 'tor.sock'}", f"tcp:{user_tor.socks_port}"),
        _forward([], f"unix:{root / 'local.sock'}", f"tcp:{relay.port}"),
    ]
    made: list[City] = []
    try:
        for letter in "ab":
            city = City(f"hasteh-city-{letter}-{os.getpid()}")
            subprocess.run(["ip", "netns", "add", city.name], check=True, timeout=30)
            made.append(city)
            subprocess.run(
                ["ip", "-n", city.name, "link", "set", "lo", "up"], check=True, timeout=30
            )
            inside = ["ip", "netns", "exec", city.name]
            city.links["international"] = _forward(
                inside, f"tcp:{SOCKS}", f"unix:{root / 'tor.sock'}"
            )
            city.links["in-country"] = _forward(
                inside, f"tcp:{IN_COUNTRY}", f"unix:{root / 'local.sock'}"
            )
        yield made[0], made[1]
    finally:
        for city in made:
            for name in list(city.links):
                city.cut(name)
            subprocess.run(["ip", "netns", "del", city.name], timeout=30, check=False)
        for proc in host_links:
            proc.kill()
            proc.wait(timeout=30)
        relay.kill()
        shutil.rmtree(root, ignore_errors=True)


def _hasteh(
    network: TorNetwork, city: City, home: Path, *args: str, env: dict[str, str] | None = None
) -> str:
    done = subprocess.run(
        ["ip", "netns", "exec", city.name, HASTEH, *args, "--home", str(home)],
        env={**env_for(network), **(env or {})},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    return done.stdout


def _reaches(city: City, port: int) -> bool:
    probe = (
        "import socket,sys\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=5).close()\n"
        "except OSError:\n"
        "    sys.exit(1)\n"
    )
    return city.run(sys.executable, "-c", probe).returncode == 0


def test_two_cities_talk_through_tor_then_in_country_then_by_courier(
    tor_network: TorNetwork,
    onion_relay: OnionRelay,
    user_tor: TorProcess,
    cities: tuple[City, City],
    tmp_path: Path,
) -> None:
    city_a, city_b = cities
    # A city sees nothing of this host: not its tor, not its relays; only its own links.
    with socket.create_connection(("127.0.0.1", user_tor.socks_port), timeout=5):
        pass  # (reachable from the host itself)
    assert not _reaches(city_a, user_tor.socks_port)
    assert _reaches(city_a, SOCKS) and _reaches(city_b, IN_COUNTRY)

    a, b = tmp_path / "a", tmp_path / "b"
    for home in (a, b):
        vault.create(home, PASS, kdf=MIN_KDF)
    net = tor_network
    proxy = f"socks5h://127.0.0.1:{SOCKS}"
    _hasteh(net, city_a, a, "tor", "proxy", proxy)
    _hasteh(net, city_b, b, "tor", "proxy", proxy)

    # Over Tor: the cell forms and talks through the onion relay.
    onion = onion_relay.url
    _hasteh(net, city_a, a, "cell", "create", "bakery", "--as", "sepideh", "--relay", onion)
    card_out = _hasteh(
        net, city_b, b, "card", "--as", "reza", "--relay", onion, "--out", str(tmp_path / "c.png")
    )
    card = next(line for line in card_out.splitlines() if line.startswith("HC1:"))
    _hasteh(net, city_a, a, "propose", "bakery", card)
    _hasteh(net, city_a, a, "sync")
    assert "You joined bakery" in _hasteh(net, city_b, b, "join")
    _hasteh(net, city_a, a, "say", "bakery", "the meeting is at six")
    _hasteh(net, city_a, a, "sync")
    _hasteh(net, city_b, b, "sync")
    assert "sepideh: the meeting is at six" in _hasteh(net, city_b, b, "read", "bakery")

    # Both opt into the in-country relay while the international link still works.
    for city, home in ((city_a, a), (city_b, b)):
        _hasteh(net, city, home, "reach", "local", "bakery", LOCAL_URL, "--i-understand")
        _hasteh(net, city, home, "sync")

    # The international internet is cut: Tor is out of reach from both cities.
    city_a.cut("international")
    city_b.cut("international")
    assert not _reaches(city_a, SOCKS)
    _hasteh(net, city_a, a, "say", "bakery", "the strike starts at noon")
    _hasteh(net, city_a, a, "sync")
    _hasteh(net, city_b, b, "sync")
    assert "sepideh: the strike starts at noon" in _hasteh(net, city_b, b, "read", "bakery")

    # Then the in-country relay is cut too: a courier bundle carries the reply by hand.
    city_a.cut("in-country")
    city_b.cut("in-country")
    _hasteh(net, city_b, b, "say", "bakery", "we are ready")
    _hasteh(net, city_b, b, "sync")  # nothing answers; the outbox keeps it
    code = {"HASTEH_COURIER_CODE": "courier-test-code"}
    bundle = tmp_path / "bundle.hcb"
    _hasteh(net, city_b, b, "courier", "export", str(bundle), env=code)
    _hasteh(net, city_a, a, "courier", "import", str(bundle), env=code)
    assert "reza: we are ready" in _hasteh(net, city_a, a, "read", "bakery")
