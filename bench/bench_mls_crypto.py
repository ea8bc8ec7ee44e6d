"""MLS crypto micro-benchmarks: our HPKE against pyca's, plus the labeled helpers.

    uv run python bench/bench_mls_crypto.py [--quick] [--markdown]

HPKE seal/open (RFC 9180 base mode) of a 32-byte and a 1 KiB message, ours
(`hasteh.mls.hpke`) next to `cryptography.hazmat.primitives.hpke.Suite` for every KEM
pyca covers (X25519, P-256, P-384, P-521; pyca has no X448). Then ExpandWithLabel and
SignWithLabel/VerifyWithLabel for MLS suites 1 and 2.

Ours and pyca run in alternating short rounds; each µs/op figure is the median over the
rounds of the mean time per operation, and the ratio column (ours / pyca, below 1.0 means
ours is faster) is the median of the per-round ratios, which cancels load that drifts
between rounds.

How the two sides line up: pyca's `Suite.encrypt` takes a loaded public-key object and
`Suite.decrypt` a loaded private-key object, while our `seal_base` takes the encoded
public key and `open_base` the encoded private key (or a `PrivateKey` loaded once with
`load_private_key`). The rows "open (sk bytes)" compare our bytes API with pyca given a
pre-loaded key; "open (loaded key)" compares like with like. Loading an X25519/X448 key
from bytes costs one scalar multiplication, about as much as the DH itself.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from cryptography.hazmat.primitives import hpke as pyca_hpke
from cryptography.hazmat.primitives.asymmetric import ec, x25519

from hasteh.mls import hpke, labels
from hasteh.mls.cipher_suite import get_suite

ROUNDS = 15


@dataclass
class Row:
    what: str
    ours_us: float
    pyca_us: float | None
    ratio: float | None = None


def per_op_us(fn: Callable[[], object], *, target_s: float, rounds: int) -> float:
    """Median over `rounds` of the mean µs/op, each round lasting about `target_s`."""
    fn()
    n = 1
    while True:  # calibrate the batch size
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed > target_s / 4:
            break
        n *= 2
    n = max(1, int(n * target_s / max(elapsed, 1e-9)))
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - start) / n * 1e6)
    return statistics.median(samples)


def interleaved(
    ours: Callable[[], object],
    theirs: Callable[[], object] | None,
    *,
    target_s: float,
    rounds: int,
) -> tuple[float, float | None, float | None]:
    """Time both sides in alternating short rounds.

    Returns (ours µs/op, pyca µs/op, ratio): the times are medians over rounds, the ratio
    is the median of the per-round ratios, so load that drifts between rounds (other
    jobs on the machine) cancels out of it.
    """
    a: list[float] = []
    b: list[float] = []
    for _ in range(rounds):
        a.append(per_op_us(ours, target_s=target_s, rounds=1))
        if theirs is not None:
            b.append(per_op_us(theirs, target_s=target_s, rounds=1))
    if not b:
        return statistics.median(a), None, None
    ratio = statistics.median(x / y for x, y in zip(a, b, strict=True))
    return statistics.median(a), statistics.median(b), ratio


PYCA_KEMS = [
    (0x0020, "X25519", pyca_hpke.KEM.X25519, None),
    (0x0010, "P-256", pyca_hpke.KEM.P256, ec.SECP256R1()),
    (0x0011, "P-384", pyca_hpke.KEM.P384, ec.SECP384R1()),
    (0x0012, "P-521", pyca_hpke.KEM.P521, ec.SECP521R1()),
]
#: (kem, kdf, aead) as MLS suites 1, 2, 7, 5 use them.
SUITE_OF_KEM = {
    0x0020: (0x0001, 0x0001),
    0x0010: (0x0001, 0x0001),
    0x0011: (0x0002, 0x0002),
    0x0012: (0x0003, 0x0002),
}
PYCA_KDF = {
    0x0001: pyca_hpke.KDF.HKDF_SHA256,
    0x0002: pyca_hpke.KDF.HKDF_SHA384,
    0x0003: pyca_hpke.KDF.HKDF_SHA512,
}
PYCA_AEAD = {
    0x0001: pyca_hpke.AEAD.AES_128_GCM,
    0x0002: pyca_hpke.AEAD.AES_256_GCM,
    0x0003: pyca_hpke.AEAD.CHACHA20_POLY1305,
}


def hpke_rows(target_s: float, rounds: int) -> list[Row]:
    rows: list[Row] = []
    t: dict[str, Any] = {"target_s": target_s, "rounds": rounds}
    info = b"MLS 1.0 bench info"
    for kem_id, name, pyca_kem, curve in PYCA_KEMS:
        kdf_id, aead_id = SUITE_OF_KEM[kem_id]
        suite = pyca_hpke.Suite(pyca_kem, PYCA_KDF[kdf_id], PYCA_AEAD[aead_id])
        sk, pk = hpke.generate_key_pair(kem_id, os.urandom)
        loaded = hpke.load_private_key(kem_id, sk)
        pyca_sk: x25519.X25519PrivateKey | ec.EllipticCurvePrivateKey
        if curve is None:
            pyca_sk = x25519.X25519PrivateKey.from_private_bytes(sk)
        else:
            pyca_sk = ec.derive_private_key(int.from_bytes(sk, "big"), curve)
        pyca_pk = pyca_sk.public_key()
        for size in (32, 1024):
            msg = os.urandom(size)
            enc, ct = hpke.seal_base(kem_id, kdf_id, aead_id, pk, info, b"", msg, rng=os.urandom)
            pyca_ct = suite.encrypt(msg, pyca_pk, info)
            label = f"HPKE {name} {size} B"

            ours_seal = partial(
                hpke.seal_base, kem_id, kdf_id, aead_id, pk, info, b"", msg, rng=os.urandom
            )
            pyca_seal = partial(suite.encrypt, msg, pyca_pk, info)
            ours_open = partial(hpke.open_base, kem_id, kdf_id, aead_id, enc, sk, info, b"", ct)
            ours_open_loaded = partial(
                hpke.open_base, kem_id, kdf_id, aead_id, enc, loaded, info, b"", ct
            )
            pyca_open = partial(suite.decrypt, pyca_ct, pyca_sk, info)

            rows.append(Row(f"{label} seal", *interleaved(ours_seal, pyca_seal, **t)))
            rows.append(Row(f"{label} open (sk bytes)", *interleaved(ours_open, pyca_open, **t)))
            rows.append(
                Row(f"{label} open (loaded key)", *interleaved(ours_open_loaded, pyca_open, **t))
            )
    # X448 (MLS suites 4 and 6): pyca's Suite has no X448, so ours alone.
    sk, pk = hpke.generate_key_pair(0x0021, os.urandom)
    msg = os.urandom(1024)
    enc, ct = hpke.seal_base(0x0021, 0x0003, 0x0002, pk, info, b"", msg, rng=os.urandom)
    o, _, _ = interleaved(
        partial(hpke.seal_base, 0x0021, 0x0003, 0x0002, pk, info, b"", msg, rng=os.urandom),
        None,
        target_s=target_s,
        rounds=rounds,
    )
    rows.append(Row("HPKE X448 1024 B seal", o, None))
    o, _, _ = interleaved(
        partial(hpke.open_base, 0x0021, 0x0003, 0x0002, enc, sk, info, b"", ct),
        None,
        target_s=target_s,
        rounds=rounds,
    )
    rows.append(Row("HPKE X448 1024 B open (sk bytes)", o, None))
    return rows


def label_rows(target_s: float, rounds: int) -> list[Row]:
    rows: list[Row] = []
    for suite_id in (1, 2):
        suite = get_suite(suite_id)
        secret = os.urandom(suite.nh)
        ctx = os.urandom(32)
        o, _, _ = interleaved(
            partial(labels.expand_with_label, suite, secret, "tree", ctx, suite.nh),
            None,
            target_s=target_s,
            rounds=rounds,
        )
        rows.append(Row(f"ExpandWithLabel suite {suite_id}", o, None))
        priv, pub = suite.generate_signature_key(os.urandom)
        content = os.urandom(256)
        sig = labels.sign_with_label(suite, priv, "LeafNodeTBS", content)
        o, _, _ = interleaved(
            partial(labels.sign_with_label, suite, priv, "LeafNodeTBS", content),
            None,
            target_s=target_s,
            rounds=rounds,
        )
        rows.append(Row(f"SignWithLabel suite {suite_id} (256 B)", o, None))
        o, _, _ = interleaved(
            partial(labels.verify_with_label, suite, pub, "LeafNodeTBS", content, sig),
            None,
            target_s=target_s,
            rounds=rounds,
        )
        rows.append(Row(f"VerifyWithLabel suite {suite_id} (256 B)", o, None))
    return rows


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import cryptography

    return (
        f"{cpu}, nproc {os.cpu_count()}, {platform.machine()}, "
        f"Python {platform.python_version()}, cryptography {cryptography.__version__}"
    )


def render(rows: list[Row], markdown: bool) -> str:
    def fmt(x: float | None, spec: str) -> str:
        return "—" if x is None else format(x, spec)

    if markdown:
        lines = ["| operation | ours µs/op | pyca µs/op | ours/pyca |", "|:--|--:|--:|--:|"]
        lines += [
            f"| {r.what} | {r.ours_us:.1f} | {fmt(r.pyca_us, '.1f')} | {fmt(r.ratio, '.2f')} |"
            for r in rows
        ]
        return "\n".join(lines)
    width = max(len(r.what) for r in rows)
    lines = [f"{'operation':<{width}}  {'ours µs/op':>11}  {'pyca µs/op':>11}  {'ours/pyca':>9}"]
    lines += [
        f"{r.what:<{width}}  {r.ours_us:>11.1f}  {fmt(r.pyca_us, '.1f'):>11}  "
        f"{fmt(r.ratio, '.2f'):>9}"
        for r in rows
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short rounds (smoke test)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    target_s = 0.01 if args.quick else 0.05
    rounds = 3 if args.quick else ROUNDS
    rows = hpke_rows(target_s, rounds) + label_rows(target_s, rounds)
    print(f"# MLS crypto, {time.strftime('%Y-%m-%d')}, {machine()}")
    print(
        f"# {rounds} alternating rounds of ~{target_s * 1000:.0f} ms per side; µs/op are "
        "medians, ours/pyca is the median of per-round ratios"
    )
    print(render(rows, args.markdown))


if __name__ == "__main__":
    main()
