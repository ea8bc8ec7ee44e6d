"""The newsroom on a member (issue 16): receiving a published issue and verifying it.

    uv run python bench/bench_newsroom.py [--runs 5] [--markdown]

* **receive**: an 8-page (and a 40-page) A5 issue, signed, published into a cell as an
  `IssuePublished` and its 48 KiB chunks: every envelope decoded and received by
  `org.receive` (the size, order and author checks, and the SHA-256 of the whole file
  at the last chunk).
* **verify on a member**: what `app.bulletin.verify_file` does with the received bytes:
  the cell's key chain walked (`rotation.follow`, one rotation after a seizure) and
  `signing.verify` of the file against the current key.

Each figure is one call in a warm process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_publish import issue_with_pages  # noqa: E402
from fuzz.fuzz_bulletin_events import IDS, KEY, LOG, NEW_KEY, STATE, event_id  # noqa: E402

from hasteh import org  # noqa: E402
from hasteh.org.bulletin import reason_digest, rotation_body  # noqa: E402
from hasteh.org.events import IssueChunk, IssuePublished, KeyIssued  # noqa: E402
from hasteh.org.events.bulletin import CHUNK_SIZE, RotationLink  # noqa: E402
from hasteh.publish.claim import make_claim  # noqa: E402
from hasteh.publish.keys import fingerprint_of  # noqa: E402
from hasteh.publish.press import Layout, render  # noqa: E402
from hasteh.publish.rotation import Rotation, follow  # noqa: E402
from hasteh.publish.signing import Outcome, sign, verify  # noqa: E402


def setup(pages: int) -> tuple[org.OrgState, list[bytes], bytes]:
    """The harness's newsroom after the rotation its seizure makes due, and the encoded
    envelopes that publish a real signed 8-page issue with the new key."""
    seizure = IDS["seizure"]
    signature = KEY.sign(rotation_body(1, KEY.public, NEW_KEY.public, seizure))
    at = LOG[-1].at + 60
    rotated = org.EventEnvelope(
        1,
        event_id(800),
        0,
        at,
        KeyIssued(NEW_KEY.public, (), RotationLink(1, KEY.public, signature), seizure),
    )
    state = org.apply(STATE, rotated)
    issue = issue_with_pages(pages)
    pdf = render(issue, Layout.A5, make_claim(NEW_KEY, issue.number, issue.digest()))
    signed = sign(pdf, NEW_KEY, dt.datetime(2026, 12, 4, 12, tzinfo=dt.UTC))
    chunks = [signed[i : i + CHUNK_SIZE] for i in range(0, len(signed), CHUNK_SIZE)]
    publication = event_id(801)
    bodies: list[org.AnyEvent] = [
        IssuePublished(
            IDS["issue2"], NEW_KEY.public, len(signed), len(chunks), hashlib.sha256(signed).digest()
        ),
        *(IssueChunk(publication, i, c) for i, c in enumerate(chunks)),
    ]
    wires = [
        org.encode(org.EventEnvelope(1, event_id(801 + n), 0, at + 1 + n, body))
        for n, body in enumerate(bodies)
    ]
    return state, wires, signed


def receive(state: org.OrgState, wires: list[bytes]) -> org.OrgState:
    for wire in wires:
        state = org.receive(state, org.decode(wire), decoded=True).state
    return state


def verify_on_member(state: org.OrgState, pdf: bytes) -> None:
    keys = state.bulletin.keys
    links = [
        Rotation(
            k.rotation.sequence,
            k.rotation.old,
            k.public,
            reason_digest(k.reason_id),
            k.rotation.signature,
        )
        for k in keys[1:]
        if k.rotation is not None and k.reason_id is not None
    ]
    walked = follow(fingerprint_of(keys[0].public), links)
    verdict = verify(pdf, [walked.current], walked.retired)
    assert verdict.outcome is Outcome.GENUINE, verdict


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    state, wires, signed = setup(8)
    big_state, big_wires, big = setup(40)
    received = receive(state, wires)
    (publication,) = [p for p in received.bulletin.publications.values() if p.key == NEW_KEY.public]
    assert publication.data() == signed
    size = f"{len(signed) // 1024} KiB, {len(wires) - 1} chunks"
    rows = [
        (f"receive an 8-page issue ({size})", timed(lambda: receive(state, wires), args.runs), ""),
        (
            f"receive a 40-page issue ({len(big) // 1024} KiB, {len(big_wires) - 1} chunks)",
            timed(lambda: receive(big_state, big_wires), args.runs),
            "",
        ),
        (
            "verify on a member (chain + signature + QR)",
            timed(lambda: verify_on_member(received, signed), args.runs),
            "100 ms",
        ),
    ]
    if args.markdown:
        print(f"{platform.python_version()}, {platform.machine()}")
        print("| what | median | min | max | runs | budget |")
        print("|:--|--:|--:|--:|--:|--:|")
    for name, values, budget in rows:
        med, low, high = statistics.median(values), min(values), max(values)
        if args.markdown:
            cells = f"{med:.1f} ms | {low:.1f} ms | {high:.1f} ms | {len(values)} | {budget}"
            print(f"| {name} | {cells} |")
        else:
            print(f"{name}: median {med:.1f} ms (min {low:.1f}, max {high:.1f})")


if __name__ == "__main__":
    main()
