"""The stored reference rendering of the sample issue's first page, and how to compare.

uv run python -m tests.publish.reference     # write tests/data/publish/page1.png again
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageChops

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "publish" / "page1.png"


def difference(a: Image.Image, b: Image.Image) -> tuple[float, float]:
    """Mean absolute difference (0-255) and the share of pixels differing by more than
    64, of two greyscale renderings (sizes must match)."""
    a, b = a.convert("L"), b.convert("L")
    assert a.size == b.size, (a.size, b.size)
    diff = ImageChops.difference(a, b)
    histogram = diff.histogram()
    pixels = a.size[0] * a.size[1]
    mean = sum(value * count for value, count in enumerate(histogram)) / pixels
    changed = sum(histogram[65:]) / pixels
    return mean, changed


def main() -> None:
    from hasteh.publish.claim import make_claim
    from hasteh.publish.issue import parse_issue
    from hasteh.publish.keys import BulletinKey
    from hasteh.publish.pages import page_image
    from hasteh.publish.press import Layout, render
    from tests.publish.conftest import SOURCE

    issue = parse_issue(SOURCE.encode("utf-8"))
    claim = make_claim(BulletinKey.from_seed(bytes(range(32))), issue.number, issue.digest())
    png = page_image(render(issue, Layout.A5, claim), 1, dpi=50)
    REFERENCE.parent.mkdir(parents=True, exist_ok=True)
    REFERENCE.write_bytes(png)
    with Image.open(io.BytesIO(png)) as image:
        print(f"wrote {REFERENCE} ({image.size[0]}x{image.size[1]})")


if __name__ == "__main__":
    main()
