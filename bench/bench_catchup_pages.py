"""The vault's cost per envelope of a catch-up page, by page size.

    uv run python bench/bench_catchup_pages.py [--messages 10000] [--runs 3] [500 1000 ...]

A catch-up writes each fetched page in one vault transaction (`transport.outbox.fetch_new`
with `app.sync`'s flush): the page's envelope ids into the seen-set, its events, the
cursor and the group state, then the commit and, because the old group state's secrets
were deleted, a WAL checkpoint (TRUNCATE). This replays exactly those writes into a real
SQLCipher vault (random ids and a 6 KB group state, like a two-member cell's) and prints
the CPU time per envelope for each page size: what a larger page saves per envelope is
the commit's and the checkpoint's rewrites of index pages shared by the page's ids.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from hasteh.vault import cursors, epochs, events
from hasteh.vault.db import Connection, Vault, create_database, open_database

STATE_SIZE = 6000


def one_run(messages: int, page: int) -> float:
    """CPU µs per envelope to store `messages` envelopes in pages of `page`."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        key = os.urandom(32)
        create_database(home / "v.db", key)
        vault = Vault(open_database(home / "v.db", key), home)
        group, mailbox, state = os.urandom(32), os.urandom(32), os.urandom(STATE_SIZE)
        cpu = 0.0
        for start in range(0, messages, page):
            n = min(page, messages - start)
            ids = [os.urandom(32) for _ in range(n)]
            rows: list[events.Row] = [
                (group, start + i, os.urandom(16), "message-posted", os.urandom(120), 1.0, 2e9)
                for i in range(n)
            ]
            epoch = start // page + 1

            def write(
                conn: Connection,
                ids: list[bytes] = ids,
                rows: list[events.Row] = rows,
                epoch: int = epoch,
                cursor: str = str(start + n),
            ) -> None:
                cursors.mark_seen_many(conn, ids, 1.0)
                events.last_seq(conn, group)
                events.append_rows(conn, rows)
                cursors.set_cursor(conn, "http://relay", mailbox, cursor)
                epochs.put_epoch(conn, group, epoch, state)  # deletes the old: checkpoint

            t = time.process_time()
            vault.write(write)
            cpu += time.process_time() - t
        vault.close()
        return cpu / messages * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("pages", type=int, nargs="*", default=[500, 1000])
    args = parser.parse_args()
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {platform.machine()} · "
        f"{os.cpu_count()} CPUs · Python {platform.python_version()} · "
        f"load average {os.getloadavg()[0]:.1f} · {args.messages} envelopes, {args.runs} runs\n"
    )
    print("| page size | vault CPU per envelope (median) |")
    print("|--:|--:|")
    for page in args.pages:
        runs = [one_run(args.messages, page) for _ in range(args.runs)]
        print(f"| {page} | {statistics.median(runs):.1f} µs |", flush=True)


if __name__ == "__main__":
    main()
