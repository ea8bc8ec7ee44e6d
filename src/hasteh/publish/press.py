"""The press: an approved `Issue` to the bytes of a PDF, the same bytes every time.

    issue ──markdown.article_html──▶ HTML (templates/issue.html)
          ──WeasyPrint + Vazirmatn──▶ PDF ──scrub──▶ PDF without metadata
          ──booklet.impose (BOOKLET only)──▶ A5 pages two-up on A4

**Reproducible** means: the same issue (and claim) rendered again by the same hasteh on a
system with the same Pango, HarfBuzz, Cairo-free WeasyPrint and fonts gives the same bytes.
WeasyPrint already names font subsets from their content; `scrub` then removes the
document information dictionary (WeasyPrint's "Producer") and sets the file identifier
(`/ID`, ISO 32000-2 §14.4) to a hash of the content instead of leaving it out. Across
Pango/HarfBuzz versions glyph positions may move by a fraction of a point: the bytes then
differ, the text does not (docs/bulletins.md).

**Nothing is fetched**: the only resources are the vendored fonts and `data:` URIs of
cleaned images; any other URL stops the press (`_Fetcher`).
"""

from __future__ import annotations

import enum
import functools
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import jinja2
import pypdf
from fontTools.ttLib import TTFont
from markupsafe import Markup
from pypdf.generic import ArrayObject, ByteStringObject, NameObject, TextStringObject

from hasteh.i18n import _, persian_digits
from hasteh.jalali import day_text
from hasteh.publish import booklet
from hasteh.publish.attachments import clean_image
from hasteh.publish.claim import Claim, qr_png
from hasteh.publish.errors import PressFailed
from hasteh.publish.issue import Issue
from hasteh.publish.keys import fingerprint_text
from hasteh.publish.markdown import article_html
from hasteh.publish.weasy import (
    CSS,
    HTML,
    FatalURLFetchingError,
    FontConfiguration,
    URLFetcher,
    URLFetcherResponse,
)

__all__ = ["CLAIM_KEY", "Layout", "issue_html", "render", "scrub"]

#: Where the claim's text is kept in the PDF's catalog, covered by the signature.
CLAIM_KEY: Final = "/HastehClaim"
#: The web face's vendored Vazirmatn (OFL.txt beside it), read as files: no import of `web`.
FONTS: Final = Path(__file__).resolve().parents[1] / "web" / "static" / "fonts"
_TEMPLATES: Final = Path(__file__).resolve().parent / "templates"
_FONT_FILES: Final = ("Vazirmatn-Regular.woff2", "Vazirmatn-Bold.woff2")


class Layout(enum.Enum):
    """How the pages are cut: A4, A5, or A5 pages imposed as a saddle-stitched booklet."""

    A4 = "A4"
    A5 = "A5"
    BOOKLET = "booklet"


@dataclass(frozen=True, slots=True)
class ArticlePage:
    title: str
    body: Markup


@dataclass(frozen=True, slots=True)
class IssuePage:
    """What templates/issue.html shows."""

    masthead: str
    number_text: str
    day_text: str
    articles: tuple[ArticlePage, ...]
    claim_qr: str
    fingerprint: str
    verify_text: str
    image_warning: str


@functools.cache
def _font(name: str) -> bytes:
    """A vendored WOFF2 font as plain TrueType, decoded once per process: WeasyPrint
    would otherwise decode the WOFF2 (pure-Python Brotli glyph transforms in fontTools,
    half a second a face) on every render. A pure function of a read-only file."""
    with TTFont(FONTS / name) as font:
        font.flavor = None
        out = io.BytesIO()
        font.save(out, reorderTables=False)
    return out.getvalue()


class _Fetcher(URLFetcher):  # type: ignore[misc]
    """Serves the vendored fonts and `data:` URIs; refuses everything else, loudly."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data"})

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith("hasteh-font:") and url[12:] in _FONT_FILES:
            body = _font(url[12:])
            return URLFetcherResponse(url, body=body, headers={"Content-Type": "font/ttf"})
        if url.startswith("data:"):
            return super().fetch(url, headers)
        raise FatalURLFetchingError("the press fetches nothing but its fonts")


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


_ENV: Final = _environment()


def issue_html(issue: Issue, claim: Claim | None = None) -> str:
    """The issue as the HTML the press lays out (also the preview page's body)."""
    images = {name: clean_image(data).data_uri for name, data in sorted(issue.images.items())}
    articles = tuple(
        ArticlePage(a.title, Markup(article_html(a.body, images)))  # noqa: S704 (escaped by markdown-it)
        for a in issue.articles
    )
    qr = ""
    if claim is not None:
        qr = clean_image(qr_png(claim)).data_uri
    page = IssuePage(
        masthead=issue.title,
        number_text=_("Issue {number}").format(number=persian_digits(issue.number)),
        day_text=day_text(issue.day),
        articles=articles,
        claim_qr=qr,
        fingerprint=fingerprint_text(claim.issuer) if claim else "",
        verify_text=_(
            "Check this bulletin: run 'hasteh bulletin verify' on its PDF file, "
            "or scan this code and compare the issuer's fingerprint below."
        ),
        image_warning=_(
            "A photo or a printed copy cannot prove its own text: only the signed PDF can."
        ),
    )
    return _ENV.get_template("issue.html").render(page=page)


def scrub(pdf: bytes, claim: Claim | None = None) -> bytes:
    """`pdf` without a document information dictionary or XMP metadata, its `/ID` a
    hash of its content, and the claim's text (if any) in the catalog."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    writer = pypdf.PdfWriter(clone_from=reader)
    writer._info = None
    root = writer._root_object
    for key in ("/Metadata", "/PieceInfo"):
        root.pop(NameObject(key), None)
    if claim is not None:
        root[NameObject(CLAIM_KEY)] = TextStringObject(claim.to_text())
    ident = ByteStringObject(hashlib.sha256(b"hasteh-bulletin-id\0" + pdf).digest()[:16])
    writer._ID = ArrayObject([ident, ident])
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pdf(html: str, size: str) -> bytes:
    fonts = FontConfiguration()
    fetcher = _Fetcher()
    sheets = [
        CSS(filename=str(_TEMPLATES / "press.css"), font_config=fonts, url_fetcher=fetcher),
        CSS(string=f"@page {{ size: {size}; }}", font_config=fonts, url_fetcher=fetcher),
    ]
    try:
        document = HTML(string=html, url_fetcher=fetcher, base_url="hasteh-font:").render(
            stylesheets=sheets, font_config=fonts
        )
        data: bytes = document.write_pdf(pdf_version="1.7")
    except FatalURLFetchingError:
        raise PressFailed("fetch") from None
    return data


def render(issue: Issue, layout: Layout = Layout.A4, claim: Claim | None = None) -> bytes:
    """The issue's PDF: `A4`, `A5`, or an A5 booklet imposed on A4 (`booklet.impose`).
    With a `claim` (`claim.make_claim`), the last page carries it as a QR code."""
    html = issue_html(issue, claim)
    size = "A4" if layout is Layout.A4 else "A5"
    pdf = _pdf(html, size)
    if layout is Layout.BOOKLET:
        pdf = booklet.impose(pdf, keep_last=claim is not None)
    return scrub(pdf, claim)
