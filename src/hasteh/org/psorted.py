"""A small persistent (immutable) sorted set: sorted chunks of at most 128 keys, then a
tail of at most 32 keys larger than all of them.

`add` and `discard` return a new set that shares every chunk but one with the old set, so
a cell's messages can be kept in posting order as they are folded. A key after every
chunk (a catch-up's messages come nearly in the order they sort in) goes into the tail,
which alone is copied: the chunks and the outer tuples (n/128 references) are copied only
once every 32 such adds, when the tail's keys join the last chunk. Elsewhere an add or a
discard copies one chunk and the outer tuples. Reading by rank (`set[-50:]`, the newest
50) walks the chunks' lengths, never the keys.

The chunk boundaries depend on the order keys were added, so equality and hashing compare
contents only: the same keys give equal sets, whatever the order they came in.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from itertools import chain
from typing import Any, Generic, Protocol, TypeVar, cast, overload

__all__ = ["PSorted"]


class _Ordered(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


K = TypeVar("K", bound=_Ordered)

#: A chunk is split in two halves when it grows past this many keys.
_MAX_CHUNK = 128
#: The most keys the tail holds (a divisor of `_MAX_CHUNK`, so sorted appends fill chunks).
_TAIL = 32


class PSorted(Generic[K]):
    """Immutable sorted set of distinct keys; `add`/`discard` return new sets."""

    __slots__ = ("_chunks", "_len", "_maxes", "_tail")

    def __init__(
        self,
        chunks: tuple[tuple[K, ...], ...] = (),
        maxes: tuple[K, ...] = (),
        length: int = 0,
        tail: tuple[K, ...] = (),
    ) -> None:
        self._chunks = chunks
        self._maxes = maxes  # the last key of each chunk
        self._len = length
        # The largest keys (at most `_TAIL`), after every chunk's: an append copies this
        # short tuple alone and shares the chunks and the outer tuples with the old set.
        self._tail = tail

    def _locate(self, key: K) -> tuple[int, int]:
        """(chunk, position in it) where `key` is or would go; chunk may be one past."""
        i = bisect_left(self._maxes, key)
        if i == len(self._chunks):
            return i, 0
        return i, bisect_left(self._chunks[i], key)

    def _parts(self) -> Iterator[tuple[K, ...]]:
        """The chunks then the tail, smallest keys first."""
        if self._tail:
            return chain(self._chunks, (self._tail,))
        return iter(self._chunks)

    def add(self, key: K) -> PSorted[K]:
        chunks, maxes, tail = self._chunks, self._maxes, self._tail
        if not maxes or maxes[-1] < key:
            # After every chunk (messages mostly arrive in the order they sort in, or
            # nearly): into the tail, copying only the tail (at most `_TAIL` keys). A full
            # tail's first `_TAIL` keys join the last chunk (or begin one), once every
            # `_TAIL` appends, so sorted appends still fill chunks to `_MAX_CHUNK`.
            # Tuples joined with `+`, not unpacked (RUF005): unpacking builds a list
            # first, and this runs twice for every chat message folded.
            if not tail or tail[-1] < key:
                grown = tail + (key,)  # noqa: RUF005
            else:
                j = bisect_left(tail, key)
                if tail[j] == key:
                    return self
                grown = tail[:j] + (key,) + tail[j:]  # noqa: RUF005
            if len(grown) <= _TAIL:
                return PSorted(chunks, maxes, self._len + 1, grown)
            full, rest = grown[:_TAIL], grown[_TAIL:]
            if chunks and len(chunks[-1]) + _TAIL <= _MAX_CHUNK:
                chunks = chunks[:-1] + (chunks[-1] + full,)  # noqa: RUF005
                maxes = maxes[:-1] + (full[-1],)  # noqa: RUF005
            else:
                chunks = chunks + (full,)  # noqa: RUF005
                maxes = maxes + (full[-1],)  # noqa: RUF005
            return PSorted(chunks, maxes, self._len + 1, rest)
        # Before the tail: into the chunk it sorts in (the tail is shared as it is).
        i, j = self._locate(key)
        chunk = chunks[i]
        if chunk[j] == key:
            return self
        # The chunk and the outer tuples as slices joined with `+` (no list built first):
        # a burst in one second (same log time and counter) lands here at random by id.
        grown = chunk[:j] + (key,) + chunk[j:]  # noqa: RUF005
        if len(grown) > _MAX_CHUNK:
            half = len(grown) // 2
            low, high = grown[:half], grown[half:]
            parts: tuple[tuple[K, ...], ...] = (low, high)
            tops: tuple[K, ...] = (low[-1], high[-1])
        else:
            parts, tops = (grown,), (grown[-1],)
        return PSorted(
            chunks[:i] + parts + chunks[i + 1 :],
            maxes[:i] + tops + maxes[i + 1 :],
            self._len + 1,
            tail,
        )

    def discard(self, key: K) -> PSorted[K]:
        """A set without `key` (the same set if it was absent)."""
        chunks, maxes, tail = self._chunks, self._maxes, self._tail
        if tail and not key < tail[0]:
            j = bisect_left(tail, key)
            if j == len(tail) or tail[j] != key:
                return self
            return PSorted(chunks, maxes, self._len - 1, (*tail[:j], *tail[j + 1 :]))
        i, j = self._locate(key)
        if i == len(chunks) or j == len(chunks[i]) or chunks[i][j] != key:
            return self
        chunk = chunks[i]
        shrunk = (*chunk[:j], *chunk[j + 1 :])
        if shrunk:
            return PSorted(
                (*chunks[:i], shrunk, *chunks[i + 1 :]),
                (*maxes[:i], shrunk[-1], *maxes[i + 1 :]),
                self._len - 1,
                tail,
            )
        return PSorted(
            (*chunks[:i], *chunks[i + 1 :]), (*maxes[:i], *maxes[i + 1 :]), self._len - 1, tail
        )

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[K]:
        return chain.from_iterable(self._parts())

    def __reversed__(self) -> Iterator[K]:
        parts = chain((self._tail,), reversed(self._chunks))
        return (k for chunk in parts for k in reversed(chunk))

    def __contains__(self, key: object) -> bool:
        tail = self._tail
        if tail and not key < tail[0]:  # type: ignore[operator]
            j = bisect_left(tail, cast(K, key))
            return j < len(tail) and bool(tail[j] == key)
        i, j = self._locate(key)  # type: ignore[arg-type]
        return i < len(self._chunks) and j < len(self._chunks[i]) and self._chunks[i][j] == key

    def first(self) -> K | None:
        """The smallest key (None when empty)."""
        if self._chunks:
            return self._chunks[0][0]
        return self._tail[0] if self._tail else None

    def below(self, bound: K) -> Iterator[K]:
        """The keys ``< bound``, smallest first."""
        for chunk in self._parts():
            if chunk[-1] < bound:
                yield from chunk
                continue
            yield from chunk[: bisect_left(chunk, bound)]
            return

    @overload
    def __getitem__(self, index: int) -> K: ...
    @overload
    def __getitem__(self, index: slice) -> list[K]: ...
    def __getitem__(self, index: int | slice) -> K | list[K]:
        """By rank: ``s[0]`` is the smallest key, ``s[-50:]`` the 50 largest (a list)."""
        if isinstance(index, int):
            n = index + self._len if index < 0 else index
            if not 0 <= n < self._len:
                raise IndexError(index)
            found = self[n : n + 1]
            return found[0]
        start, stop, step = index.indices(self._len)
        if step != 1:
            raise ValueError("PSorted slices take no step")
        out: list[K] = []
        if start >= stop:
            return out
        # Walk from the nearer end, counting chunk lengths only.
        if start >= self._len - stop:
            pos = self._len
            picked: list[tuple[K, ...]] = []
            for chunk in chain((self._tail,), reversed(self._chunks)):
                pos -= len(chunk)
                if pos < stop:
                    picked.append(chunk[max(0, start - pos) : stop - pos])
                if pos <= start:
                    break
            for part in reversed(picked):
                out.extend(part)
            return out
        pos = 0
        for chunk in self._parts():
            end = pos + len(chunk)
            if end > start:
                out.extend(chunk[max(0, start - pos) : stop - pos])
            pos = end
            if pos >= stop:
                break
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PSorted):
            return NotImplemented
        if self._len != other._len:
            return False
        if self._chunks == other._chunks and self._tail == other._tail:
            return True
        return all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"PSorted({list(self)!r})"

    @classmethod
    def from_keys(cls, keys: Any) -> PSorted[K]:
        s: PSorted[K] = cls()
        for k in keys:
            s = s.add(k)
        return s
