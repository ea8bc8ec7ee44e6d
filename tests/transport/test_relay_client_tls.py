"""A plain-HTTP relay client carries a TLS context that trusts no authority (no CA store
loaded for a client that never speaks TLS), and an https relay keeps full verification."""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID

from hasteh.transport.relay_client import RelayClient
from tests.relay.harness import RelayProcess


def test_a_plain_http_relay_client_trusts_no_authority(relay: RelayProcess) -> None:
    with RelayClient(relay.url) as client:
        assert client.tls is not None
        assert client.tls.verify_mode == ssl.CERT_REQUIRED
        assert client.tls.check_hostname
        assert client.tls.cert_store_stats()["x509_ca"] == 0
        page = client.fetch(b"\x01" * 32)  # and it still talks to the relay
        assert page.envelopes == []


@pytest.mark.parametrize(
    ("url", "proxy"),
    [
        ("https://relay.example", None),
        ("https://relay.example", "socks5h://127.0.0.1:9050"),
        ("http://relay.example", "http://127.0.0.1:3128"),
    ],
)
def test_tls_or_an_http_proxy_keeps_the_default_verification(url: str, proxy: str | None) -> None:
    with RelayClient(url, proxy=proxy) as client:
        assert client.tls is None


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[int]:
    """A TLS server on 127.0.0.1 with a self-signed certificate for 127.0.0.1."""
    key = Ed25519PrivateKey.generate()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, None)
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve() -> None:
        conn, _ = listener.accept()
        try:
            with server.wrap_socket(conn, server_side=True):
                pass
        except (ssl.SSLError, OSError):
            pass  # the client refused the certificate, as it must

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
        thread.join(timeout=10)


def test_the_plain_http_context_fails_closed_on_any_certificate(tls_server: int) -> None:
    # The attack: something makes the plain-HTTP client speak TLS to a server of the
    # attacker's choosing. With no authority trusted, no certificate is accepted.
    client = RelayClient("http://127.0.0.1:1")
    try:
        assert client.tls is not None
        with (
            socket.create_connection(("127.0.0.1", tls_server)) as raw,
            pytest.raises(ssl.SSLCertVerificationError),
        ):
            client.tls.wrap_socket(raw, server_hostname="127.0.0.1")
    finally:
        client.close()
