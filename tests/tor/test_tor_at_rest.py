"""Tor's working state tells a thief that this computer used Tor, and through which bridges.
hasteh's tor works in `<home>/tor`: removed when tor stops, and shredded by panic and by a
duress unlock like the rest of the profile. Its onion keys never touch that folder."""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hasteh import vault
from hasteh.tor.onion import derive_key, valid_key
from hasteh.tor.process import TorProcess
from hasteh.tor.runtime import SharedTor
from hasteh.transport import tor_settings
from hasteh.transport.reach import Reach
from hasteh.vault.keyfile import KdfParams
from tests.tor.network import TorNetwork

FAST = KdfParams(memory_kib=8 * 1024, iterations=1, lanes=1)
PASS = "correct horse battery staple"
DURESS = "a different decoy phrase"


def _leftover(home: Path) -> Path:
    """What a crashed tor leaves: its state file with a bridge in it."""
    folder = home / "tor"
    folder.mkdir(mode=0o700)
    (folder / "state").write_text("Guard in=bridges rsa_id=AAAA bridge_addr=192.0.2.7:443\n")
    return folder


def test_panic_shreds_tors_folder(tmp_path: Path) -> None:
    home = tmp_path / "p"
    vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
    folder = _leftover(home)
    vault.panic(home)
    assert not folder.exists()


def test_a_duress_unlock_shreds_tors_folder(tmp_path: Path) -> None:
    home = tmp_path / "p"
    vault.create(home, PASS, duress=DURESS, kdf=FAST, min_kdf=FAST)
    folder = _leftover(home)
    vault.unlock(home, DURESS, min_kdf=FAST).close()
    assert not folder.exists()


def onion_address(public: bytes) -> str:
    """A v3 onion address (rend-spec-v3 §6): base32(PUBKEY | CHECKSUM | VERSION)."""
    checksum = hashlib.sha3_256(b".onion checksum" + public + b"\x03").digest()[:2]
    return base64.b32encode(public + checksum + b"\x03").decode().lower() + ".onion"


def test_the_onion_key_from_the_vault_is_the_seeds_ed25519_key(
    tor_network: TorNetwork, tmp_path: Path
) -> None:
    """Tor takes the expanded secret key (RFC 8032 §5.1.5); the address tor derives from it
    must be the one of the seed's public key, and the same secret gives the same key."""
    secret = bytes(range(32))
    key = derive_key(secret)
    assert valid_key(key) and derive_key(secret) == key and derive_key(bytes(32)) != key
    seed = hmac.new(secret, b"hasteh onion relay key v1", hashlib.sha256).digest()
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    tor = SharedTor(tmp_path / "tor", defaults=tor_network.defaults_file)
    try:
        service = tor.add_onion(9, key)
        assert service.address == onion_address(public)
        assert key not in repr(service)
        # Nothing of the key in tor's folder: ADD_ONION keeps it in memory only.
        for path in (tmp_path / "tor").rglob("*"):
            if path.is_file():
                assert key.split(":", 1)[1].encode() not in path.read_bytes()
    finally:
        tor.stop()


def test_own_tor_runs_in_the_profile_and_leaves_nothing(
    tor_network: TorNetwork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "p"
    vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
    with vault.opened(home, PASS, min_kdf=FAST) as v:
        tor = SharedTor(home / "tor", defaults=tor_network.defaults_file)
        reach = Reach(v, tor)
        assert reach.mode() == "direct" and reach.proxy() is None
        v.write(lambda c: tor_settings.set_own_tor(c, True))
        assert reach.mode() == "own_tor"
        proxy = reach.proxy()
        assert proxy is not None and proxy.startswith("socks5h://127.0.0.1:")
        running = tor.running
        assert isinstance(running, TorProcess)
        assert (home / "tor").stat().st_mode & 0o777 == 0o700
        assert tor.status.state == "ready"
        tor.stop()
        assert running.proc.poll() is not None
        assert not (home / "tor").exists()
        assert tor.status.state == "off"
