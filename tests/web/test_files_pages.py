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
from hasteh.org.errors import MESSAGES as ORG_MESSAGES
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


def _adopt(cell: str, decision: str, voters: list[Person]) -> None:
    """Every member agrees to `decision` (synced in turn), then the first closes it."""
    for person in voters:
        person.submit("/sync", {"next": decision}, decision)
        status, _, page = person.submit(f"{decision}/vote", {"position": "agree"}, decision)
        assert status == 200, page
        person.submit("/sync", {"next": decision}, decision)
    voters[0].submit("/sync", {"next": decision}, decision)
    status, _, page = voters[0].submit(f"{decision}/close", {}, decision)
    assert status == 200 and 'class="outcome"' in page, page


def test_removing_library_items_from_the_page(people: Callable[[str], Person]) -> None:
    """The author removes their own item with one button; another member's item leaves
    only by an adopted decision opened after it was added: the page opens that decision
    and, once adopted, offers it. A forged form (no decision, or one not adopted) is
    refused by the log and the item stays."""
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    files = f"{cell}/files"
    for title in ("کتاب اول", "کتاب دوم"):
        status, _, page = b.submit(f"{cell}/library", {"title": title, "kind": "reading"}, files)
        assert status == 200, page
    first, second = ids_on(page, "i")[::-1]
    status, _, page = b.submit(f"{cell}/library/{second}/remove", {}, files)
    assert status == 200 and "کتاب دوم" not in page  # the author removes their own
    _, _, page = a.submit("/sync", {"next": files}, files)
    assert "کتاب اول" in page and "کتاب دوم" not in page
    assert f"/library/{first}/propose-removal" in page
    assert f'id="decided-{first}"' not in page  # no decision adopted after it yet
    status, _, page = a.submit(f"{cell}/library/{first}/remove", {}, files)
    assert status == 400 and FA.gettext(ORG_MESSAGES["not-your-item"]) in page
    _, old, _ = a.submit(
        f"{cell}/decisions",
        {"kind": "consent", "question": "جلسه جمعه؟", "deadline": "+2d"},
        f"{cell}/decisions",
    )
    old_id = old.rsplit("/", 1)[1]  # open, not adopted: it removes nothing
    status, _, page = a.submit(f"{cell}/library/{first}/remove", {"decision": old_id}, files)
    assert status == 400 and FA.gettext(ORG_MESSAGES["motion-not-adopted"]) in page
    assert "کتاب اول" in a.client.get(files).text
    # The page opens the decision; once adopted, it offers it and the item leaves.
    status, decision, page = a.submit(f"{cell}/library/{first}/propose-removal", {}, files)
    assert status == 200 and re.fullmatch(rf"{cell}/decisions/[0-9a-f]{{8}}", decision), page
    question = FA.gettext("Remove «{title}» from the library?").format(title="کتاب اول")
    assert question in htmllib.unescape(page)
    _adopt(cell, decision, [a, b])
    page = a.client.get(files).text
    offered = re.search(rf'<select id="decided-{first}" name="decision">(.*?)</select>', page, re.S)
    assert offered and decision.rsplit("/", 1)[1] in offered.group(1)
    assert old_id not in offered.group(1)  # still open
    chosen = {"decision": decision.rsplit("/", 1)[1]}
    status, _, page = a.submit(f"{cell}/library/{first}/remove", chosen, files)
    assert status == 200 and "کتاب اول" not in page, page
    _, _, page = b.submit("/sync", {"next": files}, files)
    assert "کتاب اول" not in page and FA.gettext("The library is empty.") in page
