"""The one writer: a thread that commits posted envelopes in batches (group commit).

Requests put their item on a queue and await a future; the thread takes everything that
is waiting (up to `max_batch`), runs it in one transaction with `Storage.post_batch`, and
only after the commit resolves the futures. An acknowledgement therefore always means
"durably stored", and a burst of posts pays one fsync instead of one each.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence

from hasteh.relay.errors import StorageError
from hasteh.relay.storage import Limits, PostItem, PostResult, Storage

log = logging.getLogger("hasteh.relay")

_Job = tuple[PostItem, "asyncio.Future[PostResult]", asyncio.AbstractEventLoop]
_STOP = None


class Writer:
    def __init__(
        self,
        storage: Storage,
        *,
        limits: Limits,
        on_commit: Callable[[set[bytes]], None] = lambda hashes: None,
        clock: Callable[[], float] = time.time,
        max_batch: int = 1024,
    ) -> None:
        self._storage = storage
        self._limits = limits
        self._on_commit = on_commit
        self._clock = clock
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="hasteh-relay-writer", daemon=True)
        self.batches = 0
        self.written = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._queue.put(_STOP)
        self._thread.join(timeout=30)

    async def post(self, item: PostItem) -> PostResult:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[PostResult] = loop.create_future()
        self._queue.put((item, future, loop))
        return await future

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            jobs = [first]
            stop = False
            while len(jobs) < self._max_batch:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                jobs.append(job)
            self._commit(jobs)
            if stop:
                return

    def _commit(self, jobs: Sequence[_Job]) -> None:
        items = [job[0] for job in jobs]
        outcome: list[PostResult] | BaseException
        try:
            outcome = self._storage.post_batch(items, now=self._clock(), limits=self._limits)
            self.batches += 1
            self.written += len(items)
        except StorageError as exc:
            # The cause's class and SQLite error name only: never the statement or values.
            cause = exc.__cause__
            log.error(
                "storage write failed for a batch of %d envelopes (%s %s)",
                len(items),
                type(cause).__name__,
                getattr(cause, "sqlite_errorname", ""),
            )
            outcome = exc
        except Exception:
            log.exception("unexpected storage failure for a batch of %d envelopes", len(items))
            outcome = StorageError("write-refused")
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[PostResult], int]]]
        by_loop = {}
        for index, (_, future, loop) in enumerate(jobs):
            by_loop.setdefault(loop, []).append((future, index))
        for loop, pairs in by_loop.items():
            try:
                loop.call_soon_threadsafe(_resolve, pairs, outcome)
            except RuntimeError:  # the loop has closed: nobody is waiting any more
                continue
        if not isinstance(outcome, BaseException):
            self._on_commit({item.mailbox_hash for item in items})


def _resolve(
    pairs: list[tuple[asyncio.Future[PostResult], int]],
    outcome: list[PostResult] | BaseException,
) -> None:
    for future, index in pairs:
        if future.done():
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome[index])
