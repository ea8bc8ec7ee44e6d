"""Shared helpers for the vault tests: fast KDF, raw scans, hashes, page decryption."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from hasteh.vault import keyfile as kf
from hasteh.vault import passphrase as pp
from hasteh.vault.profile import keyfile_path

#: Test-only Argon2id cost (never accepted by the default `min_kdf`).
FAST = kf.KdfParams(memory_kib=8 * 1024, iterations=1, lanes=1)
PASS = "correct horse battery staple"
DURESS = "پنجره باز است ۱۲۳"

PAGE = 4096
RESERVE = 48  # per page: IV (16) + HMAC-SHA256 (32), see hasteh.vault.db


def encodings(marker: str) -> list[bytes]:
    """The forms a leaked marker could take in a file."""
    raw = marker.encode()
    return [raw, marker.encode("utf-16-le"), raw.hex().encode(), raw.hex().upper().encode()]


def files_in(home: Path) -> list[Path]:
    return sorted(p for p in home.rglob("*") if p.is_file()) if home.exists() else []


def leaks(home: Path, markers: Iterable[str]) -> list[tuple[str, str]]:
    """(file name, marker) for every marker found, in any encoding, in any file of `home`."""
    found: list[tuple[str, str]] = []
    wanted = [(m, form) for m in markers for form in encodings(m)]
    for path in files_in(home):
        data = path.read_bytes()
        found.extend((path.name, m) for m, form in wanted if form in data)
    return found


def tree_hash(home: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files_in(home)}


def slot_of(home: Path, passphrase: str) -> kf.OpenedSlot:
    """Which slot (and database key) a passphrase opens, without any side effect."""
    keyfile = kf.KeyFile.from_bytes(keyfile_path(home).read_bytes())
    opened = kf.open_slots(kf.derive_kek(pp.canonical(passphrase), keyfile.header), keyfile)
    assert len(opened) == 1
    return opened[0]


def decrypt_pages(db: Path, key: bytes) -> bytes:
    """Decrypt every page of a vault database (SQLCipher 4, HMAC-SHA256) with the raw key.

    This shows what the key holder would find in the file itself, including freed space,
    which a logical export (`sqlcipher_export`) never copies.
    """
    data = db.read_bytes()
    out = bytearray()
    for start in range(0, len(data) - PAGE + 1, PAGE):
        page = data[start : start + PAGE]
        begin = 16 if start == 0 else 0
        iv = page[PAGE - RESERVE : PAGE - RESERVE + 16]
        dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        out += dec.update(page[begin : PAGE - RESERVE]) + dec.finalize()
    return bytes(out)


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make a folder (and its files) unwritable, even for root (chattr +i)."""
    targets = [path, *files_in(path)]
    if os.geteuid() == 0:
        for t in targets:
            subprocess.run(["chattr", "+i", str(t)], check=True)
        try:
            yield
        finally:
            for t in targets:
                subprocess.run(["chattr", "-i", str(t)], check=True)
    else:
        modes_before = {t: t.stat().st_mode for t in targets}
        for t in targets:
            t.chmod(stat.S_IMODE(modes_before[t]) & ~0o222)
        try:
            yield
        finally:
            for t in targets:
                t.chmod(stat.S_IMODE(modes_before[t]))
