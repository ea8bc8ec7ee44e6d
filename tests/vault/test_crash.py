"""A writer killed with SIGKILL mid-stream loses no acknowledged transaction."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from hasteh import vault
from hasteh.vault import epochs, events

from .helpers import FAST, PASS

CHILD = """
import os, sys
from pathlib import Path
from hasteh import vault
from hasteh.vault import epochs, events
FAST = vault.KdfParams({m}, {t}, {p})
v = vault.unlock(Path(sys.argv[1]), sys.argv[2], min_kdf=FAST)
start = int(sys.argv[3])
seq = start
while True:
    def tx(conn, seq=seq):
        batch = [events.Event(b"g", seq * 10 + i, os.urandom(16), "chat", os.urandom(300), 1.0)
                 for i in range(10)]
        events.append_many(conn, batch)
        epochs.put_epoch(conn, b"g", seq, b"state-%d" % seq)
    v.write(tx)
    print(seq, flush=True)
    seq += 1
"""


def run_and_kill(home: Path, start: int, want: int) -> list[int]:
    script = CHILD.format(m=FAST.memory_kib, t=FAST.iterations, p=FAST.lanes)
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(home), PASS, str(start)],
        stdout=subprocess.PIPE,
        text=True,
    )
    acked: list[int] = []
    deadline = time.monotonic() + 60
    assert child.stdout is not None
    try:
        while len(acked) < want and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            acked.append(int(line))
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    # Lines printed before the kill are acknowledged too.
    acked.extend(int(line) for line in child.stdout.read().split())
    assert child.returncode == -signal.SIGKILL
    return acked


def test_sigkill_loses_no_acknowledged_write(tmp_path: Path) -> None:
    home = tmp_path / "p"
    vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
    start = 0
    for want in (150, 40, 300):
        acked = run_and_kill(home, start, want)
        assert len(acked) >= min(want, 20), "the writer did not get going"
        with vault.opened(home, PASS, min_kdf=FAST) as v:
            stored = v.read(lambda c: {e.seq // 10 for e in events.read(c, b"g", -1, 10**9)})
            newest = v.read(lambda c: epochs.get_epoch(c, b"g"))
            assert set(acked) <= stored
            assert newest is not None and newest[0] >= max(acked)
            assert newest[1] == b"state-%d" % newest[0]
            # No half transaction: every stored seq has all ten events.
            total = v.read(lambda c: events.count(c, b"g"))
            assert total == 10 * len(stored)
            start = max(stored) + 1
