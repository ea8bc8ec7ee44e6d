"""The key file format: fixed size, parser total over all inputs, slots bound to header."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.vault import keyfile as kf
from hasteh.vault.errors import BadPassphraseFile, CorruptProfile, WeakPassphrase
from hasteh.vault.passphrase import canonical, check_new, read_passphrase_file

from .helpers import FAST


def sample_keyfile() -> kf.KeyFile:
    header = kf.new_header(FAST)
    kek = kf.derive_kek(b"passphrase", header)
    slot = kf.seal_slot(kek, header, 1, kf.SlotRole.PRIMARY, bytes(range(32)))
    return kf.KeyFile(header, (kf.random_slot(), slot))


VALID = sample_keyfile().to_bytes()


def test_round_trip_and_open() -> None:
    parsed = kf.KeyFile.from_bytes(VALID)
    assert parsed.to_bytes() == VALID
    assert len(VALID) == kf.KEYFILE_SIZE == 152
    opened = kf.open_slots(kf.derive_kek(b"passphrase", parsed.header), parsed)
    assert [(s.index, s.role, s.db_key) for s in opened] == [
        (1, kf.SlotRole.PRIMARY, bytes(range(32)))
    ]
    assert kf.open_slots(kf.derive_kek(b"other", parsed.header), parsed) == []


def test_slot_is_bound_to_its_position_and_header() -> None:
    parsed = kf.KeyFile.from_bytes(VALID)
    kek = kf.derive_kek(b"passphrase", parsed.header)
    swapped = kf.KeyFile(parsed.header, (parsed.slots[1], parsed.slots[0]))
    assert kf.open_slots(kek, swapped) == []
    other_params = kf.Header(kf.KdfParams(FAST.memory_kib * 2, 1, 1), parsed.header.salt)
    assert kf.open_slots(kek, kf.KeyFile(other_params, parsed.slots)) == []


@pytest.mark.parametrize(
    ("mutate", "why"),
    [
        (lambda b: b[:-1], "short"),
        (lambda b: b + b"\0", "long"),
        (lambda b: b"XXXX" + b[4:], "magic"),
        (lambda b: b[:4] + b"\x02" + b[5:], "version"),
        (lambda b: b[:5] + (0).to_bytes(4, "big") + b[9:], "memory"),
        (lambda b: b[:5] + (2**32 - 1).to_bytes(4, "big") + b[9:], "huge memory"),
        (lambda b: b[:9] + (0).to_bytes(4, "big") + b[13:], "iterations"),
        (lambda b: b[:13] + b"\x00" + b[14:], "lanes"),
        (lambda b: b"", "empty"),
    ],
)
def test_malformed_key_files_are_corrupt(mutate: object, why: str) -> None:
    with pytest.raises(CorruptProfile):
        kf.KeyFile.from_bytes(mutate(VALID))  # type: ignore[operator]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_parser_random_bytes(data: bytes) -> None:
    try:
        parsed = kf.KeyFile.from_bytes(data)
    except CorruptProfile:
        return
    assert parsed.to_bytes() == data


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, kf.KEYFILE_SIZE - 1), st.integers(0, 255)), max_size=6))
def test_parser_mutations(edits: list[tuple[int, int]]) -> None:
    data = bytearray(VALID)
    for offset, value in edits:
        data[offset] = value
    try:
        parsed = kf.KeyFile.from_bytes(bytes(data))
    except CorruptProfile:
        return
    # A parsed file opens at most the slot it held; mutated slots simply do not open.
    if parsed.header.kdf == FAST:
        opened = kf.open_slots(kf.derive_kek(b"passphrase", parsed.header), parsed)
        assert all(s.db_key == bytes(range(32)) for s in opened)


def test_unused_slot_looks_like_a_used_one() -> None:
    # Both are 61 bytes of uniformly distributed bytes; compare byte histograms roughly.
    header = kf.new_header(FAST)
    kek = os.urandom(32)
    used = b"".join(
        kf.seal_slot(kek, header, 0, kf.SlotRole.PRIMARY, os.urandom(32)) for _ in range(400)
    )
    unused = b"".join(kf.random_slot() for _ in range(400))
    assert len(used) == len(unused)
    for blob in (used, unused):
        counts = [blob.count(bytes([i])) for i in range(256)]
        expected = len(blob) / 256
        chi2 = sum((c - expected) ** 2 / expected for c in counts)
        assert chi2 < 400  # 255 degrees of freedom; p ~ 1e-8 threshold


def test_passphrase_canonical_form() -> None:
    persian = "كتاب ي ۱۲۳"  # Arabic kaf and yeh, Persian digits
    assert canonical(persian) == canonical("کتاب ی 123")
    assert canonical("e\u0301") == canonical("\u00e9")
    assert canonical("a") != canonical("b")
    with pytest.raises(WeakPassphrase):
        check_new("short")
    check_new("long enough")


@given(st.binary(max_size=200))
def test_passphrase_file_parser(data: bytes) -> None:
    try:
        text = read_passphrase_file(data)
    except BadPassphraseFile:
        return
    assert data.decode("utf-8") in (text, text + "\n", text + "\r\n")


def test_passphrase_file_strips_one_newline() -> None:
    assert read_passphrase_file(b"abc def\n") == "abc def"
    assert read_passphrase_file(b"abc def\r\n") == "abc def"
    assert read_passphrase_file(b"abc def\n\n") == "abc def\n"
    with pytest.raises(BadPassphraseFile):
        read_passphrase_file(b"\xff\xfe")
