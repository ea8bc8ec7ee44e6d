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
    chunks = s._chunks  # the bound every chunk keeps, and the maxes that index them
    assert all(0 < len(c) <= 128 for c in chunks)
    assert s._maxes == tuple(c[-1] for c in chunks)
