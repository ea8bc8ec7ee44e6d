"""A relay killed with SIGKILL during 10,000 concurrent posts loses no acknowledged envelope.

Four client processes post 2,500 envelopes each into eight shared mailboxes; the relay is
killed once about a third are acknowledged. After a restart on the same database every
acknowledged envelope is fetchable, each mailbox reads in one order with no duplicates, and
posting an acknowledged envelope again gives the same cursor (idempotency survives).
"""

from __future__ import annotations

import base64
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from hasteh.envelope import envelope_id

from .harness import ROOT, RelayProcess
from .poster import AUTH_OF, MAILBOXES

TOTAL, CLIENTS = 10_000, 4


def acked(files: list[Path]) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in files:
        if f.exists():
            for line in f.read_text().splitlines():
                parts = line.split()
                if len(parts) == 2:
                    out[parts[0]] = parts[1]
    return out


def fetch_all(url: str, mailbox: bytes) -> list[tuple[str, bytes]]:
    """(cursor after, envelope) for the whole mailbox, paging with bounded requests."""
    seen: list[tuple[str, bytes]] = []
    after = "0"
    with httpx.Client(base_url=url, timeout=30) as client:
        for _ in range(TOTAL):  # bounded
            r = client.post(
                "/v1/fetch",
                json={
                    "mailbox": mailbox.hex(),
                    "after": after,
                    "limit": 1000,
                    **AUTH_OF[mailbox].fetch_fields(mailbox),
                },
            )
            assert r.status_code == 200, r.text
            body = r.json()
            seen.extend((body["cursor"], base64.b64decode(e)) for e in body["envelopes"])
            after = body["cursor"]
            if not body["more"]:
                return seen
    raise AssertionError("fetch did not finish")


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_sigkill_during_posts_loses_nothing_acknowledged(db_url: str, tmp_path: Path) -> None:
    relay = RelayProcess(db_url, extra=["--rate", "1000000"]).start()
    files = [tmp_path / f"acks-{i}.txt" for i in range(CLIENTS)]
    posters = [
        subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "tests/relay/poster.py"),
                relay.url,
                str(TOTAL // CLIENTS),
                str(i),
                str(files[i]),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for i in range(CLIENTS)
    ]
    deadline = time.monotonic() + 120
    while len(acked(files)) < TOTAL // 3 and time.monotonic() < deadline:
        if all(p.poll() is not None for p in posters):
            break
        time.sleep(0.01)
    relay.kill()
    for p in posters:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode(errors="replace")
    acknowledged = acked(files)
    assert len(acknowledged) >= TOTAL // 3 - 200, "the relay was killed too early to prove much"
    assert len(acknowledged) < TOTAL, "the kill came after every post: nothing was in flight"

    relay = RelayProcess(db_url, port=relay.port, extra=["--rate", "1000000"]).start()
    try:
        found: dict[str, int] = {}  # id -> position in its mailbox
        order: list[list[str]] = []
        for mailbox in MAILBOXES:
            first = fetch_all(relay.url, mailbox)
            assert fetch_all(relay.url, mailbox) == first  # one order, stable
            ids = [envelope_id(data).hex() for _, data in first]
            assert len(set(ids)) == len(ids), "duplicate envelope"
            found.update((key, pos) for pos, key in enumerate(ids))
            order.append(ids)
        missing = set(acknowledged) - set(found)
        assert not missing, f"{len(missing)} acknowledged envelopes lost"
        for ids in order:
            # Acknowledged envelopes read back in the order of their acknowledged cursors.
            mine = [k for k in ids if k in acknowledged]
            assert mine == sorted(mine, key=lambda k: int(acknowledged[k]))
        # Re-posting acknowledged envelopes after the restart gives the same answer.
        by_id = {envelope_id(d).hex(): d for m in MAILBOXES[:1] for _, d in fetch_all(relay.url, m)}
        with httpx.Client(base_url=relay.url, timeout=10) as client:
            for key, data in list(by_id.items())[:50]:
                mb = MAILBOXES[0]
                r = client.post(
                    "/v1/envelopes",
                    content=data,
                    headers=AUTH_OF[mb].headers(envelope_id(data)),
                )
                assert r.status_code == 200
                assert key not in acknowledged or r.json()["cursor"] == acknowledged[key]
        assert len(fetch_all(relay.url, MAILBOXES[0])) == len(by_id)
    finally:
        relay.kill()
