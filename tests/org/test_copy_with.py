"""`hasteh.org.log.copy_with`: the folds' cheap `dataclasses.replace`, which must give the
same state as `replace` and leave the old one untouched."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hasteh.org.log import copy_with
from hasteh.org.psorted import PSorted
from hasteh.org.state import OrgState

FIELDS = [f.name for f in dataclasses.fields(OrgState)]
SIMPLE = {"created": st.booleans(), "time": st.integers(0, 2**40), "name": st.text(max_size=20)}


@given(st.fixed_dictionaries({}, optional=SIMPLE), st.integers(0, 2**40))
def test_copy_with_equals_replace(changes: dict[str, object], t: int) -> None:
    state = dataclasses.replace(OrgState(), time=t, expiry_order=PSorted().add((t, b"x")))
    got, want = copy_with(state, **changes), dataclasses.replace(state, **changes)
    assert type(got) is OrgState and got == want
    for name in FIELDS:  # every field, those left out of equality too
        assert getattr(got, name) is getattr(want, name) or getattr(got, name) == getattr(
            want, name
        )
    assert state.time == t  # the old state is untouched


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(AttributeError):
        copy_with(OrgState(), tim=3)


def test_no_class_in_org_state_needs_post_init() -> None:
    """`copy_with` does not run `__init__`: it is right only while the values it copies
    derive nothing in `__post_init__`."""
    assert not hasattr(OrgState, "__post_init__")
