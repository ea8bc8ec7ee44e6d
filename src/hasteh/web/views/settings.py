"""Settings (relays, Tor, chat expiry, language, discreet mode) and the language switch.

Stored in the vault's settings table: `transport.relays` (list of URLs, the default for
new cells), `transport.proxy` (the SOCKS proxy, e.g. Tor's `socks5h://127.0.0.1:9050`),
`tor.own` and `tor.bridges` (hasteh's own tor and its bridges, `transport.tor_settings`),
`org.chat_expiry_days` (default 14, DESIGN.md §4), `web.language`, `web.discreet`
(a neutral tab title and icon) and `dropbox.open` (serve the drop box while hasteh is open,
read by `hasteh up`: `cli.web.DropBoxPage.follow_setting`). The Tor section also
shows the state of hasteh's tor in this process (`hasteh up`): off, connecting with its
percent, connected, or why it failed.
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
from hasteh.tor.bridges import parse_bridges
from hasteh.tor.errors import (
    BRIDGE_LINE_MESSAGE,
    BRIDGE_MESSAGES,
    TOR_FAILED_MESSAGES,
    BridgeLineInvalid,
    TorError,
    TorFailed,
    TorMissing,
)
from hasteh.tor.runtime import TorStatus
from hasteh.transport import tor_settings
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
    rendezvous: str = field(
        default="", metadata={"help": "the rendezvous relays of spoken codes, one per line"}
    )
    errors: list[str] = field(
        default_factory=list, metadata={"help": "messages shown above the form, translated"}
    )
    saved: bool = field(default=False, metadata={"help": "the settings were just saved"})
    discreet: bool = field(
        default=False, metadata={"help": "neutral tab title and icon («Notes») chosen"}
    )
    own_tor: bool = field(default=False, metadata={"help": "hasteh starts its own tor"})
    drop_box: bool = field(
        default=False, metadata={"help": "serve the drop box while hasteh is open"}
    )
    bridges: str = field(default="", metadata={"help": "bridge lines, one per line, as typed"})
    tor_status: str = field(
        default="", metadata={"help": "the state of hasteh's tor right now, translated"}
    )


def tor_status_text(ui: Ui, status: TorStatus) -> str:
    """What the Tor section says about hasteh's tor in this process."""
    if status.state == "starting":
        return ui.gettext("Connecting to Tor: {percent}%").format(percent=ui.number(status.percent))
    if status.state == "ready":
        return ui.gettext("Tor reached the network.")
    if status.state == "failed" and status.error is not None:
        return tor_error_text(ui, status.error)
    return ui.gettext("hasteh's own Tor is not running now.")


def tor_error_text(ui: Ui, error: TorError) -> str:
    if isinstance(error, TorMissing):
        return ui.gettext("The program {program} is not installed.").format(program=error.program)
    if isinstance(error, TorFailed):
        return ui.gettext(TOR_FAILED_MESSAGES[error.why])
    return ui.gettext("Tor could not reach the network in time.")


def bridge_errors(ui: Ui, text_: str) -> list[str]:
    """The refusal of pasted bridge lines in the page's language (none when they pass)."""
    try:
        parse_bridges(text_)
    except BridgeLineInvalid as exc:
        problem = ui.gettext(BRIDGE_MESSAGES[exc.reason])
        if exc.number:
            problem = ui.gettext(BRIDGE_LINE_MESSAGE).format(
                number=ui.number(exc.number), problem=problem
            )
        return [problem]
    return []


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
    status = tor_status_text(ui, state.tor.status if state.tor is not None else TorStatus("off"))
    if request.method == "GET":

        def load(conn: Connection) -> SettingsPage:
            return SettingsPage(
                own_tor=tor_settings.own_tor(conn),
                bridges=tor_settings.bridges_text(conn),
                tor_status=status,
                relays="\n".join(records.default_relays(conn)),
                proxy=records.proxy_url(conn),
                chat_expiry_days=ui.number(records.default_expiry_days(conn)),
                language=session.language,
                relay_url=relay_url,
                rendezvous="\n".join(records.rendezvous_relays(conn)),
                saved=request.query_params.get("saved") == "1",
                discreet=records.web_discreet(conn),
                drop_box=records.drop_box_open(conn),
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
    own_tor = text(form, "own_tor") == "on"
    bridges = text(form, "bridges")
    errors += bridge_errors(ui, bridges)
    # Absent from the form: unchanged; empty: the list shipped with hasteh.
    rendezvous_text = form.get("rendezvous")
    rendezvous = None
    if isinstance(rendezvous_text, str):
        rendezvous, more = parse_settings(ui, rendezvous_text, "", "1")[::3]
        errors += more
    if errors:
        page = SettingsPage(
            own_tor=own_tor,
            bridges=bridges,
            tor_status=status,
            relays=text(form, "relays"),
            proxy=text(form, "proxy"),
            chat_expiry_days=text(form, "chat_expiry_days"),
            language=language if language in LANGUAGES else session.language,
            relay_url=relay_url,
            rendezvous=text(form, "rendezvous"),
            errors=errors,
            discreet=text(form, "discreet") == "yes",
            drop_box=text(form, "drop_box") == "yes",
        )
        return render(request, "settings.html", page, status_code=400)

    def store(conn: Connection) -> None:
        records.set_default_relays(conn, relays)
        records.set_proxy_url(conn, proxy or "")
        records.set_default_expiry_days(conn, days)
        records.set_profile_language(conn, language)
        records.set_web_discreet(conn, discreet)
        records.set_drop_box_open(conn, text(form, "drop_box") == "yes")
        tor_settings.set_own_tor(conn, own_tor)
        tor_settings.set_bridges(conn, bridges)
        if rendezvous is not None:
            records.set_rendezvous_relays(conn, rendezvous)

    discreet = text(form, "discreet") == "yes"
    await anyio.to_thread.run_sync(vault.write, store)
    session.discreet = discreet
    if state.workspace is not None:
        state.workspace.forget_clients()  # the next relay clients use the new Tor settings
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
