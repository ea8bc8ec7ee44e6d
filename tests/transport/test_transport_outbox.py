"""The outbox: its state table, backoff, and delivery to a real relay on 127.0.0.1."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hasteh import vault
from hasteh.envelope import Envelope, Kind, WriteAuth, open_payload, seal
from hasteh.transport import outbox as ob
from hasteh.transport.errors import RelayRefused, RelayUnreachable
from hasteh.transport.relay_client import RelayClient
from hasteh.vault import Connection
from hasteh.vault import outbox as voutbox
from tests.relay.harness import Group, RelayProcess, free_port

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
    g = Group()
    mb = g.mailbox
    sent = [env(mb, b"hello %d" % i) for i in range(3)]
    alice.write(
        lambda c: [ob.stage(c, e, [relay.url], now=100.0, auth=lambda r: g.auth()) for e in sent]
    )
    alice.write(lambda c: ob.stage(c, sent[0], [relay.url], now=100.0, auth=lambda r: g.auth()))
    report = ob.deliver_due(alice, clients(), now=100.0, rng=lambda: 0.5)
    assert (report.sent, report.retrying, report.failed) == (3, 0, 0)
    assert alice.read(voutbox.counts)["done"] == 3

    got: list[tuple[bytes, ob.Arrival]] = []

    def sink(conn: Connection, e: Envelope, arrival: ob.Arrival) -> None:
        got.append((open_payload(e), arrival))

    def read_auth(url: str, mailbox: bytes) -> WriteAuth | None:
        assert (url, mailbox) == (relay.url, mb)
        return g.auth(claim=False)

    client = RelayClient(relay.url)
    new = ob.fetch_new(bob, client, relay.url, mb, now=1.0, sink=sink, limit=2, auth=read_auth)
    assert [p for p, _ in got] == [b"hello 0", b"hello 1", b"hello 2"] and len(new) == 3
    arrivals = [a for _, a in got]
    assert all(a.relay == relay.url and a.stamp is not None for a in arrivals)
    assert all(abs(a.stamp - time.time()) < 120 for a in arrivals)  # type: ignore[operator]
    assert [a.cursor for a in arrivals] == sorted({a.cursor for a in arrivals})
    assert ob.fetch_new(bob, client, relay.url, mb, now=2.0, sink=sink, auth=read_auth) == []
    # Without the key a claimed mailbox cannot be read.
    with pytest.raises(RelayRefused) as err:
        ob.fetch_new(make_profile("eve"), client, relay.url, mb, now=3.0, sink=sink)
    assert err.value.error == "not_allowed"
    client.close()


def test_unreachable_relay_backs_off_survives_restart_then_delivers(
    make_profile: Profiles, tmp_path_factory: pytest.TempPathFactory
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    profile = make_profile("offline")
    g = Group()
    mb = g.mailbox
    profile.write(lambda c: ob.stage(c, env(mb, b"later"), [url], now=0.0, auth=lambda r: g.auth()))
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
        _deliver_when_relay_returns(profile, port, url, g, tmp_path_factory)
    finally:
        profile.close()


def _deliver_when_relay_returns(
    profile: vault.Vault,
    port: int,
    url: str,
    g: Group,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    db = tmp_path_factory.mktemp("late") / "relay.sqlite3"
    late = RelayProcess(f"sqlite:///{db}", port=port).start()
    try:
        report = ob.deliver_due(profile, clients(), now=1000.0, rng=lambda: 0.0)
        assert report.sent == 1
        with RelayClient(url) as c:
            assert len(c.fetch(g.mailbox, auth=g.auth()).envelopes) == 1
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


def test_racing_commits_are_both_stored_with_a_hint(
    make_profile: Profiles, relay: RelayProcess
) -> None:
    a, b = make_profile("a"), make_profile("b")
    g = Group()
    first = env(g.mailbox, b"hello")
    a.write(lambda c: ob.stage(c, first, [relay.url], now=0.0, auth=lambda r: g.auth()))
    ob.deliver_due(a, clients(), now=0.0, rng=lambda: 0.0)
    c_a = env(g.mailbox, b"commit by a", Kind.COMMIT, 0)
    c_b = env(g.mailbox, b"commit by b", Kind.COMMIT, 0)
    a.write(
        lambda c: ob.stage(
            c, c_a, [relay.url], now=0.0, auth=lambda r: g.auth(next_key=os.urandom(32))
        )
    )
    b.write(
        lambda c: ob.stage(
            c, c_b, [relay.url], now=0.0, auth=lambda r: g.auth(next_key=os.urandom(32))
        )
    )
    first_report = ob.deliver_due(a, clients(), now=0.0, rng=lambda: 0.0)
    second_report = ob.deliver_due(b, clients(), now=0.0, rng=lambda: 0.0)
    [ack_a], [ack_b] = first_report.commits, second_report.commits
    assert (ack_a.earlier_commits, ack_b.earlier_commits) == (0, 1)
    assert ack_a.key_registered and ack_b.key_registered and ack_a.epoch == 1
    assert first_report.conflicts == second_report.conflicts == []
    with RelayClient(relay.url) as c:
        page = c.fetch(g.mailbox, auth=g.auth())
    assert page.envelopes[1:] == [c_a.to_bytes(), c_b.to_bytes()]  # one order for everyone


def test_budget_exhausted_is_held_and_retried_never_failed(
    make_profile: Profiles, tmp_path: Path
) -> None:
    tight = RelayProcess(
        f"sqlite:///{tmp_path / 'tight.sqlite3'}",
        extra=["--rate", "100000", "--key-commits-per-day", "1"],
    ).start()
    try:
        profile = make_profile("busy")
        g = Group()
        commits = [env(g.mailbox, b"c%d" % i, Kind.COMMIT, 0) for i in range(2)]
        for i, commit in enumerate(commits):
            profile.write(
                lambda c, e=commit, i=i: ob.stage(
                    c, e, [tight.url], now=float(i), auth=lambda r: g.auth()
                )
            )
        report = ob.deliver_due(profile, clients(), now=10.0, rng=lambda: 0.0)
        assert (report.sent, report.retrying, report.failed) == (1, 1, 0)
        [held] = report.held
        assert held.error == "budget_exhausted" and held.relay == tight.url
        assert held.retry_after is not None and 0 < held.retry_after <= 2 * 86400
        [item] = profile.read(lambda c: voutbox.items(c, state=ob.QUEUED))
        assert item.next_attempt_at >= 10.0 + held.retry_after  # waits for the budget
        assert item.last_error == "budget_exhausted"
        again = ob.deliver_due(profile, clients(), now=item.next_attempt_at, rng=lambda: 0.0)
        assert again.retrying == 1 and again.failed == 0  # still held, never failed for good
    finally:
        tight.kill()


def test_a_removed_device_is_reported_not_allowed(
    make_profile: Profiles, relay: RelayProcess
) -> None:
    profile = make_profile("removed")
    g = Group()
    profile.write(
        lambda c: ob.stage(c, env(g.mailbox, b"hi"), [relay.url], now=0.0, auth=lambda r: g.auth())
    )
    removal = env(g.mailbox, b"remove", Kind.COMMIT, 0)
    profile.write(
        lambda c: ob.stage(c, removal, [relay.url], now=1.0, auth=lambda r: g.auth(retire=True))
    )
    assert ob.deliver_due(profile, clients(), now=1.0, rng=lambda: 0.0).sent == 2
    late = env(g.mailbox, b"after removal")
    profile.write(lambda c: ob.stage(c, late, [relay.url], now=2.0, auth=lambda r: g.auth()))
    report = ob.deliver_due(profile, clients(), now=2.0, rng=lambda: 0.0)
    assert report.failed == 1 and [r for _, r in report.not_allowed] == [relay.url]


def test_client_maps_errors(relay: RelayProcess) -> None:
    with RelayClient(f"http://127.0.0.1:{free_port()}", timeout=2) as dead:
        with pytest.raises(RelayUnreachable):
            dead.post(b"x", Group().auth())
    with RelayClient(relay.url) as c:
        with pytest.raises(RelayRefused) as err:
            c.post(b"not an envelope", Group().auth())
        assert err.value.status == 400 and err.value.error == "bad_envelope"
        assert not err.value.retryable


def test_client_through_a_socks_proxy_that_is_down_is_unreachable() -> None:
    proxy = f"socks5h://127.0.0.1:{free_port()}"
    with RelayClient("http://relayexample.onion", proxy=proxy, timeout=2) as c:
        with pytest.raises(RelayUnreachable):
            c.fetch(os.urandom(32))
