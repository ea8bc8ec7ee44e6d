"""The ``decision.*`` family: decisions, their stances and outcomes, and the motions an
adopted decision authorizes."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta

from hasteh.org.events.base import (
    Count,
    CoverName,
    Event,
    Frozen,
    Id,
    Leaf,
    OptionIndex,
    Question,
    Reason,
    Seconds,
    ShortText,
)
from hasteh.org.events.cell import CellSettings

__all__ = [
    "ChangeSettings",
    "Choice",
    "Choices",
    "Consent",
    "DecisionClosed",
    "DecisionKind",
    "DecisionOpened",
    "EndTrial",
    "Motion",
    "Objection",
    "OptIn",
    "Outcome",
    "Position",
    "ProposalStance",
    "Ranking",
    "RemoveMember",
    "Stance",
    "StanceCast",
]


class ChangeSettings(Frozen, tag="settings", frozen=True):
    """Motion: adopt these settings (carried out by a `SettingsChanged`)."""

    settings: CellSettings


class RemoveMember(Frozen, tag="remove", frozen=True):
    """Motion: remove the member at `leaf` (carried out by a commit, seen as
    `MemberRemoved`). `cover_name` pins who was meant, in case the leaf is reused."""

    leaf: Leaf
    cover_name: CoverName


class EndTrial(Frozen, tag="end-trial", frozen=True):
    """Motion: the newcomer at `leaf` is no longer on trial (carried out when the
    decision closes adopted). `cover_name` pins who was meant, as for `RemoveMember`."""

    leaf: Leaf
    cover_name: CoverName


Motion = ChangeSettings | RemoveMember | EndTrial

DecisionKind = Literal["consent", "proposal", "single", "multiple", "ranked", "opt-in"]
Position = Literal["agree", "abstain", "disagree", "block"]


class Consent(Frozen, tag="consent", frozen=True):
    """Consent decision: no objection."""


class Objection(Frozen, tag="object", frozen=True):
    """Consent decision: an objection, always with a reason."""

    reason: Reason


class ProposalStance(Frozen, tag="position", frozen=True):
    """Proposal decision: agree / abstain / disagree / block (a block needs a reason)."""

    position: Position
    reason: Reason = ""


class Choice(Frozen, tag="choice", frozen=True):
    """Single choice: one option index."""

    option: OptionIndex


class Choices(Frozen, tag="choices", frozen=True):
    """Multiple choice: a set of option indices (at most `seats` if seats > 0)."""

    options: Annotated[tuple[OptionIndex, ...], Meta(max_length=64)]


class Ranking(Frozen, tag="ranking", frozen=True):
    """Ranked choice: option indices, most preferred first; need not rank every option."""

    options: Annotated[tuple[OptionIndex, ...], Meta(min_length=1, max_length=64)]


class OptIn(Frozen, tag="opt-in", frozen=True):
    """Opt-in count: "count me in". Only the count is ever kept."""


Stance = Consent | Objection | ProposalStance | Choice | Choices | Ranking | OptIn


class Outcome(Frozen, frozen=True):
    """The result of a closed decision: all that is kept of it (DESIGN §4).

    `status`: ``adopted`` / ``rejected`` / ``blocked`` (consent, proposal), ``decided`` /
    ``tie`` (single, multiple), ``elected`` (ranked), ``counted`` (opt-in), or
    ``no-quorum`` for any kind. `winners`: option indices (elected in order for ranked).
    `counts` (``None`` in outcome-only mode): consent ``(consents, objections)``, proposal
    ``(agree, abstain, disagree, block)``, single/multiple per option, ranked the first
    preferences, opt-in ``(count,)``. `voters`: how many took part (``None`` in
    outcome-only mode, except opt-in, whose count is its outcome). `reasons`: the
    objections' or blocks' reasons, sorted, without names (empty in outcome-only mode).
    """

    status: Literal[
        "adopted", "rejected", "blocked", "decided", "tie", "elected", "counted", "no-quorum"
    ]
    winners: Annotated[tuple[OptionIndex, ...], Meta(max_length=64)] = ()
    counts: Annotated[tuple[Count, ...], Meta(max_length=64)] | None = None
    voters: Count | None = None
    reasons: Annotated[tuple[Reason, ...], Meta(max_length=64)] = ()


class DecisionOpened(Event, tag="decision.opened", frozen=True):
    """A decision of `kind`.

    `options` (single, multiple, ranked: 2 or more; others: none). `deadline` (unix
    seconds, after `at`). `quorum`: fewest stances for a valid outcome (0: none).
    `hide_results`: while open, not even the number of stances is shown. `outcome_only`:
    at close keep only the status and winners, no counts. `seats`: ranked: how many to
    elect (1: instant runoff; more: STV); multiple: most options one may choose (0: any);
    otherwise 0. `motion`: what an adopted consent or proposal decision authorizes.
    """

    kind: DecisionKind
    question: Question
    deadline: Seconds
    options: Annotated[tuple[ShortText, ...], Meta(max_length=64)] = ()
    quorum: Count = 0
    hide_results: bool = False
    outcome_only: bool = False
    seats: Count = 0
    motion: Motion | None = None


class StanceCast(Event, tag="decision.stance", frozen=True):
    decision_id: Id
    stance: Stance


class DecisionClosed(Event, tag="decision.closed", frozen=True):
    """Closes decision `decision_id`. Any member may send it once the deadline is past
    (``at >= deadline``) or every member took part; every member recomputes `outcome`
    from the stances and refuses a different one (``wrong-outcome``)."""

    decision_id: Id
    outcome: Outcome
