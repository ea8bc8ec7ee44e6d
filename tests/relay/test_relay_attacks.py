"""Write access, from the attacker's side, against real relay processes on 127.0.0.1.

Each test plays one attacker of the threat model: a stranger who learned a mailbox id, a
member who was removed, a member inside the cell posting junk commits, a member flooding
the relay. Honest members keep working in every case."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hasteh.envelope import Envelope, Kind, WriteAuth, fetch_tag, write_key_id

from .harness import Group, RelayProcess, envelope

BIG = 256 * 1024 - 4  # the largest payload: one 256 KiB body


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RelayProcess]:
    db = tmp_path_factory.mktemp("attacks") / "relay.sqlite3"
    proc = RelayProcess(
        f"sqlite:///{db}", extra=["--rate", "100000", "--max-fetch-mib", "0.5"]
    ).start()
    try:
        yield proc
    finally:
        proc.kill()


@pytest.fixture
def http(relay: RelayProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=relay.url, timeout=10) as client:
        yield client


def post(http: httpx.Client, env: Envelope, auth: WriteAuth | None) -> httpx.Response:
    headers = auth.headers(env.id) if auth is not None else {}
    return http.post("/v1/envelopes", content=env.to_bytes(), headers=headers)


def ok(http: httpx.Client, env: Envelope, auth: WriteAuth) -> dict[str, object]:
    r = post(http, env, auth)
    assert r.status_code == 200, r.text
    answer: dict[str, object] = r.json()
    return answer


def read(http: httpx.Client, mailbox: bytes, auth: WriteAuth | None, **kw: object) -> list[bytes]:
    body: dict[str, object] = {"mailbox": mailbox.hex(), **kw}
    if auth is not None:
        body.update(auth.fetch_fields(mailbox))
    r = http.post("/v1/fetch", json=body)
    assert r.status_code == 200, r.text
    return [base64.b64decode(e) for e in r.json()["envelopes"]]


def refused(r: httpx.Response, status: int, error: str) -> None:
    assert (r.status_code, r.json()["error"]) == (status, error), r.text


def test_a_stranger_with_the_mailbox_id_can_neither_post_nor_read(http: httpx.Client) -> None:
    cell = Group()
    ok(http, envelope(cell.mailbox, b"cell business"), cell.auth())
    junk = envelope(cell.mailbox, b"spam")
    refused(post(http, junk, None), 400, "bad_write_auth")
    own_key = WriteAuth(os.urandom(32))
    refused(post(http, junk, own_key), 403, "not_allowed")
    # Claiming the mailbox needs the claim, not its hash; a claim of one's own is another id.
    refused(post(http, junk, WriteAuth(own_key.key, claim=os.urandom(32))), 400, "bad_claim")
    # A member's key id seen somewhere is useless without the key (the tag is an HMAC).
    forged = {"Hasteh-Write": (cell.auth().key_id + os.urandom(16)).hex()}
    r = http.post("/v1/envelopes", content=junk.to_bytes(), headers=forged)
    refused(r, 403, "not_allowed")
    for body in (
        {"mailbox": cell.mailbox.hex()},
        {"mailbox": cell.mailbox.hex(), **own_key.fetch_fields(cell.mailbox)},
        {
            "mailbox": cell.mailbox.hex(),
            "key": cell.auth().key_id.hex(),
            "tag": fetch_tag(own_key.key, cell.mailbox).hex(),
        },
    ):
        refused(http.post("/v1/fetch", json=body), 403, "not_allowed")
    assert len(read(http, cell.mailbox, cell.auth())) == 1  # only the cell's own post


def test_a_removed_member_reads_the_removal_and_nothing_after(http: httpx.Client) -> None:
    cell = Group()
    removed = cell.auth(0, claim=False)  # the removed device knows the epoch-0 key only
    before = envelope(cell.mailbox, b"before")
    ok(http, before, cell.auth())
    removal = envelope(cell.mailbox, b"remove D", kind=Kind.COMMIT, epoch=0)
    answer = ok(http, removal, cell.auth(0, retire=True, next_key=cell.key(1)))
    assert answer["key_registered"] is True and answer["earlier_commits"] == 0
    after = envelope(cell.mailbox, b"after the removal")
    ok(http, after, cell.auth(1, claim=False))
    # The removed device can no longer post a message, with or without the claim.
    refused(post(http, envelope(cell.mailbox, b"still here?"), removed), 403, "not_allowed")
    refused(post(http, envelope(cell.mailbox, b"x"), cell.auth(0)), 403, "not_allowed")
    # It reads up to the removal, including the removal commit, and nothing after it.
    assert read(http, cell.mailbox, removed) == [before.to_bytes(), removal.to_bytes()]
    # An honest member who was offline holds the epoch-0 key too: it sees the removal
    # commit, then reads on with the new key.
    assert read(http, cell.mailbox, cell.auth(1)) == [
        before.to_bytes(),
        removal.to_bytes(),
        after.to_bytes(),
    ]
    # A commit for the new epoch needs the new epoch's key, which the removed device lacks.
    next_commit = envelope(cell.mailbox, b"junk", kind=Kind.COMMIT, epoch=1)
    refused(post(http, next_commit, removed), 403, "not_allowed")


def test_a_junk_commit_does_not_block_an_honest_one(http: httpx.Client) -> None:
    cell = Group()
    ok(http, envelope(cell.mailbox, b"hello"), cell.auth())
    junk = envelope(cell.mailbox, os.urandom(100), kind=Kind.COMMIT, epoch=0)
    honest = envelope(cell.mailbox, b"real commit", kind=Kind.COMMIT, epoch=0)
    first = ok(http, junk, cell.auth(0, next_key=os.urandom(32)))
    second = ok(http, honest, cell.auth(0, next_key=cell.key(1)))
    assert (first["earlier_commits"], second["earlier_commits"]) == (0, 1)
    assert int(str(second["cursor"])) > int(str(first["cursor"]))
    got = read(http, cell.mailbox, cell.auth())
    assert got[1:] == [junk.to_bytes(), honest.to_bytes()]  # both, in the relay's order
    ok(http, envelope(cell.mailbox, b"on the new epoch"), cell.auth(1, claim=False))


def test_a_junk_retire_does_not_freeze_the_cell(http: httpx.Client) -> None:
    cell = Group()
    ok(http, envelope(cell.mailbox, b"hello"), cell.auth())
    junk = envelope(cell.mailbox, os.urandom(100), kind=Kind.COMMIT, epoch=0)
    ok(http, junk, cell.auth(0, retire=True))  # a malicious member retires every key
    refused(post(http, envelope(cell.mailbox, b"msg"), cell.auth(0)), 403, "not_allowed")
    # Honest members commit at the same epoch with their (retired) key and go on.
    honest = envelope(cell.mailbox, b"honest commit", kind=Kind.COMMIT, epoch=0)
    answer = ok(http, honest, cell.auth(0, next_key=cell.key(1)))
    assert answer["key_registered"] is True and answer["earlier_commits"] == 1
    ok(http, envelope(cell.mailbox, b"business as usual"), cell.auth(1, claim=False))


def test_fetch_answers_are_capped_and_streamed(http: httpx.Client, relay: RelayProcess) -> None:
    cell = Group()
    big = [envelope(cell.mailbox, os.urandom(BIG)) for _ in range(3)]
    small = [envelope(cell.mailbox, b"s%d" % i) for i in range(200)]
    for env in [*big, *small]:
        ok(http, env, cell.auth())
    cap = int(0.5 * 1024 * 1024)
    body = {"mailbox": cell.mailbox.hex(), "limit": 1000, **cell.auth().fetch_fields(cell.mailbox)}
    after, seen, pages, streamed = "0", 0, 0, 0
    while pages < 50:
        with http.stream("POST", "/v1/fetch", json={**body, "after": after}) as r:
            assert r.status_code == 200
            raw = r.read()
            if len(raw) > 64 * 1024:  # large answers are streamed, not built whole
                assert "content-length" not in r.headers
                assert r.headers.get("transfer-encoding") == "chunked"
                streamed += 1
        assert len(raw) <= cap, len(raw)
        page = httpx.Response(200, content=raw).json()
        assert len(page["envelopes"]) == len(page["stamps"]) >= 1
        seen += len(page["envelopes"])
        after, pages = page["cursor"], pages + 1
        if not page["more"]:
            break
    assert seen == len(big) + len(small) and pages >= 3 and streamed >= 3


def test_invalid_utf8_fetch_body_is_a_400(http: httpx.Client, relay: RelayProcess) -> None:
    r = http.post("/v1/fetch", content=b'{"\xff":1}')
    refused(r, 400, "bad_json")
    assert "Traceback" not in relay.stderr()


def test_a_member_flooding_gets_429_and_new_keys_stay_capped(tmp_path: Path) -> None:
    proc = RelayProcess(
        f"sqlite:///{tmp_path / 'budget.sqlite3'}",
        extra=["--rate", "100000", "--key-mib-per-day", "1", "--max-keys-per-epoch", "2"],
    ).start()
    try:
        with httpx.Client(base_url=proc.url, timeout=10) as http:
            cell = Group()
            codes = []
            for _ in range(6):
                r = post(http, envelope(cell.mailbox, os.urandom(BIG)), cell.auth())
                codes.append(r.status_code)
                if r.status_code == 429:
                    answer = r.json()
                    assert answer["error"] == "budget_exhausted"
                    assert 0 < answer["retry_after"] <= 2 * 86400
                    break
            assert codes[0] == 200 and codes[-1] == 429
            # Another cell is not affected by this one's flood.
            other = Group()
            ok(http, envelope(other.mailbox, b"unaffected"), other.auth())
            # Junk next keys for one epoch stop at the cap; the commits are still stored.
            flags = [
                ok(
                    http,
                    envelope(other.mailbox, b"c%d" % i, kind=Kind.COMMIT, epoch=0),
                    other.auth(0, next_key=os.urandom(32)),
                )["key_registered"]
                for i in range(3)
            ]
            assert flags == [True, True, False]
    finally:
        proc.kill()


def test_new_mailboxes_are_refused_when_the_relay_is_nearly_full(tmp_path: Path) -> None:
    # 1.6 MiB in all: new mailboxes stop above 90 %, every post above 100 %.
    proc = RelayProcess(
        f"sqlite:///{tmp_path / 'full.sqlite3'}",
        extra=["--rate", "100000", "--max-total-gib", str(1.6 / 1024)],
    ).start()
    try:
        with httpx.Client(base_url=proc.url, timeout=10) as http:
            cell = Group()
            for _ in range(5):  # 5 x 256 KiB: 78 % full
                ok(http, envelope(cell.mailbox, os.urandom(BIG)), cell.auth())
            newcomer = Group()
            r = post(http, envelope(newcomer.mailbox, os.urandom(BIG)), newcomer.auth())
            refused(r, 507, "relay_full")
            ok(http, envelope(cell.mailbox, os.urandom(BIG)), cell.auth())  # existing: 100 %
            r = post(http, envelope(cell.mailbox, os.urandom(BIG)), cell.auth())
            refused(r, 507, "relay_full")
    finally:
        proc.kill()


def test_key_ids_and_tags_are_bound(http: httpx.Client) -> None:
    """A tag made for one envelope does not authorize another (no replay onto new bytes)."""
    cell = Group()
    first, second = envelope(cell.mailbox, b"1"), envelope(cell.mailbox, b"2")
    ok(http, first, cell.auth())
    stolen = cell.auth(claim=False).headers(first.id)
    r = http.post("/v1/envelopes", content=second.to_bytes(), headers=stolen)
    refused(r, 403, "not_allowed")
    assert write_key_id(cell.key(0)) == cell.auth().key_id
