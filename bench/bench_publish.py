"""The bulletin press: rendering, imposition, signing and verification.

    uv run python bench/bench_publish.py [--runs 5] [--quick] [--markdown]

* **8-page A5 booklet**: an issue whose articles fill 8 A5 pages (back page included)
  rendered with WeasyPrint, imposed two-up on A4 (pypdf), metadata scrubbed. Budget 2 s.
* **40-page A5 issue**: the same for 40 pages, imposed. Budget 8 s.
* **sign**: a pyHanko incremental signature (Ed25519) of the 8-page booklet.
* **verify**: `signing.verify` of the signed booklet: pyHanko's integrity check, the
  coverage check, and the back-page QR decoded and compared with the signed claim.
  Budget 100 ms.
* **page images**: every page of the 8-page A5 issue as PNG at 110 dpi (pdftoppm).

Each figure is one call in a warm process (fonts and modules loaded by a first run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hasteh.publish.claim import make_claim  # noqa: E402
from hasteh.publish.issue import Article, Issue  # noqa: E402
from hasteh.publish.keys import BulletinKey  # noqa: E402
from hasteh.publish.pages import page_count, page_images  # noqa: E402
from hasteh.publish.press import Layout, render  # noqa: E402
from hasteh.publish.signing import Outcome, sign, verify  # noqa: E402

PARAGRAPH = (
    "کارگران کارگاه ریخته‌گری برای دستمزد عقب‌افتاده دست از کار کشیدند و گفتند تا "
    "پرداخت کامل حقوق سه ماه گذشته، ۴۰ نفرشان سر کار برنمی‌گردند. مدیریت شرکت ABC "
    "وعده داده بود که پیش از پایان سال 2025 بدهی‌ها را بپردازد.\n\n"
)
KEY = BulletinKey.from_seed(bytes(range(32)))
AT = dt.datetime(2026, 12, 4, tzinfo=dt.UTC)


def issue_of(paragraphs_per_article: int, articles: int) -> Issue:
    body = PARAGRAPH * paragraphs_per_article
    return Issue(
        "صدای کارگر",
        12,
        dt.date(2026, 12, 4),
        tuple(Article(f"مقالهٔ {n}", body) for n in range(1, articles + 1)),
    )


def issue_with_pages(pages: int) -> Issue:
    """The issue whose A5 rendering has `pages` pages (found by growing it)."""
    for paragraphs in range(1, 400):
        issue = issue_of(paragraphs, 4)
        if page_count(render(issue, Layout.A5)) >= pages - 1:  # the back page adds one
            return issue
    raise RuntimeError("could not reach the page count")


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    runs = 2 if args.quick else args.runs

    eight = issue_with_pages(8)
    claim8 = make_claim(KEY, eight.number, eight.digest())
    forty = issue_with_pages(40)
    claim40 = make_claim(KEY, forty.number, forty.digest())
    booklet = render(eight, Layout.BOOKLET, claim8)
    signed = sign(booklet, KEY, AT)
    assert verify(signed, {KEY.fingerprint}).outcome is Outcome.GENUINE
    a5 = render(eight, Layout.A5, claim8)
    pages8 = page_count(a5)
    pages40 = page_count(render(forty, Layout.A5, claim40))

    rows = [
        (
            f"{pages8}-page A5 booklet: render + impose",
            lambda: render(eight, Layout.BOOKLET, claim8),
        ),
        (
            f"{pages40}-page A5 issue: render + impose",
            lambda: render(forty, Layout.BOOKLET, claim40),
        ),
        ("sign (pyHanko, Ed25519)", lambda: sign(booklet, KEY, AT)),
        ("verify (signature + QR claim)", lambda: verify(signed, {KEY.fingerprint})),
        (f"page images ({pages8} PNG, 110 dpi)", lambda: page_images(a5)),
    ]
    if args.markdown:
        day = time.strftime("%Y-%m-%d")
        print(f"{platform.machine()}, Python {platform.python_version()}, {day}\n")
        print("| what | median | min | max | runs |\n|:--|--:|--:|--:|--:|")
    for name, fn in rows:
        times = timed(fn, runs)
        median, low, high = (1000 * t for t in (statistics.median(times), min(times), max(times)))
        if args.markdown:
            print(f"| {name} | {median:.0f} ms | {low:.0f} ms | {high:.0f} ms | {runs} |")
        else:
            print(f"{name:45s} median {median:8.1f} ms  min {low:8.1f}  max {high:8.1f}")


if __name__ == "__main__":
    main()
