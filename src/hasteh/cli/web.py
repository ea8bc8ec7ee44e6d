"""`hasteh up`: the local web app on 127.0.0.1, opened with a single-use launch link.

    hasteh up [--home DIR] [--no-browser] [--port N] [--relay-port N] [--onion]
              [--drop-box]

Binds a free loopback port (or `--port`) and writes a private launch page (a file only
this user can read, in `$XDG_RUNTIME_DIR` or a fresh 0700 temporary folder) whose form
POSTs the single-use launch token; it offers to open the browser on that file, so the
token is never on the browser's command line (which other local users can read in
/proc) nor in its history. The page is deleted once used, and at exit. It also prints
`http://127.0.0.1:PORT/launch?token=…` for a browser opened by hand. The token works
once; a new `hasteh up` makes a new one.

**Embedded relay.** When the unlocked profile lists no relay (Settings → Relays), an
embedded relay starts in the same process on 127.0.0.1 (`--relay-port`, default 8470, or
a free port when that one is taken), storing its database in `<home>/relay/`, sealed with
SQLCipher under a key the profile's vault keeps. A second profile on the same machine can
list that relay's address, so a newcomer can try everything on one computer. hasteh never
adopts a relay it did not start: whatever else answers on the port (another local user
could) is ignored. It listens on loopback only; panic and a duress unlock shred its files.

**Onion relay** (`--onion`). hasteh starts its own tor (in `<home>/tor`, shredded on
stop, panic and duress) and publishes the embedded relay as a Tor onion service, so one
member's computer carries the cell with no server: the onion address is printed, and it is
the relay's address in cards and new cells. Its key is derived from the relay's key in the
vault (`tor.onion.derive_key`): the address stays the same across runs, and nothing but the
vault can make it. This profile's relay traffic then goes through that tor too.
**Drop box** (`--drop-box`, docs/dropbox.md). The page for outside workers
(`hasteh.web.dropbox`) on its own loopback port, published by the same tor as its own
onion service once the profile is unlocked (its key derived from a secret in the vault:
a stable address, printed, and kept for the slips). It answers only that onion's `Host`,
logs nothing, and says "closed, try later" while the profile is locked. Without the flag,
the device setting "open the drop box while hasteh is open" (the switch on the settings
page, `records.drop_box_open`) does the same once the profile is unlocked, and turning it
off closes the page within seconds (`DropBoxPage.follow_setting`).

**One per profile.** A second `hasteh up` for the same profile folder (the desktop
launcher pressed again) asks the running one for a new launch page, opens it, and exits
(`cli.running`). `--open` opens the browser without asking (the launcher has no terminal).

**Background sync.** While the profile is unlocked, new messages are fetched and the
outbox sent by themselves (`hasteh.web.background`: soon after unlock, then every 10–25 s
at random); the cell page's news frame shows what arrived within 30 s.

The server stops on Ctrl+C, and by itself right after a panic.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import html
import os
import signal
import socket
import stat
import sys
import tempfile
import webbrowser
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer
import uvicorn

from hasteh.app import dropbox
from hasteh.cli.options import explain, step_text
from hasteh.cli.profile import profile
from hasteh.cli.running import ControlServer, Reopened, ask_running, control_path
from hasteh.cli.tor import TOR_DIR
from hasteh.i18n import _, current_language
from hasteh.tor.errors import TorError
from hasteh.tor.onion import derive_key
from hasteh.tor.process import defaults_from_env
from hasteh.tor.runtime import SharedTor
from hasteh.vault.profile import shred_tree
from hasteh.web import create_web
from hasteh.web.app import WebState
from hasteh.web.appcalls import Refusal, run_app
from hasteh.web.background import Pace
from hasteh.web.dropbox import DropBox, create_dropbox
from hasteh.web.i18n import Ui
from hasteh.web.security import new_secret

if TYPE_CHECKING:
    from hasteh.relay.storage import Storage

LOOPBACK = "127.0.0.1"
DEFAULT_RELAY_PORT = 8470
RELAY_DIR = "relay"
RELAY_DB = "relay.sqlite3"


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the main (web) server."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _uvicorn_config(app: object, log_level: str = "warning") -> uvicorn.Config:
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        log_level=log_level,
        access_log=False,
        server_header=False,
        date_header=False,
        lifespan="on",
        timeout_graceful_shutdown=2,
    )


def bind_loopback(port: int) -> socket.socket:
    """A listening TCP socket on 127.0.0.1:`port` (0 = a free port chosen by the OS)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((LOOPBACK, port))
        sock.listen(128)
    except BaseException:
        sock.close()
        raise
    sock.set_inheritable(False)
    return sock


class LoopbackRelay:
    """The embedded relay (`hasteh.web.EmbeddedRelay`), run in this process's event loop.

    hasteh uses only a relay it started itself (or one the user configured): it never
    adopts whatever answers on the port, since another local user could be listening
    there. If the port is taken, this relay takes a free one instead.

    Its database (`<home>/relay/relay.sqlite3`) is SQLCipher, keyed by `key`, a secret the
    unlocked profile's vault keeps (`start`): at rest it shows no more than the vault,
    and a panic or a duress unlock shreds it. Starting with another key (the other
    profile of the folder was unlocked) stops the running relay and starts a fresh one.
    """

    def __init__(self, home: Path, port: int = DEFAULT_RELAY_PORT) -> None:
        self.folder = home / RELAY_DIR
        self.port = port
        self._url: str | None = None
        self._key: bytes | None = None
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self._storage: Storage | None = None
        #: The wanted port was held by another program: we moved to a free one.
        self.moved = False

    @property
    def url(self) -> str | None:
        return self._url

    async def start(self, key: bytes) -> str:
        if self._url is not None and key == self._key:
            return self._url
        if self._url is not None:
            await self.stop()
        try:
            sock = bind_loopback(self.port)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or self.port == 0:
                raise
            sock = bind_loopback(0)
            self.moved = True
        try:
            storage = await asyncio.to_thread(self._open, key)
        except BaseException:
            sock.close()
            raise
        from hasteh.relay.app import create_app

        self._storage = storage
        self._key = key
        self._server = _QuietServer(_uvicorn_config(create_app(storage)))
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)
        self._url = f"http://{LOOPBACK}:{sock.getsockname()[1]}"
        return self._url

    def _open(self, key: bytes) -> Storage:
        """Open (or create) the sealed database; one that this key does not open belongs
        to the other profile of the folder, whose key is gone: shred it, start afresh."""
        from hasteh.relay.errors import StorageError
        from hasteh.relay.storage import SealedSqliteStorage

        path = f"{self.folder / RELAY_DB}"
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            return SealedSqliteStorage(path, key)
        except StorageError:
            shred_tree(self.folder)
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            return SealedSqliteStorage(path, key)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            with contextlib.suppress(Exception):
                await self._task
        if self._storage is not None:
            with contextlib.suppress(Exception):
                self._storage.close()
        self._server = self._task = self._storage = None
        self._url = self._key = None

    async def stop_unless(self, key: bytes) -> None:
        """Stop it if it runs under another profile's key."""
        if self._key is not None and key != self._key:
            await self.stop()

    async def destroy(self) -> None:
        """Stop it and shred its folder (panic)."""
        await self.stop()
        with contextlib.suppress(OSError):
            await asyncio.to_thread(shred_tree, self.folder)


class OnionRelay(LoopbackRelay):
    """The embedded relay, published as an onion service by hasteh's own tor: its `url`
    is the onion address (what cards and new cells carry)."""

    def __init__(self, home: Path, port: int, tor: SharedTor) -> None:
        super().__init__(home, port)
        self.tor = tor
        self._onion: str | None = None
        self._target: int | None = None

    @property
    def url(self) -> str | None:
        return self._onion

    async def start(self, key: bytes) -> str:
        if self._onion is not None and key == self._key:
            return self._onion
        loopback = await super().start(key)
        port = int(loopback.rsplit(":", 1)[1])
        try:
            service = await asyncio.to_thread(self.tor.add_onion, port, derive_key(key))
        except TorError as exc:
            # No onion: no relay address to hand out (never the loopback one, which
            # nobody elsewhere can reach); the settings page shows Tor's state.
            typer.echo(f"{explain(exc)} {step_text(exc)}", err=True)
            return loopback
        self._target, self._onion = port, service.url
        typer.echo(_("The embedded relay's onion address:"))
        typer.echo(service.url)
        sys.stdout.flush()
        return service.url

    async def stop(self) -> None:
        if self._target is not None:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.tor.remove_onion, self._target)
        self._onion = self._target = None
        await super().stop()

    async def destroy(self) -> None:
        await super().destroy()
        await asyncio.to_thread(self.tor.stop)


class DropBoxPage:
    """The drop box's page (`hasteh.web.dropbox`, docs/dropbox.md) on its own loopback
    port, published as its own onion service by hasteh's tor once the profile is
    unlocked (its key derived from a secret in the vault: a stable address). It answers
    only the onion's `Host`, and only while the profile is unlocked; nothing is logged."""

    def __init__(self, web: WebState, tor: SharedTor) -> None:
        self.box = DropBox(web, hosts=set())
        self.tor = tor
        self.address: str | None = None
        self._server: uvicorn.Server | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._port: int | None = None

    async def start(self) -> None:
        sock = bind_loopback(0)
        self._port = sock.getsockname()[1]
        self._server = _QuietServer(_uvicorn_config(create_dropbox(self.box), "critical"))
        self._tasks = [
            asyncio.create_task(self._server.serve(sockets=[sock])),
            asyncio.create_task(self._publish_when_unlocked()),
        ]

    async def _publish_when_unlocked(self) -> None:
        web = self.box.web
        while not web.unlocked:
            await asyncio.sleep(0.5)
        assert self._port is not None and self.box.hosts is not None
        try:
            secret = await asyncio.to_thread(run_app, web, Ui("fa"), dropbox.onion_secret)
            service = await asyncio.to_thread(self.tor.add_onion, self._port, derive_key(secret))
        except Refusal as refusal:
            typer.echo(" ".join(refusal.lines), err=True)
            return
        except TorError as exc:
            typer.echo(f"{explain(exc)} {step_text(exc)}", err=True)
            return
        self.box.hosts.add(service.address)
        await asyncio.to_thread(
            run_app, web, Ui("fa"), lambda ws: dropbox.set_address(ws, service.url)
        )
        self.address = service.url
        typer.echo(_("The drop box's onion address:"))
        typer.echo(service.url)
        sys.stdout.flush()

    @property
    def serving(self) -> bool:
        return self._server is not None

    async def follow_setting(self, every: float = 2.0) -> None:
        """Serve the drop box while the device setting says so (`dropbox.wanted`, the
        switch on the settings page); read only while unlocked, since the setting is in
        the vault. Locking keeps the page as it is: it then answers "closed"."""
        web = self.box.web
        while True:
            if web.unlocked:
                try:
                    on = await asyncio.to_thread(run_app, web, Ui("fa"), dropbox.wanted)
                except Refusal:
                    on = self.serving
                if on and not self.serving:
                    await self.start()
                elif not on and self.serving:
                    await self.stop()
            await asyncio.sleep(every)

    async def stop(self) -> None:
        if self._port is not None and self.address is not None:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.tor.remove_onion, self._port)
        if self._server is not None:
            self._server.should_exit = True
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        self._tasks = []
        self._server = None
        self.address = None


@dataclass(frozen=True, slots=True)
class LaunchPage:
    """The private page that opens hasteh: a file only this user can read (0600 in a
    fresh 0700 folder), holding a form that POSTs the launch token. The browser is
    started on this file, so the token is never on its command line (readable by other
    local users in /proc/*/cmdline) nor in its history."""

    folder: Path
    path: Path

    def remove(self) -> None:
        """Delete the page and its folder (after the first use, and at exit)."""
        with contextlib.suppress(OSError):
            self.path.unlink()
        with contextlib.suppress(OSError):
            self.folder.rmdir()


def runtime_base() -> Path | None:
    """`$XDG_RUNTIME_DIR` when it is a folder of ours that nobody else may enter (the
    usual /run/user/UID); otherwise None: the system's temporary folder, where
    `tempfile.mkdtemp` still makes a 0700 folder with an unguessable name."""
    value = os.environ.get("XDG_RUNTIME_DIR", "")
    if not value:
        return None
    base = Path(value)
    try:
        info = base.lstat()
    except OSError:
        return None
    private = stat.S_ISDIR(info.st_mode) and not info.st_mode & 0o077
    return base if private and info.st_uid == os.getuid() else None


def write_launch_page(origin: str, token: str, base: Path | None = None) -> LaunchPage:
    """Write the launch page for `origin` (``http://127.0.0.1:PORT``) under `base`."""
    folder = Path(tempfile.mkdtemp(prefix="hasteh-launch-", dir=base))
    os.chmod(folder, 0o700)
    path = folder / "open.html"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(launch_html(origin, token))
    return LaunchPage(folder, path)


def launch_html(origin: str, token: str) -> str:
    """A tiny page: one button that POSTs the token (works without script); a one-line
    script presses it for browsers that run scripts on local files."""
    rtl = current_language() == "fa"
    return (
        "<!doctype html>\n"
        f'<html lang="{current_language()}" dir="{"rtl" if rtl else "ltr"}">\n'
        '<head><meta charset="utf-8"><meta name="referrer" content="no-referrer">\n'
        f"<title>{html.escape(_('Open hasteh'))}</title></head>\n<body>\n"
        f'<form method="post" action="{html.escape(origin)}/launch">\n'
        f'<input type="hidden" name="token" value="{html.escape(token)}">\n'
        f"<p>{html.escape(_('This page opens hasteh once; then it is deleted.'))}</p>\n"
        f'<p><button type="submit" autofocus>{html.escape(_("Open hasteh"))}</button></p>\n'
        "</form>\n<script>document.forms[0].submit()</script>\n</body>\n</html>\n"
    )


def _tor_progress(percent: int, _tag: str) -> None:
    typer.echo(_("Connecting to Tor: {percent}%").format(percent=percent), err=True)


async def serve(
    home: Path,
    *,
    port: int,
    relay_port: int,
    token: str,
    open_browser: bool,
    onion: bool = False,
    pace: Pace | None = None,
    drop_box: bool = False,
) -> None:
    """Serve the web app (and, when needed, the embedded relay) until stopped."""
    sock = bind_loopback(port)
    bound = sock.getsockname()[1]
    tor = SharedTor(
        home / TOR_DIR, progress=_tor_progress, defaults=defaults_from_env(), remove=shred_tree
    )
    relay = OnionRelay(home, relay_port, tor) if onion else LoopbackRelay(home, relay_port)
    servers: list[uvicorn.Server] = []
    origin = f"http://{LOOPBACK}:{bound}"
    base = runtime_base()
    pages = [write_launch_page(origin, token, base)]
    page = pages[0]

    def remove_page() -> None:
        pages[-1].remove()

    def open_again() -> Reopened:
        """A second `hasteh up` asked: a new token, a new page (the old ones are dead)."""
        fresh = new_secret()
        pages[-1].remove()
        pages.append(write_launch_page(origin, fresh, base))
        del pages[:-1]
        app.state.web.launch.renew(fresh)
        return Reopened(pages[-1].path, f"{origin}/launch?token={fresh}")

    def after_panic() -> None:
        # Let the neutral page reach the browser, then stop serving.
        asyncio.get_running_loop().call_later(0.3, setattr, servers[0], "should_exit", True)

    app = create_web(
        home,
        launch_token=token,
        port=bound,
        relay=relay,
        on_panic=after_panic,
        on_launch=remove_page,
        tor=tor,
        background=pace or Pace(),
    )
    server = uvicorn.Server(_uvicorn_config(app))
    servers.append(server)
    drop = DropBoxPage(app.state.web, tor)
    follow: asyncio.Task[None] | None = None
    if drop_box:
        await drop.start()
    else:  # the switch on the settings page, read once unlocked
        follow = asyncio.create_task(drop.follow_setting())
    control = ControlServer(control_path(home, base), open_again)
    await control.start()  # before the link is printed: a second `hasteh up` finds it
    typer.echo(_("hasteh is running on this computer only. Open this page in your browser:"))
    typer.echo(page.path.as_uri())
    typer.echo(_("Or open this link once (it stays in the browser's history):"))
    typer.echo(f"{origin}/launch?token={token}")
    typer.echo(_("Stop it with Ctrl+C."))
    sys.stdout.flush()
    try:
        if open_browser:
            with contextlib.suppress(webbrowser.Error):
                webbrowser.open(page.path.as_uri(), new=2)
        await server.serve(sockets=[sock])
    finally:
        pages[-1].remove()
        # Synchronously, before any await: a Ctrl+C cancels this task at its next await,
        # and tor's folder must be shredded even then.
        tor.stop()
        if follow is not None:
            follow.cancel()
            with contextlib.suppress(BaseException):
                await follow
        await drop.stop()
        await control.stop()
        await relay.stop()
        sock.close()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def up(
    no_browser: bool = typer.Option(
        False, "--no-browser", help=_("Only print the link; do not offer to open a browser.")
    ),
    port: int = typer.Option(0, "--port", help=_("Port on 127.0.0.1 (0: any free port).")),
    relay_port: int = typer.Option(
        DEFAULT_RELAY_PORT,
        "--relay-port",
        help=_("Port of the embedded relay on 127.0.0.1 (0: any free port)."),
    ),
    onion: bool = typer.Option(
        False,
        "--onion",
        help=_(
            "Publish the embedded relay as a Tor onion service (hasteh starts its own Tor), "
            "so members elsewhere can reach it with no server. The embedded relay runs when "
            "the profile lists no relay in Settings."
        ),
    ),
    open_now: bool = typer.Option(
        False, "--open", help=_("Open the browser without asking (the desktop launcher).")
    ),
    drop_box: bool = typer.Option(
        False,
        "--drop-box",
        help=_(
            "Open the drop box: serve its page for outside workers as a Tor onion service "
            "while hasteh is unlocked (hasteh starts its own Tor)."
        ),
    ),
    sync_every: float = typer.Option(
        0.0, "--sync-every", hidden=True, help="Tests: seconds between background syncs."
    ),
) -> None:
    """Start the web app on this computer and print the link that opens it."""
    where = profile().home
    running = ask_running(control_path(where, runtime_base()))
    if running is not None:
        typer.echo(_("hasteh is already running for this profile: opening it."))
        typer.echo(running.page.as_uri())
        typer.echo(running.link)
        if not no_browser:
            with contextlib.suppress(webbrowser.Error):
                webbrowser.open(running.page.as_uri(), new=2)
        return
    open_browser = open_now and not no_browser
    if not no_browser and not open_now and sys.stdin.isatty():
        try:
            open_browser = typer.confirm(_("Open hasteh in your web browser now?"), default=True)
        except typer.Abort:
            open_browser = False
    # Stopped by the session (logout) rather than Ctrl+C: clean up the same way (uvicorn
    # hands the signal back once it has stopped serving).
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)
    try:
        asyncio.run(
            serve(
                where,
                port=port,
                relay_port=relay_port,
                token=new_secret(),
                open_browser=open_browser,
                onion=onion,
                drop_box=drop_box,
                pace=Pace(first=1.0, every=(sync_every, sync_every)) if sync_every > 0 else None,
            )
        )
    except OSError as exc:
        typer.echo(_("hasteh could not start: {reason}").format(reason=exc.strerror), err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        pass


def register(app: typer.Typer) -> None:
    """Add `up` to the root `hasteh` app."""
    app.command("up", help=_("Start the web app on this computer and print the link."))(up)
