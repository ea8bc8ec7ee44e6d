"""Background sync: while the profile is unlocked, `hasteh up` fetches and sends by itself.

    create_web(home, ..., background=Pace(first=3, every=(10, 25)))

An asyncio task in the web process (started and stopped with the app's lifespan) runs one
sync (`hasteh.app.sync.sync`, at most `Pace.rounds` rounds: bounded work) soon after each
unlock, then again after a random pause between `Pace.every` seconds, so a watcher of the
network sees no fixed beat. With the news frame's own reload (`views.news`, every 5 s), a
message that reaches the relay shows on an open cell page within 30 s.

It never runs while the profile is locked, and it skips its turn while the app is busy (a
"Fetch now" or an action holds `APP_LOCK`: their own sync does the same work). It uses
the app's relay clients (`Workspace.client_for`: the profile's proxy, Tor when
configured), the one seam for every way out of this computer. When a round brings an
urgent call (issue 15), it raises one discreet desktop notification (`app.alerts`: no
content, no cell name; a neutral title when the discreet setting is on).

A failed round is a status, never a traceback: `SyncStatus.outcome` is a notice key of
`views.common.NOTICES` (``synced``, ``unreachable``, ``held``, ``refused``), shown by
the cell page's news frame. Nothing is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread

from hasteh.app import alerts, sync
from hasteh.errors import HastehError
from hasteh.web.app import WebState
from hasteh.web.appcalls import APP_LOCK, workspace_of

__all__ = ["BackgroundSync", "Pace", "SyncStatus", "lifespan"]


@dataclass(frozen=True, slots=True)
class Pace:
    """When background rounds run (seconds) and how much each may do."""

    #: Pause between an unlock and the first round.
    first: float = 3.0
    #: Pause between rounds: random in this range (at most 25 s, plus the frame's 5 s).
    every: tuple[float, float] = (10.0, 25.0)
    #: Sync rounds per turn (each delivers, fetches every mailbox, plans).
    rounds: int = 2


@dataclass(slots=True)
class SyncStatus:
    """What the last background round did (shown in the news frame)."""

    #: Notice key of the last round's outcome ("" before the first round).
    outcome: str = ""
    #: When it ended (unix seconds), or None.
    at: int | None = None
    #: Envelopes received in all rounds so far.
    received: int = 0
    #: Rounds run, and turns skipped because the app was busy.
    rounds: int = 0
    skipped: int = 0


def outcome_of(report: sync.SyncReport) -> str:
    """A sync report said as a notice key (as `views.common.sync_outcome`)."""
    if report.refused_here:
        return "refused"
    if report.unreachable or report.failed:
        return "unreachable"
    return "held" if report.held else "synced"


@dataclass
class BackgroundSync:
    """The background task of one web app (`lifespan` starts and stops it)."""

    state: WebState
    pace: Pace = field(default_factory=Pace)
    random_pause: Callable[[float, float], float] = random.uniform
    status: SyncStatus = field(default_factory=SyncStatus)
    #: Raises the discreet notification of an urgent call (`app.alerts`): the session
    #: D-Bus unless a test gives its own.
    notifier: alerts.Notifier = field(default_factory=alerts.desktop)

    def turn(self) -> bool:
        """One round, in the calling (worker) thread: False if locked or busy."""
        if not self.state.unlocked or not APP_LOCK.acquire(blocking=False):
            self.status.skipped += 1
            return False
        try:
            if not self.state.unlocked:
                return False
            ws = workspace_of(self.state)
            try:
                seen = alerts.urgent_ids(ws)
                report = sync.sync(ws, rounds=self.pace.rounds)
                self.status.outcome = outcome_of(report)
                self.status.received += report.received
                alerts.announce(ws, seen, self.notifier)
            except HastehError:
                ws.forget_cache()
                self.status.outcome = "unreachable"
            except Exception:
                ws.forget_cache()
                self.status.outcome = "unreachable"
            self.status.at = int(time.time())
            self.status.rounds += 1
            return True
        finally:
            APP_LOCK.release()

    async def run(self) -> None:
        """Run rounds forever (until cancelled): soon after each unlock, then jittered."""
        was_unlocked = False
        due = 0.0
        loop = asyncio.get_running_loop()
        while True:
            unlocked = self.state.unlocked and not self.state.spent
            if unlocked and not was_unlocked:
                due = loop.time() + self.pace.first
            was_unlocked = unlocked
            if not unlocked:
                await asyncio.sleep(1.0)
                continue
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(min(wait, 1.0))
                continue
            await anyio.to_thread.run_sync(self.turn)
            due = loop.time() + self.random_pause(*self.pace.every)


def lifespan(pace: Pace | None) -> Callable[[Any], contextlib.AbstractAsyncContextManager[None]]:
    """A Starlette lifespan that runs the background sync (none when `pace` is None)."""

    @contextlib.asynccontextmanager
    async def span(app: Any) -> AsyncIterator[None]:
        state = app.state.web
        assert isinstance(state, WebState)
        if pace is None:
            yield
            return
        background = BackgroundSync(state, pace)
        state.background = background
        task = asyncio.create_task(background.run())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return span
