"""Vouching codes (issue 17): the CPU of the code and its sealed card, and what a code
costs through a real relay.

    uv run python bench/bench_vouching.py [--runs 10] [--quick]

* **sans I/O**: a code made and read back (`encode_code`/`read_code`, the HKDF of its
  mailbox, claim and keys), and one alliance card sealed and opened (ChaCha20-Poly1305,
  msgpack, a padded envelope).
* **answer via relay**: `vouching.answer` on the new cell's delegate's device, against a
  real relay process on 127.0.0.1 (SQLite): read the code's mailbox, make the alliance card
  (a fresh signature key and KeyPackage), seal it, post it.
* **the delegate's sync**: what the vouching delegate's next sync costs, with N codes
  pending and nobody answered (one authenticated fetch per code and relay: the recurring
  cost of codes left open), and the sync that finds an answer, proposes the cell and burns
  the code (the proposal's event, its vault write and the "used" word posted).

Profiles use the test-only Argon2id cost (unlocking is not timed).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.relay.harness import RelayProcess  # noqa: E402

from hasteh import vault  # noqa: E402
from hasteh.app import Workspace, alliances, cards, runtime, sync, vouching  # noqa: E402
from hasteh.app.alliance_domain import AllianceRuntime  # noqa: E402
from hasteh.app.vouch_mailbox import box_of, open_message, seal_message  # noqa: E402
from hasteh.vault.keyfile import KdfParams  # noqa: E402

FAST = KdfParams(memory_kib=8 * 1024, iterations=1, lanes=1)
PASS = "benchmark passphrase"


def profile(base: Path, name: str) -> Workspace:
    home = base / name
    vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
    return Workspace(vault.unlock(home, PASS, min_kdf=FAST))


def forget_codes(ws: Workspace) -> None:
    for rt in alliances.all_alliances(ws):

        def clear(conn: object, rt: AllianceRuntime = rt) -> None:
            rt.record.vouches = []
            rt.record_dirty = True

        runtime.write(ws, rt, clear)


def ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.2f}"


class Timed:
    """Wall-clock and this process's CPU seconds of each run (the relay's CPU is its own
    process's; on a shared machine the CPU figure is the steadier one)."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __enter__(self) -> Timed:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall.append(time.perf_counter() - self._wall)
        self.cpu.append(time.process_time() - self._cpu)

    def __str__(self) -> str:
        return f"wall {ms(self.wall)} ms, CPU {ms(self.cpu)} ms ({len(self.wall)} runs)"


def cpu_alone(runs: int) -> tuple[list[float], list[float]]:
    codes, seals = [], []
    card = os.urandom(1200)  # an alliance card's payload is about 1.1 KiB
    for _ in range(runs):
        start = time.perf_counter()
        made = vouching.VouchCode(1, os.urandom(32), ["http://127.0.0.1:8470"], 2_000_000_000)
        vouching.read_code(vouching.encode_code(made))
        box = box_of(made.secret)
        codes.append(time.perf_counter() - start)
        start = time.perf_counter()
        opened = open_message(box, seal_message(box, "card", card, os.urandom).to_bytes())
        seals.append(time.perf_counter() - start)
        assert opened is not None
    return codes, seals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    print(
        f"# {time.strftime('%Y-%m-%d')} · {platform.processor() or platform.machine()} · "
        f"{os.cpu_count()} cores · Python {platform.python_version()} · "
        f"load {os.getloadavg()[0]:.1f}"
    )
    codes, seals = cpu_alone(max(runs, 50))
    print(f"code made and read, ms: {ms(codes)}")
    print(f"card sealed and opened, ms: {ms(seals)}")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        relay = RelayProcess(
            f"sqlite:///{base / 'relay.sqlite3'}", extra=["--rate", "1000000"]
        ).start()
        try:
            a = profile(base, "delegate-a")
            alliances.form(a, "north", cell="cell-a", relays=[relay.url])
            b = profile(base, "delegate-b")
            alliances.propose_cell(a, "north", cards.create_card(b, "cell-b", relays=[relay.url]))
            for _ in range(3):
                sync.sync(a)
                sync.sync(b)
            sync.sync(a)
            sync.sync(a)  # warm
            idle = Timed()
            for _ in range(runs):
                with idle:
                    sync.sync(a)
            print(f"delegate's sync, no code pending: {idle}")
            for pending in (1, 8):
                made = [vouching.vouch(a, "north") for _ in range(pending)]
                waiting = Timed()
                for _ in range(runs):
                    with waiting:
                        sync.sync(a)
                print(f"delegate's sync, {pending} code(s) pending, none answered: {waiting}")
                answers, proposing = Timed(), Timed()
                for n, code in enumerate(made[: min(runs, pending)]):
                    d = profile(base, f"d-{pending}-{n}")
                    with answers:
                        vouching.answer(d, code, f"cell-{pending}-{n}")
                    d.close()
                    with proposing:
                        sync.sync(a)
                print(f"answer via relay: {answers}")
                print(f"delegate's sync that proposes and burns: {proposing}")
                forget_codes(a)  # the codes left unanswered, before the next N
        finally:
            relay.kill()


if __name__ == "__main__":
    main()
