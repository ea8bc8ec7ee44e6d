"""Images an article may show: checked, re-encoded and stripped before the press sees them.

An attachment is hostile bytes with a friendly name. It is opened only after its header
says it is a PNG or JPEG of a sane size (a 'decompression bomb' is refused before any
pixel is decoded), then its pixels are copied into a fresh image and encoded again: no
EXIF (GPS, camera serial), no text chunks, no ICC profile, no thumbnail survives.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import Final

from PIL import Image, UnidentifiedImageError

from hasteh.publish.errors import BadImage

__all__ = ["MAX_BYTES", "MAX_PIXELS", "MAX_SIDE", "CleanImage", "clean_image", "fresh_copy"]

MAX_BYTES: Final = 10 * 1024 * 1024
MAX_PIXELS: Final = 40_000_000
#: Longer sides are scaled down: 2000 px is 300 dpi across an A5 page.
MAX_SIDE: Final = 2000
_FORMATS: Final = {"PNG": ("png", "image/png"), "JPEG": ("jpeg", "image/jpeg")}


@dataclass(frozen=True, slots=True)
class CleanImage:
    """An image re-encoded from its pixels alone."""

    mime: str
    data: bytes

    @property
    def data_uri(self) -> str:
        """The image inline, so the press never opens a file or a URL for it."""
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


def fresh_copy(image: Image.Image) -> Image.Image:
    """The pixels of `image` in a new image that carries no `info` (metadata) at all."""
    mode = "RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB"
    converted = image.convert(mode)
    return Image.frombytes(mode, converted.size, converted.tobytes())


def clean_image(data: bytes) -> CleanImage:
    """`data` as a metadata-free PNG or JPEG, or `BadImage` (too big, not an image, or a
    kind the press does not take)."""
    if len(data) > MAX_BYTES:
        raise BadImage("too-large", limit=MAX_BYTES // 2**20)
    try:
        with Image.open(io.BytesIO(data), formats=tuple(_FORMATS)) as image:
            width, height = image.size
            if width < 1 or height < 1 or width * height > MAX_PIXELS:
                raise BadImage("too-many-pixels")
            kind, mime = _FORMATS[str(image.format)]
            image.load()
            copy = fresh_copy(image)
    except BadImage:
        raise
    except Image.DecompressionBombError:
        raise BadImage("too-many-pixels") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise BadImage("not-an-image") from None
    copy.thumbnail((MAX_SIDE, MAX_SIDE))
    if kind == "jpeg" and copy.mode == "RGBA":
        copy = copy.convert("RGB")
    out = io.BytesIO()
    copy.save(out, format=kind, optimize=False)
    return CleanImage(mime=mime, data=out.getvalue())
