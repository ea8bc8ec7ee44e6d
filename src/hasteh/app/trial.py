"""Newcomers on trial (`hasteh.org.trial`): the cell ends a trial by decision.

The rules live in org and every member's log enforces them; here is only the step a
member takes: open a consent decision whose motion is `EndTrial(leaf, cover name)`. It is
carried out by the close itself (no commit, no further event), so nobody has a duty to
run afterwards. Its quorum is an admission's (every full member, or all but one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hasteh.app.cells import find_cell, find_member
from hasteh.app.decisions import DecisionSummary, open_decision
from hasteh.app.errors import BadInput
from hasteh.i18n import _

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = ["propose_end_of_trial"]


def propose_end_of_trial(
    ws: Workspace, cell: str, member: str, *, deadline: int, kind: str = "consent"
) -> DecisionSummary:
    """Open the decision that ends `member`'s trial (``not-on-trial`` if they are not on
    trial: nothing is sent)."""
    rt = find_cell(ws, cell)
    leaf = find_member(rt, member)
    found = rt.org.members[leaf]  # type: ignore[index]
    if not found.on_trial:
        raise BadInput("not-on-trial", name=found.cover_name)
    question = _("End the trial of {name}: a full member from now on?").format(
        name=found.cover_name
    )
    return open_decision(
        ws, cell, kind=kind, question=question, deadline=deadline, end_trial=member
    )
