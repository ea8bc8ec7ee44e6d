"""`hasteh.org.evolve`: the fold's `dataclasses.replace`, which must give the same state."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hasteh.org.evolve import evolve
from hasteh.org.psorted import PSorted
from hasteh.org.state import OrgState

FIELDS = [f.name for f in dataclasses.fields(OrgState)]
SIMPLE = {"created": st.booleans(), "time": st.integers(0, 2**40), "name": st.text(max_size=20)}


@given(st.fixed_dictionaries({}, optional=SIMPLE), st.integers(0, 2**40))
def test_evolve_equals_replace(changes: dict[str, object], t: int) -> None:
    state = dataclasses.replace(OrgState(), time=t, expiry_order=PSorted().add((t, b"x")))
    got, want = evolve(state, **changes), dataclasses.replace(state, **changes)
    assert type(got) is OrgState and got == want
    for name in FIELDS:  # every field, those left out of equality too
        assert getattr(got, name) is getattr(want, name) or getattr(got, name) == getattr(
            want, name
        )
    assert state.time == t  # the old state is untouched


def test_unknown_field_is_a_type_error_like_replace() -> None:
    with pytest.raises(TypeError, match="no field 'tim'"):
        evolve(OrgState(), tim=3)


@dataclasses.dataclass(frozen=True)
class _Derived:
    a: int
    b: int
    total: int = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", self.a + self.b)


@dataclasses.dataclass(frozen=True)
class _Checked:
    a: int
    b: int

    def __post_init__(self) -> None:
        if self.a > self.b:
            raise ValueError("a > b")


def test_fields_outside_init_fall_back_to_replace() -> None:
    assert evolve(_Derived(1, 2), b=5).total == 6
    with pytest.raises(ValueError):
        evolve(_Derived(1, 2), total=9)  # as replace refuses it


def test_post_init_still_runs() -> None:
    assert evolve(_Checked(1, 2), b=3) == _Checked(1, 3)
    with pytest.raises(ValueError, match="a > b"):
        evolve(_Checked(1, 2), a=7)
