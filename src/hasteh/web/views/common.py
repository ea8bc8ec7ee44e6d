"""What the views share: where a person belongs, redirects, form values, the notices after
an action and sending at once. Views import this module, not one another, for these."""

from __future__ import annotations

import functools
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import anyio.to_thread
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hasteh.app import Workspace, cards, records, sync
from hasteh.app.errors import CardError
from hasteh.errors import HastehError
from hasteh.vault import Connection, Vault, VaultError
from hasteh.web.app import WebState, set_session_cookie, web_state
from hasteh.web.appcalls import close_workspace
from hasteh.web.i18n import Ui, normalize_language
from hasteh.web.next_steps import explain
from hasteh.web.security import Session, session_of


def redirect(path: str) -> RedirectResponse:
    """POST-redirect-GET (303), always to a local path."""
    assert path.startswith("/") and not path.startswith("//")
    return RedirectResponse(path, status_code=303)


def start_page(state: WebState) -> str:
    """Where a person with a session belongs now."""
    if state.unlocked:
        return "/home"
    return "/unlock" if state.has_profile else "/setup"


def needs_unlocked(request: Request) -> Response | None:
    """A redirect to where the person belongs, unless the profile is unlocked."""
    state = web_state(request)
    return None if state.unlocked else redirect(start_page(state))


Endpoint = Callable[[Request], Awaitable[Response]]


def unlocked_only(view: Endpoint) -> Endpoint:
    """A view for an unlocked profile; anyone else is sent where they belong."""

    @functools.wraps(view)
    async def guarded(request: Request) -> Response:
        if (elsewhere := needs_unlocked(request)) is not None:
            return elsewhere
        return await view(request)

    return guarded


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


#: The deadline choice pre-selected on every form that opens a decision.
DEFAULT_DEADLINE_CHOICE = "three-days"


def deadline_text(form: FormData) -> tuple[str, str]:
    """What the deadline field of a form says (`_deadline.html`): the choice pressed
    (``deadline_choice``) and the date typed (``deadline``). A typed date wins over the
    choice (nobody types one by accident); the app reads either (`decisions.deadline`).
    Returns (choice, typed) as sent, to keep them in the form after an error."""
    choice = text(form, "deadline_choice")
    return (choice if choice else DEFAULT_DEADLINE_CHOICE), text(form, "deadline")


def deadline_input(choice: str, typed: str) -> str:
    """The text `decisions.deadline` reads for a (choice, typed) pair."""
    return typed if typed.strip() else choice


def error_text(ui: Ui, exc: VaultError) -> list[str]:
    """A vault error in the page's language: its message and its next step, by code."""
    return explain(ui, exc)


async def after_unlock(request: Request, vault: Vault, then: str = "/home") -> Response:
    """Keep the vault, renew the session, agree on the language, take the discreet
    choice, start a local relay, and go on to `then` (the first run's screens after a
    profile is made)."""
    state = web_state(request)
    state.vault = vault
    old = session_of(request)
    session = state.sessions.rotate(old)
    if old.language_chosen:
        await anyio.to_thread.run_sync(
            vault.write, lambda conn: records.set_profile_language(conn, session.language)
        )
    else:
        stored = await anyio.to_thread.run_sync(vault.read, records.profile_language)
        if stored is not None:
            session.language = normalize_language(stored)
    session.discreet = await anyio.to_thread.run_sync(vault.read, records.web_discreet)
    state.zone = await anyio.to_thread.run_sync(vault.read, records.time_zone)
    await start_relay_if_needed(state, vault)
    response = redirect(then)
    set_session_cookie(response, state, session)
    return response


async def start_relay_if_needed(state: WebState, vault: Vault) -> None:
    if state.relay is None:
        return
    relays = await anyio.to_thread.run_sync(vault.read, records.default_relays)
    key = await anyio.to_thread.run_sync(vault.write, embedded_relay_key)
    if not relays:
        await state.relay.start(key)
    else:
        # Running for the other profile of this folder (unlocked before the lock)? Stop
        # it: this profile does not use it, and it must not outlive that profile's use.
        await state.relay.stop_unless(key)


def embedded_relay_key(conn: Connection) -> bytes:
    """This profile's key for the embedded relay's database, made on first use. It lives
    in the vault, so the relay's files become noise when the vault is shredded."""
    stored = records.embedded_relay_key(conn)
    if stored is not None:
        return stored
    key = os.urandom(32)
    records.set_embedded_relay_key(conn, key)
    return key


def lock(state: WebState, session: Session) -> Session:
    """Close the vault and replace the session (the old cookie stops working)."""
    close_workspace(state)
    state.zone = None
    if state.vault is not None and not state.vault.closed:
        state.vault.close()
    state.vault = None
    return state.sessions.rotate(session)


#: Notices after a redirect (`?done=…`), as msgids.
NOTICES = {
    "created": "The cell was created. You are its first member.",
    "joined": "You joined the cell. Compare safety words with the members in person.",
    "sent": "Sent.",
    "queued": "Saved, but no relay answered: it will be sent with Fetch now, or carry a "
    "courier bundle.",
    "proposed": "The newcomer was proposed. Another member must vouch; then the cell approves.",
    "answered": "Your answer was recorded.",
    "settings": "A decision on the new settings was opened.",
    "synced": "Fetched: everything new is shown.",
    "unreachable": "No relay answered. Try again later, or carry a courier bundle.",
    "held": (
        "A relay is holding some of your messages back for now (its space or budget is "
        "full). They stay in your outbox and are sent again later."
    ),
    "refused": (
        "A relay no longer accepts this device for a cell: you were probably removed. "
        "Ask a member in person."
    ),
    "removal": "A decision on the removal was opened.",
    "seized": "The device is being removed and every member's keys will be changed.",
    "opened": "The decision was opened.",
    "voted": "Your vote was recorded.",
    "closed": "The decision was closed.",
    "alarm": "The alarm was raised: every member will see it. Meet in person.",
    "notices-read": "This device's notices were set aside. The cell's alarms stay for every "
    "member.",
    "reviewed": "Your review of the seizure report was recorded.",
    "local-on": "This cell now also uses the local relay, reached directly.",
    "local-off": "This cell no longer uses that local relay.",
}
#: Decision kinds (as the app names them) and their names on the page (msgids).
KIND_NAMES = {
    "consent": "Consent",
    "proposal": "Proposal",
    "single": "Single choice",
    "multiple": "Multiple choice",
    "ranked": "Ranked choice",
    "stv": "Ranked, several seats (STV)",
    "optin": "Opt-in",
    "opt-in": "Opt-in",
}


def send_now(ws: Workspace) -> bool:
    """One sync after an action; True when every relay answered. (Here, not in a view:
    several views send at once after an action.)"""
    return sync_outcome(ws) == "synced"


def sync_outcome(ws: Workspace) -> str:
    """One sync, said as a notice key (`NOTICES`): ``synced``, ``held`` (a relay keeps
    some messages back for now), ``refused`` (a relay refuses this device) or
    ``unreachable``."""
    try:
        report = sync.sync(ws)
    except HastehError:
        return "unreachable"
    if report.refused_here:
        return "refused"
    if report.unreachable or report.failed:
        return "unreachable"
    return "held" if report.held else "synced"


#: A cell's pages, one per job (`views.cell`): where an action's notice is shown.
CELL_PAGES = {
    "talk": "",
    "decisions": "/decisions",
    "members": "/members",
    "safety": "/safety",
    "settings": "/settings",
    "relays": "/relays",
}


def done(ref: str, what: str, page: str = "talk", **query: str) -> Response:
    """Back to a cell's page after an action (`CELL_PAGES`), with its notice (`NOTICES`).
    After a message, the conversation opens at the composer, under the newest messages."""
    params = urlencode({**query, "done": what})
    anchor = "#composer" if page == "talk" and what in ("sent", "queued") else ""
    return redirect(f"/cell/{ref}{CELL_PAGES[page]}?{params}{anchor}")


def sent_or_queued(reached: bool) -> str:
    """The notice after sending: sent, or queued when a relay did not answer."""
    return "sent" if reached else "queued"


@dataclass(frozen=True, slots=True)
class CardGiven:
    """A card as a form carries it: the code pasted (or read from a text file) or the
    bytes of a photo of its QR image. Empty when the person gave neither."""

    code: str
    image: bytes

    @property
    def empty(self) -> bool:
        return not self.code and not self.image


async def card_given(form: FormData, field_name: str = "card") -> CardGiven:
    """The card of a form with a `card` text area and a `card_file` upload (the cell
    page's newcomer form, the alliance page's cell and alternate forms): an uploaded
    image is kept for the app to decode; an uploaded text file wins over the pasted code."""
    code = text(form, field_name).strip()
    upload = form.get(f"{field_name}_file")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read(cards.MAX_IMAGE_BYTES + 1)
        if cards.looks_like_image(raw):
            return CardGiven("", raw)
        code = raw[: cards.MAX_CODE].decode("utf-8", errors="replace").strip() or code
    return CardGiven(code, b"")


def card_code(ws: Workspace, given: CardGiven) -> str:
    """The card's code for the app's `card_input` parameters. The app also reads a file
    path there (the CLI's `propose CELL FILE`); a web form never names a file on this
    computer, so anything that is not a card's code is refused as ``not-a-card``."""
    if given.image:
        return cards.encode_card(cards.read_card_image(given.image, now=ws.now()))
    code = cards.card_lines(given.code)
    if not code.upper().startswith("HC"):
        raise CardError("not-a-card")
    return code
