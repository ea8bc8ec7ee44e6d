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

Families and their tags (a tag never changes meaning once released):

    cell.*       CellCreated, SettingsChanged
    member.*     NewcomerProposed, Vouched, AdmissionApproved, AdmissionObjected,
                 ProposalWithdrawn, MemberAdded, MemberRemoved, MemberSeized,
                 SeizureReviewed, LeaveAnnounced, Alarm
    talk.*       ThreadOpened, MessagePosted, MessageDeleted
    decision.*   DecisionOpened, StanceCast, DecisionClosed

Room for the roadmap: ``study.*``, ``action.*``, ``fund.*``, ``bulletin.*`` and ``fed.*``
are reserved. A new family adds `Event` subclasses with new tags to `AnyEvent`, a handler
module, and a field of `OrgState` with an empty default; the envelope, the version and
every existing tag stay as they are. A reader that meets a tag it does not know refuses
the event with ``unknown-event`` ("update hasteh") rather than guessing.

Sizes are bounded in the schema (`msgspec.Meta`), so a hostile member cannot make every
other member store a megabyte title; `decode` refuses anything outside the bounds.
"""

from __future__ import annotations

import typing
from typing import Annotated, Final, Literal, NewType

import msgspec
from msgspec import Meta

from hasteh.errors import DECODE_FAILURES
from hasteh.org.errors import OrgDecodeError

__all__ = [
    "CARD_FINGERPRINT_SIZE",
    "EVENT_ID_SIZE",
    "MAX_EVENT_BYTES",
    "MAX_MESSAGE_EXPIRY",
    "MAX_RELAYS",
    "MAX_RELAY_URL",
    "MIN_MESSAGE_EXPIRY",
    "VERSION",
    "AdmissionApproved",
    "AdmissionObjected",
    "Alarm",
    "AnyEvent",
    "CellCreated",
    "CellSettings",
    "ChangeSettings",
    "Choice",
    "Choices",
    "Consent",
    "DecisionClosed",
    "DecisionKind",
    "DecisionOpened",
    "Event",
    "EventEnvelope",
    "EventId",
    "LeafIndex",
    "LeaveAnnounced",
    "MemberAdded",
    "MemberRemoved",
    "MemberSeized",
    "MessageDeleted",
    "MessagePosted",
    "Motion",
    "NewcomerProposed",
    "Objection",
    "OptIn",
    "Outcome",
    "Position",
    "ProposalStance",
    "ProposalWithdrawn",
    "Ranking",
    "RemoveMember",
    "SeizureReviewed",
    "SettingsChanged",
    "Stance",
    "StanceCast",
    "ThreadOpened",
    "Vouched",
    "decode",
    "encode",
]

VERSION: Final = 1
EVENT_ID_SIZE: Final = 16
CARD_FINGERPRINT_SIZE: Final = 32
#: No single event may exceed this many encoded bytes (a long message plus headroom).
MAX_EVENT_BYTES: Final = 64 * 1024

DAY: Final = 86_400
#: A cell lists at most this many relays, each URL at most this long.
MAX_RELAYS: Final = 8
MAX_RELAY_URL: Final = 200
#: Bounds of a cell's `message_expiry` setting: one hour to one year.
MIN_MESSAGE_EXPIRY: Final = 3_600
MAX_MESSAGE_EXPIRY: Final = 365 * DAY

EventId = NewType("EventId", bytes)
LeafIndex = NewType("LeafIndex", int)

# Bounded field types. `decode` enforces them; `apply` re-checks events built in memory.
Id = Annotated[EventId, Meta(min_length=EVENT_ID_SIZE, max_length=EVENT_ID_SIZE)]
Leaf = Annotated[int, Meta(ge=0, lt=2**32)]
Seconds = Annotated[int, Meta(ge=0, lt=2**40)]
Epoch = Annotated[int, Meta(ge=0, le=2**63 - 1)]
Count = Annotated[int, Meta(ge=0, le=1_000)]
CoverName = Annotated[str, Meta(min_length=1, max_length=64)]
Fingerprint = Annotated[bytes, Meta(max_length=64)]
ShortText = Annotated[str, Meta(max_length=200)]
Reason = Annotated[str, Meta(max_length=2_000)]
Title = Annotated[str, Meta(min_length=1, max_length=200)]
Question = Annotated[str, Meta(min_length=1, max_length=2_000)]
Body = Annotated[str, Meta(min_length=1, max_length=16_000)]
OptionIndex = Annotated[int, Meta(ge=0, lt=64)]
#: A relay's base URL (its form is checked by `check_settings`: http(s), a host, no
#: credentials, query or trailing slash).
RelayUrl = Annotated[str, Meta(min_length=1, max_length=MAX_RELAY_URL)]


class _Frozen(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """Immutable, compact (msgpack array) value."""


# --- values carried inside events -------------------------------------------------------

Admission = Literal["all", "all-but-one"]


class CellSettings(_Frozen, frozen=True):
    """A cell's protective settings (DESIGN §4). `size_cap` never exceeds `HARD_CAP`."""

    size_cap: Annotated[int, Meta(ge=1, le=64)] = 5
    admission: Admission = "all"
    message_expiry: Seconds = 14 * DAY
    #: The cell's relays, the **ordering relay** first (docs/org.md, "Order, time and
    #: write access"). None: unchanged (a cell made before the list was a setting keeps
    #: the relays it was created with). An empty list is refused (`no-relays`), a list
    #: longer than `MAX_RELAYS` too (`too-many-relays`; the schema bounds it loosely).
    relays: Annotated[tuple[RelayUrl, ...], Meta(max_length=8 * MAX_RELAYS)] | None = None


class ChangeSettings(_Frozen, tag="settings", frozen=True):
    """Motion: adopt these settings (carried out by a `SettingsChanged`)."""

    settings: CellSettings


class RemoveMember(_Frozen, tag="remove", frozen=True):
    """Motion: remove the member at `leaf` (carried out by a commit, seen as
    `MemberRemoved`). `cover_name` pins who was meant, in case the leaf is reused."""

    leaf: Leaf
    cover_name: CoverName


Motion = ChangeSettings | RemoveMember

DecisionKind = Literal["consent", "proposal", "single", "multiple", "ranked", "opt-in"]
Position = Literal["agree", "abstain", "disagree", "block"]


class Consent(_Frozen, tag="consent", frozen=True):
    """Consent decision: no objection."""


class Objection(_Frozen, tag="object", frozen=True):
    """Consent decision: an objection, always with a reason."""

    reason: Reason


class ProposalStance(_Frozen, tag="position", frozen=True):
    """Proposal decision: agree / abstain / disagree / block (a block needs a reason)."""

    position: Position
    reason: Reason = ""


class Choice(_Frozen, tag="choice", frozen=True):
    """Single choice: one option index."""

    option: OptionIndex


class Choices(_Frozen, tag="choices", frozen=True):
    """Multiple choice: a set of option indices (at most `seats` if seats > 0)."""

    options: Annotated[tuple[OptionIndex, ...], Meta(max_length=64)]


class Ranking(_Frozen, tag="ranking", frozen=True):
    """Ranked choice: option indices, most preferred first; need not rank every option."""

    options: Annotated[tuple[OptionIndex, ...], Meta(min_length=1, max_length=64)]


class OptIn(_Frozen, tag="opt-in", frozen=True):
    """Opt-in count: "count me in". Only the count is ever kept."""


Stance = Consent | Objection | ProposalStance | Choice | Choices | Ranking | OptIn


class Outcome(_Frozen, frozen=True):
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


# --- events ------------------------------------------------------------------------------


class Event(_Frozen, tag=True, frozen=True):
    """Base of every event body. Subclasses set `tag` to ``"<family>.<name>"``."""


class CellCreated(Event, tag="cell.created", frozen=True):
    """The first event of a cell's log. Its author (MLS leaf 0) is the founding member."""

    name: Title
    founder_cover_name: CoverName
    settings: CellSettings = CellSettings()


class SettingsChanged(Event, tag="cell.settings", frozen=True):
    """Carries out an adopted `ChangeSettings` motion of decision `decision_id`."""

    decision_id: Id


class NewcomerProposed(Event, tag="member.proposed", frozen=True):
    """A member proposes a newcomer whose invitation card they received in person.

    `card_fingerprint` is the hash of the card's KeyPackage (the app computes it);
    `card_expires_at` its lifetime's end. The commit that adds the newcomer must carry the
    same KeyPackage (`MemberAdded.card_fingerprint`).
    """

    card_fingerprint: Fingerprint
    cover_name: CoverName
    card_expires_at: Seconds


class Vouched(Event, tag="member.vouched", frozen=True):
    """ "I know this person": a voucher's approval of proposal `proposal_id`."""

    proposal_id: Id


class AdmissionApproved(Event, tag="member.approved", frozen=True):
    proposal_id: Id


class AdmissionObjected(Event, tag="member.objected", frozen=True):
    proposal_id: Id
    reason: Reason


class ProposalWithdrawn(Event, tag="member.withdrawn", frozen=True):
    """The proposer takes back proposal `proposal_id` (only the proposer may)."""

    proposal_id: Id


class MemberAdded(Event, tag="member.added", frozen=True):
    """Synthesized by the app from a processed Add commit (never sent by a member)."""

    leaf: Leaf
    cover_name: CoverName
    card_fingerprint: Fingerprint
    by_leaf: Leaf
    commit_epoch: Epoch


class MemberRemoved(Event, tag="member.removed", frozen=True):
    """Synthesized by the app from a processed Remove commit (never sent by a member)."""

    leaf: Leaf
    by_leaf: Leaf
    commit_epoch: Epoch


class MemberSeized(Event, tag="member.seized", frozen=True):
    """Emergency: the member at `leaf` (their device) is seized. Any member may send it;
    their client then commits the Remove at once and every member updates its keys."""

    leaf: Leaf
    note: Reason = ""


class SeizureReviewed(Event, tag="member.seizure-reviewed", frozen=True):
    """The cell's review of seizure `seizure_id`. `upheld=False` raises an alarm naming
    the member who ran the seizure."""

    seizure_id: Id
    upheld: bool
    note: Reason = ""


class LeaveAnnounced(Event, tag="member.leaving", frozen=True):
    """The author is leaving; this authorizes the commit that removes them."""


class Alarm(Event, tag="member.alarm", frozen=True):
    """A member raises an alarm by hand, e.g. ``safety-words-mismatch`` after comparing
    safety words in person. `code` is a short slug the faces know."""

    code: Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$")]
    leaf: Leaf | None = None
    note: Reason = ""


class ThreadOpened(Event, tag="talk.thread", frozen=True):
    title: Title


class MessagePosted(Event, tag="talk.message", frozen=True):
    """A message in thread `thread_id`; kept until `expires_at` (at most the cell's
    `message_expiry` after `at`; the app's default is exactly that)."""

    thread_id: Id
    text: Body
    expires_at: Seconds


class MessageDeleted(Event, tag="talk.delete", frozen=True):
    """Delete for everyone a message of one's own. It deletes only a held `MessagePosted`
    of the same author; for any other id (another member's message, an event of another
    kind, an id already gone) it deletes nothing. The tombstone itself stays in the log
    with its author."""

    message_id: Id


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
)

TAGS: Final[frozenset[str]] = frozenset(
    str(t.__struct_config__.tag) for t in typing.get_args(AnyEvent)
)


Counter = Annotated[int, Meta(ge=0, lt=2**40)]
ChainHash = Annotated[bytes, Meta(max_length=32)]


class EventEnvelope(_Frozen, frozen=True):
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
