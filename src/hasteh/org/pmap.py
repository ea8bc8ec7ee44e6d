"""A small persistent (immutable) hash map: a hash array mapped trie, 32 ways per level.

`set` and `delete` return a new map sharing all but one path with the old one, so a cell's
state can hold 10,000 messages and still be copied on every event in a few microseconds.
Iteration order depends on Python's per-process string/bytes hashing: anything shown to a
person, or compared between members, must be sorted first (the org functions do that).
Equality compares contents, so two members' states compare equal across processes.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Any, Generic, TypeVar

import msgspec

__all__ = ["PMap"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_BITS = 5
_WIDTH = 1 << _BITS
_MASK = _WIDTH - 1
_MAX_SHIFT = 64


class _Leaf(msgspec.Struct, gc=False):
    """One key. Not tracked by the garbage collector (`gc=False`): a map is built after
    its values and never changes, so no reference cycle can pass through a leaf, and a
    collection need not walk a cell's 10,000 messages (nor the trie's nodes, which
    Python stops tracking once they hold only untracked leaves) again and again while a
    catch-up folds more of them."""

    h: int
    key: Any
    value: Any


class _Collision(msgspec.Struct, gc=False):
    """Several keys with the same full 64-bit hash (untracked, as `_Leaf`)."""

    h: int
    items: tuple[tuple[Any, Any], ...]


_Node = tuple[Any, ...]  # _WIDTH slots: None | _Leaf | _Collision | _Node
_EMPTY_NODE: _Node = (None,) * _WIDTH


_HASH_BITS = 0xFFFF_FFFF_FFFF_FFFF


def _hash(key: object) -> int:
    return hash(key) & _HASH_BITS


def _set(node: _Node, shift: int, h: int, key: Any, value: Any) -> tuple[_Node, bool]:
    """Return (new node, whether a key was added)."""
    i = (h >> shift) & _MASK
    slot = node[i]
    if slot is None:
        new: Any = _Leaf(h, key, value)
        added = True
    elif type(slot) is _Leaf:
        if slot.key == key:
            new, added = _Leaf(h, key, value), False
        elif slot.h == h:
            new, added = _Collision(h, ((slot.key, slot.value), (key, value))), True
        else:
            sub, _ = _set(_EMPTY_NODE, shift + _BITS, slot.h, slot.key, slot.value)
            new, added = _set(sub, shift + _BITS, h, key, value)
    elif type(slot) is _Collision:
        if slot.h == h:
            items = tuple(kv for kv in slot.items if kv[0] != key)
            added = len(items) == len(slot.items)
            new = _Collision(h, (*items, (key, value)))
        else:
            sub = _EMPTY_NODE
            for k, v in slot.items:
                sub, _ = _set(sub, shift + _BITS, slot.h, k, v)
            new, added = _set(sub, shift + _BITS, h, key, value)
    else:
        new, added = _set(slot, shift + _BITS, h, key, value)
    copied = list(node)  # a list, then a tuple: twice as fast as joining slices
    copied[i] = new
    return tuple(copied), added


def _delete(node: _Node, shift: int, h: int, key: Any) -> _Node | None:
    """Return the new node, or None when the key is absent (node unchanged)."""
    i = (h >> shift) & _MASK
    slot = node[i]
    if slot is None:
        return None
    if type(slot) is _Leaf:
        if slot.key != key:
            return None
        new: Any = None
    elif type(slot) is _Collision:
        if slot.h != h or all(k != key for k, _ in slot.items):
            return None
        items = tuple(kv for kv in slot.items if kv[0] != key)
        new = _Leaf(h, *items[0]) if len(items) == 1 else _Collision(h, items)
    else:
        sub = _delete(slot, shift + _BITS, h, key)
        if sub is None:
            return None
        live = [s for s in sub if s is not None]
        # Collapse a node left with one leaf, so equal maps keep a bounded shape.
        new = live[0] if len(live) == 1 and type(live[0]) is not tuple else sub
        if not live:
            new = None
    return (*node[:i], new, *node[i + 1 :])


def _items(node: _Node) -> Iterator[tuple[Any, Any]]:
    for slot in node:
        if slot is None:
            continue
        if type(slot) is _Leaf:
            yield slot.key, slot.value
        elif type(slot) is _Collision:
            yield from slot.items
        else:
            yield from _items(slot)


class PMap(Generic[K, V]):
    """Immutable mapping; `set`/`delete` return new maps."""

    __slots__ = ("_len", "_root")

    def __init__(self, root: _Node = _EMPTY_NODE, length: int = 0) -> None:
        self._root = root
        self._len = length

    def get(self, key: K, default: V | None = None) -> V | None:
        h = hash(key) & _HASH_BITS  # `_hash`, inline: a chat message folded looks up 4 keys
        node = self._root
        shift = 0
        while True:
            slot = node[(h >> shift) & _MASK]
            if slot is None:
                return default
            if type(slot) is _Leaf:
                return slot.value if slot.key == key else default
            if type(slot) is _Collision:
                for k, v in slot.items:
                    if k == key:
                        return v  # type: ignore[no-any-return]
                return default
            node = slot
            shift += _BITS

    def __getitem__(self, key: K) -> V:
        missing = _MISSING
        value = self.get(key, missing)
        if value is missing:
            raise KeyError(key)
        return value  # type: ignore[return-value]

    def __contains__(self, key: object) -> bool:
        # `get`'s walk, inline (two membership tests for every chat message checked).
        h = hash(key) & _HASH_BITS
        node = self._root
        shift = 0
        while True:
            slot = node[(h >> shift) & _MASK]
            if slot is None:
                return False
            if type(slot) is _Leaf:
                return bool(slot.key == key)
            if type(slot) is _Collision:
                return any(k == key for k, _ in slot.items)
            node = slot
            shift += _BITS

    def set(self, key: K, value: V) -> PMap[K, V]:
        root, added = _set(self._root, 0, hash(key) & _HASH_BITS, key, value)
        return PMap(root, self._len + added)

    def delete(self, key: K) -> PMap[K, V]:
        """A map without `key` (the same map if it was absent)."""
        root = _delete(self._root, 0, _hash(key), key)
        if root is None:
            return self
        return PMap(root, self._len - 1)

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[K]:
        return (k for k, _ in _items(self._root))

    def items(self) -> Iterator[tuple[K, V]]:
        return _items(self._root)

    def values(self) -> Iterator[V]:
        return (v for _, v in _items(self._root))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PMap):
            return NotImplemented
        if self._len != other._len:
            return False
        return all(k in other and other[k] == v for k, v in self.items())

    def __hash__(self) -> int:
        return hash(frozenset(self.items()))

    def __repr__(self) -> str:
        return f"PMap({dict(self.items())!r})"

    @classmethod
    def from_items(cls, items: Any) -> PMap[K, V]:
        m: PMap[K, V] = cls()
        for k, v in items:
            m = m.set(k, v)
        return m


_MISSING: Any = object()
