"""Files and the library (``file.*``, ``library.*``) in the log: caps every member
checks, removal that forgets the file's key, the library's notes and removals; every
refusal leaves the state as it was."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.org import (
    CellSettings,
    DecisionClosed,
    DecisionOpened,
    EventId,
    InvalidEvent,
    OrgDecodeError,
    StanceCast,
    compute_outcome,
    decode,
    encode,
    receive,
    replay,
)
from hasteh.org.events import (
    Consent,
    Event,
    FileRemoved,
    FileShared,
    LibraryAdded,
    LibraryNoted,
    LibraryRemoved,
)
from hasteh.org.files import CHUNK_SIZE, chunk_count

from .helpers import DAY, Log, cell

KEY = b"\x07" * 32
BLOB = b"\x08" * 16


def hashes(n: int, salt: int = 0) -> tuple[bytes, ...]:
    return tuple(bytes([salt, i % 256, i // 256]) + b"\x00" * 29 for i in range(n))


def shared(size: int = 1000, name: str = "Wages report", salt: int = 0) -> FileShared:
    return FileShared(name, "pdf", "pdf", size, KEY, BLOB, hashes(chunk_count(size), salt))


def refused(log: Log, author: int, body: Event, code: str) -> None:
    before = log.state
    with pytest.raises(InvalidEvent) as caught:
        log.do(author, body)
    assert caught.value.code == code
    assert log.state is before


def test_a_file_is_shared_counted_and_removed_with_its_key() -> None:
    log = cell(3)
    env = log.do(1, shared(3 * CHUNK_SIZE + 1))
    fid = EventId(env.event_id)
    got = log.state.files[fid]
    assert (got.name, got.kind, got.key, len(got.hashes)) == ("Wages report", "pdf", KEY, 4)
    assert got.shared_by_name == log.state.cover_name(1)
    assert log.state.files_total == 3 * CHUNK_SIZE + 1
    item = EventId(log.do(2, LibraryAdded("Wages report", "reading", "read p. 3", fid)).event_id)
    refused(log, 0, FileRemoved(fid), "not-your-file")
    removal = log.envelope(1, FileRemoved(fid))
    received = receive(log.state, removal)
    assert received.forget == (fid,)  # the stored event with the key leaves every vault
    log.state = received.state
    log.envelopes.append(removal)
    assert fid not in log.state.files and log.state.files_total == 0
    assert log.state.library[item].file_id is None and log.state.library[item].note == "read p. 3"
    # A replay of the log without the forgotten event gives the same state.
    kept = [e for e in log.envelopes if e.event_id != fid]
    assert replay(kept) == log.state


def test_caps_are_checked_by_every_member() -> None:
    small = CellSettings(file_cap=10_000, files_cap=15_000)
    log = cell(2, settings=small)
    refused(log, 0, shared(10_001), "file-over-cap")
    log.do(0, shared(9_000))
    refused(log, 1, shared(9_000, salt=1), "files-full")
    log.do(1, shared(6_000, salt=1))


def test_refusals_change_nothing() -> None:
    log = cell(3)
    unknown = EventId(b"\x01" * 16)
    refused(log, 5, shared(), "not-a-member")
    refused(log, 0, FileShared("x", "pdf", "pdf", 10, KEY, BLOB, hashes(2)), "bad-chunk-list")
    same = FileShared("x", "pdf", "pdf", CHUNK_SIZE + 5, KEY, BLOB, (b"\x01" * 32,) * 2)
    refused(log, 0, same, "bad-chunk-list")
    refused(log, 0, shared(name="report\u202etxt.exe"), "name-hidden-character")
    refused(log, 0, shared(name=" report"), "name-unclean")
    refused(log, 0, FileRemoved(unknown), "unknown-file")
    refused(log, 0, LibraryAdded("Capital", "reading", "", unknown), "unknown-file")
    refused(log, 0, LibraryNoted(unknown, "x"), "unknown-item")
    item = EventId(log.do(0, LibraryAdded("Capital", "reading", "ch. 10")).event_id)
    refused(log, 1, LibraryNoted(item, "mine now"), "not-your-item")
    refused(log, 1, LibraryRemoved(item), "not-your-item")
    refused(log, 1, LibraryRemoved(item, unknown), "unknown-decision")
    log.do(0, LibraryNoted(item, "ch. 10 and 11"))
    assert log.state.library[item].note == "ch. 10 and 11"


def test_an_item_is_removed_by_its_author_or_by_an_adopted_decision() -> None:
    log = cell(3)
    mine = EventId(log.do(0, LibraryAdded("Strike diary", "international")).event_id)
    other = EventId(log.do(0, LibraryAdded("Old leaflet", "other")).event_id)
    log.do(0, LibraryRemoved(mine))
    assert mine not in log.state.library
    opened = DecisionOpened("consent", "Remove the old leaflet?", log.now + DAY)
    did = EventId(log.do(1, opened).event_id)
    refused(log, 1, LibraryRemoved(other, did), "motion-not-adopted")  # still open
    for leaf in range(3):
        log.do(leaf, StanceCast(did, Consent()))
    outcome = compute_outcome(log.state.decisions[did])
    log.do(1, DecisionClosed(did, outcome))
    log.do(2, LibraryRemoved(other, did))
    assert log.state.library == type(log.state.library)()


def test_limits_bound_what_a_hostile_member_makes_everyone_store() -> None:
    log = cell(2)
    with pytest.raises(OrgDecodeError):  # more chunks than any file may have
        too_many = FileShared("x", "pdf", "pdf", 10, KEY, BLOB, hashes(257))
        decode(encode(log.envelope(0, too_many)))


@settings(max_examples=60, deadline=None)
@given(size=st.integers(min_value=1, max_value=2**31), n=st.integers(min_value=1, max_value=256))
def test_the_chunk_list_must_fit_the_size(size: int, n: int) -> None:
    log = cell(1, settings=CellSettings(file_cap=60 * 2**20, files_cap=2**31))
    body = FileShared("x", "pdf", "pdf", size, KEY, BLOB, hashes(n))
    fits = n == chunk_count(size) and size <= 60 * 2**20
    before = log.state
    try:
        log.do(0, body)
    except InvalidEvent as exc:
        assert not fits and exc.code in ("bad-chunk-list", "file-over-cap")
        assert log.state is before
    else:
        assert fits
