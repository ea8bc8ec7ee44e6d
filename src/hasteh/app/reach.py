"""The transport ladder: what reaches the cell's relays right now, and what to do next.

Under censorship and shutdowns the way a cell talks changes from week to week. The ladder
shows each way, top (safest) to bottom, whether it works now, and one next step, in the
person's language (docs/user, "Reach"):

    onion     onion relays, through hasteh's Tor, Tor with bridges, or the person's own Tor
    proxy     a proxy the person already runs (SOCKS/HTTP); without one, relays are
              reached directly and the internet provider sees which relay is contacted
    local     a relay inside the country or on the local network, reached directly: it
              keeps a cell talking when the international internet is cut. Opt-in per
              cell, off by default, with the plain warning (`LOCAL_WARNING`)
    courier   bundles carried on a USB stick: always there

`transport_settings` is the one place the ladder reads how relays are reached: hasteh's
own Tor and its bridges (`transport.tor_settings`), the SOCKS address of a Tor the person
runs (`transport.proxy`), the relays opted into directly. Probing only asks each relay
whether it answers (``GET /healthz``), through the same door as every relay client
(`Workspace.client_for`: hasteh's tor when it is on): nothing about any mailbox is sent.

Also here: the in-country relay opt-in (`opt_in_local`, `opt_out_local`) and the relays
of one cell with when each last answered (`relay_rows`), for the cell page and the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from hasteh.app import runtime
from hasteh.app.cell_relays import checked_relays, delivery_relays, ordering_relay
from hasteh.app.cells import all_cells, find_cell
from hasteh.app.errors import APP_MESSAGES, BadInput
from hasteh.app.records import direct_relays, proxy_url, set_direct_relays
from hasteh.app.relay_status import RelayContact, contacts, is_down
from hasteh.i18n import _, display_number
from hasteh.transport import tor_settings
from hasteh.transport.errors import TransportError
from hasteh.vault import Connection

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = [
    "LOCAL_WARNING",
    "Ladder",
    "RelayRow",
    "Rung",
    "TransportSettings",
    "ladder",
    "opt_in_local",
    "opt_out_local",
    "relay_rows",
    "transport_settings",
]

#: The plain warning an in-country relay is opted into with (shown before, and with it).
LOCAL_WARNING: Final = APP_MESSAGES["warning-not-accepted"]

#: The states of a rung.
WORKS: Final = "works"
FAILS: Final = "fails"
NOT_SET_UP: Final = "not-set-up"
OFF: Final = "off"
NONE: Final = "none"
READY: Final = "ready"


@dataclass(frozen=True, slots=True)
class TransportSettings:
    """How this profile reaches relays. `own_tor`: hasteh starts its own Tor and reaches
    relays through it; `bridges`: how many bridge lines that Tor uses; `proxy`: the SOCKS
    address of a Tor (or another proxy) the person runs ("" for none); `direct`: relays
    opted into directly."""

    proxy: str = ""
    own_tor: bool = False
    bridges: int = 0
    direct: tuple[str, ...] = ()


def transport_settings(conn: Connection) -> TransportSettings:
    """The one function the ladder reads transport settings through."""
    return TransportSettings(
        proxy=proxy_url(conn),
        own_tor=tor_settings.own_tor(conn),
        bridges=len(tor_settings.bridges(conn)),
        direct=tuple(direct_relays(conn)),
    )


@dataclass(frozen=True, slots=True)
class Rung:
    key: str
    title: str
    state: str
    detail: str
    step: str


@dataclass(frozen=True, slots=True)
class Ladder:
    """The rungs, top first, and the one thing to do now (all translated)."""

    rungs: tuple[Rung, ...]
    now: str


@dataclass(frozen=True, slots=True)
class RelayRow:
    """One relay of a cell as the faces show it."""

    url: str
    ordering: bool
    local: bool
    answered_at: int | None
    failed_at: int | None
    down: bool


def is_onion(url: str) -> bool:
    host = url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
    return host.endswith(".onion")


def relay_rows(ws: Workspace, cell: str) -> list[RelayRow]:
    """The cell's relays (the ordering one first, then this device's local ones) with
    when each last answered this device."""
    rt = find_cell(ws, cell)
    known = ws.vault.read(contacts)
    first = ordering_relay(rt.record)
    rows = []
    for url in delivery_relays(rt.record):
        seen = known.get(url, RelayContact())
        rows.append(
            RelayRow(
                url,
                url == first,
                url not in rt.record.relays,
                seen.answered_at,
                seen.failed_at,
                is_down(seen),
            )
        )
    return rows


def opt_in_local(ws: Workspace, cell: str, url: str, *, understood: bool) -> str:
    """Also post to and read `cell`'s mailbox on `url`, reached directly (never through
    the proxy). Refused unless the person said they understood `LOCAL_WARNING`."""
    if not understood:
        raise BadInput("warning-not-accepted")
    (relay,) = checked_relays([url])
    rt = find_cell(ws, cell)
    rt.require_group()
    if relay in delivery_relays(rt.record):
        raise BadInput("relay-in-use")

    def run(conn: Connection) -> None:
        rt.record.local_relays.append(relay)
        rt.record_dirty = True
        direct = direct_relays(conn)
        if relay not in direct:
            set_direct_relays(conn, [*direct, relay])

    runtime.write(ws, rt, run)
    ws.drop_client(relay)
    return relay


def opt_out_local(ws: Workspace, cell: str, url: str) -> None:
    """Stop using an in-country relay for `cell` (and reaching it directly, if no other
    cell of this profile uses it)."""
    relay = url.strip().rstrip("/")
    rt = find_cell(ws, cell)
    if relay not in rt.record.local_relays:
        raise BadInput("not-a-local-relay")
    others = [
        other
        for other in all_cells(ws)
        if other.group_id != rt.group_id and relay in other.record.local_relays
    ]

    def run(conn: Connection) -> None:
        rt.record.local_relays.remove(relay)
        rt.record_dirty = True
        if not others:
            set_direct_relays(conn, [r for r in direct_relays(conn) if r != relay])

    runtime.write(ws, rt, run)
    ws.drop_client(relay)


Probe = Callable[[str], bool]


def _prober(ws: Workspace) -> Probe:
    """Whether a relay answers now, asked once per relay (through the proxy, or directly
    for an opted-in local relay: `Workspace.client_for` decides)."""
    answers: dict[str, bool] = {}

    def probe(url: str) -> bool:
        if url not in answers:
            try:
                ws.client_for(url).health()
                answers[url] = True
            except TransportError:
                answers[url] = False
        return answers[url]

    return probe


def ladder(ws: Workspace, *, probe: Probe | None = None) -> Ladder:
    """Probe every relay this profile uses and say, per rung, what works now."""
    ask = probe or _prober(ws)
    settings = ws.vault.read(transport_settings)
    cells = [rt for rt in all_cells(ws) if rt.active]
    local = sorted({r for rt in cells for r in rt.record.local_relays})
    remote = sorted({r for rt in cells for r in rt.record.relays} - set(local))
    onion = [r for r in remote if is_onion(r)]
    clear = [r for r in remote if not is_onion(r)]
    rungs = (
        _onion_rung(settings, onion, ask),
        _proxy_rung(settings, clear, ask),
        _local_rung(local, ask),
        Rung(
            "courier",
            _("Courier bundles"),
            READY,
            _("Always possible: messages go on a USB stick from hand to hand."),
            _("Make a bundle on the courier page (or `hasteh courier export`)."),
        ),
    )
    return Ladder(rungs, _now(rungs, bool(cells)))


def _count(urls: list[str], ask: Probe) -> int:
    return sum(1 for url in urls if ask(url))


def _onion_rung(settings: TransportSettings, onion: list[str], ask: Probe) -> Rung:
    title = _("Onion relays (Tor)")
    if not settings.own_tor and not settings.proxy:
        return Rung(
            "onion",
            title,
            NOT_SET_UP,
            _("hasteh's own Tor is off, and no Tor of yours is set as the proxy."),
            _(
                "Turn on hasteh's own Tor in the settings (with bridges if Tor is blocked), "
                "or enter the SOCKS address of Tor Browser, Orbot or Tails as the proxy "
                "(for example socks5h://127.0.0.1:9150)."
            ),
        )
    if settings.own_tor:
        path = _("Through hasteh's own Tor, with {n} bridge(s).").format(n=_n(settings.bridges))
    else:
        path = _("Through your own Tor (the proxy in the settings).")
    if not onion:
        return Rung(
            "onion",
            title,
            NONE,
            _("None of your cells uses an onion relay yet."),
            _("Ask your cell to add an onion relay by a decision on the settings."),
        )
    answered = _count(onion, ask)
    state = WORKS if answered else FAILS
    counted = _("{n} of {total} onion relays answer.").format(n=_n(answered), total=_n(len(onion)))
    detail = f"{path} {counted}"
    if answered:
        step = _("Nothing to do: your cells talk through Tor.")
    elif settings.own_tor and settings.bridges:
        step = _("Tor may be blocked even with these bridges: try others (Snowflake or obfs4).")
    else:
        step = _("Tor may be blocked: add bridges (Snowflake or obfs4) in the settings.")
    return Rung("onion", title, state, detail, step)


def _proxy_rung(settings: TransportSettings, clear: list[str], ask: Probe) -> Rung:
    title = _("A proxy you already run")
    if not clear:
        return Rung(
            "proxy",
            title,
            NONE,
            _("None of your cells uses a relay outside Tor."),
            _("Nothing to do."),
        )
    answered = _count(clear, ask)
    counted = _("{n} of {total} relays answer.").format(n=_n(answered), total=_n(len(clear)))
    if settings.proxy:
        detail = _("Relays are reached through your proxy.") + " " + counted
        step = (
            _("Nothing to do.")
            if answered
            else _("Check that your proxy runs, or try the next way below.")
        )
        return Rung("proxy", title, WORKS if answered else FAILS, detail, step)
    detail = (
        _(
            "No proxy is set: relays are reached directly, and your internet provider can "
            "see that this computer contacts them."
        )
        + " "
        + counted
    )
    return Rung(
        "proxy",
        title,
        OFF if answered else FAILS,
        detail,
        _("Set a proxy (your own Tor is best) in the settings, so the relay cannot see you."),
    )


def _local_rung(local: list[str], ask: Probe) -> Rung:
    title = _("A relay inside the country or on your local network")
    if not local:
        return Rung(
            "local",
            title,
            OFF,
            _("Off (the safe default)."),
            _(
                "Only if the international internet is cut: a cell can opt in on its page "
                "(or `hasteh reach local CELL URL --i-understand`), after reading the warning."
            ),
        )
    answered = _count(local, ask)
    detail = (
        _("{n} of {total} local relays answer.").format(n=_n(answered), total=_n(len(local)))
        + " "
        + _(LOCAL_WARNING)
    )
    step = (
        _("Turn it off when Tor works again.")
        if answered
        else _("Check that the local relay runs and that you are on its network.")
    )
    return Rung("local", title, WORKS if answered else FAILS, detail, step)


def _now(rungs: tuple[Rung, ...], has_cells: bool) -> str:
    """The one next step: the safest way that works, else the courier."""
    if not has_cells:
        return _("You are in no cell yet: create one or join one first.")
    by_key = {r.key: r for r in rungs}
    if by_key["onion"].state == WORKS:
        return _("Your cells reach their relays through Tor. Nothing to do.")
    if by_key["proxy"].state == WORKS:
        return _("Your cells reach their relays through your proxy. Nothing to do.")
    if by_key["proxy"].state == OFF:
        return _(
            "Your cells reach their relays directly. It works, but your internet provider "
            "sees it: set up Tor or a proxy when you can."
        )
    if by_key["local"].state == WORKS:
        return _(
            "The relays abroad do not answer; your cells talk through the local relay. "
            "Changes to the membership wait until the cell's ordering relay answers."
        )
    return _("No relay answers now. Carry a courier bundle to another member, and try again later.")


def _n(value: int) -> str:
    return display_number(value)
