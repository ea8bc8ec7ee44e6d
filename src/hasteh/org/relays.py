"""The cell's relay list as a setting: the form every member checks (docs/org.md, "Order,
time and write access").

The list is part of `CellSettings` and changes only by a `ChangeSettings` decision, so an
informer cannot move the cell onto a relay of its choosing, nor leave it with none. Every
member checks the same rules when the motion is opened and again when it is carried out:

* at least one relay and at most `MAX_RELAYS`; the first one orders the log;
* each URL ``http://`` or ``https://`` with a host, an optional port and path, and no
  credentials, query, fragment, whitespace or trailing slash (one spelling per relay, so
  a relay is never listed twice under two names);
* no relay twice.

Pure: it parses text and reaches nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from hasteh.org.errors import InvalidEvent
from hasteh.org.events import MAX_RELAY_URL, MAX_RELAYS

__all__ = ["check_relay_list", "check_relay_url", "relay_url_problem"]

_SCHEMES: Final = ("http", "https")
#: Characters a relay URL may hold (RFC 3986 unreserved, ":" and "/" for port and path,
#: "[" "]" for an IPv6 host): nothing that could smuggle credentials, a query or markup.
_ALLOWED: Final = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/[]"
)
_HEX6: Final = frozenset("0123456789abcdefABCDEF:.")


def relay_url_problem(url: str) -> str | None:
    """Why `url` is not a relay URL a cell may list (a short English reason), or None.

    Parsed by hand (org imports no `urllib`): ``scheme "://" host [":" port] [path]``."""
    if not url or len(url) > MAX_RELAY_URL:
        return f"at most {MAX_RELAY_URL} characters"
    if any(c not in _ALLOWED for c in url):
        return "only letters, digits and - . _ ~ : / [ ] are allowed"
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in _SCHEMES:
        return "it must start with http:// or https://"
    if url.endswith("/"):
        return "it must not end with /"
    authority, _slash, path = rest.partition("/")
    if "//" in path:
        return "the path has an empty part"
    if authority.startswith("["):  # an IPv6 literal
        close = authority.find("]")
        host, port = authority[1 : max(close, 1)], authority[close + 1 :]
        if close < 0 or not host or any(c not in _HEX6 for c in host):
            return "it names no host"
        if port and not port.startswith(":"):
            return "it names no host"
        port = port[1:]
    else:
        host, _colon, port = authority.partition(":")
        if not host or "[" in authority or "]" in authority or ":" in port:
            return "it names no host"
        if _colon and not port:
            return "the port is not a number from 1 to 65535"
    if port and not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        return "the port is not a number from 1 to 65535"
    return None


def check_relay_url(url: str) -> None:
    """`InvalidEvent("bad-relay")` unless `url` is a relay URL a cell may list."""
    problem = relay_url_problem(url)
    if problem is not None:
        raise InvalidEvent("bad-relay")


def check_relay_list(relays: Sequence[str]) -> None:
    """Refuse a relay list a cell cannot live with: empty, too long, a bad URL, a repeat."""
    if not relays:
        raise InvalidEvent("no-relays")
    if len(relays) > MAX_RELAYS:
        raise InvalidEvent("too-many-relays", limit=MAX_RELAYS)
    for url in relays:
        check_relay_url(url)
    if len(set(relays)) != len(relays):
        raise InvalidEvent("relay-twice")
