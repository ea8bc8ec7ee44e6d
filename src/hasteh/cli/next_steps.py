"""What the command line suggests after each error, by ``(domain, code)``.

The errors carry a code and parameters, not advice (`hasteh.errors`): what to do next
depends on the face. Here it is a command to run or an option to give; the web face has
its own table (`hasteh.web.next_steps`). Every code of every domain has a row
(`tests/test_error_contract.py` enumerates the `Literal` codes); each step is a gettext
msgid, translated when printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hasteh.errors import Domain, HastehError

if TYPE_CHECKING:  # the codes only type the tables: no CLI start pays for importing app
    from hasteh.app.errors import AppCode
    from hasteh.course.errors import CourseCode
    from hasteh.envelope import EnvelopeCode, WriteAuthCode
    from hasteh.jalali import TimeCode
    from hasteh.org.errors import OrgCode
    from hasteh.publish.errors import PublishCode
    from hasteh.relay.errors import RelayCode
    from hasteh.tor.errors import TorCode
    from hasteh.transport.errors import TransportCode
    from hasteh.vault.errors import VaultCode

__all__ = ["CLI_NEXT_STEPS", "next_step"]

UNCHANGED = "Nothing was changed."
SYNC = "Run `hasteh sync` and try again."
SYNC_THEN_WORDS = "Run `hasteh sync`; if it persists, compare safety words in person."
UPDATE = "Update hasteh; nothing was changed."
NEW_CARD = "Ask the newcomer to make a new card with `hasteh card`."
CHECK_CARD = "Check the code or scan the card again; nothing was changed."
MEMBERS = "See the members with `hasteh cell members CELL`."
DECISIONS = "See the decisions with `hasteh decide show CELL`."
ACTIONS = "See the actions with `hasteh action show CELL`."
STUDY = "See the study circles with `hasteh study show CELL`."
BUG = "This is a bug; please report it (nothing was changed)."
RETRY_LATER = "Your messages stay in the outbox and are sent when it is reachable."
FUND = "See the fund with `hasteh fund show CELL`; nothing was changed."
NEWSROOM = "See the articles and issues with `hasteh bulletin show CELL`."
EDITORS = "Only the editors the cell named hold the bulletin key; see `hasteh bulletin show CELL`."
APPROVAL = "Open its approval with `hasteh bulletin approve CELL ISSUE` and wait for the decision."
ROTATION = "Run `hasteh sync`: a remaining editor's device rotates the key by itself."
RETRY_FETCH = "Run `hasteh sync` and try again; nothing was changed."
PERSON = "Write the workplace's code only, never a person's name. Nothing was changed."
NO_BANK = "Write the family's code name only: no card, account or real name. Nothing was changed."
OPERATOR = "Fix the relay's setting and start it again."
FILES = "See the files with `hasteh files list CELL`; nothing was changed."
LIBRARY = "See the library with `hasteh library list CELL`; nothing was changed."

NEW_VOUCH = "Ask the delegate who vouches for you for a new code; nothing was sent."
FEDERATION = "See them with `hasteh federation show ALLIANCE` (or `reports` for report-backs)."
PROGRAMME = "See the current programme with `hasteh federation show ALLIANCE`; nothing was changed."

ORG: Mapping[OrgCode, str] = {
    **{
        code: UNCHANGED
        for code in (
            "cell-exists",
            "cap-above-hard-limit",
            "cap-below-members",
            "bad-setting",
            "card-pending",
            "self-vouch",
            "already-answered",
            "self-seizure",
            "already-reviewed",
            "self-approval",
            "already-leaving",
            "duplicate-id",
            "expiry-in-past",
            "not-your-message",
            "deadline-too-far",
            "bad-options",
            "bad-quorum",
            "bad-seats",
            "bad-motion",
            "vote-twice",
            "vote-after-close",
            "wrong-stance",
            "duplicate-option",
            "too-many-choices",
            "reason-required",
            "already-closed",
            "motion-done",
            "wrong-motion",
            "not-your-proposal",
            "motion-too-soon",
            "deadline-in-past",
        )
    },
    **{
        code: "Type the name again, by hand; nothing was changed."
        for code in (
            "name-empty",
            "name-no-letter",
            "name-hidden-character",
            "name-zwnj",
            "name-marks",
            "name-mixed-script",
            "name-too-long",
            "cover-name-taken",
        )
    },
    **{
        code: SYNC_THEN_WORDS
        for code in (
            "too-large",
            "malformed",
            "field-too-large",
            "malformed-event",
            "name-unclean",
            "unknown-cell",
            "cover-name-mismatch",
            "committer-not-member",
            "committer-seized",
            "leaf-taken",
            "stale-epoch",
            "member-seized",
            "wrong-outcome",
            "policy-refused",
        )
    },
    **{code: UPDATE for code in ("unsupported-version", "unknown-event")},
    **{code: NEW_CARD for code in ("malformed-card", "expired-card", "proposal-lapsed")},
    **{
        code: DECISIONS
        for code in (
            "unknown-decision",
            "unknown-option",
            "not-due",
            "motion-not-adopted",
            "no-decision",
        )
    },
    "not-a-member": MEMBERS,
    "not-in-this-group": SYNC_THEN_WORDS,
    "unknown-alliance": SYNC_THEN_WORDS,
    "alliance-exists": UNCHANGED,
    "no-relays": "Keep at least one relay that every member can reach.",
    "too-many-relays": UNCHANGED,
    "bad-relay": "Copy the address exactly as the relay's operator gave it.",
    "relay-twice": UNCHANGED,
    "cap-reached": "Split the cell, or open a decision to raise the cap (`hasteh decide open`).",
    "unknown-proposal": MEMBERS,
    "not-approved": "Wait for the approvals; see them with `hasteh cell members CELL`.",
    "no-voucher": "A member vouches with `hasteh vouch CELL NAME`.",
    "no-proposal": "Propose the newcomer first with `hasteh propose CELL CARD`.",
    "unknown-seizure": "See the reports with `hasteh cell seizures CELL`.",
    "unknown-thread": "See the threads with `hasteh read CELL`.",
    "fund-stale": SYNC,
    **{code: NO_BANK for code in ("fund-card-number", "fund-iban")},
    **{
        code: FUND
        for code in (
            "fund-unknown-pledge",
            "fund-over-pledge",
            "fund-over-cap",
            "fund-unknown-request",
            "fund-already-approved",
            "fund-over-request",
            "fund-insufficient",
        )
    },
    "fund-not-approved": "Another member approves it with `hasteh fund approve CELL ID`.",
    "fund-chain-broken": (
        "Do not use the fund: compare its fingerprint (`hasteh fund show CELL`) with the "
        "other members in person."
    ),
    # actions
    **{code: ACTIONS for code in ("unknown-action", "unknown-task", "not-your-task")},
    **{
        code: UNCHANGED
        for code in (
            "bad-link",
            "already-linked",
            "too-many-items",
            "date-out-of-range",
            "review-too-early",
        )
    },  # newcomers on trial
    "on-trial": UNCHANGED,
    "not-on-trial": MEMBERS,
    # study circles
    **{code: STUDY for code in ("unknown-circle", "unknown-reading", "unknown-session")},
    **{code: UNCHANGED for code in ("not-the-convener", "bad-order", "session-over")},
    # files and the library
    "file-over-cap": UNCHANGED,
    "files-full": UNCHANGED,
    "bad-chunk-list": UPDATE,
    "unknown-file": FILES,
    "not-your-file": FILES,
    "unknown-item": LIBRARY,
    "not-your-item": LIBRARY,
    # the newsroom (bulletin.*)
    **{code: NEWSROOM for code in ("unknown-article", "unknown-issue")},
    **{
        code: UNCHANGED
        for code in (
            "bulletin-hidden-text",
            "bulletin-already-published",
            "bulletin-already-linked",
            "bulletin-bad-link",
            "bulletin-rotation-not-due",
            "bulletin-not-published",
        )
    },
    **{code: EDITORS for code in ("bulletin-not-editor", "bulletin-bad-key")},
    "bulletin-not-approved": APPROVAL,
    "bulletin-rotation-due": ROTATION,
    **{
        code: RETRY_FETCH
        for code in ("bulletin-bad-rotation", "bulletin-bad-chunk", "bulletin-bad-file")
    },
    "bulletin-person-name": PERSON,
    # the drop box
    **{
        code: UNCHANGED
        for code in ("unknown-submission", "drop-not-yours", "drop-bad-image", "drop-empty")
    },
    # federation
    **{
        code: UNCHANGED
        for code in (
            "not-elected",
            "no-delegates",
            "not-a-delegate",
            "bad-holders",
            "key-registered",
            "key-reused",
            "no-alternate",
            "tally-unsigned",
        )
    },
    "bad-signature": (
        "Compare the cell's key fingerprint with its holders in person; nothing was changed."
    ),
    "no-cell-key": "The cell's delegate sets the cell's key first; nothing was changed.",
    # federation (issue 17)
    **{code: UNCHANGED for code in ("council-too-late", "joint-action-past", "already-endorsed")},
    **{code: UNCHANGED for code in ("issue-number", "unknown-issue-article")},
    "not-a-member-cell": "See the member cells with `hasteh federation show ALLIANCE`.",
    **{
        code: PROGRAMME
        for code in ("unknown-version", "unknown-section", "programme-changed", "unknown-amendment")
    },
    "cell-key-unknown": (
        "The cell's key must reach the alliance first: the cell decides, then its "
        "delegate registers it."
    ),
    "forged-endorsement": (
        "Nothing was changed. Tell the other delegates in person: a seat sent an "
        "endorsement its cell never signed."
    ),
}

APP: Mapping[AppCode, str] = {
    "unknown-cell": "See your cells with `hasteh cell list`.",
    "ambiguous-cell": "Use the id shown by `hasteh cell list`.",
    "unknown-member": MEMBERS,
    "not-on-trial": MEMBERS,
    "unknown-contact": "See your contacts with `hasteh contact list`.",
    "contact-exists": UNCHANGED,
    "too-many-contacts": UNCHANGED,
    "contact-notes-too-long": UNCHANGED,
    "bad-handover": UNCHANGED,
    "unknown-decision": DECISIONS,
    **{code: ACTIONS for code in ("unknown-action", "unknown-task", "no-turnout")},
    "no-relay": "Give one with --relay URL (an address your cell agreed on).",
    **{
        code: CHECK_CARD
        for code in (
            "card-not-a-card",
            "card-bad-characters",
            "card-checksum",
            "card-malformed",
            "card-bad-relay",
            "card-too-large",
        )
    },
    "card-unsupported-version": "Both of you should update hasteh; nothing was changed.",
    "card-bad-key-package": NEW_CARD,
    "card-expired": NEW_CARD,
    "not-a-member": "Nothing can be sent or read there any more.",
    "nothing-to-join": "The cell has not admitted you yet; try `hasteh join` again later.",
    "join-refused": (
        "Tell the member who proposed you, in person. Your card stays valid; "
        "run `hasteh join` again when they have sent a new welcome."
    ),
    "group-moved-on": SYNC,
    "group-unprocessable": SYNC_THEN_WORDS,
    **{
        code: UNCHANGED
        for code in (
            "empty-message",
            "message-too-long",
            "bad-thread-title",
            "bad-card-days",
            "bad-cap",
            "bad-admission",
            "bad-expiry",
            "bad-trial",
            "objection-needs-reason",
            "bad-alarm-kind",
            "empty-alarm-note",
            "bad-deadline",
            "no-such-date",
            "bad-kind",
            "bad-action-kind",
            "bad-task-status",
            "too-few-demands",
            "needs-options",
            "takes-no-options",
            "deadline-in-past",
            "bad-seats",
            "bad-consent-position",
            "bad-proposal-position",
            "choose-one",
            "rank-one",
            "already-closed",
            "cap-below-members",
        )
    },
    "unknown-thread": "See the threads with `hasteh read CELL`.",
    "cap-above-hard-limit": "Split the cell instead: two small cells are safer than one big one.",
    "self-seizure": "Ask another member to do it, or use `hasteh panic`.",
    "no-seizure": "See the cell's page, or `hasteh cell seizures`, for the reports to review.",
    "unknown-option": DECISIONS,
    "no-relays": "Keep at least one relay that every member can reach.",
    "too-many-relays": UNCHANGED,
    "bad-relay": "Copy the address exactly as the relay's operator gave it.",
    "relay-twice": UNCHANGED,
    "warning-not-accepted": (
        "Say that you understand (--i-understand, or tick the box), then try again."
    ),
    "not-a-local-relay": UNCHANGED,
    "relay-in-use": UNCHANGED,
    "unknown-alliance": UNCHANGED,
    "unknown-cell-proposal": UNCHANGED,
    "bad-code-minutes": UNCHANGED,
    "spoken-bad-code": ("Ask for the code again and type it as you hear it."),
    "spoken-wrong-code": ("Make a new code and read it aloud again, in person."),
    "spoken-expired": ("Make a new code and read it aloud again, in person."),
    "spoken-unknown-code": ("Make a new code and read it aloud again, in person."),
    "spoken-taken": ("Make a new code in person; if nobody else was near, tell your cell."),
    "spoken-malformed": ("Make a new code and read it aloud again, in person."),
    "spoken-refused": ("Ask the member what it said; nothing was changed on your device."),
    "spoken-no-rendezvous": (
        "Check the connection (or Tor), or set a rendezvous relay both devices can reach."
    ),
    "card-image-too-large": CHECK_CARD,
    "card-not-an-image": CHECK_CARD,
    "card-no-qr-code": CHECK_CARD,
    "join-not-the-cell": (
        "Tell the member who proposed you, in person. You stay out of that "
        "cell; run `hasteh join` again when your cell has added you."
    ),
    "bad-amount": UNCHANGED,
    "bad-fund-choice": UNCHANGED,
    "unknown-fund-item": FUND,
    # study circles
    **{code: STUDY for code in ("unknown-circle", "unknown-reading", "unknown-session")},
    **{
        code: UNCHANGED
        for code in (
            "bad-study-title",
            "study-note-too-long",
            "too-many-questions",
            "bad-library-item",
            "bad-session-hours",
        )
    },
    # files and the library
    **{
        code: UNCHANGED
        for code in (
            "file-empty",
            "bad-file-kind",
            "not-an-image",
            "file-too-large",
            "files-full",
            "bad-library-kind",
        )
    },
    "no-such-file": FILES,
    "file-not-here": SYNC,
    "file-refused": FILES,
    "no-such-item": LIBRARY,
    **{code: NEWSROOM for code in ("unknown-article", "unknown-issue", "no-such-page")},
    **{code: UNCHANGED for code in ("bad-article", "bad-issue-number", "bad-copies")},
    "no-bulletin-key": EDITORS,
    "issue-too-large": UNCHANGED,
    "issue-incomplete": RETRY_FETCH,
    # the drop box (app.dropbox)
    **{
        code: UNCHANGED
        for code in (
            "drop-bad-code",
            "drop-empty",
            "drop-text-too-long",
            "drop-too-many-images",
            "drop-bad-image",
            "drop-unknown-receipt",
            "drop-unknown-item",
            "drop-bad-days",
            "drop-not-sealed",
            "drop-bad-key",
            "drop-bad-key-file",
            "drop-other-key",
            "drop-weak-passphrase",
        )
    },
    "drop-too-many-tries": "Wait an hour, then try again with the code on your slip.",
    "drop-no-key": "Ask the member who holds the cell's drop-box key to open it.",
    "drop-closed": "Try again later, when the member's hasteh is open.",
    "bad-key-code": UNCHANGED,
    "unknown-motion": UNCHANGED,
    "bad-file-cap": UNCHANGED,
    # federation
    "bad-demands": UNCHANGED,
    "bad-count": UNCHANGED,
    **{code: FEDERATION for code in ("unknown-joint-action", "unknown-fed-item")},
    "unknown-group": "Check the name of the cell or alliance; nothing was changed.",
    "fed-not-editor": (
        "Ask an editor to compile it, or name editors with `hasteh federation editors`."
    ),
    "fed-key-rotating": "Run `hasteh sync`, then compile again.",
    "bad-editors": UNCHANGED,
    # vouching codes
    "vouch-not-a-code": "Copy the whole code, from HV1: to its end; nothing was sent.",
    "vouch-mistyped": "Copy the whole code again from where you got it; nothing was sent.",
    "vouch-expired": NEW_VOUCH,
    "vouch-used": NEW_VOUCH,
    "vouch-bad-days": UNCHANGED,
    "vouch-too-many": "Run `hasteh sync`: codes that were used or expired are then forgotten.",
    "vouch-unreachable": "Check your connection (or Tor) and run the same command again.",
}

VAULT: Mapping[VaultCode, str] = {
    "wrong-passphrase": "Check the keyboard layout and try again.",
    "weak-passphrase": "Use at least 8 characters; several unrelated words are best.",
    "bad-passphrase-file": (
        "Save the passphrase file as UTF-8, or type the passphrase when asked."
    ),
    "same-passphrases": "Choose a different duress passphrase.",
    "profile-exists": "Use it, or choose another folder with --home.",
    "no-profile": "Create one with 'hasteh init', or choose another folder with --home.",
    "corrupt-profile": (
        "Nothing was changed. Restore it from a backup, or remove it with 'hasteh panic'."
    ),
    "newer-schema": "Nothing was changed. Install the newer version of hasteh to open it.",
    "migration-failed": (
        "Nothing was changed. Keep using the previous version and report this bug."
    ),
    "profile-not-writable": "Check that the disk is not read-only and that you own the folder.",
    "stale-epoch": "This is a bug in the caller; please report it.",
    "sequence-conflict": "This is a bug in the caller; please report it.",
    "setting-type-mismatch": "Set it again with the expected type.",
}

TRANSPORT: Mapping[TransportCode, str] = {
    "relay-unreachable": RETRY_LATER,
    "relay-unavailable": RETRY_LATER,
    "relay-refused": "Run `hasteh sync` later; if it persists, tell your cell in person.",
    "epoch-conflict": SYNC,
    "relay-misbehaved": "Run `hasteh sync` later; if it persists, tell your cell in person.",
    "bundle-refused": "Check the code with the person who gave you the bundle.",
    "bundle-code-needed": "Type the bundle's code when asked.",
    "bundle-too-full": "Export fewer mailboxes at a time (`hasteh courier export`).",
    "bundle-too-large": "Check the code with the person who gave you the bundle.",
    "bundle-too-many-entries": "Check the code with the person who gave you the bundle.",
    "bundle-too-many-relays": "Check the code with the person who gave you the bundle.",
}

RELAY: Mapping[RelayCode, str] = {
    "bad-database-url": OPERATOR,
    "sqlite-needs-path": OPERATOR,
    "postgres-unreachable": "Check that PostgreSQL runs and the URL is right, then start again.",
    "bad-embedded-key": BUG,
    "onion-key-exposed": "Make it private: chmod 600 FILE.",
    "onion-key-unreadable": "Give another file name; hasteh makes a new key there.",
    "lan-needs-address": OPERATOR,
    "lan-cannot-listen": OPERATOR,
    "fetch-limit-too-small": OPERATOR,
    "write-refused": "Check the disk and the database; the sender will try again.",
    "embedded-database-closed": "Check the disk, then start `hasteh up` again.",
}

ENVELOPE: Mapping[EnvelopeCode, str] = {
    code: BUG
    for code in (
        "bad-type",
        "truncated",
        "bad-version",
        "bad-kind",
        "bad-epoch",
        "bad-mailbox",
        "bad-nonce",
        "bad-bucket",
        "bad-reserved",
        "bad-length",
        "bad-padding",
        "too-large",
    )
}

WRITE_AUTH: Mapping[WriteAuthCode, str] = {
    **{
        code: BUG
        for code in (
            "missing-write",
            "bad-write",
            "bad-claim",
            "bad-key",
            "bad-next-key",
            "bad-claim-epoch",
            "incomplete-claim",
            "key-mismatch",
            "bad-retire",
        )
    },
    "bad-stored-auth": SYNC_THEN_WORDS,
    "no-auth": SYNC,
}

BRIDGE = (
    "Copy the whole line again from where you got it (Tor Browser, Orbot, or "
    "bridges.torproject.org)."
)
TOR_BLOCKED = (
    "Tor may be blocked where you are: add a bridge (Settings → Tor; snowflake often "
    "works during blocks), or use a Tor you already run (its SOCKS address)."
)

TOR: Mapping[TorCode, str] = {
    **{
        code: BRIDGE
        for code in (
            "bridge-empty",
            "bridge-too-long",
            "bridge-unknown-transport",
            "bridge-bad-address",
            "bridge-bad-fingerprint",
            "bridge-bad-argument",
            "bridge-missing-cert",
            "bridge-missing-url",
        )
    },
    "tor-missing": "Install it with: sudo apt install {program}",
    **{code: TOR_BLOCKED for code in ("tor-exited", "tor-timeout", "tor-control", "tor-transport")},
    "onion-failed": "Check that Tor reaches the network, then try again.",
}

TIME: Mapping[TimeCode, str] = {
    "unknown-zone": "Give a time zone by its name, such as Asia/Tehran.",
    "unknown-choice": UNCHANGED,
    "evening-over": UNCHANGED,
    "no-such-date": UNCHANGED,
    "no-such-time": UNCHANGED,
    "not-a-date": UNCHANGED,
    "too-long": UNCHANGED,
    "empty": UNCHANGED,
    "past": UNCHANGED,
    "too-far": UNCHANGED,
}

COURSE: Mapping[CourseCode, str] = {
    "lesson-file": BUG,
    "no-such-item": "See the checklist's items with `hasteh course checklist NAME`.",
    "unknown-lesson": "See the lessons with `hasteh course list`.",
    "unknown-question": "Answer each question of the quiz once.",
    "missing-answer": "Answer every question of the quiz.",
    "no-such-choice": "Answer with the number of one of the choices.",
}

PUBLISH: Mapping[PublishCode, str] = {
    "too-large": "Nothing was written. Fix the input and try again.",
    "too-many-pixels": "Nothing was written. Fix the input and try again.",
    "not-an-image": "Nothing was written. Fix the input and try again.",
    "no-header": "Nothing was written. Fix the input and try again.",
    "bad-date": "Nothing was written. Fix the input and try again.",
    "no-articles": "Nothing was written. Fix the input and try again.",
    "too-many-articles": "Nothing was written. Fix the input and try again.",
    "too-long": "Nothing was written. Fix the input and try again.",
    "not-text": "Nothing was written. Fix the input and try again.",
    "bidi-control": "Nothing was written. Fix the input and try again.",
    "bad-title": "Nothing was written. Fix the input and try again.",
    "bad-number": "Nothing was written. Fix the input and try again.",
    "bad-header": "Nothing was written. Fix the input and try again.",
    "title-too-long": "Nothing was written. Fix the input and try again.",
    "not-utf8": "Nothing was written. Fix the input and try again.",
    "no-article-title": "Nothing was written. Fix the input and try again.",
    "unreadable": "Check the key file and its passphrase.",
    "unknown-image": "Nothing was written. Fix the input and try again.",
    "too-deep": "Nothing was written. Fix the input and try again.",
    "table-too-large": "Nothing was written. Fix the input and try again.",
    "no-pdftoppm": "Run scripts/bootstrap.sh to install what the press needs.",
    "pdftoppm-failed": "Run scripts/bootstrap.sh to install what the press needs.",
    "fetch": "This is a bug; please report it (nothing was changed).",
}

#: Every domain's table: code -> the step (a msgid).
CLI_NEXT_STEPS: Mapping[Domain, Mapping[Any, str]] = {
    "org": ORG,
    "app": APP,
    "vault": VAULT,
    "transport": TRANSPORT,
    "relay": RELAY,
    "envelope": ENVELOPE,
    "write-auth": WRITE_AUTH,
    "time": TIME,
    "tor": TOR,
    "course": COURSE,
    "publish": PUBLISH,
}


def next_step(err: HastehError) -> str:
    """The untranslated step for `err` (a msgid), or "" for a code without one."""
    return CLI_NEXT_STEPS[err.domain].get(err.code, "")
