"""App catch-up: how long a member takes to catch up N messages, next to the crypto floor.

    uv run python bench/bench_app.py [--messages 10000] [--rounds 3] [--quick] [--markdown]

Setup (not timed): a real relay process on 127.0.0.1 (SQLite), two profiles A and B in one
cell, formed through the app (card, proposal, Welcome). A's client then protects N chat
messages (org `MessagePosted` events, ~60 characters each) with its MLS group, exactly as
`talk.say` would, and posts them to the relay.

Timed, per round (B's profile is copied fresh for each round):

* **catch-up**: `sync.sync(B)`: fetch every page from the relay, unmask each envelope,
  MLS-decrypt and verify it (sender data AEAD, content AEAD, Ed25519 signature, ratchet),
  decode and check the org event, fold it, and store events and the group state in the
  vault (one transaction per fetched page).
* **MLS alone**: `GroupState.process` of N application messages of the same size in a
  2-member group in this process: the MLS share, without relay, envelope, org or vault.
* **crypto floor**, measured alone in the same run: the cryptography RFC 9420 requires
  for each message, with pyca/cryptography: the Ed25519 signature verify, the sender-data
  AEAD open (AES-128-GCM, 12 bytes) and the content AEAD open (100 bytes), and the
  secret-tree HKDF steps (the ratchet's key, nonce and next secret: three
  HKDF-Expand-SHA256).

The ratio catch-up / floor is the figure to watch (targets: at most 3 for the insider
issue's baseline, at most 2 for the foundations issue). Both are given in wall-clock
seconds and in CPU seconds (the catch-up's: this process's plus the relay process's
while it serves the fetches): on a shared machine other processes take wall time from
either side unevenly, CPU time much less so.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand  # noqa: E402
from tests.relay.harness import RelayProcess  # noqa: E402

from hasteh import org, vault  # noqa: E402
from hasteh.app import Workspace, admission, cards, cells, frames, runtime, sync  # noqa: E402
from hasteh.app.talk import say  # noqa: E402
from hasteh.app.write_auth import cell_write_auth  # noqa: E402
from hasteh.envelope import Kind, seal  # noqa: E402
from hasteh.mls.cipher_suite import get_suite  # noqa: E402
from hasteh.mls.credential import BasicCredential  # noqa: E402
from hasteh.mls.group import create_group, join_from_welcome  # noqa: E402
from hasteh.mls.key_package_ops import KeyPackageSecrets, create_key_package  # noqa: E402
from hasteh.mls.proposals import Add  # noqa: E402
from hasteh.org import MessagePosted  # noqa: E402
from hasteh.transport.relay_client import RelayClient  # noqa: E402
from hasteh.vault.keyfile import KdfParams  # noqa: E402

FAST = KdfParams(memory_kib=8 * 1024, iterations=1, lanes=1)
PASS = "benchmark passphrase"
TEXT = "meeting moved to the bakery at six; bring the leaflets and tea"


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds and CPU seconds (this process's, plus the relay's for the
    catch-up): on a shared machine the CPU seconds leave out time other processes took."""

    wall: float
    cpu: float


def relay_cpu_seconds(relay: RelayProcess) -> float:
    """CPU seconds (user + system) the relay process has used, from /proc."""
    assert relay.proc is not None
    with open(f"/proc/{relay.proc.pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def crypto_floor(n: int) -> Timing:
    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    aead = AESGCM(os.urandom(16))
    items = []
    for _ in range(n):
        message, sender = os.urandom(100), os.urandom(12)
        nonce, sender_nonce = os.urandom(12), os.urandom(12)
        items.append(
            (
                message,
                key.sign(message),
                nonce,
                aead.encrypt(nonce, message, b""),
                sender_nonce,
                aead.encrypt(sender_nonce, sender, b""),
            )
        )
    secret = os.urandom(32)
    start, cpu = time.perf_counter(), time.process_time()
    for message, signature, nonce, ciphertext, sender_nonce, sender_ct in items:
        aead.decrypt(sender_nonce, sender_ct, b"")
        for label in (b"key", b"nonce", b"secret"):
            HKDFExpand(algorithm=hashes.SHA256(), length=32, info=label).derive(secret)
        public.verify(signature, message)
        aead.decrypt(nonce, ciphertext, b"")
    return Timing(time.perf_counter() - start, time.process_time() - cpu)


def mls_alone(n: int) -> Timing:
    """`GroupState.process` of `n` application messages like the chat's (a 2-member
    group in this process, suite 1, ~200-byte plaintexts): the MLS share of a catch-up,
    without the relay, envelopes, org or vault."""
    now = int(time.time())
    suite = get_suite(1)

    def key_package(name: bytes) -> KeyPackageSecrets:
        sk, _ = suite.generate_signature_key(os.urandom)
        return create_key_package(1, BasicCredential(name), sk, rng=os.urandom, now=now)

    a, b = key_package(b"a"), key_package(b"b")
    sender = create_group(1, b"bench-mls-alone", a, rng=os.urandom)
    out = sender.commit([Add(b.key_package)], rng=os.urandom, now=now)
    sender = sender.merge_pending(out.pending)
    assert out.welcome is not None
    receiver = join_from_welcome(out.welcome, b)
    wires = [sender.protect(os.urandom(200), rng=os.urandom) for _ in range(n)]
    start, cpu = time.perf_counter(), time.process_time()
    for wire in wires:
        receiver.process(wire)
    return Timing(time.perf_counter() - start, time.process_time() - cpu)


def workspace(home: Path) -> Workspace:
    return Workspace(vault.unlock(home, PASS, min_kdf=FAST))


def setup(base: Path, relay: RelayProcess, n: int) -> Path:
    a_home, b_home = base / "a", base / "b"
    for home in (a_home, b_home):
        vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
    a, b = workspace(a_home), workspace(b_home)
    cells.create_cell(a, "bench", cover_name="a", relays=[relay.url])
    admission.propose(a, "bench", cards.create_card(b, "b", relays=[relay.url]))
    sync.sync(a)
    sync.sync(b)
    say(a, "bench", "warm-up")
    sync.sync(a)
    sync.sync(b)
    b.close()
    # A protects N messages exactly as talk.say does, and posts them (not timed).
    rt = cells.find_cell(a, "bench")
    group = rt.require_group()
    thread = next(iter(rt.org.threads.values())).thread_id
    client = RelayClient(relay.url)
    now = a.now()
    for _ in range(n):
        env = runtime.new_envelope(a, rt, MessagePosted(thread, TEXT, now + 86_400))
        wire = group.protect(frames.event_frame(org.encode(env)), rng=os.urandom)
        client.post(
            seal(
                kind=Kind.MESSAGE, mailbox=rt.record.mailbox, payload=wire, rng=os.urandom
            ).to_bytes(),
            cell_write_auth(rt.record, group, relay.url),
        )
    client.close()
    a.close()
    return b_home


def catch_up(b_home: Path, scratch: Path, relay: RelayProcess) -> tuple[Timing, int]:
    copy = scratch / "b-copy"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(b_home, copy)
    b = workspace(copy)
    try:
        relay_cpu = relay_cpu_seconds(relay)
        start, cpu = time.perf_counter(), time.process_time()
        report = sync.sync(b)
        elapsed = Timing(
            time.perf_counter() - start,
            time.process_time() - cpu + relay_cpu_seconds(relay) - relay_cpu,
        )
        held = len(cells.find_cell(b, "bench").org.messages)
    finally:
        b.close()
    assert report.dropped == 0, report
    return elapsed, held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="1,000 messages, one round")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    n, rounds = (1_000, 1) if args.quick else (args.messages, args.rounds)
    print(
        f"# {time.strftime('%Y-%m-%d')} · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"Python {platform.python_version()} · {platform.platform()}"
    )
    print(f"# load average at start: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="hasteh-bench-app-") as tmp:
        base = Path(tmp)
        relay = RelayProcess(f"sqlite:///{base / 'relay.sqlite3'}", extra=["--rate", "1000000"])
        relay.start()
        try:
            b_home = setup(base, relay, n)
            ups, floors, alone = [], [], []
            for _ in range(rounds):
                floors.append(crypto_floor(n))
                alone.append(mls_alone(n))
                elapsed, held = catch_up(b_home, base, relay)
                assert held == n + 1, held
                ups.append(elapsed)
        finally:
            relay.kill()
    print(f"# load average at end: {os.getloadavg()[0]:.1f}")
    up = Timing(statistics.median(u.wall for u in ups), statistics.median(u.cpu for u in ups))
    floor = Timing(
        statistics.median(f.wall for f in floors), statistics.median(f.cpu for f in floors)
    )
    mls = Timing(statistics.median(m.wall for m in alone), statistics.median(m.cpu for m in alone))
    rows = [
        ("catch-up (fetch, unmask, MLS decrypt+verify, fold, store)", up),
        ("MLS alone (GroupState.process, in process)", mls),
        ("crypto floor (verify, two AEAD opens, three HKDF steps)", floor),
    ]
    if args.markdown:
        print(
            f"\n| {n:,} messages, median of {rounds} | seconds | per message "
            "| CPU s | CPU per message |"
        )
        print("|:--|--:|--:|--:|--:|")
        for label, t in rows:
            print(
                f"| {label} | {t.wall:.2f} | {t.wall / n * 1e6:.0f} µs "
                f"| {t.cpu:.2f} | {t.cpu / n * 1e6:.0f} µs |"
            )
        print(
            f"| **ratio catch-up / floor** | **{up.wall / floor.wall:.2f}×** | "
            f"| **{up.cpu / floor.cpu:.2f}×** | target ≤ 2× |"
        )
        print(
            f"| ratio MLS alone / floor | {mls.wall / floor.wall:.2f}× | "
            f"| {mls.cpu / floor.cpu:.2f}× | |"
        )
    else:
        for label, t in rows:
            per = t.wall / n * 1e6
            print(f"{label:60s} {t.wall:7.2f} s  {per:7.0f} µs/msg  CPU {t.cpu:7.2f} s")
        print(
            f"{'ratio catch-up / floor':60s} {up.wall / floor.wall:7.2f}x  "
            f"(CPU {up.cpu / floor.cpu:.2f}x; target <= 2x)"
        )
        print(
            f"{'ratio MLS alone / floor':60s} {mls.wall / floor.wall:7.2f}x  "
            f"(CPU {mls.cpu / floor.cpu:.2f}x)"
        )


if __name__ == "__main__":
    main()
