"""A kind of group's rules, injected into the group runtime (`GroupDomain`).

The runtime (`hasteh.app.runtime`) runs any MLS group with an org log: it orders and
times events, folds them, turns commits into membership facts, stages and merges our
own commits, hands the log to a newcomer. What differs between a cell and an alliance
is what it is given here, the way mls-rs injects its `MlsRules`: every member of a
group must run the same domain, so they reach the same state and the same verdicts.

    log             the kind's `org.LogKind`: empty state, the table of rows, policy
    check           the verdict on a membership change against the log before it
                    (the runtime refuses rogue commits and removals with it)
    authorize       the same, raising `PolicyViolation`, before our own commit
    rekeys_after    whether a removal obliges every other member to update its keys
    next_commit     the commit this member is responsible for now, as an `Intent`
    duties          the events this member is responsible for sending now (carrying
                    out adopted decisions, closing what is due); how many

A new kind of group is a domain object, an events family and its table rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from hasteh.app.records import Intent
from hasteh.org import AlarmRecord, LogKind, MemberAdded, MemberRemoved, Verdict

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace
    from hasteh.app.runtime import GroupRuntime

__all__ = ["Folded", "GroupDomain", "MembershipChange"]

MembershipChange = MemberAdded | MemberRemoved


class Folded(Protocol):
    """What the runtime and the faces read of any kind's folded state."""

    @property
    def created(self) -> bool: ...

    @property
    def time(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def epoch(self) -> int: ...

    @property
    def members(self) -> Mapping[Any, Any]: ...

    @property
    def alarms(self) -> tuple[AlarmRecord, ...]: ...

    def cover_name(self, leaf: int) -> str: ...


S = TypeVar("S", bound=Folded)


@dataclass(frozen=True, slots=True)
class GroupDomain(Generic[S]):
    """One kind of group's rules (see the module docstring)."""

    kind: str
    log: LogKind[S]
    check: Callable[[MembershipChange, S], Verdict]
    authorize: Callable[[MembershipChange, S], object]
    rekeys_after: Callable[[S, MemberRemoved], bool]
    next_commit: Callable[[GroupRuntime[S]], Intent | None]
    duties: Callable[[Workspace, GroupRuntime[S]], int]
