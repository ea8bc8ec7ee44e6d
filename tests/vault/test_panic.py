"""Panic: the key file is overwritten and removed, then everything else; nothing opens."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hasteh import vault
from hasteh.vault import events, profile

from .helpers import DURESS, FAST, PASS, files_in, leaks
from .test_at_rest import MARKERS, write_markers


def test_panic_removes_everything_and_nothing_opens(tmp_path: Path) -> None:
    home = tmp_path / "p"
    vault.create(home, PASS, duress=DURESS, kdf=FAST, min_kdf=FAST)
    with vault.opened(home, PASS, min_kdf=FAST) as v:
        write_markers(v)
    before = files_in(home)
    assert len(before) == 3
    report = vault.panic(home)
    assert report.removed == 3
    assert files_in(home) == [] and not home.exists()
    assert leaks(tmp_path, MARKERS) == []
    for passphrase in (PASS, DURESS):
        with pytest.raises(vault.NoProfile) as info:
            vault.unlock(home, passphrase, min_kdf=FAST)
        assert str(info.value) == "There is no profile here."
    # Idempotent: a second panic finds nothing and is not an error.
    assert vault.panic(home).removed == 0


def test_panic_while_open_with_side_files(tmp_path: Path) -> None:
    home = tmp_path / "p"
    vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
    v = vault.unlock(home, PASS, min_kdf=FAST)
    write_markers(v)
    assert len(files_in(home)) == 5  # key, two databases, -wal, -shm
    vault.panic(home)
    assert not home.exists()
    v.close()  # the open connection's checkpoint goes to unlinked files
    assert not home.exists()
    with pytest.raises(vault.NoProfile):
        vault.unlock(home, PASS, min_kdf=FAST)


def test_panic_overwrites_the_key_file_before_unlinking(tmp_path: Path) -> None:
    home = tmp_path / "p"
    vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
    keyfile = profile.keyfile_path(home)
    original = keyfile.read_bytes()
    # Keep a second hard link, so the inode's content after panic can be inspected.
    witness = tmp_path / "witness"
    os.link(keyfile, witness)
    vault.panic(home)
    after = witness.read_bytes()
    assert len(after) == len(original) and after != original
    assert sum(a == b for a, b in zip(after, original, strict=True)) < 16


def test_panic_keeps_foreign_files_and_the_folder(tmp_path: Path) -> None:
    home = tmp_path / "p"
    vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
    (home / "notes.txt").write_text("not ours")
    vault.panic(home)
    assert [p.name for p in files_in(home)] == ["notes.txt"]


def test_panic_on_a_large_profile_leaves_nothing(tmp_path: Path) -> None:
    """A 32 MiB profile goes whole. How fast is measured in `bench/bench_vault.py`
    (docs/benchmarks.md: a 1 GiB profile in 0.3-0.6 s), not asserted here."""
    home = tmp_path / "p"
    vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
    with vault.opened(home, PASS, min_kdf=FAST) as v:
        body = os.urandom(4000)
        for chunk in range(8):
            batch = [
                events.Event(b"g", chunk * 1000 + i, os.urandom(16), "chat", body, 1.0)
                for i in range(1000)
            ]
            v.write(lambda c: events.append_many(c, batch))  # noqa: B023
    assert sum(p.stat().st_size for p in files_in(home)) > 32 * 2**20
    report = vault.panic(home)
    assert report.seconds > 0
    assert not home.exists()


def test_panic_removes_the_embedded_relay_folder(tmp_path: Path) -> None:
    """`hasteh up` keeps a loopback relay under the home; panic from any face removes it."""
    home = tmp_path / "p"
    vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
    relay = home / "relay"
    relay.mkdir()
    (relay / "relay.db").write_bytes(b"ciphertext and mailbox hashes")
    vault.panic(home)
    assert not relay.exists()
    assert not home.exists()
