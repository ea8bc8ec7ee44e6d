"""First run: create the profile (passphrase twice, optional duress passphrase twice)."""

from __future__ import annotations

from dataclasses import dataclass, field

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh import vault
from hasteh.web.app import render, ui_for, web_state
from hasteh.web.views.common import after_unlock, error_text, redirect, start_page, text


@dataclass
class SetupPage:
    """Context of `setup.html`."""

    errors: list[str] = field(
        default_factory=list, metadata={"help": "messages shown above the form, translated"}
    )
    min_length: int = field(
        default=8, metadata={"help": "the shortest passphrase accepted, in characters"}
    )


async def setup(request: Request) -> Response:
    state = web_state(request)
    if state.has_profile or state.unlocked:
        return redirect(start_page(state))
    page = SetupPage(min_length=vault.passphrase.MIN_LENGTH)
    if request.method == "GET":
        return render(request, "setup.html", page)
    ui = ui_for(request)
    form = await request.form()
    passphrase, again = text(form, "passphrase"), text(form, "passphrase_again")
    duress, duress_again = text(form, "duress"), text(form, "duress_again")
    if passphrase != again:
        page.errors.append(ui.gettext("The two passphrases do not match."))
    if duress != duress_again:
        page.errors.append(ui.gettext("The two duress passphrases do not match."))
    if page.errors:
        return render(request, "setup.html", page, status_code=400)

    def create_and_unlock() -> vault.Vault:
        vault.create(
            state.home,
            passphrase,
            duress=duress or None,
            kdf=state.kdf,
            min_kdf=state.min_kdf,
        )
        return vault.unlock(state.home, passphrase, min_kdf=state.min_kdf)

    try:
        opened = await anyio.to_thread.run_sync(create_and_unlock)
    except vault.VaultError as exc:
        page.errors.extend(error_text(ui, exc))
        return render(request, "setup.html", page, status_code=400)
    return await after_unlock(request, opened, then="/welcome/1")


routes = [Route("/setup", setup, methods=["GET", "POST"])]
