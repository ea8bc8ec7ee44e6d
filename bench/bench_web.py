"""Web page render time for a big cell: 10,000 messages and 200 decisions.

    uv run python bench/bench_web.py [--messages 10000] [--decisions 200] [--requests 200]

Setup (not timed): a profile with one cell made by `cells.create_cell` (no relay is
contacted: the relay address is a closed loopback port). The cell's history is then
built through the app's own fold-and-store path, `runtime.accept_event` + `runtime.write`
(what `sync` does for received events), in one vault transaction: N `MessagePosted`
events in the cell's first thread, one second apart, and D decisions of every kind
(`DecisionOpened`), three quarters of them closed with their computed outcome
(`DecisionClosed`), the rest open with a stance. No MLS protection is done for these
events (it plays no part in rendering a page), which keeps the setup to seconds.

Timed: GET of each page through the real ASGI app (`create_web`, guard, session, CSRF,
templates) in-process with `httpx.ASGITransport`, after unlocking through the unlock
form and a warm-up of 5 requests per page: a cell's conversation (newest 50 messages),
its oldest page of messages, the decisions list (open ones and a page of closed ones), one
decision, the cell's members, safety and settings pages, home, settings and the first
run's first screen. The web keeps what a cell's page needed from the
app while that part of the cell's folded state is the same object (`views.cell.CellMemo`:
messages, decisions); the "after a new message / a vote / both" rows invalidate that part
before every request, so they measure the first view after such a change (the app's
`talk.read_page` with its sweep, and/or `decisions.show`, run again). p50/p95/max in
milliseconds; target p95 < 100 ms.

Also (issue 14's budgets): the bytes of the stylesheet and both fonts together (≤ 150 KiB),
and per page the markup around the user's content (≤ 30 KiB): the page's bytes once every
piece of text the people wrote (messages, questions, options, names) is taken out, so what
remains is the frame, the menus, the forms and the markup around each message.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from hasteh import org, vault  # noqa: E402
from hasteh.app import Workspace, cells, runtime  # noqa: E402
from hasteh.org import (  # noqa: E402
    Choice,
    Choices,
    Consent,
    DecisionClosed,
    DecisionOpened,
    EventEnvelope,
    EventId,
    LeafIndex,
    MessagePosted,
    OptIn,
    ProposalStance,
    Ranking,
    StanceCast,
)
from hasteh.vault.keyfile import KdfParams  # noqa: E402
from hasteh.web import create_web  # noqa: E402

FAST = KdfParams(memory_kib=8 * 1024, iterations=1, lanes=1)
PASS = "benchmark passphrase"
TOKEN = "bench-launch-token-0123456789abcdef"
PORT = 8799
TEXT = "جلسه به نانوایی منتقل شد، ساعت شش؛ اعلامیه‌ها و چای را بیاورید"
NO_RELAY = "http://127.0.0.1:9"
KINDS: list[tuple[org.DecisionKind, tuple[str, ...], int]] = [
    ("consent", (), 0),
    ("proposal", (), 0),
    ("single", ("park", "bakery", "depot"), 0),
    ("multiple", ("mon", "tue", "wed"), 0),
    ("ranked", ("x", "y", "z"), 1),
    ("ranked", ("p", "q", "r", "s"), 2),
    ("opt-in", (), 0),
]


def build(home: Path, messages: int, decisions: int) -> str:
    """The profile with the big cell; returns the cell's id."""
    vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
    ws = Workspace(vault.unlock(home, PASS, min_kdf=FAST))
    try:
        rt = cells.create_cell(ws, "bench", cover_name="sepideh", relays=[NO_RELAY])
        thread = next(iter(rt.org.threads.values())).thread_id
        leaf = LeafIndex(0)
        start = ws.now() - messages - decisions * 2 - 10

        def env(at: int, body: org.AnyEvent) -> EventEnvelope:
            return EventEnvelope(org.VERSION, EventId(os.urandom(16)), leaf, at, body)

        def fill(conn: object) -> None:
            for i in range(messages):
                at = start + i
                runtime.accept_event(
                    rt, env(at, MessagePosted(thread, f"{i} {TEXT}", at + 14 * 86_400))
                )
            at = start + messages
            for j in range(decisions):
                kind, options, seats = KINDS[j % len(KINDS)]
                opened = env(
                    at + 2 * j,
                    DecisionOpened(
                        kind=kind,
                        question=f"decision {j}?",
                        deadline=ws.now() + 7 * 86_400,
                        options=options,
                        quorum=0,
                        hide_results=False,
                        outcome_only=j % 5 == 0,
                        seats=seats,
                        motion=None,
                    ),
                )
                runtime.accept_event(rt, opened)
                stance: org.Stance = {
                    "consent": Consent(),
                    "proposal": ProposalStance("agree", ""),
                    "single": Choice(1),
                    "multiple": Choices((0, 2)),
                    "ranked": Ranking((1, 0)),
                    "opt-in": OptIn(),
                }[kind]
                cast = env(at + 2 * j + 1, StanceCast(opened.event_id, stance))
                runtime.accept_event(rt, cast)
                if j % 4 != 3:
                    decision = rt.org.decisions[org.EventId(opened.event_id)]
                    closing = env(
                        at + 2 * j + 1,
                        DecisionClosed(opened.event_id, org.compute_outcome(decision)),
                    )
                    runtime.accept_event(rt, closing)

        runtime.write(ws, rt, fill)
        assert len(rt.org.messages) == messages and len(rt.org.decisions) == decisions
        ws.forget_cache()  # what the web sees is what the vault holds
        again = cells.find_cell(ws, cells.summary(rt).cell_id)
        assert len(again.org.messages) == messages and len(again.org.decisions) == decisions
        return cells.summary(rt).cell_id
    finally:
        ws.close()


#: What the people wrote, as it appears in the pages (escaped): taken out to measure the
#: markup around it.
USER_TEXT = re.compile(
    r"\d+ " + re.escape(TEXT) + r"|decision \d+\?"
    r"|\b(?:park|bakery|depot|mon|tue|wed|x|y|z|p|q|r|s|bench|sepideh)\b"
)


def frame_bytes(html: str) -> int:
    """The page's UTF-8 bytes without the text people wrote."""
    return len(USER_TEXT.sub("", html).encode("utf-8"))


def static_bytes() -> int:
    static = ROOT / "src" / "hasteh" / "web" / "static"
    files = [static / "site.css", *sorted((static / "fonts").glob("*.woff2"))]
    return sum(f.stat().st_size for f in files)


async def measure(
    home: Path, cell_id: str, messages: int, requests: int
) -> tuple[dict[str, list[float]], dict[str, int]]:
    app = create_web(home, launch_token=TOKEN, port=PORT, kdf=FAST, min_kdf=FAST)
    transport = httpx.ASGITransport(app=app)
    base = f"http://127.0.0.1:{PORT}"
    async with httpx.AsyncClient(transport=transport, base_url=base) as client:
        await client.get(f"/launch?token={TOKEN}")
        page = (await client.get("/unlock")).text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)
        assert csrf
        response = await client.post(
            "/unlock", data={"csrf": csrf.group(1), "passphrase": PASS}, follow_redirects=True
        )
        assert response.status_code == 200, response.text[:500]
        cell = f"/cell/{cell_id}"
        decisions_page = (await client.get(f"{cell}/decisions")).text
        one = re.search(rf'href="({cell}/decisions/[0-9a-f]{{8}})"', decisions_page)
        assert one
        cell_page = (await client.get(cell)).text
        assert "page=1" in cell_page, "no older link"
        last = max(0, (messages - 1) // 50)
        pages = {
            "cell page (newest 50)": (cell, ""),
            "cell page (oldest 50)": (f"{cell}?page={last}", ""),
            "decisions list": (f"{cell}/decisions", ""),
            "one decision": (one.group(1), ""),
            "members and newcomers": (f"{cell}/members", ""),
            "safety words": (f"{cell}/safety", ""),
            "settings of the cell": (f"{cell}/settings", ""),
            "home": ("/home", ""),
            "settings": ("/settings", ""),
            "first run, screen 1": ("/welcome/1", ""),
            "cell page, after a new message": (cell, "talk"),
            "cell page, after a vote": (cell, "decisions"),
            "cell page, after both (e.g. a sync)": (cell, "all"),
            "decisions list, after a vote": (f"{cell}/decisions", "decisions"),
        }
        memos = app.state.web.cell_memos
        times: dict[str, list[float]] = {name: [] for name in pages}
        frames: dict[str, int] = {}
        for name, (path, changed) in pages.items():
            for _ in range(5):  # warm-up
                warm = await client.get(path)
                assert warm.status_code == 200
            frames[name] = frame_bytes(warm.text)
            for _ in range(requests):
                # As after a change of that part of the cell: the app is asked again.
                for memo in memos.values():
                    if changed in ("talk", "all"):
                        memo.talk_from = ()
                    if changed in ("decisions", "all"):
                        memo.decisions_from = ()
                begin = time.perf_counter()
                response = await client.get(path)
                times[name].append((time.perf_counter() - begin) * 1000)
                assert response.status_code == 200, (path, response.status_code)
        return times, frames


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--decisions", type=int, default=200)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    print(
        f"# {time.strftime('%Y-%m-%d')} · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"Python {platform.python_version()} · {platform.platform()}"
    )
    with tempfile.TemporaryDirectory(prefix="hasteh-bench-web-") as tmp:
        home = Path(tmp) / "profile"
        begin = time.perf_counter()
        cell_id = build(home, args.messages, args.decisions)
        print(
            f"setup: {args.messages} messages, {args.decisions} decisions in "
            f"{time.perf_counter() - begin:.1f} s"
        )
        times, frames = asyncio.run(measure(home, cell_id, args.messages, args.requests))
    print(f"{args.requests} requests per page after 5 warm-up; milliseconds")
    print("| page | p50 | p95 | max | markup around user content, KiB |")
    print("|---|---:|---:|---:|---:|")
    for name, values in times.items():
        print(
            f"| {name} | {statistics.median(values):.1f} | {p95(values):.1f} "
            f"| {max(values):.1f} | {frames[name] / 1024:.1f} |"
        )
    print(f"stylesheet and fonts: {static_bytes() / 1024:.1f} KiB (budget 150 KiB)")


if __name__ == "__main__":
    main()
