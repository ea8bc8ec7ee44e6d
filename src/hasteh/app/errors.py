"""Errors of `hasteh.app`, named by who is at fault, and the mapping of lower layers.

    AppError (HastehError)
     ├── UnknownCell          no cell of that name or id in this profile (you)
     ├── UnknownMember        no member with that cover name in the cell (you)
     ├── UnknownDecision      no decision with that number or id (you)
     ├── NoRelay              no relay is configured for a new cell or card (you)
     ├── CardError            an invitation card that cannot be used (see `.reason`)
     ├── NotAMember           this profile was removed from the cell (the cell)
     ├── Refused              the cell's rules refuse the action (domain "org": an `OrgCode`)
     ├── BadInput             a value you typed is out of range (see `.code`)
     ├── NothingToJoin        `join` found no invitation waiting (you)
     │    └── JoinRefused     a welcome arrived but its history was refused (a member)
     └── GroupError           an MLS failure at the app boundary (the peer, or our bug)

Every error carries an `AppCode` (or, for `Refused`, the `OrgCode` of the refusal), its
English template (`APP_MESSAGES`) and parameters: the contract of `hasteh.errors`. Nothing
is translated here; the faces translate by code and word the kind of next step the
shared table gives each code (`hasteh.next_step_kinds`; `hasteh.cli.next_steps`,
`hasteh.web.next_steps`). No parameter holds a mailbox
id, a key, a card code, a message text or anything that names a person outside the cell
(cover names are shown inside the cell they belong to, and only there).

`hasteh.mls` is a library of its own (its `MLSError` is not a `HastehError`):
`mls_errors` maps it here, at the boundary, into a `GroupError`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar, Literal

from hasteh.errors import Domain, HastehError, Param
from hasteh.mls.errors import InternalError, InvalidMessage, MLSError, UsageError
from hasteh.org.errors import MESSAGES as ORG_MESSAGES
from hasteh.org.errors import InvalidEvent, OrgCode, OrgError
from hasteh.org.names import clean_name

__all__ = [
    "APP_MESSAGES",
    "CARD_REASONS",
    "AppCode",
    "AppError",
    "BadInput",
    "CardError",
    "CardReason",
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

#: Why an invitation card cannot be used (`CardError.reason`; its code is ``card-<reason>``).
CardReason = Literal[
    "not-a-card",
    "unsupported-version",
    "bad-characters",
    "checksum",
    "malformed",
    "bad-key-package",
    "expired",
    "bad-relay",
    "too-large",
    "image-too-large",
    "not-an-image",
    "no-qr-code",
]

AppCode = Literal[
    # not found, not configured
    "unknown-cell",
    "ambiguous-cell",
    "unknown-member",
    "unknown-decision",
    "no-relay",
    # invitation cards (CardError)
    "card-not-a-card",
    "card-unsupported-version",
    "card-bad-characters",
    "card-checksum",
    "card-malformed",
    "card-bad-key-package",
    "card-expired",
    "card-bad-relay",
    "card-too-large",
    "card-image-too-large",
    "card-not-an-image",
    "card-no-qr-code",
    # membership
    "not-a-member",
    "nothing-to-join",
    "join-refused",
    "join-not-the-cell",
    # MLS at the boundary (GroupError)
    "group-moved-on",
    "group-unprocessable",
    # what you typed (BadInput)
    "empty-message",
    "message-too-long",
    "bad-thread-title",
    "unknown-thread",
    "bad-card-days",
    "cap-above-hard-limit",
    "bad-cap",
    "bad-admission",
    "bad-expiry",
    "bad-trial",
    "not-on-trial",
    "unknown-contact",
    "contact-exists",
    "too-many-contacts",
    "contact-notes-too-long",
    "bad-handover",
    "objection-needs-reason",
    "self-seizure",
    "no-seizure",
    "bad-alarm-kind",
    "empty-alarm-note",
    "bad-deadline",
    "no-such-date",
    "bad-kind",
    "needs-options",
    "takes-no-options",
    "deadline-in-past",
    "bad-seats",
    "unknown-option",
    "bad-consent-position",
    "bad-proposal-position",
    "choose-one",
    "rank-one",
    "already-closed",
    "cap-below-members",
    # actions (app/actions.py)
    "bad-action-kind",
    "bad-task-status",
    "unknown-action",
    "unknown-task",
    "no-turnout",
    "too-few-demands",
    # relays of a cell (cell_relays, reach)
    "no-relays",
    "too-many-relays",
    "bad-relay",
    "relay-twice",
    "warning-not-accepted",
    "not-a-local-relay",
    "relay-in-use",
    # spoken invitation codes (invite_code.InviteCodeError, spoken)
    "bad-code-minutes",
    "spoken-bad-code",
    "spoken-wrong-code",
    "spoken-expired",
    "spoken-unknown-code",
    "spoken-taken",
    "spoken-malformed",
    "spoken-refused",
    "spoken-no-rendezvous",
    # alliances
    "unknown-alliance",
    "unknown-cell-proposal",
    # the solidarity fund (app.fund)
    "bad-amount",
    "bad-fund-choice",
    "unknown-fund-item",
    # study circles (app.study)
    "unknown-circle",
    "unknown-reading",
    "unknown-session",
    "bad-study-title",
    "study-note-too-long",
    "too-many-questions",
    "bad-library-item",
    "bad-session-hours",
    # files and the library (app.files)
    "file-empty",
    "bad-file-kind",
    "not-an-image",
    "file-too-large",
    "files-full",
    "no-such-file",
    "file-not-here",
    "file-refused",
    "bad-library-kind",
    "no-such-item",
    # the newsroom (app.bulletin)
    "unknown-article",
    "unknown-issue",
    "bad-article",
    "bad-issue-number",
    "no-bulletin-key",
    "issue-too-large",
    "issue-incomplete",
    "issue-before-joining",
    "no-such-page",
    "bad-copies",
    "copy-unreadable",
    "no-bulletin-yet",
    # the drop box (app.dropbox)
    "drop-bad-code",
    "drop-too-many-tries",
    "drop-empty",
    "drop-text-too-long",
    "drop-too-many-images",
    "drop-bad-image",
    "drop-unknown-receipt",
    "drop-unknown-item",
    "drop-bad-days",
    "drop-no-key",
    "drop-not-sealed",
    "drop-bad-key",
    "drop-closed",
    "drop-bad-key-file",
    "drop-other-key",
    "drop-weak-passphrase",
    # delegates (app/delegation.py)
    "bad-key-code",
    "unknown-motion",
    "bad-file-cap",
    # federation (app.federation)
    "bad-demands",
    "bad-count",
    "unknown-group",
    "unknown-joint-action",
    "unknown-fed-item",
    # the alliance's bulletin key (app.federation)
    "fed-not-editor",
    "fed-key-rotating",
    "bad-editors",
    # vouching codes (app.vouching)
    "vouch-not-a-code",
    "vouch-mistyped",
    "vouch-expired",
    "vouch-used",
    "vouch-bad-days",
    "vouch-too-many",
    "vouch-unreachable",
]

#: English templates of `AppCode` (gettext msgids).
APP_MESSAGES: Mapping[AppCode, str] = {
    "unknown-cell": "There is no such cell in this profile.",
    "ambiguous-cell": "Several cells have this name.",
    "unknown-member": "There is no member with that cover name in this cell.",
    "unknown-decision": "There is no such decision in this cell.",
    "no-relay": "No relay is configured.",
    "card-not-a-card": "This is not a hasteh invitation card.",
    "card-unsupported-version": ("This card was made by another version of hasteh. Update hasteh."),
    "card-bad-characters": ("The card code contains characters a card never has; it was mistyped."),
    "card-checksum": "The card code is damaged or incomplete (its checksum does not match).",
    "card-malformed": "The card code is complete but its contents are not valid.",
    "card-bad-key-package": "The card's key is not valid (its signature does not verify).",
    "card-expired": "The invitation card has expired.",
    "card-bad-relay": "The card names a relay address that is not valid.",
    "card-too-large": "The card code is far too long to be a card.",
    "card-image-too-large": (
        "The image is too large to be a card (at most 12 MB and 6000 pixels a side)."
    ),
    "card-not-an-image": "This file is not an image hasteh can read (PNG, JPEG, GIF, BMP or WebP).",
    "card-no-qr-code": "No QR code was found in the image.",
    "not-a-member": "This profile is no longer a member of this cell: it was removed.",
    "nothing-to-join": "No welcome has arrived yet for your invitation cards ({n} waiting).",
    "join-refused": (
        "Alarm: a welcome to a cell arrived for your invitation card, but the cell "
        "history it carried was not valid, so it was refused ({n} refused)."
    ),
    "join-not-the-cell": (
        "Alarm: a welcome arrived from a cell other than the one the member who "
        "typed your spoken code named, so it was refused ({n} refused). Someone "
        "holds a copy of your invitation."
    ),
    "group-moved-on": "The cell has moved on since this was made (stale epoch).",
    "group-unprocessable": "A message of the cell could not be processed ({reason}).",
    "empty-message": "There is nothing to send.",
    "message-too-long": "A message has at most 16,000 characters.",
    "bad-thread-title": "A thread title has 1 to 200 characters.",
    "unknown-thread": "There is no thread with that title.",
    "bad-card-days": "A card is valid for 1 to 30 days.",
    "cap-above-hard-limit": "A cell cannot have more than {hard} members.",
    "bad-cap": "The cap must be at least 2.",
    "bad-admission": "Admission is `all` or `all-but-one`.",
    "bad-expiry": "Messages expire after 1 to 365 days.",
    "bad-trial": "A newcomer's trial lasts 0 (no trial) to {days} days.",
    "not-on-trial": "{name} is not on trial in this cell.",
    "unknown-contact": "There is no contact with this code name on this device.",
    "contact-exists": "A contact with this code name is already on this device.",
    "too-many-contacts": "This device holds at most {limit} contacts.",
    "contact-notes-too-long": "Notes about a contact have at most {limit} characters.",
    "bad-handover": (
        "This is not a contact another member handed over, or it was damaged on the way. "
        "Nothing was kept."
    ),
    "objection-needs-reason": "An objection needs a reason.",
    "self-seizure": "You cannot report your own device as seized from that device.",
    "no-seizure": "No report of a seized device waits for review under this cover name.",
    "bad-alarm-kind": "Choose what is wrong: {kinds}.",
    "empty-alarm-note": "Say in a few words what is wrong.",
    "bad-deadline": ("The deadline is not a date: use +3d, +12h, 2026-05-01 or ۱۴۰۵-۰۲-۱۱ 18:00."),
    "no-such-date": "That date does not exist.",
    "bad-kind": "Unknown kind of decision: choose one of {kinds}.",
    "needs-options": "This kind of decision needs two or more options.",
    "takes-no-options": "This kind of decision takes no options.",
    "deadline-in-past": "The deadline is already past. Choose a later deadline.",
    "bad-seats": "An STV decision elects two or more.",
    "unknown-option": "There is no such option in this decision.",
    "bad-consent-position": "For consent: agree or object (with a reason).",
    "bad-proposal-position": "For a proposal: agree, abstain, disagree or block.",
    "choose-one": "Choose exactly one option.",
    "rank-one": "Rank at least one option, most preferred first.",
    "bad-action-kind": "Unknown kind of action: choose one of {kinds}.",
    "bad-task-status": "Unknown status of a task: choose one of {statuses}.",
    "unknown-action": "There is no such action in this cell.",
    "unknown-task": "There is no such task in this action.",
    "no-turnout": "This action has no open count of who will take part.",
    "too-few-demands": "Add at least two demands before ranking them.",
    "already-closed": "This decision is already closed.",
    "cap-below-members": "The cap cannot be below the number of members now ({count}).",
    "no-relays": "A cell needs at least one relay: the list of relays cannot be empty.",
    "too-many-relays": "A cell can list at most {limit} relays.",
    "bad-relay": (
        "A relay address must start with http:// or https:// and name a host, "
        "with no password, no spaces and no / at the end."
    ),
    "relay-twice": "The same relay is listed twice.",
    # The refusal repeats the warning itself (`hasteh.app.reach.LOCAL_WARNING` is this text).
    "warning-not-accepted": (
        "A relay inside the country, or on your local network, is reached directly, not "
        "through Tor: whoever watches that network (the state, your internet provider, the "
        "relay's operator) can see which computers connect to it, and so who talks with whom. "
        "Use it only when the international internet is cut, only with a relay run by someone "
        "the cell trusts, and turn it off when Tor works again."
    ),
    "not-a-local-relay": "This cell does not use that relay as a local relay.",
    "relay-in-use": "This cell already uses that relay.",
    "bad-code-minutes": "A spoken code lives 1 to 10 minutes.",
    "spoken-bad-code": (
        "This is not a spoken code: it needs a number and three words from the list."
    ),
    "spoken-wrong-code": "The code did not match. It is burned now and cannot be tried again.",
    "spoken-expired": "This spoken code has expired.",
    "spoken-unknown-code": (
        "No invitation is waiting under this code: it has expired or was never made."
    ),
    "spoken-taken": "Someone else already answered this code. It is burned now.",
    "spoken-malformed": (
        "The other device sent something that is not part of an invitation; it was stopped."
    ),
    "spoken-refused": "The member's device could not propose you to the cell.",
    "spoken-no-rendezvous": "No rendezvous relay could be reached.",
    "unknown-alliance": "There is no such alliance in this profile, or several have this name.",
    "unknown-cell-proposal": "No cell with this name is proposed.",
    "bad-amount": (
        "The amount must be a whole number above zero (Persian or Latin digits, at most "
        "{limit}), in {unit}."
    ),
    "bad-fund-choice": "{value} is not one of: {choices}.",
    "unknown-fund-item": (
        "No request or pledge in the fund starts with {ref}. Copy its number from the fund."
    ),
    "unknown-circle": "There is no such study circle in this cell.",
    "unknown-reading": "There is no reading with this number in the circle.",
    "unknown-session": "There is no session with this number in the circle.",
    "bad-study-title": "A title must be between 1 and {limit} characters.",
    "study-note-too-long": "A note or question can be at most {limit} characters.",
    "too-many-questions": "A reading can have at most {limit} questions.",
    "bad-library-item": "There is no such item in the cell's library: give its number there.",
    "bad-session-hours": "A session lasts between 1 and {limit} hours.",
    "file-empty": "The file is empty: there is nothing to share.",
    "bad-file-kind": "Unknown kind of file: choose one of {kinds}.",
    "not-an-image": "This file is not an image hasteh can clean (PNG or JPEG, at most 10 MB).",
    "file-too-large": (
        "The file is larger than the cell allows ({limit} MB). Share a smaller file, or "
        "raise the cap by a decision."
    ),
    "files-full": (
        "The cell's files would pass the total it allows ({limit} MB). Remove old files, or "
        "raise the total by a decision."
    ),
    "no-such-file": "There is no such file in this cell. Copy its number from the list of files.",
    "file-not-here": (
        "The file has not fully arrived on this device yet. Sync, or import a courier "
        "bundle, then try again."
    ),
    "file-refused": (
        "This file was refused: what arrived was not a clean image. Ask the member who "
        "shared it to share it again."
    ),
    "bad-library-kind": "Unknown kind of library item: choose one of {kinds}.",
    "no-such-item": "There is no such item in the library. Copy its number from the library.",
    "unknown-article": "There is no such article in this cell. Use its number from the newsroom.",
    "unknown-issue": "There is no such issue in this cell. Use its number from the newsroom.",
    "bad-article": (
        "A title needs 1 to 120 characters, and a text 1 to 24,000 (a comment 1 to 2,000)."
    ),
    "bad-issue-number": "The issue number must be a whole number from 1 to 99999.",
    "no-bulletin-key": (
        "This device holds no bulletin key of this cell: only the editors the cell named hold it."
    ),
    "issue-too-large": "The rendered issue is larger than 3 MB; make it shorter and try again.",
    "issue-incomplete": "Part of this issue's file has not arrived yet; fetch and try again.",
    "issue-before-joining": (
        "This issue was published before you joined, and its file is not handed to "
        "newcomers. Ask an editor to give you the PDF in person, then check it on the "
        "bulletin page."
    ),
    "no-such-page": "The issue has no such page.",
    "bad-copies": "Copies must be a whole number from 1 to 100000, as paper, file or image.",
    "copy-unreadable": (
        "This file is neither a bulletin PDF nor a picture of a back page with its QR code. "
        "Choose the PDF you were given, or a clear photo of the last page."
    ),
    "no-bulletin-yet": (
        "This cell has no bulletin key yet, so there is nothing to check a copy against."
    ),
    "drop-bad-code": (
        "This submission code does not work: it was mistyped, already used, or "
        "has expired. Ask for a new slip."
    ),
    "drop-too-many-tries": "Too many wrong codes were tried. Wait an hour and try again.",
    "drop-empty": "Write something or add a photo.",
    "drop-text-too-long": "The text is too long: at most {limit} characters.",
    "drop-too-many-images": "At most {limit} photos can be sent at once.",
    "drop-bad-image": (
        "Only photos (JPEG or PNG, at most {limit} MB) can be sent; other files are refused."
    ),
    "drop-unknown-receipt": (
        "No submission has this codename: it was mistyped, or the submission has expired."
    ),
    "drop-unknown-item": (
        "No submission in the drop box starts with {ref}. Copy its number from the list."
    ),
    "drop-bad-days": "A code or a submission is kept between 1 and {limit} days.",
    "drop-no-key": "This device holds no drop-box key for this cell.",
    "drop-not-sealed": "This file is not a sealed drop-box file, or it was sealed to another key.",
    "drop-bad-key": "This is not a drop-box key: copy it again from the slip.",
    "drop-closed": "The drop box is closed: the member's hasteh is locked.",
    "drop-bad-key-file": ("This is not a drop-box key file, or the passphrase is wrong."),
    "drop-other-key": (
        "This device already holds another drop-box key for this cell; nothing was changed."
    ),
    "drop-weak-passphrase": ("Use a passphrase of at least {limit} characters for a key file."),
    "bad-key-code": (
        "This is not the cell's current key or recall code, or it was mistyped. Check it "
        "with the person who gave it to you."
    ),
    "unknown-motion": "No motion of the alliance starts with this. Copy its id from the alliance.",
    "bad-file-cap": (
        "A file may be 1 to {most} MB, and all the cell's files together at least that and at "
        "most {total} MB."
    ),
    "bad-demands": "A joint action needs 1 to 12 demands, each at most 200 characters.",
    "bad-count": "A count is a whole number from 0 to 1,000.",
    "unknown-joint-action": "There is no joint action with this number in the alliance.",
    "unknown-fed-item": "There is no vote, warning or report-back with this number there.",
    "unknown-group": (
        "There is no such cell or alliance in this profile, or several have this name."
    ),
    "fed-not-editor": (
        "This device does not hold the alliance's bulletin key: only the delegates of the "
        "cells the alliance named editors hold it. Nothing was sent."
    ),
    "bad-editors": "Name 1 to {most} member cells as the editors, by their pseudonyms.",
    "fed-key-rotating": (
        "The alliance's bulletin key is being made or replaced. Sync, then try again; "
        "nothing was sent."
    ),
    "vouch-not-a-code": "This is not a vouching code: it starts with HV1.",
    "vouch-mistyped": (
        "The vouching code was mistyped or cut short (its check does not match). Copy it "
        "again, whole."
    ),
    "vouch-expired": "This vouching code has expired. Ask the delegate for a new one.",
    "vouch-used": (
        "This vouching code was already used. It works once; ask the delegate for a new one."
    ),
    "vouch-bad-days": "A vouching code is valid for 1 to {most} days.",
    "vouch-too-many": (
        "This alliance already has {most} vouching codes nobody has used. Wait until one is "
        "used or expires."
    ),
    "vouch-unreachable": (
        "None of the relays in the vouching code answered, so nothing was sent. Try again later."
    ),
}

#: Each card reason's English template (the docs list these reasons).
CARD_REASONS: Mapping[CardReason, str] = {
    "not-a-card": APP_MESSAGES["card-not-a-card"],
    "unsupported-version": APP_MESSAGES["card-unsupported-version"],
    "bad-characters": APP_MESSAGES["card-bad-characters"],
    "checksum": APP_MESSAGES["card-checksum"],
    "malformed": APP_MESSAGES["card-malformed"],
    "bad-key-package": APP_MESSAGES["card-bad-key-package"],
    "expired": APP_MESSAGES["card-expired"],
    "bad-relay": APP_MESSAGES["card-bad-relay"],
    "too-large": APP_MESSAGES["card-too-large"],
    "image-too-large": APP_MESSAGES["card-image-too-large"],
    "not-an-image": APP_MESSAGES["card-not-an-image"],
    "no-qr-code": APP_MESSAGES["card-no-qr-code"],
}
_CARD_CODES: Mapping[CardReason, AppCode] = {
    "not-a-card": "card-not-a-card",
    "unsupported-version": "card-unsupported-version",
    "bad-characters": "card-bad-characters",
    "checksum": "card-checksum",
    "malformed": "card-malformed",
    "bad-key-package": "card-bad-key-package",
    "expired": "card-expired",
    "bad-relay": "card-bad-relay",
    "too-large": "card-too-large",
    "image-too-large": "card-image-too-large",
    "not-an-image": "card-not-an-image",
    "no-qr-code": "card-no-qr-code",
}


class AppError(HastehError):
    """Base of every deliberate `hasteh.app` error."""

    domain: ClassVar[Domain] = "app"
    templates: ClassVar[Mapping[Any, str]] = APP_MESSAGES
    code: AppCode

    def __init__(self, code: AppCode, /, **params: Param) -> None:
        super().__init__(code, **params)


class UnknownCell(AppError):
    def __init__(self) -> None:
        super().__init__("unknown-cell")


class UnknownMember(AppError):
    def __init__(self) -> None:
        super().__init__("unknown-member")


class UnknownDecision(AppError):
    def __init__(self) -> None:
        super().__init__("unknown-decision")


class NoRelay(AppError):
    def __init__(self) -> None:
        super().__init__("no-relay")


class CardError(AppError):
    """An invitation card that cannot be used. `reason` is a stable slug (`CardReason`)."""

    def __init__(self, reason: CardReason) -> None:
        super().__init__(_CARD_CODES[reason])
        self.reason = reason


class NotAMember(AppError):
    def __init__(self) -> None:
        super().__init__("not-a-member")


class NothingToJoin(AppError):
    def __init__(self, waiting: int) -> None:
        super().__init__("nothing-to-join", n=waiting)
        self.waiting = waiting


class JoinRefused(NothingToJoin):
    """A join package arrived for one of our cards but was refused: the cell history the
    committing member handed over breaks the cell's rules (a forged or broken log), or
    (`reason` ``not-the-cell``, code ``join-not-the-cell``) the welcome came from another
    cell than the one a spoken code named. The card stays usable; nothing was joined or
    changed."""

    def __init__(self, waiting: int, refused: int, reason: str = "") -> None:
        code: AppCode = "join-not-the-cell" if reason == "not-the-cell" else "join-refused"
        AppError.__init__(self, code, n=refused)
        self.waiting = waiting
        self.refused = refused
        self.reason = reason


class BadInput(AppError):
    """A value typed by the person is out of range; `code` says which rule."""

    @property
    def reason(self) -> AppCode:
        return self.code


class Refused(AppError):
    """The cell's rules refuse this action: the org refusal, met by the app. Its `domain`
    is ``"org"`` and its `code` an `OrgCode`, so the faces read org's table."""

    domain: ClassVar[Domain] = "org"
    templates: ClassVar[Mapping[Any, str]] = ORG_MESSAGES
    code: OrgCode  # type: ignore[assignment]

    def __init__(self, code: OrgCode, /, **params: Param) -> None:
        HastehError.__init__(self, code, **params)


def refused(exc: OrgError) -> Refused:
    """An org refusal as the app's `Refused`, with its code and parameters."""
    return Refused(exc.code, **exc.params)


def clean_or_refuse(text: str, *, limit: int = 64) -> str:
    """A typed name, cleaned (`hasteh.org.names.clean_name`), or `Refused` with the
    precise reason, before anything is created."""
    try:
        return clean_name(text, limit=limit)
    except InvalidEvent as exc:
        raise refused(exc) from None


#: The `UsageError.reason` that means "commit the pending proposals first" (RFC 9420 §12.4).
_COMMIT_REQUIRED = "commit-required"


class GroupError(AppError):
    """An MLS failure mapped at the boundary. `reason` is the MLS reason slug (a stable
    `hasteh.mls.errors.MLSReason`, never text from the peer)."""

    def __init__(self, reason: str) -> None:
        if reason == "wrong-epoch":
            super().__init__("group-moved-on")
        else:
            super().__init__("group-unprocessable", reason=reason)
        self.reason = reason


@contextmanager
def mls_errors() -> Iterator[None]:
    """Map `hasteh.mls` errors (which do not derive from HastehError) at this boundary."""
    try:
        yield
    except InvalidMessage as exc:
        raise GroupError(exc.reason) from None
    except UsageError as exc:
        raise GroupError(_COMMIT_REQUIRED if exc.reason == _COMMIT_REQUIRED else "usage") from None
    except InternalError:
        raise GroupError("internal") from None
    except MLSError:
        raise GroupError("malformed") from None
