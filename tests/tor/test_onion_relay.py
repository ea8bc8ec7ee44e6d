"""Two profiles, each command a separate process, form a cell and talk through a relay that
exists only as an onion service on the private Tor network (`hasteh relay serve --onion`).

A reaches it through hasteh's own tor (`hasteh tor on`), B through "a Tor the user already
runs" (`hasteh tor proxy socks5h://…`, Tor Browser or Orbot in real life)."""

from __future__ import annotations

import re
from pathlib import Path

from hasteh import vault
from hasteh.tor.onion import valid_address
from hasteh.tor.process import TorProcess
from hasteh.vault.keyfile import MIN_KDF
from tests.tor.helpers import PASS, OnionRelay, hasteh, start_onion_relay, tcp_listeners
from tests.tor.network import TorNetwork


def test_the_relay_listens_only_on_its_onion(onion_relay: OnionRelay) -> None:
    assert re.fullmatch(r"http://[a-z2-7]{56}\.onion", onion_relay.url)
    assert valid_address(onion_relay.url.removeprefix("http://"))
    # No TCP port at all: a Unix socket only tor can reach (its tor child is another
    # process, with only its own control and SOCKS ports).
    assert tcp_listeners(onion_relay.proc.pid) == []


def test_two_profiles_talk_through_the_onion_relay_only(
    tor_network: TorNetwork, onion_relay: OnionRelay, user_tor: TorProcess, tmp_path: Path
) -> None:
    url = onion_relay.url
    a, b = tmp_path / "a", tmp_path / "b"
    for home in (a, b):
        vault.create(home, PASS, kdf=MIN_KDF)
    assert "Tor is on" in hasteh(tor_network, a, "tor", "on").stdout
    hasteh(tor_network, b, "tor", "proxy", user_tor.socks_url)

    assert (
        "bakery"
        in hasteh(
            tor_network, a, "cell", "create", "bakery", "--as", "sepideh", "--relay", url
        ).stdout
    )
    card_out = hasteh(
        tor_network, b, "card", "--as", "reza", "--relay", url, "--out", str(tmp_path / "b.png")
    ).stdout
    card = next(line for line in card_out.splitlines() if line.startswith("HC1:"))
    hasteh(tor_network, a, "propose", "bakery", card)
    hasteh(tor_network, a, "sync")
    assert "You joined bakery" in hasteh(tor_network, b, "join").stdout

    hasteh(tor_network, a, "say", "bakery", "the meeting is at six")
    hasteh(tor_network, a, "sync")
    hasteh(tor_network, b, "sync")
    assert "sepideh: the meeting is at six" in hasteh(tor_network, b, "read", "bakery").stdout

    hasteh(tor_network, b, "say", "bakery", "I will bring the leaflets")
    hasteh(tor_network, b, "sync")
    hasteh(tor_network, a, "sync")
    assert "reza: I will bring the leaflets" in hasteh(tor_network, a, "read", "bakery").stdout

    # hasteh's own tor leaves nothing behind in the profile once a command ends.
    assert not (a / "tor").exists()


def test_an_onion_relay_without_tor_waits_in_the_outbox(
    tor_network: TorNetwork, onion_relay: OnionRelay, tmp_path: Path
) -> None:
    """No Tor configured: the onion relay is unreachable (never looked up in the local
    DNS, tests/tor/test_reach.py), the message waits in the outbox, nothing crashes."""
    home = tmp_path / "c"
    vault.create(home, PASS, kdf=MIN_KDF)
    url = onion_relay.url
    hasteh(tor_network, home, "cell", "create", "bakery", "--as", "maryam", "--relay", url)
    hasteh(tor_network, home, "say", "bakery", "hello")
    done = hasteh(tor_network, home, "sync")
    assert "Relays not reachable now: 1. Your outbox keeps everything." in done.stdout
    assert "Traceback" not in done.stderr
    assert url.removeprefix("http://") not in done.stdout + done.stderr


def test_the_relay_keeps_its_address_and_leaves_no_tor_state(
    tor_network: TorNetwork, tmp_path: Path
) -> None:
    """Stopped by SIGTERM, the relay stops its tor and removes tor's folder and its socket
    folder; started again with the same key file, it has the same onion address."""
    first = start_onion_relay(tor_network, tmp_path)
    assert first.stop() == 128 + 15
    assert list((tmp_path / "tmp").iterdir()) == []
    assert (tmp_path / "onion.key").stat().st_mode & 0o777 == 0o600
    again = start_onion_relay(tor_network, tmp_path)
    try:
        assert again.url == first.url
    finally:
        stopped = again.stop()
    assert stopped == 128 + 15  # stopped by SIGTERM (cleaned up), not killed
    assert list((tmp_path / "tmp").iterdir()) == []
