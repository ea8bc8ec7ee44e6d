"""MLS receive path of an application PrivateMessage: GroupState.process next to the crypto
floor, and the pieces around the floor's crypto, CPU µs per message.

    uv run python bench/bench_mls_receive.py [--messages 5000] [--rounds 5] [--quick] [--markdown]

Rows (medians of --rounds, CPU time of this process):

- `process`: `GroupState.process` of N application messages like the chat's (a 2-member
  group, suite 1, 300-byte plaintexts; `bench_app.mls_alone`);
- `crypto floor`: what RFC 9420 requires for one such message and nothing else
  (`bench_app.crypto_floor`: the Ed25519 verify, two AEAD opens, five one-block HKDFs);
- `MLSMessage.from_bytes`, `ratchet step`, `sender-data key and nonce`, `content read +
  FramedContentTBS`: the pieces of `process` this file's section of docs/benchmarks.md
  follows, each timed alone in a tight loop over real inputs.

To compare two versions of the code, run this file from each tree in turns, pinned to one
core: `cd OTHER && PYTHONPATH=src taskset -c 1 uv run --project /path/to/this python
bench/bench_mls_receive.py` (PYTHONPATH picks which `hasteh` is measured).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_app
from hasteh.mls import framing
from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.codec import Reader
from hasteh.mls.framing import (
    AuthenticatedContent,
    FramedContent,
    FramedContentAuthData,
    MLSMessage,
    PrivateMessage,
    PrivateMessageContent,
    Sender,
    WireFormat,
    decode_content,
)
from hasteh.mls.message_protection import framed_content_tbs
from hasteh.mls.secret_tree import RatchetKind, SecretTree, sender_data_key_nonce
from hasteh.mls.tree_math import LeafIndex

PAYLOAD = 300


def per_item_us(run: Callable[[], None], n: int) -> float:
    start = time.process_time()
    run()
    return (time.process_time() - start) / n * 1e6


def process_us(n: int) -> float:
    return bench_app.mls_alone(n, PAYLOAD).cpu / n * 1e6


def floor_us(n: int) -> float:
    shape = bench_app.message_shape(os.urandom(PAYLOAD))
    return bench_app.crypto_floor(n, shape).cpu / n * 1e6


def pieces_us(n: int) -> dict[str, float]:
    """Each piece alone, over the inputs a receiver has at that point."""
    sender, receiver = bench_app.two_member_group(int(time.time()))
    wires = [sender.protect(os.urandom(PAYLOAD), rng=os.urandom) for _ in range(n)]
    bodies = [MLSMessage.from_bytes(w).body for w in wires]
    private = [b for b in bodies if isinstance(b, PrivateMessage)]
    suite = get_suite(1)
    tree = SecretTree(suite, os.urandom(suite.nh), 2)
    secret = os.urandom(suite.nh)
    # A plaintext of the same shape as a chat message's (the content read does not look
    # at where it came from); the ratchet keys are single use, so no real decryption.
    plaintext = PrivateMessageContent(
        os.urandom(PAYLOAD), FramedContentAuthData(os.urandom(64))
    ).to_bytes()
    context = receiver.context

    def decode() -> None:
        for wire in wires:
            MLSMessage.from_bytes(wire)

    def steps() -> None:
        for generation in range(n):
            tree.key_for(LeafIndex(1), RatchetKind.APPLICATION, generation)

    def sender_data() -> None:
        for body in private:
            sender_data_key_nonce(suite, secret, body.ciphertext)

    def content() -> None:
        read = getattr(framing, "read_private_application", None)
        for body in private:
            authenticated = (read and read(body, 1, plaintext)) or _general_content(body, plaintext)
            framed_content_tbs(authenticated.wire_format, authenticated.content, context)

    return {
        "MLSMessage.from_bytes": per_item_us(decode, n),
        "ratchet step (key_for, in order)": per_item_us(steps, n),
        "sender-data key and nonce": per_item_us(sender_data, n),
        "content read + FramedContentTBS": per_item_us(content, n),
    }


def _general_content(body: PrivateMessage, plaintext: bytes) -> AuthenticatedContent:
    """The content read field by field, as it was before the one-pass read (kept here so
    this file also measures an older tree)."""
    r = Reader(plaintext)
    data = decode_content(r, body.content_type)
    auth = FramedContentAuthData.decode(r, body.content_type)
    assert not any(r.read(r.remaining))
    content = FramedContent(
        body.group_id, body.epoch, Sender.member(1), body.authenticated_data, data
    )
    return AuthenticatedContent(WireFormat.PRIVATE_MESSAGE, content, auth)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1,000 messages, one round")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    n, rounds = (1_000, 1) if args.quick else (args.messages, args.rounds)
    print(
        f"# {time.strftime('%Y-%m-%d')} · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"Python {platform.python_version()} · {platform.platform()}"
    )
    print(f"# load average at start: {os.getloadavg()[0]:.1f}; {n} messages, {rounds} rounds")
    results: dict[str, list[float]] = {}
    for _ in range(rounds):
        rows = {"process (GroupState.process)": process_us(n), "crypto floor": floor_us(n)}
        rows.update(pieces_us(n))
        for name, value in rows.items():
            results.setdefault(name, []).append(value)
    medians = {name: statistics.median(values) for name, values in results.items()}
    ratio = medians["process (GroupState.process)"] / medians["crypto floor"]
    if args.markdown:
        print("| CPU µs per message | median | range |")
        print("|:--|--:|--:|")
        for name, values in results.items():
            print(f"| {name} | {medians[name]:.1f} | {min(values):.1f}–{max(values):.1f} |")
        print(f"| ratio process / floor | {ratio:.2f}× | |")
    else:
        for name, values in results.items():
            print(f"{name:40s} {medians[name]:8.1f} µs  ({min(values):.1f}–{max(values):.1f})")
        print(f"{'ratio process / floor':40s} {ratio:8.2f}x")


if __name__ == "__main__":
    main()
