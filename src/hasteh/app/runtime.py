"""A loaded group: its MLS group state, its folded org state, and how envelopes change them.

This is the one place where MLS and org meet. It runs any kind of group (a cell, an
alliance) with the same rules; what differs is the group's `GroupDomain`
(`hasteh.app.domain`), named by the record's `kind` and injected at load: its log's table,
its membership policy and its duties. Nothing here knows a cell's or an alliance's
events. Rules it keeps:

* **Relay order.** Envelopes of a group's mailbox are processed in the order the relay
  (or a courier bundle) gives them. Our own application messages are folded when sent
  and marked seen, so they are not processed twice (MLS cannot decrypt them anyway).
* **Stage, then merge.** A commit we make is staged (`PendingCommit` in the group's record,
  the envelope in the outbox) and merged only when it comes back from the relay in the
  mailbox's order, i.e. the relay accepted it; or when a courier export carries it with
  no relay reachable. If another commit is applied in its epoch first, ours lost: it is
  dropped from the outbox and rebuilt on the new epoch if still wanted (`plan`).
* **Membership facts come from MLS, not from messages.** `MemberAdded`/`MemberRemoved`
  are synthesized from the difference between the old and new ratchet trees, with ids
  derived from the commit, so every member stores the same events. Org's policy then
  decides whether the change was authorized; if not, it records an alarm naming the
  committer's cover name. Such events arriving as messages are dropped.
* **Order and time** (docs/org.md, "Order, time and write access"). The ordering relay
  (the first of the group's relays) gives the log its order. Every event's `at` is set
  here to the log time: the ordering relay's stamp, never earlier than the log's time
  before it; an event from a courier bundle or another relay takes the log's time as it
  is. Our own events are shown at once (`rt.org` is a view: the confirmed state `rt.base`
  plus `record.own_pending`) but enter the log only when they come back in that order,
  so the sender folds them where every other member does.
* **Seeing what a relay hides.** Every event carries its author's counter (`n`) and a
  hash of the last envelopes the author had read (`seen`, `chain`); a jump in a counter
  or a hash that differs from ours becomes a `Notice` (an alarm for this member).
* **One transaction per batch.** Changes made while processing go into the runtime's
  buffers and are written by `flush` inside the same vault transaction that advances the
  relay cursor; after any failure the workspace drops its cache and reloads.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

import msgspec

from hasteh import org
from hasteh.app import cell_relays, frames
from hasteh.app.cards import decode_card
from hasteh.app.constants import CONFIG as CONFIG
from hasteh.app.constants import SUITE as SUITE
from hasteh.app.constants import card_fingerprint as card_fingerprint
from hasteh.app.constants import cover_name_of as cover_name_of
from hasteh.app.domain import Folded, GroupDomain
from hasteh.app.errors import AppError, NotAMember, UnknownCell, mls_errors, refused
from hasteh.app.parked import park
from hasteh.app.records import (
    DEFAULT_KIND,
    AddIntent,
    CellRecord,
    Intent,
    Notice,
    OwnEvent,
    PendingCommit,
    RemoveIntent,
    UpdateIntent,
    load_cell,
    save_cell,
)
from hasteh.app.write_auth import cell_write_auth, commit_write_auth, pickup_write_auth
from hasteh.envelope import Envelope, EnvelopeError, Kind, WriteAuth, open_payload, seal
from hasteh.i18n import _
from hasteh.mls.errors import MLSError
from hasteh.mls.framing import peek_epoch
from hasteh.mls.group import (
    ApplicationData,
    CommitApplied,
    GroupState,
)
from hasteh.mls.proposals import Add, Proposal, Remove
from hasteh.mls.tree_math import LeafIndex as LeafIndexMLS
from hasteh.org import (
    EventEnvelope,
    EventId,
    InvalidEvent,
    LeafIndex,
    MemberAdded,
    MemberRemoved,
    OrgError,
    OrgState,
    log,
)
from hasteh.transport.outbox import Arrival, decode_auth, delivery_id, stage
from hasteh.vault import Connection
from hasteh.vault import cursors as vcursors
from hasteh.vault import epochs as vepochs
from hasteh.vault import events as vevents
from hasteh.vault import files as vfiles
from hasteh.vault import outbox as voutbox
from hasteh.vault.db import secrets_deleted

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

T = TypeVar("T")
S = TypeVar("S", bound=Folded)


class _NewEvent(msgspec.Struct, frozen=True):
    """An event entered in the log, waiting for `flush` (one per received message)."""

    event_id: bytes
    kind: str
    body: bytes
    at: int
    expires_at: int | None


@dataclass(eq=False)
class GroupRuntime(Generic[S]):
    """A group in memory. Mutated only inside a vault write (then `flush`ed) or reloaded."""

    record: CellRecord
    group: GroupState | None
    #: What the faces show: `base` plus our own events not yet back (`own_pending`).
    org: S
    #: The rules of this kind of group (the record's `kind`).
    domain: GroupDomain[S]
    #: The confirmed state: the log as the ordering relay ordered it.
    base: S
    #: Ids of the events held in the log (event ids are unique per group).
    ids: set[bytes] = field(default_factory=set)
    #: Set aside: its record or group could not be read; never written back.
    aside: bool = False
    #: While an envelope of the ordering relay is processed: True, and its stamp.
    ordered: bool = False
    stamp: int | None = None
    group_dirty: bool = False
    record_dirty: bool = False
    drop_group: bool = False
    new_events: list[_NewEvent] = field(default_factory=list)
    forget: set[bytes] = field(default_factory=set)
    #: Counters for the sync report.
    dropped: int = 0
    processed: int = 0

    @property
    def group_id(self) -> bytes:
        return self.record.group_id

    @property
    def name(self) -> str:
        return self.org.name

    @property
    def active(self) -> bool:
        return self.group is not None and not self.record.removed

    def require_group(self) -> GroupState:
        if self.group is None or self.record.removed:
            raise NotAMember()
        return self.group

    @property
    def own_leaf(self) -> int:
        return int(self.require_group().own_leaf)

    @property
    def kind(self) -> str:
        return self.domain.kind


#: A cell in memory (the runtime of the first kind of group).
CellRuntime = GroupRuntime[OrgState]


def fresh(record: CellRecord, group: GroupState, domain: GroupDomain[S]) -> GroupRuntime[S]:
    """A group just created or joined: empty log, everything still to be written."""
    empty = domain.log.empty()
    return GroupRuntime(record, group, empty, domain, empty, group_dirty=True, record_dirty=True)


# --- loading and saving ----------------------------------------------------------------


def load_in(
    conn: Connection, group_id: bytes, domains: Mapping[str, GroupDomain[Any]]
) -> GroupRuntime[Any]:
    """A group read inside the caller's transaction (no cache involved), run by the
    domain its record's `kind` names in `domains`.

    Nothing stored can stop a profile from loading: a row that does not decode or fold
    is skipped with a `Notice`, and a group whose record or group state cannot be read
    (or whose kind this hasteh does not run) is set aside (`set_aside`) with a notice,
    so every other group goes on working."""
    fallback = domains[DEFAULT_KIND]
    try:
        record = load_cell(conn, group_id)
    except Exception:  # a corrupt record: decode errors of any kind
        return set_aside(group_id, "cell-unreadable", fallback)
    if record is None:
        raise UnknownCell()
    domain = domains.get(record.kind)
    if domain is None:
        return set_aside(group_id, "cell-unreadable", fallback)
    group: GroupState | None = None
    if not record.removed:
        try:
            row = vepochs.get_epoch(conn, group_id)
            if row is not None:
                group = GroupState.from_bytes(row[1], CONFIG)
        except Exception:
            return set_aside(group_id, "cell-unreadable", domain)
    state = domain.log.empty()
    ids: set[bytes] = set()
    bad = 0
    after = -1
    while True:
        rows = vevents.read(conn, group_id, after_seq=after, limit=2000)
        for stored in rows:
            folded = _fold_row(domain.log, state, stored.body, ids)
            if folded is None:
                bad += 1
            else:
                state = folded
        if len(rows) < 2000:
            break
        after = rows[-1].seq
    rt = GroupRuntime(record, group, state, domain, state, ids=ids)
    if bad:
        _notice(rt, "unreadable-events", count=bad)
    refresh_view(rt)
    return rt


def _fold_row(kind: log.LogKind[S], state: S, body: bytes, ids: set[bytes]) -> S | None:
    """`state` with one stored event folded in (its id added to `ids`), or None for a row
    that does not decode, repeats an id (ids are unique in a group) or does not fold."""
    try:
        env = org.decode(body)
        if env.event_id in ids:
            return None
        state = log.fold(kind, state, env)
    except Exception:  # a corrupt or dangling row: the caller skips it and says so
        return None
    ids.add(env.event_id)
    return state


def set_aside(group_id: bytes, code: str, domain: GroupDomain[S]) -> GroupRuntime[S]:
    """A group that cannot be loaded: inactive, empty, with a notice the faces show."""
    record = CellRecord(group_id=group_id, mailbox=b"", relays=[], joined_at=0, removed=True)
    record.notices.append(Notice(code, 0))
    empty = domain.log.empty()
    return GroupRuntime(record, None, empty, domain, empty, aside=True)


def flush(conn: Connection, rt: GroupRuntime[Any]) -> None:
    """Write what processing changed, inside the caller's transaction."""
    if rt.aside:
        return
    gid = rt.group_id
    if rt.new_events:
        keep = [e for e in rt.new_events if e.event_id not in rt.forget]
        last = vevents.last_seq(conn, gid)
        seq = -1 if last is None else last
        rows: list[vevents.Row] = []
        for e in keep:
            seq += 1
            rows.append((gid, seq, e.event_id, e.kind, e.body, float(e.at), e.expires_at))
        vevents.append_rows(conn, rows)
    if rt.forget:
        vevents.delete_ids(conn, sorted(rt.forget))
        vfiles.delete(conn, sorted(rt.forget))  # a forgotten file goes with its event
    if rt.drop_group:
        vepochs.delete_group(conn, gid)
    elif rt.group_dirty and rt.group is not None:
        vepochs.put_epoch(conn, gid, rt.group.epoch, rt.group.to_bytes())
    if rt.record_dirty or rt.drop_group:
        save_cell(conn, rt.record)
    rt.new_events = []
    rt.forget = set()
    rt.group_dirty = rt.record_dirty = rt.drop_group = False


def write(ws: Workspace, rt: GroupRuntime[Any], fn: Callable[[Connection], T]) -> T:
    """Run `fn` in a vault write and flush `rt` in the same transaction. On any failure
    the workspace cache is dropped (memory never runs ahead of the vault), and an org
    refusal becomes a translated `Refused`."""

    def run(conn: Connection) -> T:
        result = fn(conn)
        flush(conn, rt)
        return result

    try:
        return ws.vault.write(run)
    except OrgError as exc:
        ws.forget_cache()
        raise refused(exc) from None
    except BaseException:
        ws.forget_cache()
        raise


# --- events ------------------------------------------------------------------------------


#: How many notices a group keeps (the oldest go first).
MAX_NOTICES = 100
#: How many envelopes of the ordering relay a group remembers, and how many of the last
#: ones an event's `chain` hashes.
WINDOW = 512
CHAIN_SPAN = 16


def _notice(rt: GroupRuntime[Any], code: str, *, leaf: int | None = None, count: int = 1) -> None:
    """Record an alarm for this member only; repeats of the last one are counted."""
    notices = rt.record.notices
    at = rt.record.log_time
    if notices and notices[-1].code == code and notices[-1].leaf == leaf:
        last = notices[-1]
        notices[-1] = Notice(code, at, leaf, last.count + count)
    else:
        notices.append(Notice(code, at, leaf, count))
        del notices[:-MAX_NOTICES]
    rt.record_dirty = True


def note(rt: GroupRuntime[Any], code: str) -> None:
    """Record an alarm for this member only (a notice of `sync.NOTICES`)."""
    _notice(rt, code)


def refresh_view(rt: GroupRuntime[Any]) -> None:
    """The view: the confirmed state plus our own events not yet back, in sending order.
    One that the confirmed state now refuses is left out of the view (it will be refused
    when it comes back too)."""
    state = rt.base
    for own in rt.record.own_pending:
        try:
            state = log.apply(rt.domain.log, state, org.decode(own.event), decoded=True)
        except OrgError:
            continue
    rt.org = state


def confirm_event(
    rt: GroupRuntime[Any], env: EventEnvelope, *, check: bool = True, decoded: bool = False
) -> None:
    """Enter `env` in the log: fold it into the confirmed state (checked unless it is a
    membership fact we synthesized; `decoded`: read from bytes, its fields already
    bounded), buffer it for the vault, forget what it deletes."""
    if env.event_id in rt.ids:
        raise InvalidEvent("duplicate-id")
    kind = rt.domain.log
    forget: tuple[bytes, ...] = ()
    if check:
        received = log.receive(kind, rt.base, env, decoded=decoded)
        rt.base, forget = received.state, received.forget
    else:
        rt.base = log.fold(kind, rt.base, env)
    body = env.body
    row = kind.row(body)
    expires = None if row.expires is None else row.expires(rt.base, env, body)
    tag = log.tag_of(type(body))
    rt.new_events.append(_NewEvent(env.event_id, tag, org.encode(env), env.at, expires))
    rt.ids.add(env.event_id)
    rt.forget.update(forget)
    rt.ids.difference_update(forget)
    if isinstance(body, org.SettingsChanged) and cell_relays.follow_settings(
        rt.record, rt.base.settings
    ):
        rt.record_dirty = True  # the cell moves onto its new relay list here, in log order
    refresh_view(rt)


def accept_event(rt: GroupRuntime[Any], env: EventEnvelope, *, check: bool = True) -> None:
    """Enter a locally made event in the log at once (the group's first events, a join's
    history): its time is the log's."""
    confirm_event(rt, env, check=check)
    if env.at > rt.record.log_time:
        rt.record.log_time = env.at
        rt.record_dirty = True


def ordering_relay(record: CellRecord) -> str | None:
    """The relay whose order is the log's order: the first of the group's relays."""
    return record.relays[0] if record.relays else None


def chain_hash(window: list[tuple[int, bytes]], seen: int) -> bytes:
    """The hash of the last `CHAIN_SPAN` envelopes at or before relay position `seen`."""
    end = bisect.bisect_right(window, seen, key=lambda entry: entry[0])
    last = window[max(0, end - CHAIN_SPAN) : end]
    h = hashlib.sha256(b"hasteh/chain/v1\x00")
    for seq, eid in last:
        h.update(seq.to_bytes(8, "big") + eid)
    return h.digest()


def new_envelope(ws: Workspace, rt: GroupRuntime[Any], body: org.AnyEvent) -> EventEnvelope:
    window = rt.record.window
    seen = window[-1][0] if window else 0
    return EventEnvelope(
        org.VERSION,
        EventId(ws.rng(org.EVENT_ID_SIZE)),
        LeafIndex(rt.own_leaf),
        max(ws.now(), rt.record.log_time),
        body,
        n=rt.record.own_n + 1,
        seen=seen,
        chain=chain_hash(window, seen) if window else b"",
    )


def send_event(
    ws: Workspace,
    rt: GroupRuntime[Any],
    body: org.AnyEvent,
    *,
    also: Callable[[Connection, EventEnvelope], None] | None = None,
    extra_relays: Sequence[str] = (),
) -> EventEnvelope:
    """Check `body` against what this member sees, show it at once, and queue it for
    every member (`also` runs in the same transaction). It enters the log when it comes
    back in the ordering relay's order (`absorb`)."""
    group = rt.require_group()
    env = new_envelope(ws, rt, body)

    def run(conn: Connection) -> None:
        rt.org = log.apply(rt.domain.log, rt.org, env)
        if also is not None:
            also(conn, env)
        with mls_errors():
            wire = group.protect(frames.event_frame(org.encode(env)), rng=ws.rng)
        envelope = seal(kind=Kind.MESSAGE, mailbox=rt.record.mailbox, payload=wire, rng=ws.rng)
        stage(
            conn,
            envelope,
            [*cell_relays.delivery_relays(rt.record), *extra_relays],
            now=ws.clock(),
            auth=lambda relay: cell_write_auth(rt.record, group, relay),
        )
        rt.record.own_pending.append(OwnEvent(envelope.id, org.encode(env)))
        rt.record.own_n = env.n
        rt.record_dirty = True
        rt.group_dirty = True  # the sending ratchet moved on; its used key is gone

    write(ws, rt, run)
    return env


def confirm_own(rt: GroupRuntime[Any], index: int, now: int) -> None:
    """Our own event `index` of `own_pending` is back: enter it at its log time (the same
    rule as everyone else's). One the log now refuses (a stance after the deadline, a
    second close, an approval another member's came before) is dropped, and the member is
    told: it showed as done on their pages until now."""
    own = rt.record.own_pending.pop(index)
    rt.record_dirty = True
    env = org.decode(own.event)
    env = msgspec.structs.replace(env, at=log_time(rt, env.at, now))
    try:
        confirm_event(rt, env, decoded=True)
    except OrgError as exc:
        if getattr(exc, "code", "") not in DONE_ANYWAY:
            _notice(rt, "own-refused")
        refresh_view(rt)


#: Refusals of an own event whose purpose was served anyway: nothing to tell (a close by
#: hand that the responsible member's automatic close at the deadline came before).
DONE_ANYWAY: Final = frozenset({"already-closed"})


def confirm_all_own(rt: GroupRuntime[Any], now: int) -> int:
    """Enter every own event still waiting (a courier export carries them with no relay
    to order them); how many."""
    count = len(rt.record.own_pending)
    while rt.record.own_pending:
        confirm_own(rt, 0, now)
    return count


#: How far ahead of this device's clock a relay stamp or an author's time may be before
#: it is clamped (clocks differ a little; a liar's by far more).
CLOCK_SKEW = 300


def log_time(rt: GroupRuntime[Any], claimed: int | None, now: int) -> int:
    """The time an event enters the log at, and the log's new time (docs/org.md, "Order,
    time and write access"): from the ordering relay, its stamp; from a courier bundle or
    another relay, the author's time; either way never after this device's clock (plus
    `CLOCK_SKEW`) and never before the log's time. So nobody can date an event before
    what the log already holds or fast-forward a deadline, and members who receive the
    same order agree."""
    source = rt.stamp if rt.stamp is not None else claimed
    t = rt.record.log_time
    if source is not None:
        t = max(t, min(source, now + CLOCK_SKEW))
    if t != rt.record.log_time:
        rt.record.log_time = t
        rt.record_dirty = True
    return t


# --- receiving ---------------------------------------------------------------------------


#: The first four bytes of a group message (RFC 9420 §6): version mls10, then the wire
#: format of a PublicMessage (1) or a PrivateMessage (2); both go on with group_id, epoch.
_MESSAGE_HEADS = (b"\x00\x01\x00\x01", b"\x00\x01\x00\x02")


def message_epoch(wire: bytes, group_id: bytes = b"") -> int | None:
    """The epoch a group message is for (read from its header only). A message that
    names `group_id` (under 64 bytes, so its length is one byte, §2.1.2) has its epoch
    at a fixed place, read there: a catch-up asks this for every message, and `peek_epoch`
    would decode the header field by field. Anything else goes through `peek_epoch`,
    which gives the same answer for these (a property test holds them together)."""
    n = len(group_id)
    if (
        0 < n < 64
        and len(wire) >= 13 + n
        and wire[4] == n
        and wire[:4] in _MESSAGE_HEADS
        and wire[5 : 5 + n] == group_id
    ):
        return int.from_bytes(wire[5 + n : 13 + n], "big")
    return peek_epoch(wire)


#: A courier bundle: no relay order, no stamp.
COURIER = Arrival("", 0, None)


def absorb(
    ws: Workspace,
    rt: GroupRuntime[Any],
    conn: Connection,
    envelope: Envelope,
    arrival: Arrival = COURIER,
) -> None:
    """Process one envelope of the group's mailbox (inside the caller's transaction).
    The clock is read once per envelope: every step of it happens at the same second."""
    if not rt.active:
        return
    now = ws.now()
    ordered = bool(arrival.relay) and arrival.relay == ordering_relay(rt.record)
    rt.stamp = arrival.stamp if ordered else None
    rt.ordered = ordered
    try:
        if ordered:
            _in_order(rt, envelope, arrival, now)
        waited = ordered and cell_relays.take_deferred(rt.record, envelope.id)
        if waited:
            rt.record_dirty = True
        if arrival.fresh or waited:
            if cell_relays.waits_for_order(rt.record, envelope, arrival):
                # A commit seen first on another relay counts only in the ordering
                # relay's order (docs/org.md, "Several relays").
                if cell_relays.defer(rt.record, envelope.id):
                    rt.record_dirty = True
                return
            _absorb(ws, rt, conn, envelope, now)
    finally:
        rt.stamp = None
        rt.ordered = False


def _absorb(
    ws: Workspace, rt: GroupRuntime[Any], conn: Connection, envelope: Envelope, now: int
) -> None:
    try:
        payload = open_payload(envelope)
    except EnvelopeError:
        rt.dropped += 1
        return
    pending = rt.record.pending
    if pending is not None and envelope.id == pending.envelope_id:
        merge_own(ws, rt, conn)
        return
    for index, own in enumerate(rt.record.own_pending):
        if own.envelope_id == envelope.id:
            confirm_own(rt, index, now)
            return
    if envelope.kind is Kind.WELCOME:
        return
    process_wire(ws, rt, conn, payload, envelope, now=now)


def _in_order(rt: GroupRuntime[Any], envelope: Envelope, arrival: Arrival, now: int) -> None:
    """An envelope of the ordering relay: the log's time moves to its stamp (never back,
    never beyond this device's clock: a relay stamping ahead is noticed), and it joins
    the window the equivocation check hashes."""
    record = rt.record
    if arrival.stamp is not None:
        if arrival.stamp > now + CLOCK_SKEW:
            _notice(rt, "relay-clock-ahead")
        log_time(rt, arrival.stamp, now)
    if arrival.cursor and (not record.window or arrival.cursor > record.window[-1][0]):
        record.window.append((arrival.cursor, envelope.id))
        del record.window[:-WINDOW]
        rt.record_dirty = True


def process_wire(
    ws: Workspace,
    rt: GroupRuntime[Any],
    conn: Connection,
    wire: bytes,
    envelope: Envelope | None = None,
    *,
    now: int | None = None,
) -> None:
    """Process one MLS message of the group at `now` (the workspace's clock if None)."""
    group = rt.group
    if group is None:
        return
    if now is None:
        now = ws.now()
    epoch = message_epoch(wire, group.group_id)
    if epoch is not None and epoch > group.epoch:  # a later epoch's message before its commit
        if park(rt.record.parked, wire, group_id=group.group_id, epoch=group.epoch):
            rt.record_dirty = True
        else:
            rt.dropped += 1  # not this group's, too far ahead, or over the bounds
        return
    try:
        result = group.process(wire, now=now)
    except MLSError:
        rt.dropped += 1
        if envelope is not None and envelope.kind is Kind.COMMIT:
            if envelope.epoch == group.epoch:
                _junk_commit(rt)
            elif rt.ordered and envelope.epoch + 1 in rt.record.removal_epochs:
                _stale_commit(rt)
        return
    rt.processed += 1
    if isinstance(result, ApplicationData):
        _application(rt, result, now)
        rt.group_dirty = True
    elif isinstance(result, CommitApplied):
        if result.removed_self or result.new_state is None:
            if not _removal_allowed(rt, rt.own_leaf, int(result.committer), group.epoch + 1):
                # A removed member cannot check a commit's path secrets or confirmation
                # tag, so a member could send us alone a "removal" the others refuse. We
                # leave only on a removal our log authorizes (a decision, a seizure
                # report, our own leave); otherwise we stay, say so, and the cell's next
                # key update carries us on.
                rt.dropped += 1
                _notice(rt, "unauthorized-removal", leaf=int(result.committer))
                _recover(rt)
                return
            rt.group = None
            rt.record.removed = True
            rt.record.pending = None
            rt.record.parked = []
            rt.record.own_pending = []
            rt.drop_group = True
            return
        rogue = rogue_leaves(group, result.new_state, rt, int(result.committer))
        if rogue:
            # A leaf took another credential without the cell's authority: refused by
            # every member's client; the group stays at this epoch (RFC 9420 §5.3.1
            # leaves "valid successor" to the application).
            rt.dropped += 1
            _notice(rt, "rogue-commit", leaf=int(result.committer))
            _recover(rt)
            return
        commit_applied(ws, rt, conn, group, result.new_state, int(result.committer), wire)
    # A ProposalReceived is ignored: hasteh commits by value, and adopting a stranger's
    # proposal would block our own sending (RFC 9420 §12.4 "commit-required").


def _removal_allowed(rt: GroupRuntime[Any], leaf: int, committer: int, epoch: int) -> bool:
    """Whether the log authorizes `committer` removing the member at `leaf` (as every
    member's policy judges the `MemberRemoved` that commit would make)."""
    change = MemberRemoved(LeafIndex(leaf), LeafIndex(committer), epoch)
    return rt.domain.check(change, rt.base).ok


def _junk_commit(rt: GroupRuntime[Any]) -> None:
    """A commit for our epoch that no member can process: skipped (the next valid one in
    the relay's order wins), shown, and the member who carries out the group's duties
    commits a key update so a junk "retire" at the relay cannot strand the group."""
    _notice(rt, "junk-commit")
    _recover(rt)


def _stale_commit(rt: GroupRuntime[Any]) -> None:
    """A commit for the epoch that removed someone, arriving from the relay after the
    removal: perhaps the removed device, which still held that epoch's key and may have
    registered a key of its own for the next one (or an honest commit that lost the
    race). Shown, and answered by a key update that retires every older key
    (docs/protocol.md, "Write access"). Bundles carry no keys, so only relay arrivals."""
    _notice(rt, "removed-device-commit")
    _recover(rt)


def _recover(rt: GroupRuntime[Any]) -> None:
    """After a commit the members refused, the member who carries out the group's duties
    commits a key update: whatever the refused commit told the relay (a new key, the old
    ones retired), the group moves on to an epoch and a write key only its members have.
    Our own events the relay refused meanwhile are sent again (`resend_refused`)."""
    if responsible(rt):
        rt.record.needs_update = True
        rt.record_dirty = True


def _application(rt: GroupRuntime[Any], data: ApplicationData, now: int) -> None:
    try:
        kind, body = frames.split(data.data)
        if kind != frames.EVENT:
            raise frames.FrameError("not an event")
        env = org.decode(body)
    except (frames.FrameError, OrgError):
        rt.dropped += 1
        return
    sender = int(data.sender)
    _count(rt, sender, env.n)
    _check_chain(rt, sender, env)
    row = rt.domain.log.rows.get(type(env.body))
    if row is not None and row.fact:
        rt.dropped += 1  # membership facts come from commits only
        return
    env = msgspec.structs.replace(env, author=LeafIndex(sender), at=log_time(rt, env.at, now))
    try:
        confirm_event(rt, env, decoded=True)
    except OrgError:
        rt.dropped += 1


def _count(rt: GroupRuntime[Any], leaf: int, n: int) -> None:
    """Withheld events show as a jump in their author's counter. The first event we see
    from a member sets the counter (we cannot tell what came before we joined)."""
    if n <= 0:
        return
    last = rt.record.counters.get(leaf)
    if last is not None and n > last + 1:
        _notice(rt, "events-missing", leaf=leaf, count=n - last - 1)
    if last is None or n > last:
        rt.record.counters[leaf] = n
        rt.record_dirty = True


def _check_chain(rt: GroupRuntime[Any], leaf: int, env: EventEnvelope) -> None:
    """The author's view of the ordering relay's last envelopes must be ours at the same
    position; otherwise the relay showed us different orders (equivocation)."""
    window = rt.record.window
    if not env.chain or not window or env.seen < window[0][0]:
        return  # nothing to compare (before we joined, or beyond what we remember)
    if env.seen > window[-1][0]:
        _notice(rt, "log-fork", leaf=leaf)  # the author read envelopes we never got
        return
    if chain_hash(window, env.seen) != env.chain:
        _notice(rt, "log-fork", leaf=leaf)


def rogue_leaves(
    old: GroupState, new: GroupState, rt: GroupRuntime[Any], committer: int
) -> list[int]:
    """Leaves whose credential changed in a commit without the group's authority.

    A member's cover name (its credential) never changes; a new signature key is fine
    with the same credential. A different credential in the same leaf is only a removal
    plus an Add, which the policy must authorize for the removal: otherwise it is a
    member taking another's name."""
    before = dict(old.members())
    rogue = []
    for index, leaf in new.members():
        was = before.get(index)
        if was is None or was.credential == leaf.credential:
            continue
        if was.signature_key == leaf.signature_key:
            rogue.append(int(index))
            continue
        if not _removal_allowed(rt, int(index), committer, new.epoch):
            rogue.append(int(index))
    return rogue


def membership_events(
    old: GroupState, new: GroupState, committer: int, commit: bytes, at: int = 0
) -> list[EventEnvelope]:
    """`MemberRemoved` / `MemberAdded` facts of a commit, from the two trees, at log time
    `at`. A leaf that keeps its credential is the same member, whatever its keys."""
    before = {int(i): leaf.credential for i, leaf in old.members()}
    after = {int(i): leaf for i, leaf in new.members()}
    bodies: list[MemberAdded | MemberRemoved] = []
    for i in sorted(before):
        if i not in after or after[i].credential != before[i]:
            bodies.append(MemberRemoved(LeafIndex(i), LeafIndex(committer), new.epoch))
    for i in sorted(after):
        if i not in before or before[i] != after[i].credential:
            leaf = after[i]
            bodies.append(
                MemberAdded(
                    LeafIndex(i),
                    cover_name_of(leaf),
                    card_fingerprint(leaf),
                    LeafIndex(committer),
                    new.epoch,
                )
            )
    base = hashlib.sha256(b"hasteh/commit-events/v1\x00" + commit).digest()
    return [
        EventEnvelope(
            org.VERSION,
            EventId(hashlib.sha256(base + n.to_bytes(2, "big")).digest()[:16]),
            LeafIndex(committer),
            at,
            body,
        )
        for n, body in enumerate(bodies)
    ]


def commit_applied(
    ws: Workspace,
    rt: GroupRuntime[Any],
    conn: Connection,
    old: GroupState,
    new: GroupState,
    committer: int,
    commit: bytes,
) -> None:
    rt.group = new
    rt.group_dirty = True
    me = int(new.own_leaf)
    at = log_time(rt, None, ws.now())
    facts = membership_events(old, new, committer, commit, at)
    if any(isinstance(env.body, MemberRemoved) for env in facts):
        rt.record.removal_epochs = [*rt.record.removal_epochs, new.epoch][-8:]
        rt.record_dirty = True
    for env in facts:
        body = env.body
        by_seizure = isinstance(body, MemberRemoved) and rt.domain.rekeys_after(rt.base, body)
        if isinstance(body, MemberAdded):
            rt.record.counters.pop(int(body.leaf), None)  # a new member counts anew
        try:
            confirm_event(rt, env, check=False)
        except OrgError:
            rt.dropped += 1  # the same commit's facts twice (ids derive from the commit)
        if by_seizure and committer != me:
            rt.record.needs_update = True  # rotate our own keys too
            rt.record_dirty = True
    pending = rt.record.pending
    if pending is not None and pending.base_epoch < new.epoch:
        drop_pending(conn, rt)  # another commit won that epoch: ours can never be accepted
    parked, rt.record.parked = rt.record.parked, []
    if parked:
        rt.record_dirty = True
        for wire in parked:
            process_wire(ws, rt, conn, wire)


# --- our own commits ---------------------------------------------------------------------


def drop_pending(conn: Connection, rt: GroupRuntime[Any]) -> None:
    pending = rt.record.pending
    if pending is None:
        return
    ids = {delivery_id(pending.envelope_id, r) for r in cell_relays.delivery_relays(rt.record)}
    for item in voutbox.items(conn):
        if item.envelope_id in ids:
            voutbox.remove(conn, item.id)
    rt.record.pending = None
    rt.record_dirty = True
    secrets_deleted(conn)


def stage_commit(
    ws: Workspace,
    rt: GroupRuntime[Any],
    conn: Connection,
    intent: Intent,
    proposals: list[Proposal],
) -> list[EventEnvelope]:
    """Stage a commit for `intent` (never merged here). Refuses with `PolicyViolation`
    what the group's policy would not authorize; returns the membership facts it will
    produce."""
    group = rt.require_group()
    with mls_errors():
        out = group.commit(
            proposals,
            by_reference=[],
            force_path=isinstance(intent, UpdateIntent),
            rng=ws.rng,
            now=ws.now(),
        )
    facts = membership_events(group, out.pending.new_state, int(group.own_leaf), out.commit)
    for env in facts:
        assert isinstance(env.body, MemberAdded | MemberRemoved)
        rt.domain.authorize(env.body, rt.base)
    envelope = seal(
        kind=Kind.COMMIT,
        mailbox=rt.record.mailbox,
        payload=out.commit,
        rng=ws.rng,
        epoch=group.epoch,
    )
    rt.record.pending = PendingCommit(
        envelope_id=envelope.id,
        intent=intent,
        base_epoch=group.epoch,
        base_cth=group.context.confirmed_transcript_hash,
        new_state=out.pending.new_state.to_bytes(),
        commit=out.commit,
        welcome=out.welcome,
    )
    rt.record_dirty = True
    # A removal, or a key update (after a seizure, or to recover from a refused commit),
    # retires every older write key at the relay.
    removes = isinstance(intent, UpdateIntent) or any(
        isinstance(env.body, MemberRemoved) for env in facts
    )
    stage(
        conn,
        envelope,
        cell_relays.delivery_relays(rt.record),
        now=ws.clock(),
        auth=lambda relay: commit_write_auth(
            rt.record, group, out.pending.new_state, relay, removes=removes
        ),
    )
    return facts


def merge_own(ws: Workspace, rt: GroupRuntime[Any], conn: Connection) -> None:
    """Our staged commit was accepted (or is carried offline): merge it, then send the
    Welcome (with the group's history) to the newcomer's pickup mailbox."""
    pending = rt.record.pending
    old = rt.group
    if pending is None or old is None:
        return
    rt.record.pending = None
    rt.record_dirty = True
    if old.epoch != pending.base_epoch:
        return
    new = GroupState.from_bytes(pending.new_state, CONFIG)
    commit_applied(ws, rt, conn, old, new, int(old.own_leaf), pending.commit)
    if isinstance(pending.intent, UpdateIntent):
        rt.record.needs_update = False
    if pending.welcome is not None and pending.card:
        _stage_join_package(ws, rt, conn, pending)
    for key, card in list(rt.record.cards.items()):
        if card == pending.card:
            del rt.record.cards[key]


def _history(conn: Connection, rt: GroupRuntime[Any]) -> list[bytes]:
    """The stored log a newcomer is handed: every event whose row is `in_history`."""
    left_out = rt.domain.log.not_in_history
    found: list[bytes] = []
    after = -1
    while True:
        rows = vevents.read(conn, rt.group_id, after_seq=after, limit=2000)
        found.extend(r.body for r in rows if r.kind not in left_out)
        if len(rows) < 2000:
            break
        after = rows[-1].seq
    flushed = {r for r in found}
    found.extend(
        e.body
        for e in rt.new_events
        if e.kind not in left_out and e.event_id not in rt.forget and e.body not in flushed
    )
    return found


def _cursor(cursors: dict[str, str], relays: list[str]) -> int:
    """The ordering relay's cursor among `cursors` (0 when there is none)."""
    value = cursors.get(relays[0], "0") if relays else "0"
    return int(value) if value.isascii() and value.isdigit() else 0


def _stage_join_package(
    ws: Workspace, rt: GroupRuntime[Any], conn: Connection, pending: PendingCommit
) -> None:
    group = rt.require_group()
    card = decode_card(pending.card, now=None)
    cursors = {r: vcursors.get_cursor(conn, r, rt.record.mailbox) or "0" for r in rt.record.relays}
    history = frames.History(
        rt.record.mailbox,
        list(rt.record.relays),
        cursors,
        _history(conn, rt),
        claim=rt.record.claim or b"",
        log_time=rt.record.log_time,
        window=[w for w in rt.record.window if w[0] <= _cursor(cursors, rt.record.relays)],
        counters={**rt.record.counters, int(group.own_leaf): rt.record.own_n},
        kind=rt.domain.kind,
    )
    with mls_errors():
        wire = group.protect(frames.history_frame(history), rng=ws.rng)
    rt.group_dirty = True
    assert pending.welcome is not None
    package = frames.encode_join(frames.JoinPackage(frames.JOIN_VERSION, pending.welcome, wire))
    try:
        envelope = seal(kind=Kind.WELCOME, mailbox=card.pickup, payload=package, rng=ws.rng)
    except EnvelopeError:
        # A log over 256 KiB cannot be handed over in one envelope (docs/cells.md, limits).
        rt.dropped += 1
        return
    stage(
        conn,
        envelope,
        card.relays,
        now=ws.clock(),
        auth=lambda relay: pickup_write_auth(card.pickup_claim),
    )
    vcursors.mark_seen(conn, envelope.id, ws.clock())


def _fixed(auth: WriteAuth) -> Callable[[str], WriteAuth]:
    return lambda relay: auth


def resend_refused(ws: Workspace, rt: GroupRuntime[Any]) -> int:
    """Send again, in the current epoch, our own events whose delivery the relay refused
    with a write key that is no longer ours to use (a commit retired it; we have moved on
    since). A refusal with the key we still hold is left alone: this device was removed.
    The events keep their ids, so no member holds one twice. How many were sent."""
    if not rt.active or not rt.record.own_pending:
        return 0
    group = rt.require_group()
    mine = {
        delivery_id(own.envelope_id, relay): i
        for i, own in enumerate(rt.record.own_pending)
        for relay in cell_relays.delivery_relays(rt.record)
    }

    def run(conn: Connection) -> int:
        sent = 0
        for item in voutbox.items(conn, state="failed"):
            index = mine.get(item.envelope_id)
            if index is None or item.last_error != "not_allowed":
                continue
            current = cell_write_auth(rt.record, group, item.relay)
            if item.auth is None or decode_auth(item.auth).key == current.key:
                continue
            own = rt.record.own_pending[index]
            with mls_errors():
                wire = group.protect(frames.event_frame(own.event), rng=ws.rng)
            envelope = seal(kind=Kind.MESSAGE, mailbox=rt.record.mailbox, payload=wire, rng=ws.rng)
            stage(conn, envelope, [item.relay], now=ws.clock(), auth=_fixed(current))
            voutbox.remove(conn, item.id)
            rt.record.own_pending[index] = OwnEvent(envelope.id, own.event)
            rt.record_dirty = rt.group_dirty = True
            sent += 1
        return sent

    return write(ws, rt, run)


def plan(ws: Workspace, rt: GroupRuntime[Any], *, hold: bool = False) -> str | None:
    """Stage the next commit this member is responsible for, if any (the domain's
    `next_commit`: for a cell, our key rotation after a seizure; the removal of a member
    we reported seized; an adopted removal; the Add of a newcomer we proposed once the
    cell's rule is met). One staged commit per group at a time. Returns its intent's tag
    (``add``, ``remove``, ``update``). With `hold` (the ordering relay does not answer)
    nothing is staged: a commit due is noted (``membership-waits``) and staged by a later
    call."""
    if not rt.active or rt.record.pending is not None:
        return None
    group = rt.require_group()
    intent = rt.domain.next_commit(rt)
    if intent is None:
        return None
    proposals: list[Proposal] = []
    if isinstance(intent, RemoveIntent):
        if group.tree.leaf_node(LeafIndexMLS(intent.leaf)) is None:
            return None
        proposals = [Remove(LeafIndexMLS(intent.leaf))]
    elif isinstance(intent, AddIntent):
        proposals = [Add(decode_card(intent.card, now=None).key_package)]
    if hold:
        write(ws, rt, lambda conn: _notice(rt, "membership-waits"))
        return None
    chosen = intent

    def run(conn: Connection) -> None:
        stage_commit(ws, rt, conn, chosen, proposals)

    try:
        write(ws, rt, run)
    except AppError:
        return None
    return str(type(chosen).__struct_config__.tag)


def responsible(rt: GroupRuntime[Any]) -> bool:
    """Whether this member carries out what the group adopted (the lowest leaf)."""
    return rt.active and bool(rt.base.members) and min(rt.base.members) == rt.own_leaf


def describe_leaf(rt: GroupRuntime[Any], leaf: int) -> str:
    return rt.org.cover_name(leaf) or _("(unknown)")


def carry_out(ws: Workspace, rt: GroupRuntime[Any], *, offline: bool = False) -> int:
    """Stage what this member is responsible for in `rt`; how many actions: the events
    its domain's `duties` send, the commit `plan` stages, our refused events sent again.
    Here rather than in `sync` because closing a decision by hand carries it out too
    (`decisions`). Membership commits wait while the ordering relay does not answer,
    unless `offline` (a courier export commits to them itself)."""
    done = rt.domain.duties(ws, rt)
    hold = (
        not offline
        and rt.active
        and ws.vault.read(lambda conn: cell_relays.hold_commits(conn, rt.record))
    )
    if plan(ws, rt, hold=hold) is not None:
        done += 1
    done += resend_refused(ws, rt)
    return done
