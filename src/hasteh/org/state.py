"""The folded state of one cell: immutable values, one part per event family.

`OrgState` is what the faces show and what the rules check. It changes only through
`hasteh.org.fold.apply` / `fold` (and `talk.expire`, `decisions.close_due` for time), each
returning a new value; a refused event leaves the old one as it was.

Small parts (members, proposals, seizures: a handful each) are plain dicts copied on write
and never mutated after construction. Parts that grow (threads, messages, decisions) are
`PMap`s, so folding event 10,000 costs the same as folding event 10. Messages are also
indexed (`PSorted`): per thread in posting order, and by expiry, so a page of a thread or
the messages due are found without sorting every message.

Roadmap families (study, actions, fund, bulletins, federation) add a field here with an
empty default; nothing existing changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import msgspec

from hasteh.org.circles import Study
from hasteh.org.delegation import Federation
from hasteh.org.events import (
    ActionKind,
    CellSettings,
    DecisionKind,
    EventId,
    FileKind,
    LeafIndex,
    LibraryKind,
    Motion,
    Outcome,
    Stance,
    TaskStatus,
)
from hasteh.org.ledger import Fund
from hasteh.org.newsroom import Newsroom
from hasteh.org.pmap import PMap
from hasteh.org.psorted import PSorted
from hasteh.org.reports import Report

__all__ = [
    "DEFAULT_SETTINGS",
    "HARD_CAP",
    "PROPOSAL_LIFETIME",
    "Action",
    "Admission",
    "AlarmRecord",
    "Decision",
    "LibraryItem",
    "Member",
    "Message",
    "OrgState",
    "Place",
    "Review",
    "Seizure",
    "SharedFile",
    "Submission",
    "Task",
    "Thread",
    "empty_state",
]

#: No cell may have more members than this, whatever it decides (DESIGN §4).
HARD_CAP: Final = 7
#: A newcomer's proposal lapses this long after it was made (log time).
PROPOSAL_LIFETIME: Final = 7 * 86_400
DEFAULT_SETTINGS: Final = CellSettings()


@dataclass(frozen=True, slots=True)
class Member:
    leaf: LeafIndex
    cover_name: str
    joined_epoch: int
    #: False if the commit that added them had no authorizing proposal (an alarm was raised).
    authorized: bool = True
    #: Log time the newcomer's trial is due to end, 0 when not on trial
    #: (`hasteh.org.trial`). Only an adopted `EndTrial` decision sets it back to 0: a
    #: trial past its date is still a trial, and the faces say its review is due.
    trial_until: int = 0

    @property
    def on_trial(self) -> bool:
        return self.trial_until > 0


@dataclass(frozen=True, slots=True)
class Admission:
    """A newcomer proposed to the cell. Answers are kept only while it is open."""

    proposal_id: EventId
    cover_name: str
    card_fingerprint: bytes
    card_expires_at: int
    proposer: LeafIndex
    #: Log time of the proposal; it lapses `PROPOSAL_LIFETIME` later.
    proposed_at: int = 0
    vouchers: frozenset[LeafIndex] = frozenset()
    approvals: frozenset[LeafIndex] = frozenset()
    objections: frozenset[LeafIndex] = frozenset()
    #: Reasons given with objections, sorted, without names.
    objection_reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Seizure:
    seizure_id: EventId
    leaf: LeafIndex
    cover_name: str
    by_leaf: LeafIndex
    by_cover_name: str
    at: int
    removed: bool = False
    #: None until reviewed; then whether the cell upheld it.
    upheld: bool | None = None


@dataclass(frozen=True, slots=True)
class AlarmRecord:
    """An alarm every member sees. `code` is an org error code (for example
    ``no-proposal``, ``no-decision``, ``seizure-disputed``) or a hand-raised slug."""

    code: str
    #: Who committed (or sent) the thing that raised the alarm, and their cover name.
    by_leaf: LeafIndex
    by_cover_name: str
    subject_leaf: LeafIndex | None
    subject_cover_name: str
    epoch: int
    event_id: EventId
    note: str = ""


@dataclass(frozen=True, slots=True)
class Thread:
    thread_id: EventId
    title: str
    opened_by: LeafIndex
    at: int


#: A message's place in its thread: ``(at, n, message_id)``.
Place = tuple[int, int, EventId]


class Message(msgspec.Struct, frozen=True, gc=False):
    """A chat message held. A frozen msgspec struct, not a dataclass: one is made for
    every chat message received (its `__init__` is C), and holding only numbers, bytes
    and text it is never tracked by the garbage collector, whose passes would otherwise
    walk a cell's 10,000 messages again and again while a catch-up folds more."""

    message_id: EventId
    thread_id: EventId
    author: LeafIndex
    at: int
    text: str
    expires_at: int
    #: The author's cover name when the message was posted (a leaf may later be reused
    #: by a newcomer; words stay under the name they were said under).
    author_name: str = ""
    #: The author's counter (`EventEnvelope.n`): a burst in one second keeps its order.
    n: int = 0

    @property
    def place(self) -> Place:
        """Where the message sits in its thread: by log time, then the author's counter,
        then id (the same on every member)."""
        return (self.at, self.n, self.message_id)


@dataclass(frozen=True, slots=True)
class Decision:
    """A decision. While open, `stances` (by leaf) or, for opt-in, only `optin_tokens`
    and `optin_count`; once closed, only `outcome` (stances are deleted)."""

    decision_id: EventId
    kind: DecisionKind
    question: str
    options: tuple[str, ...]
    deadline: int
    quorum: int
    hide_results: bool
    outcome_only: bool
    seats: int
    motion: Motion | None
    opened_by: LeafIndex
    at: int
    stances: Mapping[LeafIndex, Stance] = field(default_factory=dict)
    #: Event ids of the stances, so the app can delete them from storage at close.
    stance_events: frozenset[EventId] = frozenset()
    optin_tokens: frozenset[bytes] = frozenset()
    optin_count: int = 0
    outcome: Outcome | None = None
    #: The motion has been carried out (settings changed, member removed).
    done: bool = False

    @property
    def is_open(self) -> bool:
        return self.outcome is None

    @property
    def voted(self) -> int | None:
        """How many took part, as shown while open: ``None`` when results are hidden."""
        if self.hide_results:
            return None
        return self.optin_count if self.kind == "opt-in" else len(self.stances)


@dataclass(frozen=True, slots=True)
class Task:
    task_id: EventId
    action_id: EventId
    title: str
    assignee: LeafIndex
    #: The assignee's cover name when the task was given (a leaf may be reused later).
    assignee_name: str
    due: int
    status: TaskStatus = "todo"


@dataclass(frozen=True, slots=True)
class Review:
    """An after-action review, kept without its author: what is learned, not who said it."""

    review_id: EventId
    went_well: str
    to_change: str


@dataclass(frozen=True, slots=True)
class Action:
    """A strike, slowdown, petition, protest or gathering, with what hangs on it. The
    decisions it links (priorities, go, turnout) live in `OrgState.decisions`."""

    action_id: EventId
    kind: ActionKind
    code_name: str
    date: int
    note: str
    urgent: bool
    planned_by: LeafIndex
    at: int
    #: ``(demand id, text)`` in the order they were added.
    demands: tuple[tuple[EventId, str], ...] = ()
    task_ids: tuple[EventId, ...] = ()
    #: Role (``priorities`` / ``go`` / ``turnout``) → decision id.
    links: Mapping[str, EventId] = field(default_factory=dict)
    reviews: tuple[Review, ...] = ()


@dataclass(frozen=True, slots=True)
class SharedFile:
    """A file shared in the cell (``file.shared``): what every member needs to fetch,
    check and open it. `key` is this file's key alone; it leaves every vault with the
    file (``file.removed``)."""

    file_id: EventId
    name: str
    ext: str
    kind: FileKind
    size: int
    key: bytes
    blob: bytes
    hashes: tuple[bytes, ...]
    shared_by: LeafIndex
    #: The sharer's cover name when it was shared (a leaf may be reused later).
    shared_by_name: str
    at: int
    #: Its place among the cell's files in log order (the number the faces show). Not
    #: part of equality: a replay after a file was forgotten counts one fewer before it.
    seq: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class LibraryItem:
    """An item of the cell's library (``library.added``), named by that event's id."""

    item_id: EventId
    title: str
    kind: LibraryKind
    note: str
    #: The file of the cell that holds its text (None: none, or it was removed).
    file_id: EventId | None
    added_by: LeafIndex
    added_by_name: str
    at: int
    #: Its place in the library in log order (see `SharedFile.seq`).
    seq: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Submission:
    """What an outside worker handed the cell through its drop box (``drop.*``), until
    `expires_at` (log time). Who wrote it is not known to the log: `member` is the leaf
    whose drop box received it."""

    submission_id: EventId
    text: str
    at: int
    expires_at: int
    member: LeafIndex
    route: str
    #: Photos announced by the submission, and those arrived (JPEG bytes, in order).
    expected_images: int = 0
    images: tuple[bytes, ...] = ()
    replies: tuple[str, ...] = ()
    published: bool = False
    #: Every event of it in the log (what is forgotten with it).
    event_ids: tuple[EventId, ...] = ()


@dataclass(frozen=True)
class OrgState:
    """Everything a member knows about one cell, folded from its log.

    Not slotted: a copy for each event folded (`log.copy_with`, `log.Copier`) copies its
    `__dict__` in one C call instead of 29 slots one by one (0.6 against 3 µs)."""

    created: bool = False
    #: The log time: the latest `at` folded (events' times never go back in a log). Not
    #: part of equality: a replay after expired messages are forgotten may give a smaller
    #: value, so the app keeps the log time in the cell record as well.
    time: int = field(default=0, compare=False)
    name: str = ""
    settings: CellSettings = DEFAULT_SETTINGS
    #: The last commit epoch seen in a membership event.
    epoch: int = 0
    members: Mapping[LeafIndex, Member] = field(default_factory=dict)
    proposals: Mapping[EventId, Admission] = field(default_factory=dict)
    seizures: Mapping[EventId, Seizure] = field(default_factory=dict)
    leaving: frozenset[LeafIndex] = frozenset()
    alarms: tuple[AlarmRecord, ...] = ()
    threads: PMap[EventId, Thread] = field(default_factory=PMap)
    messages: PMap[EventId, Message] = field(default_factory=PMap)
    decisions: PMap[EventId, Decision] = field(default_factory=PMap)
    #: Per thread, the `Message.place` of its messages still held, oldest first.
    thread_order: PMap[EventId, PSorted[Place]] = field(default_factory=PMap)
    #: The ``(expires_at, n, message_id)`` of every message still held, soonest first
    #: (then by the author's counter: a burst expiring in one second is appended, in order).
    expiry_order: PSorted[tuple[int, int, EventId]] = field(default_factory=PSorted)
    #: The solidarity fund (`hasteh.org.fund`): its hash-chained ledger, requests, rules.
    fund: Fund = field(default_factory=Fund)
    #: The cell's actions (``action.*``), by id.
    actions: PMap[EventId, Action] = field(default_factory=PMap)
    #: Every action's tasks, by id.
    tasks: PMap[EventId, Task] = field(default_factory=PMap)
    #: Study circles (``study.*``, `hasteh.org.study`): curricula, sessions, places held.
    study: Study = field(default_factory=Study)
    #: Files shared in the cell (``file.*``), by id, and their bytes in all (the cap).
    files: PMap[EventId, SharedFile] = field(default_factory=PMap)
    files_total: int = 0
    #: How many files and library items were ever added (their `seq`; not equality).
    files_added: int = field(default=0, compare=False)
    items_added: int = field(default=0, compare=False)
    #: The cell's library (``library.*``), by the id of each item's ``library.added``.
    library: PMap[EventId, LibraryItem] = field(default_factory=PMap)
    #: The newsroom (``bulletin.*``, `hasteh.org.bulletin`): articles, issues, the key chain.
    bulletin: Newsroom = field(default_factory=Newsroom)
    #: What outside workers handed in through the drop box (``drop.*``), by id.
    drops: PMap[EventId, Submission] = field(default_factory=PMap)
    #: The cell in its alliances (``fed.*``, `hasteh.org.fed`): delegates, key, reports.
    fed: Federation = field(default_factory=Federation)
    #: What each member lets the cell see of their contacts with leading workers: a
    #: count and the code names they chose (`hasteh.org.contacts`).
    contacts: Mapping[LeafIndex, tuple[int, tuple[str, ...]]] = field(default_factory=dict)
    #: Report-backs delegates carried down from the cell's alliances (``fed.carried``).
    carried: PMap[EventId, Report] = field(default_factory=PMap)

    def cover_name(self, leaf: int) -> str:
        member = self.members.get(LeafIndex(leaf))
        return member.cover_name if member else ""

    def is_member(self, leaf: int) -> bool:
        return leaf in self.members


def empty_state() -> OrgState:
    """The state before a log's first event (no cell yet)."""
    return OrgState()
