"""Duress: the decoy opens, the real profile is gone, and nothing told them apart."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import pytest
import sqlcipher3

from hasteh import vault
from hasteh.vault import epochs, events, profile
from hasteh.vault import keyfile as kf
from hasteh.vault.settings import get_setting, set_setting

from .helpers import DURESS, FAST, PASS, files_in, leaks, slot_of

SECRETS = ["REAL-SECRET-8d1e", "REAL-GROUP-77aa"]


def fill_real(home: Path) -> None:
    with vault.opened(home, PASS, min_kdf=FAST) as v:
        v.write(lambda c: set_setting(c, "who", SECRETS[0]))
        v.write(lambda c: epochs.put_epoch(c, SECRETS[1].encode(), 3, SECRETS[0].encode()))
        batch = [
            events.Event(b"g", i, os.urandom(16), "chat", os.urandom(400), 1.0) for i in range(2000)
        ]
        v.write(lambda c: events.append_many(c, batch))


def test_duress_opens_decoy_and_shreds_real(tmp_path: Path) -> None:
    home = tmp_path / "p"
    vault.create(home, PASS, duress=DURESS, kdf=FAST, min_kdf=FAST)
    fill_real(home)
    real = slot_of(home, PASS)
    with vault.opened(home, DURESS, min_kdf=FAST) as decoy:
        info = decoy.read(vault.collect)
        assert (info.groups, info.events, info.settings) == (0, 0, 0)
        decoy.write(lambda c: set_setting(c, "lang", "fa"))  # the decoy is a working profile
    # The real key is gone: the real passphrase opens nothing, its slot is random bytes.
    with pytest.raises(vault.WrongPassphrase):
        vault.unlock(home, PASS, min_kdf=FAST)
    keyfile = kf.KeyFile.from_bytes(profile.keyfile_path(home).read_bytes())
    old_kek = kf.derive_kek(PASS.encode(), keyfile.header)
    assert kf.open_slots(old_kek, keyfile) == []
    # Even someone who noted the real database key before cannot read the remains.
    remains = profile.db_path(home, real.index)
    conn = vault.db._connect(remains, real.db_key)
    with pytest.raises(sqlcipher3.DatabaseError):
        conn.execute("SELECT count(*) FROM events").fetchone()
    conn.close()
    assert leaks(home, SECRETS) == []
    # The disk looks like a fresh profile without duress: same files, same sizes.
    sizes = sorted(p.stat().st_size for p in files_in(home))
    assert sizes == sorted(
        [kf.KEYFILE_SIZE, *[profile.db_path(home, i).stat().st_size for i in (0, 1)]]
    )
    assert profile.db_path(home, 0).stat().st_size == profile.db_path(home, 1).stat().st_size
    # Unlocking with the duress passphrase again keeps working and keeps the decoy's data.
    with vault.opened(home, DURESS, min_kdf=FAST) as decoy:
        assert decoy.read(lambda c: get_setting(c, "lang", str)) == "fa"


def test_structure_is_the_same_with_and_without_duress(tmp_path: Path) -> None:
    plain, dur = tmp_path / "plain", tmp_path / "duress"
    vault.create(plain, PASS, kdf=FAST, min_kdf=FAST)
    vault.create(dur, PASS, duress=DURESS, kdf=FAST, min_kdf=FAST)
    shape = lambda h: [(p.name, p.stat().st_size, p.stat().st_mode) for p in files_in(h)]  # noqa: E731
    assert shape(plain) == shape(dur)
    a = kf.KeyFile.from_bytes(profile.keyfile_path(plain).read_bytes())
    b = kf.KeyFile.from_bytes(profile.keyfile_path(dur).read_bytes())
    assert a.header.kdf == b.header.kdf
    assert [len(s) for s in a.slots] == [len(s) for s in b.slots] == [kf.SLOT_SIZE] * 2
    # After a normal unlock, nothing in the key file or the other database changed.
    before = {p.name: p.read_bytes() for p in files_in(dur)}
    with vault.opened(dur, PASS, min_kdf=FAST):
        pass
    real = slot_of(dur, PASS).index
    assert profile.keyfile_path(dur).read_bytes() == before["hasteh.key"]
    other = profile.DB_NAMES[1 - real]
    assert profile.db_path(dur, 1 - real).read_bytes() == before[other]


def test_set_duress_later_and_change_passphrase(tmp_path: Path) -> None:
    home = tmp_path / "p"
    vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
    fill_real(home)
    with pytest.raises(vault.WrongPassphrase):
        vault.unlock(home, DURESS, min_kdf=FAST)
    with pytest.raises(vault.SamePassphrases):
        vault.set_duress(home, PASS, PASS, min_kdf=FAST)
    vault.set_duress(home, PASS, DURESS, min_kdf=FAST)
    new = "a brand new passphrase"
    vault.change_passphrase(home, PASS, new, min_kdf=FAST)
    with pytest.raises(vault.WrongPassphrase):
        vault.unlock(home, PASS, min_kdf=FAST)
    with vault.opened(home, new, min_kdf=FAST) as v:
        assert v.read(lambda c: get_setting(c, "who", str)) == SECRETS[0]
    # The duress passphrase survived the change and still shreds the real profile.
    with vault.opened(home, DURESS, min_kdf=FAST) as v:
        assert v.read(lambda c: events.count(c)) == 0
    with pytest.raises(vault.WrongPassphrase):
        vault.unlock(home, new, min_kdf=FAST)
    assert leaks(home, SECRETS) == []


def test_change_passphrase_with_duress_passphrase_also_shreds(tmp_path: Path) -> None:
    """No operation can be used to test a guess for the duress passphrase without effect."""
    home = tmp_path / "p"
    vault.create(home, PASS, duress=DURESS, kdf=FAST, min_kdf=FAST)
    fill_real(home)
    vault.change_passphrase(home, DURESS, "another decoy passphrase", min_kdf=FAST)
    with pytest.raises(vault.WrongPassphrase):
        vault.unlock(home, PASS, min_kdf=FAST)
    assert leaks(home, SECRETS) == []


def mann_whitney_p(a: list[float], b: list[float]) -> float:
    """Two-sided Mann-Whitney U p-value (normal approximation with tie correction)."""
    pooled = sorted((v, i) for i, v in enumerate(a + b))
    ranks = [0.0] * len(pooled)
    tie_term, i = 0.0, 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[pooled[k][1]] = (i + j) / 2 + 1
        t = j - i + 1
        tie_term += t**3 - t
        i = j + 1
    n1, n2 = len(a), len(b)
    u = sum(ranks[:n1]) - n1 * (n1 + 1) / 2
    n = n1 + n2
    var = n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1)))
    if var <= 0:
        return 1.0
    z = (abs(u - n1 * n2 / 2) - 0.5) / math.sqrt(var)
    return max(0.0, min(1.0, math.erfc(max(z, 0.0) / math.sqrt(2))))


def indistinguishable(a: list[float], b: list[float]) -> bool:
    """Not told apart: no significant rank difference, or a mean gap under 5 %."""
    gap = abs(sum(a) / len(a) - sum(b) / len(b)) / (sum(a) / len(a))
    return mann_whitney_p(a, b) > 0.001 or gap < 0.05


def test_the_timing_criterion_can_fail() -> None:
    base = [0.100 + 0.002 * (i % 5) for i in range(10)]
    assert indistinguishable(base, list(reversed(base)))
    assert not indistinguishable(base, [x + 0.05 for x in base])
    assert not indistinguishable(base, [x * 2 for x in base])


def test_unlock_takes_the_same_time_for_both_passphrases(tmp_path: Path) -> None:
    # Heavier than FAST so Argon2id dominates, as it does with production parameters, and
    # so that one extra derivation (longer than the 50 ms unlock quantum) would be caught.
    kdf = kf.KdfParams(memory_kib=64 * 1024, iterations=1, lanes=1)
    normal: list[float] = []
    duress: list[float] = []
    for run in range(10):
        for passphrase, sink in ((PASS, normal), (DURESS, duress)):
            home = tmp_path / f"{run}-{len(sink)}-{passphrase == PASS}"
            vault.create(home, PASS, duress=DURESS, kdf=kdf, min_kdf=kdf)
            started = time.perf_counter()
            vault.unlock(home, passphrase, min_kdf=kdf).close()
            sink.append(time.perf_counter() - started)
    assert indistinguishable(normal, duress), (normal, duress)
