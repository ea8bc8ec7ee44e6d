"""A profile folder: create, unlock, change passphrase, set duress, panic, status.

Files in the folder (names are the same for every profile):

    hasteh.key       the key file (`keyfile.py`): KDF parameters, salt, two slots
    data-0.db        SQLCipher database wrapped by slot 0
    data-1.db        SQLCipher database wrapped by slot 1
    data-N.db-wal/-shm  WAL side files while a database is open

Both databases and both slots always exist. Without a duress passphrase, the second
database is a fresh profile whose key was thrown away and its slot is random bytes; with
one, it is the decoy and its slot wraps the decoy key under the duress passphrase. Which
index is the real profile is chosen at random at init.

Every unlock does the same work whichever slot opens: one Argon2id derivation, an AEAD
try on both slots, then `_settle`: one 122-byte write over both slots + fsync, one
`ftruncate`, one rewrite of its first bytes (up to 1 MiB) and an fsync of the other
database, removal of its side files, an fsync of the folder. For the primary slot these
writes put back the bytes already there; for the duress slot they replace the other slot
with random bytes, cut the other database down to the decoy's size and overwrite what is
left of it with random bytes, which shreds the real profile.

What remains different (the two databases differ in size, so opening them differs by a
fraction of a millisecond) is hidden by rounding the duration of every unlock up to a
multiple of `UNLOCK_QUANTUM`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hasteh.vault import keyfile as kf
from hasteh.vault import passphrase as pp
from hasteh.vault.db import Vault, create_database, fsync_dir, open_database, side_files
from hasteh.vault.errors import (
    CorruptProfile,
    NoProfile,
    ProfileExists,
    ProfileNotWritable,
    SamePassphrases,
    WrongPassphrase,
)

KEYFILE_NAME = "hasteh.key"
_KEYFILE_TMP = "hasteh.key.tmp"
DB_NAMES = ("data-0.db", "data-1.db")
#: Folders other parts of hasteh keep inside a profile's home (the embedded loopback relay
#: of `hasteh up`, an SQLCipher database keyed from the vault; `tor`, the working state of
#: hasteh's own tor while it runs, `hasteh.tor.process`). The relay's hold only ciphertext,
#: tor's tells that Tor (and which bridges) were used; their size and mere presence tell a
#: used profile from a fresh decoy, so panic and a duress unlock shred them too (overwrite,
#: then unlink) — after the keys are gone.
PROFILE_SUBDIRS = ("relay", "tor")
_SETTLE_OFFSET = kf.HEADER_SIZE
#: Every unlock lasts a whole multiple of this many seconds (see the module docstring).
UNLOCK_QUANTUM = 0.05
#: Random bytes written at a time when shredding a file.
_SHRED_CHUNK = 1 << 20
# How much of the other database `_settle` rewrites (a fresh database is 68 KiB).
_REWRITE_LIMIT = 1 << 20


def keyfile_path(home: Path) -> Path:
    return home / KEYFILE_NAME


def db_path(home: Path, index: int) -> Path:
    return home / DB_NAMES[index]


def profile_files(home: Path) -> list[Path]:
    """Every file a profile may leave in its folder (existing or not)."""
    paths = [home / KEYFILE_NAME, home / _KEYFILE_TMP]
    for index in range(kf.SLOT_COUNT):
        paths.append(db_path(home, index))
        paths.extend(side_files(db_path(home, index)))
    return paths


# ---------------------------------------------------------------------------- helpers


def _check_kdf(kdf: kf.KdfParams, min_kdf: kf.KdfParams) -> None:
    if not kdf.is_at_least(min_kdf):
        raise ValueError("KDF parameters below the enforced minimum")


def _check_writable(home: Path) -> None:
    targets = [home, *(p for p in profile_files(home) if p.exists())]
    if not all(os.access(p, os.W_OK) for p in targets):
        raise ProfileNotWritable()


def _read_keyfile(home: Path) -> kf.KeyFile:
    path = keyfile_path(home)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NoProfile() from None
    except PermissionError:
        raise ProfileNotWritable() from None
    except IsADirectoryError:
        raise CorruptProfile("key file") from None
    return kf.KeyFile.from_bytes(data)


def _write_new_keyfile(home: Path, keyfile: kf.KeyFile) -> None:
    tmp = home / _KEYFILE_TMP
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, keyfile.to_bytes())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(tmp, keyfile_path(home))
    fsync_dir(home)


def _overwrite_keyfile(home: Path, keyfile: kf.KeyFile) -> None:
    """Rewrite the key file in place (one write of 152 bytes, inside one disk sector)."""
    fd = os.open(keyfile_path(home), os.O_WRONLY)
    try:
        os.pwrite(fd, keyfile.to_bytes(), 0)
        os.fsync(fd)
    finally:
        os.close(fd)


def _create_private_database(path: Path, key: bytes) -> None:
    """A database readable by its owner only (SQLite gives -wal/-shm the same mode)."""
    path.touch(mode=0o600, exist_ok=False)
    os.chmod(path, 0o600)
    # An empty file is a valid empty database to SQLite; `create_database` fills it.
    create_database(path, key)


def _remove(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


@contextmanager
def _quantized() -> Iterator[None]:
    """Round the duration of the enclosed block up to a multiple of `UNLOCK_QUANTUM`."""
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        time.sleep(UNLOCK_QUANTUM - (elapsed % UNLOCK_QUANTUM))


@dataclass(frozen=True, slots=True)
class _Unlocked:
    keyfile: kf.KeyFile
    kek: bytes
    slot: kf.OpenedSlot


def _open_slot(home: Path, passphrase: str, min_kdf: kf.KdfParams) -> _Unlocked:
    if not keyfile_path(home).exists():
        raise NoProfile()
    _check_writable(home)
    keyfile = _read_keyfile(home)
    if not keyfile.header.kdf.is_at_least(min_kdf):
        raise CorruptProfile("key file parameters")
    kek = kf.derive_kek(pp.canonical(passphrase), keyfile.header)
    opened = kf.open_slots(kek, keyfile)
    if not opened:
        raise WrongPassphrase()
    # Should a passphrase open both slots (a passphrase changed to equal the duress one),
    # the primary slot wins and nothing is shredded.
    opened.sort(key=lambda s: s.role != kf.SlotRole.PRIMARY)
    unlocked = _Unlocked(keyfile, kek, opened[0])
    return _settle(home, unlocked)


def _settle(home: Path, unlocked: _Unlocked) -> _Unlocked:
    """The same I/O after every successful unlock; it shreds only for the duress slot."""
    own, other = unlocked.slot.index, 1 - unlocked.slot.index
    duress = unlocked.slot.role == kf.SlotRole.DURESS
    keyfile = unlocked.keyfile
    if duress:
        keyfile = keyfile.with_slot(other, kf.random_slot())
    other_db, own_db = db_path(home, other), db_path(home, own)
    try:
        fd = os.open(keyfile_path(home), os.O_WRONLY)
        try:
            os.pwrite(fd, keyfile.slots[0] + keyfile.slots[1], _SETTLE_OFFSET)
            os.fsync(fd)
        finally:
            os.close(fd)
        if other_db.exists():
            fd = os.open(other_db, os.O_RDWR)
            try:
                size = os.fstat(fd).st_size
                own_size = own_db.stat().st_size if own_db.exists() else 0
                target = min(size, own_size) if duress else size
                os.ftruncate(fd, target)
                head = min(target, _REWRITE_LIMIT)
                os.pwrite(fd, os.urandom(head) if duress else os.pread(fd, head, 0), 0)
                os.fsync(fd)
            finally:
                os.close(fd)
        for side in side_files(other_db):
            _remove(side)
        if duress:
            # Best effort: a file we cannot shred must not keep the decoy from opening.
            with contextlib.suppress(OSError):
                shred_subdirs(home)
        fsync_dir(home)
    except FileNotFoundError:
        raise NoProfile() from None  # removed under our feet (a panic in another process)
    except OSError:
        raise ProfileNotWritable() from None  # read-only, permission, disk full
    return _Unlocked(keyfile, unlocked.kek, unlocked.slot)


# ---------------------------------------------------------------------------- public API


def create(
    home: Path,
    passphrase: str,
    *,
    duress: str | None = None,
    kdf: kf.KdfParams = kf.DEFAULT_KDF,
    min_kdf: kf.KdfParams = kf.MIN_KDF,
) -> None:
    """Create a profile in `home`; with `duress`, also the decoy it opens."""
    _check_kdf(kdf, min_kdf)
    pp.check_new(passphrase)
    if duress is not None:
        pp.check_new(duress)
        if pp.canonical(duress) == pp.canonical(passphrase):
            raise SamePassphrases()
    try:
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        raise ProfileNotWritable() from None
    if keyfile_path(home).exists():
        raise ProfileExists()
    _check_writable(home)
    for path in profile_files(home):  # leftovers of an interrupted init or panic
        _remove(path)
    real = secrets.randbelow(kf.SLOT_COUNT)
    header = kf.new_header(kdf)
    keys = [os.urandom(kf.KEY_SIZE) for _ in range(kf.SLOT_COUNT)]
    for index in range(kf.SLOT_COUNT):
        _create_private_database(db_path(home, index), keys[index])
    slots = [kf.random_slot(), kf.random_slot()]
    kek = kf.derive_kek(pp.canonical(passphrase), header)
    slots[real] = kf.seal_slot(kek, header, real, kf.SlotRole.PRIMARY, keys[real])
    if duress is not None:
        decoy = 1 - real
        duress_kek = kf.derive_kek(pp.canonical(duress), header)
        slots[decoy] = kf.seal_slot(duress_kek, header, decoy, kf.SlotRole.DURESS, keys[decoy])
    _write_new_keyfile(home, kf.KeyFile(header, (slots[0], slots[1])))


def unlock(home: Path, passphrase: str, *, min_kdf: kf.KdfParams = kf.MIN_KDF) -> Vault:
    """Open the profile. Raises `WrongPassphrase` and nothing more telling."""
    with _quantized():
        unlocked = _open_slot(home, passphrase, min_kdf)
        conn = open_database(db_path(home, unlocked.slot.index), unlocked.slot.db_key)
    return Vault(conn, home)


def change_passphrase(
    home: Path, old: str, new: str, *, min_kdf: kf.KdfParams = kf.MIN_KDF
) -> None:
    """Re-wrap the database key under `new`; the database itself is not rewritten."""
    pp.check_new(new)
    with _quantized():
        unlocked = _open_slot(home, old, min_kdf)
    header, slot = unlocked.keyfile.header, unlocked.slot
    kek = kf.derive_kek(pp.canonical(new), header)
    sealed = kf.seal_slot(kek, header, slot.index, slot.role, slot.db_key)
    _overwrite_keyfile(home, unlocked.keyfile.with_slot(slot.index, sealed))


def set_duress(
    home: Path, passphrase: str, duress: str, *, min_kdf: kf.KdfParams = kf.MIN_KDF
) -> None:
    """Set (or replace) the duress passphrase and create a fresh decoy for it."""
    pp.check_new(duress)
    if pp.canonical(duress) == pp.canonical(passphrase):
        raise SamePassphrases()
    with _quantized():
        unlocked = _open_slot(home, passphrase, min_kdf)
    header, slot = unlocked.keyfile.header, unlocked.slot
    decoy = 1 - slot.index
    decoy_key = os.urandom(kf.KEY_SIZE)
    for path in (db_path(home, decoy), *side_files(db_path(home, decoy))):
        _remove(path)
    _create_private_database(db_path(home, decoy), decoy_key)
    own = kf.seal_slot(unlocked.kek, header, slot.index, kf.SlotRole.PRIMARY, slot.db_key)
    duress_kek = kf.derive_kek(pp.canonical(duress), header)
    other = kf.seal_slot(duress_kek, header, decoy, kf.SlotRole.DURESS, decoy_key)
    _overwrite_keyfile(home, unlocked.keyfile.with_slot(slot.index, own).with_slot(decoy, other))


@dataclass(frozen=True, slots=True)
class PanicReport:
    removed: int
    seconds: float


def panic(home: Path) -> PanicReport:
    """Crypto-shred the profile: overwrite and remove the key file, then every other file.

    Needs no passphrase. Idempotent: a missing profile is not an error.
    """
    started = time.perf_counter()
    removed = 0
    failed = False
    for name in (KEYFILE_NAME, _KEYFILE_TMP):
        try:
            if _shred_file(home / name):
                removed += 1
        except OSError:
            failed = True
    for path in profile_files(home):
        try:
            removed += _remove(path)
        except OSError:
            failed = True
    try:
        removed += shred_subdirs(home)
    except OSError:
        failed = True
    if home.is_dir():
        try:
            fsync_dir(home)
            if not any(home.iterdir()):
                home.rmdir()
        except OSError:
            pass
    if failed:
        raise ProfileNotWritable()
    return PanicReport(removed, time.perf_counter() - started)


def shred_subdirs(home: Path) -> int:
    """Shred every file under the profile's `PROFILE_SUBDIRS` and remove the folders.
    Returns how many files were shredded; raises `OSError` if one could not be."""
    shredded = 0
    for name in PROFILE_SUBDIRS:
        shredded += shred_tree(home / name)
    return shredded


def shred_tree(folder: Path) -> int:
    """Overwrite every file under `folder` with random bytes, fsync, unlink it, then
    remove the folders (a symlink is unlinked, never followed). Missing: nothing to do."""
    if not folder.is_dir() or folder.is_symlink():
        return 0
    shredded = 0
    failure: OSError | None = None
    for root, dirs, files in os.walk(folder, topdown=False):
        for name in files:
            path = Path(root) / name
            try:
                if path.is_symlink():
                    path.unlink()
                elif _shred_file(path):
                    shredded += 1
            except OSError as exc:
                failure = exc
        for name in dirs:
            path = Path(root) / name
            try:
                path.unlink() if path.is_symlink() else path.rmdir()
            except OSError as exc:
                failure = exc
    try:
        folder.rmdir()
    except OSError as exc:
        failure = exc
    if failure is not None:
        raise failure
    return shredded


def _shred_file(path: Path) -> bool:
    """Overwrite a file with random bytes, fsync, then unlink it."""
    try:
        fd = os.open(path, os.O_WRONLY)
    except FileNotFoundError:
        return False
    try:
        size = os.fstat(fd).st_size
        for offset in range(0, size, _SHRED_CHUNK):
            os.pwrite(fd, os.urandom(min(_SHRED_CHUNK, size - offset)), offset)
        os.fsync(fd)
    finally:
        os.close(fd)
    path.unlink()
    return True


@contextmanager
def opened(home: Path, passphrase: str, *, min_kdf: kf.KdfParams = kf.MIN_KDF) -> Iterator[Vault]:
    """`with opened(home, p) as vault:` unlocks and closes (checkpointing) at the end."""
    vault = unlock(home, passphrase, min_kdf=min_kdf)
    try:
        yield vault
    finally:
        vault.close()
