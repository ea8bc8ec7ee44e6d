"""Bridge lines a user pastes (from Tor Browser, Orbot, bridges.torproject.org, a friend).

In Iran plain Tor is often blocked; a bridge is an unlisted entry to the Tor network, and a
pluggable transport disguises the connection to it (docs/user, "Tor and bridges"). hasteh
accepts three kinds, the ones Debian packages a transport for:

    plain      192.0.2.1:443 [FINGERPRINT]
    obfs4      obfs4 192.0.2.1:443 FINGERPRINT cert=… iat-mode=0     (obfs4proxy)
    snowflake  snowflake 192.0.2.3:80 FINGERPRINT url=… [ampcache=… front=… ice=…]
                                                                    (snowflake-client)

A leading `Bridge ` (as in a torrc) is dropped. Lines are checked strictly, since each one
becomes a line of the torrc hasteh writes: only printable ASCII without spaces inside a
field, `name=value` options, a bounded length. A refusal says which line and why
(`BridgeLineInvalid.reason`) and never echoes the line.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from hasteh.tor.errors import BridgeLineInvalid

#: The transports hasteh can launch (`torrc.TRANSPORT_PROGRAMS`); "" is a plain bridge.
TRANSPORTS = ("obfs4", "snowflake")
MAX_LINE = 2000
MAX_LINES = 32
_FINGERPRINT = re.compile(r"[0-9A-Fa-f]{40}")
_OPTION_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_VALUE = re.compile(r"[!-~]{1,1500}")  # printable ASCII, no space

#: Snowflake's rendezvous through the AMP cache (a Google front), which bootstrapped in Iran
#: when plain Tor and obfs4 did not (docs/user, reference/iran-network-facts). The user's
#: pasted line wins; these fill only what it leaves out.
SNOWFLAKE_AMP_DEFAULTS: tuple[tuple[str, str], ...] = (
    ("ampcache", "https://cdn.ampproject.org/"),
    ("front", "www.google.com"),
    ("ice", "stun:stun.l.google.com:19302,stun:stun.antisip.com:3478"),
    ("utls-imitate", "hellorandomizedalpn"),
)


@dataclass(frozen=True, slots=True)
class Bridge:
    """One validated bridge: `transport` is "" for a plain bridge."""

    transport: str
    address: str
    fingerprint: str = ""
    options: tuple[tuple[str, str], ...] = ()

    def option(self, name: str) -> str | None:
        return next((v for k, v in self.options if k == name), None)

    def line(self) -> str:
        """The bridge as a torrc `Bridge` value (the part after `Bridge `)."""
        parts = [self.transport] if self.transport else []
        parts.append(self.address)
        if self.fingerprint:
            parts.append(self.fingerprint)
        parts += [f"{k}={v}" for k, v in self.options]
        return " ".join(parts)


def _check_address(text: str) -> str:
    """`IPv4:port` or `[IPv6]:port`; bridges are given by address, never by name (a name
    would be resolved by the local DNS, which the censor watches)."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        raise BridgeLineInvalid("bad_address")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
        version = 6
    else:
        version = 4
    try:
        parsed = ipaddress.ip_address(host)
    except ValueError:
        raise BridgeLineInvalid("bad_address") from None
    if parsed.version != version:
        raise BridgeLineInvalid("bad_address")
    return text


def _check_option(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not _OPTION_NAME.fullmatch(name) or not _VALUE.fullmatch(value):
        raise BridgeLineInvalid("bad_argument")
    return name, value


def parse_bridge(line: str) -> Bridge:
    """One bridge line, validated, or `BridgeLineInvalid`."""
    if len(line) > MAX_LINE:
        raise BridgeLineInvalid("too_long")
    words = line.split()
    if words and words[0] == "Bridge":
        words = words[1:]
    if not words:
        raise BridgeLineInvalid("empty")
    if any(not w.isascii() or not w.isprintable() for w in words):
        raise BridgeLineInvalid("bad_argument")
    transport = ""
    if ":" not in words[0]:
        transport = words.pop(0)
        if re.fullmatch(r"[0-9.]+", transport):  # an address without its port
            raise BridgeLineInvalid("bad_address")
        if transport not in TRANSPORTS:
            raise BridgeLineInvalid("unknown_transport")
        if not words:
            raise BridgeLineInvalid("bad_address")
    address = _check_address(words.pop(0))
    fingerprint = ""
    if words and "=" not in words[0]:
        fingerprint = words.pop(0)
        if not _FINGERPRINT.fullmatch(fingerprint):
            raise BridgeLineInvalid("bad_fingerprint")
        fingerprint = fingerprint.upper()
    options = tuple(_check_option(w) for w in words)
    if options and not transport:
        raise BridgeLineInvalid("bad_argument")
    names = [k for k, _v in options]
    if len(set(names)) != len(names):
        raise BridgeLineInvalid("bad_argument")
    bridge = Bridge(transport, address, fingerprint, options)
    if transport == "obfs4" and (bridge.option("cert") is None or not fingerprint):
        raise BridgeLineInvalid("missing_cert")
    if transport == "obfs4" and bridge.option("iat-mode") not in ("0", "1", "2"):
        raise BridgeLineInvalid("missing_cert")
    if transport == "snowflake":
        if bridge.option("url") is None:
            raise BridgeLineInvalid("missing_url")
        missing = tuple((k, v) for k, v in SNOWFLAKE_AMP_DEFAULTS if k not in names)
        bridge = Bridge(transport, address, fingerprint, options + missing)
    return bridge


def parse_bridges(text: str) -> tuple[Bridge, ...]:
    """Every bridge of pasted text (one a line; blank lines and `#` comments skipped).

    A bad line refuses the whole paste, naming the line: half a list of bridges saved
    would leave the user unsure which ones hasteh uses."""
    lines = [ln.strip() for ln in text.splitlines()]
    numbered = [(n, ln) for n, ln in enumerate(lines, 1) if ln and not ln.startswith("#")]
    if len(numbered) > MAX_LINES:
        raise BridgeLineInvalid("too_long")
    bridges: list[Bridge] = []
    for number, line in numbered:
        try:
            bridges.append(parse_bridge(line))
        except BridgeLineInvalid as exc:
            raise BridgeLineInvalid(exc.reason, number) from None
    return tuple(bridges)
