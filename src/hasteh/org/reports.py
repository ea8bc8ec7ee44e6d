"""Word carried between levels of the federation: warnings and report-backs.

A cell warns its alliance under its pseudonym (`WarningRaised`); a delegate carries down
what the group above decided or was told (`CarriedDown`): from a council into each
alliance, from an alliance into each cell. A report-back is the delegate's word: it names
the group it came from and the chain above, never a person or another cell's member.
The same row serves a cell and an alliance (both states have `members` and `carried`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

from hasteh.org.errors import InvalidEvent
from hasteh.org.events import EventEnvelope, EventId, LeafIndex, MotionOutcome
from hasteh.org.events.federation import CarriedDown, ReportKind, WarningKind
from hasteh.org.pmap import PMap

__all__ = ["CellWarning", "Report", "check_report", "fold_report", "ordered"]


@dataclass(frozen=True, slots=True)
class CellWarning:
    """A member cell's warning to the alliance, under its pseudonym."""

    warning_id: EventId
    cell: str
    kind: WarningKind
    text: str
    at: int


@dataclass(frozen=True, slots=True)
class Report:
    """A report-back a delegate carried into this group from the group above."""

    report_id: EventId
    #: The leaf that carried it (shown as its cover name in this group).
    by: LeafIndex
    kind: ReportKind
    source: str
    text: str
    outcome: MotionOutcome | None
    path: tuple[str, ...]
    at: int


class _Reporting(Protocol):
    @property
    def members(self) -> Any: ...

    @property
    def carried(self) -> PMap[EventId, Report]: ...


S = TypeVar("S", bound=_Reporting)


def check_report(state: _Reporting, env: EventEnvelope, body: CarriedDown) -> None:
    if LeafIndex(env.author) not in state.members:
        raise InvalidEvent("not-a-member", leaf=env.author)
    if EventId(env.event_id) in state.carried:
        raise InvalidEvent("duplicate-id")


def fold_report(state: S, env: EventEnvelope, body: CarriedDown, policy: object) -> S:
    report = Report(
        EventId(env.event_id),
        LeafIndex(env.author),
        body.kind,
        body.source,
        body.text,
        body.outcome,
        tuple(body.path),
        env.at,
    )
    return replace(state, carried=state.carried.set(report.report_id, report))  # type: ignore[type-var]


def ordered(reports: PMap[EventId, Report]) -> list[Report]:
    """Report-backs oldest first (log time, then id: the same on every member)."""
    return sorted(reports.values(), key=lambda r: (r.at, r.report_id))
