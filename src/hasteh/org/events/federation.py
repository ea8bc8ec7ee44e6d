"""The ``fed.*`` family: what cells do together in an alliance (issue 17).

Every event here is written into an alliance's log by a delegate, under the pseudonym of
the cell it speaks for, except `CarriedDown`, which a delegate also writes into the group
one level down (from a council into an alliance, from an alliance into its cell).

* **Joint actions**: `JointActionProposed` puts shared demands and a date to the member
  cells and opens the alliance's go/no-go vote (a motion named by the same id, counted
  one vote per cell); `JointOptedIn` gives a cell's count of members taking part — a
  number only, never who.
* **The Workers' Action Program**: `AmendmentProposed` proposes a section's new text and
  opens its vote (a motion named by the same id); once that motion is adopted,
  `AmendmentRatified` makes it the next version. `ProgrammeEndorsed` is a version signed
  with the cell's key (Ed25519), so every member can verify it and no member is named.
* **Warnings**: `WarningRaised`, a cell's warning of an informer's methods or of a
  compromised place, under its pseudonym.
* **The nationwide bulletin**: `ArticleSubmitted` by a cell through its delegate;
  `IssueCompiled` by the alliance's editorial decision (an adopted motion), with the
  press's claim signed by the alliance's bulletin key. `EditorsNamed` puts to the member
  cells which of them hold that key (their delegates' seats); once its vote is adopted,
  the key lives as a cell's does (`bulletin.inbox`, `bulletin.key`, `bulletin.key-share`
  in the alliance's log, `hasteh.org.keychain`).
* **The council**: `CouncilDeclared` marks an alliance, while its founder is its only
  member, as a council whose member "cells" are alliances.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from msgspec import Meta

from hasteh.org.events.alliance import MotionOutcome
from hasteh.org.events.base import Body, Count, CoverName, Event, Id, Seconds, ShortText, Title

__all__ = [
    "MAX_DEMANDS",
    "MAX_EDITORS",
    "MAX_ISSUE_ARTICLES",
    "SIGNATURE_SIZE",
    "AmendmentProposed",
    "AmendmentRatified",
    "ArticleSubmitted",
    "CarriedDown",
    "CouncilDeclared",
    "EditorsNamed",
    "IssueCompiled",
    "JointActionProposed",
    "JointOptedIn",
    "ProgrammeEndorsed",
    "ReportKind",
    "WarningKind",
    "WarningRaised",
]

#: An Ed25519 signature (RFC 8032 section 5.1.6).
SIGNATURE_SIZE: Final = 64
MAX_DEMANDS: Final = 12
#: A programme version: 0 is the empty programme, each ratified amendment adds one.
Version = Annotated[int, Meta(ge=0, lt=2**32)]
Signature = Annotated[bytes, Meta(min_length=SIGNATURE_SIZE, max_length=SIGNATURE_SIZE)]
Demand = Annotated[str, Meta(min_length=1, max_length=200)]
#: An amendment's new text; empty removes the section.
SectionText = Annotated[str, Meta(max_length=16_000)]
WarningKind = Literal["informer", "place", "other"]
ReportKind = Literal["decision", "warning", "programme", "action", "bulletin"]
#: A bulletin claim's text (`hasteh.publish.claim.Claim.to_text`).
ClaimText = Annotated[str, Meta(min_length=1, max_length=400)]
MAX_ISSUE_ARTICLES: Final = 20
#: At most this many cells' delegates hold the alliance's bulletin key (a sealed copy each).
MAX_EDITORS: Final = 7
Key32 = Annotated[bytes, Meta(min_length=32, max_length=32)]


class JointActionProposed(Event, tag="fed.joint", frozen=True):
    """A joint action of the member cells: shared `demands`, on `date` (unix seconds).
    It opens the alliance's go/no-go vote, open until `decide_by` (log time)."""

    title: Title
    demands: Annotated[tuple[Demand, ...], Meta(min_length=1, max_length=MAX_DEMANDS)]
    date: Seconds
    decide_by: Seconds


class JointOptedIn(Event, tag="fed.optin", frozen=True):
    """How many members of the author's cell take part in joint action `action_id`: a
    number only. A later count from the same cell replaces the earlier one."""

    action_id: Id
    count: Count


class AmendmentProposed(Event, tag="fed.amend", frozen=True):
    """The author's cell proposes that section `section` of the programme read `text`
    (empty: remove it), drafted against version `base`. It opens the alliance's vote on
    it, open until `deadline` (log time)."""

    section: Title
    text: SectionText
    base: Version
    deadline: Seconds


class AmendmentRatified(Event, tag="fed.ratify", frozen=True):
    """Amendment `amendment_id`, adopted by the alliance's vote, becomes the programme's
    next version (refused if its section changed since the version it was drafted on)."""

    amendment_id: Id


class ProgrammeEndorsed(Event, tag="fed.endorse", frozen=True):
    """The author's cell endorses programme version `version`: `signature` is the cell's
    key's signature of `hasteh.org.programme.endorsement_message` of that version."""

    version: Version
    signature: Signature


class WarningRaised(Event, tag="fed.warning", frozen=True):
    """A cell's warning to the alliance: an informer's methods, or a compromised place
    (by its code name, never an address), under the cell's pseudonym."""

    kind: WarningKind
    text: Body


class ArticleSubmitted(Event, tag="fed.article", frozen=True):
    """An article for the nationwide bulletin, submitted by the author's cell through its
    delegate (Markdown, as the press reads it)."""

    title: Title
    body: Body


class IssueCompiled(Event, tag="fed.issue", frozen=True):
    """Issue `number` of the alliance's bulletin, compiled from `articles` (in order) as
    motion `motion_id` decided (the editorial decision, adopted). `claim` is the press's
    claim on the issue's content, signed with the alliance's bulletin key: every delegate
    rebuilds the issue from the articles in the log and checks the claim against it."""

    motion_id: Id
    number: Version
    title: Title
    day: Seconds
    articles: Annotated[tuple[Id, ...], Meta(min_length=1, max_length=MAX_ISSUE_ARTICLES)]
    claim: ClaimText
    #: The alliance's bulletin key that signed `claim`: its current key, held by the author.
    key: Key32


class EditorsNamed(Event, tag="fed.editors", frozen=True):
    """The author's cell proposes that the delegates of `cells` (by pseudonym) hold the
    alliance's bulletin key. It opens the alliance's vote (a motion named by the same id,
    one vote per cell, open until `deadline`); once adopted, these cells' seats are the
    editors, until a later adopted naming."""

    cells: Annotated[tuple[CoverName, ...], Meta(min_length=1, max_length=MAX_EDITORS)]
    deadline: Seconds


class CouncilDeclared(Event, tag="fed.council", frozen=True):
    """This alliance is a coordinating council: its members are alliances' delegates and
    its decisions flow down as report-backs. Only its founder, while alone, declares it."""


class CarriedDown(Event, tag="fed.carried", frozen=True):
    """A delegate carries into this group what the group above it (`source`, by its
    name) decided or was told: a closed motion's question and outcome, a warning, a
    ratified programme version, a joint action. `path` is the chain of groups it came
    down through, the highest first."""

    kind: ReportKind
    source: CoverName
    text: Body
    outcome: MotionOutcome | None = None
    path: Annotated[tuple[ShortText, ...], Meta(max_length=8)] = ()
