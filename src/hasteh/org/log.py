"""A group's log, folded by its kind's table: the machinery every kind of group shares.

Rule 1 (after h11): everything that decides whether an event is accepted and what it
does, and everything the app must do about an event once it is in the log, is reached
from one table per kind of group (`LogKind.rows`): one `Row` per event type. A cell's
table is `hasteh.org.fold.HANDLERS`, an alliance's `hasteh.org.alliance.HANDLERS`. The
functions here know no event type; a new family is new rows, a new kind a new table.

    apply(kind, state, env)    validate, then fold; on error raise, leaving `state` as it was
    receive(kind, state, env)  `apply`, plus the ids of stored events it deletes
    fold(kind, state, env)     fold without the checks (replaying a log already validated)
    replay(kind, envs)         `fold` from the kind's empty state, in log order

Checks raise `InvalidEvent` and return nothing; folds return a new state and never
raise. Both read only the state (the log before the event) and the envelope, never a
clock or a device setting, so the same log gives the same state on every member.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final, Generic, Protocol, TypeVar, cast

import msgspec

from hasteh.org.errors import InvalidEvent, OrgCode, OrgDecodeError
from hasteh.org.events import VERSION, Event, EventEnvelope, EventId, decode, encode

__all__ = [
    "Check",
    "Copier",
    "Expires",
    "Fold",
    "Forgets",
    "LogKind",
    "LogState",
    "Received",
    "Row",
    "advanced",
    "apply",
    "copy_with",
    "fold",
    "receive",
    "replay",
    "tag_of",
]


class LogState(Protocol):
    """What the shared machinery reads of any kind's state (a frozen dataclass)."""

    @property
    def created(self) -> bool: ...

    @property
    def time(self) -> int: ...


S = TypeVar("S", bound=LogState)
T = TypeVar("T")

#: ``check(state, envelope, body)``: raises `InvalidEvent`, returns nothing.
Check = Callable[[Any, EventEnvelope, Any], None]
#: ``fold(state, envelope, body, policy)``: the new state; never raises.
Fold = Callable[[Any, EventEnvelope, Any, Any], Any]
#: ``forgets(state before, envelope, body)``: ids of stored events the event deletes.
Forgets = Callable[[Any, EventEnvelope, Any], tuple[EventId, ...]]
#: ``expires(state after, envelope, body)``: when the stored event itself is deleted.
Expires = Callable[[Any, EventEnvelope, Any], "int | None"]


@dataclass(frozen=True, slots=True)
class Row:
    """One event type's row: how it is checked and folded, and what the app must do
    about it. The defaults are those of an ordinary event (kept, handed over, sent as a
    message)."""

    check: Check
    fold: Fold
    #: In a log another member hands over (a newcomer's join history), the check that
    #: replaces `check` when that one needs what every log deletes (closed stances).
    history_check: Check | None = None
    #: The stored events it deletes when it enters the log (a close's stances, the
    #: author's own message a deletion names). None: nothing.
    forgets: Forgets | None = None
    #: Whether a member hands it to a newcomer with the log (chat is not handed over;
    #: threads are, messages need them).
    in_history: bool = True
    #: When the stored event is deleted by itself (disappearing messages). None: never.
    expires: Expires | None = None
    #: A fact the app synthesizes from an MLS commit (membership): refused as a message.
    fact: bool = False
    #: It creates the group: the only event a log may begin with.
    first: bool = False
    #: Its fold moves the log time forward itself (`advanced`), in the one copy of the
    #: state it makes anyway, so the machinery does not copy the state a second time for
    #: the time alone. Only for folds that never read `state.time` (the fund's entries:
    #: a fund of 10,000 entries is folded on every load).
    sets_time: bool = False


@dataclass(frozen=True, slots=True)
class LogKind(Generic[S]):
    """A kind of group's log: its empty state, its table, the policy its folds consult,
    and the code an event before the first one is refused with."""

    name: str
    empty: Callable[[], S]
    rows: Mapping[type[Event], Row]
    policy: Any
    unknown: OrgCode

    def row(self, body: Event) -> Row:
        """The row of `body`'s type; `InvalidEvent` (``not-in-this-group``) for an event
        of another kind of group."""
        found = self.rows.get(type(body))
        if found is None:
            raise InvalidEvent("not-in-this-group", tag=tag_of(type(body)), kind=self.name)
        return found

    @property
    def not_in_history(self) -> frozenset[str]:
        """Tags of the events a member does not hand to a newcomer."""
        return frozenset(tag_of(t) for t, r in self.rows.items() if not r.in_history)


def tag_of(event_type: type[Event]) -> str:
    """An event type's wire tag (``"<family>.<name>"``), as stored beside the event."""
    return cast(str, event_type.__struct_config__.tag)


def _check_fields(envelope: EventEnvelope) -> None:
    """Events built in memory skip msgspec's bounds; run them through the codec once."""
    try:
        decode(encode(envelope))
    except OrgDecodeError as exc:
        raise InvalidEvent(exc.code, **exc.params) from None
    except (TypeError, ValueError, msgspec.EncodeError) as exc:  # a wrong Python type
        raise InvalidEvent("malformed-event", detail=str(exc)) from None


def _checked(
    kind: LogKind[S],
    state: S,
    envelope: EventEnvelope,
    *,
    decoded: bool = False,
    history: bool = False,
) -> Row:
    if envelope.v != VERSION:
        raise InvalidEvent("unsupported-version", version=envelope.v, supported=VERSION)
    if not decoded:
        _check_fields(envelope)
    body = envelope.body
    row = kind.row(body)
    if not state.created and not row.first:
        raise InvalidEvent(kind.unknown)
    check = row.history_check if history and row.history_check is not None else row.check
    check(state, envelope, body)
    return row


def _advance(state: S, envelope: EventEnvelope) -> S:
    """The log time moves forward with each event and never back; a fold already sees
    the time of the event it folds (a policy judges a commit at its log time)."""
    if envelope.at <= state.time:
        return state
    return copy_with(state, time=envelope.at)


def advanced(time: int, envelope: EventEnvelope) -> int:
    """The log time after `envelope`, for a fold of a `Row` with `sets_time`."""
    return envelope.at if envelope.at > time else time


def copy_with(state: T, **changes: Any) -> T:
    """`dataclasses.replace(state, **changes)` for a frozen value, at a fraction of its
    cost: the fields are copied as they are, without re-running `__init__` (these values
    have no `__post_init__`; `replace` spent a fifth of a 10,000-entry fund's load). A
    slotted value is copied slot by slot; a value with a `__dict__` (`OrgState`, copied
    for every event folded) by copying its dict, one C call. The copy is finished before
    anyone can see it, so values stay immutable to every reader. A name that is not a
    field raises `AttributeError`."""
    cls = type(state)
    slots = getattr(cls, "__slots__", None)
    if slots is None:
        fields = getattr(cls, "__dataclass_fields__", None)
        if fields is None or hasattr(cls, "__post_init__"):
            return cast(T, replace(cast(Any, state), **changes))
        for name in changes:
            if name not in fields:
                raise AttributeError(f"{cls.__name__} has no field {name!r}")
        values = state.__dict__.copy()
        values.update(changes)
        return _with_dict(cls, values)
    new = object.__new__(cls)
    put = object.__setattr__
    for name in slots:
        put(new, name, getattr(state, name))
    for name, value in changes.items():
        put(new, name, value)
    return new


def _with_dict(cls: type[T], values: dict[str, Any]) -> T:
    """A new instance of a frozen dataclass whose fields are `values` (a fresh dict)."""
    new = object.__new__(cls)
    object.__setattr__(new, "__dict__", values)
    return new


_NEW: Final = object.__new__
_SET: Final = object.__setattr__


class Copier(Generic[T]):
    """`dataclasses.replace` for one frozen class and a fixed set of changed fields, at a
    third of its cost or less: made once (a module constant), then called on every event
    of a hot fold (a 10,000-entry fund is folded on every load, a catch-up folds every
    chat message). ``copier(value, *new_values)`` gives a copy of `value` with `changed`
    set to `new_values`, in order; nothing re-runs `__init__` (these classes have no
    `__post_init__`). A slotted class is copied slot by slot, one with a `__dict__` by
    copying the dict."""

    __slots__ = ("_cls", "_new", "_read", "_slotted", "_writers", "changed")

    def __init__(self, cls: type[T], *changed: str) -> None:
        if hasattr(cls, "__post_init__"):
            raise TypeError(f"{cls.__name__} derives fields in __post_init__: use replace")
        slotted = "__slots__" in vars(cls)
        names: tuple[str, ...] = (
            cls.__slots__  # type: ignore[attr-defined]
            if slotted
            else tuple(cls.__dataclass_fields__)  # type: ignore[attr-defined]
        )
        kept = tuple(n for n in names if n not in changed)
        if set(changed) - set(names):
            raise TypeError(f"not fields of {cls.__name__}: {set(changed) - set(names)}")
        self._cls = cls
        self.changed = changed
        self._slotted = slotted
        if not slotted:
            self._read = None
            self._writers: tuple[Callable[[Any, Any], None], ...] = ()
            self._new: tuple[Callable[[Any, Any], None], ...] = ()
            return
        # `attrgetter` of one name gives the value, of several a tuple: always a tuple here.
        self._read = operator.attrgetter(*kept, *kept[:1]) if kept else None
        self._writers = tuple(getattr(cls, n).__set__ for n in kept)
        self._new = tuple(getattr(cls, n).__set__ for n in changed)

    def __call__(self, value: T, *new_values: Any) -> T:
        if not self._slotted:  # a class with a __dict__
            changed = self.changed
            if len(new_values) != len(changed):
                raise TypeError(f"{len(changed)} values needed, {len(new_values)} given")
            values = value.__dict__.copy()
            # Item by item: `update(zip(...))` cost a third of a chat message's copy.
            for name, fresh in zip(changed, new_values):  # noqa: B905 (lengths checked)
                values[name] = fresh
            new = _NEW(self._cls)
            _SET(new, "__dict__", values)
            return new
        new = object.__new__(self._cls)
        if self._read is not None:
            for write, old in zip(self._writers, self._read(value), strict=False):
                write(new, old)
        for write, fresh in zip(self._new, new_values, strict=True):
            write(new, fresh)
        return new


def apply(
    kind: LogKind[S],
    state: S,
    envelope: EventEnvelope,
    *,
    policy: Any = None,
    decoded: bool = False,
    history: bool = False,
) -> S:
    """Validate `envelope` against `state` and fold it. Raises `InvalidEvent` (with a
    stable `code`) and leaves `state` unchanged if the log must refuse it. `decoded`: it
    came from `decode`, so the codec round trip that bounds events built in memory is
    skipped. `history`: one event of a log another member handed over (its row's
    `history_check` replaces the check). `policy`: the kind's, unless given."""
    row = _checked(kind, state, envelope, decoded=decoded, history=history)
    chosen = kind.policy if policy is None else policy
    base = state if row.sets_time else _advance(state, envelope)
    return cast(S, row.fold(base, envelope, envelope.body, chosen))


def fold(kind: LogKind[S], state: S, envelope: EventEnvelope, *, policy: Any = None) -> S:
    """Fold without checks (a replay of a log already validated on this device). The
    policy still runs, so alarms are raised the same way."""
    body = envelope.body
    row = kind.row(body)
    chosen = kind.policy if policy is None else policy
    base = state if row.sets_time else _advance(state, envelope)
    return cast(S, row.fold(base, envelope, body, chosen))


def replay(kind: LogKind[S], envelopes: Iterable[EventEnvelope], *, policy: Any = None) -> S:
    state = kind.empty()
    for envelope in envelopes:
        state = fold(kind, state, envelope, policy=policy)
    return state


class Received(msgspec.Struct, Generic[S], frozen=True, gc=False):
    """The new state, and the ids of stored events that must now be deleted (what the
    event's row `forgets`, never anything else). A msgspec struct (its `__init__` is C:
    one is made for every event received); untracked by the collector, as it lives only
    until the caller has read it and holds nothing that could refer back to it."""

    state: S
    forget: tuple[EventId, ...] = ()


def receive(
    kind: LogKind[S],
    state: S,
    envelope: EventEnvelope,
    *,
    policy: Any = None,
    decoded: bool = False,
) -> Received[S]:
    """`apply`, plus what the app must delete from the vault as a consequence. (`apply`'s
    steps, written out: the row found once, for every event a catch-up receives.)"""
    row = _checked(kind, state, envelope, decoded=decoded)
    chosen = kind.policy if policy is None else policy
    base = state if row.sets_time else _advance(state, envelope)
    body = envelope.body
    new = row.fold(base, envelope, body, chosen)
    forgets = row.forgets
    if forgets is None:
        return Received(new)
    return Received(new, forgets(state, envelope, body))
