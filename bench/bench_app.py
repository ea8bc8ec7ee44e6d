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
  to receive each message, on messages of the catch-up's sizes: the sender-data key and
  nonce (two ExpandWithLabel over the ciphertext sample, §6.3.2), the sender-data AEAD
  open (AES-128-GCM, 12 bytes), the ratchet's key, nonce and next secret (three
  DeriveTreeSecret, §9.1), the content AEAD open, both AEADs keyed per message (each key
  is new), and the Ed25519 verify of the signed FramedContentTBS (§6.1). Each HKDF-Expand
  is one HMAC-SHA256 block (its cheapest form). No membership tag: §6.2 puts it on
  PublicMessages only. The floor measured until 2026-12-05 (three HKDF steps, one AEAD
  object for every open, 100-byte signed messages) is printed beside it.

The ratio catch-up / floor is the figure to watch (targets: at most 3 for the insider
issue's baseline, at most 2 for the foundations issue). Both are given in wall-clock
seconds and in CPU seconds (the catch-up's: this process's plus the relay process's
while it serves the fetches): on a shared machine other processes take wall time from
either side unevenly, CPU time much less so.
"""

from __future__ import annotations

import argparse
import hmac
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
from hasteh.mls.codec import opaque_bytes  # noqa: E402
from hasteh.mls.credential import BasicCredential  # noqa: E402
from hasteh.mls.framing import (  # noqa: E402
    FramedContent,
    MLSMessage,
    PrivateMessage,
    Sender,
    WireFormat,
)
from hasteh.mls.group import GroupState, create_group, join_from_welcome  # noqa: E402
from hasteh.mls.key_package_ops import KeyPackageSecrets, create_key_package  # noqa: E402
from hasteh.mls.message_protection import framed_content_tbs  # noqa: E402
from hasteh.mls.proposals import Add  # noqa: E402
from hasteh.mls.tree_math import LeafIndex  # noqa: E402
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


@dataclass(frozen=True)
class Shape:
    """The sizes the floor's cryptography runs on, taken from a real message of the
    catch-up: the content ciphertext (without its 16-byte tag) and the signed bytes
    (SignContent: the label and FramedContentTBS, with the GroupContext, §5.1.2, §6.1)."""

    plaintext: int
    signed: int


def message_shape(payload: bytes) -> Shape:
    """Protect `payload` in a 2-member group and read the sizes back (not timed)."""
    sender, receiver = two_member_group(int(time.time()))
    wire = sender.protect(payload, rng=os.urandom)
    body = MLSMessage.from_bytes(wire).body
    assert isinstance(body, PrivateMessage)
    content = FramedContent(
        receiver.group_id, receiver.epoch, Sender.member(LeafIndex(0)), b"", payload
    )
    tbs = framed_content_tbs(WireFormat.PRIVATE_MESSAGE, content, receiver.context)
    signed = len(opaque_bytes(b"MLS 1.0 FramedContentTBS") + opaque_bytes(tbs))
    return Shape(len(body.ciphertext) - 16, signed)


def _expand(secret: bytes, info: bytes) -> bytes:
    """One-block HKDF-Expand-SHA256 (RFC 5869 §2.3, T(1)): every ExpandWithLabel of a
    message's keys fits one block, and one HMAC is the cheapest way to compute it."""
    return hmac.digest(secret, info + b"\x01", "sha256")


def crypto_floor(n: int, shape: Shape) -> Timing:
    """The cryptography RFC 9420 requires to receive one application message, nothing
    else, `n` times: the sender-data key and nonce (two ExpandWithLabel from the
    ciphertext sample, §6.3.2), the sender-data AEAD open (12 bytes) under that new key,
    the ratchet's key, nonce and next secret (three DeriveTreeSecret, §9.1), the content
    AEAD open under that new key, and the Ed25519 verify of the signed bytes. Each key is
    new per message, so each AEAD is keyed per message too. The labels are fixed strings
    of the right length; the membership tag is not computed (§6.2: PublicMessage only)."""
    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    sender_data_secret, ratchet_secret = os.urandom(32), os.urandom(32)
    sd_key = _expand(sender_data_secret, b"k" * 40)[:16]
    items = []
    for _ in range(n):
        signed = os.urandom(shape.signed)
        content_key = os.urandom(16)
        nonce, sd_nonce = os.urandom(12), os.urandom(12)
        ciphertext = AESGCM(content_key).encrypt(nonce, os.urandom(shape.plaintext), b"a" * 60)
        items.append(
            (
                signed,
                key.sign(signed),
                content_key,
                nonce,
                ciphertext,
                sd_nonce,
                AESGCM(sd_key).encrypt(sd_nonce, os.urandom(12), b"a" * 40),
            )
        )
    # KDFLabel sizes as the protocol's: "MLS 1.0 key" with a 32-byte sample, "MLS 1.0
    # nonce", and the three tree labels with a 4-byte generation.
    sd_key_info, sd_nonce_info = b"k" * 48, b"n" * 50
    tree_infos = (b"t" * 20, b"u" * 22, b"v" * 23)
    start, cpu = time.perf_counter(), time.process_time()
    for signed, signature, content_key, nonce, ciphertext, sd_nonce, sd_ct in items:
        # The sender-data key is derived, then (for the timing) the real one is used,
        # since the random bytes above were sealed under it.
        _expand(sender_data_secret, sd_key_info)
        _expand(sender_data_secret, sd_nonce_info)
        AESGCM(sd_key).decrypt(sd_nonce, sd_ct, b"a" * 40)
        for info in tree_infos:
            _expand(ratchet_secret, info)
        AESGCM(content_key).decrypt(nonce, ciphertext, b"a" * 60)
        public.verify(signature, signed)
    return Timing(time.perf_counter() - start, time.process_time() - cpu)


def crypto_floor_before(n: int) -> Timing:
    """The floor as measured until 2026-12-05 (kept for comparison): one AESGCM object
    for every open, 100-byte signed messages, three pyca HKDFExpand, no sender-data
    key derivation."""
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


def two_member_group(now: int) -> tuple[GroupState, GroupState]:
    """A sender and a receiver in a 2-member group (suite 1), made in this process."""
    suite = get_suite(1)

    def key_package(name: bytes) -> KeyPackageSecrets:
        sk, _ = suite.generate_signature_key(os.urandom)
        return create_key_package(1, BasicCredential(name), sk, rng=os.urandom, now=now)

    a, b = key_package(b"a"), key_package(b"b")
    sender = create_group(1, b"bench-mls-alone", a, rng=os.urandom)
    out = sender.commit([Add(b.key_package)], rng=os.urandom, now=now)
    sender = sender.merge_pending(out.pending)
    assert out.welcome is not None
    return sender, join_from_welcome(out.welcome, b)


def mls_alone(n: int, payload_size: int) -> Timing:
    """`GroupState.process` of `n` application messages like the chat's (a 2-member
    group in this process, suite 1, plaintexts of the catch-up's size): the MLS share of
    a catch-up, without the relay, envelopes, org or vault."""
    sender, receiver = two_member_group(int(time.time()))
    wires = [sender.protect(os.urandom(payload_size), rng=os.urandom) for _ in range(n)]
    start, cpu = time.perf_counter(), time.process_time()
    for wire in wires:
        receiver.process(wire)
    return Timing(time.perf_counter() - start, time.process_time() - cpu)


def workspace(home: Path) -> Workspace:
    return Workspace(vault.unlock(home, PASS, min_kdf=FAST))


def setup(base: Path, relay: RelayProcess, n: int) -> tuple[Path, int]:
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
    payload = b""
    for _ in range(n):
        env = runtime.new_envelope(a, rt, MessagePosted(thread, TEXT, now + 86_400))
        rt.record.own_n = env.n  # as sending does: each event counts one more
        payload = frames.event_frame(org.encode(env))
        wire = group.protect(payload, rng=os.urandom)
        client.post(
            seal(
                kind=Kind.MESSAGE, mailbox=rt.record.mailbox, payload=wire, rng=os.urandom
            ).to_bytes(),
            cell_write_auth(rt.record, group, relay.url),
        )
    client.close()
    a.close()
    return b_home, len(payload)


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


def median(timings: list[Timing]) -> Timing:
    return Timing(
        statistics.median(t.wall for t in timings), statistics.median(t.cpu for t in timings)
    )


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
            b_home, payload_size = setup(base, relay, n)
            shape = message_shape(os.urandom(payload_size))
            ups, floors, old_floors, alone = [], [], [], []
            for _ in range(rounds):
                floors.append(crypto_floor(n, shape))
                old_floors.append(crypto_floor_before(n))
                alone.append(mls_alone(n, payload_size))
                elapsed, held = catch_up(b_home, base, relay)
                assert held == n + 1, held
                ups.append(elapsed)
        finally:
            relay.kill()
    print(f"# load average at end: {os.getloadavg()[0]:.1f}")
    print(f"# payload {payload_size} bytes, floor shape {shape}")
    up, floor, old, mls = (median(t) for t in (ups, floors, old_floors, alone))
    rows = [
        ("catch-up (fetch, unmask, MLS decrypt+verify, fold, store)", up),
        ("MLS alone (GroupState.process, in process)", mls),
        ("crypto floor (verify, two AEAD opens, five HKDF steps, per-message keys)", floor),
        ("the floor as measured until 2026-12-05 (three HKDF steps, one AEAD key)", old),
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
        print(
            f"| ratio catch-up / the floor until 2026-12-05 | {up.wall / old.wall:.2f}× | "
            f"| {up.cpu / old.cpu:.2f}× | |"
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
