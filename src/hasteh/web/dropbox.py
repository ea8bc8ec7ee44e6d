"""The drop-box page: what an outside worker reaches through a member's onion service.

A separate small Starlette app, never the member's own face: it answers only the
submission form, the receipt page and the stylesheet and fonts they use. It works in Tor
Browser at its safest level (no JavaScript, no cookies), keeps no logs, shows no name of
the cell or the member, and is served only while the member's hasteh is unlocked
(`hasteh up --drop-box`); otherwise it says the drop box is closed, try later.

Every request goes through `_guard`: the `Host` must be one it serves (the onion address,
or loopback for tests), a body is at most `MAX_BODY` bytes (counted as it streams, not
trusted from `Content-Length`), and every answer carries a strict CSP and no cookie.
Wrong codes and codenames are counted by two `dropbox.Gate`s (docs/dropbox.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

import anyio.to_thread
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route

from hasteh.app import Workspace, dropbox
from hasteh.app.errors import BadInput
from hasteh.errors import HastehError
from hasteh.org.events.drop import MAX_DROP_IMAGES, MAX_DROP_TEXT
from hasteh.web.app import STATIC, WebState, render_template
from hasteh.web.appcalls import Refusal, run_app
from hasteh.web.i18n import Ui
from hasteh.web.security import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CSP", "MAX_BODY", "DropBox", "create_dropbox"]

#: Four photos of up to 10 MB each, the text and the form's overhead.
MAX_BODY: Final = 42 * 1024 * 1024
CSP: Final = (
    "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS: Final = (
    ("content-security-policy", CSP),
    ("referrer-policy", "no-referrer"),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("cache-control", "no-store"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
)
_FILES: Final = {
    "/static/site.css": ("site.css", "text/css"),
    "/static/fonts/Vazirmatn-Regular.woff2": ("fonts/Vazirmatn-Regular.woff2", "font/woff2"),
    "/static/fonts/Vazirmatn-Bold.woff2": ("fonts/Vazirmatn-Bold.woff2", "font/woff2"),
}
_UI: Final = Ui("fa")


@dataclass
class DropBox:
    """What the page needs: the member's face state (its unlocked vault), the hosts it
    answers to (None: any, for tests on loopback; `hasteh up` starts with none and adds
    the onion address once it is published), and the two gates."""

    web: WebState
    hosts: set[str] | None = None
    codes: dropbox.Gate = field(default_factory=dropbox.Gate)
    codenames: dropbox.Gate = field(default_factory=dropbox.Gate)


@dataclass(frozen=True, slots=True)
class FormPage:
    errors: tuple[str, ...] = ()
    text: str = ""
    max_text: int = MAX_DROP_TEXT
    max_images: int = MAX_DROP_IMAGES


@dataclass(frozen=True, slots=True)
class DonePage:
    codename: str


@dataclass(frozen=True, slots=True)
class ReceiptPage:
    errors: tuple[str, ...] = ()
    status: dropbox.Status | None = None


def _page(name: str, page: object, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(render_template(f"drop/{name}.html", _UI, page=page), status_code)


def _box(request: Request) -> DropBox:
    box = request.app.state.drop
    assert isinstance(box, DropBox)
    return box


async def _call(box: DropBox, fn: Callable[[Workspace], Any]) -> Any:
    """`fn` on the member's workspace in Persian; `Refusal` with translated lines."""
    if not box.web.unlocked:
        raise BadInput("drop-closed")
    return await anyio.to_thread.run_sync(lambda: run_app(box.web, _UI, fn))


def _closed() -> HTMLResponse:
    return _page("closed", None, 503)


async def form(request: Request) -> Response:
    if not _box(request).web.unlocked:
        return _closed()
    return _page("form", FormPage())


async def submit(request: Request) -> Response:
    box = _box(request)
    if not box.web.unlocked:
        return _closed()
    async with request.form(max_files=MAX_DROP_IMAGES + 1, max_fields=4) as data:
        code = _field(data.get("code"))
        text = _field(data.get("text"))
        photos = [
            await part.read()
            for part in data.getlist("photos")
            if isinstance(part, UploadFile) and part.filename
        ]
    try:
        codename = await _call(
            box, lambda ws: dropbox.submit(ws, code, text, photos, gate=box.codes)
        )
    except Refusal as refusal:
        return _page("form", FormPage(tuple(refusal.lines), text[:MAX_DROP_TEXT]), 400)
    except HastehError:
        return _closed()
    return _page("done", DonePage(codename))


async def receipt_form(request: Request) -> Response:
    if not _box(request).web.unlocked:
        return _closed()
    return _page("receipt", ReceiptPage())


async def receipt(request: Request) -> Response:
    box = _box(request)
    if not box.web.unlocked:
        return _closed()
    async with request.form(max_files=0, max_fields=2) as data:
        codename = _field(data.get("codename"))[:400]
    try:
        status = await _call(box, lambda ws: dropbox.receipt(ws, codename, gate=box.codenames))
    except Refusal as refusal:
        return _page("receipt", ReceiptPage(tuple(refusal.lines)), 400)
    except HastehError:
        return _closed()
    return _page("receipt", ReceiptPage(status=status))


async def static(request: Request) -> Response:
    name, media = _FILES[request.url.path]
    return FileResponse(STATIC / name, media_type=media)


async def not_found(request: Request, exc: Exception) -> Response:
    return _page("missing", None, 404)


async def too_large(request: Request, exc: Exception) -> Response:
    return _page("large", None, 413)


def _field(value: object) -> str:
    return value if isinstance(value, str) else ""


class _Guard:
    """Host allow-list, body limit, and the headers of every answer (refusals too)."""

    def __init__(self, app: ASGIApp, box: DropBox) -> None:
        self.app = app
        self.box = box

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1")
        if self.box.hosts is not None and host not in self.box.hosts:
            await _plain(send, 421, b"")
            return
        length = headers.get(b"content-length", b"0")
        if not length.isdigit() or int(length) > MAX_BODY:
            await _plain(send, 413, b"")
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > MAX_BODY:
                raise HTTPException(413)  # answered by `too_large`, before any parsing ends
            return message

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"set-cookie"]
                kept += [(k.encode(), v.encode()) for k, v in HEADERS]
                message = {**message, "headers": kept}
            await send(message)

        await self.app(scope, counted, secured)


async def _plain(send: Send, status: int, body: bytes) -> None:
    headers = [(k.encode(), v.encode()) for k, v in HEADERS]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def create_dropbox(box: DropBox) -> ASGIApp:
    """The drop-box page for the member whose face state is `box.web`."""
    app = Starlette(
        routes=[
            Route("/", form, methods=["GET"]),
            Route("/", submit, methods=["POST"]),
            Route("/receipt", receipt_form, methods=["GET"]),
            Route("/receipt", receipt, methods=["POST"]),
            *[Route(path, static, methods=["GET"]) for path in _FILES],
        ],
        exception_handlers={404: not_found, 405: not_found, 413: too_large},
    )
    app.state.drop = box
    return _Guard(app, box)
