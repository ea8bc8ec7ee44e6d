"""Decisions: open, take part, close, show (through org events).

Kinds (as typed on the command line): ``consent``, ``proposal``, ``single``,
``multiple``, ``ranked`` (instant runoff), ``stv`` (ranked with several seats), ``optin``
(a count only). Protective defaults come from org: results are hidden until close,
stances are deleted from every vault at close (only the outcome is kept), and
``outcome_only`` keeps not even the counts. A decision with a motion (remove a member,
change the settings) is carried out by a member's client once adopted (`runtime.carry_out`).

Decisions are referred to by their number in `show` (1, 2, …, by opening time; Persian
digits accepted) or by the start of their id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING, Final

import msgspec

from hasteh import org
from hasteh.app import records, runtime
from hasteh.app.cell_relays import checked_relays
from hasteh.app.cells import DAY, find_cell, find_member, validate_settings
from hasteh.app.errors import BadInput, UnknownDecision
from hasteh.app.runtime import CellRuntime
from hasteh.i18n import _, display_number, parse_digits, whole_number
from hasteh.jalali import DEFAULT_ZONE, TimeInputError, parse_moment, zone_named
from hasteh.org import (
    Choice,
    Choices,
    Consent,
    DecisionClosed,
    DecisionOpened,
    Objection,
    OptIn,
    ProposalStance,
    Ranking,
    RemoveMember,
    StanceCast,
)
from hasteh.org.decisions import MAX_DEADLINE, MIN_MOTION_DEADLINE
from hasteh.org.events.cell import MAX_FILE_CAP, MAX_FILES_CAP

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = [
    "KINDS",
    "DecisionSummary",
    "change_settings",
    "close",
    "close_due",
    "deadline",
    "find",
    "numbers",
    "open_decision",
    "parse_deadline",
    "show",
    "summary_of",
    "vote",
]

#: Command-line kind → (org kind, whether it takes options).
KINDS: dict[str, tuple[org.DecisionKind, bool]] = {
    "consent": ("consent", False),
    "proposal": ("proposal", False),
    "single": ("single", True),
    "multiple": ("multiple", True),
    "ranked": ("ranked", True),
    "stv": ("ranked", True),
    "optin": ("opt-in", False),
}


@dataclass(frozen=True, slots=True)
class DecisionSummary:
    number: int
    decision_id: str
    kind: str
    question: str
    options: tuple[str, ...]
    deadline: int
    is_open: bool
    voted: int | None
    status: str | None
    winners: tuple[str, ...]
    counts: tuple[int, ...] | None
    reasons: tuple[str, ...]
    motion: str


#: Durations scripts may still pass (``+3d``, ``+12h``, ``+30m``): not shown to people,
#: who choose or type a date (`hasteh.jalali.parse_moment`).
#: A motion (removal, settings, end of a trial) must stay open a day from the moment it
#: enters the log (`org.decisions.MIN_MOTION_DEADLINE`), which is the relay's stamp, a
#: little after this device's clock. A deadline chosen as "in one day" is moved this much
#: later, so the relay's delay cannot make every member refuse the motion (and the
#: author's own device drop it once it comes back).
MOTION_MARGIN: Final = 3600

_DURATION = re.compile(r"^\+(\d{1,4})\s*([dhm])$")


def parse_deadline(text: str, now: int, zone: tzinfo | None = None) -> int:
    """When a decision closes, as a person chose or typed it, read in `zone` (Tehran by
    default): a choice (``evening``, ``tomorrow``, ``three-days``, ``week``, or the same
    in Persian words), a number of days (``۳ روز``) or a date (``۲۰ آذر``,
    ``۱۴۰۵/۰۹/۲۰ ۱۸:۰۰``, ``2026-12-11``); see `hasteh.jalali.parse_moment`. Raises
    `BadInput` ``deadline-in-past``, or the `TimeInputError` that says why the text is not
    a moment (``not-a-date``, ``no-such-date``, ``too-far``, ...)."""
    value = parse_digits(text).strip().lower()
    if match := _DURATION.match(value):
        n, unit = int(match.group(1)), match.group(2)
        return now + n * {"d": 86_400, "h": 3_600, "m": 60}[unit]
    try:
        return parse_moment(
            text, now, zone or zone_named(DEFAULT_ZONE), max_days=MAX_DEADLINE // DAY
        )
    except TimeInputError as exc:
        if exc.reason == "past":
            raise BadInput("deadline-in-past") from None
        raise  # its own code says why (domain "time"; the faces translate it)


def deadline(ws: Workspace, text: str) -> int:
    """`parse_deadline` at the workspace's time, in the profile's time zone."""
    return parse_deadline(text, ws.now(), ws.vault.read(records.time_zone))


def _decisions(rt: CellRuntime) -> list[org.Decision]:
    return sorted(rt.org.decisions.values(), key=lambda d: (d.at, d.decision_id))


def _find(rt: CellRuntime, ref: str) -> org.Decision:
    value = parse_digits(ref).strip().lstrip("#")
    found = _decisions(rt)
    number = whole_number(value, max_digits=6)
    if number is not None and 1 <= number <= len(found):
        return found[number - 1]
    low = value.lower()
    if len(low) >= 4:
        matches = [d for d in found if d.decision_id.hex().startswith(low)]
        if len(matches) == 1:
            return matches[0]
    raise UnknownDecision()


def open_decision(
    ws: Workspace,
    cell: str,
    *,
    kind: str,
    question: str,
    deadline: int,
    options: list[str] | None = None,
    quorum: int = 0,
    outcome_only: bool = False,
    hide_results: bool = False,
    seats: int | None = None,
    remove_member: str | None = None,
    settings: org.CellSettings | None = None,
    end_trial: str | None = None,
) -> DecisionSummary:
    rt = find_cell(ws, cell)
    rt.require_group()
    if kind not in KINDS:
        raise BadInput("bad-kind", kinds=", ".join(KINDS))
    org_kind, with_options = KINDS[kind]
    chosen = [o.strip() for o in (options or [])]
    if with_options and len(chosen) < 2:
        raise BadInput("needs-options")
    if not with_options and chosen:
        raise BadInput("takes-no-options")
    if deadline <= ws.now():
        raise BadInput("deadline-in-past")
    if seats is None:
        seats = 2 if kind == "stv" else (1 if kind == "ranked" else 0)
    if kind == "stv" and seats < 2:
        raise BadInput("bad-seats")
    motion: org.Motion | None = None
    if remove_member is not None:
        leaf = find_member(rt, remove_member)
        motion = RemoveMember(org.LeafIndex(leaf), rt.org.cover_name(leaf))
    elif settings is not None:
        motion = org.ChangeSettings(settings)
    elif end_trial is not None:
        leaf = find_member(rt, end_trial)
        motion = org.EndTrial(org.LeafIndex(leaf), rt.org.cover_name(leaf))
    if motion is not None and 0 <= deadline - ws.now() - MIN_MOTION_DEADLINE < MOTION_MARGIN:
        deadline = ws.now() + MIN_MOTION_DEADLINE + MOTION_MARGIN
    body = DecisionOpened(
        kind=org_kind,
        question=question.strip(),
        deadline=deadline,
        options=tuple(chosen),
        quorum=quorum,
        hide_results=hide_results,
        outcome_only=outcome_only,
        seats=seats,
        motion=motion,
    )
    env = runtime.send_event(ws, rt, body)
    return _summary(rt, rt.org.decisions[org.EventId(env.event_id)])


def _option_index(decision: org.Decision, value: str) -> int:
    number = whole_number(value, max_digits=4)
    if number is not None and 1 <= number <= len(decision.options):
        return number - 1
    for i, option in enumerate(decision.options):
        if option == value.strip():
            return i
    raise BadInput("unknown-option")


def vote(
    ws: Workspace,
    cell: str,
    decision: str,
    *,
    choices: list[str] | None = None,
    position: str | None = None,
    reason: str = "",
) -> DecisionSummary:
    """Take part. consent: ``position`` agree/object (with a reason); proposal:
    agree/abstain/disagree/block; single: one choice; multiple: the choices; ranked/stv:
    choices in order of preference; opt-in: nothing."""
    rt = find_cell(ws, cell)
    rt.require_group()
    d = _find(rt, decision)
    picked = [_option_index(d, c) for c in (choices or [])]
    stance: org.Stance
    if d.kind == "consent":
        if position in ("agree", "consent"):
            stance = Consent()
        elif position in ("object", "objection", "disagree"):
            stance = Objection(reason.strip())
        else:
            raise BadInput("bad-consent-position")
    elif d.kind == "proposal":
        if position not in ("agree", "abstain", "disagree", "block"):
            raise BadInput("bad-proposal-position")
        stance = ProposalStance(position, reason.strip())  # type: ignore[arg-type]
    elif d.kind == "single":
        if len(picked) != 1:
            raise BadInput("choose-one")
        stance = Choice(picked[0])
    elif d.kind == "multiple":
        stance = Choices(tuple(picked))
    elif d.kind == "ranked":
        if not picked:
            raise BadInput("rank-one")
        stance = Ranking(tuple(picked))
    else:
        stance = OptIn()
    runtime.send_event(ws, rt, StanceCast(d.decision_id, stance))
    return _summary(rt, rt.org.decisions[d.decision_id])


def close(ws: Workspace, cell: str, decision: str) -> DecisionSummary:
    """Close a decision (after its deadline, or once everyone took part): the outcome is
    computed, sent, and the stances are deleted everywhere. An adopted motion is then
    carried out."""
    rt = find_cell(ws, cell)
    rt.require_group()
    d = _find(rt, decision)
    if not d.is_open:
        raise BadInput("already-closed")
    runtime.send_event(ws, rt, DecisionClosed(d.decision_id, org.compute_outcome(d)))
    runtime.carry_out(ws, rt)
    return _summary(rt, rt.org.decisions[d.decision_id])


def close_due(ws: Workspace, cell: str) -> list[DecisionSummary]:
    """Close every decision whose deadline has passed."""
    rt = find_cell(ws, cell)
    closed = []
    for event in org.close_due(rt.org, ws.now()):
        runtime.send_event(ws, rt, event)
        closed.append(_summary(rt, rt.org.decisions[org.EventId(event.decision_id)]))
    runtime.carry_out(ws, rt)
    return closed


def _summary(rt: CellRuntime, d: org.Decision, number: int | None = None) -> DecisionSummary:
    """`d` as shown; `number` is its place by opening time (found when not given)."""
    if number is None:
        number = next(i for i, x in enumerate(_decisions(rt), 1) if x.decision_id == d.decision_id)
    view = org.view(rt.org, d.decision_id)
    outcome = view.outcome
    kind = "stv" if d.kind == "ranked" and d.seats > 1 else d.kind
    motion = ""
    if isinstance(d.motion, RemoveMember):
        motion = _("remove {name}").format(name=d.motion.cover_name)
    elif isinstance(d.motion, org.ChangeSettings):
        motion = _("change the settings")
    elif isinstance(d.motion, org.EndTrial):
        motion = _("end the trial of {name}").format(name=d.motion.cover_name)
    return DecisionSummary(
        number=number,
        decision_id=d.decision_id.hex()[:8],
        kind=kind,
        question=d.question,
        options=d.options,
        deadline=d.deadline,
        is_open=view.is_open,
        voted=view.voted,
        status=None if outcome is None else outcome.status,
        winners=() if outcome is None else tuple(d.options[i] for i in outcome.winners),
        counts=None if outcome is None else outcome.counts,
        reasons=() if outcome is None else outcome.reasons,
        motion=motion,
    )


def show(ws: Workspace, cell: str) -> list[DecisionSummary]:
    """Every decision, by number (sorted once, not once per decision)."""
    rt = find_cell(ws, cell)
    return [_summary(rt, d, number) for number, d in enumerate(_decisions(rt), 1)]


def change_settings(
    ws: Workspace,
    cell: str,
    *,
    deadline: int,
    cap: int | None = None,
    admission: str | None = None,
    expiry_days: int | None = None,
    relays: list[str] | None = None,
    trial_days: int | None = None,
    file_cap_mb: int | None = None,
    files_cap_mb: int | None = None,
) -> object:
    """Open a consent decision to change the cell's settings (carried out once adopted).
    A cap above the hard limit (7) is refused here, before anything is sent; so is a
    relay list the cell could not live with (`cell_relays.checked_relays`). `relays`
    lists the new relays in order, the ordering relay first; None keeps them. The caps of
    files (`file_cap_mb` per file, `files_cap_mb` in all, in MB) are kept unless given."""
    rt = find_cell(ws, cell)
    s = rt.org.settings
    settings = validate_settings(
        s.size_cap if cap is None else cap,
        s.admission if admission is None else admission,
        s.message_expiry // DAY if expiry_days is None else expiry_days,
        s.trial // DAY if trial_days is None else trial_days,
    )
    file_cap = s.file_cap if file_cap_mb is None else file_cap_mb * 2**20
    files_cap = s.files_cap if files_cap_mb is None else files_cap_mb * 2**20
    if not 2**20 <= file_cap <= MAX_FILE_CAP or not file_cap <= files_cap <= MAX_FILES_CAP:
        raise BadInput("bad-file-cap", most=MAX_FILE_CAP // 2**20, total=MAX_FILES_CAP // 2**20)
    settings = msgspec.structs.replace(settings, file_cap=file_cap, files_cap=files_cap)
    if relays is not None:
        settings = msgspec.structs.replace(settings, relays=tuple(checked_relays(relays)))
    if settings.size_cap < len(rt.org.members):
        raise BadInput("cap-below-members", count=len(rt.org.members))
    question = _("Change the settings: cap {cap}, admission {admission}, expiry {days} days?")
    text = question.format(
        cap=display_number(settings.size_cap),
        admission=settings.admission,
        days=display_number(settings.message_expiry // DAY),
    )
    if settings.trial:
        text += " " + _("Newcomers on trial for {days} days.").format(
            days=display_number(settings.trial // DAY)
        )
    elif s.trial:
        text += " " + _("No trial for newcomers.")
    if settings.relays is not None:
        text += " " + _("Relays: {relays} (the first one orders the messages).").format(
            relays=_(", ").join(settings.relays)
        )
    if (file_cap, files_cap) != (s.file_cap, s.files_cap):
        text += " " + _("Files: at most {each} MB each, {total} MB in all.").format(
            each=display_number(file_cap // 2**20), total=display_number(files_cap // 2**20)
        )
    return open_decision(
        ws, cell, kind="consent", question=text, deadline=deadline, settings=settings
    )


def find(rt: CellRuntime, ref: str) -> org.Decision:
    """The decision `ref` names (number or start of id), for other families that link one."""
    return _find(rt, ref)


def numbers(rt: CellRuntime) -> dict[bytes, int]:
    """Every decision's number (its place by opening time), sorted once."""
    return {d.decision_id: i for i, d in enumerate(_decisions(rt), 1)}


def summary_of(rt: CellRuntime, d: org.Decision, number: int | None = None) -> DecisionSummary:
    """`d` as shown (its protective view), for other families that link one; `number`
    from `numbers` when many are shown (found when not given)."""
    return _summary(rt, d, number)
