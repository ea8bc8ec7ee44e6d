"""The outbox: its state table, backoff, and delivery to a real relay on 127.0.0.1."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import pytest

from hasteh import vault
from hasteh.envelope import Envelope, Kind, open_payload, seal
from hasteh.transport import outbox as ob
from hasteh.transport.errors import RelayUnreachable
from hasteh.transport.relay_client import RelayClient
from hasteh.vault import Connection
from hasteh.vault import outbox as voutbox
from tests.relay.harness import RelayProcess, free_port

from .conftest import FAST, PASS

Profiles = Callable[[str], vault.Vault]


def env(mailbox: bytes, payload: bytes, kind: Kind = Kind.MESSAGE, epoch: int = 0) -> Envelope:
    return seal(kind=kind, mailbox=mailbox, payload=payload, rng=os.urandom, epoch=epoch)


def clients() -> Callable[[str], RelayClient]:
    cache: dict[str, RelayClient] = {}
    return lambda url: cache.setdefault(url, RelayClient(url, timeout=10))


# ------------------------------------------------------------------------ the state table


def test_table_covers_every_state_and_only_listed_moves() -> None:
    assert set(ob.OUTBOX) == set(voutbox.STATES)
    for state, moves in ob.OUTBOX.items():
        for event, target in moves.items():
            assert ob.transition(state, event) == target
            assert target in ob.OUTBOX
    assert ob.OUTBOX[ob.DONE] == {} and ob.OUTBOX[ob.CONFLICT] == {}
    with pytest.raises(ob.BadTransition):
        ob.transition(ob.DONE, ob.SENT)
    with pytest.raises(ob.BadTransition):
        ob.transition(ob.QUEUED, ob.ACCEPTED)  # never accepted without being sent


def test_every_state_is_reachable_from_queued() -> None:
    seen, todo = {ob.QUEUED}, [ob.QUEUED]
    while todo:
        for target in ob.OUTBOX[todo.pop()].values():
            if target not in seen:
                seen.add(target)
                todo.append(target)
    assert seen == set(ob.OUTBOX)


@pytest.mark.parametrize("attempts", [1, 2, 3, 5, 10, 40, 1000])
def test_backoff_is_exponential_jittered_and_capped(attempts: int) -> None:
    ceiling = min(ob.MAX_DELAY, ob.BASE_DELAY * 2 ** (attempts - 1))
    low, high = ob.backoff(attempts, lambda: 0.0), ob.backoff(attempts, lambda: 0.999999)
    assert low == pytest.approx(ceiling / 2)
    assert ceiling / 2 <= high < ceiling + 1e-9
    assert ob.backoff(attempts + 1, lambda: 0.0) >= low


# ----------------------------------------------------------------------------- delivery


def test_deliver_then_fetch_once(make_profile: Profiles, relay: RelayProcess) -> None:
    alice, bob = make_profile("alice"), make_profile("bob")
    mb = os.urandom(32)
    sent = [env(mb, b"hello %d" % i) for i in range(3)]
    alice.write(lambda c: [ob.stage(c, e, [relay.url], now=100.0) for e in sent])
    alice.write(lambda c: ob.stage(c, sent[0], [relay.url], now=100.0))  # dedup by id
    report = ob.deliver_due(alice, clients(), now=100.0, rng=lambda: 0.5)
    assert (report.sent, report.retrying, report.failed) == (3, 0, 0)
    assert alice.read(voutbox.counts)["done"] == 3

    got: list[bytes] = []

    def sink(conn: Connection, e: Envelope) -> None:
        got.append(open_payload(e))

    client = RelayClient(relay.url)
    new = ob.fetch_new(bob, client, relay.url, mb, now=1.0, sink=sink, limit=2)
    assert got == [b"hello 0", b"hello 1", b"hello 2"] and len(new) == 3
    assert ob.fetch_new(bob, client, relay.url, mb, now=2.0, sink=sink) == []
    client.close()


def test_unreachable_relay_backs_off_survives_restart_then_delivers(
    make_profile: Profiles, tmp_path_factory: pytest.TempPathFactory
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    profile = make_profile("offline")
    mb = os.urandom(32)
    profile.write(lambda c: ob.stage(c, env(mb, b"later"), [url], now=0.0))
    report = ob.deliver_due(profile, clients(), now=0.0, rng=lambda: 0.0)
    assert report.retrying == 1
    [item] = profile.read(lambda c: voutbox.items(c))
    assert item.state == ob.QUEUED and item.attempts == 1
    assert item.next_attempt_at == pytest.approx(ob.backoff(1, lambda: 0.0))
    assert item.last_error == "RelayUnreachable"
    assert profile.read(lambda c: voutbox.due(c, now=0.5)) == []  # not due before the delay
    report = ob.deliver_due(profile, clients(), now=10.0, rng=lambda: 0.0)
    [item] = profile.read(lambda c: voutbox.items(c))
    assert item.attempts == 2
    # A run interrupted mid-post leaves the item in flight; after a restart (the profile
    # closed and unlocked again) recovery queues it again.
    profile.write(
        lambda c: voutbox.mark(c, item.id, state=ob.IN_FLIGHT, attempts=2, next_attempt_at=0)
    )
    profile.close()
    profile = vault.unlock(profile.home, PASS, min_kdf=FAST)
    try:
        assert ob.recover(profile, now=20.0) == 1
        _deliver_when_relay_returns(profile, port, url, mb, tmp_path_factory)
    finally:
        profile.close()


def _deliver_when_relay_returns(
    profile: vault.Vault,
    port: int,
    url: str,
    mb: bytes,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    db = tmp_path_factory.mktemp("late") / "relay.sqlite3"
    late = RelayProcess(f"sqlite:///{db}", port=port).start()
    try:
        report = ob.deliver_due(profile, clients(), now=1000.0, rng=lambda: 0.0)
        assert report.sent == 1
        with RelayClient(url) as c:
            assert len(c.fetch(mb).envelopes) == 1
    finally:
        late.kill()


def test_bad_envelope_fails_and_stays(make_profile: Profiles, relay: RelayProcess) -> None:
    profile = make_profile("bad")
    profile.write(
        lambda c: voutbox.enqueue(
            c, envelope_id=b"x" * 32, relay=relay.url, envelope=b"junk", now=0.0
        )
    )
    report = ob.deliver_due(profile, clients(), now=0.0, rng=lambda: 0.0)
    assert report.failed == 1
    assert profile.read(voutbox.counts)["failed"] == 1
    assert ob.requeue_failed(profile, now=1.0) == 1


def test_racing_commits_one_wins_the_other_restages(
    make_profile: Profiles, relay: RelayProcess
) -> None:
    a, b = make_profile("a"), make_profile("b")
    mb = os.urandom(32)
    c_a, c_b = env(mb, b"commit by a", Kind.COMMIT, 0), env(mb, b"commit by b", Kind.COMMIT, 0)
    a.write(lambda c: ob.stage(c, c_a, [relay.url], now=0.0))
    b.write(lambda c: ob.stage(c, c_b, [relay.url], now=0.0))
    reports: dict[str, ob.DeliveryReport] = {}
    barrier = threading.Barrier(2)

    def run(name: str, profile: vault.Vault) -> None:
        barrier.wait(timeout=10)
        reports[name] = ob.deliver_due(profile, clients(), now=0.0, rng=lambda: 0.0)

    threads = [threading.Thread(target=run, args=x) for x in (("a", a), ("b", b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    winners = [n for n, r in reports.items() if r.accepted_commits]
    losers = [n for n, r in reports.items() if r.conflicts]
    assert len(winners) == 1 and len(losers) == 1
    [(winning_id, epoch)] = reports[winners[0]].accepted_commits
    assert epoch == 1
    [notice] = reports[losers[0]].conflicts
    assert notice.epoch == 1
    assert [e.id for e in notice.newer] == [winning_id]  # handed the winner's commit
    loser = a if losers[0] == "a" else b
    assert loser.read(voutbox.counts)["conflict"] == 1  # never merged, never re-sent
    # The loser processes the newer commit and re-stages its own on epoch 1.
    again = env(mb, b"rebuilt", Kind.COMMIT, 1)
    loser.write(lambda c: ob.restage(c, notice.item_id, again, [relay.url], now=1.0))
    report = ob.deliver_due(loser, clients(), now=1.0, rng=lambda: 0.0)
    assert report.accepted_commits == [(again.id, 2)]


def test_client_maps_errors(relay: RelayProcess) -> None:
    with RelayClient(f"http://127.0.0.1:{free_port()}", timeout=2) as dead:
        with pytest.raises(RelayUnreachable):
            dead.post(b"x")
    with RelayClient(relay.url) as c:
        from hasteh.transport.errors import RelayRefused

        with pytest.raises(RelayRefused) as err:
            c.post(b"not an envelope")
        assert err.value.status == 400 and err.value.error == "bad_envelope"
        assert not err.value.retryable


def test_client_through_a_socks_proxy_that_is_down_is_unreachable() -> None:
    proxy = f"socks5h://127.0.0.1:{free_port()}"
    with RelayClient("http://relayexample.onion", proxy=proxy, timeout=2) as c:
        with pytest.raises(RelayUnreachable):
            c.fetch(os.urandom(32))
