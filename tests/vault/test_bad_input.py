"""Bad input gives one precise error and changes nothing on disk."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from hasteh import vault
from hasteh.cli.next_steps import next_step as cli_step
from hasteh.vault import keyfile as kf
from hasteh.vault import profile, schema
from hasteh.vault.settings import set_setting
from hasteh.web.next_steps import next_step as web_step

from .helpers import DURESS, FAST, PASS, read_only, slot_of, tree_hash


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    home = tmp_path / "p"
    vault.create(home, PASS, duress=DURESS, kdf=FAST, min_kdf=FAST)
    with vault.opened(home, PASS, min_kdf=FAST) as v:
        for i in range(200):
            v.write(lambda c: set_setting(c, f"k{i}", "x" * 300))  # noqa: B023
    return home


def unchanged_after(
    home: Path, error: type[vault.VaultError], action: Callable[[], object]
) -> vault.VaultError:
    before = tree_hash(home)
    with pytest.raises(error) as info:
        action()
    assert tree_hash(home) == before
    assert PASS not in str(info.value) and str(home) not in str(info.value)
    assert cli_step(info.value) and web_step(info.value)
    return info.value


def unlock(home: Path, passphrase: str = PASS) -> Callable[[], object]:
    return lambda: vault.unlock(home, passphrase, min_kdf=FAST)


def test_wrong_passphrase(filled: Path) -> None:
    err = unchanged_after(filled, vault.WrongPassphrase, unlock(filled, "not the passphrase"))
    assert str(err) == "Wrong passphrase."
    unchanged_after(
        filled,
        vault.WrongPassphrase,
        lambda: vault.change_passphrase(
            filled, "not the passphrase", "whatever new one", min_kdf=FAST
        ),
    )


@pytest.mark.parametrize(
    ("edit", "error"),
    [
        (lambda b: b[:100], vault.CorruptProfile),
        (lambda b: b"", vault.CorruptProfile),
        (lambda b: b"XXXX" + b[4:], vault.CorruptProfile),
        (lambda b: b[:5] + (1).to_bytes(4, "big") + b[9:], vault.CorruptProfile),
        # A damaged salt or slot cannot be told from a wrong passphrase (AEAD, on purpose).
        (lambda b: b[:20] + bytes([b[20] ^ 1]) + b[21:], vault.WrongPassphrase),
    ],
)
def test_corrupted_key_file(
    filled: Path, edit: Callable[[bytes], bytes], error: type[vault.VaultError]
) -> None:
    keyfile = profile.keyfile_path(filled)
    data = keyfile.read_bytes()
    keyfile.write_bytes(edit(data))
    unchanged_after(filled, error, unlock(filled))


def test_damaged_real_slot(filled: Path) -> None:
    keyfile = profile.keyfile_path(filled)
    data = bytearray(keyfile.read_bytes())
    at = kf.HEADER_SIZE + slot_of(filled, PASS).index * kf.SLOT_SIZE + kf.SLOT_SIZE - 1
    data[at] ^= 1
    keyfile.write_bytes(bytes(data))
    unchanged_after(filled, vault.WrongPassphrase, unlock(filled))


def test_key_file_with_weak_parameters_is_refused_outside_tests(filled: Path) -> None:
    unchanged_after(filled, vault.CorruptProfile, lambda: vault.unlock(filled, PASS))


@pytest.mark.parametrize("cut", ["half-pages", "odd-bytes", "empty"])
def test_truncated_database(filled: Path, cut: str) -> None:
    db = profile.db_path(filled, slot_of(filled, PASS).index)
    size = db.stat().st_size
    new_size = {"half-pages": (size // 4096 // 2) * 4096, "odd-bytes": size - 1000, "empty": 0}[cut]
    os.truncate(db, new_size)
    unchanged_after(filled, vault.CorruptProfile, unlock(filled))


def test_missing_database(filled: Path) -> None:
    profile.db_path(filled, slot_of(filled, PASS).index).unlink()
    unchanged_after(filled, vault.CorruptProfile, unlock(filled))


def test_newer_schema(filled: Path) -> None:
    with vault.opened(filled, PASS, min_kdf=FAST) as v:
        v._conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 5}")
    err = unchanged_after(filled, vault.NewerSchema, unlock(filled))
    assert isinstance(err, vault.NewerSchema)
    assert (err.found, err.supported) == (schema.SCHEMA_VERSION + 5, schema.SCHEMA_VERSION)
    found, supported = schema.SCHEMA_VERSION + 5, schema.SCHEMA_VERSION
    assert err.code == "newer-schema"
    assert err.params == {"found": found, "supported": supported}
    assert str(err) == (
        "This profile was written by a newer version of hasteh "
        f"(profile version {found}; this hasteh reads up to {supported})."
    )


def test_read_only_folder(filled: Path) -> None:
    with read_only(filled):
        unchanged_after(filled, vault.ProfileNotWritable, unlock(filled))
        unchanged_after(filled, vault.ProfileNotWritable, unlock(filled, DURESS))
        unchanged_after(filled, vault.ProfileNotWritable, lambda: vault.panic(filled))
    with vault.opened(filled, PASS, min_kdf=FAST):
        pass


def test_init_refuses_existing_and_read_only(filled: Path, tmp_path: Path) -> None:
    unchanged_after(
        filled, vault.ProfileExists, lambda: vault.create(filled, PASS, kdf=FAST, min_kdf=FAST)
    )
    ro = tmp_path / "ro"
    ro.mkdir()
    with read_only(ro):
        unchanged_after(
            ro, vault.ProfileNotWritable, lambda: vault.create(ro, PASS, kdf=FAST, min_kdf=FAST)
        )


def test_no_profile(tmp_path: Path) -> None:
    with pytest.raises(vault.NoProfile):
        vault.unlock(tmp_path / "nothing", PASS)
    assert not (tmp_path / "nothing").exists()


def test_weak_inputs_at_create(tmp_path: Path) -> None:
    with pytest.raises(vault.WeakPassphrase):
        vault.create(tmp_path / "a", "short", kdf=FAST, min_kdf=FAST)
    with pytest.raises(vault.SamePassphrases):
        vault.create(tmp_path / "a", PASS, duress=PASS, kdf=FAST, min_kdf=FAST)
    with pytest.raises(ValueError):
        vault.create(tmp_path / "a", PASS, kdf=FAST)  # below the enforced minimum
    assert not (tmp_path / "a").exists() or not any((tmp_path / "a").iterdir())
