"""Courier bundles: A exports with no network, B (not in the group) imports and later
forwards to the relay, C (the recipient) receives; a tampered bundle is refused whole."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from hasteh import vault
from hasteh.envelope import Envelope, Kind, WriteAuth, open_payload, seal
from hasteh.i18n import persian_digits
from hasteh.transport import courier, registry
from hasteh.transport import outbox as ob
from hasteh.transport.errors import BundleRefused
from hasteh.transport.outbox import Arrival
from hasteh.transport.relay_client import RelayClient
from hasteh.vault import Connection
from hasteh.vault import outbox as voutbox
from tests.relay.harness import Group, RelayProcess

Profiles = Callable[[str], vault.Vault]
CHEAP = courier.KdfCost(memory_kib=8 * 1024, iterations=1, lanes=1)


def env(mailbox: bytes, payload: bytes) -> Envelope:
    return seal(kind=Kind.MESSAGE, mailbox=mailbox, payload=payload, rng=os.urandom)


G = Group()  # the group whose write auth the tests' envelopes carry


def auth(relay: str) -> WriteAuth:
    return G.auth()


def export(profile: vault.Vault, code: str, **kw: object) -> bytes:
    data, _ = courier.export_bundle(profile, code=code, rng=os.urandom, cost=CHEAP, **kw)  # type: ignore[arg-type]
    return data


def test_round_trip_through_a_courier_outside_the_group(
    make_profile: Profiles, relay: RelayProcess
) -> None:
    a, b, c = make_profile("a"), make_profile("b"), make_profile("c")
    group, other = G.mailbox, os.urandom(32)
    sent = [env(group, b"strike at dawn %d" % i) for i in range(5)]
    a.write(lambda conn: [ob.stage(conn, e, [relay.url], now=0.0, auth=auth) for e in sent])
    a.write(lambda conn: ob.stage(conn, env(other, b"not chosen"), [relay.url], now=0.0, auth=auth))
    code = courier.new_code(os.urandom)
    data = export(a, code, mailboxes={group})
    assert len(data) == 65536  # one bucket, whatever it carries

    # B uses no relay yet: nothing is queued until B agrees to contact the bundle's relay.
    report = courier.import_bundle(b, data, code=code, now=1.0, cost=CHEAP, known_relays=set())
    assert (len(report.for_me), report.queued, report.known) == (0, 0, 0)
    assert report.unconfirmed == {relay.url: 5}
    assert b.read(voutbox.counts)["queued"] == 0
    confirmed = courier.confirm_relays(b, report, [relay.url], now=1.0)
    assert (confirmed.queued, confirmed.known) == (5, 0)
    known = b.read(courier.profile_relays)
    again = courier.import_bundle(b, data, code=code, now=2.0, cost=CHEAP, known_relays=known)
    assert (again.queued, again.known, again.unconfirmed) == (0, 5, {})

    delivered = ob.deliver_due(b, lambda url: RelayClient(url), now=3.0, rng=lambda: 0.0)
    assert delivered.sent == 5

    c.write(lambda conn: registry.add_mailbox(conn, group, [relay.url]))
    got: list[bytes] = []

    def sink(conn: Connection, e: Envelope, arrival: Arrival) -> None:
        got.append(open_payload(e))

    with RelayClient(relay.url) as client:
        ob.fetch_new(c, client, relay.url, group, now=4.0, sink=sink, auth=lambda r, m: G.auth())
    assert got == [b"strike at dawn %d" % i for i in range(5)]


def test_import_by_a_member_delivers_once(make_profile: Profiles, relay: RelayProcess) -> None:
    a, c = make_profile("a"), make_profile("c")
    group = G.mailbox
    a.write(lambda conn: ob.stage(conn, env(group, b"for c"), [relay.url], now=0.0, auth=auth))
    c.write(lambda conn: registry.add_mailbox(conn, group, [relay.url]))
    data = export(a, "our cell's agreed passphrase")
    handed: list[bytes] = []
    arrivals: list[Arrival] = []

    def sink(conn: Connection, e: Envelope, arrival: Arrival) -> None:
        handed.append(open_payload(e))
        arrivals.append(arrival)

    known = c.read(courier.profile_relays)
    report = courier.import_bundle(
        c,
        data,
        code="our cell's agreed passphrase",
        now=1.0,
        sink=sink,
        cost=CHEAP,
        known_relays=known,
    )
    assert [open_payload(e) for e in report.for_me] == [b"for c"] and handed == [b"for c"]
    assert arrivals == [Arrival("", 0, None)] and report.queued == 1
    courier.import_bundle(
        c,
        data,
        code="our cell's agreed passphrase",
        now=2.0,
        sink=sink,
        cost=CHEAP,
        known_relays=known,
    )
    assert handed == [b"for c"]  # seen once


def _flip(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1 :]


def test_tampered_bundle_is_refused_whole(make_profile: Profiles, relay: RelayProcess) -> None:
    a, b = make_profile("a"), make_profile("b")
    group = G.mailbox
    a.write(
        lambda conn: [
            ob.stage(conn, env(group, b"m%d" % i), [relay.url], now=0.0, auth=auth)
            for i in range(3)
        ]
    )
    code = courier.new_code(os.urandom)
    data = export(a, code)
    bad = [
        _flip(data, 0),  # salt
        _flip(data, 20),  # nonce
        _flip(data, 100),  # ciphertext
        _flip(data, len(data) - 1),  # tag
        data[:-1],
        data + b"\x00",
        data[: len(data) // 2] * 2,
    ]
    for candidate in bad:
        with pytest.raises(BundleRefused) as err:
            courier.import_bundle(b, candidate, code=code, now=1.0, cost=CHEAP, known_relays=())
        assert "refused whole" in str(err.value)
    with pytest.raises(BundleRefused):
        courier.import_bundle(
            b, data, code=courier.new_code(os.urandom), now=1.0, cost=CHEAP, known_relays=()
        )
    assert b.read(voutbox.counts)["queued"] == 0  # nothing imported


def test_authenticated_but_malformed_contents_are_refused() -> None:
    # Made with the code, yet not a valid bundle body (e.g. by a hostile tool).
    code = "XXXX-XXXX-XXXX-XXXX-XXXX"
    good = courier.seal_bundle([], code=code, rng=os.urandom, cost=CHEAP)
    assert courier.open_bundle(good, code=code, cost=CHEAP) == []
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    salt, nonce = os.urandom(16), os.urandom(12)
    key = courier._key(code, salt, CHEAP)
    plain = b"\x00\x00\x00\x03abc" + bytes(65536 - 28 - 16 - 7)
    forged = salt + nonce + ChaCha20Poly1305(key).encrypt(nonce, plain, courier.LABEL + salt)
    with pytest.raises(BundleRefused):
        courier.open_bundle(forged, code=code, cost=CHEAP)


def test_size_reveals_only_a_bucket(make_profile: Profiles) -> None:
    a = make_profile("a")
    group = os.urandom(32)
    sizes = []
    for n in (1, 40):

        def add(conn: Connection, n: int = n) -> None:
            for _ in range(n):
                ob.stage(conn, env(group, os.urandom(100)), ["http://r"], now=0.0, auth=auth)

        a.write(add)
        sizes.append(len(export(a, "code")))
    assert sizes == [65536, 65536]
    a.write(
        lambda conn: [
            ob.stage(conn, env(group, os.urandom(60000)), ["http://r"], now=0.0, auth=auth)
            for _ in range(3)
        ]
    )
    assert len(export(a, "code")) in courier.FILE_BUCKETS[1:]


def test_codes_forgive_case_dashes_and_persian_digits() -> None:
    code = courier.new_code(os.urandom)
    assert len(code) == 24 and code.count("-") == 4
    typed = persian_digits(code.lower().replace("-", " "))
    assert courier.canonical_code(typed) == courier.canonical_code(code)


def _forge(entries: list[object], code: str) -> bytes:
    """A bundle made with the code by a hostile tool (not by seal_bundle, which caps)."""
    import struct

    import msgspec
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    body = msgspec.msgpack.encode([courier.VERSION, entries])
    size = next(b for b in courier.FILE_BUCKETS if b >= len(body) + courier.OVERHEAD)
    plain = struct.pack(">I", len(body)) + body
    plain += bytes(size - 16 - 12 - 16 - len(plain))
    salt, nonce = os.urandom(16), os.urandom(12)
    key = courier._key(code, salt, CHEAP)
    return salt + nonce + ChaCha20Poly1305(key).encrypt(nonce, plain, courier.LABEL + salt)


def test_a_bundle_cannot_make_the_importer_beacon_thousands_of_relays(
    make_profile: Profiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack: one small bundle listing 3,001 relays per envelope, so that the next
    sync calls every one of them (and tells the maker the importer's address)."""
    code = "XXXX-XXXX-XXXX-XXXX-XXXX"
    one = env(G.mailbox, b"bait").to_bytes()
    stored = ob.encode_auth(G.auth())
    urls = [f"http://beacon{i}.example" for i in range(3001)]
    with pytest.raises(courier.CourierError) as err:
        courier.open_bundle(
            _forge([[urls, one, [stored] * len(urls)]], code), code=code, cost=CHEAP
        )
    assert err.value.reason == "too-many-relays"
    many = [[[urls[0]], env(G.mailbox, b"%d" % i).to_bytes(), [stored]] for i in range(4097)]
    with pytest.raises(courier.CourierError) as err:
        courier.open_bundle(_forge(many, code), code=code, cost=CHEAP)
    assert err.value.reason == "too-many-entries"
    with monkeypatch.context() as m:  # the real cap is 256 MiB: too much memory for a test
        m.setattr(courier, "MAX_BUNDLE_BYTES", 65536)
        with pytest.raises(courier.CourierError) as err:
            courier.open_bundle(bytes(65536 * 2), code=code, cost=CHEAP)
    assert err.value.reason == "too-large"
    # Within the caps, relays the importer does not use wait for the user's yes.
    b = make_profile("b")
    data = _forge([[urls[:8], one, [stored] * 8]], code)
    report = courier.import_bundle(b, data, code=code, now=1.0, cost=CHEAP, known_relays={urls[0]})
    assert report.queued == 1 and set(report.unconfirmed) == set(urls[1:8])
    assert [i.relay for i in b.read(voutbox.items)] == [urls[0]]
    extra = courier.confirm_relays(b, report, [urls[3], "http://not-offered.example"], now=2.0)
    assert extra.queued == 1
    assert sorted(i.relay for i in b.read(voutbox.items)) == sorted([urls[0], urls[3]])
    with pytest.raises(courier.CourierError):
        courier.seal_bundle(
            [courier.BundleEntry(env(G.mailbox, b"x"), tuple(urls[:9]), (G.auth(),) * 9)],
            code=code,
            rng=os.urandom,
            cost=CHEAP,
        )


def test_bundle_carries_each_relays_write_auth(make_profile: Profiles) -> None:
    a = make_profile("a")
    other = Group()
    e = env(G.mailbox, b"two relays")
    a.write(
        lambda conn: ob.stage(
            conn,
            e,
            ["http://r1", "http://r2"],
            now=0.0,
            auth=lambda r: G.auth() if r == "http://r1" else other.auth(next_key=None),
        )
    )
    [entry] = courier.open_bundle(export(a, "code"), code="code", cost=CHEAP)
    assert entry.relays == ("http://r1", "http://r2")
    assert entry.auth_for("http://r1") == G.auth() and entry.auth_for("http://r2") == other.auth()
