"""What every kind of group's roster shares: the commit facts (``member.added`` and
``member.removed``) are checked one way, and a refused one is recorded as one alarm, in a
cell and in an alliance alike (docs/architecture.md, "Kinds of group")."""

from __future__ import annotations

from typing import Protocol

from hasteh.org.errors import InvalidEvent
from hasteh.org.events import EventEnvelope, EventId, LeafIndex, MemberAdded, MemberRemoved
from hasteh.org.policy import Verdict
from hasteh.org.state import AlarmRecord

__all__ = ["Roster", "alarm_record", "check_commit"]


class Roster(Protocol):
    """A group's state as far as its roster goes: its epoch and who sits at a leaf."""

    @property
    def epoch(self) -> int: ...

    def cover_name(self, leaf: int) -> str: ...


def check_commit(state: Roster, env: EventEnvelope, body: MemberAdded | MemberRemoved) -> None:
    """A commit fact names an epoch no older than the log's (equal epochs are fine: one
    commit may add or remove several members)."""
    if body.commit_epoch < state.epoch or body.commit_epoch == 0:
        raise InvalidEvent("stale-epoch", epoch=body.commit_epoch, last=state.epoch)


def alarm_record(
    state: Roster, env: EventEnvelope, verdict: Verdict, body: MemberAdded | MemberRemoved
) -> AlarmRecord:
    """The alarm every member records for a membership change its rules refuse."""
    subject = body.cover_name if isinstance(body, MemberAdded) else state.cover_name(body.leaf)
    return AlarmRecord(
        code=verdict.code,
        by_leaf=LeafIndex(body.by_leaf),
        by_cover_name=state.cover_name(body.by_leaf),
        subject_leaf=LeafIndex(body.leaf),
        subject_cover_name=subject,
        epoch=body.commit_epoch,
        event_id=EventId(env.event_id),
    )
