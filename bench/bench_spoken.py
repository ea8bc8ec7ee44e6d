"""Spoken-code invitations: the exchange's CPU alone, and a whole invitation through a relay.

    uv run python bench/bench_spoken.py [--runs 10] [--quick] [--markdown]

* **exchange (sans I/O)**: both state machines of `hasteh.app.invite_code` in one thread,
  bytes handed over directly: SPAKE2 on each side (the `spake2` package, pure Python),
  HKDF, four ChaCha20-Poly1305 seals and opens, a 1 KiB card. This is the CPU a spoken
  code costs, whatever the network.
* **invitation via relay**: a real relay process on 127.0.0.1 (SQLite). The newcomer's
  side (`spoken.offer`, its own profile) runs in a thread and blocks as `hasteh code`
  does; the member's side (`spoken.take`) types the code as soon as it is shown. Timed
  from the member typing to both sides done (the newcomer's card bound, the member's
  proposal stored): six rendezvous requests, the proposal's event and its vault writes.
  Profiles use the test-only Argon2id cost (unlocking is not timed).
"""

from __future__ import annotations

import argparse
import os
import platform
import queue
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.relay.harness import RelayProcess  # noqa: E402

from hasteh import vault  # noqa: E402
from hasteh.app import Workspace, cells, spoken  # noqa: E402
from hasteh.app.invite_code import Answer, Member, Newcomer, Outgoing, make_code  # noqa: E402
from hasteh.vault.keyfile import KdfParams  # noqa: E402

FAST = KdfParams(memory_kib=8 * 1024, iterations=1, lanes=1)
PASS = "benchmark passphrase"


def exchange_once() -> float:
    start = time.perf_counter()
    code = make_code(42, os.urandom)
    newcomer = Newcomer(code, expires_at=int(time.time()) + 600, rng=os.urandom)
    member = Member(code, now=int(time.time()), rng=os.urandom)
    (reply,) = member.receive(newcomer.open())
    assert isinstance(reply, Outgoing)
    newcomer.receive(reply.data)
    member.receive(newcomer.offer(os.urandom(1024)))
    newcomer.receive(member.answer(Answer(True, os.urandom(32), "bakery", "sepideh")))
    return time.perf_counter() - start


def profile(base: Path, name: str) -> Workspace:
    home = base / name
    vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
    return Workspace(vault.unlock(home, PASS, min_kdf=FAST))


def invitation_once(base: Path, relay: str, member: Workspace, n: int) -> float:
    shown: queue.Queue[str] = queue.Queue()
    done = threading.Event()
    failure: list[BaseException] = []

    def newcomer_side() -> None:
        ws = profile(base, f"newcomer-{n}")
        try:
            spoken.offer(
                ws, f"reza{n}", on_code=lambda text, _t: shown.put(text), rendezvous=[relay]
            )
        except BaseException as exc:
            failure.append(exc)
            shown.put("")
        finally:
            ws.close()
            done.set()

    thread = threading.Thread(target=newcomer_side)
    thread.start()
    code = shown.get(timeout=60)
    start = time.perf_counter()
    spoken.take(member, "bakery", code, rendezvous=[relay])
    done.wait(timeout=60)
    elapsed = time.perf_counter() - start
    thread.join()
    if failure:
        raise failure[0]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    print(
        f"# {time.strftime('%Y-%m-%d')} · {platform.processor() or platform.machine()} · "
        f"{os.cpu_count()} cores · Python {platform.python_version()}"
    )
    cpu = sorted(exchange_once() for _ in range(max(runs, 5)))
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        relay = RelayProcess(
            f"sqlite:///{base / 'relay.sqlite3'}",
            extra=["--rate", "100000", "--rendezvous-rate", "1000"],
        ).start()
        try:
            member = profile(base, "member")
            cells.create_cell(member, "bakery", cover_name="sepideh", relays=[relay.url])
            # A cell holds at most 7: a fresh cell every 5 newcomers.
            wall = []
            for n in range(runs):
                if n and n % 5 == 0:
                    member.close()
                    member = profile(base, f"member-{n}")
                    cells.create_cell(member, "bakery", cover_name="sepideh", relays=[relay.url])
                wall.append(invitation_once(base, relay.url, member, n))
            member.close()
        finally:
            relay.kill()
    rows = [
        ("exchange (sans I/O, both sides)", cpu),
        ("invitation via relay (member types → both done)", sorted(wall)),
    ]
    if args.markdown:
        print("| what | median | min | max | runs |\n|:--|--:|--:|--:|--:|")
    for what, times in rows:
        med, lo, hi = (statistics.median(times) * 1000, times[0] * 1000, times[-1] * 1000)
        if args.markdown:
            print(f"| {what} | {med:.1f} ms | {lo:.1f} ms | {hi:.1f} ms | {len(times)} |")
        else:
            print(f"{what}: median {med:.1f} ms (min {lo:.1f}, max {hi:.1f}, {len(times)} runs)")


if __name__ == "__main__":
    main()
