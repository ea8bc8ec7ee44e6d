"""Settings (relays, Tor proxy, chat expiry, language, discreet mode) and the language
switch.

Stored in the vault's settings table: `transport.relays` (list of URLs, the default for
new cells), `transport.proxy` (the SOCKS proxy, e.g. Tor's `socks5h://127.0.0.1:9050`),
`org.chat_expiry_days` (default 14, DESIGN.md §4), `web.language` and `web.discreet`
(a neutral tab title and icon).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import records
from hasteh.i18n import LANGUAGES, whole_number
from hasteh.vault import Connection
from hasteh.web.app import render, ui_for, web_state
from hasteh.web.i18n import Ui
from hasteh.web.security import session_of
from hasteh.web.views.common import redirect, text, unlocked_only

MAX_RELAYS = 10
MAX_EXPIRY_DAYS = 365
#: Paths the language switch may return to.
RETURN_PATHS = (
    "/",
    "/setup",
    "/unlock",
    "/home",
    "/settings",
    "/panic",
    "/join",
    "/courier",
    "/welcome/1",
    "/welcome/2",
    "/welcome/3",
)
RETURN_PATTERN = re.compile(
    r"^/cell/[0-9a-f]{6,64}"
    r"(?:/decisions(?:/[0-9a-f]{8})?|/members(?:/\d{1,5})?|/safety|/settings)?$"
)


@dataclass
class SettingsPage:
    """Context of `settings.html`."""

    relays: str = field(metadata={"help": "the relay URLs, one per line, as typed"})
    proxy: str = field(metadata={"help": "the SOCKS proxy URL, or empty"})
    chat_expiry_days: str = field(metadata={"help": "days before chat messages disappear"})
    language: str = field(metadata={"help": "the language of the interface: fa or en"})
    relay_url: str | None = field(
        default=None, metadata={"help": "the relay running on this computer, if any"}
    )
    errors: list[str] = field(
        default_factory=list, metadata={"help": "messages shown above the form, translated"}
    )
    saved: bool = field(default=False, metadata={"help": "the settings were just saved"})
    discreet: bool = field(
        default=False, metadata={"help": "neutral tab title and icon («Notes») chosen"}
    )


def check_relay(url: str) -> bool:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a bad port raises here, not later
    except ValueError:  # "https://]x": an invalid IPv6 address, a bad port
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and parts.username is None
        and not parts.query
        and not parts.fragment
    )


def check_proxy(url: str) -> bool:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    return parts.scheme in ("socks5", "socks5h") and bool(parts.hostname) and port is not None


def parse_settings(
    ui: Ui, relays_text: str, proxy: str, expiry_text: str
) -> tuple[list[str], str, int, list[str]]:
    """Validate the form; return relays, proxy, expiry days and translated errors."""
    errors: list[str] = []
    relays = [line.strip().rstrip("/") for line in relays_text.splitlines() if line.strip()]
    if len(relays) > MAX_RELAYS:
        errors.append(ui.gettext("At most 10 relays."))
    if any(not check_relay(r) for r in relays):
        errors.append(ui.gettext("A relay address must start with http:// or https://."))
    proxy = proxy.strip()
    if proxy and not check_proxy(proxy):
        errors.append(ui.gettext("The proxy must look like socks5h://127.0.0.1:9050."))
    days = 0
    number = whole_number(expiry_text)
    if number is not None and 1 <= number <= MAX_EXPIRY_DAYS:
        days = number
    else:
        errors.append(ui.gettext("Days must be a whole number from 1 to 365."))
    return relays, proxy, days, errors


@unlocked_only
async def settings(request: Request) -> Response:
    state = web_state(request)
    assert state.vault is not None
    vault = state.vault
    session = session_of(request)
    ui = ui_for(request)
    relay_url = state.relay.url if state.relay is not None else None
    if request.method == "GET":

        def load(conn: Connection) -> SettingsPage:
            return SettingsPage(
                relays="\n".join(records.default_relays(conn)),
                proxy=records.proxy_url(conn),
                chat_expiry_days=ui.number(records.default_expiry_days(conn)),
                language=session.language,
                relay_url=relay_url,
                saved=request.query_params.get("saved") == "1",
                discreet=records.discreet(conn),
            )

        page = await anyio.to_thread.run_sync(vault.read, load)
        return render(request, "settings.html", page)

    form = await request.form()
    relays, proxy, days, errors = parse_settings(
        ui, text(form, "relays"), text(form, "proxy"), text(form, "chat_expiry_days")
    )
    language = text(form, "language")
    if language not in LANGUAGES:
        errors.append(ui.gettext("Choose a language from the list."))
    if errors:
        page = SettingsPage(
            relays=text(form, "relays"),
            proxy=text(form, "proxy"),
            chat_expiry_days=text(form, "chat_expiry_days"),
            language=language if language in LANGUAGES else session.language,
            relay_url=relay_url,
            errors=errors,
            discreet=text(form, "discreet") == "yes",
        )
        return render(request, "settings.html", page, status_code=400)

    def store(conn: Connection) -> None:
        records.set_default_relays(conn, relays)
        records.set_proxy_url(conn, proxy or "")
        records.set_default_expiry_days(conn, days)
        records.set_profile_language(conn, language)
        records.set_discreet(conn, discreet)

    discreet = text(form, "discreet") == "yes"
    await anyio.to_thread.run_sync(vault.write, store)
    session.discreet = discreet
    session.language = language
    session.language_chosen = True
    return redirect("/settings?saved=1")


async def switch_language(request: Request) -> Response:
    """The language switch in every page's header (works before unlock too)."""
    state = web_state(request)
    session = session_of(request)
    form = await request.form()
    language = text(form, "language")
    if language in LANGUAGES:
        session.language = language
        session.language_chosen = True
        if state.vault is not None and not state.vault.closed:
            vault = state.vault
            await anyio.to_thread.run_sync(
                vault.write, lambda conn: records.set_profile_language(conn, language)
            )
    back = text(form, "next")
    return redirect(back if back in RETURN_PATHS or RETURN_PATTERN.match(back) else "/")


routes = [
    Route("/settings", settings, methods=["GET", "POST"]),
    Route("/language", switch_language, methods=["POST"]),
]
