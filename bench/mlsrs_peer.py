"""mls-rs timings for the MLS group benchmark, as the peer to hasteh's numbers.

mls-rs (AWS's Rust MLS) through the PyPI wheel `agentvault-mls-rs-uniffi`, cipher suite 1
(MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519). `measure_mlsrs(sizes)` returns the median
seconds per operation and group size:

- `protect_unprotect_1KiB`: one 1 KiB application message encrypted by one member and
  decrypted by another.
- `commit_create`: a self-update commit (an empty Commit, which carries an UpdatePath) made by
  leaf 0, on a tree that is full as far as that commit is concerned (see below).
- `commit_process`: the same commit processed by the last leaf.
- `join_welcome`: joining the group of that size from its Welcome (ratchet tree in-band).

**The "full tree", cheaply.** A tree where every member has committed once costs n commits,
each processed by every later committer: ~n²/2 processings, too slow at 1024 members. What a
commit costs depends on the resolutions of the committer's copath (RFC 9420 §4.1.2, §7.9):
one HPKE encryption per node of each resolution. We make exactly those nodes full: after one
Add commit of the n-1 others, the first leaf of each copath subtree of leaf 0 (leaves 1, 2, 4,
…, n/2) commits a self-update in turn. Each such commit sets every node on its direct path,
so every copath node of leaf 0 is then non-blank with no unmerged leaves, the same resolution
sizes (one node each) as in a tree where every member committed. That is log2(n) commits, and
only these log2(n) + 2 members ever hold a group state (the others never process their
Welcome; mls-rs does not need them to). The last leaf, which measures processing, also sits
under a filled copath node, so it decrypts one path secret as it would in a full tree.
The join is measured on each of these log2(n) + 2 joins from the initial Welcome; each
commit is measured `repeat` times (merged between runs, so the tree stays full).

**Passing bytes to Rust, fairly.** The wheel's generated uniffi module copies every byte
written into a RustBuffer one at a time in Python (`_UniffiRustBufferBuilder.write`, about
140 ns per byte), which would make mls-rs look slower than it is: a 1024-member Welcome
is hundreds of KB. `fast_rustbuffer_writes()` replaces that method, in this process only,
with one `ctypes.memmove` into the buffer's data pointer (growing the buffer as the
original does), after `check_fast_write()` has shown that both give byte-identical
buffers. Nothing in `src/` uses mls-rs.

    uv run python bench/mlsrs_peer.py [SIZES...]
"""

from __future__ import annotations

import ctypes
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import mls_rs_uniffi as mls  # type: ignore[import-untyped]

SIZES = (2, 8, 32, 128, 1024)
OPS = ("protect_unprotect_1KiB", "commit_create", "commit_process", "join_welcome")
SUITE = mls.CipherSuite.CURVE25519_AES128

_uniffi: Any = sys.modules[mls.Client.__module__]
_Builder: Any = _uniffi._UniffiRustBufferBuilder
_original_write: Any = _Builder.write


def _memmove_write(self: Any, value: bytes) -> None:
    """`_UniffiRustBufferBuilder.write` with one memmove instead of a Python loop per byte."""
    if not isinstance(value, bytes):
        value = bytes(value)
    size = len(value)
    with self._reserve(size):  # grows the buffer exactly as the original does
        if size:
            base = ctypes.cast(self.rbuf.data, ctypes.c_void_p).value
            assert base is not None
            ctypes.memmove(base + self.rbuf.len, value, size)


def _built(writes: Sequence[tuple[str, Any]]) -> bytes:
    """The bytes a builder holds after `writes` ((method name, argument) pairs)."""
    builder = _Builder()
    try:
        for method, arg in writes:
            getattr(builder, method)(arg)
        rbuf = builder.rbuf
        return bytes(rbuf.data[0 : rbuf.len])
    finally:
        builder.discard()


def check_fast_write() -> None:
    """Raise unless the memmove write builds byte-identical buffers to the original."""
    rng = os.urandom
    cases: list[list[tuple[str, Any]]] = [
        [("write", b"")],
        [("write", b"\x00")],
        [("write", rng(15)), ("write", rng(1)), ("write", rng(1))],  # across the 16-byte start
        [("write_i32", 3), ("write", rng(3)), ("write_u8", 7), ("write", bytearray(rng(40)))],
        [("write", rng(n)) for n in (0, 1, 16, 17, 255, 4096, 70_000, 3)],
        [("write", rng(1 << 20)), ("write_u64", 2**63), ("write", rng(5))],
    ]
    try:
        for case in cases:
            _Builder.write = _original_write
            expected = _built(case)
            _Builder.write = _memmove_write
            if _built(case) != expected:
                raise RuntimeError("the memmove RustBuffer write differs from the original")
            assert len(expected) >= sum(len(a) for m, a in case if m == "write")
    finally:
        _Builder.write = _original_write


def fast_rustbuffer_writes() -> None:
    """Check the memmove write against the original, then use it for the rest of the run."""
    check_fast_write()
    _Builder.write = _memmove_write


def pin_to_one_core(core: int = 0) -> None:
    """Run this process (both implementations are measured in it) on one core only."""
    os.sched_setaffinity(0, {core})


def _client(name: bytes) -> Any:
    return mls.Client(name, mls.generate_signature_keypair(SUITE), mls.client_config_default())


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def fill_leaves(size: int) -> list[int]:
    """First leaf of each copath subtree of leaf 0: 1, 2, 4, … below `size`.

    Both sides of bench_mls_group.py fill their trees through exactly these commits."""
    leaves = []
    leaf = 1
    while leaf < size:
        leaves.append(leaf)
        leaf *= 2
    return leaves


def measure_size(size: int, *, repeat: int = 5, messages: int = 50) -> dict[str, float]:
    """Median seconds of each op in `OPS` for a group of `size` members (size >= 2)."""
    if size < 2:
        raise ValueError("a group needs at least 2 members")
    clients = [_client(f"member-{i}".encode()) for i in range(size)]
    creator = clients[0].create_group(b"bench-group-%d" % size)
    key_packages = [c.generate_key_package_message() for c in clients[1:]]
    output = creator.add_members(key_packages)
    creator.process_incoming_message(output.commit_message)
    welcome = output.welcome_message

    # Only the members that commit or measure hold a state (see the module docstring).
    active = sorted({*fill_leaves(size), size - 1})
    groups: dict[int, Any] = {0: creator}
    joins = []
    for leaf in active:
        seconds, info = timed(partial(clients[leaf].join_group, None, welcome))
        groups[leaf] = info.group
        joins.append(seconds)

    def commit_and_relay(committer: int) -> tuple[float, float]:
        create, out = timed(groups[committer].commit)
        groups[committer].process_incoming_message(out.commit_message)
        process = 0.0
        for leaf, group in groups.items():
            if leaf == committer:
                continue
            seconds, _ = timed(partial(group.process_incoming_message, out.commit_message))
            if leaf == size - 1:
                process = seconds
        return create, process

    for leaf in fill_leaves(size):
        commit_and_relay(leaf)

    creates, processes = [], []
    for _ in range(repeat):
        create, process = commit_and_relay(0)
        creates.append(create)
        processes.append(process)

    receiver = groups[size - 1]
    payload = bytes(1024)
    app = []
    for _ in range(messages):
        start = time.perf_counter()
        ciphertext = creator.encrypt_application_message(payload)
        receiver.process_incoming_message(ciphertext)
        app.append(time.perf_counter() - start)

    return {
        "protect_unprotect_1KiB": statistics.median(app),
        "commit_create": statistics.median(creates),
        "commit_process": statistics.median(processes),
        "join_welcome": statistics.median(joins),
    }


def measure_mlsrs(sizes: Sequence[int] = SIZES, *, repeat: int = 5) -> dict[str, dict[int, float]]:
    """Median seconds per op: `{op: {size: seconds}}` for each op in `OPS`."""
    results: dict[str, dict[int, float]] = {op: {} for op in OPS}
    for size in sizes:
        for op, seconds in measure_size(size, repeat=repeat).items():
            results[op][size] = seconds
    return results


def format_table(results: dict[str, dict[int, float]]) -> str:
    sizes = sorted({size for per_size in results.values() for size in per_size})
    lines = [f"{'mls-rs (ms, median)':24}" + "".join(f"{n:>10}" for n in sizes)]
    for op, per_size in results.items():
        cells = "".join(
            f"{per_size[n] * 1000:>10.3f}" if n in per_size else f"{'-':>10}" for n in sizes
        )
        lines.append(f"{op:24}{cells}")
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    sizes = [int(a) for a in argv] or list(SIZES)
    pin_to_one_core()
    fast_rustbuffer_writes()
    print(format_table(measure_mlsrs(sizes)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
