"""A loaded cell: its MLS group state, its folded org state, and how envelopes change them.

This is the one place where MLS and org meet. Rules it keeps:

* **Relay order.** Envelopes of a cell's mailbox are processed in the order the relay
  (or a courier bundle) gives them. Our own application messages are folded when sent
  and marked seen, so they are not processed twice (MLS cannot decrypt them anyway).
* **Stage, then merge.** A commit we make is staged (`PendingCommit` in the cell record,
  the envelope in the outbox) and merged only when it comes back from the relay in the
  mailbox's order, i.e. the relay accepted it; or when a courier export carries it with
  no relay reachable. If another commit is applied in its epoch first, ours lost: it is
  dropped from the outbox and rebuilt on the new epoch if still wanted (`plan`).
* **Membership facts come from MLS, not from messages.** `MemberAdded`/`MemberRemoved`
  are synthesized from the difference between the old and new ratchet trees, with ids
  derived from the commit, so every member stores the same events. Org's policy then
  decides whether the change was authorized; if not, it records an alarm naming the
  committer's cover name. Such events arriving as messages are dropped.
* **One transaction per batch.** Changes made while processing go into the runtime's
  buffers and are written by `flush` inside the same vault transaction that advances the
  relay cursor; after any failure the workspace drops its cache and reloads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar, cast

import msgspec

from hasteh import org
from hasteh.app import frames
from hasteh.app.errors import AppError, NotAMember, UnknownCell, mls_errors, refused
from hasteh.app.parked import park
from hasteh.app.records import CellRecord, PendingCommit, load_cell, save_cell
from hasteh.envelope import Envelope, EnvelopeError, Kind, open_payload, seal
from hasteh.i18n import _
from hasteh.mls.errors import MLSError
from hasteh.mls.framing import MLSMessage, PrivateMessage, PublicMessage
from hasteh.mls.group import (
    ApplicationData,
    CommitApplied,
    GroupConfig,
    GroupState,
)
from hasteh.mls.leaf_node import LeafNode
from hasteh.mls.proposals import Add, Proposal, Remove
from hasteh.mls.tree_math import LeafIndex as LeafIndexMLS
from hasteh.org import (
    EventEnvelope,
    EventId,
    LeafIndex,
    MemberAdded,
    MemberRemoved,
    MessageDeleted,
    MessagePosted,
    OrgError,
    OrgState,
)
from hasteh.transport.outbox import delivery_id, stage
from hasteh.vault import Connection
from hasteh.vault import cursors as vcursors
from hasteh.vault import epochs as vepochs
from hasteh.vault import events as vevents
from hasteh.vault import outbox as voutbox
from hasteh.vault.db import secrets_deleted

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

#: The cipher suite of new cells: MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519.
SUITE = 1
#: Handshakes as PrivateMessages: even a member's relay sees no membership change.
CONFIG = GroupConfig(encrypt_handshake=True)
_TALK_KINDS = ("talk.message", "talk.delete")  # threads go along: messages need them
T = TypeVar("T")


def card_fingerprint(leaf: LeafNode) -> bytes:
    """What `NewcomerProposed.card_fingerprint` holds: SHA-256 over a label and the card's
    signature key, recomputable from the ratchet tree once the newcomer is added."""
    return hashlib.sha256(b"hasteh/card/v1\x00" + leaf.signature_key).digest()


def cover_name_of(leaf: LeafNode) -> str:
    identity = getattr(leaf.credential, "identity", b"")
    name = bytes(identity).decode("utf-8", errors="replace")[:64]
    return name or "?"


@dataclass(frozen=True, slots=True)
class _NewEvent:
    event_id: bytes
    kind: str
    body: bytes
    at: int
    expires_at: int | None


@dataclass(eq=False)
class CellRuntime:
    """A cell in memory. Mutated only inside a vault write (then `flush`ed) or reloaded."""

    record: CellRecord
    group: GroupState | None
    org: OrgState
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


# --- loading and saving ----------------------------------------------------------------


def load_in(conn: Connection, group_id: bytes) -> CellRuntime:
    """A cell read inside the caller's transaction (no cache involved)."""
    record = load_cell(conn, group_id)
    if record is None:
        raise UnknownCell()
    group: GroupState | None = None
    if not record.removed:
        row = vepochs.get_epoch(conn, group_id)
        if row is not None:
            group = GroupState.from_bytes(row[1], CONFIG)
    state = org.empty_state()
    after = -1
    while True:
        rows = vevents.read(conn, group_id, after_seq=after, limit=2000)
        for stored in rows:
            state = org.fold(state, org.decode(stored.body))
        if len(rows) < 2000:
            break
        after = rows[-1].seq
    return CellRuntime(record, group, state)


def load(ws: Workspace, group_id: bytes) -> CellRuntime:
    rt = ws._cells.get(group_id)
    if rt is None:
        rt = ws.vault.read(lambda conn: load_in(conn, group_id))
        ws._cells[group_id] = rt
    return rt


def flush(conn: Connection, rt: CellRuntime) -> None:
    """Write what processing changed, inside the caller's transaction."""
    gid = rt.group_id
    if rt.new_events:
        keep = [e for e in rt.new_events if e.event_id not in rt.forget]
        last = vevents.last_seq(conn, gid)
        seq = -1 if last is None else last
        rows = []
        for e in keep:
            seq += 1
            rows.append(
                vevents.Event(gid, seq, e.event_id, e.kind, e.body, float(e.at), e.expires_at)
            )
        vevents.append_many(conn, rows)
    if rt.forget:
        vevents.delete_ids(conn, sorted(rt.forget))
    if rt.drop_group:
        vepochs.delete_group(conn, gid)
    elif rt.group_dirty and rt.group is not None:
        vepochs.put_epoch(conn, gid, rt.group.epoch, rt.group.to_bytes())
    if rt.record_dirty or rt.drop_group:
        save_cell(conn, rt.record)
    rt.new_events = []
    rt.forget = set()
    rt.group_dirty = rt.record_dirty = rt.drop_group = False


def write(ws: Workspace, rt: CellRuntime, fn: Callable[[Connection], T]) -> T:
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


def accept_event(rt: CellRuntime, env: EventEnvelope, *, check: bool = True) -> None:
    """Fold `env` (checked unless it is a membership fact we synthesized) and buffer it."""
    forget: tuple[bytes, ...] = ()
    if check:
        received = org.receive(rt.org, env)
        rt.org, forget = received.state, received.forget
    else:
        rt.org = org.fold(rt.org, env)
    body = env.body
    if isinstance(body, MessageDeleted):
        forget = (*forget, body.message_id)
    expires = body.expires_at if isinstance(body, MessagePosted) else None
    tag = cast(str, type(body).__struct_config__.tag)
    rt.new_events.append(_NewEvent(env.event_id, tag, org.encode(env), env.at, expires))
    rt.forget.update(forget)


def new_envelope(ws: Workspace, rt: CellRuntime, body: org.AnyEvent) -> EventEnvelope:
    return EventEnvelope(
        org.VERSION, EventId(ws.rng(org.EVENT_ID_SIZE)), LeafIndex(rt.own_leaf), ws.now(), body
    )


def send_event(
    ws: Workspace,
    rt: CellRuntime,
    body: org.AnyEvent,
    *,
    also: Callable[[Connection, EventEnvelope], None] | None = None,
) -> EventEnvelope:
    """Check `body` against the cell's log, fold it, and queue it for every member
    (`also` runs in the same transaction)."""
    group = rt.require_group()
    env = new_envelope(ws, rt, body)

    def run(conn: Connection) -> None:
        accept_event(rt, env)
        if also is not None:
            also(conn, env)
        with mls_errors():
            wire = group.protect(frames.event_frame(org.encode(env)), rng=ws.rng)
        envelope = seal(kind=Kind.MESSAGE, mailbox=rt.record.mailbox, payload=wire, rng=ws.rng)
        stage(conn, envelope, rt.record.relays, now=ws.clock())
        vcursors.mark_seen(conn, envelope.id, ws.clock())
        rt.group_dirty = True  # the sending ratchet moved on; its used key is gone

    write(ws, rt, run)
    return env


# --- receiving ---------------------------------------------------------------------------


def message_epoch(wire: bytes) -> int | None:
    try:
        body = MLSMessage.from_bytes(wire).body
    except MLSError:
        return None
    if isinstance(body, PrivateMessage):
        return body.epoch
    if isinstance(body, PublicMessage):
        return body.content.epoch
    return None


def absorb(ws: Workspace, rt: CellRuntime, conn: Connection, envelope: Envelope) -> None:
    """Process one envelope of the cell's mailbox (inside the caller's transaction)."""
    if not rt.active:
        return
    try:
        payload = open_payload(envelope)
    except EnvelopeError:
        rt.dropped += 1
        return
    pending = rt.record.pending
    if pending is not None and envelope.id == pending.envelope_id:
        merge_own(ws, rt, conn)
        return
    if envelope.kind is Kind.WELCOME:
        return
    process_wire(ws, rt, conn, payload)


def process_wire(ws: Workspace, rt: CellRuntime, conn: Connection, wire: bytes) -> None:
    group = rt.group
    if group is None:
        return
    epoch = message_epoch(wire)
    if epoch is not None and epoch > group.epoch:  # a later epoch's message before its commit
        if park(rt.record.parked, wire, group_id=group.group_id, epoch=group.epoch):
            rt.record_dirty = True
        else:
            rt.dropped += 1  # not this group's, too far ahead, or over the bounds
        return
    try:
        result = group.process(wire, now=ws.now())
    except MLSError:
        rt.dropped += 1
        return
    rt.processed += 1
    if isinstance(result, ApplicationData):
        _application(rt, result)
        rt.group_dirty = True
    elif isinstance(result, CommitApplied):
        if result.removed_self or result.new_state is None:
            rt.group = None
            rt.record.removed = True
            rt.record.pending = None
            rt.record.parked = []
            rt.drop_group = True
            return
        commit_applied(ws, rt, conn, group, result.new_state, int(result.committer), wire)
    # A ProposalReceived is ignored: hasteh commits by value, and adopting a stranger's
    # proposal would block our own sending (RFC 9420 §12.4 "commit-required").


def _application(rt: CellRuntime, data: ApplicationData) -> None:
    try:
        kind, body = frames.split(data.data)
        if kind != frames.EVENT:
            raise frames.FrameError("not an event")
        env = org.decode(body)
    except (frames.FrameError, OrgError):
        rt.dropped += 1
        return
    if isinstance(env.body, MemberAdded | MemberRemoved):
        rt.dropped += 1  # membership facts come from commits only
        return
    env = msgspec.structs.replace(env, author=LeafIndex(int(data.sender)))
    try:
        accept_event(rt, env)
    except OrgError:
        rt.dropped += 1


def membership_events(
    old: GroupState, new: GroupState, committer: int, commit: bytes
) -> list[EventEnvelope]:
    """`MemberRemoved` / `MemberAdded` facts of a commit, from the two trees."""
    before = {int(i): leaf.signature_key for i, leaf in old.members()}
    after = {int(i): leaf for i, leaf in new.members()}
    bodies: list[MemberAdded | MemberRemoved] = []
    for i in sorted(before):
        if i not in after or after[i].signature_key != before[i]:
            bodies.append(MemberRemoved(LeafIndex(i), LeafIndex(committer), new.epoch))
    for i in sorted(after):
        if i not in before or before[i] != after[i].signature_key:
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
            0,
            body,
        )
        for n, body in enumerate(bodies)
    ]


def commit_applied(
    ws: Workspace,
    rt: CellRuntime,
    conn: Connection,
    old: GroupState,
    new: GroupState,
    committer: int,
    commit: bytes,
) -> None:
    rt.group = new
    rt.group_dirty = True
    me = int(new.own_leaf)
    for env in membership_events(old, new, committer, commit):
        body = env.body
        by_seizure = isinstance(body, MemberRemoved) and any(
            s.leaf == body.leaf and not s.removed for s in rt.org.seizures.values()
        )
        accept_event(rt, env, check=False)
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


def drop_pending(conn: Connection, rt: CellRuntime) -> None:
    pending = rt.record.pending
    if pending is None:
        return
    ids = {delivery_id(pending.envelope_id, r) for r in rt.record.relays}
    for item in voutbox.items(conn):
        if item.envelope_id in ids:
            voutbox.remove(conn, item.id)
    rt.record.pending = None
    rt.record_dirty = True
    secrets_deleted(conn)


def stage_commit(
    ws: Workspace,
    rt: CellRuntime,
    conn: Connection,
    intent: str,
    proposals: list[Proposal],
    *,
    card: bytes = b"",
    leaf: int = -1,
    cover_name: str = "",
) -> list[EventEnvelope]:
    """Stage a commit (never merged here). Refuses with `PolicyViolation` what the cell's
    policy would not authorize; returns the membership facts it will produce."""
    group = rt.require_group()
    with mls_errors():
        out = group.commit(
            proposals,
            by_reference=[],
            force_path=intent == "update",
            rng=ws.rng,
            now=ws.now(),
        )
    facts = membership_events(group, out.pending.new_state, int(group.own_leaf), out.commit)
    for env in facts:
        assert isinstance(env.body, MemberAdded | MemberRemoved)
        org.authorize(env.body, rt.org)
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
        card=card,
        leaf=leaf,
        cover_name=cover_name,
    )
    rt.record_dirty = True
    stage(conn, envelope, rt.record.relays, now=ws.clock())
    return facts


def merge_own(ws: Workspace, rt: CellRuntime, conn: Connection) -> None:
    """Our staged commit was accepted (or is carried offline): merge it, then send the
    Welcome (with the cell's history) to the newcomer's pickup mailbox."""
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
    if pending.intent == "update":
        rt.record.needs_update = False
    if pending.welcome is not None and pending.card:
        _stage_join_package(ws, rt, conn, pending)
    for key, card in list(rt.record.cards.items()):
        if card == pending.card:
            del rt.record.cards[key]


def _history(conn: Connection, rt: CellRuntime) -> list[bytes]:
    found: list[bytes] = []
    after = -1
    while True:
        rows = vevents.read(conn, rt.group_id, after_seq=after, limit=2000)
        found.extend(r.body for r in rows if r.kind not in _TALK_KINDS)
        if len(rows) < 2000:
            break
        after = rows[-1].seq
    flushed = {r for r in found}
    found.extend(
        e.body
        for e in rt.new_events
        if e.kind not in _TALK_KINDS and e.event_id not in rt.forget and e.body not in flushed
    )
    return found


def _stage_join_package(
    ws: Workspace, rt: CellRuntime, conn: Connection, pending: PendingCommit
) -> None:
    from hasteh.app.cards import decode_card

    group = rt.require_group()
    card = decode_card(pending.card, now=None)
    cursors = {r: vcursors.get_cursor(conn, r, rt.record.mailbox) or "0" for r in rt.record.relays}
    history = frames.History(rt.record.mailbox, list(rt.record.relays), cursors, _history(conn, rt))
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
    stage(conn, envelope, card.relays, now=ws.clock())
    vcursors.mark_seen(conn, envelope.id, ws.clock())


def plan(ws: Workspace, rt: CellRuntime) -> str | None:
    """Stage the next commit this member is responsible for, if any; returns its intent.

    One staged commit per cell at a time, in this order: our key rotation after a
    seizure; the removal of a member we reported seized; an adopted removal decision
    (carried out by the member with the lowest leaf other than the one removed); the
    Add of a newcomer we proposed (we hold the card) once the cell's rule is met."""
    if not rt.active or rt.record.pending is not None:
        return None
    group = rt.require_group()
    me = int(group.own_leaf)
    state = rt.org
    intent: str | None = None
    proposals: list[Proposal] = []
    card = b""
    leaf = -1
    cover = ""
    if rt.record.needs_update:
        intent = "update"
    if intent is None:
        for s in sorted(state.seizures.values(), key=lambda s: (s.at, s.seizure_id)):
            if s.by_leaf == me and not s.removed and s.leaf in state.members:
                intent, leaf, cover = "remove", int(s.leaf), s.cover_name
                break
    if intent is None:
        for d in sorted(state.decisions.values(), key=lambda d: (d.at, d.decision_id)):
            motion = d.motion
            if (
                isinstance(motion, org.RemoveMember)
                and not d.done
                and d.outcome is not None
                and d.outcome.status == "adopted"
                and motion.leaf in state.members
            ):
                others = [m for m in state.members if m != motion.leaf]
                if others and min(others) == me:
                    intent, leaf, cover = "remove", int(motion.leaf), motion.cover_name
                    break
    if intent is None:
        for a in sorted(state.proposals.values(), key=lambda a: a.proposal_id):
            held = rt.record.cards.get(a.proposal_id.hex())
            if (
                a.proposer == me
                and held is not None
                and org.admission_status(a, state) == "approved"
                and len(state.members) < state.settings.size_cap
            ):
                from hasteh.app.cards import decode_card

                intent, card = "add", held
                proposals = [Add(decode_card(held, now=None).key_package)]
                break
    if intent is None:
        return None
    if intent == "remove":
        if group.tree.leaf_node(LeafIndexMLS(leaf)) is None:
            return None
        proposals = [Remove(LeafIndexMLS(leaf))]
    chosen = intent

    def run(conn: Connection) -> None:
        stage_commit(ws, rt, conn, chosen, proposals, card=card, leaf=leaf, cover_name=cover)

    try:
        write(ws, rt, run)
    except AppError:
        return None
    return chosen


def responsible(rt: CellRuntime) -> bool:
    """Whether this member carries out what the cell adopted (the lowest leaf)."""
    return rt.active and bool(rt.org.members) and min(rt.org.members) == rt.own_leaf


def settings_to_carry_out(rt: CellRuntime) -> list[org.Decision]:
    """Adopted settings changes not yet carried out, if this member is responsible (the
    lowest leaf)."""
    if not responsible(rt):
        return []
    return [
        d
        for d in sorted(rt.org.decisions.values(), key=lambda d: (d.at, d.decision_id))
        if isinstance(d.motion, org.ChangeSettings)
        and not d.done
        and d.outcome is not None
        and d.outcome.status == "adopted"
    ]


def describe_leaf(rt: CellRuntime, leaf: int) -> str:
    return rt.org.cover_name(leaf) or _("(unknown)")
