"""Errors of `hasteh.transport`, named by who is at fault.

    TransportError (HastehError)
     ├── RelayUnreachable     the network, Tor or the relay is down (the environment; retry)
     ├── RelayUnavailable     the relay answered 5xx (the relay; retry)
     ├── RelayRefused         the relay refused the request with a 4xx or 507 (`.error`)
     │    └── EpochConflict   409 from an older relay: another commit came first
     ├── RelayMisbehaved      the relay's answer is not what the protocol allows (the peer)
     └── BundleError          a courier bundle cannot be used
          ├── BundleRefused   damaged, changed, or the wrong code: refused whole
          └── CourierError    (transport.courier) a bundle over one of the caps

Each error carries a `TransportCode` and its parameters (`hasteh.errors` gives the
contract). Parameters never contain a mailbox id, an address, a code or plaintext. A
relay's own words (its refusal slug) are untrusted: only a plain slug is kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from hasteh.errors import Domain, HastehError, Param

TransportCode = Literal[
    "relay-unreachable",
    "relay-unavailable",
    "relay-refused",
    "epoch-conflict",
    "relay-misbehaved",
    "bundle-refused",
    "bundle-code-needed",
    "bundle-too-full",
    "bundle-too-large",
    "bundle-too-many-entries",
    "bundle-too-many-relays",
]

#: English templates of `TransportCode` (gettext msgids).
TRANSPORT_MESSAGES: Mapping[TransportCode, str] = {
    "relay-unreachable": "The relay cannot be reached.",
    "relay-unavailable": "The relay is having trouble; try again later.",
    "relay-refused": "The relay refused the request: {error}",
    "epoch-conflict": "The relay accepted another change of the cell first.",
    "relay-misbehaved": "The relay sent an answer that breaks the protocol.",
    "bundle-refused": (
        "This bundle was refused whole: it is damaged, was changed, or the code is wrong. "
        "Nothing was imported."
    ),
    "bundle-code-needed": "A bundle code is needed.",
    "bundle-too-full": "Too much for one bundle: choose fewer mailboxes.",
    "bundle-too-large": "This bundle is larger than {n} MiB.",
    "bundle-too-many-entries": "A bundle carries at most {n} envelopes.",
    "bundle-too-many-relays": "An envelope in a bundle may list at most {n} relays.",
}

#: What a relay's refusal slug may look like; anything else is shown as ``unknown``.
_SLUG = re.compile(r"[a-z][a-z0-9_]{0,39}")


def relay_slug(error: str) -> str:
    """A relay's refusal slug if it is a plain one, else ``unknown``: a hostile relay must
    not put text, markup or direction controls in front of the person."""
    return error if _SLUG.fullmatch(error) else "unknown"


class TransportError(HastehError):
    """Base of every transport error raised on purpose."""

    domain: ClassVar[Domain] = "transport"
    templates: ClassVar[Mapping[Any, str]] = TRANSPORT_MESSAGES
    code: TransportCode

    #: Whether trying again later may succeed (the outbox backs off and retries).
    retryable: bool = False

    def __init__(self, code: TransportCode, /, **params: Param) -> None:
        super().__init__(code, **params)


class RelayUnreachable(TransportError):
    retryable = True

    def __init__(self) -> None:
        super().__init__("relay-unreachable")


class RelayUnavailable(TransportError):
    retryable = True

    def __init__(self, status: int) -> None:
        super().__init__("relay-unavailable", status=status)
        self.status = status


#: Refusals that pass with time (a budget refills, space frees up): back off and retry,
#: never give up for good, and tell the members.
TEMPORARY_REFUSALS = frozenset({"budget_exhausted", "mailbox_full", "relay_full"})
#: The write key is not (or no longer) valid on this relay: a removed device, or a key the
#: relay never registered.
NOT_ALLOWED = "not_allowed"


class RelayRefused(TransportError):
    """A 4xx (or 507) answer. 408, 429 and the temporary refusals are retryable.

    `error` is the relay's slug (kept only if plain, `relay_slug`); `detail` is the relay's
    free text, kept for a bug report and never shown."""

    def __init__(
        self, status: int, error: str, detail: str = "", retry_after: int | None = None
    ) -> None:
        self.status = status
        self.error = relay_slug(error)
        self.detail = detail
        self.retry_after = retry_after
        self.retryable = status in (408, 429) or self.error in TEMPORARY_REFUSALS
        super().__init__("relay-refused", error=self.error, status=status)


class EpochConflict(RelayRefused):
    """The relay accepted another commit for this epoch first."""

    def __init__(self, epoch: int | None) -> None:
        super().__init__(409, "epoch_conflict")
        self.code = "epoch-conflict"
        self.epoch = epoch


class RelayMisbehaved(TransportError):
    """`what` names the part of the answer at fault (for a bug report, not shown)."""

    def __init__(self, what: str) -> None:
        super().__init__("relay-misbehaved")
        self.what = what


class BundleError(TransportError):
    """A courier bundle cannot be used."""


class BundleRefused(BundleError):
    def __init__(self) -> None:
        super().__init__("bundle-refused")
