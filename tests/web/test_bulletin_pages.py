"""The bulletin's pages in-process, two people and a real relay: name an editor, write,
revise and comment, assemble, preview (raw HTML printed as text), approve, publish, and
the other person downloads the same signed bytes, sees "genuine", and records copies by
workplace (a member's name is refused in Persian). Like test_fund_pages."""

from __future__ import annotations

import html as htmllib
import io
import re
from collections.abc import Callable

from pypdf import PdfReader

from tests.web.test_cells import FA, Person, form_cell, people, relay

__all__ = ["people", "relay"]  # the fixtures, used by name


def adopt(a: Person, b: Person, cell: str, page: str) -> None:
    """Both agree to the decision linked on `page`, then A closes it."""
    found = re.search(rf'href="({cell}/decisions/[0-9a-f]{{8}})"', page)
    assert found, page
    decision = found.group(1)
    for person in (a, b):
        person.submit("/sync", {"next": decision}, decision)
        status, _, shown = person.submit(f"{decision}/vote", {"position": "agree"}, decision)
        assert status == 200, shown
    a.submit("/sync", {"next": decision}, decision)
    status, _, shown = a.submit(f"{decision}/close", {}, decision)
    assert status == 200, shown
    for _ in range(3):
        for person in (a, b):
            person.submit("/sync", {"next": cell}, cell)


def test_the_newsroom_through_the_pages(people: Callable[[str], Person]) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    room = f"{cell}/bulletin"
    assert FA.gettext("Bulletin") in a.client.get(cell).text  # in the cell's menu
    # A cross-site post (no CSRF token) is refused.
    assert b.client.post(f"{room}/article", data={"title": "x", "body": "y"}).status_code == 403

    status, _, page = a.submit(f"{room}/editors", {"editors": "سپیده"}, room)
    assert status == 200, page
    adopt(a, b, cell, page)
    page = a.client.get(room).text
    assert FA.gettext("This device holds the bulletin key.") in page
    assert FA.gettext("This device holds the bulletin key.") not in b.client.get(room).text

    body = "دستمزد سه ماه **عقب** افتاده است.\n\n<script>alert(1)</script>"
    status, path, page = b.submit(f"{room}/article", {"title": "دستمزدها", "body": body}, room)
    assert status == 200 and path.startswith(f"{room}/articles/"), page
    article = path.rsplit("/", 1)[1]
    assert "<strong>عقب</strong>" in page and "<script>" not in page
    assert "&lt;script&gt;" in page  # raw HTML is printed as text
    status, _, page = b.submit(f"{room}/comment", {"article": article, "text": "کوتاه‌تر"}, path)
    assert status == 200 and "کوتاه‌تر" in page
    a.submit("/sync", {"next": room}, room)
    data = {"articles": article, "masthead": "صدای کارگر", "number": "۱۲", "date": "۱۴۰۵/۰۹/۱۳"}
    status, path, page = a.submit(f"{room}/issue", data, room)
    assert status == 200 and path.startswith(f"{room}/issues/"), page
    issue = path
    assert FA.gettext("Preview") in page and "<strong>عقب</strong>" in page
    assert FA.gettext("Sign and publish the issue") not in page  # not approved yet
    # a forged publish post is refused with the Persian reason, and nothing is sent
    status, _, page = a.submit(f"{room}/publish", {"issue": issue.rsplit("/", 1)[1]}, issue)
    assert status == 400
    assert FA.gettext(
        "This issue has no adopted approval decision yet: the bulletin key signs only approved "
        "issues."
    ) in htmllib.unescape(page)

    status, _, page = a.submit(f"{room}/approve", {"issue": issue.rsplit("/", 1)[1]}, issue)
    assert status == 200, page
    adopt(a, b, cell, page)
    page = a.client.get(issue).text
    assert FA.gettext("Sign and publish the issue") in page
    assert FA.gettext("Sign and publish the issue") not in b.client.get(issue).text
    status, _, page = a.submit(f"{room}/publish", {"issue": issue.rsplit("/", 1)[1]}, issue)
    assert status == 200, page
    b.submit("/sync", {"next": issue}, issue)
    seen = b.client.get(issue).text
    assert FA.gettext("Genuine: signed with the cell's bulletin key.") in seen
    files = [p.client.get(f"{issue}/issue.pdf") for p in (a, b)]
    assert files[0].content == files[1].content and files[0].content.startswith(b"%PDF-")
    assert files[1].headers["content-disposition"].startswith("attachment")
    assert b.client.get(f"{issue}/booklet.pdf").content.startswith(b"%PDF-")
    assert b.client.get(f"{issue}/page-1.png").content.startswith(b"\x89PNG")

    ref = issue.rsplit("/", 1)[1]
    status, _, page = b.submit(
        f"{room}/copies", {"issue": ref, "workplace": "کارگاه ۳", "copies": "۴۰"}, issue
    )
    assert status == 200 and "کارگاه ۳" in page and "۴۰" in page
    status, _, page = b.submit(
        f"{room}/copies", {"issue": ref, "workplace": "سپیده", "copies": "۲"}, issue
    )
    assert status == 400
    assert FA.gettext(
        "A workplace code must not be a member's name: record copies by workplace only."
    ) in htmllib.unescape(page)


def test_a_copy_is_checked_on_the_newsroom_page(people: Callable[[str], Person]) -> None:
    """A worker handed a PDF or a photo of the back page checks it on the page, without a
    terminal: the genuine file says genuine with its number, a changed byte says altered,
    the back page's image says which key it claims (and that a picture proves nothing of
    its text), anything else is refused in Persian with nothing kept."""
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    room = f"{cell}/bulletin"
    # Before the cell has a key there is nothing to check against.
    status, _, page = b.submit(
        f"{room}/check", {}, room, files={"copy": ("x.pdf", b"%PDF-1.7", "application/pdf")}
    )
    assert status == 400
    assert FA.gettext(
        "This cell has no bulletin key yet, so there is nothing to check a copy against."
    ) in htmllib.unescape(page)

    status, _, page = a.submit(f"{room}/editors", {"editors": "سپیده"}, room)
    adopt(a, b, cell, page)
    status, path, page = b.submit(f"{room}/article", {"title": "دستمزد", "body": "عقب"}, room)
    a.submit("/sync", {"next": room}, room)
    data = {
        "articles": path.rsplit("/", 1)[1],
        "masthead": "صدای کارگر",
        "number": "۷",
        "date": "۱۴۰۵/۰۹/۱۳",
    }
    status, issue, page = a.submit(f"{room}/issue", data, room)
    status, _, page = a.submit(f"{room}/approve", {"issue": issue.rsplit("/", 1)[1]}, issue)
    adopt(a, b, cell, page)
    status, _, page = a.submit(f"{room}/publish", {"issue": issue.rsplit("/", 1)[1]}, issue)
    assert status == 200, page
    b.submit("/sync", {"next": issue}, issue)
    pdf = b.client.get(f"{issue}/issue.pdf").content
    assert pdf.startswith(b"%PDF-")

    def check(name: str, data: bytes, kind: str) -> tuple[int, str]:
        status, _, page = b.submit(f"{room}/check", {}, room, files={"copy": (name, data, kind)})
        return status, htmllib.unescape(page)

    status, page = check("issue.pdf", pdf, "application/pdf")
    assert status == 200, re.findall(r'role="alert"[^<]*<[^<]*', page)
    genuine = FA.gettext(
        "Genuine: this is issue {number}, signed with the cell's current bulletin key."
    )
    assert genuine.format(number="۷") in page

    at = pdf.index(b"stream") + 40  # a byte of the first page's content
    altered = pdf[:at] + bytes([pdf[at] ^ 1]) + pdf[at + 1 :]
    status, page = check("issue.pdf", altered, "application/pdf")
    assert status == 200
    assert (
        FA.gettext("Altered: this file is not the one its issuer signed. Do not pass it on.")
        in page
    )
    assert genuine.format(number="۷") not in page

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    back = b.client.get(f"{issue}/page-{pages}.png").content
    status, page = check("back.png", back, "image/png")
    assert status == 200
    assert (
        FA.gettext(
            "The picture's code claims issue {number} of this cell's current key. A picture "
            "cannot prove its own text: compare it with the genuine file."
        ).format(number="۷")
        in page
    )

    before = b.app_read(lambda ws: ws.vault.read(lambda conn: conn.total_changes))
    for name, junk, kind in (
        ("notes.txt", "سلام".encode(), "text/plain"),
        ("front.png", b.client.get(f"{issue}/page-1.png").content, "image/png"),
    ):
        status, page = check(name, junk, kind)
        assert status == 400, name
        assert (
            FA.gettext(
                "This file is neither a bulletin PDF nor a picture of a back page with its "
                "QR code. Choose the PDF you were given, or a clear photo of the last page."
            )
            in page
        )
    assert b.app_read(lambda ws: ws.vault.read(lambda conn: conn.total_changes)) == before
    # A cross-site post (no CSRF token) is refused.
    assert b.client.post(f"{room}/check", files={"copy": ("x.pdf", pdf)}).status_code == 403
