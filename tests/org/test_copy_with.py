"""`hasteh.org.log.copy_with`: the folds' cheap `dataclasses.replace`, which must give the
same state as `replace` and leave the old one untouched."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hasteh.org.events import LeafIndex
from hasteh.org.log import Copier, copy_with
from hasteh.org.psorted import PSorted
from hasteh.org.state import Member, OrgState

FIELDS = [f.name for f in dataclasses.fields(OrgState)]
SIMPLE = {"created": st.booleans(), "time": st.integers(0, 2**40), "name": st.text(max_size=20)}


@given(st.fixed_dictionaries({}, optional=SIMPLE), st.integers(0, 2**40))
def test_copy_with_equals_replace(changes: dict[str, object], t: int) -> None:
    state = dataclasses.replace(OrgState(), time=t, expiry_order=PSorted().add((t, 0, b"x")))
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


@given(st.integers(0, 2**40), st.text(max_size=20), st.booleans())
def test_a_copier_equals_replace_for_dict_and_slotted_classes(
    t: int, name: str, created: bool
) -> None:
    """`Copier` copies `OrgState` (a `__dict__`, copied whole) and a slotted value (slot
    by slot) as `replace` does, leaves the old value untouched and shares nothing
    mutable with it."""
    state = dataclasses.replace(OrgState(), time=7, expiry_order=PSorted().add((t, 0, b"x")))
    copier = Copier(OrgState, "time", "name")
    got = copier(state, t, name)
    assert got == dataclasses.replace(state, time=t, name=name) and got.time == t
    assert state.time == 7 and state.name == "" and got.__dict__ is not state.__dict__
    assert got.expiry_order is state.expiry_order
    with pytest.raises(TypeError):
        copier(state, t)  # one value short
    member = Member(LeafIndex(3), "a", 2, authorized=created)
    renamed = Copier(Member, "cover_name")(member, name)
    assert renamed == dataclasses.replace(member, cover_name=name) and member.cover_name == "a"


def test_a_copier_refuses_unknown_fields_and_post_init() -> None:
    with pytest.raises(TypeError):
        Copier(OrgState, "tim")

    @dataclasses.dataclass(frozen=True)
    class Derived:
        a: int = 0

        def __post_init__(self) -> None:
            pass

    with pytest.raises(TypeError):
        Copier(Derived, "a")
    assert copy_with(Derived(), a=2) == Derived(2)  # `replace`, which runs __post_init__
