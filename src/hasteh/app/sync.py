"""Sync: deliver the outbox, read every mailbox in relay order, fold, store, commit.

One round:

1. **Deliver** the outbox (`transport.outbox.deliver_due`). A commit that meets a 409 is
   not merged; the outbox fetches the newer envelopes, which are processed here.
2. **Fetch** each cell's mailbox on each relay, and each pending card's pickup mailbox.
   Every new envelope is processed (`runtime.absorb`) inside the transaction that marks
   it seen and moves the cursor; the group state, the new events and the cell record are
   written in that same transaction (`_Batch`). Our own staged commit coming back in the
   mailbox is the relay's acceptance: it is merged there, in order, and the Welcome goes
   out. A commit of someone else in our commit's epoch means ours lost: it is dropped
   and rebuilt on the new epoch (`runtime.plan`) if still wanted.
3. **Plan** what this member is responsible for (`runtime.carry_out`): key rotation after
   a seizure, removals, Adds of approved newcomers, adopted settings changes.

Rounds repeat (at most `rounds`) while anything moved. Every membership commit is
checked by org's policy against the log as it is folded; a commit without an
authorizing proposal or decision becomes an alarm every member sees, naming the
committer's cover name (`alarms`).

Expired chat is swept from memory and from the vault first (`expiry.sweep`, also
`sync.sweep`). `join` is one round that reports the cells joined (`hasteh join`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from hasteh import org
from hasteh.app import files, runtime
from hasteh.app.cell_relays import delivery_relays, hold_commits, ordering_relay
from hasteh.app.cells import find_cell
from hasteh.app.constants import ALARM_KINDS
from hasteh.app.errors import JoinRefused, NothingToJoin
from hasteh.app.expiry import sweep as sweep
from hasteh.app.join import join_from_package, waiting_invitations
from hasteh.app.kinds import all_groups, load_in
from hasteh.app.mailboxes import read_auth_for
from hasteh.app.records import CellRecord, invitations
from hasteh.app.relay_status import note_contacts
from hasteh.app.runtime import GroupRuntime
from hasteh.app.runtime import carry_out as carry_out
from hasteh.envelope import Envelope
from hasteh.i18n import _, display_number
from hasteh.transport import outbox, registry
from hasteh.transport.errors import RelayRefused, TransportError
from hasteh.transport.outbox import Arrival
from hasteh.vault import Connection, Vault

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = [
    "AlarmView",
    "SyncReport",
    "alarms",
    "carry_out",
    "dismiss_notices",
    "join",
    "sweep",
    "sync",
]

T = TypeVar("T")
Sink = Callable[[Connection, Envelope, Arrival], None]


@dataclass(slots=True)
class SyncReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    received: int = 0
    dropped: int = 0
    commits_staged: int = 0
    conflicts: int = 0
    joined: list[str] = field(default_factory=list)
    unreachable: set[str] = field(default_factory=set)
    swept: int = 0
    #: Courier imports only: envelopes for our mailboxes, deliveries queued, already had.
    for_me: int = 0
    queued: int = 0
    known: int = 0
    #: Courier imports only: relays this profile does not use, and how many envelopes
    #: wait for each; they are contacted only if the user says so.
    unconfirmed: dict[str, int] = field(default_factory=dict)
    #: Deliveries a relay holds back for now (its budget or its disk is full): they stay
    #: in the outbox and are tried again later. By the relay's reason.
    held: dict[str, int] = field(default_factory=dict)
    #: Relays that refuse this device's write or read key: it was removed from a cell
    #: (or the cell's key is not registered there yet).
    refused_here: set[str] = field(default_factory=set)
    #: Relays that answered in this sync (the others are in `unreachable`).
    answered: set[str] = field(default_factory=set)
    #: Groups whose ordering relay did not answer: their messages go through the other
    #: relays, their membership changes wait (docs/org.md, "Several relays"). By name.
    ordering_down: set[str] = field(default_factory=set)
    #: Envelopes that arrived in mailboxes registered by hand (`hasteh mailbox add`), which
    #: no cell or card of this profile reads: kept for carrying on.
    waiting: int = 0


class _Batch:
    """The vault as `transport` sees it during a sync: each write also flushes every cell
    touched in it, in the same transaction."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.touched: dict[bytes, GroupRuntime[Any]] = {}

    def read(self, fn: Callable[[Connection], T]) -> T:
        return self.ws.vault.read(fn)

    def write(self, fn: Callable[[Connection], T]) -> T:
        def run(conn: Connection) -> T:
            result = fn(conn)
            for rt in self.touched.values():
                runtime.flush(conn, rt)
            return result

        try:
            return self.ws.vault.write(run)
        except BaseException:
            self.ws.forget_cache()
            self.touched.clear()
            raise

    def as_vault(self) -> Vault:
        return cast(Vault, self)


def _sink(ws: Workspace, batch: _Batch, report: SyncReport) -> Sink:
    """Hand each envelope to its cell (or to a waiting invitation), with where it came
    from (`Arrival`: a relay's place and stamp, or a courier bundle)."""
    cells = {rt.record.mailbox: rt for rt in all_groups(ws) if not rt.aside}
    cards = {inv.pickup: inv for inv in ws.vault.read(invitations)}

    def sink(conn: Connection, envelope: Envelope, arrival: Arrival) -> None:
        known = cells.get(envelope.mailbox)
        if known is not None:
            # The cache may have been dropped since the map was built: reload in place.
            rt = ws._cells.get(known.group_id)
            if rt is None:
                rt = ws._cells[known.group_id] = load_in(conn, known.group_id)
            batch.touched[rt.group_id] = rt
            before = rt.processed
            runtime.absorb(ws, rt, conn, envelope, arrival)
            report.received += rt.processed - before
            return
        card = cards.get(envelope.mailbox)
        if not arrival.fresh:
            return
        if card is None:
            report.waiting += 1
            return
        if card is not None:
            joined = join_from_package(ws, conn, card, envelope)
            if joined is not None:
                batch.touched[joined.group_id] = joined
                cells[joined.record.mailbox] = joined
                del cards[card.pickup]
                report.joined.append(joined.name)

    return sink


def _mailboxes(ws: Workspace) -> list[tuple[bytes, list[str]]]:
    """Every mailbox to read: the cells', the cards' pickups, and those registered by
    hand (`hasteh mailbox add`, for carrying a group's envelopes one is not in)."""
    cells = all_groups(ws)
    found = [(rt.record.mailbox, delivery_relays(rt.record)) for rt in cells if rt.active]
    found += [(inv.pickup, inv.relays) for inv in ws.vault.read(invitations)]
    # Only those registered with a read key; never a cell's (one we left or were removed
    # from has nothing more for us).
    ours = {mailbox for mailbox, _relays in found} | {rt.record.mailbox for rt in cells}
    keys = ws.vault.read(registry.read_keys)
    found += [
        (mailbox, relays)
        for mailbox, relays in ws.vault.read(registry.mailboxes).items()
        if mailbox not in ours and mailbox in keys
    ]
    return found


def sync(ws: Workspace, *, rounds: int = 6) -> SyncReport:
    """Deliver, fetch, process and commit until nothing moves (see the module docstring)."""
    report = SyncReport()
    report.swept = sweep(ws)
    outbox.recover(ws.vault, now=ws.clock())
    for _round in range(rounds):
        batch = _Batch(ws)
        sink = _sink(ws, batch, report)
        read_auth = read_auth_for(ws)
        # Files' chunks first: they reach a relay before the event that names their key.
        report.sent += files.push(ws)
        delivered = outbox.deliver_due(
            batch.as_vault(), ws.client_for, now=ws.clock(), rng=ws.jitter, sink=sink
        )
        report.sent += delivered.sent
        report.retrying += delivered.retrying
        report.failed += delivered.failed
        # Commits that met an earlier commit for their epoch (the relay's hint; an old relay
        # answers 409 instead). Which one counts is decided by the relay's order on fetch.
        report.conflicts += len(delivered.conflicts) + sum(
            1 for ack in delivered.commits if ack.earlier_commits
        )
        for held in delivered.held:
            report.held[held.error] = report.held.get(held.error, 0) + 1
        report.refused_here.update(relay for _item, relay in delivered.not_allowed)
        fetched = 0
        answered: set[str] = set()
        failed: dict[str, str] = {}
        for mailbox, relays in _mailboxes(ws):
            for relay in relays:
                if relay in report.unreachable:
                    continue
                answered.add(relay)  # unless it fails below
                try:
                    fetched += len(
                        outbox.fetch_new(
                            batch.as_vault(),
                            ws.client_for(relay),
                            relay,
                            mailbox,
                            now=ws.clock(),
                            sink=sink,
                            auth=read_auth,
                        )
                    )
                except RelayRefused as exc:
                    if exc.error == "not_allowed":
                        report.refused_here.add(relay)
                    else:
                        report.unreachable.add(relay)
                        failed[relay] = "refused"
                except TransportError:
                    report.unreachable.add(relay)
                    failed[relay] = "unreachable"
        answered -= set(failed)
        report.answered |= answered
        if answered or failed:
            _note_contacts(ws, answered, failed)
        _note_waiting(ws)
        report.ordering_down |= {
            rt.name for rt in all_groups(ws) if rt.active and ordering_relay(rt.record) in failed
        }
        for rt in batch.touched.values():
            report.dropped += rt.dropped
            rt.dropped = 0
        staged = 0
        for rt in all_groups(ws):
            staged += carry_out(ws, rt)
        report.commits_staged += staged
        if not (delivered.sent or fetched or staged):
            break
    return report


def _note_contacts(ws: Workspace, answered: set[str], failed: dict[str, str]) -> None:
    ws.vault.write(lambda conn: note_contacts(conn, answered, failed, now=ws.now()))


def _holds(conn: Connection, *, record: CellRecord) -> bool:
    return hold_commits(conn, record)


def _note_waiting(ws: Workspace) -> None:
    """Tell the members of a cell whose membership change waits for the ordering relay
    (a commit seen on another relay only) why it does (notice ``membership-waits``)."""
    for rt in all_groups(ws):
        if not (rt.active and rt.record.deferred):
            continue
        if ws.vault.read(partial(_holds, record=rt.record)):

            def run(conn: Connection, rt: GroupRuntime[Any] = rt) -> None:
                runtime.note(rt, "membership-waits")

            runtime.write(ws, rt, run)


def join(ws: Workspace) -> list[str]:
    """Pick up every Welcome waiting for our cards; the names of the cells joined. It is
    one sync round (here, above `sync`, rather than in `join`, which `sync` uses).
    Raises `JoinRefused` if nothing was joined and a join package was refused (this time
    or before), else `NothingToJoin` if nothing arrived."""
    waiting = len(waiting_invitations(ws))
    report = sync(ws)
    if not report.joined:
        cards = waiting_invitations(ws)
        refused = sum(inv.refused for inv in cards)
        if refused:
            reasons = {inv.refused_reason for inv in cards if inv.refused}
            raise JoinRefused(waiting, refused, "not-the-cell" if "not-the-cell" in reasons else "")
        raise NothingToJoin(waiting)
    return report.joined


class _Values(dict[str, Any]):
    """Template values; a placeholder we do not know shows as "?" instead of failing."""

    def __missing__(self, key: str) -> str:
        return "?"


@dataclass(frozen=True, slots=True)
class AlarmView:
    code: str
    text: str
    by_cover_name: str
    subject_cover_name: str
    epoch: int
    #: This device's own notice (`NOTICES`), which its holder may set aside once read;
    #: False for the log's alarms, which every member sees and nobody can erase.
    own: bool = False


#: The codes of the notices below (`Notice.code`), stable like error codes.
NoticeCode = Literal[
    "events-missing",
    "log-fork",
    "junk-commit",
    "rogue-commit",
    "cell-unreadable",
    "unreadable-events",
    "unauthorized-removal",
    "removed-device-commit",
    "relay-clock-ahead",
    "membership-waits",
    "own-refused",
]

#: Alarms this device raised for its member only (`CellRecord.notices`): what a relay
#: withheld or forked, commits no member could accept, stored data that could not be read.
#: Shown by code, like errors: the template translated, `{count}` and `{subject}` filled.
#: (Keyed by `str`: stored records carry the code as text; a test holds the keys to
#: `NoticeCode`.)
NOTICES: Mapping[str, str] = {
    "events-missing": (
        "{count} message(s) from {subject} never arrived: the relay may be holding them back."
    ),
    "log-fork": (
        "The relay showed {subject} a different order of messages than it showed you: it "
        "may be deceiving one of you. Compare safety words in person."
    ),
    "junk-commit": (
        "{count} change(s) to the cell arrived that no member can read; they were ignored."
    ),
    "rogue-commit": (
        "{subject} tried to change the cell under another member's name or without the "
        "cell's decision; the change was refused."
    ),
    "cell-unreadable": (
        "This cell could not be opened on this device: its stored data is damaged. Your "
        "other cells are not affected."
    ),
    "unreadable-events": "{count} stored event(s) of this cell could not be read and were skipped.",
    "unauthorized-removal": (
        "{subject} sent a change removing you from the cell without a decision of the cell. "
        "You stayed in; tell the other members in person."
    ),
    "removed-device-commit": (
        "A change for the cell as it was before a member's removal arrived afterwards "
        "(perhaps from the removed device). It was ignored, and the cell's keys were renewed."
    ),
    "membership-waits": (
        "The cell's ordering relay is not answering. Messages still go through the cell's "
        "other relays, but changes to the membership wait until it answers again."
    ),
    "own-refused": (
        "{count} thing(s) you did were not taken by the cell: another member's came first or "
        "a deadline passed (two approvals at once, a vote after the close). Look at the page "
        "again and do it again if it still applies."
    ),
    "relay-clock-ahead": (
        "The relay's clock runs ahead of this device's: check this device's date and time. "
        "If it is right, the relay may be trying to make deadlines pass early."
    ),
}


def _manual_note(note: str, subject: str) -> str:
    """An alarm raised by hand is stored as ``kind: note``; show the kind in words (in
    the UI language) and, when a member was named, who it is about."""
    kind, _sep, rest = note.partition(": ")
    words = _(ALARM_KINDS[kind]) if kind in ALARM_KINDS else kind
    if subject:
        words = _("{what} (about {name})").format(what=words, name=subject)
    return f"{words}: {rest}" if rest else words


def alarms(ws: Workspace, cell: str) -> list[AlarmView]:
    """Every alarm of the cell, oldest first, as text in the UI language: the log's
    alarms (every member sees them), then this device's own notices."""
    rt = find_cell(ws, cell)
    found = []
    for a in rt.org.alarms:
        template = org.ALARMS.get(a.code) or org.ALARMS["manual"]
        note = _manual_note(a.note, a.subject_cover_name) if a.code == "manual" else a.note
        values = _Values(
            by=a.by_cover_name or "?", subject=a.subject_cover_name or "?", note=note or a.code
        )
        text = _(template).format_map(values)
        found.append(AlarmView(a.code, text, a.by_cover_name, a.subject_cover_name, a.epoch))
    for n in rt.record.notices:
        subject = "" if n.leaf is None else rt.org.cover_name(n.leaf)
        values = _Values(subject=subject or "?", count=display_number(n.count))
        text = _(NOTICES.get(n.code, "{count}")).format_map(values)
        found.append(AlarmView(n.code, text, "", subject, rt.org.epoch, own=True))
    return found


def dismiss_notices(ws: Workspace, cell: str) -> int:
    """Set aside this device's notices of the cell once read; how many. The log's
    alarms stay: every member sees them, and no member can remove them for the others."""
    rt = find_cell(ws, cell)
    count = len(rt.record.notices)
    if count:

        def clear(conn: Connection) -> None:
            rt.record.notices = []
            rt.record_dirty = True

        runtime.write(ws, rt, clear)
    return count
