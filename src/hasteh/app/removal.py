"""Removal: by decision, or at once when a member's device is seized.

* **By decision** (`propose_removal`): a consent (or proposal) decision whose motion is
  `RemoveMember(leaf, cover name)`. Once it is closed as adopted, the member with the
  lowest leaf other than the one removed commits the Remove (`runtime.plan`); every
  member's client checks that commit against the decision (org policy).
* **Seized** (`seized`): any member reports that another member's device was taken. The
  report (`MemberSeized`) goes out and the reporter's client commits the Remove at once,
  without a vote, so the seized device is cut off from the next epoch. Every other member,
  on processing that commit, commits an empty-path update (self-update) to rotate its own
  keys. Org records the seizure; the cell reviews it afterwards (`review_seizure`), and a
  seizure the cell does not uphold raises an alarm naming who reported it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hasteh import org
from hasteh.app import runtime
from hasteh.app.cells import find_cell, find_member
from hasteh.app.constants import ALARM_KINDS
from hasteh.app.decisions import DecisionSummary, open_decision
from hasteh.app.errors import BadInput
from hasteh.app.sync import SyncReport, sync
from hasteh.i18n import _
from hasteh.org import Alarm, MemberSeized, SeizureReviewed

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = [
    "ALARM_KINDS",
    "pending_reviews",
    "propose_removal",
    "raise_alarm",
    "review_seizure",
    "seized",
]


def propose_removal(
    ws: Workspace, cell: str, member: str, *, deadline: int, kind: str = "consent"
) -> DecisionSummary:
    rt = find_cell(ws, cell)
    name = rt.org.cover_name(find_member(rt, member))
    question = _("Remove {name} from the cell?").format(name=name)
    return open_decision(
        ws, cell, kind=kind, question=question, deadline=deadline, remove_member=member
    )


def seized(ws: Workspace, cell: str, member: str, *, note: str = "") -> SyncReport:
    """Report `member`'s device as seized and remove it now; returns the sync that sent
    the commit (if a relay is reachable; otherwise it waits in the outbox or a bundle)."""
    rt = find_cell(ws, cell)
    rt.require_group()
    leaf = find_member(rt, member)
    if leaf == rt.own_leaf:
        raise BadInput("self-seizure")
    runtime.send_event(ws, rt, MemberSeized(org.LeafIndex(leaf), note.strip()[:2000]))
    runtime.plan(ws, rt)
    return sync(ws)


def review_seizure(ws: Workspace, cell: str, member: str, *, upheld: bool, note: str = "") -> None:
    """Say whether the cell upholds the report that `member`'s device was seized; a
    report not upheld raises an alarm that names who made it."""
    rt = find_cell(ws, cell)
    rt.require_group()
    wanted = member.strip()
    for s in sorted(rt.org.seizures.values(), key=lambda s: s.at, reverse=True):
        if s.cover_name == wanted and s.upheld is None:
            body = SeizureReviewed(s.seizure_id, upheld, note.strip()[:2000])
            runtime.send_event(ws, rt, body)
            return
    raise BadInput("no-seizure")


def pending_reviews(ws: Workspace, cell: str) -> list[org.Seizure]:
    """Seizure reports the cell has not reviewed yet, oldest first."""
    return [s for s in seizures(ws, cell) if s.upheld is None]


def raise_alarm(ws: Workspace, cell: str, kind: str, *, member: str = "", note: str = "") -> None:
    """Raise an alarm by hand (e.g. the safety words differ): every member sees it in red
    at the top of the cell, with your cover name. `member` names who it is about, if
    anyone; a note is required for `other`, since the kind alone then says nothing."""
    if kind not in ALARM_KINDS:
        raise BadInput("bad-alarm-kind", kinds=", ".join(ALARM_KINDS))
    text = note.strip()[:2000]
    if kind == "other" and not text:
        raise BadInput("empty-alarm-note")
    rt = find_cell(ws, cell)
    rt.require_group()
    leaf = org.LeafIndex(find_member(rt, member)) if member.strip() else None
    runtime.send_event(ws, rt, Alarm(kind, leaf, text))


def seizures(ws: Workspace, cell: str) -> list[org.Seizure]:
    rt = find_cell(ws, cell)
    return sorted(rt.org.seizures.values(), key=lambda s: s.at)
