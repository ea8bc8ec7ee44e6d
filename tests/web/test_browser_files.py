"""Files and the library in real Chromium, JavaScript on and off: two people (two real
`hasteh up` processes, A's embedded relay) form a cell; A shares a photo (with a camera's
metadata) and a PDF through the upload form; B fetches, receives the files, sees the
photo inline (cleaned), downloads the PDF as an attachment, adds a reading to the
library and changes its note; an empty upload is refused in Persian. Screenshots of the
page (fa) go to `$HASTEH_SCREENSHOTS`:

    HASTEH_SCREENSHOTS=docs/screenshots \\
        uv run pytest tests/web/test_browser_files.py -k "js and not no-js"
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

pytest.importorskip("playwright")
from PIL import Image
from playwright.sync_api import Browser, expect

from .test_browser import Up, screenshots_dir
from .test_browser_cells import PASS_A, PASS_B, fa, fetch_now, open_person, shoot, two_ups
from .test_browser_fund import form_cell

__all__ = ["two_ups"]  # a shared fixture (Chromium: conftest)

pytestmark = pytest.mark.slow

PDF = b"%PDF-1.4\n/Author (someone)\n" + bytes(300_000)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_files_and_the_library_in_chromium(
    browser: Browser, two_ups: tuple[Up, Up], tmp_path: Path, javascript: bool
) -> None:
    up_a, up_b = two_ups
    folder = screenshots_dir(tmp_path) if javascript else None
    context_a, a, requests_a = open_person(browser, up_a, PASS_A, javascript)
    context_b, b, requests_b = open_person(browser, up_b, PASS_B, javascript)
    cell_path = form_cell(a, b, up_a, up_b)

    photo = tmp_path / "photo.jpg"
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    Image.new("RGB", (160, 90), (20, 120, 60)).save(photo, format="JPEG", exif=exif.tobytes())
    report = tmp_path / "report.pdf"
    report.write_bytes(PDF)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")

    a.goto(f"{up_a.origin}{cell_path}")
    a.get_by_role("link", name=fa("Files and library")).first.click()
    assert a.url == f"{up_a.origin}{cell_path}/files"
    upload = a.get_by_label(fa("The file to share."), exact=True)
    share = a.get_by_role("button", name=fa("Share the file"), exact=True)
    upload.set_input_files(str(empty))
    share.click()
    expect(a.get_by_role("alert").first).to_contain_text("فایل خالی است")
    upload.set_input_files(str(photo))
    share.click()
    assert a.get_by_role("status").inner_text() == fa("The file was shared with the cell.")
    upload.set_input_files(str(report))
    a.get_by_label(fa("The name shown to the cell."), exact=True).fill("گزارش مزد.pdf")
    share.click()
    assert a.get_by_role("status").inner_text() == fa("The file was shared with the cell.")

    b.goto(f"{up_b.origin}{cell_path}/files")
    fetch_now(b)
    b.get_by_role("button", name=fa("Receive files"), exact=True).click()
    expect(b.get_by_role("status")).to_have_text(fa("Files received: {n}.").format(n="۲"))
    image = b.locator("img.shared")
    expect(image).to_have_count(1)
    source = image.get_attribute("src")
    assert source is not None
    shown = b.request.get(f"{up_b.origin}{source}")
    assert shown.ok and b"PhoneMaker" not in shown.body()
    with Image.open(io.BytesIO(shown.body())) as opened:
        assert opened.size == (160, 90)
    link = b.locator("ul.files > li", has_text="گزارش مزد.pdf").get_by_role(
        "link", name=fa("Download")
    )
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href is not None
    direct = b.request.get(f"{up_b.origin}{href}", timeout=90_000)
    assert direct.ok, direct.status
    assert direct.headers["content-disposition"].startswith("attachment;")
    assert direct.headers["content-type"] == "application/octet-stream"
    # A loaded 2-core CI machine can hold the app behind a background sync round.
    with b.expect_download(timeout=90_000) as arrived:
        link.click()
    saved = tmp_path / "saved.pdf"
    arrived.value.save_as(saved)
    assert saved.read_bytes() == PDF
    assert arrived.value.suggested_filename.endswith(".pdf")

    b.get_by_label(fa("The reading's title."), exact=True).fill("تجربهٔ اعتصاب کره")
    b.get_by_label(fa("Kind"), exact=True).last.select_option("international")
    b.get_by_label(fa("A note for the cell: why read it, which pages."), exact=True).fill("فصل ۲")
    b.get_by_role("button", name=fa("Add an item to the library."), exact=True).click()
    expect(b.locator("#library")).to_contain_text("تجربهٔ اعتصاب کره")
    b.get_by_label(fa("The new note."), exact=True).fill("فصل ۲ و ۳")
    b.get_by_role("button", name=fa("Change an item's note."), exact=True).click()
    expect(b.locator("#library")).to_contain_text("فصل ۲ و ۳")
    fetch_now(a)
    expect(a.locator("#library")).to_contain_text("فصل ۲ و ۳")
    if folder is not None:
        shoot(b, folder, "files-fa")
    for requests, up in ((requests_a, up_a), (requests_b, up_b)):
        assert all(r.startswith(up.origin) for r in requests), requests
    context_a.close()
    context_b.close()
