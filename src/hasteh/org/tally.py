"""Counting: consent, proposal, single and multiple choice, ranked choice, opt-in.

Pure functions over the stances of one decision; the order stances arrived in never
matters (every function sorts or counts). Rules:

* **consent**: adopted if nobody objected; else rejected. Reasons are kept without names.
* **proposal**: blocked if anyone blocked; else adopted if more agree than disagree
  (abstentions do not count either way); else rejected.
* **single**: the option with the most votes is decided; several share the most: tie.
* **multiple** (approval voting): each option counts the voters who chose it; the options
  with the most are the winners (one: decided; several: tie).
* **ranked, one seat: instant runoff (IRV).** Count each ballot for its highest-ranked
  continuing option. An option with more than half of the ballots still counting wins;
  otherwise the option with the fewest is eliminated and its ballots move on. A ballot that
  ranks no continuing option is exhausted. When one option is left it wins.
* **ranked, several seats: single transferable vote (STV)** with the Droop quota
  ``floor(valid ballots / (seats + 1)) + 1`` and *weighted inclusive Gregory* transfers
  computed in exact fractions (`fractions.Fraction`), so every device gets the same result
  with no rounding: when an option reaches the quota it is elected and every ballot it
  holds continues at ``weight × surplus / its total``. One election per round (the highest
  total first); if nobody reaches the quota the lowest is eliminated and its ballots move
  on at their current weight. When the continuing options are no more than the seats left,
  all of them are elected.
* **Ties, always deterministic.** For electing or eliminating among options with equal
  totals, look back through the earlier rounds, latest first, for the first round where
  they differ (more is better); if they never differ, the option listed earlier is
  preferred (elected first, eliminated last).
* **opt-in**: only the number of people who opted in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from hasteh.org.events import Choice, Choices, Consent, Objection, ProposalStance, Ranking

__all__ = [
    "Tally",
    "consent",
    "droop_quota",
    "irv",
    "multiple",
    "proposal",
    "single",
    "stv",
]

Totals = Mapping[int, Fraction]


@dataclass(frozen=True, slots=True)
class Tally:
    status: str
    winners: tuple[int, ...]
    counts: tuple[int, ...]
    reasons: tuple[str, ...] = ()


def consent(stances: Sequence[Consent | Objection]) -> Tally:
    reasons = tuple(sorted(s.reason for s in stances if isinstance(s, Objection)))
    objections = len(reasons)
    status = "adopted" if objections == 0 else "rejected"
    return Tally(status, (), (len(stances) - objections, objections), reasons)


def proposal(stances: Sequence[ProposalStance]) -> Tally:
    order = ("agree", "abstain", "disagree", "block")
    counts = tuple(sum(1 for s in stances if s.position == p) for p in order)
    agree, _, disagree, block = counts
    if block:
        status = "blocked"
    elif agree > disagree:
        status = "adopted"
    else:
        status = "rejected"
    reasons = tuple(sorted(s.reason for s in stances if s.reason))
    return Tally(status, (), counts, reasons)


def _most(counts: Sequence[int]) -> Tally:
    top = max(counts, default=0)
    winners = tuple(i for i, c in enumerate(counts) if c == top and top > 0)
    status = "decided" if len(winners) == 1 else "tie"
    return Tally(status, winners, tuple(counts))


def single(stances: Sequence[Choice], n_options: int) -> Tally:
    counts = [0] * n_options
    for s in stances:
        counts[s.option] += 1
    return _most(counts)


def multiple(stances: Sequence[Choices], n_options: int) -> Tally:
    counts = [0] * n_options
    for s in stances:
        for option in set(s.options):
            counts[option] += 1
    return _most(counts)


def _key(option: int, history: Sequence[Totals]) -> tuple[tuple[Fraction, ...], int]:
    """Sort key: larger is better; current total, then earlier rounds latest first, then
    the option listed earlier."""
    return tuple(h.get(option, Fraction(0)) for h in reversed(history)), -option


def _best(options: Sequence[int], history: Sequence[Totals]) -> int:
    return max(options, key=lambda o: _key(o, history))


def _worst(options: Sequence[int], history: Sequence[Totals]) -> int:
    return min(options, key=lambda o: _key(o, history))


def _first_preferences(ballots: Sequence[Ranking], n_options: int) -> tuple[int, ...]:
    counts = [0] * n_options
    for b in ballots:
        counts[b.options[0]] += 1
    return tuple(counts)


def irv(ballots: Sequence[Ranking], n_options: int) -> Tally:
    """Instant runoff for one seat; see the module docstring."""
    continuing = list(range(n_options))
    history: list[Totals] = []
    while continuing:
        totals = {o: Fraction(0) for o in continuing}
        for b in ballots:
            top = next((o for o in b.options if o in totals), None)
            if top is not None:
                totals[top] += 1
        history.append(totals)
        active = sum(totals.values())
        leader = _best(continuing, history)
        if len(continuing) == 1 or totals[leader] * 2 > active:
            if active == 0:
                break
            return Tally("elected", (leader,), _first_preferences(ballots, n_options))
        continuing.remove(_worst(continuing, history))
    return Tally("no-quorum", (), _first_preferences(ballots, n_options))


def droop_quota(valid_ballots: int, seats: int) -> int:
    return valid_ballots // (seats + 1) + 1


def stv(ballots: Sequence[Ranking], n_options: int, seats: int) -> Tally:
    """Single transferable vote, Droop quota, weighted inclusive Gregory, exact fractions."""
    quota = droop_quota(len(ballots), seats)
    weights = [Fraction(1)] * len(ballots)
    elected: list[int] = []
    continuing = list(range(n_options))
    history: list[Totals] = []
    while len(elected) < seats and continuing:
        totals = {o: Fraction(0) for o in continuing}
        holder: list[int | None] = []
        for b, w in zip(ballots, weights, strict=True):
            top = next((o for o in b.options if o in totals), None)
            holder.append(top)
            if top is not None:
                totals[top] += w
        history.append(totals)
        if len(continuing) <= seats - len(elected):
            rest = sorted(continuing, key=lambda o: _key(o, history), reverse=True)
            elected.extend(rest)
            break
        reached = [o for o in continuing if totals[o] >= quota]
        if reached:
            winner = _best(reached, history)
            elected.append(winner)
            continuing.remove(winner)
            total = totals[winner]
            factor = (total - quota) / total
            weights = [
                w * factor if h == winner else w for w, h in zip(weights, holder, strict=True)
            ]
        else:
            continuing.remove(_worst(continuing, history))
    status = "elected" if elected else "no-quorum"
    return Tally(status, tuple(elected), _first_preferences(ballots, n_options))
