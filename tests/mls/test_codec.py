"""The TLS presentation codec (RFC 9420 §2.1) under hypothesis.

Properties: varints round-trip and are minimal (§2.1.2); non-minimal encodings and the
reserved `11` prefix are refused; truncation and trailing bytes are refused; optional
presence bytes other than 0/1 are refused. Arbitrary or mutated bytes fed to the readers
either decode or raise `MLSDecodeError` — never any other exception.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from hasteh.mls.codec import (
    MAX_VECTOR_BYTES,
    VARINT_MAX,
    Reader,
    Writer,
    decode_all,
    encode_varint,
    opaque_bytes,
)
from hasteh.mls.errors import MLSDecodeError, UsageError

varints = st.integers(min_value=0, max_value=VARINT_MAX)


def _minimal_length(value: int) -> int:
    return 1 if value < 1 << 6 else 2 if value < 1 << 14 else 4


# --- varint ----------------------------------------------------------------------------


@given(varints)
@example(0)
@example(63)
@example(64)
@example(16383)
@example(16384)
@example(VARINT_MAX)
def test_varint_round_trip_and_minimal(value: int) -> None:
    data = encode_varint(value)
    assert len(data) == _minimal_length(value)
    assert decode_all(data, Reader.varint) == value
    w = Writer()
    w.varint(value)
    assert w.getvalue() == data


@given(st.integers(min_value=0, max_value=(1 << 14) - 1), st.sampled_from([2, 4]))
def test_non_minimal_varint_rejected(value: int, length: int) -> None:
    """Any value encoded with a longer prefix than it needs is refused."""
    assume(length > _minimal_length(value))
    prefix = {2: 0x4000, 4: 0x80000000}[length]
    data = (value | prefix).to_bytes(length, "big")
    with pytest.raises(MLSDecodeError, match="minimal"):
        decode_all(data, Reader.varint)


@given(st.binary(min_size=7, max_size=7), st.integers(0, 0x3F))
def test_varint_11_prefix_rejected(rest: bytes, low: int) -> None:
    with pytest.raises(MLSDecodeError, match="11 prefix"):
        Reader(bytes([0xC0 | low]) + rest).varint()


@given(st.integers(min_value=VARINT_MAX + 1, max_value=1 << 64) | st.integers(max_value=-1))
def test_varint_out_of_range_is_usage_error(value: int) -> None:
    with pytest.raises(UsageError):
        encode_varint(value)


@given(varints)
def test_varint_truncated(value: int) -> None:
    data = encode_varint(value)
    for cut in range(len(data)):
        with pytest.raises(MLSDecodeError):
            decode_all(data[:cut], Reader.varint)


# --- opaque, vectors, optional, trailing bytes -----------------------------------------


@given(st.binary(max_size=20000))
def test_opaque_round_trip(data: bytes) -> None:
    w = Writer()
    w.opaque(data)
    encoded = w.getvalue()
    assert encoded == opaque_bytes(data)
    assert decode_all(encoded, Reader.opaque) == data


@given(st.binary(min_size=1, max_size=300), st.data())
def test_opaque_truncated(data: bytes, draw: st.DataObject) -> None:
    encoded = opaque_bytes(data)
    cut = draw.draw(st.integers(0, len(encoded) - 1))
    with pytest.raises(MLSDecodeError):
        decode_all(encoded[:cut], Reader.opaque)


@given(st.binary(max_size=300), st.binary(min_size=1, max_size=20))
def test_trailing_bytes_rejected(data: bytes, extra: bytes) -> None:
    with pytest.raises(MLSDecodeError, match="trailing"):
        decode_all(opaque_bytes(data) + extra, Reader.opaque)


def _write_u16(w: Writer, x: int) -> None:
    w.u16(x)


def _write_opaque(w: Writer, x: bytes) -> None:
    w.opaque(x)


@given(st.lists(st.integers(0, 0xFFFF), max_size=200))
def test_vector_round_trip(items: list[int]) -> None:
    w = Writer()
    w.vector(items, _write_u16)
    assert decode_all(w.getvalue(), lambda r: r.vector(Reader.u16)) == items


@given(st.lists(st.binary(max_size=70), max_size=30))
def test_nested_vector_round_trip(items: list[bytes]) -> None:
    w = Writer()
    w.vector(items, _write_opaque)
    assert decode_all(w.getvalue(), lambda r: r.vector(Reader.opaque)) == items


@given(st.lists(st.integers(0, 0xFFFF), min_size=1, max_size=50))
def test_vector_whose_items_overrun_its_length(items: list[int]) -> None:
    """A byte length that splits an item is refused (the item reads past the end)."""
    body = b"".join(x.to_bytes(2, "big") for x in items)
    data = encode_varint(len(body) - 1) + body[:-1]
    with pytest.raises(MLSDecodeError):
        decode_all(data, lambda r: r.vector(Reader.u16))


@given(st.none() | st.binary(max_size=100))
def test_optional_round_trip(value: bytes | None) -> None:
    w = Writer()
    w.optional(value, _write_opaque)
    assert decode_all(w.getvalue(), lambda r: r.optional(Reader.opaque)) == value


@given(st.integers(2, 255), st.binary(max_size=10))
def test_optional_presence_byte_above_one_rejected(flag: int, rest: bytes) -> None:
    with pytest.raises(MLSDecodeError, match="presence"):
        Reader(bytes([flag]) + rest).optional(Reader.opaque)


@given(st.integers(0, 255))
def test_boolean(flag: int) -> None:
    if flag <= 1:
        assert decode_all(bytes([flag]), Reader.boolean) is bool(flag)
    else:
        with pytest.raises(MLSDecodeError):
            decode_all(bytes([flag]), Reader.boolean)


@given(st.integers(0, 2**64 - 1), st.sampled_from([1, 2, 4, 8]))
def test_fixed_width_integers(value: int, size: int) -> None:
    w = Writer()
    if value >= 1 << (8 * size):
        with pytest.raises(UsageError):
            w.uint(value, size)
        return
    w.uint(value, size)
    data = w.getvalue()
    assert len(data) == size
    assert decode_all(data, lambda r: r.uint(size)) == value
    with pytest.raises(MLSDecodeError):
        decode_all(data[:-1], lambda r: r.uint(size))


def test_hostile_lengths_refused_without_allocating() -> None:
    huge = encode_varint(MAX_VECTOR_BYTES + 1)
    with pytest.raises(MLSDecodeError, match="limit"):
        Reader(huge + b"\x00" * 8).opaque()
    with pytest.raises(MLSDecodeError, match="limit"):
        Reader(huge).vector(Reader.u8)
    with pytest.raises(MLSDecodeError, match="truncated"):
        Reader(encode_varint(MAX_VECTOR_BYTES)).vector(Reader.u8)


def test_fixed_writer_checks_length() -> None:
    with pytest.raises(UsageError):
        Writer().fixed(b"abc", 4)
    with pytest.raises(MLSDecodeError):
        Reader(b"abc").fixed(4)


# --- arbitrary and mutated input: decode or MLSDecodeError, nothing else ---------------


def _struct(r: Reader) -> tuple[Any, ...]:
    """A structure exercising every reader: like a small MLS message."""
    return (
        r.u16(),
        r.opaque(),
        r.vector(lambda s: (s.u8(), s.opaque())),
        r.optional(lambda s: s.vector(Reader.u32)),
        r.boolean(),
        r.fixed(3),
        r.varint(),
    )


def _write_pair(w: Writer, pair: tuple[int, bytes]) -> None:
    w.u8(pair[0])
    w.opaque(pair[1])


def _write_struct(w: Writer, v: tuple[Any, ...]) -> None:
    version, blob, pairs, maybe, flag, fixed, n = v
    w.u16(version)
    w.opaque(blob)
    w.vector(pairs, _write_pair)
    w.optional(maybe, lambda s, xs: s.vector(xs, lambda t, x: t.u32(x)))
    w.boolean(flag)
    w.fixed(fixed, 3)
    w.varint(n)


structs = st.tuples(
    st.integers(0, 0xFFFF),
    st.binary(max_size=100),
    st.lists(st.tuples(st.integers(0, 255), st.binary(max_size=20)), max_size=5),
    st.none() | st.lists(st.integers(0, 2**32 - 1), max_size=5),
    st.booleans(),
    st.binary(min_size=3, max_size=3),
    varints,
)

#: Each reader with the writer of the same shape: whatever decodes must encode back to
#: exactly the bytes it came from (the codec is canonical: minimal varints, no slack).
CODECS: list[tuple[Callable[[Reader], Any], Callable[[Writer, Any], None]]] = [
    (Reader.opaque, Writer.opaque),
    (lambda r: r.vector(Reader.opaque), lambda w, v: w.vector(v, Writer.opaque)),
    (
        lambda r: r.vector(lambda s: s.vector(Reader.u16)),
        lambda w, v: w.vector(v, lambda t, x: t.vector(x, Writer.u16)),
    ),
    (lambda r: r.optional(Reader.opaque), lambda w, v: w.optional(v, Writer.opaque)),
    (Reader.varint, Writer.varint),
    (_struct, _write_struct),
]


@settings(max_examples=300)
@given(st.binary(max_size=400), st.sampled_from(range(len(CODECS))))
def test_random_bytes_decode_or_raise_decode_error(data: bytes, which: int) -> None:
    read, write = CODECS[which]
    try:
        value = decode_all(data, read)
    except MLSDecodeError:
        value = None
    else:
        w = Writer()
        write(w, value)
        assert w.getvalue() == data
    # the same bytes read piecewise: either a decode error, or every byte consumed
    r = Reader(data)
    try:
        while r.remaining:
            r.opaque()
    except MLSDecodeError:
        return
    assert r.remaining == 0


@given(structs)
def test_struct_round_trip(value: tuple[Any, ...]) -> None:
    w = Writer()
    _write_struct(w, value)
    decoded = decode_all(w.getvalue(), _struct)
    assert decoded == (
        value[0],
        value[1],
        [tuple(p) for p in value[2]],
        value[3],
        value[4],
        value[5],
        value[6],
    )


@settings(max_examples=300)
@given(structs, st.data())
def test_mutated_encodings_decode_or_raise_decode_error(
    value: tuple[Any, ...], draw: st.DataObject
) -> None:
    w = Writer()
    _write_struct(w, value)
    data = bytearray(w.getvalue())
    for _ in range(draw.draw(st.integers(1, 4))):
        op = draw.draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate"]))
        if not data:
            break
        i = draw.draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] ^= 1 << draw.draw(st.integers(0, 7))
        elif op == "set":
            data[i] = draw.draw(st.integers(0, 255))
        elif op == "insert":
            data.insert(i, draw.draw(st.integers(0, 255)))
        elif op == "delete":
            del data[i]
        else:
            del data[i:]
    # A decoded mutation re-encodes to the very same bytes: the encoding is canonical.
    try:
        decoded = decode_all(bytes(data), _struct)
    except MLSDecodeError:
        return
    w2 = Writer()
    _write_struct(w2, decoded)
    assert w2.getvalue() == bytes(data)


@given(st.binary(max_size=40))
@example(b"\x04\x00\x01\xff\xff")
@example(b"\x03\x00\x01\x02")
@example(b"\x40\x02\x0a\x0a")
@example(b"\x06\x00\x01")
def test_u16_vector_reads_what_the_generic_vector_reads(data: bytes) -> None:
    """The one-step uint16 vector (Capabilities) gives the generic reader's values and
    position, or an `MLSDecodeError` exactly when the generic one raises one."""

    def run(read: Callable[[Reader], Any]) -> tuple[Any, int] | type[Exception]:
        r = Reader(data)
        try:
            return tuple(read(r)), r.position
        except MLSDecodeError:
            return MLSDecodeError

    assert run(Reader.u16_vector) == run(lambda r: r.vector(Reader.u16))
