"""Page images of a bulletin, for messengers: the way bulletins mostly travel in Iran.

`pdftoppm` (poppler-utils) draws each page; the PDF goes in on stdin and the image comes
out on stdout, so no page of an unpublished issue is ever written to a temporary file.
Pillow then copies the pixels into a fresh image (no text chunks, no EXIF) and encodes it.
"""

from __future__ import annotations

import enum
import io
import shutil
import subprocess

from PIL import Image
from pypdf import PdfReader

from hasteh.publish.attachments import fresh_copy
from hasteh.publish.errors import PressFailed

__all__ = ["ImageKind", "page_count", "page_image", "page_images", "raster"]


class ImageKind(enum.Enum):
    PNG = "png"
    JPEG = "jpeg"


def raster(pdf: bytes, page: int, dpi: int) -> Image.Image:
    """Page `page` (1-based) of `pdf` as an RGB image drawn by pdftoppm at `dpi`."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise PressFailed("no-pdftoppm")
    try:
        done = subprocess.run(  # noqa: S603 (a fixed tool and our own arguments)
            [tool, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", "-"],
            input=pdf,
            capture_output=True,
            check=False,
            timeout=120,
        )
    except (subprocess.TimeoutExpired, OSError):
        raise PressFailed("pdftoppm-failed") from None
    if done.returncode != 0 or not done.stdout:
        raise PressFailed("pdftoppm-failed")
    with Image.open(io.BytesIO(done.stdout), formats=("PNG",)) as image:
        image.load()
        return fresh_copy(image).convert("RGB")


def page_count(pdf: bytes) -> int:
    """How many pages `pdf` has."""
    return len(PdfReader(io.BytesIO(pdf)).pages)


def page_image(pdf: bytes, page: int, kind: ImageKind = ImageKind.PNG, dpi: int = 110) -> bytes:
    """One page as PNG or JPEG bytes with no metadata (110 dpi: an A5 page is about
    640 × 910 pixels, readable on a phone and small enough for a slow link)."""
    image = raster(pdf, page, dpi)
    out = io.BytesIO()
    if kind is ImageKind.JPEG:
        image.save(out, format="jpeg", quality=85)
    else:
        image.save(out, format="png", optimize=True)
    return out.getvalue()


def page_images(pdf: bytes, kind: ImageKind = ImageKind.PNG, dpi: int = 110) -> list[bytes]:
    """Every page of `pdf` as an image, first page first."""
    return [page_image(pdf, n, kind, dpi) for n in range(1, page_count(pdf) + 1)]
