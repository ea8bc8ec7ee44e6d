"""Relay benchmark: ingest and fetch throughput and p99 latency on loopback.

    uv run python bench/bench_relay.py [--seconds 3] [--levels 1,50,500] [--no-postgres]
                                       [--write-auth-compare [--baseline-rev REV]]
    uv run python bench/bench_relay.py --scale-out [--levels 50,500] [--repeat 3]
                                       [--baseline-rev REV]

Side by side in one run:
  * bare      a Starlette endpoint that reads the body and answers a constant (framework ceiling)
  * sqlite    the relay, embedded SQLite (WAL, synchronous=FULL, group commit), every post
              and fetch with write authorization (docs/protocol.md, "Write access")
  * sqlite-noauth  with --write-auth-compare: the relay as it was before write access (the
              source of --baseline-rev, by default the merge base with main, run from a
              `git archive` copy), same load without the write headers. The relay itself
              has no switch to turn authorization off, on purpose.
  * postgres  the relay on a throwaway local PostgreSQL cluster
  * floor     raw inserts into SQLite with the same durability (storage floor, no HTTP)

With --scale-out, ingest only, on one throwaway PostgreSQL cluster (a fresh database per
row): `postgres x1` (this relay, one process) and `postgres x2` (two processes on the same
database; the client spreads its connections over both, as a round-robin proxy would),
alternating --repeat times, medians; `postgres-before` (the relay of --baseline-rev, one
process) first when that is given. Each row also gives the CPU each part used per
envelope (relay processes, PostgreSQL's postmaster and backends from /proc, the client's
own), and the ceiling those allow on an otherwise idle machine with these cores: the
lower of (cores / all the CPU an envelope costs) and (relay processes / the relay CPU an
envelope costs), since one relay process runs its Python on one core at a time. Then
`post_batch` alone (no HTTP) with batches of 1, 50 and 500 posts: what the database path
costs, without the HTTP and scheduling noise.

Each cell runs for a bounded time. Load comes from one client process speaking HTTP/1.1
keep-alive over raw asyncio sockets (cheaper than an HTTP library, so the server is measured,
not the client); client and server share the machine's cores. Fetch throughput counts
envelopes (batches of 100 per request).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import msgspec

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hasteh.envelope import Envelope, Kind, WriteAuth, claimed_mailbox  # noqa: E402

FETCH_BATCH = 100
MAILBOXES = 64


# ------------------------------------------------------------------------ the bare server


def bare_app() -> object:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    ack = b'{"id":"' + b"0" * 64 + b'","cursor":"1"}'
    page = msgspec.json.encode(
        {
            "envelopes": [os.urandom(316) for _ in range(FETCH_BATCH)],
            "cursor": "100",
            "epoch": None,
            "more": True,
        }
    )

    async def post(request: Request) -> Response:
        await request.body()
        return Response(ack, media_type="application/json")

    async def fetch(request: Request) -> Response:
        await request.body()
        return Response(page, media_type="application/json")

    async def healthz(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    return Starlette(
        routes=[
            Route("/v1/envelopes", post, methods=["POST"]),
            Route("/v1/fetch", fetch, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def serve_bare(port: int) -> None:
    import uvicorn

    uvicorn.run(bare_app(), host="127.0.0.1", port=port, access_log=False, log_level="warning")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- the client


def group_auth(seed: int, index: int) -> WriteAuth:
    """The write auth of bench mailbox `index` of `seed` (with its claim: the first post to
    a relay creates the mailbox, later ones are plain posts with a registered key)."""
    claim = hashlib.sha256(b"bench-claim %d %d" % (seed % 256, index)).digest()
    key = hashlib.sha256(b"bench-key %d %d" % (seed % 256, index)).digest()
    return WriteAuth(key, claim=claim)


def envelopes(count: int, seed: int) -> list[tuple[Envelope, WriteAuth]]:
    auths = [group_auth(seed, i) for i in range(MAILBOXES)]
    mailboxes = [claimed_mailbox(a.claim or b"") for a in auths]
    return [
        (
            Envelope(Kind.MESSAGE, 0, mailboxes[i % MAILBOXES], os.urandom(16), os.urandom(256)),
            auths[i % MAILBOXES],
        )
        for i in range(count)
    ]


def envelope_bytes(count: int, seed: int) -> list[bytes]:
    return [e.to_bytes() for e, _ in envelopes(count, seed)]


def post_request(env: Envelope, auth: WriteAuth | None) -> bytes:
    body = env.to_bytes()
    extra = b"".join(
        b"%s: %s\r\n" % (k.encode(), v.encode())
        for k, v in (auth.headers(env.id) if auth is not None else {}).items()
    )
    return (
        b"POST /v1/envelopes HTTP/1.1\r\nHost: b\r\nContent-Type: application/octet-stream\r\n"
        + extra
        + b"Content-Length: %d\r\n\r\n" % len(body)
    ) + body


def fetch_request(mailbox: bytes, auth: WriteAuth | None) -> bytes:
    fields: dict[str, object] = {"mailbox": mailbox.hex(), "after": "0", "limit": FETCH_BATCH}
    if auth is not None:
        fields.update(auth.fetch_fields(mailbox))
    body = json.dumps(fields).encode()
    return (
        b"POST /v1/fetch HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    ) + body


async def _read_body(reader: asyncio.StreamReader, head: bytes) -> bytes:
    """The body after `head`: by Content-Length, or chunked (streamed fetch answers)."""
    chunked = False
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            return await reader.readexactly(int(line[15:]))
        if line.lower().replace(b" ", b"") == b"transfer-encoding:chunked":
            chunked = True
    if not chunked:
        return b""
    parts = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


async def _connection(
    port: int,
    requests: list[bytes],
    deadline: float,
    lat: list[float],
    counted: list[int],
    fetch: bool,
    errors: list[int],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    index = 0
    try:
        while time.perf_counter() < deadline and index < len(requests):
            started = time.perf_counter()
            writer.write(requests[index])
            index += 1
            head = await reader.readuntil(b"\r\n\r\n")
            body = await _read_body(reader, head)
            lat.append(time.perf_counter() - started)
            if not head.startswith(b"HTTP/1.1 200"):
                errors[0] += 1
                continue
            counted[0] += len(msgspec.json.decode(body)["envelopes"]) if fetch else 1
    finally:
        writer.close()


async def _load(
    ports: list[int], mode: str, concurrency: int, seconds: float, seed: int, auth: bool
) -> dict[str, float]:
    """Run one cell. Requests (and their write tags) are all built before the clock starts."""
    fetch = mode == "fetch"
    per_conn = 60_000 // concurrency + 1 if not fetch else 10**6
    if fetch:
        reader = group_auth(0, 0)
        one = fetch_request(claimed_mailbox(reader.claim or b""), reader if auth else None)
        plans = [[one] * 200_000 for _ in range(concurrency)] if concurrency <= 50 else None
        plans = plans or [[one] * 20_000 for _ in range(concurrency)]
    else:
        posts = envelopes(per_conn * concurrency, seed)
        plans = [
            [
                post_request(e, a if auth else None)
                for e, a in posts[i * per_conn : (i + 1) * per_conn]
            ]
            for i in range(concurrency)
        ]
    lat: list[float] = []
    counted, errors = [0], [0]
    cpu_started = time.process_time()
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(
            _connection(ports[i % len(ports)], plans[i], deadline, lat, counted, fetch, errors)
            for i in range(concurrency)
        )
    )
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    lat.sort()
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else float("nan")
    return {
        "per_second": counted[0] / elapsed,
        "p99_ms": p99 * 1000,
        "requests": len(lat),
        "errors": errors[0],
        "cpu_seconds": cpu,
    }


def client_main(
    ports: list[int], mode: str, concurrency: int, seconds: float, seed: int, auth: bool
) -> None:
    """One load cell; on uvloop (as the relay's uvicorn), so the client takes as little
    of the shared cores as it can."""
    import uvloop

    print(json.dumps(uvloop.run(_load(ports, mode, concurrency, seconds, seed, auth))))


# --------------------------------------------------------------------------- CPU accounting


def _stat_fields(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # after "pid (comm) "


def tree_cpu_seconds(roots: list[int]) -> float:
    """CPU seconds (user + system, with reaped children's) of the processes `roots` and
    all their descendants, from /proc: what a relay, or PostgreSQL with its backends,
    has used so far."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat_fields(int(entry))) is not None:
            parents[int(entry)] = int(fields[1])
    tree, grew = set(roots), True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    ticks = 0
    for pid in tree:
        fields = _stat_fields(pid)
        if fields is not None:  # utime, stime, cutime, cstime: fields 14-17 of stat
            ticks += sum(int(x) for x in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def postmaster_pid(directory: str) -> int:
    with open(os.path.join(directory, "data", "postmaster.pid")) as f:
        return int(f.readline())


def run_cell(
    port: int | list[int],
    mode: str,
    concurrency: int,
    seconds: float,
    seed: int,
    auth: bool = True,
) -> dict[str, float]:
    ports = port if isinstance(port, list) else [port]
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--client",
            ",".join(str(p) for p in ports),
            mode,
            str(concurrency),
            str(seconds),
            str(seed),
            "1" if auth else "0",
        ],
        capture_output=True,
        timeout=seconds * 10 + 120,
        check=True,
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


# ------------------------------------------------------------------------------- servers


def wait_healthy(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError("server not healthy")


def start_server(
    kind: str, db: str | None, baseline_src: str | None = None, core: int | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    """Start a server; with `core`, the process (and its threads) runs on that core only."""
    from tests.relay.harness import free_port

    port = free_port()
    env = dict(os.environ)
    if baseline_src is not None:  # the old relay's source shadows the installed one
        env["PYTHONPATH"] = baseline_src
    if kind == "bare":
        cmd = [sys.executable, __file__, "--bare-server", str(port)]
    else:
        cmd = [
            sys.executable,
            "-m",
            "hasteh.relay",
            "serve",
            "--port",
            str(port),
            "--db",
            str(db),
            "--rate",
            "1000000000",
        ]
    if core is not None:
        cmd = ["taskset", "-c", str(core), *cmd]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wait_healthy(port, proc)
    return proc, port


def baseline_source(rev: str, into: str) -> str:
    """Export `src/` of `rev` (the relay before write access) into `into`; its path."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "src"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", into], input=archive, check=True)
    return os.path.join(into, "src")


def prefill(port: int, auth: bool = True) -> None:
    """Put FETCH_BATCH envelopes into the mailbox the fetch cells read."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
        for env, write in envelopes(FETCH_BATCH * MAILBOXES, 0):
            headers = write.headers(env.id) if auth else {}
            c.post("/v1/envelopes", content=env.to_bytes(), headers=headers)


def storage_floor(seconds: float) -> dict[str, float]:
    """Raw SQLite inserts, WAL + synchronous=FULL: one commit per row, and 100 per commit."""
    results = {}
    for batch in (1, 100):
        with tempfile.TemporaryDirectory() as tmp:
            conn = sqlite3.connect(os.path.join(tmp, "floor.sqlite3"), isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute(
                "CREATE TABLE e (seq INTEGER PRIMARY KEY AUTOINCREMENT, mailbox BLOB, id BLOB,"
                " created_at REAL, data BLOB, UNIQUE (mailbox, id))"
            )
            rows = envelope_bytes(20_000, 1)
            n, started = 0, time.perf_counter()
            while time.perf_counter() - started < seconds and n + batch <= len(rows):
                conn.execute("BEGIN IMMEDIATE")
                for data in rows[n : n + batch]:
                    conn.execute(
                        "INSERT INTO e (mailbox, id, created_at, data) VALUES (?, ?, ?, ?)",
                        (data[12:44], os.urandom(32), time.time(), data),
                    )
                conn.execute("COMMIT")
                n += batch
            results[f"floor_batch_{batch}"] = n / (time.perf_counter() - started)
            conn.close()
    return results


def machine() -> str:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"nproc={os.cpu_count()}, CPU={model}, arch={platform.machine()}, "
        f"python={platform.python_version()}"
    )


def merge_base() -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), "merge-base", "HEAD", "main"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def storage_main(url: str, batch: int, seconds: float) -> None:
    """Run `post_batch` directly (no HTTP) with batches of `batch` posts into the bench
    mailboxes for about `seconds`; print posts per second. Imports whichever `hasteh` the
    PYTHONPATH gives, so the relay before can be measured the same way."""
    from hasteh.envelope import mailbox_hash, parse_write_headers
    from hasteh.relay.storage import Limits, PostItem, open_storage, stored_form

    store = open_storage(url)
    items = []
    for env, auth in envelopes(60_000, batch):
        headers = {k.lower(): v for k, v in auth.headers(env.id).items()}
        items.append(
            PostItem(
                mailbox_hash(env.mailbox),
                env.id,
                False,
                0,
                stored_form(env.to_bytes()),
                parse_write_headers(headers),
            )
        )
    store.post_batch(items[:MAILBOXES], now=time.time(), limits=Limits())  # the claims
    done, started = MAILBOXES, time.perf_counter()
    while time.perf_counter() - started < seconds and done + batch <= len(items):
        store.post_batch(items[done : done + batch], now=time.time(), limits=Limits())
        done += batch
    elapsed = time.perf_counter() - started
    store.close()
    print(json.dumps({"per_second": (done - MAILBOXES) / elapsed}))


def run_storage(url: str, batch: int, seconds: float, source: str | None) -> float:
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = source
    out = subprocess.run(
        [sys.executable, __file__, "--storage", url, str(batch), str(seconds)],
        capture_output=True,
        timeout=seconds * 10 + 120,
        check=True,
        env=env,
    )
    return float(json.loads(out.stdout)["per_second"])


def _ingest_cell(
    servers: list[tuple[subprocess.Popen[bytes], int]], pg_pid: int, level: int, seconds: float
) -> tuple[dict[str, float], dict[str, float]]:
    """One ingest cell, with the CPU each part used per envelope (µs): the relay
    processes, PostgreSQL (postmaster and backends) and the load client."""
    relay_pids = [proc.pid for proc, _ in servers]
    before = (tree_cpu_seconds(relay_pids), tree_cpu_seconds([pg_pid]))
    r = run_cell([p for _, p in servers], "ingest", level, seconds, seed=level)
    # The servers idle while the client builds its requests, so their CPU is the timed
    # window's; the client counts its own (`cpu_seconds`).
    spent = (
        tree_cpu_seconds(relay_pids) - before[0],
        tree_cpu_seconds([pg_pid]) - before[1],
        r["cpu_seconds"],
    )
    envs = max(1.0, r["per_second"] * seconds)
    parts = ("relay", "postgres", "client")
    return r, {part: secs / envs * 1e6 for part, secs in zip(parts, spent, strict=True)}


def scale_out(
    levels: list[int], seconds: float, baseline_rev: str | None, repeat: int, pin: bool = False
) -> None:
    """Ingest on PostgreSQL: one relay process and two on the same database, alternating
    `repeat` times (a fresh database each time), medians; the relay of `baseline_rev`
    (one process) too when given. With `pin`, relay process i runs on core i only (one
    process: core 0; two: cores 0 and 1), so the two processes never compete for a core
    with each other; PostgreSQL and the load client are left to the scheduler."""
    from tests.relay.harness import PgCluster

    tmp = tempfile.mkdtemp(prefix="hasteh-bench-")
    baseline = None
    targets: list[tuple[str, int, str | None]] = []
    if baseline_rev is not None:
        print(f"# postgres-before: the relay at {baseline_rev[:12]}")
        baseline = baseline_source(baseline_rev, tempfile.mkdtemp(prefix="hasteh-base-", dir=tmp))
        targets.append(("postgres-before x1", 1, baseline))
    targets += [("postgres x1", 1, None), ("postgres x2", 2, None)]
    cells: dict[tuple[str, int], list[tuple[dict[str, float], dict[str, float]]]] = {}
    cluster = PgCluster.start()
    pg_pid = postmaster_pid(cluster.directory)
    try:
        for rep in range(repeat):
            for n, (target, processes, source) in enumerate(targets):
                db = cluster.create_database(f"scale{rep}_{n}")
                cores = os.sched_getaffinity(0)
                servers = [
                    start_server(
                        "postgres", db, source, sorted(cores)[i % len(cores)] if pin else None
                    )
                    for i in range(processes)
                ]
                try:
                    for level in levels:
                        r, cpu = _ingest_cell(servers, pg_pid, level, seconds)
                        cells.setdefault((target, level), []).append((r, cpu))
                        print(
                            f"{target:20} ingest c={level:<4} {r['per_second']:>8.0f}/s "
                            f"p99={r['p99_ms']:.1f} ms  errors={r['errors']:.0f}  CPU µs/env: "
                            + " ".join(f"{k} {v:.0f}" for k, v in cpu.items()),
                            flush=True,
                        )
                finally:
                    for proc, _ in servers:
                        proc.kill()
                        proc.wait(timeout=30)
        storage_rows: list[tuple[str, int, float]] = []
        stores = [("postgres-before", baseline)] if baseline is not None else []
        for n, (name, source) in enumerate([*stores, ("postgres", None)]):
            for batch in (1, 50, 500):
                db = cluster.create_database(f"storage{n}_{batch}")
                rate = run_storage(db, batch, seconds, source)
                storage_rows.append((name, batch, rate))
                print(f"{name:20} post_batch of {batch:<4} {rate:>8.0f}/s", flush=True)
    finally:
        cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    cores = len(os.sched_getaffinity(0))
    print(
        f"\nmedians of {repeat}; ceiling = the lower of {cores} cores / the sum of CPU per"
        " envelope and (relay processes) cores / the relays' CPU per envelope"
        "\n| target | processes | clients | envelopes/s | p99 ms "
        "| CPU µs/env relays | PostgreSQL | client | sum | ceiling env/s |"
        "\n|---|---|---|---|---|---|---|---|---|---|"
    )
    for (target, level), runs in cells.items():
        name, _, count = target.rpartition(" x")
        rate = statistics.median(r["per_second"] for r, _ in runs)
        p99 = statistics.median(r["p99_ms"] for r, _ in runs)
        cpu = {k: statistics.median(c[k] for _, c in runs) for k in ("relay", "postgres", "client")}
        total = sum(cpu.values())
        # Each relay process runs its Python on one core at a time, so n processes
        # cannot use more than n cores whatever the machine has.
        ceiling = min(cores / total, int(count) / cpu["relay"]) * 1e6
        print(
            f"| {name} | {count} | {level} | {rate:.0f} | {p99:.1f} | "
            + " | ".join(f"{v:.0f}" for v in cpu.values())
            + f" | {total:.0f} | {ceiling:.0f} |"
        )
    print("\n| storage only (no HTTP) | posts per batch | envelopes/s |\n|---|---|---|")
    for name, batch, rate in storage_rows:
        print(f"| {name} | {batch} | {rate:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--levels", default="1,50,500")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--write-auth-compare",
        action="store_true",
        help="also run the relay from before write access (sqlite-noauth) in the same run",
    )
    parser.add_argument("--baseline-rev", default=None, help="default: merge base with main")
    parser.add_argument(
        "--scale-out",
        action="store_true",
        help="PostgreSQL ingest only: before, one relay process, two on the same database",
    )
    parser.add_argument(
        "--pin", action="store_true", help="--scale-out: relay process i on core i (taskset)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="--scale-out: rounds of x1 then x2 (medians)"
    )
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    print(f"# {time.strftime('%Y-%m-%d')} {machine()}")
    if args.scale_out:
        scale_out(levels, args.seconds, args.baseline_rev, args.repeat, args.pin)
        return
    targets = ["bare"]
    targets += ["sqlite-noauth"] if args.write_auth_compare else []
    targets += ["sqlite"] + ([] if args.no_postgres else ["postgres"])
    table: dict[tuple[str, str, int], dict[str, float]] = {}
    cluster = None
    tmp = tempfile.mkdtemp(prefix="hasteh-bench-")
    try:
        for target in targets:
            db, baseline, auth = None, None, target != "sqlite-noauth"
            if target == "sqlite-noauth":
                rev = args.baseline_rev or merge_base()
                print(f"# sqlite-noauth: the relay at {rev[:12]}")
                baseline = baseline_source(rev, tempfile.mkdtemp(prefix="hasteh-base-", dir=tmp))
                db = f"sqlite:///{tmp}/relay-noauth.sqlite3"
            elif target == "sqlite":
                db = f"sqlite:///{tmp}/relay.sqlite3"
            elif target == "postgres":
                from tests.relay.harness import PgCluster

                cluster = PgCluster.start()
                db = cluster.create_database("bench")
            proc, port = start_server("sqlite" if baseline else target, db, baseline)
            try:
                if target != "bare":
                    prefill(port, auth)
                for mode in ("ingest", "fetch"):
                    for level in levels:
                        r = run_cell(port, mode, level, args.seconds, seed=level, auth=auth)
                        table[(target, mode, level)] = r
                        print(
                            f"{target:8} {mode:6} c={level:<4} {r['per_second']:>10.0f}/s "
                            f"p99={r['p99_ms']:.1f} ms  errors={r['errors']:.0f}",
                            flush=True,
                        )
            finally:
                proc.kill()
                proc.wait(timeout=30)
    finally:
        if cluster is not None:
            cluster.stop()
    floor = storage_floor(args.seconds)
    for name, value in floor.items():
        print(f"{name}: {value:.0f} rows/s")
    print("\n| target | mode | clients | envelopes/s | p99 ms |\n|---|---|---|---|---|")
    for (target, mode, level), r in table.items():
        print(f"| {target} | {mode} | {level} | {r['per_second']:.0f} | {r['p99_ms']:.1f} |")
    for name, value in floor.items():
        print(f"| {name} | insert | 1 | {value:.0f} | - |")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--bare-server":
        serve_bare(int(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--storage":
        storage_main(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--client":
        client_main(
            [int(p) for p in sys.argv[2].split(",")],
            sys.argv[3],
            int(sys.argv[4]),
            float(sys.argv[5]),
            int(sys.argv[6]),
            sys.argv[7] == "1",
        )
    else:
        main()
