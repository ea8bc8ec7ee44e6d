"""`evolve`: `dataclasses.replace` for the fold's hot path.

Every event folded builds a new frozen state (`OrgState` has 27 fields), and
`dataclasses.replace` spends about 6 µs of CPU on it, walking the fields' metadata each
time; a chat catch-up of 10,000 messages pays that once or twice per message. `evolve`
reads the same fields with one precomputed `attrgetter` and calls the class's own
`__init__` positionally, so the result is exactly what `replace` gives (every field
through `__init__`, `__post_init__` included) for about 3.5 µs. A class with a field
`__init__` does not take falls back to `replace`, whose rules for those are subtle.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["evolve"]

T = TypeVar("T")


@dataclasses.dataclass(frozen=True, slots=True)
class _Shape:
    """What `evolve` needs of a dataclass: its fields' positions and one getter."""

    index: dict[str, int]
    values: Callable[[Any], tuple[Any, ...]]


@functools.cache
def _shape(cls: type) -> _Shape | None:
    """The class's field layout (class metadata only, never an instance's values), or
    None when `replace`'s own rules must apply (a field `__init__` does not take, or
    fewer than two fields, where `attrgetter` would not return a tuple)."""
    fields = dataclasses.fields(cls)
    if len(fields) < 2 or not all(f.init for f in fields):
        return None
    names = tuple(f.name for f in fields)
    return _Shape({name: i for i, name in enumerate(names)}, operator.attrgetter(*names))


def evolve(obj: T, **changes: Any) -> T:
    """A copy of the dataclass instance `obj` with `changes`, like `dataclasses.replace`
    (an unknown field name is a `TypeError`, as there)."""
    cls: type = type(obj)
    shape = _shape(cls)
    if shape is None:
        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
    values = list(shape.values(obj))
    index = shape.index
    for name, value in changes.items():
        position = index.get(name)
        if position is None:
            raise TypeError(f"{cls.__name__} has no field {name!r}")
        values[position] = value
    return cls(*values)  # type: ignore[no-any-return]
