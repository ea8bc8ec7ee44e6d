"""Reaching relays: an onion relay is never looked up in the local DNS, and the `hasteh tor`
commands refuse bad input with a precise message and change nothing."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hasteh import vault
from hasteh.cli.main import app
from hasteh.envelope import WriteAuth
from hasteh.transport import registry, tor_settings
from hasteh.transport.errors import RelayUnreachable
from hasteh.transport.relay_client import RelayClient
from hasteh.vault.keyfile import MIN_KDF

PASS = "correct horse battery staple"
ONION = "http://" + "a" * 56 + ".onion"
FP = "A" * 40


@pytest.mark.parametrize("proxy", [None, "socks5://127.0.0.1:9", "http://127.0.0.1:9"])
def test_an_onion_relay_is_never_resolved_locally(
    proxy: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[object] = []
    real = socket.getaddrinfo

    def spy(host: object, *args: object, **kwargs: object) -> object:
        asked.append(host)
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", spy)
    with RelayClient(ONION + "/", proxy=proxy) as client:
        with pytest.raises(RelayUnreachable):
            client.fetch(bytes(32))
        with pytest.raises(RelayUnreachable):
            client.post(b"x" * 80, WriteAuth(bytes(32)))
    assert not [h for h in asked if "onion" in str(h)]


def _run(home: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        [*args, "--home", str(home)],
        env={"HASTEH_LANG": "en", "HASTEH_PASSPHRASE": PASS},
        input=stdin,
    )
    return result.exit_code, result.output


def _stored(home: Path) -> tuple[bool, str, str | None]:
    with vault.opened(home, PASS) as v:
        return v.read(
            lambda c: (tor_settings.own_tor(c), tor_settings.bridges_text(c), registry.proxy(c))
        )


def test_tor_commands(tmp_path: Path) -> None:
    home = tmp_path / "p"
    vault.create(home, PASS, kdf=MIN_KDF)
    bridges = tmp_path / "bridges.txt"
    bridges.write_text(f"obfs4 192.0.2.7:443 {FP} cert=abc iat-mode=0\n")
    code, out = _run(home, "tor", "on", "--bridges", str(bridges))
    assert code == 0 and "Tor is on" in out
    assert _stored(home) == (True, f"obfs4 192.0.2.7:443 {FP} cert=abc iat-mode=0", None)

    code, out = _run(home, "tor", "bridges", "-", stdin="192.0.2.9:9001\n\n# old one gone\n")
    assert code == 0 and "Bridges saved: 1." in out
    code, out = _run(home, "tor", "proxy", "socks5h://127.0.0.1:9150")
    assert code == 0
    code, out = _run(home, "tor", "off")
    assert code == 0
    assert _stored(home) == (False, "192.0.2.9:9001", "socks5h://127.0.0.1:9150")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("tor", "bridges", "-"), "obfs4 192.0.2.7:443\n", "Bridge line 1: An obfs4 bridge"),
        (("tor", "bridges", "-"), "ControlPort 9051\n", "This bridge type is not supported"),
        (("tor", "bridges", "/nonexistent/file"), None, "The bridge file cannot be read."),
        (("tor", "bridges"), None, "Give a file of bridge lines"),
        (("tor", "proxy", "socks5://127.0.0.1:9050"), None, "must look like socks5h://"),
        (("tor", "proxy", "socks5h://127.0.0.1"), None, "must look like socks5h://"),
        (("tor", "proxy", "socks5h://evil host:9050"), None, "must look like socks5h://"),
    ],
)
def test_tor_commands_refuse_bad_input_and_change_nothing(
    tmp_path: Path, args: tuple[str, ...], stdin: str | None, message: str
) -> None:
    home = tmp_path / "p"
    vault.create(home, PASS, kdf=MIN_KDF)
    code, out = _run(home, "tor", "bridges", "-", stdin="192.0.2.9:9001\n")
    assert code == 0
    before = _stored(home)
    code, out = _run(home, *args, stdin=stdin)
    assert code == 1 and message in out and "Traceback" not in out
    if stdin is not None:
        assert stdin.split()[1] not in out  # the pasted line is never echoed
    assert _stored(home) == before


class _SocksRecorder:
    """A SOCKS5 server on 127.0.0.1 that records what each CONNECT asks for (a name or an
    address), then closes: enough to see who resolved the relay's name."""

    def __init__(self) -> None:
        import threading

        self.requests: list[tuple[int, bytes]] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            with conn:
                try:
                    head = conn.recv(2)
                    conn.recv(head[1])
                    conn.sendall(b"\x05\x00")  # no authentication
                    request = conn.recv(4)
                    kind = request[3]
                    if kind == 3:
                        length = conn.recv(1)[0]
                        target = conn.recv(length)
                    else:
                        target = conn.recv(4 if kind == 1 else 16)
                    self.requests.append((kind, target))
                    conn.sendall(b"\x05\x01\x00\x01" + bytes(6))  # general failure
                except (OSError, IndexError):
                    pass

    def close(self) -> None:
        self.sock.close()


@pytest.mark.parametrize("scheme", ["socks5h", "socks5"])
def test_relay_names_are_resolved_by_the_proxy(
    scheme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even a proxy typed as socks5:// gets the relay's name, never a local lookup."""
    asked: list[object] = []
    real = socket.getaddrinfo
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda host, *a, **k: (asked.append(host), real(host, *a, **k))[1]
    )
    proxy = _SocksRecorder()
    try:
        for url in (ONION, "http://relay.example.org"):
            with RelayClient(url, proxy=f"{scheme}://127.0.0.1:{proxy.port}") as client:
                with pytest.raises(RelayUnreachable):
                    client.fetch(bytes(32))
    finally:
        proxy.close()
    assert proxy.requests == [(3, ONION[7:].encode()), (3, b"relay.example.org")]
    assert not [h for h in asked if "onion" in str(h) or "example.org" in str(h)]
