"""The embedded relay's folder tells nothing at rest, and nothing of it survives a duress
unlock or a panic: a seizer scans the profile folder for a mailbox hash it knows (say,
from a seized relay elsewhere) and finds none."""

from __future__ import annotations

import asyncio
import hashlib
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from hasteh import vault
from hasteh.cli.web import RELAY_DB, RELAY_DIR, LoopbackRelay
from hasteh.envelope import WriteRequest, write_key_id, write_tag
from hasteh.relay.errors import StorageError
from hasteh.relay.storage import Accepted, Fetched, Limits, PostItem, SealedSqliteStorage
from hasteh.vault.keyfile import MIN_KDF
from hasteh.web import create_web

from .conftest import FAST, ORIGIN, PORT, TOKEN, Web, csrf_of

PASS = "correct horse battery staple"
DURESS = "a harmless decoy passphrase"
KEY = bytes(range(32))
MAILBOX_HASH = hashlib.sha256(b"the bakery cell's mailbox").digest()
ENVELOPE_ID = bytes.fromhex("5eed" * 8)
NOW = float(int(time.time())) + 0.5  # recent: the retention sweep must keep it


def fill(home: Path) -> None:
    """Run the embedded relay of `home` and store envelopes in one mailbox, as a cell
    would: a commit (an epoch), then messages."""

    async def scenario() -> None:
        relay = LoopbackRelay(home, port=0)
        await relay.start(KEY)
        storage = relay._storage
        assert storage is not None
        write = bytes(range(100, 132))

        def auth(envelope_id: bytes, **claim: object) -> WriteRequest:
            return WriteRequest(write_key_id(write), write_tag(write, envelope_id), **claim)  # type: ignore[arg-type]

        claim = auth(ENVELOPE_ID, claim=b"c" * 32, claim_key=write, claim_epoch=7)
        items = [
            PostItem(MAILBOX_HASH, ENVELOPE_ID, True, 7, b"\x01" * 300, claim),
            *(
                PostItem(
                    MAILBOX_HASH, bytes([n]) * 16, False, 0, b"\x02" * 300, auth(bytes([n]) * 16)
                )
                for n in range(20)
            ),
        ]
        results = storage.post_batch(items, now=NOW, limits=Limits())
        assert all(isinstance(r, Accepted) for r in results), results
        await relay.stop()

    asyncio.run(scenario())


WRITE = bytes(range(100, 132))


def _auth(envelope_id: bytes, **claim: object) -> WriteRequest:
    return WriteRequest(write_key_id(WRITE), write_tag(WRITE, envelope_id), **claim)  # type: ignore[arg-type]


def post(storage: SealedSqliteStorage, *, epoch: int, messages: int) -> None:
    """A claiming commit for `epoch`, then `messages` messages, written with `WRITE`."""
    claim = _auth(ENVELOPE_ID, claim=b"c" * 32, claim_key=WRITE, claim_epoch=epoch)
    items = [
        PostItem(MAILBOX_HASH, ENVELOPE_ID, True, epoch, b"\x01" * 300, claim),
        *(
            PostItem(MAILBOX_HASH, eid, False, 0, b"\x02" * 300, _auth(eid))
            for eid in (bytes([n]) * 16 for n in range(messages))
        ),
    ]
    results = storage.post_batch(items, now=NOW, limits=Limits())
    assert all(isinstance(r, Accepted) for r in results), results


def fetched(storage: SealedSqliteStorage) -> Fetched:
    got = storage.fetch(
        MAILBOX_HASH, after=0, limit=100, key_id=write_key_id(WRITE), check=WRITE.__eq__
    )
    assert isinstance(got, Fetched), got
    return got


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
    # With the key it opens: the relay kept its order, epoch and stamps.
    storage = SealedSqliteStorage(str(home / RELAY_DIR / RELAY_DB), KEY)
    try:
        got = fetched(storage)
        assert len(got.records) == 21 and got.epoch == 7  # the latest key registered
        stamps = storage._writer.execute(
            "SELECT created_at FROM envelopes UNION SELECT last_at FROM mailboxes"
        ).fetchall()
        assert {s for (s,) in stamps} == {NOW}
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
        post(storage, epoch=3, messages=0)
        web.post("/lock", {})
        page = client.get("/unlock").text
        client.post("/unlock", data={"csrf": csrf_of(page), "passphrase": DURESS})
        assert relay.url is not None and relay._key not in (None, real_key)
        assert relay._storage is not None
        empty = relay._storage.fetch(MAILBOX_HASH, after=0, limit=10)
        assert isinstance(empty, Fetched) and empty.records == []
        assert scan(home) == []
