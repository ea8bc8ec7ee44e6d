"""Errors of `hasteh.tor`, named by who is at fault.

    TorError (HastehError)
     ├── BridgeLineInvalid    a pasted bridge line is not one hasteh can use (the user; `.reason`)
     ├── TorMissing           the `tor` program or a transport plugin is not installed (the machine)
     ├── TorFailed            tor exited or did not reach the network in time (the network; retry)
     └── OnionFailed          the onion service could not be published (the network; retry)

Messages never contain a bridge address, an onion address, a key or a path inside the profile.
"""

from __future__ import annotations

from hasteh.errors import HastehError
from hasteh.i18n import _


class TorError(HastehError):
    """Base of every Tor error raised on purpose."""

    #: Whether trying again later may succeed.
    retryable: bool = False


#: Why a bridge line was refused (`BridgeLineInvalid.reason`); the faces show `message`.
BRIDGE_REASONS = (
    "empty",
    "too_long",
    "unknown_transport",
    "bad_address",
    "bad_fingerprint",
    "bad_argument",
    "missing_cert",
    "missing_url",
)


def _n(message: str) -> str:
    """Marks a message for the catalog; the face translates it in its own language."""
    return message


#: The English text of each refusal (msgids); `BridgeLineInvalid` translates it for the
#: CLI, the web face translates it in the page's language (`web.views.settings`).
BRIDGE_MESSAGES = {
    "empty": _n("The bridge line is empty."),
    "too_long": _n("The bridge line is too long."),
    "unknown_transport": _n(
        "This bridge type is not supported; use obfs4, snowflake or a plain bridge."
    ),
    "bad_address": _n("The bridge address must look like 192.0.2.1:443."),
    "bad_fingerprint": _n("The bridge fingerprint must be 40 hexadecimal characters."),
    "bad_argument": _n("A bridge option must look like name=value."),
    "missing_cert": _n("An obfs4 bridge needs its cert= and iat-mode= options."),
    "missing_url": _n("A snowflake bridge needs its url= option (the broker)."),
}
#: "Bridge line {number}: {problem}"
BRIDGE_LINE_MESSAGE = _n("Bridge line {number}: {problem}")
BRIDGE_NEXT_STEP = _n(
    "Copy the whole line again from where you got it (Tor Browser, Orbot, or "
    "bridges.torproject.org)."
)


class BridgeLineInvalid(TorError):
    def __init__(self, reason: str, number: int = 0) -> None:
        assert reason in BRIDGE_REASONS
        self.reason = reason
        #: Which pasted line (from 1), or 0 when it was one line.
        self.number = number
        text = _(BRIDGE_MESSAGES[reason])
        if number:
            text = _(BRIDGE_LINE_MESSAGE).format(number=number, problem=text)
        super().__init__(text)
        self.next_step = _(BRIDGE_NEXT_STEP)


class TorMissing(TorError):
    def __init__(self, program: str) -> None:
        self.program = program
        super().__init__(_("The program {program} is not installed.").format(program=program))
        self.next_step = _("Install it with: sudo apt install {package}").format(package=program)


#: Why tor failed (`TorFailed.why`) and what to say, untranslated (msgids).
TOR_FAILED_MESSAGES = {
    "exited": _n("Tor stopped before it reached the network."),
    "timeout": _n("Tor could not reach the network in time."),
    "control": _n("hasteh could not talk to its Tor."),
    "transport": _n("The bridge program could not start or reach its bridge."),
}


class TorFailed(TorError):
    retryable = True

    def __init__(self, why: str) -> None:
        #: "exited", "timeout", "control" or "transport" (a pluggable transport failed).
        self.why = why if why in TOR_FAILED_MESSAGES else "exited"
        super().__init__(_(TOR_FAILED_MESSAGES[self.why]))
        self.next_step = _(
            "Tor may be blocked where you are: add a bridge (Settings → Tor; snowflake often "
            "works during blocks), or use a Tor you already run (its SOCKS address)."
        )


class OnionFailed(TorError):
    retryable = True

    def __init__(self) -> None:
        super().__init__(_("The onion address could not be published."))
        self.next_step = _("Check that Tor reaches the network, then try again.")
