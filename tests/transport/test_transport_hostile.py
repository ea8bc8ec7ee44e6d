"""A hostile relay that answers invalid UTF-8 (a fuzz finding: the client raised a bare
UnicodeDecodeError, which ended a whole sync). Now it is a TransportError for that relay
only, and the other relays are still synced. The hostile relay is a real HTTP server on
127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hasteh import vault
from hasteh.cli.main import app
from hasteh.envelope import Kind, seal
from hasteh.transport import outbox as ob
from hasteh.transport.errors import RelayMisbehaved, RelayRefused, TransportError
from hasteh.transport.relay_client import RelayClient, _Page, decode_answer
from hasteh.vault.keyfile import MIN_KDF
from tests.relay.harness import Group, RelayProcess

from .conftest import PASS, loopback_server

#: What the hostile relay answers, by path: (status, body).
ANSWERS: dict[str, tuple[int, bytes]] = {
    "/v1/fetch": (200, b'{"\xff":1}'),
    "/v1/envelopes": (403, b'{"error": "\xc3\x28"}'),
}


class _Hostile(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        status, body = ANSWERS.get(self.path, (404, b"{}"))
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def hostile() -> Iterator[str]:
    with loopback_server(_Hostile) as url:
        yield url


@pytest.mark.parametrize(
    "data",
    [b'{"\xff":1}', b'{"envelopes": ["\xc3\x28"]}', b"{", b"[]", b'{"envelopes": 1}'],
)
def test_every_decode_failure_is_the_relays_fault(data: bytes) -> None:
    with pytest.raises(RelayMisbehaved) as err:
        decode_answer(data, _Page, "fetch answer")
    assert isinstance(err.value, TransportError) and err.value.what == "fetch answer"


def test_client_turns_invalid_utf8_into_transport_errors(hostile: str) -> None:
    g = Group()
    with RelayClient(hostile, timeout=5) as client:
        with pytest.raises(RelayMisbehaved):
            client.fetch(g.mailbox, auth=g.auth())
        with pytest.raises(RelayRefused) as err:
            client.post(
                seal(kind=Kind.MESSAGE, mailbox=g.mailbox, payload=b"x", rng=os.urandom).to_bytes(),
                g.auth(),
            )
        assert err.value.status == 403 and err.value.error == "unknown"
    ANSWERS["/v1/envelopes"] = (200, b'{"id": "\xff", "cursor": "1"}')
    try:
        with RelayClient(hostile, timeout=5) as client, pytest.raises(RelayMisbehaved):
            client.post(b"anything", g.auth())
    finally:
        ANSWERS["/v1/envelopes"] = (403, b'{"error": "\xc3\x28"}')


def test_delivery_to_other_relays_goes_on(
    make_profile: Callable[[str], vault.Vault], hostile: str, relay: RelayProcess
) -> None:
    profile = make_profile("p")
    g = Group()
    e = seal(kind=Kind.MESSAGE, mailbox=g.mailbox, payload=b"x", rng=os.urandom)
    profile.write(lambda c: ob.stage(c, e, [hostile, relay.url], now=0.0, auth=lambda r: g.auth()))
    report = ob.deliver_due(
        profile, lambda url: RelayClient(url, timeout=5), now=0.0, rng=lambda: 0.0
    )
    assert (report.sent, report.failed) == (1, 1)


def test_sync_of_another_relay_goes_on(tmp_path: Path, hostile: str, relay: RelayProcess) -> None:
    """`hasteh sync` reads one mailbox on both relays: the hostile one counts as not
    reachable, the honest one is read."""
    g = Group()
    e = seal(kind=Kind.MESSAGE, mailbox=g.mailbox, payload=b"x", rng=os.urandom)
    with RelayClient(relay.url) as c:
        c.post(e.to_bytes(), g.auth())
    home = tmp_path / "reader"
    vault.create(home, PASS, kdf=MIN_KDF)
    env = {"HASTEH_LANG": "en", "HASTEH_PASSPHRASE": PASS}
    args = ["mailbox", "add", g.mailbox.hex(), "--relay", hostile, "--relay", relay.url]
    key = g.auth().key.hex()
    result = CliRunner().invoke(app, [*args, "--key", key, "--home", str(home)], env=env)
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["sync", "--home", str(home)], env=env)
    assert result.exit_code == 0, result.output
    assert "waiting in your mailboxes: 1" in result.output
    assert "Relays not reachable now: 1" in result.output
