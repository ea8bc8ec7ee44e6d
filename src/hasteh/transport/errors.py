"""Errors of `hasteh.transport`, named by who is at fault.

    TransportError (HastehError)
     ├── RelayUnreachable     the network, Tor or the relay is down (the environment; retry)
     ├── RelayUnavailable     the relay answered 5xx (the relay; retry)
     ├── RelayRefused         the relay refused the request with a 4xx or 507 (`.error`)
     │    └── EpochConflict   409 from an older relay: another commit came first
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


#: Refusals that pass with time (a budget refills, space frees up): back off and retry,
#: never give up for good, and tell the members.
TEMPORARY_REFUSALS = frozenset({"budget_exhausted", "mailbox_full", "relay_full"})
#: The write key is not (or no longer) valid on this relay: a removed device, or a key the
#: relay never registered.
NOT_ALLOWED = "not_allowed"


class RelayRefused(TransportError):
    """A 4xx (or 507) answer. 408, 429 and the temporary refusals are retryable."""

    def __init__(
        self, status: int, error: str, detail: str = "", retry_after: int | None = None
    ) -> None:
        self.status = status
        self.error = error
        self.detail = detail
        self.retry_after = retry_after
        self.retryable = status in (408, 429) or error in TEMPORARY_REFUSALS
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
