"""The security course: loading and checking the bundled lessons, and every course page.

    uv run python bench/bench_course.py [--requests 200]

Timed: (1) `hasteh.app.course.bundled_course` from cold (its cache cleared): reading the
nine lesson files, the checklists and the guide from the package and checking every rule
(`hasteh.course.loader`); once per process in real use. (2) Each course page through the
real ASGI app (`create_web`, guard, session, CSRF, templates; a real SQLCipher profile)
in-process with `httpx.ASGITransport`, after unlocking through the unlock form and 5
warm-up requests: the index with progress, a lesson (which stores "read"), the quiz, a
quiz sent and scored (progress written to the vault), a checklist, a checklist saved (a
vault write, then the redirect's GET), and the guide. p50/p95/max in milliseconds;
target p95 < 100 ms.
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

from hasteh import vault  # noqa: E402
from hasteh.app import course as device  # noqa: E402
from hasteh.vault.keyfile import KdfParams  # noqa: E402
from hasteh.web import create_web  # noqa: E402

FAST = KdfParams(memory_kib=8 * 1024, iterations=1, lanes=1)
PASS = "benchmark passphrase"
TOKEN = "bench-launch-token-0123456789abcdef"
PORT = 8798


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def load_times(rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        device.bundled_course.cache_clear()
        begin = time.perf_counter()
        device.bundled_course()
        times.append((time.perf_counter() - begin) * 1000)
    return times


async def measure(home: Path, requests: int) -> dict[str, list[float]]:
    app = create_web(home, launch_token=TOKEN, port=PORT, kdf=FAST, min_kdf=FAST)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=f"http://127.0.0.1:{PORT}") as c:
        await c.get(f"/launch?token={TOKEN}")
        csrf_match = re.search(r'name="csrf" value="([^"]+)"', (await c.get("/unlock")).text)
        assert csrf_match
        csrf = csrf_match.group(1)
        response = await c.post(
            "/unlock", data={"csrf": csrf, "passphrase": PASS}, follow_redirects=True
        )
        assert response.status_code == 200, response.text[:300]
        # The session (and its CSRF token) is a new one after unlocking.
        csrf_match = re.search(r'name="csrf" value="([^"]+)"', (await c.get("/course")).text)
        assert csrf_match
        csrf = csrf_match.group(1)
        lesson = device.bundled_course().lessons[4]
        answers = {f"q{n}": str(q.answer) for n, q in enumerate(lesson.quiz, start=1)}
        pages: dict[str, tuple[str, str, dict[str, object] | None]] = {
            "index (progress)": ("GET", "/course", None),
            "lesson": ("GET", "/course/5", None),
            "quiz": ("GET", "/course/5/quiz", None),
            "quiz sent and scored (vault write)": (
                "POST",
                "/course/5/quiz",
                {"csrf": csrf, **answers},
            ),
            "checklist": ("GET", "/course/checklists/action", None),
            "checklist saved (vault write + redirect)": (
                "POST",
                "/course/checklists/action",
                {"csrf": csrf, "item": ["1", "3"]},
            ),
            "guide": ("GET", "/course/guide", None),
        }
        times: dict[str, list[float]] = {name: [] for name in pages}
        for name, (method, path, data) in pages.items():
            for round_ in range(5 + requests):
                begin = time.perf_counter()
                if method == "GET":
                    response = await c.get(path)
                else:
                    response = await c.post(path, data=data, follow_redirects=True)
                spent = (time.perf_counter() - begin) * 1000
                assert response.status_code == 200, (path, response.status_code)
                if round_ >= 5:
                    times[name].append(spent)
        return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    print(
        f"# {time.strftime('%Y-%m-%d')} · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"Python {platform.python_version()} · {platform.platform()}"
    )
    loads = load_times(20)
    print(
        f"course load and check, cold (20 rounds): p50 {statistics.median(loads):.1f} ms, "
        f"max {max(loads):.1f} ms"
    )
    with tempfile.TemporaryDirectory(prefix="hasteh-bench-course-") as tmp:
        home = Path(tmp) / "profile"
        vault.create(home, PASS, kdf=FAST, min_kdf=FAST)
        times = asyncio.run(measure(home, args.requests))
    print(f"{args.requests} requests per page after 5 warm-up; milliseconds")
    print("| page | p50 | p95 | max |")
    print("|---|---:|---:|---:|")
    for name, values in times.items():
        print(
            f"| {name} | {statistics.median(values):.1f} | {p95(values):.1f} | {max(values):.1f} |"
        )


if __name__ == "__main__":
    main()
