"""Joint actions of an alliance: shared demands and a date, per-cell counts, go/no-go.

Sans-I/O data for the alliance's rows (`hasteh.org.alliance`, "issue 17"). A joint
action's go/no-go is the alliance's motion named by the same id (one vote per cell); what
a cell says about taking part is one number under its pseudonym, never a name: the cell
counts its own members inside the cell (an opt-in decision, `hasteh.org.actions`) and its
delegate carries the number up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hasteh.org.events.base import EventId

__all__ = ["JointAction", "go"]


@dataclass(frozen=True, slots=True)
class JointAction:
    """A joint action as every delegate sees it."""

    action_id: EventId
    title: str
    demands: tuple[str, ...]
    date: int
    proposed_by: str
    at: int
    #: Cell pseudonym -> how many of its members take part (the latest count).
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def go(adopted: bool | None) -> str:
    """``"go"``, ``"no-go"`` or ``"open"`` from the go/no-go motion's outcome."""
    if adopted is None:
        return "open"
    return "go" if adopted else "no-go"
