"""Vault benchmark: unlock cost, event throughput against plain SQLite, panic on 1 GiB.

    uv run python bench/bench_vault.py [--events 100000] [--rounds 5] [--panic-gib 1.0]

Encrypted and plain databases get the same schema, the same rows (generated once) and
the same PRAGMAs (secure_delete, WAL, synchronous=FULL, temp_store=MEMORY, cache size);
the only difference is the SQLCipher key. Results go to stdout as a Markdown table.
Temporary files go to $HASTEH_BENCH_DIR if set (the panic run needs about 1.1 GiB free).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlcipher3
from argon2.low_level import Type, hash_secret_raw

from hasteh import vault
from hasteh.vault import db, events, keyfile, schema

PASS = "benchmark passphrase, not a real one"
BATCH = 1000
BODY = 256


def machine() -> str:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"nproc={nproc}, {platform.machine()}, {cpu}, Python {platform.python_version()},"
        f" load average {load} at start"
    )


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def argon2(mib: int, t: int, p: int) -> float:
    salt = os.urandom(16)
    return timed(lambda: hash_secret_raw(b"x" * 24, salt, t, mib << 10, p, 32, Type.ID))


def bench_argon2() -> list[tuple[str, float]]:
    rows = []
    for mib, t, p in ((64, 3, 1), (64, 3, 4), (128, 3, 4), (256, 3, 4)):
        runs = [argon2(mib, t, p) for _ in range(3)]
        rows.append((f"Argon2id m={mib} MiB t={t} p={p}", statistics.median(runs)))
    return rows


def bench_unlock(tmp: Path) -> float:
    home = tmp / "unlock"
    vault.create(home, PASS)
    runs = [timed(lambda: vault.unlock(home, PASS).close()) for _ in range(5)]
    vault.panic(home)
    return statistics.median(runs)


def make_rows(n: int) -> list[events.Event]:
    body = os.urandom(BODY)
    return [
        events.Event(b"group-%d" % (i % 4), i, os.urandom(16), "chat", body, 1.7e9 + i, None)
        for i in range(n)
    ]


def open_plain(path: Path) -> db.Connection:
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    db._configure(conn)
    schema.migrate(conn)
    return conn


def read_all(v: vault.Vault, n: int) -> None:
    total = 0
    for group in range(4):
        after = -1
        while page := v.read(lambda c, g=group, a=after: events.read(c, b"group-%d" % g, a, BATCH)):
            total += len(page)
            after = page[-1].seq
    assert total == n


def throughput(
    open_vault: Callable[[], vault.Vault], rows: list[events.Event]
) -> tuple[float, float]:
    """Insert in batches, close, reopen (cold page cache: every page is read and, for the
    vault, decrypted again), then read every group's log in pages."""
    batches = [rows[i : i + BATCH] for i in range(0, len(rows), BATCH)]
    v = open_vault()
    write = timed(lambda: [v.write(lambda c, b=b: events.append_many(c, b)) for b in batches])
    v.close()
    v = open_vault()
    read = timed(lambda: read_all(v, len(rows)))
    v.close()
    return len(rows) / write, len(rows) / read


def bench_events(tmp: Path, n: int, rounds: int) -> dict[str, tuple[float, float]]:
    """Alternate encrypted and plain runs (fresh databases each round); report medians.

    The machine may be shared: interleaving and medians keep load spikes from landing on
    one side only.
    """
    rows = make_rows(n)
    runs: dict[str, list[tuple[float, float]]] = {"SQLCipher (vault)": [], "plain SQLite": []}
    for r in range(rounds):
        order = ["SQLCipher (vault)", "plain SQLite"]
        for label in order if r % 2 == 0 else reversed(order):
            if label == "plain SQLite":
                path = tmp / f"plain-{r}.db"
                runs[label].append(throughput(lambda p=path: vault.Vault(open_plain(p), tmp), rows))
                continue
            home = tmp / f"enc-{r}"
            vault.create(home, PASS)
            runs[label].append(throughput(lambda h=home: vault.unlock(h, PASS), rows))
            vault.panic(home)
    result = {
        label: (statistics.median(w for w, _ in rs), statistics.median(r for _, r in rs))
        for label, rs in runs.items()
    }
    # Median of per-round time ratios (plain rate / encrypted rate): cancels slow drift.
    pairs = list(zip(runs["SQLCipher (vault)"], runs["plain SQLite"], strict=True))
    result["ratio"] = (
        statistics.median(p[0] / e[0] for e, p in pairs),
        statistics.median(p[1] / e[1] for e, p in pairs),
    )
    return result


def bench_panic(tmp: Path, gib: float) -> tuple[float, float]:
    home = tmp / "big"
    vault.create(home, PASS)
    big = os.urandom(1 << 20)
    target = int(gib * (1 << 30))
    with vault.opened(home, PASS) as v:
        seq = 0
        while sum(p.stat().st_size for p in home.glob("*.db")) < target:
            chunk = [events.Event(b"g", seq + i, os.urandom(16), "b", big, 1.0) for i in range(32)]
            v.write(lambda c, ch=chunk: events.append_many(c, ch))
            seq += 32
    size = sum(p.stat().st_size for p in home.iterdir()) / (1 << 30)
    report = vault.panic(home)
    assert not home.exists()
    return size, report.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--panic-gib", type=float, default=1.0)
    args = parser.parse_args()
    print(f"# vault benchmark, {time.strftime('%Y-%m-%d')}, {machine()}\n")
    with tempfile.TemporaryDirectory(dir=os.environ.get("HASTEH_BENCH_DIR")) as name:
        tmp = Path(name)
        print("| measure | result |\n|---|---|")
        for label, seconds in bench_argon2():
            print(f"| {label} | {seconds * 1000:.0f} ms |")
        k = keyfile.DEFAULT_KDF
        print(
            f"| unlock, production m={k.memory_kib // 1024} MiB t={k.iterations} p={k.lanes}"
            f" (median of 5) | {bench_unlock(tmp) * 1000:.0f} ms |"
        )
        res = bench_events(tmp, args.events, args.rounds)
        ratio_w, ratio_r = res.pop("ratio")
        for label, (w, r) in res.items():
            print(
                f"| {label}: insert {args.events:,} events, batches of {BATCH}, {BODY} B bodies"
                f" (median of {args.rounds}) | {w:,.0f} events/s |"
            )
            print(f"| {label}: read them back, pages of {BATCH} | {r:,.0f} events/s |")
        print(f"| encryption overhead, insert (median per-round time ratio) | {ratio_w:.2f}x |")
        print(f"| encryption overhead, read (median per-round time ratio) | {ratio_r:.2f}x |")
        size, seconds = bench_panic(tmp, args.panic_gib)
        print(f"| panic, {size:.2f} GiB profile | {seconds * 1000:.1f} ms |")


if __name__ == "__main__":
    main()
