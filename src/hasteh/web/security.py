"""The web face's guard: one ASGI middleware in front of every route.

What it enforces, in order, on every HTTP request:

1. **Host allow-list** (DNS rebinding): the `Host` header must be `127.0.0.1:PORT` or
   `localhost:PORT`; anything else is refused with 421 before any route runs.
2. **Session**: a random id in an HttpOnly, SameSite=Strict, Path=/ cookie names a
   `Session` kept in memory (`Sessions`). Without one, only `/static/…` and
   `/launch` answer; every other path gets the neutral "closed" page (403). The
   single-use launch token of `hasteh up` (a POST from its private launch page, or the
   printed `/launch?token=…` link) is the only way to get a session.
3. **POST**: the `Origin` header, if sent, must be this origin or `null` (browsers send
   `null` under `Referrer-Policy: no-referrer`); the body (at most `MAX_BODY` bytes, or
   the larger limit of `LARGE_BODIES` for a courier bundle upload) must
   carry the session's CSRF token in the form field `csrf`, compared in constant time.
   The checked body is then replayed to the route, so no view can forget the check.
4. **Headers on every response**, refusals included: the CSP below, `no-referrer`,
   `nosniff`, `no-store`, `X-Frame-Options: DENY`, and no caching anywhere.

Sessions end on lock (the id is replaced) and on panic (all of them, and the cookie is
cleared with `Clear-Site-Data`).
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The Content-Security-Policy of every response (no script: the pages need none yet).
#: Our pages may frame our own pages (the cell page's news frame, `views.news`, which
#: alone answers with `frame-ancestors 'self'`); nobody may frame ours.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CSP),
    ("referrer-policy", "no-referrer"),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("cache-control", "no-store"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
)
#: The form field that carries the CSRF token.
CSRF_FIELD = "csrf"
#: The largest POST body accepted (an invitation card upload fits many times over).
MAX_BODY = 1024 * 1024
#: Paths that take files larger than `MAX_BODY` (a courier bundle), and their limit.
LARGE_BODIES = {"/courier/import": 65 * 1024 * 1024}
#: Paths ending so take a file shared with a cell (`views.files`): the highest cap a cell
#: may set, and the form around it.
LARGE_BODY_SUFFIXES = {"/files/upload": 61 * 1024 * 1024}
#: Paths answered without a session.
PUBLIC_PREFIXES = ("/static/",)
LAUNCH_PATH = "/launch"
#: The largest body of a POST to `/launch` (one token field).
LAUNCH_BODY = 4096


def body_limit(path: str) -> int:
    """The largest POST body `path` takes."""
    if path in LARGE_BODIES:
        return LARGE_BODIES[path]
    for suffix, limit in LARGE_BODY_SUFFIXES.items():
        if path.endswith(suffix):
            return limit
    return MAX_BODY


def new_secret() -> str:
    """A fresh random token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def same_secret(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; `None` or empty never matches."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


@dataclass(slots=True)
class Session:
    """One browser's session: its CSRF token and language. Never holds a passphrase."""

    id: str = field(default_factory=new_secret)
    csrf: str = field(default_factory=new_secret)
    language: str = "fa"
    #: The person picked the language in this browser (it then wins over the stored one).
    language_chosen: bool = False
    #: Neutral tab title and icon (settings; stored in the vault, read on unlock).
    discreet: bool = False
    last_seen: float = field(default_factory=time.monotonic)


class Sessions:
    """The in-memory session store (nothing about sessions is ever written to disk)."""

    def __init__(self) -> None:
        self._by_id: dict[str, Session] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def start(self, language: str) -> Session:
        session = Session(language=language)
        self._by_id[session.id] = session
        return session

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        for known, session in self._by_id.items():
            if same_secret(session_id, known):
                return session
        return None

    def rotate(self, old: Session) -> Session:
        """End `old` and start a new session (new id and CSRF token) in its language."""
        self.end(old)
        new = self.start(old.language)
        new.language_chosen = old.language_chosen
        new.discreet = old.discreet
        return new

    def end(self, session: Session) -> None:
        self._by_id.pop(session.id, None)

    def end_all(self) -> None:
        self._by_id.clear()


class LaunchToken:
    """The single-use token printed by `hasteh up`; `redeem` succeeds at most once."""

    def __init__(self, token: str) -> None:
        if len(token) < 16:
            raise ValueError("a launch token needs at least 16 characters")
        self._token: str | None = token

    @property
    def used(self) -> bool:
        return self._token is None

    def redeem(self, given: str | None) -> bool:
        if not same_secret(given, self._token):
            return False
        self._token = None
        return True

    def burn(self) -> None:
        self._token = None

    def renew(self, token: str) -> None:
        """A new token replaces the old one, used or not (a second `hasteh up` asked the
        running one to open again: `cli.running`)."""
        if len(token) < 16:
            raise ValueError("a launch token needs at least 16 characters")
        self._token = token


@dataclass(frozen=True, slots=True)
class Origin:
    """Where this web face listens: the Host values and Origin values it accepts."""

    port: int

    @property
    def hosts(self) -> frozenset[str]:
        return frozenset({f"127.0.0.1:{self.port}", f"localhost:{self.port}"})

    @property
    def origins(self) -> frozenset[str]:
        return frozenset(f"http://{host}" for host in self.hosts)

    @property
    def cookie_name(self) -> str:
        # Cookies are not isolated by port; a name per port keeps two instances apart.
        # A neutral name: the browser's cookie list is seen by whoever holds the device.
        return f"session_{self.port}"

    def cookie(self, session_id: str) -> str:
        return f"{self.cookie_name}={session_id}; Path=/; HttpOnly; SameSite=Strict"

    def expired_cookie(self) -> str:
        return f"{self.cookie_name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"


def session_of(request: Request) -> Session:
    """The session the guard attached to this request (every non-public route has one)."""
    session = request.scope.get("state", {}).get("session")
    if not isinstance(session, Session):
        raise RuntimeError("no session on this request")
    return session


class Guard:
    """The ASGI middleware described in the module docstring."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        origin: Origin,
        sessions: Sessions,
        refuse: Callable[[Scope, int, str], Awaitable[tuple[bytes, str]]],
    ) -> None:
        self.app = app
        self.origin = origin
        self.sessions = sessions
        # refuse(scope, status, reason) -> (body, content type): the neutral pages.
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_security_headers(send)
        headers = Headers(scope=scope)
        if headers.get("host") not in self.origin.hosts:
            await self._refuse(scope, send, 421, "host")
            return
        path: str = scope["path"]
        if path.startswith(PUBLIC_PREFIXES):
            if scope["method"] not in ("GET", "HEAD"):
                await self._refuse(scope, send, 405, "method")
                return
            await self.app(scope, receive, send)
            return
        cookies = Request(scope).cookies
        session = self.sessions.get(cookies.get(self.origin.cookie_name))
        if path == LAUNCH_PATH:
            await self._launch(scope, receive, send, session)
            return
        if session is None:
            await self._refuse(scope, send, 403, "closed")
            return
        session.last_seen = time.monotonic()
        scope.setdefault("state", {})["session"] = session
        if scope["method"] == "POST":
            origin = headers.get("origin")
            if origin is not None and origin != "null" and origin not in self.origin.origins:
                await self._refuse(scope, send, 403, "csrf")
                return
            body = await _read_body(receive, body_limit(path))
            if body is None:
                await self._refuse(scope, send, 413, "too_large")
                return
            token = await _form_field(scope, body, CSRF_FIELD)
            if not same_secret(token, session.csrf):
                await self._refuse(scope, send, 403, "csrf")
                return
            receive = _replay(body)
        elif scope["method"] not in ("GET", "HEAD"):
            await self._refuse(scope, send, 405, "method")
            return
        await self.app(scope, receive, send)

    async def _launch(
        self, scope: Scope, receive: Receive, send: Send, session: Session | None
    ) -> None:
        """`/launch` answers with or without a session: the launch token is its own
        credential (there is no CSRF token yet). A POST comes from the private launch
        page `hasteh up` writes (`Origin: null`, a file) or from this origin; its small
        body is read here and replayed."""
        if session is not None:
            scope.setdefault("state", {})["session"] = session
        if scope["method"] == "POST":
            origin = Headers(scope=scope).get("origin")
            if origin is not None and origin != "null" and origin not in self.origin.origins:
                await self._refuse(scope, send, 403, "csrf")
                return
            body = await _read_body(receive, LAUNCH_BODY)
            if body is None:
                await self._refuse(scope, send, 413, "too_large")
                return
            receive = _replay(body)
        elif scope["method"] not in ("GET", "HEAD"):
            await self._refuse(scope, send, 405, "method")
            return
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, send: Send, status: int, reason: str) -> None:
        body, content_type = await self.refuse(scope, status, reason)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", content_type.encode("latin-1")),
                    (b"content-length", str(len(body)).encode("latin-1")),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _with_security_headers(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            names = {name.lower() for name, _ in message.get("headers", [])}
            extra = [
                (name.encode("latin-1"), value.encode("latin-1"))
                for name, value in SECURITY_HEADERS
                if name.encode("latin-1") not in names
            ]
            message["headers"] = [*message.get("headers", []), *extra]
        await send(message)

    return wrapped


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks)
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _form_field(scope: Scope, body: bytes, name: str) -> str | None:
    """The value of one form field of `body` (urlencoded or multipart), or None."""
    request = Request(scope, _replay(body))
    try:
        form = await request.form()
    except Exception:  # malformed bodies are refused like a missing token
        return None
    try:
        value = form.get(name)
        return value if isinstance(value, str) else None
    finally:
        await form.close()
