"""The RTL saddle-stitch imposition, checked page by page on a real PDF."""

from __future__ import annotations

import io

import pdfplumber
import pytest

from hasteh.publish import booklet
from hasteh.publish.press import _pdf

#: An 8-page booklet, sheet by sheet (front, back): the cover on the left half of the
#: outer sheet's front, its back cover on the right, page 2 on the right inside.
EIGHT = [(1, 8), (7, 2), (3, 6), (5, 4)]


def test_sheet_sides_table() -> None:
    assert booklet.sheet_sides(8) == EIGHT
    assert booklet.sheet_sides(4) == [(1, 4), (3, 2)]
    with pytest.raises(ValueError, match="multiple of 4"):
        booklet.sheet_sides(6)


def test_every_page_appears_once() -> None:
    for count in (4, 8, 12, 40):
        positions = [p for side in booklet.sheet_sides(count) for p in side]
        assert sorted(positions) == list(range(1, count + 1))


def test_padding_goes_before_the_back_cover() -> None:
    assert booklet.padded_order(6, keep_last=True) == [0, 1, 2, 3, 4, None, None, 5]
    assert booklet.padded_order(6, keep_last=False) == [0, 1, 2, 3, 4, 5, None, None]
    assert booklet.padded_order(8, keep_last=True) == list(range(8))


def _numbered_pdf(pages: int) -> bytes:
    html = "".join(
        f'<section style="break-after: page; direction: ltr">PAGE{n:02d}</section>'
        for n in range(1, pages + 1)
    )
    return _pdf(f"<html><body>{html}</body></html>", "A5")


def _marker(text: str) -> str:
    """The PAGEnn marker in a half (the Persian page number below it is left out)."""
    return " ".join(word for word in text.split() if word.startswith("PAGE"))


def _halves(pdf: bytes) -> list[tuple[str, str]]:
    found = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            mid = page.width / 2
            left = page.crop((0, 0, mid, page.height)).extract_text() or ""
            right = page.crop((mid, 0, page.width, page.height)).extract_text() or ""
            found.append((_marker(left), _marker(right)))
    return found


def test_imposed_pdf_page_by_page() -> None:
    imposed = booklet.impose(_numbered_pdf(6), keep_last=True)
    # 6 pages padded to 8: blanks at booklet positions 6 and 7, page 6 is the back cover.
    expected = [("PAGE01", "PAGE06"), ("", "PAGE02"), ("PAGE03", ""), ("PAGE05", "PAGE04")]
    assert _halves(imposed) == expected
    with pdfplumber.open(io.BytesIO(imposed)) as doc:
        assert all(round(p.width) == 842 and round(p.height) == 595 for p in doc.pages)
