"""Org events: typed, versioned, compact (msgspec msgpack, tagged unions).

Every event travels in an `EventEnvelope`::

    EventEnvelope = [v, event_id, author, at, body]      (msgpack array)
    body          = ["<family>.<name>", field, field, ...]

* ``v`` is the schema version (`VERSION`). A reader refuses any other version.
* ``event_id`` is 16 random bytes chosen by the author's client (randomness is the app's
  business, not org's). An entity is named by the id of the event that created it: a
  thread by its ``ThreadOpened``, a decision by its ``DecisionOpened``, a newcomer's
  proposal by its ``NewcomerProposed``, a seizure by its ``MemberSeized``.
* ``author`` is the MLS leaf index of the sender, taken by the app from the authenticated
  MLS sender, never from the payload. For the membership facts the app synthesizes from a
  processed commit (``MemberAdded``, ``MemberRemoved``) it is the committer's leaf.
* ``at`` is the event's **log time** in unix seconds. The author fills in its clock, but
  a receiving app replaces it before folding with the time the order model gives
  (docs/org.md, "Order, time and write access"): never earlier than the log's time
  before the event, never later than the ordering relay's stamp. Rules that use it
  (deadlines, expiry, card and proposal lifetimes) therefore give the same answer on
  every member and cannot be gamed by a sender's clock. org never reads a clock.
* ``n`` counts the author's events in this cell (1, 2, 3 …): a receiver that sees a jump
  knows events of that author are missing (the relay withheld them).
* ``seen`` / ``chain``: how many envelopes of the ordering relay the author had read and
  the hash of that sequence. A receiver whose own sequence disagrees at that length has
  been shown a different order from the author's (equivocation) and raises an alarm.

Families and their tags (a tag never changes meaning once released), one module each in
this package (`hasteh.org.events.<family>`; every name is also importable from here):

    cell.*       cell.py        CellCreated, SettingsChanged
    member.*     membership.py  NewcomerProposed, Vouched, AdmissionApproved,
                                AdmissionObjected, ProposalWithdrawn, MemberAdded,
                                MemberRemoved, MemberSeized, SeizureReviewed,
                                LeaveAnnounced, Alarm
    talk.*       talk.py        ThreadOpened, MessagePosted, MessageDeleted
    decision.*   decisions.py   DecisionOpened, StanceCast, DecisionClosed
    fund.*       fund.py        Contributed, PledgeKept, HardshipRequested,
                                RequestApproved, Disbursed, FundRulesSet
    action.*     actions.py     ActionPlanned, DemandAdded, ActionLinked, TaskAdded,
                                TaskUpdated, ActionReviewed
    study.*      study.py       CircleOpened, ReadingAdded, ReadingsOrdered, ReadingRemoved,
                                SessionPlanned, PlaceGiven
    file.*       files.py       FileShared, FileRemoved
    library.*    files.py       LibraryAdded, LibraryNoted, LibraryRemoved
    bulletin.*   bulletin.py    ArticleDrafted, ArticleRevised, ArticleCommented,
                                IssueAssembled, EditorsProposed, BulletinLinked,
                                EditorInbox, KeyIssued, KeyShared, IssuePublished,
                                IssueChunk, CopiesDistributed
    drop.*       drop.py        DropSubmitted, DropImage, DropReplied, DropPublished
    contact.*    contacts.py    ContactsShared
    alliance.*   alliance.py    AllianceFormed, CellProposed, CellApproved,
                                AllianceMessage, MotionOpened, CellVoted, MotionClosed,
                                CellKeyRegistered, CellKeyRotated, AlternateRegistered,
                                DelegateSwapped, TallySigned
    fed.*        fed.py         DelegatesElected, CellKeySet, MandateGiven,
                                DelegateRecalled, ReportedBack
                                AllianceMessage, MotionOpened, CellVoted, MotionClosed
    fed.*        federation.py  JointActionProposed, JointOptedIn, AmendmentProposed,
                                AmendmentRatified, ProgrammeEndorsed, WarningRaised,
                                CouncilDeclared, CarriedDown, ArticleSubmitted,
                                IssueCompiled, EditorsNamed

Which events a kind of group accepts is its table's business (`hasteh.org.fold.HANDLERS`
for a cell, `hasteh.org.alliance.HANDLERS` for an alliance): one envelope and one codec
serve every kind, and a cell refuses an alliance's event like any event it has no row for.

Room for the roadmap: ``bulletin.*`` and ``fed.*`` are reserved.
A new family adds a module here with `Event` subclasses and new tags, adds
Room for the roadmap: ``study.*`` and ``fed.*``
Room for the roadmap: ``study.*`` and ``bulletin.*``
are reserved. A new family adds a module here with `Event` subclasses and new tags, adds
them to `AnyEvent`, a handler module with its table rows, and a field of the state with an
empty default; the envelope, the version and every existing tag stay as they are. A
reader that meets a tag it does not know refuses the event with ``unknown-event``
("update hasteh") rather than guessing.
Room for the roadmap: ``study.*`` and ``bulletin.*`` are reserved. A new family adds a
module here with `Event` subclasses and new tags, adds them to `AnyEvent`, a handler
module with its table rows, and a field of the state with an empty default; the
envelope, the version and every existing tag stay as they are. A reader that meets a tag
it does not know refuses the event with ``unknown-event`` ("update hasteh") rather than
guessing.

Sizes are bounded in the schema (`msgspec.Meta`, `base.py`), so a hostile member cannot
make every other member store a megabyte title; `decode` refuses anything outside them.
"""

from __future__ import annotations

import typing
from typing import Annotated, Final

import msgspec
from msgspec import Meta

from hasteh.errors import DECODE_FAILURES
from hasteh.org.errors import OrgDecodeError
from hasteh.org.events.actions import (
    ActionKind,
    ActionLinked,
    ActionPlanned,
    ActionReviewed,
    DemandAdded,
    LinkRole,
    TaskAdded,
    TaskStatus,
    TaskUpdated,
)
from hasteh.org.events.alliance import (
    AllianceFormed,
    AllianceMessage,
    AlternateRegistered,
    CellApproved,
    CellKeyRegistered,
    CellKeyRotated,
    CellProposed,
    CellVoted,
    CellVouched,
    DelegateSwapped,
    MotionClosed,
    MotionOpened,
    MotionOutcome,
    TallySigned,
)
from hasteh.org.events.base import (
    CARD_FINGERPRINT_SIZE,
    DAY,
    EVENT_ID_SIZE,
    MAX_EVENT_BYTES,
    MAX_MESSAGE_EXPIRY,
    MIN_MESSAGE_EXPIRY,
    VERSION,
    Event,
    EventId,
    Frozen,
    Id,
    Leaf,
    LeafIndex,
    Seconds,
)
from hasteh.org.events.bulletin import (
    ArticleCommented,
    ArticleDrafted,
    ArticleRevised,
    BulletinLinked,
    CopiesDistributed,
    EditorInbox,
    EditorsProposed,
    IssueAssembled,
    IssueChunk,
    IssuePublished,
    KeyIssued,
    KeyShared,
)
from hasteh.org.events.cell import (
    MAX_RELAY_URL,
    MAX_RELAYS,
    MAX_TRIAL,
    CellCreated,
    CellSettings,
    SettingsChanged,
)
from hasteh.org.events.contacts import MAX_SHARED_NAMES, ContactsShared
from hasteh.org.events.decisions import (
    ChangeSettings,
    Choice,
    Choices,
    Consent,
    DecisionClosed,
    DecisionKind,
    DecisionOpened,
    EndTrial,
    Motion,
    Objection,
    OptIn,
    Outcome,
    Position,
    ProposalStance,
    Ranking,
    RemoveMember,
    Stance,
    StanceCast,
)
from hasteh.org.events.drop import DropImage, DropPublished, DropReplied, DropSubmitted
from hasteh.org.events.fed import (
    CellKeySet,
    DelegateRecalled,
    DelegatesElected,
    MandateGiven,
    ReportedBack,
    SignedTally,
    TallySignature,
    TallyVote,
)
from hasteh.org.events.federation import (
    AmendmentProposed,
    AmendmentRatified,
    ArticleSubmitted,
    CarriedDown,
    CouncilDeclared,
    EditorsNamed,
    IssueCompiled,
    JointActionProposed,
    JointOptedIn,
    ProgrammeEndorsed,
    WarningRaised,
)
from hasteh.org.events.files import (
    CHUNK_HASH_SIZE,
    FILE_KEY_SIZE,
    MAX_CHUNKS,
    FileKind,
    FileRemoved,
    FileShared,
    LibraryAdded,
    LibraryKind,
    LibraryNoted,
    LibraryRemoved,
)
from hasteh.org.events.fund import (
    Contributed,
    Disbursed,
    FundRules,
    FundRulesSet,
    HardshipRequested,
    PledgeKept,
    RequestApproved,
)
from hasteh.org.events.membership import (
    AdmissionApproved,
    AdmissionObjected,
    Alarm,
    LeaveAnnounced,
    MemberAdded,
    MemberRemoved,
    MemberSeized,
    NewcomerProposed,
    ProposalWithdrawn,
    SeizureReviewed,
    Vouched,
)
from hasteh.org.events.study import (
    CircleOpened,
    PlaceGiven,
    ReadingAdded,
    ReadingRemoved,
    ReadingsOrdered,
    SessionPlanned,
)
from hasteh.org.events.talk import MessageDeleted, MessagePosted, ThreadOpened

__all__ = [
    "CARD_FINGERPRINT_SIZE",
    # files and the library (files.py)
    "CHUNK_HASH_SIZE",
    "DAY",
    "EVENT_ID_SIZE",
    "FILE_KEY_SIZE",
    "MAX_CHUNKS",
    "MAX_EVENT_BYTES",
    "MAX_MESSAGE_EXPIRY",
    "MAX_RELAYS",
    "MAX_RELAY_URL",
    "MAX_SHARED_NAMES",
    "MAX_TRIAL",
    "MIN_MESSAGE_EXPIRY",
    "VERSION",
    "ActionKind",
    "ActionLinked",
    "ActionPlanned",
    "ActionReviewed",
    "AdmissionApproved",
    "AdmissionObjected",
    "Alarm",
    "AllianceFormed",
    "AllianceMessage",
    "AlternateRegistered",
    "AmendmentProposed",
    "AmendmentRatified",
    "AnyEvent",
    "ArticleCommented",
    "ArticleDrafted",
    "ArticleRevised",
    "ArticleSubmitted",
    "BulletinLinked",
    "CarriedDown",
    "CellApproved",
    "CellCreated",
    "CellKeyRegistered",
    "CellKeyRotated",
    "CellKeySet",
    "CellProposed",
    "CellSettings",
    "CellVoted",
    "CellVouched",
    "ChangeSettings",
    "Choice",
    "Choices",
    "CircleOpened",
    "Consent",
    "ContactsShared",
    "Contributed",
    "CopiesDistributed",
    "CouncilDeclared",
    "DecisionClosed",
    "DecisionKind",
    "DecisionOpened",
    "DelegateRecalled",
    "DelegateSwapped",
    "DelegatesElected",
    "DemandAdded",
    "Disbursed",
    "DropImage",
    "DropPublished",
    "DropReplied",
    "DropSubmitted",
    "EditorInbox",
    "EditorsNamed",
    "EditorsProposed",
    "EndTrial",
    "Event",
    "EventEnvelope",
    "EventId",
    "FileKind",
    "FileRemoved",
    "FileShared",
    "FundRules",
    "FundRulesSet",
    "HardshipRequested",
    "IssueAssembled",
    "IssueChunk",
    "IssueCompiled",
    "IssuePublished",
    "JointActionProposed",
    "JointOptedIn",
    "KeyIssued",
    "KeyShared",
    "LeafIndex",
    "LeaveAnnounced",
    "LibraryAdded",
    "LibraryKind",
    "LibraryNoted",
    "LibraryRemoved",
    "LinkRole",
    "MandateGiven",
    "MemberAdded",
    "MemberRemoved",
    "MemberSeized",
    "MessageDeleted",
    "MessagePosted",
    "Motion",
    "MotionClosed",
    "MotionOpened",
    "MotionOutcome",
    "NewcomerProposed",
    "Objection",
    "OptIn",
    "Outcome",
    "PlaceGiven",
    "PledgeKept",
    "Position",
    "ProgrammeEndorsed",
    "ProposalStance",
    "ProposalWithdrawn",
    "Ranking",
    "ReadingAdded",
    "ReadingRemoved",
    "ReadingsOrdered",
    "RemoveMember",
    "ReportedBack",
    "RequestApproved",
    "SeizureReviewed",
    "SessionPlanned",
    "SettingsChanged",
    "SignedTally",
    "Stance",
    "StanceCast",
    "TallySignature",
    "TallySigned",
    "TallyVote",
    "TaskAdded",
    "TaskStatus",
    "TaskUpdated",
    "ThreadOpened",
    "Vouched",
    "WarningRaised",
    "decode",
    "encode",
]

AnyEvent = (
    CellCreated
    | SettingsChanged
    | NewcomerProposed
    | Vouched
    | AdmissionApproved
    | AdmissionObjected
    | ProposalWithdrawn
    | MemberAdded
    | MemberRemoved
    | MemberSeized
    | SeizureReviewed
    | LeaveAnnounced
    | Alarm
    | ThreadOpened
    | MessagePosted
    | MessageDeleted
    | DecisionOpened
    | StanceCast
    | DecisionClosed
    | AllianceFormed
    | CellProposed
    | CellApproved
    | AllianceMessage
    | MotionOpened
    | CellVoted
    | MotionClosed
    | Contributed
    | PledgeKept
    | HardshipRequested
    | RequestApproved
    | Disbursed
    | FundRulesSet
    | ActionPlanned
    | DemandAdded
    | ActionLinked
    | TaskAdded
    | TaskUpdated
    | ActionReviewed
    | CircleOpened
    | ReadingAdded
    | ReadingsOrdered
    | ReadingRemoved
    | SessionPlanned
    | PlaceGiven
    | FileShared
    | FileRemoved
    | LibraryAdded
    | LibraryNoted
    | LibraryRemoved
    | ArticleCommented
    | ArticleDrafted
    | ArticleRevised
    | BulletinLinked
    | CopiesDistributed
    | EditorInbox
    | EditorsProposed
    | IssueAssembled
    | IssueChunk
    | IssuePublished
    | KeyIssued
    | KeyShared
    | DropSubmitted
    | DropImage
    | DropReplied
    | DropPublished
    | CellKeyRegistered
    | CellKeyRotated
    | AlternateRegistered
    | DelegateSwapped
    | TallySigned
    | DelegatesElected
    | CellKeySet
    | MandateGiven
    | DelegateRecalled
    | ReportedBack
    | ContactsShared
    | AmendmentProposed
    | AmendmentRatified
    | CouncilDeclared
    | JointActionProposed
    | JointOptedIn
    | ProgrammeEndorsed
    | CarriedDown
    | WarningRaised
    | ArticleSubmitted
    | IssueCompiled
    | EditorsNamed
    | CellVouched
)

TAGS: Final[frozenset[str]] = frozenset(
    str(t.__struct_config__.tag) for t in typing.get_args(AnyEvent)
)


Counter = Annotated[int, Meta(ge=0, lt=2**40)]
ChainHash = Annotated[bytes, Meta(max_length=32)]


class EventEnvelope(Frozen, frozen=True):
    """One entry of a cell's log: schema version, id, author leaf, log time, body; then
    the author's counter and what the author had seen (see the module docstring). The
    last three have defaults, so membership facts and older encodings stay short."""

    v: int
    event_id: Id
    author: Leaf
    at: Seconds
    body: AnyEvent
    n: Counter = 0
    seen: Counter = 0
    chain: ChainHash = b""


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(EventEnvelope)


def encode(envelope: EventEnvelope) -> bytes:
    """The envelope as compact msgpack (what the app puts in an MLS application message)."""
    return _encoder.encode(envelope)


def decode(data: bytes) -> EventEnvelope:
    """Read one envelope. Raises `OrgDecodeError` with a precise `code`:
    ``too-large``, ``unsupported-version``, ``unknown-event``, ``field-too-large`` or
    ``malformed``. Nothing else escapes."""
    if len(data) > MAX_EVENT_BYTES:
        raise OrgDecodeError("too-large", size=len(data), limit=MAX_EVENT_BYTES)
    try:
        envelope = _decoder.decode(data)
    except DECODE_FAILURES as exc:
        # ValueError: msgspec reports invalid UTF-8 in a string as UnicodeDecodeError.
        raise _explain(data, exc) from None
    if envelope.v != VERSION:
        raise OrgDecodeError("unsupported-version", version=envelope.v, supported=VERSION)
    return envelope


def _explain(data: bytes, exc: Exception) -> OrgDecodeError:
    """Turn msgspec's message into the most precise code we can give."""
    detail = str(exc)[:300]
    try:
        raw = msgspec.msgpack.decode(data)
    except DECODE_FAILURES:
        return OrgDecodeError("malformed", detail=detail)
    if isinstance(raw, list) and raw:
        version = raw[0]
        if isinstance(version, int) and not isinstance(version, bool) and version != VERSION:
            return OrgDecodeError("unsupported-version", version=version, supported=VERSION)
        if len(raw) == 5 and isinstance(raw[4], list) and raw[4]:
            tag = raw[4][0]
            if isinstance(tag, str) and tag not in TAGS:
                return OrgDecodeError("unknown-event", tag=repr(tag[:64]))
    if "<=" in detail or "` < " in detail or " < " in detail:
        return OrgDecodeError("field-too-large", detail=detail)
    return OrgDecodeError("malformed", detail=detail)
