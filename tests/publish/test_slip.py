"""The drop box's printed slip: Persian whatever the member's language, the code in
Persian digits, the onion address and the key intact, reproducible bytes, no metadata."""

from __future__ import annotations

import datetime as dt
import io

import pdfplumber
import pypdf

from hasteh.i18n import language
from hasteh.publish.slip import SlipText, render_slip

ADDRESS = "http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion"
KEY = "HD1-ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567-ABCD-EFGH-IJKL-MNOP-QR"
SLIP = SlipText("0123 4567 8901", dt.date(2026, 12, 19), ADDRESS, KEY)


def text_of(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages)


def test_the_slip_says_what_an_outsider_needs_in_persian() -> None:
    with language("en"):
        pdf = render_slip(SLIP)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert round(width / 72 * 25.4) == 105 and round(height / 72 * 25.4) == 148  # A6
    text = text_of(pdf)
    compact = text.replace(" ", "").replace("\n", "")
    assert "۰۱۲۳" in text and "۸۹۰۱" in text
    assert ADDRESS.removeprefix("http://")[:40] in compact
    assert KEY.replace("-", "")[:20] in compact.replace("-", "")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        persian = doc.pages[0].extract_text(char_dir="rtl", char_dir_render="ltr") or ""
    persian = " ".join(persian.split())
    assert "مرورگر تور" in persian and "دوباره امتحان کنید" in persian
    assert reader.metadata is None or not dict(reader.metadata)


def test_the_same_slip_gives_the_same_bytes() -> None:
    assert render_slip(SLIP) == render_slip(SLIP)
    other = SlipText("9999 4567 8901", SLIP.until, ADDRESS, KEY)
    assert render_slip(other) != render_slip(SLIP)
