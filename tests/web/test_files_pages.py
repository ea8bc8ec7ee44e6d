"""The files and library page: upload (multipart), receive, download as an attachment
that nothing renders, images inline (cleaned), the library with notes; bad input gets a
Persian message and changes nothing. In-process, with a real relay process."""

from __future__ import annotations

import html as htmllib
import io
import re
from collections.abc import Callable

from PIL import Image

from hasteh.app.errors import APP_MESSAGES
from tests.web.test_cells import FA, Person, form_cell, people, relay

__all__ = ["people", "relay"]  # the fixtures, used by name

PDF = b"%PDF-1.4 /Author (someone)\n" + bytes(70_000)


def photo() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 120, 10)).save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def ids_on(page: str, prefix: str) -> list[str]:
    return re.findall(rf'<li id="{prefix}-([0-9a-f]{{8}})">', page)


def test_files_and_the_library_through_the_pages(people: Callable[[str], Person]) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    files = f"{cell}/files"
    assert FA.gettext("Files and library") in a.client.get(cell).text
    # A cross-site upload (no CSRF token) is refused.
    forged = b.client.post(f"{files}/upload", files={"file": ("x.pdf", PDF)})
    assert forged.status_code == 403
    status, path, page = a.submit(
        f"{files}/upload", {"name": "گزارش مزد.pdf"}, files, {"file": ("r.pdf", PDF)}
    )
    assert status == 200 and path == files, page
    assert FA.gettext("The file was shared with the cell.") in page
    status, _, page = a.submit(f"{files}/upload", {}, files, {"file": ("photo.jpg", photo())})
    assert status == 200, page
    _, _, page = b.submit("/sync", {"next": files}, files)
    assert FA.gettext("Files not on this device yet: {n}").format(n="۲") in page
    status, _, page = b.submit(f"{files}/fetch", {}, files)
    assert status == 200 and FA.gettext("Files received: {n}.").format(n="۲") in page
    image_id, pdf_id = ids_on(page, "f")
    download = b.client.get(f"{files}/{pdf_id}/download")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in download.headers["content-security-policy"]
    assert download.headers["x-content-type-options"] == "nosniff"
    assert FA.gettext(
        "hasteh carries this file as it is and never opens it. Its own metadata (a PDF's or "
        "a document's author, an audio file's tags) may name whoever made it: check it before "
        "you share it, and open it only on a computer you trust."
    ) in htmllib.unescape(page)
    shown = b.client.get(f"{files}/{image_id}/image")
    assert shown.status_code == 200 and shown.headers["content-type"].startswith("image/")
    assert b"PhoneMaker" not in shown.content
    assert b.client.get(f"{files}/{pdf_id}/image").status_code == 404  # never inline
    # The library.
    data = {"title": "تجربهٔ اعتصاب کره", "kind": "international", "note": "فصل ۲", "file": "۱"}
    status, _, page = b.submit(f"{cell}/library", data, files)
    assert status == 200, page
    (item,) = ids_on(page, "i")
    status, _, page = b.submit(f"{cell}/library/{item}/note", {"note": "فصل ۲ و ۳"}, files)
    assert status == 200 and "فصل ۲ و ۳" in page
    _, _, page = a.submit("/sync", {"next": files}, files)
    assert "تجربهٔ اعتصاب کره" in page and "فصل ۲ و ۳" in page
    assert f"/library/{item}/note" not in page  # not A's item: no form
    status, _, page = a.submit(f"{cell}/library/{item}/note", {"note": "x"}, files)
    assert status == 400


def test_bad_input_on_the_files_page_changes_nothing(people: Callable[[str], Person]) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    files = f"{cell}/files"
    before = a.client.get(files).text
    cases = [
        ("files/upload", {}, {"file": ("e.txt", b"")}, APP_MESSAGES["file-empty"]),
        (
            "files/upload",
            {"kind": "image"},
            {"file": ("x.png", b"abc")},
            APP_MESSAGES["not-an-image"],
        ),
        (
            "files/upload",
            {"kind": "movie"},
            {"file": ("x.txt", b"abc")},
            APP_MESSAGES["bad-file-kind"],
        ),
        ("library", {"title": "x", "kind": "novel"}, None, APP_MESSAGES["bad-library-kind"]),
        (
            "library",
            {"title": "x", "kind": "reading", "file": "۹"},
            None,
            APP_MESSAGES["no-such-file"],
        ),
        ("library/abcdef12/note", {"note": "x"}, None, APP_MESSAGES["no-such-item"]),
        ("files/abcdef12/remove", {}, None, APP_MESSAGES["no-such-file"]),
    ]
    for path, data, upload, message in cases:
        status, _, page = a.submit(f"{cell}/{path}", data, files, upload)
        assert status == 400, (path, page)
        expected = FA.gettext(message).split("{")[0]
        assert expected in htmllib.unescape(page), (path, expected)
    after = a.client.get(files).text
    assert ids_on(after, "f") == ids_on(before, "f") == []
    assert ids_on(after, "i") == []
