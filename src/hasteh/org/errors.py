"""Errors of `hasteh.org`, named by who is at fault.

    HastehError
     └── OrgError                 every deliberate org error: a stable `code`, English text
          ├── OrgDecodeError      bytes that are not a valid event encoding (the sender)
          ├── InvalidEvent        a well-formed event the log refuses (its author, or you)
          └── PolicyViolation     your client was asked to commit a membership change
                                  the cell's policy does not authorize (you)

`hasteh.org` is sans-I/O and does not know the user's language. Every error carries a
stable `code` (an `OrgCode`, for tests, the faces and the docs), an English `template` (a
gettext msgid with `{placeholders}`), the `params` that fill it, and `message` (the English
text): the contract of `hasteh.errors`. The faces translate by code
(`hasteh.i18n.error_text`). Every template is listed in `MESSAGES` below and translated in
``locale/fa/LC_MESSAGES/hasteh.po``.

Messages never contain a secret, a key, a mailbox or message text. They may name a cover
name or a leaf number: those are only ever shown inside the cell they belong to.

A failed `apply` leaves the state it was given untouched (states are immutable).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from hasteh.errors import Domain, HastehError, Param

__all__ = [
    "MESSAGES",
    "InvalidEvent",
    "OrgCode",
    "OrgDecodeError",
    "OrgError",
    "PolicyViolation",
]

#: Every code an org error may carry (`MESSAGES` gives each its English template).
OrgCode = Literal[
    "too-large",
    "malformed",
    "unsupported-version",
    "unknown-event",
    "field-too-large",
    "malformed-event",
    "not-in-this-group",
    "unknown-cell",
    "cell-exists",
    "unknown-alliance",
    "alliance-exists",
    "not-a-member",
    "cap-reached",
    "cap-above-hard-limit",
    "cap-below-members",
    "bad-setting",
    "no-relays",
    "too-many-relays",
    "bad-relay",
    "relay-twice",
    "name-empty",
    "name-no-letter",
    "name-hidden-character",
    "name-zwnj",
    "name-marks",
    "name-mixed-script",
    "name-too-long",
    "name-unclean",
    "malformed-card",
    "expired-card",
    "cover-name-taken",
    "card-pending",
    "unknown-proposal",
    "proposal-lapsed",
    "not-your-proposal",
    "motion-too-soon",
    "self-vouch",
    "already-answered",
    "not-approved",
    "no-voucher",
    "no-proposal",
    "cover-name-mismatch",
    "committer-not-member",
    "committer-seized",
    "leaf-taken",
    "no-decision",
    "stale-epoch",
    "member-seized",
    "self-seizure",
    "unknown-seizure",
    "already-reviewed",
    "self-approval",
    "already-leaving",
    "unknown-thread",
    "duplicate-id",
    "expiry-in-past",
    "not-your-message",
    "deadline-in-past",
    "deadline-too-far",
    "bad-options",
    "bad-quorum",
    "bad-seats",
    "bad-motion",
    "unknown-decision",
    "vote-twice",
    "vote-after-close",
    "wrong-stance",
    "unknown-option",
    "duplicate-option",
    "too-many-choices",
    "reason-required",
    "already-closed",
    "not-due",
    "wrong-outcome",
    "motion-not-adopted",
    "motion-done",
    "wrong-motion",
    "policy-refused",
    "fund-stale",
    "fund-card-number",
    "fund-iban",
    "fund-unknown-pledge",
    "fund-over-pledge",
    "fund-over-cap",
    "fund-unknown-request",
    "fund-already-approved",
    "fund-not-approved",
    "fund-over-request",
    "fund-insufficient",
    "fund-chain-broken",
    # actions
    "unknown-action",
    "unknown-task",
    "not-your-task",
    "bad-link",
    "already-linked",
    "too-many-items",
    "date-out-of-range",
    "review-too-early",
    # newcomers on trial (hasteh.org.trial)
    "on-trial",
    "not-on-trial",
    # study circles
    "unknown-circle",
    "unknown-reading",
    "unknown-session",
    "not-the-convener",
    "bad-order",
    "session-over",
    # files and the library
    "file-over-cap",
    "files-full",
    "bad-chunk-list",
    "unknown-file",
    "not-your-file",
    "unknown-item",
    "not-your-item",
    # bulletins
    "unknown-article",
    "unknown-issue",
    "bulletin-hidden-text",
    "bulletin-already-published",
    "bulletin-already-linked",
    "bulletin-bad-link",
    "bulletin-not-editor",
    "bulletin-not-approved",
    "bulletin-bad-key",
    "bulletin-rotation-due",
    "bulletin-rotation-not-due",
    "bulletin-bad-rotation",
    "bulletin-bad-chunk",
    "bulletin-bad-file",
    "bulletin-not-published",
    "bulletin-person-name",
    # the drop box
    "unknown-submission",
    "drop-not-yours",
    "drop-bad-image",
    "drop-empty",
    # federation
    "not-elected",
    "no-delegates",
    "not-a-delegate",
    "bad-holders",
    "no-cell-key",
    "key-registered",
    "key-reused",
    "bad-signature",
    "no-alternate",
    "tally-unsigned",
    # federation (issue 17: hasteh.org.alliance, programme)
    "council-too-late",
    "joint-action-past",
    "unknown-version",
    "unknown-section",
    "programme-changed",
    "unknown-amendment",
    "already-endorsed",
    "cell-key-unknown",
    "forged-endorsement",
    "issue-number",
    "unknown-issue-article",
    # the alliance's bulletin key (issue 17)
    "not-a-member-cell",
]

#: Every error code and its English template (a gettext msgid). One table, so the docs and
#: the translations can be checked against it.
MESSAGES: Mapping[OrgCode, str] = {
    # decoding (OrgDecodeError)
    "too-large": "The event is {size} bytes; at most {limit} are allowed.",
    "malformed": "The event is not a valid encoding: {detail}.",
    "unsupported-version": (
        "The event has schema version {version}; this hasteh reads version {supported}. "
        "Update hasteh."
    ),
    "unknown-event": "The event type {tag} is unknown to this hasteh. Update hasteh.",
    "field-too-large": "A field of the event is too large or out of range: {detail}.",
    "malformed-event": "The event is not well formed: {detail}.",
    "not-in-this-group": "An event of type {tag} does not belong in a group of kind {kind}.",
    # the cell
    "unknown-cell": "There is no cell yet: the first event of a log must create the cell.",
    "cell-exists": "This cell was already created.",
    # an alliance (a group of cells' delegates; hasteh.org.alliance)
    "unknown-alliance": (
        "There is no alliance yet: the first event of its log must form the alliance."
    ),
    "alliance-exists": "This alliance was already formed.",
    "not-a-member": "Leaf {leaf} is not a member of this cell.",
    "cap-reached": (
        "The cell is full ({cap} members). Split the cell, or raise the cap by a decision."
    ),
    "cap-above-hard-limit": "A cell cannot have more than {hard} members.",
    "cap-below-members": "The cap cannot be below the number of members now ({count}).",
    "bad-setting": "The setting {name} must be between {low} and {high}.",
    "no-relays": "A cell needs at least one relay: the list of relays cannot be empty.",
    "too-many-relays": "A cell can list at most {limit} relays.",
    "bad-relay": (
        "A relay address must start with http:// or https:// and name a host, with no "
        "password, no spaces and no / at the end."
    ),
    "relay-twice": "The same relay is listed twice.",
    # names (cover names and cell names; hasteh.org.names)
    "name-empty": "The name is empty. Write a name.",
    "name-no-letter": "The name has no letter or digit. Write a name people can read.",
    "name-hidden-character": (
        "The name contains an invisible or control character ({char}). Type the name again "
        "without copying it from elsewhere."
    ),
    "name-zwnj": (
        "A half-space (ZWNJ) may only stand between two Persian letters. Remove the others."
    ),
    "name-marks": "Too many marks on one letter (at most {limit}), or a mark with no letter.",
    "name-mixed-script": (
        "The word {word} mixes letters of different alphabets (for example Latin and "
        "Cyrillic). Write each word in one alphabet."
    ),
    "name-too-long": "The name is too long: at most {limit} characters.",
    "name-unclean": (
        "The name is not in its plain form (extra spaces or unusual letter forms). "
        "The sender's hasteh is out of date or altered."
    ),
    # admission
    "malformed-card": "The invitation card is malformed: its fingerprint must be {size} bytes.",
    "expired-card": "The invitation card has expired. Ask the newcomer for a new card.",
    "cover-name-taken": (
        "The cover name {name} is already used in this cell, or looks like one that is. "
        "Choose another."
    ),
    "card-pending": "A proposal for this card is already open.",
    "unknown-proposal": "There is no open proposal with this id.",
    "proposal-lapsed": (
        "This proposal has lapsed (proposals last seven days). The proposer can make it again."
    ),
    "not-your-proposal": "Only the member who proposed the newcomer can withdraw the proposal.",
    "motion-too-soon": (
        "A decision that removes a member or changes the cell's settings must stay open at "
        "least {days} day(s), so every member can take part."
    ),
    "self-vouch": "The member who proposed the newcomer cannot also be the voucher.",
    "already-answered": "You have already answered this proposal.",
    "not-approved": (
        "The newcomer is not approved yet: {have} of the {needed} approvals the cell requires."
    ),
    "no-voucher": "The newcomer has no voucher yet: at least one member must vouch.",
    "no-proposal": "No approved proposal in this cell matches this invitation card.",
    "cover-name-mismatch": "The cover name in the commit differs from the approved one.",
    "committer-not-member": "The commit's author (leaf {leaf}) is not a member of this cell.",
    "committer-seized": "The commit's author (leaf {leaf}) was reported seized.",
    "leaf-taken": "Leaf {leaf} already holds a member.",
    # removal and emergencies
    "no-decision": "No adopted decision, seizure or leave authorizes removing leaf {leaf}.",
    "stale-epoch": "Commit epoch {epoch} is older than the last one seen ({last}).",
    "member-seized": "Leaf {leaf} was reported seized; events from that device are refused.",
    "self-seizure": "You cannot report your own device as seized from that device.",
    "unknown-seizure": "There is no seizure with this id.",
    "already-reviewed": "This seizure has already been reviewed.",
    "self-approval": "You cannot approve or vote on a matter about yourself.",
    "already-leaving": "You have already announced that you are leaving.",
    # talk
    "unknown-thread": "There is no thread with this id.",
    "duplicate-id": "An event with this id is already in the log.",
    "expiry-in-past": "The message would expire before it is sent.",
    "not-your-message": "Only the member who posted a message can delete it.",
    # decisions
    "deadline-in-past": "The deadline is already past. Choose a later deadline.",
    "deadline-too-far": "The deadline is too far away: at most {days} days ahead.",
    "bad-options": "A {kind} decision needs {need}.",
    "bad-quorum": "The quorum must be between 0 and the number of members ({count}).",
    "bad-seats": "For a {kind} decision, seats must be between {low} and {high}.",
    "bad-motion": "A motion can only be put to a consent or proposal decision.",
    "unknown-decision": "There is no decision with this id.",
    "vote-twice": "You have already taken part in this decision.",
    "vote-after-close": "This decision is closed; no more stances are accepted.",
    "wrong-stance": "A {kind} decision does not take this kind of stance.",
    "unknown-option": "Option {index} does not exist in this decision.",
    "duplicate-option": "The same option appears twice in this stance.",
    "too-many-choices": "At most {limit} options may be chosen.",
    "reason-required": "An objection or a block needs a reason.",
    "already-closed": "This decision is already closed.",
    "not-due": "The decision cannot close before its deadline unless every member took part.",
    "wrong-outcome": "The outcome in this event differs from the count of the stances.",
    "motion-not-adopted": "The decision did not adopt this motion.",
    "motion-done": "This motion has already been carried out.",
    "wrong-motion": "This decision's motion is not of the kind this event carries out.",
    # the solidarity fund (hasteh.org.fund)
    "fund-stale": (
        "This fund entry follows entries this device does not hold (or names one twice). "
        "Fetch what is new, then write it again."
    ),
    "fund-card-number": (
        "This looks like a bank card number (16 digits). Never write a card number, a real "
        "name or an account in the fund: use the family's code name."
    ),
    "fund-iban": (
        "This looks like an account number (IR and 24 digits, a Sheba number). Never write "
        "an account number in the fund."
    ),
    "fund-unknown-pledge": "There is no pledge with this id in the fund.",
    "fund-over-pledge": "The pledge has only {left} left to pay.",
    "fund-over-cap": (
        "This is above the fund's limit of {cap} per family in the period the rules set."
    ),
    "fund-unknown-request": "There is no request with this id in the fund.",
    "fund-already-approved": "This request is already approved.",
    "fund-not-approved": (
        "The request is not approved yet: {have} of the {needed} approvals it needs. "
        "Another member must approve it."
    ),
    "fund-over-request": "The request has only {left} left to pay.",
    "fund-insufficient": "The fund holds only {balance} of this kind.",
    "fund-chain-broken": (
        "The fund's ledger is broken: an entry was edited or dropped. Nothing more can be "
        "written to it until the cell compares the ledger in person."
    ),
    # actions (hasteh.org.actions)
    "unknown-action": "There is no action with this id.",
    "unknown-task": "There is no task with this id.",
    "not-your-task": "Only the task's assignee or the action's planner can change its status.",
    "bad-link": (
        "A {kind} decision cannot decide the {role} of this action (priorities: a ranked "
        "or multiple choice over exactly its demands; go: consent or proposal; turnout: "
        "opt-in)."
    ),
    "already-linked": "This action already has a decision for its {role}.",
    "too-many-items": "There can be at most {limit} of these.",
    "date-out-of-range": "The date must be between yesterday and {days} days ahead.",
    "review-too-early": "An action can be reviewed only on or after its date.",
    # newcomers on trial (hasteh.org.trial)
    "on-trial": (
        "A newcomer on trial takes part in talk and ordinary decisions, but not in "
        "admissions, removals, seizures of others or the cell's rules, until the cell "
        "ends the trial."
    ),
    "not-on-trial": "{name} is not on trial in this cell.",
    # study circles (hasteh.org.study)
    "unknown-circle": "There is no study circle with this id.",
    "unknown-reading": "There is no such reading in this circle's curriculum.",
    "unknown-session": "There is no study session with this id.",
    "not-the-convener": (
        "Only the circle's convener ({name}) can change its curriculum and sessions."
    ),
    "bad-order": "A new order must name every reading of the curriculum exactly once.",
    "session-over": "This session is over: its place can no longer be given.",
    # files and the library (hasteh.org.files)
    "file-over-cap": (
        "The file is larger than the cell allows ({limit} bytes). Share a smaller file, or "
        "raise the cap by a decision."
    ),
    "files-full": (
        "The cell's files would pass the total it allows ({limit} bytes). Remove old files, "
        "or raise the total by a decision."
    ),
    "bad-chunk-list": "The file's list of chunks does not match its size.",
    "unknown-file": "There is no file with this id in the cell.",
    "not-your-file": "Only the member who shared a file can remove it.",
    "unknown-item": "There is no item with this id in the library.",
    "not-your-item": "Only the member who added an item can change or remove it (or a decision).",
    # bulletins (hasteh.org.bulletin)
    "unknown-article": "There is no article with this id.",
    "unknown-issue": "There is no issue with this id.",
    "bulletin-hidden-text": (
        "The text is empty or holds hidden direction characters; type it again."
    ),
    "bulletin-already-published": "Issue {number} is already published.",
    "bulletin-already-linked": "This already has its decision.",
    "bulletin-bad-link": (
        "A {kind} decision cannot approve this; open a consent or proposal decision "
        "without a motion."
    ),
    "bulletin-not-editor": (
        "Only an editor the cell named (and who holds the bulletin key) can do this."
    ),
    "bulletin-not-approved": (
        "This issue has no adopted approval decision yet: the bulletin key signs only "
        "approved issues."
    ),
    "bulletin-bad-key": "This is not the cell's current bulletin key.",
    "bulletin-rotation-due": (
        "The bulletin key must be rotated first: a holder was removed or reported seized."
    ),
    "bulletin-rotation-not-due": "The bulletin key is not due for rotation.",
    "bulletin-bad-rotation": "The key rotation does not hold ({step}).",
    "bulletin-bad-chunk": "A part of the published file is missing, repeated or the wrong size.",
    "bulletin-bad-file": "The published file does not match its announced hash.",
    "bulletin-not-published": "This issue is not published yet.",
    "bulletin-person-name": (
        "A workplace code must not be a member's name: record copies by workplace only."
    ),
    "unknown-submission": "There is no such submission in the drop box (it may have expired).",
    "drop-not-yours": "Only the member whose drop box received a submission adds its photos.",
    "drop-bad-image": "A photo of a submission must be a JPEG made by hasteh.",
    "drop-empty": "A submission needs some text or a photo.",
    # federation: delegates, the cell's key, recalls, signed tallies (hasteh.org.fed)
    "not-elected": (
        "The decision did not elect these two: its first winner must be the delegate and "
        "its second the alternate, by their cover names."
    ),
    "no-delegates": "The cell has not elected its delegate and alternate yet.",
    "not-a-delegate": "Only the cell's delegate or alternate can do this.",
    "bad-holders": (
        "The cell's key must be held by members only, the delegate and the alternate among "
        "them, each named once."
    ),
    "no-cell-key": "This cell has no key yet. Set the cell's key after the election.",
    "key-registered": "This cell's key is already registered; a new key comes only by rotation.",
    "key-reused": "This key was already used by the cell. Make a new key.",
    "bad-signature": (
        "The cell's key did not sign this ({what}): it may be forged. Nothing was changed; "
        "compare the cell's key fingerprint in person."
    ),
    "no-alternate": (
        "The alliance holds no alternate of this cell with this card. Register the alternate first."
    ),
    "tally-unsigned": "No other cell signed this tally; it proves nothing yet.",
    # federation (issue 17: hasteh.org.alliance, hasteh.org.programme)
    "council-too-late": (
        "Only the alliance's founder, before any other cell joins, can make it a council."
    ),
    "joint-action-past": "The joint action's date has passed: its counts can no longer change.",
    "unknown-version": "The programme has no version {version}.",
    "unknown-section": "The programme has no section {section} to remove.",
    "programme-changed": (
        "Section {section} changed after the version this amendment was drafted on. "
        "Propose it again on the current version."
    ),
    "unknown-amendment": "There is no amendment with this id.",
    "already-endorsed": "Your cell has already endorsed this version.",
    "cell-key-unknown": (
        "The alliance does not know the key of cell {cell} yet, so its endorsement cannot"
        " be checked."
    ),
    "forged-endorsement": (
        "The endorsement of cell {cell} is not signed with that cell's key: it is refused"
        " as forged."
    ),
    "issue-number": "The next issue of this alliance's bulletin is number {number}.",
    "unknown-issue-article": "An article of this issue is not in the alliance's log.",
    "not-a-member-cell": "{cell} is not a member cell of this alliance.",
    # a custom policy that refused without saying why
    "policy-refused": "The cell's policy refuses this membership change.",
}


class OrgError(HastehError):
    """Base of every deliberate `hasteh.org` error."""

    domain: ClassVar[Domain] = "org"
    templates: ClassVar[Mapping[Any, str]] = MESSAGES
    code: OrgCode

    def __init__(self, code: OrgCode, /, **params: Param) -> None:
        super().__init__(code, **params)


class OrgDecodeError(OrgError):
    """The bytes are not an event this hasteh can read (the sender's fault, or too old a
    hasteh for `unsupported-version` / `unknown-event`)."""


class InvalidEvent(OrgError):
    """A well-formed event that the log refuses: its author broke a rule of the cell.

    When you build the event yourself, the fault is yours; when it arrives, the author's.
    """


class PolicyViolation(OrgError):
    """Your client was asked to commit a membership change that the policy refuses."""
