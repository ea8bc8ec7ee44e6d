"""The drop box's members page: what an outsider handed in (text and a photo), a reply
and the published mark through the forms, a slip as a PDF; bad input gets a Persian
message and changes nothing. In-process, with a real relay process, like test_cells."""

from __future__ import annotations

import html as htmllib
import io
from collections.abc import Callable

from PIL import Image

from hasteh.app import dropbox
from hasteh.app.errors import APP_MESSAGES
from tests.web.test_cells import FA, Person, form_cell, people, relay

__all__ = ["people", "relay"]  # the fixtures, used by name

TEXT = "در انبار سه نفر بدون قرارداد کار می‌کنند."


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 20, 20)).save(out, format="JPEG")
    return out.getvalue()


def test_members_read_reply_and_mark_published(people: Callable[[str], Person]) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    cell_id = cell.rsplit("/", 1)[1]
    drop = f"{cell}/drop"
    assert f'href="{drop}"' in a.client.get(f"{cell}/settings").text  # found from settings
    code = a.app_read(lambda ws: dropbox.make_code(ws, cell_id).code)
    codename = a.app_read(lambda ws: dropbox.submit(ws, str(code), TEXT, [jpeg()]))
    assert FA.gettext("The drop box is empty.") in b.client.get(drop).text
    a.submit("/sync", {"next": drop}, drop)
    _, _, page = b.submit("/sync", {"next": drop}, drop)
    assert TEXT in page and 'src="data:image/jpeg;base64,' in page
    ref = page.split('<li id="s-', 1)[1][:8]
    # a cross-site post (no CSRF token) is refused
    assert b.client.post(f"{drop}/reply", data={"ref": ref, "text": "x"}).status_code == 403
    status, path, page = b.submit(f"{drop}/reply", {"ref": ref, "text": "ممنون از گزارش"}, drop)
    assert status == 200 and path == drop, page
    status, _, page = b.submit(f"{drop}/published", {"ref": ref}, drop)
    assert status == 200 and "ممنون از گزارش" in page
    a.submit("/sync", {"next": drop}, drop)
    seen = a.app_read(lambda ws: dropbox.receipt(ws, str(codename)))
    assert seen.published and seen.replies == ("ممنون از گزارش",)  # type: ignore[attr-defined]


def test_bad_input_and_the_slip(people: Callable[[str], Person]) -> None:
    a, b = people("a"), people("b")
    cell = form_cell(a, b)
    drop = f"{cell}/drop"
    status, _, page = a.submit(f"{drop}/reply", {"ref": "ffff0000", "text": "x"}, drop)
    assert status == 400
    expected = FA.gettext(APP_MESSAGES["drop-unknown-item"]).format(ref="ffff0000")
    assert expected in htmllib.unescape(page)
    status, _, page = a.submit(f"{drop}/burn", {"ref": "x"}, drop)
    assert status == 400
    csrf_page = a.client.get(drop).text
    csrf = csrf_page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    slip = a.client.post(f"{drop}/slip", data={"csrf": csrf})
    assert slip.status_code == 200 and slip.content.startswith(b"%PDF")
    assert slip.headers["content-disposition"].startswith("attachment")
