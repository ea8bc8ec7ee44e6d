"""Errors of `hasteh.app`, named by who is at fault, and the mapping of lower layers.

    AppError (HastehError)
     ├── UnknownCell          no cell of that name or id in this profile (you)
     ├── UnknownMember        no member with that cover name in the cell (you)
     ├── UnknownDecision      no decision with that number or id (you)
     ├── NoRelay              no relay is configured for a new cell or card (you)
     ├── CardError            an invitation card that cannot be used (see `.reason`)
     ├── NotAMember           this profile was removed from the cell (the cell)
     ├── Refused              the cell's rules refuse the action (`.code`: an org code)
     ├── BadInput             a value you typed is out of range (see `.reason`)
     ├── NothingToJoin        `join` found no invitation waiting (you)
     │    └── JoinRefused     a welcome arrived but its history was refused (a member)
     └── GroupError           an MLS failure at the app boundary (the peer, or our bug)

Every message is translated (`hasteh.i18n._`) and says what to do next. None contains a
mailbox id, a key, a card code, a message text or anything that names a person outside
the cell (cover names are shown inside the cell they belong to, and only there).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from hasteh.errors import HastehError
from hasteh.i18n import _, display_number
from hasteh.mls.errors import InternalError, InvalidMessage, MLSError, UsageError
from hasteh.org.errors import InvalidEvent, OrgError
from hasteh.org.names import clean_name

__all__ = [
    "AppError",
    "BadInput",
    "CardError",
    "GroupError",
    "JoinRefused",
    "NoRelay",
    "NotAMember",
    "NothingToJoin",
    "Refused",
    "UnknownCell",
    "UnknownDecision",
    "UnknownMember",
    "clean_or_refuse",
    "mls_errors",
    "refused",
]


class AppError(HastehError):
    """Base of every deliberate `hasteh.app` error."""

    def __init__(self, message: str, next_step: str = "") -> None:
        super().__init__(message)
        self.next_step = next_step


class UnknownCell(AppError):
    def __init__(self) -> None:
        super().__init__(
            _("There is no such cell in this profile."),
            _("See your cells with `hasteh cell list`."),
        )


class UnknownMember(AppError):
    def __init__(self) -> None:
        super().__init__(
            _("There is no member with that cover name in this cell."),
            _("See the members with `hasteh cell members CELL`."),
        )


class UnknownDecision(AppError):
    def __init__(self) -> None:
        super().__init__(
            _("There is no such decision in this cell."),
            _("See the decisions with `hasteh decide show CELL`."),
        )


class NoRelay(AppError):
    def __init__(self) -> None:
        super().__init__(
            _("No relay is configured."),
            _("Give one with --relay URL (an address your cell agreed on)."),
        )


#: Card refusal reasons and their messages (the decoder is strict and precise).
CARD_REASONS: dict[str, str] = {
    "not-a-card": "This is not a hasteh invitation card.",
    "unsupported-version": "This card was made by another version of hasteh. Update hasteh.",
    "bad-characters": "The card code contains characters a card never has; it was mistyped.",
    "checksum": "The card code is damaged or incomplete (its checksum does not match).",
    "malformed": "The card code is complete but its contents are not valid.",
    "bad-key-package": "The card's key is not valid (its signature does not verify).",
    "expired": "The invitation card has expired.",
    "bad-relay": "The card names a relay address that is not valid.",
    "too-large": "The card code is far too long to be a card.",
    "image-too-large": (
        "The image is too large to be a card (at most 12 MB and 6000 pixels a side)."
    ),
    "not-an-image": "This file is not an image hasteh can read (PNG, JPEG, GIF, BMP or WebP).",
    "no-qr-code": "No QR code was found in the image.",
}


class CardError(AppError):
    """An invitation card that cannot be used. `reason` is a stable slug (`CARD_REASONS`)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        step = (
            _("Ask the newcomer to make a new card with `hasteh card`.")
            if reason in ("expired", "bad-key-package")
            else _("Check the code or scan the card again; nothing was changed.")
        )
        super().__init__(_(CARD_REASONS[reason]), step)


class NotAMember(AppError):
    def __init__(self) -> None:
        super().__init__(
            _("This profile is no longer a member of this cell: it was removed."),
            _("Nothing can be sent or read there any more."),
        )


class NothingToJoin(AppError):
    def __init__(self, waiting: int) -> None:
        self.waiting = waiting
        super().__init__(
            _("No welcome has arrived yet for your invitation cards ({n} waiting).").format(
                n=display_number(waiting)
            ),
            _("The cell has not admitted you yet; try `hasteh join` again later."),
        )


class JoinRefused(NothingToJoin):
    """A join package arrived for one of our cards but was refused: the cell history the
    committing member handed over breaks the cell's rules (a forged or broken log). The
    card stays usable; nothing was joined or changed."""

    def __init__(self, waiting: int, refused: int, reason: str = "") -> None:
        super().__init__(waiting)
        self.refused = refused
        self.reason = reason
        if reason == "not-the-cell":
            AppError.__init__(
                self,
                _(
                    "Alarm: a welcome arrived from a cell other than the one the member who "
                    "typed your spoken code named, so it was refused ({n} refused). Someone "
                    "holds a copy of your invitation."
                ).format(n=display_number(refused)),
                _(
                    "Tell the member who proposed you, in person. You stay out of that "
                    "cell; run `hasteh join` again when your cell has added you."
                ),
            )
            return
        AppError.__init__(
            self,
            _(
                "Alarm: a welcome to a cell arrived for your invitation card, but the cell "
                "history it carried was not valid, so it was refused ({n} refused)."
            ).format(n=display_number(refused)),
            _(
                "Tell the member who proposed you, in person. Your card stays valid; "
                "run `hasteh join` again when they have sent a new welcome."
            ),
        )


class BadInput(AppError):
    def __init__(self, reason: str, message: str, next_step: str = "") -> None:
        self.reason = reason
        super().__init__(message, next_step)


class Refused(AppError):
    """The cell's rules refuse this action; `code` is the org error code."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message, _("Nothing was changed."))


def refused(exc: OrgError) -> Refused:
    """An org refusal, translated (`template` is the msgid, `params` fill it)."""
    params = {
        k: display_number(v) if isinstance(v, int) and not isinstance(v, bool) else v
        for k, v in exc.params.items()
    }
    try:
        text = _(exc.template).format(**params)
    except (KeyError, IndexError):
        text = exc.message
    return Refused(exc.code, text)


def clean_or_refuse(text: str, *, limit: int = 64) -> str:
    """A typed name, cleaned (`hasteh.org.names.clean_name`), or `Refused` with the
    precise reason in the user's language, before anything is created."""
    try:
        return clean_name(text, limit=limit)
    except InvalidEvent as exc:
        raise refused(exc) from None


class GroupError(AppError):
    """An MLS failure mapped at the boundary. `reason` is the MLS reason slug, if any."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        if reason == "wrong-epoch":
            message = _("The cell has moved on since this was made (stale epoch).")
            step = _("Run `hasteh sync` and try again.")
        else:
            message = _("A message of the cell could not be processed ({reason}).").format(
                reason=reason
            )
            step = _("Run `hasteh sync`; if it persists, compare safety words in person.")
        super().__init__(message, step)


@contextmanager
def mls_errors() -> Iterator[None]:
    """Map `hasteh.mls` errors (which do not derive from HastehError) at this boundary."""
    try:
        yield
    except InvalidMessage as exc:
        raise GroupError(exc.reason) from None
    except UsageError as exc:
        text = str(exc)
        raise GroupError(
            "commit-required" if text.startswith("commit-required") else "usage"
        ) from None
    except InternalError:
        raise GroupError("internal") from None
    except MLSError:
        raise GroupError("malformed") from None
