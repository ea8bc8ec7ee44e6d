"""TLS presentation language codec as MLS uses it (RFC 9420 §2.1).

A `Reader` consumes bytes and raises `MLSDecodeError` on anything malformed: truncation,
non-minimal or `11`-prefixed variable-length integers (§2.1.2), and trailing bytes
(`Reader.finish`). A `Writer` appends encodings. Structures elsewhere in `hasteh.mls`
implement `encode(w: Writer)` and `decode(r: Reader)` on top of these primitives, so
that decode-then-encode reproduces the input bytes exactly.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar, runtime_checkable

from .errors import MLSDecodeError, UsageError

T = TypeVar("T")

#: Largest value a QUIC-style varint can carry (30 bits).
VARINT_MAX = (1 << 30) - 1

#: Upper bound on any single opaque or vector we accept while decoding. Everything
#: hasteh exchanges is far smaller; this keeps hostile lengths from allocating memory.
MAX_VECTOR_BYTES = 1 << 24


class Reader:
    """A cursor over bytes; every read checks bounds."""

    __slots__ = ("_data", "_end", "_pos")

    def __init__(self, data: bytes, pos: int = 0, end: int | None = None) -> None:
        self._data = data
        self._pos = pos
        self._end = len(data) if end is None else end

    @property
    def remaining(self) -> int:
        return self._end - self._pos

    @property
    def position(self) -> int:
        return self._pos

    def read(self, n: int) -> bytes:
        pos = self._pos
        end = pos + n
        if n < 0 or end > self._end:
            raise MLSDecodeError(f"truncated: needed {n} bytes, {self.remaining} left")
        self._pos = end
        return self._data[pos:end]

    def uint(self, size: int) -> int:
        return int.from_bytes(self.read(size), "big")

    def u8(self) -> int:
        pos = self._pos
        if pos >= self._end:
            raise MLSDecodeError("truncated: needed 1 bytes, 0 left")
        self._pos = pos + 1
        return self._data[pos]

    def u16(self) -> int:
        return int.from_bytes(self.read(2), "big")

    def u32(self) -> int:
        return int.from_bytes(self.read(4), "big")

    def u64(self) -> int:
        return int.from_bytes(self.read(8), "big")

    def varint(self) -> int:
        """A variable-length integer that must use its minimal encoding (§2.1.2)."""
        first = self.u8()
        prefix = first >> 6
        if prefix == 0:  # the common case: one byte, always minimal
            return first
        if prefix == 3:
            raise MLSDecodeError("invalid varint: the 11 prefix is reserved")
        length = 1 << prefix
        value = first & 0x3F
        for byte in self.read(length - 1):
            value = (value << 8) | byte
        if value < (1 << (8 * (length // 2) - 2)):
            raise MLSDecodeError("invalid varint: not minimally encoded")
        return value

    def opaque(self) -> bytes:
        """`opaque data<V>`: a varint length, then that many bytes."""
        pos, data = self._pos, self._data
        if pos < self._end and data[pos] < 0x40:
            # A length under 64 is one varint byte (always minimal): group ids, epochs'
            # authenticated data, signatures, every message has several.
            end = pos + 1 + data[pos]
            if end <= self._end:
                self._pos = end
                return data[pos + 1 : end]
        n = self.varint()
        if n > MAX_VECTOR_BYTES:
            raise MLSDecodeError(f"vector of {n} bytes exceeds the {MAX_VECTOR_BYTES} limit")
        return self.read(n)

    def fixed(self, n: int) -> bytes:
        """`opaque data[n]`."""
        return self.read(n)

    def vector(self, item: Callable[[Reader], T]) -> list[T]:
        """`T items<V>`: a varint byte length, then items that exactly fill it."""
        n = self.varint()
        if n > MAX_VECTOR_BYTES:
            raise MLSDecodeError(f"vector of {n} bytes exceeds the {MAX_VECTOR_BYTES} limit")
        if n > self.remaining:
            raise MLSDecodeError(f"truncated: vector needs {n} bytes, {self.remaining} left")
        sub = Reader(self._data, self._pos, self._pos + n)
        out: list[T] = []
        while sub.remaining:
            out.append(item(sub))
        self._pos += n
        return out

    def u16_vector(self) -> tuple[int, ...]:
        """`uint16 items<V>` in one step (what `vector(Reader.u16)` reads, with the same
        errors): a LeafNode's Capabilities are five of these, and a joiner reads them
        for every leaf."""
        n = self.varint()
        if n > MAX_VECTOR_BYTES:
            raise MLSDecodeError(f"vector of {n} bytes exceeds the {MAX_VECTOR_BYTES} limit")
        if n > self.remaining:
            raise MLSDecodeError(f"truncated: vector needs {n} bytes, {self.remaining} left")
        if n % 2:
            raise MLSDecodeError("truncated: needed 2 bytes, 1 left")
        return struct.unpack(f">{n // 2}H", self.read(n))

    def optional(self, item: Callable[[Reader], T]) -> T | None:
        """`optional<T>`: a presence octet 0 or 1, then T when present."""
        flag = self.u8()
        if flag == 0:
            return None
        if flag != 1:
            raise MLSDecodeError(f"invalid optional presence byte {flag}")
        return item(self)

    def boolean(self) -> bool:
        flag = self.u8()
        if flag > 1:
            raise MLSDecodeError(f"invalid boolean {flag}")
        return flag == 1

    def since(self, start: int) -> bytes:
        """The bytes read from position `start` to here: the exact encoding of what was
        decoded in between (kept by structures that are encoded again, see `Writer.raw`)."""
        return self._data[start : self._pos]

    def finish(self) -> None:
        """Require that every byte was consumed."""
        if self.remaining:
            raise MLSDecodeError(f"{self.remaining} trailing bytes after the structure")


class Writer:
    """Accumulates an encoding."""

    __slots__ = ("_parts",)

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def getvalue(self) -> bytes:
        return b"".join(self._parts)

    def raw(self, data: bytes) -> None:
        self._parts.append(bytes(data))

    def uint(self, value: int, size: int) -> None:
        if value < 0 or value >= 1 << (8 * size):
            raise UsageError(f"{value} does not fit in uint{8 * size}")
        self._parts.append(value.to_bytes(size, "big"))

    def u8(self, value: int) -> None:
        self.uint(value, 1)

    def u16(self, value: int) -> None:
        self.uint(value, 2)

    def u32(self, value: int) -> None:
        self.uint(value, 4)

    def u64(self, value: int) -> None:
        self.uint(value, 8)

    def varint(self, value: int) -> None:
        self._parts.append(encode_varint(value))

    def opaque(self, data: bytes) -> None:
        self.varint(len(data))
        self._parts.append(bytes(data))

    def fixed(self, data: bytes, n: int) -> None:
        if len(data) != n:
            raise UsageError(f"expected exactly {n} bytes, got {len(data)}")
        self._parts.append(bytes(data))

    def vector(self, items: Sequence[T], item: Callable[[Writer, T], None]) -> None:
        sub = Writer()
        for x in items:
            item(sub, x)
        self.opaque(sub.getvalue())

    def optional(self, value: T | None, item: Callable[[Writer, T], None]) -> None:
        if value is None:
            self.u8(0)
        else:
            self.u8(1)
            item(self, value)

    def boolean(self, value: bool) -> None:
        self.u8(1 if value else 0)


def encode_varint(value: int) -> bytes:
    """Minimal variable-length encoding of `value` (RFC 9000 §16, as used by §2.1.2)."""
    if value < 0 or value > VARINT_MAX:
        raise UsageError(f"{value} cannot be encoded as an MLS varint")
    if value < 1 << 6:
        return value.to_bytes(1, "big")
    if value < 1 << 14:
        return (value | 0x4000).to_bytes(2, "big")
    return (value | 0x80000000).to_bytes(4, "big")


@runtime_checkable
class Encodable(Protocol):
    def encode(self, w: Writer) -> None: ...


def encode(obj: Encodable) -> bytes:
    """Serialize any structure that knows how to write itself."""
    w = Writer()
    obj.encode(w)
    return w.getvalue()


def decode_all(data: bytes, item: Callable[[Reader], T]) -> T:
    """Decode exactly one structure from `data`, rejecting trailing bytes."""
    r = Reader(bytes(data))
    value = item(r)
    r.finish()
    return value


def opaque_bytes(data: bytes) -> bytes:
    """`opaque<V>` encoding of `data` on its own (handy for labels and contexts)."""
    return encode_varint(len(data)) + bytes(data)
