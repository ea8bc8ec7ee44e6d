"""The persistent hash map behind an org state (`hasteh.org.pmap`), against a dict.

Keys here choose their own hash, so hypothesis reaches what ordinary keys rarely do: full
64-bit hash collisions (the `_Collision` buckets), hashes that agree on many low bits
(deep paths of the trie), negative hashes, and deletes that collapse nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hasteh.org.pmap import PMap


@dataclass(frozen=True)
class Key:
    """A key whose hash is chosen by the test; equal only when the names are equal."""

    name: int
    h: int

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Key) and other.name == self.name

    def __hash__(self) -> int:
        return self.h


# A few hashes, so many keys collide: equal ones, ones equal in the low 5·k bits only
# (one more trie level each), the all-ones 64-bit pattern, negatives and zero.
HASHES = [0, 1, -1, 2**64 - 1, 2**63 - 1, -(2**63), 31, 32, 1 << 30, (1 << 30) | 1]
HASHES += [7 + (i << 55) for i in range(4)]


def key_of(name: int) -> Key:
    """The same name always has the same hash (as Python requires of equal keys)."""
    return Key(name, HASHES[name % len(HASHES)] if name % 3 else name * 0x9E3779B97F4A7C15)


names = st.integers(0, 60)
steps = st.lists(st.tuples(st.sampled_from(["set", "delete"]), names, st.integers()), max_size=300)


def check(m: PMap[Key, int], model: dict[Key, int]) -> None:
    assert len(m) == len(model)
    assert sorted((k.name, v) for k, v in m.items()) == sorted(
        (k.name, v) for k, v in model.items()
    )
    assert sorted(k.name for k in m) == sorted(k.name for k in model)
    assert sorted(m.values()) == sorted(model.values())
    for name in range(61):
        key = key_of(name)
        assert (key in m) == (key in model)
        assert m.get(key, -1) == model.get(key, -1)


@given(steps)
def test_matches_a_dict(ops: list[tuple[str, int, int]]) -> None:
    m: PMap[Key, int] = PMap()
    model: dict[Key, int] = {}
    history = [(m, dict(model))]
    for op, name, value in ops:
        key = key_of(name)
        if op == "set":
            m = m.set(key, value)
            model[key] = value
        else:
            before = m
            m = m.delete(key)
            if key not in model:
                assert m is before  # deleting what is absent changes nothing
            model.pop(key, None)
        check(m, model)
        history.append((m, dict(model)))
    # Persistence: every earlier version still holds what it held.
    for old, snapshot in history:
        check(old, snapshot)


@given(st.dictionaries(names, st.integers(), max_size=60), st.randoms())
def test_equal_contents_are_equal_maps(contents: dict[int, int], rnd: object) -> None:
    """Equality and hash depend on contents only, not on the order of building."""
    items = [(key_of(n), v) for n, v in contents.items()]
    shuffled = list(items)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    a: PMap[Key, int] = PMap.from_items(items)
    b: PMap[Key, int] = PMap.from_items(shuffled)
    assert a == b and hash(a) == hash(b)
    # Built with extra keys that are deleted again: still equal (deletes collapse nodes).
    c: PMap[Key, int] = PMap.from_items(items + [(key_of(n), 0) for n in range(61, 90)])
    for n in range(61, 90):
        c = c.delete(key_of(n))
    assert c == a and hash(c) == hash(a)
    if items:
        k, v = items[0]
        assert a.set(k, v + 1) != a
        assert a.delete(k) != a
        assert len(a.delete(k)) == len(a) - 1


def test_full_hash_collisions_keep_every_key() -> None:
    """Keys with one and the same 64-bit hash all stay reachable, through sets and deletes."""
    keys = [Key(n, 12345) for n in range(10)]
    m: PMap[Key, int] = PMap()
    for n, k in enumerate(keys):
        m = m.set(k, n)
    assert len(m) == 10 and [m[k] for k in keys] == list(range(10))
    m = m.set(keys[3], 99)
    assert len(m) == 10 and m[keys[3]] == 99
    for k in keys[:9]:
        m = m.delete(k)
    assert len(m) == 1 and m[keys[9]] == 9 and keys[0] not in m


def test_missing_key() -> None:
    m: PMap[Key, int] = PMap().set(key_of(1), 1)
    with pytest.raises(KeyError):
        m[key_of(2)]
    assert m.get(key_of(2)) is None
    assert (m == {key_of(1): 1}) is False  # a PMap equals only a PMap
