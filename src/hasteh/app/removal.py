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
from hasteh.app.decisions import DecisionSummary, open_decision
from hasteh.app.errors import BadInput, UnknownMember
from hasteh.i18n import _
from hasteh.org import MemberSeized, SeizureReviewed

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace
    from hasteh.app.sync import SyncReport

__all__ = ["propose_removal", "review_seizure", "seized"]


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
    from hasteh.app.sync import sync

    rt = find_cell(ws, cell)
    rt.require_group()
    leaf = find_member(rt, member)
    if leaf == rt.own_leaf:
        raise BadInput(
            "self-seizure",
            _("You cannot report your own device as seized from that device."),
            _("Ask another member to do it, or use `hasteh panic`."),
        )
    runtime.send_event(ws, rt, MemberSeized(org.LeafIndex(leaf), note.strip()[:2000]))
    runtime.plan(ws, rt)
    return sync(ws)


def review_seizure(ws: Workspace, cell: str, member: str, *, upheld: bool, note: str = "") -> None:
    rt = find_cell(ws, cell)
    wanted = member.strip()
    for s in sorted(rt.org.seizures.values(), key=lambda s: s.at, reverse=True):
        if s.cover_name == wanted and s.upheld is None:
            runtime.send_event(ws, rt, SeizureReviewed(s.seizure_id, upheld, note.strip()))
            return
    raise UnknownMember()


def seizures(ws: Workspace, cell: str) -> list[org.Seizure]:
    rt = find_cell(ws, cell)
    return sorted(rt.org.seizures.values(), key=lambda s: s.at)
