"""Courier glue: the whole cell flow with no relay, through `transport.courier` bundles.

    code, data, n = courier.export_bundle(ws)        # write `data` to a USB stick
    report = courier.import_bundle(ws, data, code)   # on another member's device

**Offline commits.** With no relay there is no one to accept a commit. Exporting is the
moment a staged commit is committed to: `export_bundle` merges every staged commit
(`merge_offline=True`), queues the Welcome (with the cell's history) for the newcomer's
pickup mailbox, and only then collects the outbox, so the bundle carries the commit and
the Welcome together. Members who import the bundle process the envelopes in the order
it holds them; messages of a later epoch that arrive before their commit wait
(`CellRecord.parked`) until it does. The relay's guarantee of one commit per epoch is
then the cell's to keep: only one member should commit between exchanges. Two offline
commits of the same epoch fork the group; the members who apply the other one cannot
read the loser's later messages, and their safety words differ, which is how it is seen.
Bundles also carry what their maker imported from others (their outbox holds it, queued
for the relays), so cells can pass one bundle around a circle.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from hasteh.app import files, runtime
from hasteh.app.kinds import all_groups
from hasteh.app.mailboxes import relays_in_use
from hasteh.app.sync import SyncReport, _Batch, _sink, carry_out
from hasteh.transport import courier
from hasteh.transport.courier import DEFAULT_COST, KdfCost
from hasteh.vault import Connection

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = ["export_bundle", "import_bundle"]


def merge_offline(ws: Workspace) -> int:
    """Merge every staged commit as if accepted (see the module docstring)."""
    merged = 0
    for rt in all_groups(ws):
        if rt.active and rt.record.pending is not None:

            def run(conn: Connection, rt: runtime.GroupRuntime[Any] = rt) -> None:
                runtime.merge_own(ws, rt, conn)

            runtime.write(ws, rt, run)
            merged += 1
    return merged


def confirm_offline(ws: Workspace) -> int:
    """Enter our own events still waiting for the ordering relay into the log: the bundle
    carries them where no relay orders them (they take the log's time)."""
    confirmed = 0
    for rt in all_groups(ws):
        if rt.active and rt.record.own_pending:

            def run(conn: Connection, rt: runtime.GroupRuntime[Any] = rt) -> int:
                return runtime.confirm_all_own(rt, ws.now())

            confirmed += runtime.write(ws, rt, run)
    return confirmed


def prepare_export(ws: Workspace) -> None:
    """Enter our own waiting events in the log, stage what is due and merge staged
    commits, until nothing more is (a proposal, then the Add, then the Welcome)."""
    for _ in range(4):
        confirmed = confirm_offline(ws)
        staged = sum(carry_out(ws, rt, offline=True) for rt in all_groups(ws))
        if not merge_offline(ws) and not staged and not confirmed:
            break
    confirm_offline(ws)


def export_bundle(
    ws: Workspace,
    *,
    code: str | None = None,
    merge: bool = True,
    recent_since: float | None = None,
    cost: KdfCost = DEFAULT_COST,
) -> tuple[str, bytes, int]:
    """(code, bundle file bytes, envelopes carried). Plans and merges staged commits
    first when `merge` (repeat until nothing more is due, e.g. Add then Welcome)."""
    if merge:
        prepare_export(ws)
    chosen = code or courier.new_code(ws.rng)
    data, count = courier.export_bundle(
        ws.vault, code=chosen, rng=ws.rng, recent_since=recent_since, cost=cost
    )
    return chosen, data, count


def import_bundle(
    ws: Workspace,
    data: bytes,
    code: str,
    *,
    cost: KdfCost = DEFAULT_COST,
    confirm: Callable[[dict[str, int]], Collection[str]] | None = None,
) -> SyncReport:
    """Open a bundle (refused whole if anything is wrong), process what is ours in the
    order it holds, queue the rest for the relays we already use, then plan what we must
    commit. Relays we do not use get envelopes only if `confirm` (shown each such relay
    and how many envelopes wait for it) returns them: contacting a relay a bundle names
    tells it our address, so the user decides. Without `confirm`, none."""
    report = SyncReport()
    batch = _Batch(ws)
    waiting = files.wanted(ws)
    sink = files.chunk_sink(waiting, _sink(ws, batch, report))
    result = courier.import_bundle(
        batch.as_vault(),
        data,
        code=code,
        now=ws.clock(),
        sink=sink,
        cost=cost,
        known_relays=relays_in_use(ws),
        also_mine=waiting,
    )
    # Files this same bundle announced: their chunks came in it too (before or after).
    files.take_entries(ws, [e.envelope for e in result.entries], known=waiting)
    chosen: Collection[str] = ()
    if result.unconfirmed and confirm is not None:
        chosen = confirm(dict(result.unconfirmed))
        extra = courier.confirm_relays(ws.vault, result, chosen, now=ws.clock())
        result.queued, result.known = result.queued + extra.queued, result.known + extra.known
    report.unconfirmed = {r: n for r, n in result.unconfirmed.items() if r not in chosen}
    report.for_me, report.queued, report.known = len(result.for_me), result.queued, result.known
    for rt in all_groups(ws):
        report.commits_staged += carry_out(ws, rt)
    return report
