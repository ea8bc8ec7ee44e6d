"""Errors of `hasteh.tor`, named by who is at fault.

    TorError (HastehError)
     ├── BridgeLineInvalid    a pasted bridge line is not one hasteh can use (the user; `.reason`)
     ├── TorMissing           the `tor` program or a transport plugin is not installed (the machine)
     ├── TorFailed            tor exited or did not reach the network in time (the network; retry)
     └── OnionFailed          the onion service could not be published (the network; retry)

Each error carries a `TorCode` and its parameters (the contract of `hasteh.errors`); the
faces translate by code and choose the next step from their own tables. Parameters never
contain a bridge address, an onion address, a key or a path inside the profile.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Literal

from hasteh.errors import Domain, HastehError, Param, fill

TorCode = Literal[
    "bridge-empty",
    "bridge-too-long",
    "bridge-unknown-transport",
    "bridge-bad-address",
    "bridge-bad-fingerprint",
    "bridge-bad-argument",
    "bridge-missing-cert",
    "bridge-missing-url",
    "tor-missing",
    "tor-exited",
    "tor-timeout",
    "tor-control",
    "tor-transport",
    "onion-failed",
]


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


#: English templates of `TorCode` (gettext msgids).
TOR_MESSAGES: Mapping[TorCode, str] = {
    "bridge-empty": BRIDGE_MESSAGES["empty"],
    "bridge-too-long": BRIDGE_MESSAGES["too_long"],
    "bridge-unknown-transport": BRIDGE_MESSAGES["unknown_transport"],
    "bridge-bad-address": BRIDGE_MESSAGES["bad_address"],
    "bridge-bad-fingerprint": BRIDGE_MESSAGES["bad_fingerprint"],
    "bridge-bad-argument": BRIDGE_MESSAGES["bad_argument"],
    "bridge-missing-cert": BRIDGE_MESSAGES["missing_cert"],
    "bridge-missing-url": BRIDGE_MESSAGES["missing_url"],
    "tor-missing": _n("The program {program} is not installed."),
    "tor-exited": _n("Tor stopped before it reached the network."),
    "tor-timeout": _n("Tor could not reach the network in time."),
    "tor-control": _n("hasteh could not talk to its Tor."),
    "tor-transport": _n("The bridge program could not start or reach its bridge."),
    "onion-failed": _n("The onion address could not be published."),
}
_BRIDGE_CODES: Mapping[str, TorCode] = {
    "empty": "bridge-empty",
    "too_long": "bridge-too-long",
    "unknown_transport": "bridge-unknown-transport",
    "bad_address": "bridge-bad-address",
    "bad_fingerprint": "bridge-bad-fingerprint",
    "bad_argument": "bridge-bad-argument",
    "missing_cert": "bridge-missing-cert",
    "missing_url": "bridge-missing-url",
}
_FAILED_CODES: Mapping[str, TorCode] = {
    "exited": "tor-exited",
    "timeout": "tor-timeout",
    "control": "tor-control",
    "transport": "tor-transport",
}


class TorError(HastehError):
    """Base of every Tor error raised on purpose."""

    domain: ClassVar[Domain] = "tor"
    templates: ClassVar[Mapping[Any, str]] = TOR_MESSAGES
    code: TorCode

    #: Whether trying again later may succeed.
    retryable: bool = False

    def __init__(self, code: TorCode, /, **params: Param) -> None:
        super().__init__(code, **params)


class BridgeLineInvalid(TorError):
    """`reason` (`BRIDGE_REASONS`) says what is wrong, `number` which pasted line (from 1,
    or 0 when it was one line); the web face puts the two together."""

    def __init__(self, reason: str, number: int = 0) -> None:
        assert reason in BRIDGE_REASONS
        super().__init__(_BRIDGE_CODES[reason], number=number)
        self.reason = reason
        self.number = number

    @property
    def message(self) -> str:
        return self.render(str, str)

    def render(
        self,
        gettext: Callable[[str], str],
        number: Callable[[int], str],
        clean: Callable[[str], str] = str,
    ) -> str:
        """The problem (this code's template), after "Bridge line N: " when the paste had
        several lines: the line is a parameter, so the code stays the problem's."""
        problem = super().render(gettext, number, clean)
        if not self.number:
            return problem
        return fill(
            gettext(BRIDGE_LINE_MESSAGE), {"number": self.number, "problem": problem}, number
        )


class TorMissing(TorError):
    def __init__(self, program: str) -> None:
        super().__init__("tor-missing", program=program)
        self.program = program


#: Why tor failed (`TorFailed.why`) and what to say, untranslated (msgids).
TOR_FAILED_MESSAGES = {
    "exited": TOR_MESSAGES["tor-exited"],
    "timeout": TOR_MESSAGES["tor-timeout"],
    "control": TOR_MESSAGES["tor-control"],
    "transport": TOR_MESSAGES["tor-transport"],
}


class TorFailed(TorError):
    retryable = True

    def __init__(self, why: str) -> None:
        #: "exited", "timeout", "control" or "transport" (a pluggable transport failed).
        self.why = why if why in _FAILED_CODES else "exited"
        super().__init__(_FAILED_CODES[self.why])


class OnionFailed(TorError):
    retryable = True

    def __init__(self) -> None:
        super().__init__("onion-failed")
