"""Two relay processes on one PostgreSQL database give a mailbox one order.

Members of one cell are spread over two `hasteh relay serve` processes that share a real
PostgreSQL database. They claim the mailbox at the same moment through both, then post
many messages concurrently, and several of them post a commit for the same epoch while
that goes on, half through each process. Readers page through the mailbox on both
processes all along, with their cursors, as members do. Then:

* every acknowledged envelope is in the mailbox, once, at the place (cursor) its
  acknowledgement gave;
* every reader, on either process, saw the same envelopes in the same order, and a reader
  who read while posts were still arriving missed none (no envelope appeared later behind
  a cursor it had passed);
* hence everyone takes the same first commit of the epoch, and the commits'
  `earlier_commits` answers agree with the order.
"""

from __future__ import annotations

import base64
import itertools
import os
import random
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from hasteh.envelope import Envelope, Kind, envelope_id

from .conftest import _names
from .harness import Group, PgCluster, RelayProcess, envelope

POSTERS = 8  # member threads, half on each process
MESSAGES = 50  # messages per member
COMMITTERS = 6  # members who also post a commit for epoch 0, half on each process


@pytest.fixture
def relays(pg_cluster: PgCluster) -> Iterator[tuple[RelayProcess, RelayProcess]]:
    db = pg_cluster.create_database(f"scale{next(_names)}")
    a = RelayProcess(db, extra=["--rate", "100000"]).start()
    try:
        b = RelayProcess(db, extra=["--rate", "100000"]).start()
    except BaseException:
        a.kill()
        raise
    try:
        yield a, b
    finally:
        a.kill()
        b.kill()


def _fetch_page(client: httpx.Client, cell: Group, after: str) -> dict[str, object]:
    r = client.post("/v1/fetch", json=cell.fetch_body(0, after=after, limit=37))
    assert r.status_code == 200, r.text
    page: dict[str, object] = r.json()
    return page


class Reader:
    """A member reading the mailbox through one process with cursors, page by page."""

    def __init__(self, url: str, cell: Group) -> None:
        self.url, self.cell = url, cell
        self.seen: list[tuple[int, bytes]] = []  # (seq, envelope)
        self.after = "0"

    def catch_up(self, client: httpx.Client) -> None:
        for _ in range(10_000):  # bounded
            page = _fetch_page(client, self.cell, self.after)
            envelopes = [base64.b64decode(e) for e in page["envelopes"]]  # type: ignore[attr-defined]
            seqs = [int(s) for s in page["seqs"]]  # type: ignore[attr-defined]
            self.seen.extend(zip(seqs, envelopes, strict=True))
            self.after = str(page["cursor"])
            if not page["more"]:
                return
        raise AssertionError("the reader never caught up")

    def follow(self, stop: threading.Event) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not stop.is_set():
                self.catch_up(client)
                time.sleep(0.01)


def test_two_processes_on_one_database_give_one_order(
    relays: tuple[RelayProcess, RelayProcess],
) -> None:
    a, b = relays
    cell = Group()
    urls = [a.url, b.url]
    acks: list[tuple[Envelope, dict[str, object], int]] = []  # envelope, answer, process
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(POSTERS)

    def member(n: int) -> None:
        rng = random.Random(n)
        plan: list[tuple[Envelope, dict[str, str]]] = []
        for i in range(MESSAGES):
            env = envelope(cell.mailbox, b"member %d message %d" % (n, i))
            plan.append((env, cell.headers(env, 0)))  # every post carries the claim
        if n < COMMITTERS:
            commit = envelope(cell.mailbox, b"commit by %d" % n, kind=Kind.COMMIT, epoch=0)
            own_next = cell.auth(0, next_key=os.urandom(32))  # each commit makes its own epoch
            plan.insert(rng.randrange(5, MESSAGES), (commit, own_next.headers(commit.id)))
        with httpx.Client(base_url=urls[n % 2], timeout=30) as client:
            start.wait(timeout=30)  # the claims race through both processes
            for env, headers in plan:
                r = client.post("/v1/envelopes", content=env.to_bytes(), headers=headers)
                with lock:
                    if r.status_code == 200:
                        acks.append((env, r.json(), n % 2))
                    else:
                        failures.append(r.text)

    stop = threading.Event()
    readers = [Reader(url, cell) for url in urls]
    threads = [threading.Thread(target=r.follow, args=(stop,)) for r in readers]
    posters = [threading.Thread(target=member, args=(n,)) for n in range(POSTERS)]
    for t in threads + posters:
        t.start()
    for t in posters:
        t.join(timeout=300)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads + posters)
    assert failures == []
    assert len(acks) == POSTERS * MESSAGES + COMMITTERS

    # Fresh readers on each process, after everything was acknowledged.
    finals = [Reader(url, cell) for url in urls]
    for r in finals:
        with httpx.Client(base_url=r.url, timeout=30) as client:
            r.catch_up(client)
    order = finals[0].seen
    assert finals[1].seen == order, "the two processes show different orders"
    for r in readers:  # those who read while posts were arriving, with their cursors
        with httpx.Client(base_url=r.url, timeout=30) as client:
            r.catch_up(client)
        assert r.seen == order, "a reader following the mailbox saw another order"

    # Every acknowledged envelope is there once, at the place its answer gave.
    seqs = [seq for seq, _ in order]
    assert seqs == sorted(set(seqs))
    place = {envelope_id(data): seq for seq, data in order}
    assert len(place) == len(order) == len(acks)
    for env, answer, _ in acks:
        assert answer["id"] == env.id.hex()
        assert place[env.id] == int(str(answer["cursor"]))
    # The two processes' posts really were interleaved in the one order.
    via = {env.id: process for env, _, process in acks}
    turns = [via[envelope_id(data)] for _, data in order]
    assert sum(x != y for x, y in itertools.pairwise(turns)) > 20, turns

    # One first commit of epoch 0 for everyone, and answers that agree with the order.
    commits = [data for _, data in order if Envelope.from_bytes(data).kind is Kind.COMMIT]
    assert len(commits) == COMMITTERS
    earlier = {
        env.id: answer["earlier_commits"] for env, answer, _ in acks if env.kind is Kind.COMMIT
    }
    assert [earlier[envelope_id(c)] for c in commits] == list(range(COMMITTERS))
