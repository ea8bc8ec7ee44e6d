"""The embedded relay's folder tells nothing at rest, and nothing of it survives a duress
unlock or a panic: a seizer scans the profile folder for a mailbox hash it knows (say,
from a seized relay elsewhere) and finds none."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from hasteh import vault
from hasteh.cli.web import RELAY_DB, RELAY_DIR, LoopbackRelay
from hasteh.relay.errors import StorageError
from hasteh.relay.storage import PostItem, SealedSqliteStorage
from hasteh.vault.keyfile import MIN_KDF
from hasteh.web import create_web

from .conftest import FAST, ORIGIN, PORT, TOKEN, Web, csrf_of

PASS = "correct horse battery staple"
DURESS = "a harmless decoy passphrase"
KEY = bytes(range(32))
MAILBOX_HASH = hashlib.sha256(b"the bakery cell's mailbox").digest()
ENVELOPE_ID = bytes.fromhex("5eed" * 8)
NOW = 1_760_003_599.5  # 59 min 59.5 s past an hour


def fill(home: Path) -> None:
    """Run the embedded relay of `home` and store envelopes in one mailbox, as a cell
    would: a commit (an epoch), then messages."""

    async def scenario() -> None:
        relay = LoopbackRelay(home, port=0)
        await relay.start(KEY)
        storage = relay._storage
        assert storage is not None
        items = [
            PostItem(MAILBOX_HASH, ENVELOPE_ID, True, 7, b"\x01" * 300),
            *(PostItem(MAILBOX_HASH, bytes([n]) * 16, False, 0, b"\x02" * 300) for n in range(20)),
        ]
        storage.post_batch(items, now=NOW, max_mailbox_bytes=1 << 20)
        await relay.stop()

    asyncio.run(scenario())


def scan(folder: Path) -> list[str]:
    """Files under `folder` holding the mailbox hash or an envelope id in clear."""
    found = []
    for path in folder.rglob("*") if folder.exists() else ():
        if path.is_file():
            data = path.read_bytes()
            if MAILBOX_HASH in data or ENVELOPE_ID in data:
                found.append(str(path))
    return found


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "profile"
    vault.create(home, PASS, duress=DURESS, kdf=MIN_KDF)
    return home


def test_at_rest_the_relay_folder_is_ciphertext(home: Path) -> None:
    fill(home)
    assert (home / RELAY_DIR / RELAY_DB).exists()
    assert scan(home) == []
    # With the key it opens: the relay kept its order and epoch, and only the hour.
    storage = SealedSqliteStorage(str(home / RELAY_DIR / RELAY_DB), KEY)
    try:
        fetched = storage.fetch(MAILBOX_HASH, after=0, limit=100)
        assert len(fetched.records) == 21 and fetched.epoch == 8
        stamps = storage._writer.execute(
            "SELECT created_at FROM envelopes UNION SELECT last_at FROM mailboxes"
        ).fetchall()
        assert {s for (s,) in stamps} == {float(int(NOW) - int(NOW) % 3600)}
    finally:
        storage.close()
    # Another key (the other profile of the folder) cannot open it.
    with pytest.raises(StorageError):
        SealedSqliteStorage(str(home / RELAY_DIR / RELAY_DB), bytes(32))


def test_duress_unlock_shreds_the_relay_folder(home: Path) -> None:
    fill(home)
    with vault.opened(home, DURESS, min_kdf=MIN_KDF):
        pass
    assert not (home / RELAY_DIR).exists()
    assert scan(home) == []


def test_normal_unlock_keeps_the_relay_folder(home: Path) -> None:
    fill(home)
    with vault.opened(home, PASS, min_kdf=MIN_KDF):
        pass
    assert (home / RELAY_DIR / RELAY_DB).exists()


def test_panic_shreds_the_relay_folder(home: Path) -> None:
    fill(home)
    # Keep the inode of the database reachable, as a forensic tool reading the disk
    # would: after the shred its old bytes are noise.
    kept = (home / RELAY_DIR / RELAY_DB).open("rb")
    try:
        vault.panic(home)
        assert not (home / RELAY_DIR).exists()
        assert scan(home) == []
        remains = kept.read()
        assert remains and MAILBOX_HASH not in remains
        assert not remains.startswith(b"SQLite format 3")
    finally:
        kept.close()


def test_the_other_profile_gets_a_fresh_relay(home: Path) -> None:
    """The relay restarted with another profile's key shreds what it cannot open."""
    fill(home)

    async def scenario() -> None:
        relay = LoopbackRelay(home, port=0)
        await relay.start(bytes(32))
        storage = relay._storage
        assert storage is not None
        assert storage.fetch(MAILBOX_HASH, after=0, limit=10).records == []
        await relay.destroy()

    asyncio.run(scenario())
    assert not (home / RELAY_DIR).exists()


def test_web_duress_unlock_restarts_the_relay_on_the_decoy(tmp_path: Path) -> None:
    """In one `hasteh up`: the real profile uses the embedded relay; after a lock, the
    duress passphrase opens the decoy. The relay's old folder is shredded and the relay
    runs again, empty, under the decoy's own key."""
    home = tmp_path / "profile"
    relay = LoopbackRelay(home, port=0)
    app = create_web(home, launch_token=TOKEN, port=PORT, kdf=FAST, min_kdf=FAST, relay=relay)
    with TestClient(app, base_url=ORIGIN) as client:
        web = Web(app, client, home)
        web.launch()
        web.create_profile(duress=DURESS)
        assert relay.url is not None  # the new profile is open and lists no relay
        real_key, storage = relay._key, relay._storage
        assert real_key is not None and storage is not None
        storage.post_batch(
            [PostItem(MAILBOX_HASH, ENVELOPE_ID, True, 3, b"\x01" * 300)],
            now=NOW,
            max_mailbox_bytes=1 << 20,
        )
        web.post("/lock", {})
        page = client.get("/unlock").text
        client.post("/unlock", data={"csrf": csrf_of(page), "passphrase": DURESS})
        assert relay.url is not None and relay._key not in (None, real_key)
        assert relay._storage is not None
        assert relay._storage.fetch(MAILBOX_HASH, after=0, limit=10).records == []
        assert scan(home) == []
