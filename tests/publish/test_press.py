"""The press: byte-identical, metadata-free PDFs whose text reads in logical Persian order,
drawn like the stored reference, and page images without metadata."""

from __future__ import annotations

import io
import re

import pdfplumber
import pypdf
import pytest
from PIL import Image

from hasteh.publish import press
from hasteh.publish.claim import Claim
from hasteh.publish.errors import PressFailed
from hasteh.publish.issue import Issue
from hasteh.publish.pages import ImageKind, page_image, page_images
from hasteh.publish.press import CLAIM_KEY, Layout, render
from tests.publish.reference import REFERENCE, difference

#: What may remain in the trailer and the catalog of a bulletin; nothing else.
TRAILER = {"/Size", "/Root", "/ID", "/Prev"}
#: (pyHanko's signature adds `/Version` 2.0 and the ISO 32002 extension that declares
#: Ed25519 signatures: structure, not metadata.)
CATALOG = {"/Type", "/Pages", "/Lang", "/Outlines", "/AcroForm", CLAIM_KEY, "/PageLabels"} | {
    "/Version",
    "/Extensions",
}
_LTR_RUN = re.compile(r"[A-Za-z0-9۰-۹][A-Za-z0-9۰-۹.,:/-]*")


def logical(text: str) -> str:
    """pdfplumber's right-to-left reading of a line, with left-to-right runs (Latin,
    digits) put back in reading order: Unicode's bidi algorithm, undone for plain text."""
    return _LTR_RUN.sub(lambda m: m.group(0)[::-1], text).replace("\u200c", "")


def assert_metadata_free(pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.metadata is None
    assert set(reader.trailer.keys()) <= TRAILER
    assert set(reader.trailer["/Root"].keys()) <= CATALOG
    for marker in (
        b"WeasyPrint",
        b"pyHanko",
        b"/Producer",
        b"/CreationDate",
        b"/ModDate",
        b"xmpmeta",
    ):
        assert marker not in pdf


@pytest.mark.parametrize("layout", list(Layout))
def test_same_issue_same_bytes(issue: Issue, claim: Claim, layout: Layout) -> None:
    first = render(issue, layout, claim)
    assert render(issue, layout, claim) == first
    assert_metadata_free(first)


def test_signed_file_is_metadata_free_too(signed_pdf: bytes) -> None:
    assert_metadata_free(signed_pdf)


def test_different_issue_different_bytes(issue: Issue, a5_pdf: bytes, claim: Claim) -> None:
    other = Issue(issue.title, issue.number + 1, issue.day, issue.articles)
    assert render(other, Layout.A5, claim) != a5_pdf


def test_text_comes_out_in_logical_persian_order(a5_pdf: bytes) -> None:
    with pdfplumber.open(io.BytesIO(a5_pdf)) as doc:
        raw = doc.pages[0].extract_text(char_dir="rtl", char_dir_render="ltr")
    lines = [logical(line) for line in raw.splitlines()]
    text = "\n".join(lines)
    assert "صدای کارگر" in lines[0]
    assert "شماره ۱۲" in text
    assert "سلام کارگران! ما ۴۰ نفر در کارخانهٔ ABC هستیم و سال 2025 سخت بود." in text
    assert "دستکم ۲۵ درصد" in text


def test_page_numbers_are_persian(a5_pdf: bytes) -> None:
    with pdfplumber.open(io.BytesIO(a5_pdf)) as doc:
        last_lines = [(p.extract_text() or "").splitlines()[-1].strip() for p in doc.pages[1:-1]]
    assert last_lines[0] == "۲"
    assert all(re.fullmatch("[۰-۹]+", n) for n in last_lines)


def test_first_page_matches_the_reference_rendering(a5_pdf: bytes) -> None:
    """Regenerate with `uv run python -m tests.publish.reference` after a deliberate
    change of layout, and look at the new image before committing it."""
    drawn = Image.open(io.BytesIO(page_image(a5_pdf, 1, dpi=50)))
    with Image.open(REFERENCE) as reference:
        mean, changed = difference(drawn, reference)
    assert mean < 4.0 and changed < 0.03


def test_page_images_carry_no_metadata(a5_pdf: bytes) -> None:
    pictures = page_images(a5_pdf, ImageKind.PNG, dpi=40)
    assert len(pictures) == len(pypdf.PdfReader(io.BytesIO(a5_pdf)).pages)
    jpeg = page_image(a5_pdf, 1, ImageKind.JPEG, dpi=40)
    for data, kind in ((pictures[0], "PNG"), (jpeg, "JPEG")):
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == kind
            assert not image.getexif()
            assert set(image.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi"}
            assert b"tEXt" not in data and b"iTXt" not in data and b"Exif" not in data


def test_the_press_fetches_nothing() -> None:
    """A URL smuggled into the HTML (not possible through Markdown) stops the press."""
    html = '<html><body><img src="http://127.0.0.1:9/tracker.png"></body></html>'
    with pytest.raises(PressFailed) as caught:
        press._pdf(html, "A5")
    assert caught.value.reason == "fetch"
