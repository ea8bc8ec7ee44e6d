"""Errors of `hasteh.transport`, named by who is at fault.

    TransportError (HastehError)
     ├── RelayUnreachable     the network, Tor or the relay is down (the environment; retry)
     ├── RelayUnavailable     the relay answered 5xx (the relay; retry)
     ├── RelayRefused         the relay refused the request with a 4xx (see `.error`)
     │    └── EpochConflict   409: the mailbox is at another epoch (fetch, then re-stage)
     ├── RelayMisbehaved      the relay's answer is not what the protocol allows (the peer)
     └── BundleError          a courier bundle cannot be used
          └── BundleRefused   damaged, changed, or the wrong code: refused whole

Messages never contain a mailbox id, an address, a code or plaintext.
"""

from __future__ import annotations

from hasteh.errors import HastehError
from hasteh.i18n import _


class TransportError(HastehError):
    """Base of every transport error raised on purpose."""

    #: Whether trying again later may succeed (the outbox backs off and retries).
    retryable: bool = False


class RelayUnreachable(TransportError):
    retryable = True

    def __init__(self) -> None:
        super().__init__(_("The relay cannot be reached."))
        self.next_step = _("Your messages stay in the outbox and are sent when it is reachable.")


class RelayUnavailable(TransportError):
    retryable = True

    def __init__(self, status: int) -> None:
        self.status = status
        super().__init__(_("The relay is having trouble; try again later."))


class RelayRefused(TransportError):
    """A 4xx answer. 408 and 429 are retryable (slow down); others are not."""

    def __init__(self, status: int, error: str, detail: str = "") -> None:
        self.status = status
        self.error = error
        self.detail = detail
        self.retryable = status in (408, 429)
        super().__init__(_("The relay refused the request: {error}").format(error=error))


class EpochConflict(RelayRefused):
    """The relay accepted another commit for this epoch first."""

    def __init__(self, epoch: int | None) -> None:
        super().__init__(409, "epoch_conflict")
        self.epoch = epoch


class RelayMisbehaved(TransportError):
    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(_("The relay sent an answer that breaks the protocol."))


class BundleError(TransportError):
    """A courier bundle cannot be used."""


class BundleRefused(BundleError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "This bundle was refused whole: it is damaged, was changed, or the code is wrong. "
                "Nothing was imported."
            )
        )
        self.next_step = _("Check the code with the person who gave you the bundle.")
