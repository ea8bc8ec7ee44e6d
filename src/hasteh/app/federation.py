"""Federation for a delegate (issue 17): joint actions, the programme, warnings, the
council and report-backs, through the alliance's runtime (internal API of the faces).

    federation.declare_council(ws, "national")                     # CouncilDeclared
    action = federation.propose_joint(ws, "north", title, demands, date, decide_by)
    federation.opt_in(ws, "north", action, 7)                      # a number, never names
    amendment = federation.propose_amendment(ws, "north", "Wages", text, deadline)
    federation.vote(...)  is `alliances.vote`: an amendment's id is its motion's id
    federation.endorse(ws, "north", version, key)                  # the cell key signs
    federation.warn(ws, "north", "informer", text)
    federation.report_down(ws, "national", motion, into="north")   # one level down

The lowest seat closes votes and ratifies adopted amendments (`alliance_domain.duties`).
A report-back goes from a group this profile sits in (an alliance or a council) into
another one it sits in, one level down (an alliance, or its own cell): the delegate's
device holds both, and nothing of the upper group but the question, the outcome and the
chain of group names crosses into the lower one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hasteh.app import runtime
from hasteh.app.alliances import find_alliance
from hasteh.app.errors import BadInput, clean_or_refuse, refused
from hasteh.app.kinds import all_groups
from hasteh.app.runtime import GroupRuntime
from hasteh.org import EventEnvelope, EventId, InvalidEvent
from hasteh.org.events import MAX_EVENT_BYTES
from hasteh.org.events.federation import (
    MAX_DEMANDS,
    AmendmentProposed,
    CouncilDeclared,
    JointActionProposed,
    JointOptedIn,
    ProgrammeEndorsed,
    ReportedBack,
    WarningKind,
    WarningRaised,
)
from hasteh.org.programme import sign_endorsement

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = [
    "declare_council",
    "endorse",
    "find_group",
    "opt_in",
    "pass_down",
    "propose_amendment",
    "propose_joint",
    "report_down",
    "report_warning",
    "warn",
]

#: A section's text, a warning: at most this many characters (well inside one event).
MAX_TEXT = 16_000


def _id(env: EventEnvelope) -> EventId:
    return EventId(env.event_id)


def declare_council(ws: Workspace, alliance: str) -> EventEnvelope:
    """Mark the alliance this profile just formed, still alone in it, as a council."""
    return runtime.send_event(ws, find_alliance(ws, alliance), CouncilDeclared())


def propose_joint(
    ws: Workspace,
    alliance: str,
    title: str,
    demands: Sequence[str],
    *,
    date: int,
    decide_by: int,
) -> EventId:
    """A joint action of the member cells; it opens the alliance's go/no-go vote."""
    clean_title = clean_or_refuse(title, limit=200)
    listed = tuple(d.strip() for d in demands if d.strip())
    if not listed or len(listed) > MAX_DEMANDS or any(len(d) > 200 for d in listed):
        raise BadInput("bad-demands")
    body = JointActionProposed(clean_title, listed, date, decide_by)
    return _id(runtime.send_event(ws, find_alliance(ws, alliance), body))


def opt_in(ws: Workspace, alliance: str, action: bytes, count: int) -> EventEnvelope:
    """Our cell's count of members taking part: a number the cell agreed to give."""
    if not 0 <= count <= 1_000:
        raise BadInput("bad-count")
    body = JointOptedIn(EventId(action), count)
    return runtime.send_event(ws, find_alliance(ws, alliance), body)


def propose_amendment(
    ws: Workspace, alliance: str, section: str, text: str, *, deadline: int
) -> EventId:
    """Our cell proposes that `section` read `text` (empty: remove it), on the current
    version; the alliance votes on it (its id is the vote's id)."""
    rt = find_alliance(ws, alliance)
    title = clean_or_refuse(section, limit=200)
    body = text.strip()
    if len(body) > MAX_TEXT:
        raise BadInput("message-too-long")
    amendment = AmendmentProposed(title, body, rt.org.programme.number, deadline)
    return _id(runtime.send_event(ws, rt, amendment))


def endorse(ws: Workspace, alliance: str, version: int, key: Ed25519PrivateKey) -> EventEnvelope:
    """Our cell endorses programme `version`, signed with the cell's key (which the cell
    uses only after it decided to endorse)."""
    rt = find_alliance(ws, alliance)
    ratified = rt.org.programme.version(version)
    if ratified is None:
        raise refused(InvalidEvent("unknown-version", version=version))
    body = ProgrammeEndorsed(version, sign_endorsement(key, ratified))
    return runtime.send_event(ws, rt, body)


def warn(ws: Workspace, alliance: str, kind: WarningKind, text: str) -> EventId:
    """Our cell's warning to the alliance, under its pseudonym."""
    body = text.strip()
    if not body:
        raise BadInput("empty-message")
    if len(body) > MAX_TEXT:
        raise BadInput("message-too-long")
    return _id(runtime.send_event(ws, find_alliance(ws, alliance), WarningRaised(kind, body)))


def find_group(ws: Workspace, ref: str) -> GroupRuntime[Any]:
    """A group of this profile (a cell, an alliance, a council) by name or id start."""
    wanted = ref.strip()
    found = [
        rt
        for rt in all_groups(ws)
        if rt.name == wanted or (len(wanted) >= 6 and rt.group_id.hex().startswith(wanted))
    ]
    if len(found) != 1:
        raise BadInput("unknown-group")
    return found[0]


def report_down(ws: Workspace, source: str, motion: bytes, *, into: str) -> EventEnvelope:
    """Carry the closed motion `motion` of group `source` (an alliance or a council this
    profile sits in) into group `into`, one level down: its question and outcome."""
    upper = find_alliance(ws, source)
    decided = upper.org.motions.get(EventId(motion))
    if decided is None or decided.outcome is None:
        raise BadInput("unknown-decision")
    body = ReportedBack(
        "decision", upper.name[:64], decided.question, decided.outcome, (upper.name[:200],)
    )
    return _carry(ws, into, body)


def report_warning(ws: Workspace, source: str, warning: bytes, *, into: str) -> EventEnvelope:
    """Carry a member cell's warning from alliance `source` into group `into` (our
    cell, or the alliance below a council), naming the warning cell's pseudonym only."""
    upper = find_alliance(ws, source)
    raised = upper.org.warnings.get(EventId(warning))
    if raised is None:
        raise BadInput("unknown-decision")
    text = f"[{raised.kind}] {raised.cell}: {raised.text}"[:MAX_TEXT]
    body = ReportedBack("warning", upper.name[:64], text, None, (upper.name[:200],))
    return _carry(ws, into, body)


def pass_down(ws: Workspace, source: str, report: bytes, *, into: str) -> EventEnvelope:
    """Carry a report-back that reached group `source` (from the level above) one level
    further down, into group `into`: the chain of groups grows by `source`."""
    upper = find_alliance(ws, source)
    got = upper.org.reports.get(EventId(report))
    if got is None:
        raise BadInput("unknown-decision")
    path = (*got.path[-7:], upper.name[:200])
    body = ReportedBack(got.kind, upper.name[:64], got.text, got.outcome, path)  # type: ignore[arg-type]
    return _carry(ws, into, body)


def _carry(ws: Workspace, into: str, body: ReportedBack) -> EventEnvelope:
    lower = find_group(ws, into)
    if len(body.text.encode()) > MAX_EVENT_BYTES // 2:
        raise BadInput("message-too-long")
    return runtime.send_event(ws, lower, body)
