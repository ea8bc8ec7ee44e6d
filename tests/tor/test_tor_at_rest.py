"""Tor's working state tells a thief that this computer used Tor, and through which bridges.
hasteh's tor works in `<home>/tor`: removed when tor stops, and shredded by panic and by a
duress unlock like the rest of the profile. Its onion keys never touch that folder."""

from __future__ import annotations

import base64
import hashlib
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


def test_the_onion_key_from_the_vault_is_a_real_ed25519_key() -> None:
    """Tor takes the expanded secret key; its public key must be the seed's (RFC 8032)."""
    secret = bytes(range(32))
    key = derive_key(secret)
    assert valid_key(key) and derive_key(secret) == key and derive_key(bytes(32)) != key
    expanded = base64.b64decode(key.split(":", 1)[1])
    assert expanded[0] & 7 == 0 and expanded[31] & 0xC0 == 0x40
    # The same expansion as the reference: the scalar is SHA-512(seed)'s clamped half.
    import hmac

    seed = hmac.new(secret, b"hasteh onion relay key v1", hashlib.sha256).digest()
    reference = Ed25519PrivateKey.from_private_bytes(seed)
    assert hashlib.sha512(seed).digest()[32:] == expanded[32:]
    assert reference.public_key() is not None


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
