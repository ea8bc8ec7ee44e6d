"""The catch-up's fast paths give exactly what the general paths give, refusals included.

Each fast path (docs/benchmarks.md, "Catch-up: the receive path around MLS and org") is
compared with the general path it replaces, on valid and hostile inputs alike: a bad
input must be refused with the same error as before, a good one must give an equal value.
"""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.envelope import (
    BUCKETS,
    HEADER_SIZE,
    MAILBOX_SIZE,
    Envelope,
    EnvelopeError,
    Kind,
    envelope_id,
)

_HEADER = struct.Struct(">BBBBQ32s16s")


def general_from_bytes(data: bytes) -> Envelope:
    """The decoder as it was before its fast path: every check of the header, then the
    checked constructor (`Envelope.__post_init__`), the id computed from the encoding."""
    if len(data) < HEADER_SIZE:
        raise EnvelopeError("truncated", f"shorter than the {HEADER_SIZE}-byte header")
    version, kind, bucket, reserved, epoch, mailbox, nonce = _HEADER.unpack_from(data)
    if version != 1:
        raise EnvelopeError("bad-version", f"version {version} is not supported")
    if kind not in Kind._value2member_map_:
        raise EnvelopeError("bad-kind", f"unknown kind {kind}")
    if bucket >= len(BUCKETS):
        raise EnvelopeError("bad-bucket", f"unknown bucket {bucket}")
    if reserved != 0:
        raise EnvelopeError("bad-reserved", "reserved byte must be zero")
    expected = HEADER_SIZE + BUCKETS[bucket]
    if len(data) != expected:
        raise EnvelopeError("bad-length", f"{len(data)} bytes, bucket says {expected}")
    return Envelope(Kind(kind), epoch, mailbox, nonce, data[HEADER_SIZE:])


def outcome(decode: object, data: bytes) -> tuple[str, object]:
    try:
        env = decode(data)  # type: ignore[operator]
    except EnvelopeError as exc:
        return ("refused", (exc.code, exc.detail, type(exc)))
    return ("decoded", (env, env.id, env.kind.__class__, env.to_bytes()))


#: Headers near every boundary: versions, kinds, buckets, the reserved byte, epochs of
#: messages and commits, and nonces whose block counter leaves no room for the body.
headers = st.builds(
    _HEADER.pack,
    st.sampled_from([0, 1, 1, 1, 2, 255]),
    st.sampled_from([0, 1, 2, 3, 4, 255]),
    st.sampled_from([0, 0, 1, 2, 5, 6, 255]),
    st.sampled_from([0, 0, 0, 1]),
    st.one_of(st.just(0), st.integers(0, 2**64 - 1)),
    st.binary(min_size=MAILBOX_SIZE, max_size=MAILBOX_SIZE),
    st.one_of(
        st.binary(min_size=16, max_size=16),
        st.builds(
            lambda c, rest: c.to_bytes(4, "little") + rest,
            st.integers(2**32 - 5000, 2**32 - 1),
            st.binary(min_size=12, max_size=12),
        ),
    ),
)


@st.composite
def envelopes(draw: st.DrawFn) -> bytes:
    head = draw(headers)
    bucket = head[2]
    size = BUCKETS[bucket] if bucket < len(BUCKETS) else 256
    size += draw(st.sampled_from([0, 0, 0, -1, 1]))
    return head + bytes(max(size, 0))


@settings(max_examples=400, deadline=None)
@given(data=st.one_of(envelopes(), st.binary(max_size=400)))
def test_decoding_matches_the_checked_constructor(data: bytes) -> None:
    assert outcome(Envelope.from_bytes, data) == outcome(general_from_bytes, data)


@settings(max_examples=100, deadline=None)
@given(data=envelopes())
def test_the_id_given_at_decoding_is_the_hash_of_the_bytes(data: bytes) -> None:
    try:
        env = Envelope.from_bytes(data)
    except EnvelopeError:
        return
    assert env.id == envelope_id(data) == envelope_id(env.to_bytes())
    assert env == general_from_bytes(data) and hash(env) == hash(general_from_bytes(data))


# --- the epoch of a group message, read at its place ------------------------------------

_VERSIONS = st.sampled_from([b"\x00\x01", b"\x00\x01", b"\x00\x02", b"\x01\x01"])
_FORMATS = st.sampled_from([b"\x00\x01", b"\x00\x02", b"\x00\x02", b"\x00\x03", b"\x00\x05"])


@st.composite
def group_messages(draw: st.DrawFn) -> tuple[bytes, bytes]:
    """A message header for a group id (ours or another, one-byte or longer length
    prefixes, cut anywhere) and the group id we ask with."""
    ours = draw(st.binary(min_size=0, max_size=70))
    named = draw(st.one_of(st.just(ours), st.binary(max_size=70)))
    if len(named) < 64 and draw(st.booleans()):
        length = bytes([len(named)])
    else:  # a two-byte varint, minimal or not (§2.1.2)
        length = (0x4000 | len(named)).to_bytes(2, "big")
    wire = draw(_VERSIONS) + draw(_FORMATS) + length + named
    wire += draw(st.binary(min_size=0, max_size=20))
    cut = draw(st.integers(0, len(wire)))
    return (wire if draw(st.booleans()) else wire[:cut]), ours


@settings(max_examples=500, deadline=None)
@given(case=st.one_of(group_messages(), st.tuples(st.binary(max_size=60), st.binary(max_size=40))))
def test_the_epoch_at_its_place_is_the_peeked_epoch(case: tuple[bytes, bytes]) -> None:
    from hasteh.app.runtime import message_epoch
    from hasteh.mls.framing import peek_epoch

    wire, group_id = case
    assert message_epoch(wire, group_id) == peek_epoch(wire)


def test_the_epoch_of_a_real_message_is_read_at_its_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a real PrivateMessage of a two-member group, the fixed place is the one taken
    (not the fallback) and gives the group's epoch; another group's id falls back."""
    import os

    import hasteh.app.runtime as rt
    from hasteh.mls.cipher_suite import get_suite
    from hasteh.mls.credential import BasicCredential
    from hasteh.mls.group import create_group
    from hasteh.mls.key_package_ops import create_key_package
    from hasteh.mls.proposals import Add

    suite = get_suite(1)

    def package(name: bytes):  # type: ignore[no-untyped-def]
        sk, _ = suite.generate_signature_key(os.urandom)
        return create_key_package(1, BasicCredential(name), sk, rng=os.urandom, now=1_800_000_000)

    alice = create_group(1, b"fast-path-group", package(b"a"), rng=os.urandom)
    out = alice.commit([Add(package(b"b").key_package)], rng=os.urandom, now=1_800_000_000)
    alice = alice.merge_pending(out.pending)
    wire = alice.protect(b"hello", rng=os.urandom)
    real = rt.peek_epoch
    calls: list[bytes] = []

    def counted(w: bytes) -> int | None:
        calls.append(w)
        return real(w)

    monkeypatch.setattr(rt, "peek_epoch", counted)
    assert rt.message_epoch(wire, alice.group_id) == alice.epoch == 1 == real(wire)
    assert calls == []
    assert rt.message_epoch(wire, b"another group id") == 1
    assert calls == [wire]


# --- events appended as rows ------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    events=st.lists(
        st.tuples(
            st.integers(0, 6),  # seq: repeats are conflicts
            st.sampled_from([b"a" * 16, b"b" * 16, b"c" * 16, b"d" * 16]),  # ids: repeats skip
            st.binary(max_size=40),
            st.one_of(st.none(), st.integers(0, 2**40), st.floats(0, 1e12)),
        ),
        max_size=6,
    )
)
def test_rows_append_as_events_do(tmp_path_factory: pytest.TempPathFactory, events: list) -> None:  # type: ignore[type-arg]
    """`append_rows` stores exactly what `append_many` stores (the same rows, types and
    all), returns the same count, and refuses a taken seq the same way, rolling back."""
    import os

    from hasteh.vault import events as vevents
    from hasteh.vault.db import Vault, create_database, open_database
    from hasteh.vault.errors import SequenceConflict

    group = b"g" * 16
    batch = [
        vevents.Event(group, seq, eid, "message-posted", body, 1.5, expires)
        for seq, eid, body, expires in events
    ]
    outcomes = []
    for append in (
        lambda c: vevents.append_many(c, batch),
        lambda c: vevents.append_rows(c, [e.row() for e in batch]),
    ):
        home = tmp_path_factory.mktemp("v")
        key = os.urandom(32)
        create_database(home / "v.db", key)
        vault = Vault(open_database(home / "v.db", key), home)
        try:
            result: object = vault.write(append)
        except SequenceConflict:
            result = "conflict"
        rows = vault.read(
            lambda c: [
                (tuple(r), tuple(type(x).__name__ for x in r))
                for r in c.execute("SELECT * FROM events ORDER BY seq")
            ]
        )
        vault.close()
        outcomes.append((result, rows))
    assert outcomes[0] == outcomes[1]


# --- the relay's page, cut to its byte cap ----------------------------------------------


def general_fit(records: list, cap: int) -> list:  # type: ignore[type-arg]
    """The cut as it was: the records whose base64 and framing fit in `cap` (at least one)."""
    from hasteh.relay.app import _PER_ENVELOPE

    kept: list = []  # type: ignore[type-arg]
    used = 0
    for record in records:
        cost = 4 * ((len(record.data) + 2) // 3) + _PER_ENVELOPE
        if kept and used + cost > cap:
            break
        kept.append(record)
        used += cost
    return kept


@settings(max_examples=300, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 5000), max_size=30),
    cap=st.one_of(st.integers(0, 40_000), st.just(4 * 1024 * 1024)),
)
def test_the_page_cut_is_the_general_cut(sizes: list[int], cap: int) -> None:
    from hasteh.relay.app import _encoded_size, _fit
    from hasteh.relay.storage import Record

    records = [Record(i + 1, bytes(n), 1_800_000_000) for i, n in enumerate(sizes)]
    kept, size = _fit(records, cap)
    assert kept == general_fit(records, cap)
    assert size == _encoded_size(kept)


# --- the seen-set, marked a page at a time ----------------------------------------------


def general_mark_seen_many(conn: object, envelope_ids: list[bytes], now: float) -> list[bool]:
    """The seen-set's page marking as it was: look the ids up, insert the others."""
    unique = list(dict.fromkeys(envelope_ids))
    before: set[bytes] = set()
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        sql = f"SELECT envelope_id FROM seen WHERE envelope_id IN ({marks})"
        before.update(bytes(row[0]) for row in conn.execute(sql, chunk))  # type: ignore[attr-defined]
    fresh = [eid for eid in unique if eid not in before]
    conn.executemany(  # type: ignore[attr-defined]
        "INSERT INTO seen (envelope_id, seen_at) VALUES (?, ?)", [(eid, now) for eid in fresh]
    )
    pending = set(fresh)
    out = []
    for eid in envelope_ids:
        out.append(eid in pending)
        pending.discard(eid)
    return out


_IDS = st.sampled_from([bytes([i]) * 32 for i in range(12)])


@settings(max_examples=30, deadline=None)
@given(
    earlier=st.lists(st.lists(_IDS, max_size=8), max_size=3),
    page=st.lists(_IDS, max_size=20),
    many=st.booleans(),
)
def test_marking_a_page_seen_is_the_general_marking(
    tmp_path_factory: pytest.TempPathFactory,
    earlier: list[list[bytes]],
    page: list[bytes],
    many: bool,
) -> None:
    """Same answers (new or seen, a repeat in the page new only once) and the same
    seen-set afterwards, after earlier pages; also across the insert's chunks."""
    import os

    from hasteh.vault import cursors
    from hasteh.vault.db import Vault, create_database, open_database

    if many:  # more ids than one statement's chunk, some seen before
        page = page + [os.urandom(32) for _ in range(1100)] + page
    outcomes = []
    for mark in (cursors.mark_seen_many, general_mark_seen_many):
        home = tmp_path_factory.mktemp("v")
        key = os.urandom(32)
        create_database(home / "v.db", key)
        vault = Vault(open_database(home / "v.db", key), home)
        answers = [
            vault.write(lambda c, ids=ids, t=t, mark=mark: mark(c, ids, float(t)))
            for t, ids in enumerate([*earlier, page])
        ]
        table = vault.read(
            lambda c: sorted((bytes(r[0]), r[1]) for r in c.execute("SELECT * FROM seen"))
        )
        vault.close()
        outcomes.append((answers, table))
    assert outcomes[0] == outcomes[1]


# --- the mask, one ChaCha20 context per mailbox -------------------------------------------


def general_mask(mailbox: bytes, nonce: bytes, data: bytes) -> bytes:
    """The mask as it was: a new ChaCha20 context for every envelope."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

    from hasteh.envelope import _mask_key

    cipher = Cipher(algorithms.ChaCha20(_mask_key(mailbox), nonce), mode=None)
    return cipher.encryptor().update(data)


def mask_outcome(mask: object, mailbox: bytes, nonce: bytes, data: bytes) -> object:
    try:
        return mask(mailbox, nonce, data)  # type: ignore[operator]
    except ValueError as exc:
        return ("refused", str(exc))


_NONCES = st.one_of(
    st.binary(min_size=16, max_size=16),
    st.builds(  # the block counter near its end: some fit, some overflow
        lambda c, rest: c.to_bytes(4, "little") + rest,
        st.integers(2**32 - 70, 2**32 - 1),
        st.binary(min_size=12, max_size=12),
    ),
)


@settings(max_examples=200, deadline=None)
@given(
    uses=st.lists(
        st.tuples(
            st.sampled_from([b"\x01" * 32, b"\x02" * 32, b"\x03" * 32]),
            _NONCES,
            st.binary(max_size=600),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_a_kept_context_masks_as_a_new_one(uses: list[tuple[bytes, bytes, bytes]]) -> None:
    """Any sequence of envelopes over a few mailboxes, partial blocks and refused
    (overflowing) nonces included: each is masked as a fresh context would, so nothing
    of one envelope's keystream position carries into the next."""
    from hasteh.envelope import _mask

    for mailbox, nonce, data in uses:
        assert mask_outcome(_mask, mailbox, nonce, data) == mask_outcome(
            general_mask, mailbox, nonce, data
        )


def test_two_threads_masking_at_once_each_get_their_own_stream() -> None:
    """The web face and a background sync may unmask for one mailbox at the same time:
    each envelope's nonce stays with its own `update`."""
    import os
    import threading

    from hasteh.envelope import _mask

    mailbox = os.urandom(32)
    work = [(bytes(4) + os.urandom(12), os.urandom(1000)) for _ in range(64)]
    expected = [general_mask(mailbox, nonce, data) for nonce, data in work]
    start = threading.Barrier(4)
    wrong: list[int] = []

    def run() -> None:
        start.wait()
        for _ in range(50):
            for index, (nonce, data) in enumerate(work):
                if _mask(mailbox, nonce, data) != expected[index]:
                    wrong.append(index)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
