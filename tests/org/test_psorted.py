"""The persistent sorted set behind a thread's message order (`hasteh.org.psorted`)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hasteh.org.psorted import PSorted

ops = st.lists(st.tuples(st.booleans(), st.integers(0, 400)), max_size=600)


@given(ops)
def test_matches_a_sorted_list(steps: list[tuple[bool, int]]) -> None:
    s: PSorted[int] = PSorted()
    model: set[int] = set()
    history = [s]
    for add, key in steps:
        s = s.add(key) if add else s.discard(key)
        (model.add if add else model.discard)(key)
        history.append(s)
    want = sorted(model)
    assert list(s) == want and len(s) == len(want)
    assert list(reversed(s)) == want[::-1]
    assert s == PSorted.from_keys(reversed(want)) and hash(s) == hash(PSorted.from_keys(want))
    for a, b in ((0, 50), (-50, None), (-100, -50), (3, 2), (None, None), (120, 260)):
        assert s[a:b] == want[a:b]
    if want:
        assert s[0] == want[0] and s[-1] == want[-1] and s.first() == want[0]
    assert list(s.below(200)) == [k for k in want if k < 200]
    assert all(k in s for k in want) and -1 not in s
    assert len(history[0]) == 0  # older versions are untouched


def test_many_keys_in_any_order_share_chunks() -> None:
    keys = [(i * 7919) % 10_000 for i in range(10_000)]
    s = PSorted.from_keys(keys)
    assert list(s) == list(range(10_000))
    assert s[-50:] == list(range(9_950, 10_000))
    assert s.add(5) is s and s.discard(-1) is s
    smaller = s.discard(5_000)
    assert len(smaller) == 9_999 and 5_000 in s and 5_000 not in smaller


@given(st.integers(1, 700), ops)
def test_appends_then_anything_match_a_sorted_list(
    count: int, steps: list[tuple[bool, int]]
) -> None:
    """Keys added in sorted order (a catch-up's messages) take the append path, which
    starts a new chunk when the last is full; adds and discards anywhere afterwards
    still give the sorted set, and no chunk grows past its bound."""
    s: PSorted[int] = PSorted()
    model: set[int] = set()
    for key in range(0, 2 * count, 2):
        s = s.add(key)
        model.add(key)
    for add, key in steps:
        s = s.add(key * 3) if add else s.discard(key * 3)
        (model.add if add else model.discard)(key * 3)
    want = sorted(model)
    assert list(s) == want and len(s) == len(want)
    assert s == PSorted.from_keys(reversed(want))
    assert s[-50:] == want[-50:] and s[:50] == want[:50]
    assert all(k in s for k in want) and -1 not in s
    _assert_shape(s)


def _assert_shape(s: PSorted[int]) -> None:
    """The bounds every chunk and the tail keep, and the maxes that index the chunks."""
    chunks, tail = s._chunks, s._tail
    assert all(0 < len(c) <= 128 for c in chunks)
    assert s._maxes == tuple(c[-1] for c in chunks)
    assert len(tail) <= 32 and list(tail) == sorted(set(tail))
    assert not (chunks and tail) or chunks[-1][-1] < tail[0]


@given(
    st.lists(st.integers(-3, 40), max_size=900),
    st.lists(st.tuples(st.booleans(), st.integers(0, 2_000)), max_size=80),
)
def test_near_sorted_adds_through_the_tail_match_a_sorted_list(
    steps: list[int], then: list[tuple[bool, int]]
) -> None:
    """Keys that come nearly in order (a catch-up's messages from several authors: each
    step moves forward or a little back) take the tail's path; duplicates, discards of
    the tail and of the chunks, and adds anywhere afterwards give exactly the sorted set
    an insertion into a plain sorted list gives, every version staying as it was."""
    s: PSorted[int] = PSorted()
    model: set[int] = set()
    versions: list[tuple[PSorted[int], list[int]]] = []
    key = 0
    for step in steps:
        key += step
        s = s.add(key)
        model.add(key)
        versions.append((s, sorted(model)))
    for add, k in then:
        s = s.add(k) if add else s.discard(k)
        (model.add if add else model.discard)(k)
        versions.append((s, sorted(model)))
    for version, want in versions[-40:] + versions[::97]:
        _assert_shape(version)
        assert list(version) == want and len(version) == len(want)
        assert list(reversed(version)) == want[::-1]
        assert version[-50:] == want[-50:] and version[:40] == want[:40]
        assert version[-80:-10] == want[-80:-10]
        assert version == PSorted.from_keys(reversed(want))
        assert hash(version) == hash(PSorted.from_keys(want))
        assert all(k in version for k in want[-40:]) and -1_000 not in version
        assert version.first() == (want[0] if want else None)
        assert list(version.below(want[-1] if want else 0)) == want[:-1]
        if want:
            assert version[-1] == want[-1] and version[len(want) // 2] == want[len(want) // 2]
