"""The state every view shares, and how a page is rendered (the factory is `web.factory`).

One process serves one profile folder (`home`) to one person. The unlocked `Vault` lives
in `WebState` (never a passphrase); sessions, CSRF tokens and the launch token live in
`security`. Views (`web/views/<page>.py`) render `templates/<page>.html`, each with a
page dataclass as its context (`page`), plus `ui` (language helpers), `_` (translate),
`csrf` (the session's token) and `chrome` (what the frame around the page shows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from hasteh.i18n import DEFAULT_LANGUAGE, LANGUAGES
from hasteh.vault import DEFAULT_KDF, MIN_KDF, KdfParams, Vault
from hasteh.vault.profile import keyfile_path
from hasteh.web.i18n import NATIVE_NAMES, Ui, normalize_language
from hasteh.web.security import LaunchToken, Origin, Session, Sessions, session_of

if TYPE_CHECKING:
    from hasteh.app import Workspace
    from hasteh.tor.runtime import SharedTor
    from hasteh.transport.courier import KdfCost
    from hasteh.web.background import BackgroundSync

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


class EmbeddedRelay(Protocol):
    """A relay the face may start on loopback when the profile lists none (`hasteh up`)."""

    @property
    def url(self) -> str | None:
        """Where it answers, once started."""

    async def start(self, key: bytes) -> str:
        """Start it with the database key of the unlocked profile (idempotent for the same
        key; another key restarts it on a fresh database) and return its URL."""

    async def stop_unless(self, key: bytes) -> None:
        """Stop it if it runs under another key than `key` (another profile's)."""

    async def destroy(self) -> None:
        """Stop it and shred its files (on panic)."""


@dataclass
class WebState:
    """Everything the views share. One instance per `create_web` call."""

    home: Path
    origin: Origin
    launch: LaunchToken
    sessions: Sessions = field(default_factory=Sessions)
    kdf: KdfParams = DEFAULT_KDF
    min_kdf: KdfParams = MIN_KDF
    vault: Vault | None = None
    relay: EmbeddedRelay | None = None
    #: hasteh's own tor for this process (`hasteh up`), shared by the relay clients and the
    #: embedded relay's onion service; None: relays are reached as `transport.reach` says.
    tor: SharedTor | None = None
    on_panic: Callable[[], None] | None = None
    #: Runs once the launch token is redeemed (`hasteh up` deletes its launch page).
    on_launch: Callable[[], None] | None = None
    today: Callable[[], dt.date] = dt.date.today
    #: Set by panic: from then on every request gets the neutral page.
    spent: bool = False
    #: The app workspace over `vault` (made on first use; `web.appcalls`).
    workspace: Workspace | None = None
    #: The last courier bundle exported, until downloaded or locked.
    exported: Exported | None = None
    #: Argon2id cost of courier bundle codes (None: the transport default).
    courier_cost: KdfCost | None = None
    #: Per cell, what its page last needed from the app (`views.cell.CellMemo`);
    #: dropped on lock and panic.
    cell_memos: dict[bytes, Any] = field(default_factory=dict)
    #: The background sync of `hasteh up` (`web.background`), when it runs.
    background: BackgroundSync | None = None
    #: The unlocked profile's time zone (`records.time_zone`), None while locked.
    zone: dt.tzinfo | None = None
    #: The spoken code this profile shows (`views.spoken.SpokenSession`), if any;
    #: dropped on lock and panic.
    spoken: Any = None
    #: The contact this profile is handing over (`views.handover.HandoverSession`), if
    #: any; dropped on lock and panic.
    handover: Any = None

    @property
    def has_profile(self) -> bool:
        return keyfile_path(self.home).exists()

    @property
    def unlocked(self) -> bool:
        return self.vault is not None and not self.vault.closed


@dataclass(frozen=True, slots=True)
class Exported:
    """A courier bundle made on this page, kept in memory until downloaded."""

    code: str
    data: bytes
    envelopes: int


@dataclass(frozen=True, slots=True)
class Chrome:
    """What the frame around every page shows (header, navigation, language switch)."""

    unlocked: bool
    path: str
    languages: tuple[tuple[str, str], ...]
    #: A profile exists in this folder (then "hide" and panic are offered).
    has_profile: bool = False
    #: Neutral tab title and icon («یادداشت‌ها»), so a glance at a tab or the history
    #: does not say hasteh (the person's choice in settings, kept per session).
    discreet: bool = False


def web_state(request: Request) -> WebState:
    state = request.app.state.web
    assert isinstance(state, WebState)
    return state


def ui_for(request: Request) -> Ui:
    session = request.scope.get("state", {}).get("session")
    language = session.language if isinstance(session, Session) else DEFAULT_LANGUAGE
    return Ui(normalize_language(language), zone=web_state(request).zone)


_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def isolate(value: object) -> str:
    """`value` between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: a Persian name
    inside an English sentence (or the reverse) keeps its own direction (`|bidi`)."""
    return f"\u2068{value}\u2069"


_environment.filters["bidi"] = isolate


def render_template(name: str, ui: Ui, **context: Any) -> str:
    template = _environment.get_template(name)
    return template.render(ui=ui, _=ui.gettext, en=Ui("en").gettext, **context)


def render(
    request: Request,
    name: str,
    page: object,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a page template with its page dataclass and the frame's context."""
    state = web_state(request)
    session = session_of(request)
    ui = ui_for(request)
    chrome = Chrome(
        unlocked=state.unlocked,
        path=request.url.path,
        languages=tuple((code, NATIVE_NAMES[code]) for code in LANGUAGES),
        has_profile=state.has_profile,
        discreet=session.discreet,
    )
    html = render_template(name, ui, page=page, csrf=session.csrf, chrome=chrome)
    return HTMLResponse(html, status_code=status_code, headers=headers)


def set_session_cookie(response: Response, state: WebState, session: Session) -> None:
    response.headers.append("set-cookie", state.origin.cookie(session.id))
