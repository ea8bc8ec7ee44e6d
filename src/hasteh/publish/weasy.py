"""WeasyPrint, imported without its side effect on Pillow.

Importing `weasyprint.images` sets Pillow's process-wide `ImageFile.LOAD_TRUNCATED_IMAGES`
to True, after which *every* Pillow user in the process accepts a cut-off file as an
image (the card reader's "not an image" check among them; found by
tests/cli/test_card_input_cli.py once `hasteh --help` had loaded the press). The press
only ever hands WeasyPrint images it re-encoded itself, so the flag is put back as it
was, and every other module imports WeasyPrint through here.
"""

from __future__ import annotations

from PIL import ImageFile

_BEFORE = ImageFile.LOAD_TRUNCATED_IMAGES

from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse  # noqa: E402

ImageFile.LOAD_TRUNCATED_IMAGES = _BEFORE

__all__ = [
    "CSS",
    "HTML",
    "FatalURLFetchingError",
    "FontConfiguration",
    "URLFetcher",
    "URLFetcherResponse",
]
