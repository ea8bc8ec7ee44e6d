"""A small persistent (immutable) sorted set: sorted chunks of at most 128 keys.

`add` and `discard` return a new set that copies one chunk and the outer tuples (about
n/64 references: 160 for 10,000 keys) and shares every other chunk with the old set, so a
cell's messages can be kept in posting order as they are folded. Reading by rank
(`set[-50:]`, the newest 50) walks the chunks' lengths, never the keys.

The chunk boundaries depend on the order keys were added, so equality and hashing compare
contents only: the same keys give equal sets, whatever the order they came in.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from itertools import chain
from typing import Any, Generic, Protocol, TypeVar, overload

__all__ = ["PSorted"]


class _Ordered(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


K = TypeVar("K", bound=_Ordered)

#: A chunk is split in two halves when it grows past this many keys.
_MAX_CHUNK = 128


class PSorted(Generic[K]):
    """Immutable sorted set of distinct keys; `add`/`discard` return new sets."""

    __slots__ = ("_chunks", "_len", "_maxes")

    def __init__(
        self, chunks: tuple[tuple[K, ...], ...] = (), maxes: tuple[K, ...] = (), length: int = 0
    ) -> None:
        self._chunks = chunks
        self._maxes = maxes  # the last key of each chunk
        self._len = length

    def _locate(self, key: K) -> tuple[int, int]:
        """(chunk, position in it) where `key` is or would go; chunk may be one past."""
        i = bisect_left(self._maxes, key)
        if i == len(self._chunks):
            return i, 0
        return i, bisect_left(self._chunks[i], key)

    def add(self, key: K) -> PSorted[K]:
        chunks, maxes = self._chunks, self._maxes
        if not chunks:
            return PSorted(((key,),), (key,), 1)
        if maxes[-1] < key:
            # After every key (messages mostly arrive in the order they sort in): a full
            # last chunk is left whole and a new one begins, so an append copies one
            # chunk and outer tuples of n/128 entries, and sorted appends fill chunks.
            # Tuples joined with `+`, not unpacked (RUF005): unpacking builds a list first,
            # and this runs twice for every chat message folded (1.4 against 2.0 µs).
            last = chunks[-1]
            n = self._len + 1
            if len(last) >= _MAX_CHUNK:
                return PSorted(chunks + ((key,),), maxes + (key,), n)  # noqa: RUF005
            return PSorted(chunks[:-1] + (last + (key,),), maxes[:-1] + (key,), n)  # noqa: RUF005
        i, j = self._locate(key)
        if i == len(chunks):  # after every key: append to the last chunk
            i -= 1
            j = len(chunks[i])
        chunk = chunks[i]
        if j < len(chunk) and chunk[j] == key:
            return self
        # The outer tuples as slices joined with `+` (no generator): this runs twice for
        # every chat message folded, so the outer tuples are copied as cheaply as Python can.
        grown = (*chunk[:j], key, *chunk[j:])
        if len(grown) > _MAX_CHUNK:
            half = len(grown) // 2
            low, high = grown[:half], grown[half:]
            parts: tuple[tuple[K, ...], ...] = (low, high)
            tops: tuple[K, ...] = (low[-1], high[-1])
        else:
            parts, tops = (grown,), (grown[-1],)
        return PSorted(
            chunks[:i] + parts + chunks[i + 1 :], maxes[:i] + tops + maxes[i + 1 :], self._len + 1
        )

    def discard(self, key: K) -> PSorted[K]:
        """A set without `key` (the same set if it was absent)."""
        chunks, maxes = self._chunks, self._maxes
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
            )
        return PSorted(
            (*chunks[:i], *chunks[i + 1 :]), (*maxes[:i], *maxes[i + 1 :]), self._len - 1
        )

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[K]:
        return chain.from_iterable(self._chunks)

    def __reversed__(self) -> Iterator[K]:
        return (k for chunk in reversed(self._chunks) for k in reversed(chunk))

    def __contains__(self, key: object) -> bool:
        i, j = self._locate(key)  # type: ignore[arg-type]
        return i < len(self._chunks) and j < len(self._chunks[i]) and self._chunks[i][j] == key

    def first(self) -> K | None:
        """The smallest key (None when empty)."""
        return self._chunks[0][0] if self._chunks else None

    def below(self, bound: K) -> Iterator[K]:
        """The keys ``< bound``, smallest first."""
        for chunk in self._chunks:
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
            for chunk in reversed(self._chunks):
                pos -= len(chunk)
                if pos < stop:
                    picked.append(chunk[max(0, start - pos) : stop - pos])
                if pos <= start:
                    break
            for part in reversed(picked):
                out.extend(part)
            return out
        pos = 0
        for chunk in self._chunks:
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
        if self._chunks == other._chunks:
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
