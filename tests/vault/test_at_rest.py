"""What a seized disk shows: no marker in any file, no deleted epoch in the database."""

from __future__ import annotations

import os
from pathlib import Path

import sqlcipher3

from hasteh import vault
from hasteh.vault import cursors, epochs, events, outbox, profile
from hasteh.vault.settings import set_setting

from .helpers import FAST, PASS, decrypt_pages, files_in, leaks, slot_of

MARKERS = [
    "MRK-setting-3f9c1a",
    "MRK-epoch-77d0e2",
    "MRK-event-body-a1b2",
    "MRK-kind-c3d4",
    "MRK-group-e5f6",
    "MRK-envelope-0a0b",
    "MRK-relay-onion-1c1d",
    "MRK-error-2e2f",
    "MRK-cursor-3a3b",
    "MRK-mailbox-4c4d",
    "MRK-seen-5e5f",
    "هسته-نشان-۴۲",
]


def write_markers(v: vault.Vault) -> None:
    m = MARKERS

    def fill(c: vault.Connection) -> None:
        set_setting(c, "note", m[0] + m[11])
        epochs.put_epoch(c, m[4].encode(), 1, m[1].encode() * 3)
        events.append(c, m[4].encode(), 1, b"id-1", m[3], m[2].encode(), 1.0, None)
        events.append_many(
            c,
            [events.Event(b"g2", i, b"id2-%d" % i, "chat", m[2].encode(), 1.0) for i in range(50)],
        )
        outbox.enqueue(c, envelope_id=b"env-1", relay=m[6], envelope=m[5].encode(), now=1.0)
        item = outbox.items(c)[0]
        outbox.mark(c, item.id, state="queued", attempts=1, next_attempt_at=2.0, last_error=m[7])
        cursors.set_cursor(c, m[6], m[9].encode(), m[8])
        cursors.mark_seen(c, m[10].encode(), 1.0)

    v.write(fill)


def test_markers_never_reach_any_file(tmp_path: Path) -> None:
    home = tmp_path / "p"
    vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
    v = vault.unlock(home, PASS, min_kdf=FAST)
    write_markers(v)
    # While open: the WAL and shared-memory files exist and hold the recent pages.
    names = {p.name for p in files_in(home)}
    assert any(n.endswith("-wal") for n in names) and any(n.endswith("-shm") for n in names)
    assert leaks(home, MARKERS) == []
    assert v.read(lambda c: events.count(c)) == 51  # the data really is there
    v.close()
    assert leaks(home, MARKERS) == []
    assert leaks(home, [PASS]) == []
    # Control: the scanner does find a marker written in the clear.
    (home / "control.txt").write_text(MARKERS[11], encoding="utf-16-le")
    assert leaks(home, MARKERS) == [("control.txt", MARKERS[11])]


def export_plaintext(v: vault.Vault, target: Path) -> bytes:
    conn = v._conn
    conn.execute("ATTACH DATABASE ? AS plaintext KEY ''", (str(target),))
    conn.execute("SELECT sqlcipher_export('plaintext')").fetchall()
    conn.execute("DETACH DATABASE plaintext")
    return target.read_bytes()


def test_old_epoch_is_gone_from_export_and_from_every_page(tmp_path: Path) -> None:
    home = tmp_path / "p"
    vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
    old_small, old_big = b"OLD-EPOCH-SECRET-91ab" * 4, b"OLD-BIG-SECRET-77" * 700
    new_small, new_big = b"NEW-EPOCH-SECRET-c3d4" * 4, b"NEW-BIG-SECRET-55" * 700
    with vault.opened(home, PASS, min_kdf=FAST) as v:
        v.write(lambda c: epochs.put_epoch(c, b"g-small", 5, old_small))
        v.write(lambda c: epochs.put_epoch(c, b"g-big", 5, old_big))
        v.write(lambda c: epochs.put_epoch(c, b"g-small", 6, new_small))
        v.write(lambda c: epochs.put_epoch(c, b"g-big", 6, new_big))
        plain = export_plaintext(v, tmp_path / "plain.db")
        # The deletion was checkpointed: no WAL frame keeps the old pages.
        assert all(p.stat().st_size == 0 for p in files_in(home) if p.name.endswith("-wal"))
    # Logical export: new state present, old state absent.
    assert new_small in plain and new_big[:17] in plain
    assert old_small[:20] not in plain and old_big[:17] not in plain
    with sqlcipher3.connect(str(tmp_path / "plain.db")) as conn:
        assert conn.execute("SELECT count(*) FROM epochs").fetchone()[0] == 2
    # Physical: decrypt every page of the real database file, freed space included.
    slot = slot_of(home, PASS)
    pages = decrypt_pages(profile.db_path(home, slot.index), slot.db_key)
    assert b"SQLite format 3" not in pages[:16]  # salt is in the clear, header is not
    assert new_small in pages and new_big[:17] in pages
    assert old_small[:20] not in pages and old_big[:17] not in pages


def test_control_without_secure_delete_the_old_bytes_remain(tmp_path: Path) -> None:
    """Shows the page scan above can fail: the same steps with secure_delete=OFF leak."""
    db, key = tmp_path / "control.db", os.urandom(32)
    conn = sqlcipher3.connect(str(db), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute("PRAGMA cipher_hmac_algorithm = HMAC_SHA256")
    conn.execute("PRAGMA secure_delete = OFF")
    conn.execute(
        "CREATE TABLE epochs (group_id BLOB, epoch INT, state BLOB, PRIMARY KEY (group_id, epoch))"
    )
    conn.execute("INSERT INTO epochs VALUES (?, 5, ?)", (b"g", b"OLD-EPOCH-SECRET-91ab" * 4))
    conn.execute("INSERT INTO epochs VALUES (?, 6, ?)", (b"g", b"NEW"))
    conn.execute("DELETE FROM epochs WHERE epoch < 6")
    conn.close()
    assert b"OLD-EPOCH-SECRET-91ab" in decrypt_pages(db, key)
