"""A relay simulated in the test process, for property tests that need thousands of
orderings: members' outboxes are collected into one list (the relay's order, with stamps
from the test clock), and each member is handed the envelopes through the same entry
point a sync uses (`runtime.absorb`), in the order — or the different orders, drops and
duplicates — that a test chooses. Cells are formed with the real relay first; the URL is
kept, so the simulated relay is the cell's ordering relay."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from hasteh.app import Workspace, cells, runtime
from hasteh.app.sync import carry_out
from hasteh.envelope import Envelope
from hasteh.vault import cursors as vcursors
from hasteh.vault import outbox as voutbox
from tests.app.helpers import CELL


@dataclass
class Posted:
    seq: int
    stamp: int
    envelope: Envelope


@dataclass
class SimRelay:
    url: str
    log: list[Posted] = field(default_factory=list)
    #: Per member (by id of its workspace): how many entries of `log` it has been shown.
    read: dict[int, int] = field(default_factory=dict)
    #: Above any sequence number the session's real relay hands out: members keep a window
    #: of the ordering relay's last (seq, hash) and compare an author's view only from its
    #: start, so the simulated relay must continue *after* the real one (which, shared by
    #: every app test of the session, passes 1,000 envelopes in a long run).
    next_seq: int = 1_000_000_000

    def collect(self, ws: Workspace) -> list[Posted]:
        """Take every queued delivery out of `ws`'s outbox into the relay's log; the new
        entries."""

        def take(conn: object) -> list[bytes]:
            found = [  # what a sync would still deliver (not what the real relay took)
                item
                for item in voutbox.items(conn, relay=self.url)  # type: ignore[arg-type]
                if item.state != "done"
            ]
            for item in found:
                voutbox.remove(conn, item.id)  # type: ignore[arg-type]
            return [item.envelope for item in found]

        taken = ws.vault.write(take)
        known = {p.envelope.id for p in self.log}
        new = []
        for raw in taken:
            env = Envelope.from_bytes(raw)
            if env.id not in known:
                new.append(self.post(env, ws.now()))
                known.add(env.id)
        return new

    def post(self, envelope: Envelope, stamp: int) -> Posted:
        self.next_seq += 1
        posted = Posted(self.next_seq, stamp, envelope)
        self.log.append(posted)
        return posted

    def pending(self, ws: Workspace) -> list[Posted]:
        return self.log[self.read.get(id(ws), 0) :]

    def show(self, ws: Workspace, entries: Sequence[Posted]) -> None:
        """Hand `entries` to `ws` as this relay's fetch answer would, in that order."""
        for entry in entries:
            rt = cells.find_cell(ws, CELL)

            def run(conn: object, entry: Posted = entry, rt: runtime.CellRuntime = rt) -> None:
                fresh = vcursors.mark_seen(conn, entry.envelope.id, ws.clock())  # type: ignore[arg-type]
                arrival = runtime.Arrival(self.url, entry.seq, entry.stamp, fresh)
                runtime.absorb(ws, rt, conn, entry.envelope, arrival)  # type: ignore[arg-type]

            runtime.write(ws, rt, run)

    def deliver(self, ws: Workspace) -> None:
        """Everything new, in the relay's order (an honest relay)."""
        entries = self.pending(ws)
        self.read[id(ws)] = len(self.log)
        self.show(ws, entries)

    def round(self, members: Sequence[Workspace]) -> None:
        """Collect, deliver to everyone, let each carry out its duties, collect again."""
        for ws in members:
            self.collect(ws)
        for ws in members:
            self.deliver(ws)
            carry_out(ws, cells.find_cell(ws, CELL))
            self.collect(ws)

    def settle(self, members: Sequence[Workspace], rounds: int = 4) -> None:
        for _ in range(rounds):
            before = len(self.log)
            self.round(members)
            if len(self.log) == before and all(not self.pending(ws) for ws in members):
                return
