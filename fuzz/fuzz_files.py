"""Files shared in a cell: hostile bytes where a chunk, an envelope, an image or a file
name is expected.

* mode 0: a chunk payload for a file whose chunks are known: `open_chunk` refuses
  anything whose hash is not one of the file's, and never opens a changed chunk;
* mode 1: an envelope of the file's mailbox: `Envelope.from_bytes`, `open_payload`,
  then `open_chunk`, as `files.take` does before storing anything;
* mode 2: an image, as a member's modified client might send it: `clean_image` (what
  sender and receiver both run) may refuse it with `BadImage`; one it takes is a PNG or
  JPEG that carries no EXIF, no text chunk, no ICC profile, and cleans again to itself
  in size;
* mode 3: a file name typed or uploaded: `split_name` either refuses (`AppError`) or
  gives a clean name and a short Latin extension; `safe_filename` never gives a folder,
  a hidden file or a control character; `detect_kind` never raises.

Only `BadImage` (images) and `AppError` (names) may escape."""

from __future__ import annotations

import hashlib
import io
import unicodedata

from PIL import Image

from fuzz._common import Finding, harness, main
from hasteh.app.errors import AppError
from hasteh.app.files import (
    chunk_envelope,
    detect_kind,
    open_chunk,
    safe_filename,
    seal_chunks,
    split_name,
)
from hasteh.envelope import Envelope, EnvelopeError, open_payload
from hasteh.org import EventId, LeafIndex
from hasteh.org.names import clean_name
from hasteh.org.state import SharedFile
from hasteh.publish.attachments import clean_image
from hasteh.publish.errors import BadImage

KEY = hashlib.sha256(b"fuzz file key").digest()
BLOB = hashlib.sha256(b"fuzz file blob").digest()[:16]
DATA = b"%PDF-1.4 fuzz\n" * 20_000  # two chunks
CHUNKS = seal_chunks(KEY, BLOB, DATA)
SHARED = SharedFile(
    file_id=EventId(b"\x01" * 16),
    name="fuzz",
    ext="pdf",
    kind="pdf",
    size=len(DATA),
    key=KEY,
    blob=BLOB,
    hashes=tuple(hashlib.sha256(c).digest() for c in CHUNKS),
    shared_by=LeafIndex(0),
    shared_by_name="sepideh",
    at=0,
)
#: A real envelope of chunk 0 (the mailbox and masking the fuzzer's bytes are put in).
MAILBOX = chunk_envelope(KEY, 0, CHUNKS[0]).mailbox
_HIDDEN = frozenset(
    "\u200b\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def _check_chunk(payload: bytes) -> None:
    opened = open_chunk(SHARED, payload)
    if opened is None:
        return
    index, plain = opened
    if payload != CHUNKS[index]:
        raise Finding("a chunk other than the file's own was opened")
    if plain != DATA[index * len(plain) : index * len(plain) + len(plain)] and index == 0:
        raise Finding("a chunk opened to other bytes")


def _check_image(data: bytes) -> None:
    try:
        cleaned = clean_image(data)
    except BadImage:
        return
    out = cleaned.data
    if detect_kind(out) != "image":
        raise Finding("a cleaned image is not a PNG or JPEG")
    with Image.open(io.BytesIO(out)) as image:
        size = image.size
        if image.getexif() or image.info.get("icc_profile") or image.info.get("exif"):
            raise Finding("metadata survived the cleaning")
        if any(
            k not in ("dpi", "jfif", "jfif_version", "jfif_unit", "jfif_density", "gamma")
            for k in image.info
        ):
            texts = {k: v for k, v in image.info.items() if isinstance(v, str)}
            if texts:
                raise Finding(f"text survived the cleaning: {sorted(texts)}")
    again = clean_image(out)
    with Image.open(io.BytesIO(again.data)) as image:
        if image.size != size:
            raise Finding("cleaning a clean image changed its size")


def _check_name(text: str) -> None:
    detect_kind(text.encode("utf-8", errors="surrogatepass"))
    safe = safe_filename(text)
    if "/" in safe or "\\" in safe or safe.startswith(".") or not safe:
        raise Finding("a saved file's name names a folder or a hidden file")
    if any(unicodedata.category(c) == "Cc" or c in _HIDDEN for c in safe):
        raise Finding("a saved file's name keeps a control or direction character")
    try:
        name, ext = split_name(text)
    except AppError:
        return
    if clean_name(name, limit=120) != name:
        raise Finding("a shared file's name is not clean")
    if len(ext) > 8 or not (ext.isascii() and (ext.isalnum() or not ext)) or ext != ext.lower():
        raise Finding("a shared file's extension is not short Latin letters and digits")


@harness
def TestOneInput(data: bytes) -> None:
    if not data:
        return
    mode, rest = data[0] % 4, data[1:]
    if mode == 0:
        _check_chunk(rest)
    elif mode == 1:
        try:
            envelope = Envelope.from_bytes(rest)
            payload = open_payload(envelope)
        except EnvelopeError:
            return
        _check_chunk(payload)
    elif mode == 2:
        _check_image(rest)
    else:
        _check_name(rest.decode("utf-8", errors="replace"))


if __name__ == "__main__":
    main(TestOneInput)
