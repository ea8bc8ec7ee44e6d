"""What the web face offers after each error, by ``(domain, code)``.

The errors carry a code and parameters, not advice (`hasteh.errors`). On a page the next
step is a button to press on the same page, or a page to go to (`NextStep.href`, shown as
a link); the command line has its own table (`hasteh.cli.next_steps`), so no step here
names a command. Every code of every domain has a row (`tests/test_error_contract.py`);
`text` is a gettext msgid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hasteh.errors import Domain, HastehError
from hasteh.i18n import error_text, step_text
from hasteh.web.i18n import Ui

if TYPE_CHECKING:  # the codes only type the tables
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

__all__ = ["WEB_NEXT_STEPS", "Line", "NextStep", "explain", "next_step"]


@dataclass(frozen=True, slots=True)
class NextStep:
    """What to do next: `text` (a msgid), and `href`, a page of this face to offer as a
    link ("" when the step is a button on the page the person is on)."""

    text: str
    href: str = ""


UNCHANGED = NextStep("Nothing was changed.")
NEW_VOUCH = NextStep("Ask the delegate who vouches for you for a new code; nothing was sent.")
FETCH = NextStep("Press Fetch now and try again.")
FETCH_THEN_WORDS = NextStep(
    "Press Fetch now and try again. If it persists, compare safety words in person."
)
UPDATE = NextStep("Update hasteh; nothing was changed.")
NEW_CARD = NextStep("Ask the newcomer to make a new card on their Join page.")
CHECK_CARD = NextStep("Check the code or scan the card again; nothing was changed.")
MY_CELLS = NextStep("Go back to My cells and choose the cell there.", "/home")
MEMBERS = NextStep("Check the cover name in the list of members.")
DECISIONS = NextStep("Go back to the list of decisions.")
FUND = NextStep("See the fund's page; nothing was changed.")
NEWSROOM = NextStep("Go back to the cell's bulletin page.")
EDITORS = NextStep("Only the editors the cell named hold the bulletin key; see the bulletin page.")
APPROVAL = NextStep("Open its approval on the issue's page and wait for the decision.")
ROTATION = NextStep("Press Fetch now: a remaining editor's device rotates the key by itself.")
RETRY_FETCH = NextStep("Press Fetch now and try again; nothing was changed.")
PERSON = NextStep("Write the workplace's code only, never a person's name. Nothing was changed.")
NO_BANK = NextStep(
    "Write the family's code name only: no card, account or real name. Nothing was changed."
)
ACTIONS = NextStep("Go back to the cell's actions.")
STUDY = NextStep("Go back to the cell's study circles.")
PROGRAMME = NextStep("See the programme's page; nothing was changed.")
BUG = NextStep("This is a bug; please report it (nothing was changed).")
RETRY_LATER = NextStep("Your messages stay in the outbox and are sent when it is reachable.")
RELAY_TROUBLE = NextStep("Press Fetch now later; if it persists, tell your cell in person.")
BUNDLE_CODE = NextStep("Check the code with the person who gave you the bundle.")
NAME = NextStep("Type the name again, by hand; nothing was changed.")
FILES = NextStep("Go back to the cell's files and library; nothing was changed.")

ORG: Mapping[OrgCode, NextStep] = {
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
        code: NAME
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
        code: FETCH_THEN_WORDS
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
    "not-in-this-group": FETCH_THEN_WORDS,
    "unknown-alliance": FETCH_THEN_WORDS,
    "alliance-exists": UNCHANGED,
    "no-relays": NextStep("Keep at least one relay that every member can reach."),
    "too-many-relays": UNCHANGED,
    "bad-relay": NextStep("Copy the address exactly as the relay's operator gave it."),
    "relay-twice": UNCHANGED,
    "cap-reached": NextStep(
        "Split the cell, or open a decision to raise the cap (Settings of the cell)."
    ),
    "unknown-proposal": NextStep("See the newcomers on the cell's page."),
    "not-approved": NextStep("Wait for the approvals; the cell's page shows them."),
    "no-voucher": NextStep("A member vouches for the newcomer on the cell's page."),
    "no-proposal": NextStep("Propose the newcomer first, on the cell's page."),
    "unknown-seizure": NextStep("See the reports to review on the cell's page."),
    "unknown-thread": NextStep("Choose a thread on the cell's page."),
    "fund-stale": FETCH,
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
    "fund-not-approved": NextStep("Another member approves it on the fund's page."),
    "fund-chain-broken": NextStep(
        "Do not use the fund: compare its fingerprint on the fund's page with the other "
        "members in person."
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
    "unknown-item": FILES,
    "not-your-item": FILES,
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
    "bad-signature": NextStep(
        "Compare the cell's key fingerprint with its holders in person; nothing was changed."
    ),
    "no-cell-key": NextStep("The cell's delegate sets the cell's key first; nothing was changed."),
    # federation (issue 17)
    **{code: UNCHANGED for code in ("council-too-late", "joint-action-past", "already-endorsed")},
    **{code: UNCHANGED for code in ("issue-number", "unknown-issue-article")},
    "not-a-member-cell": NextStep("See the member cells on the programme's page."),
    **{
        code: PROGRAMME
        for code in ("unknown-version", "unknown-section", "programme-changed", "unknown-amendment")
    },
    "cell-key-unknown": NextStep(
        "The cell's key must reach the alliance first: the cell decides, then its "
        "delegate registers it."
    ),
    "forged-endorsement": NextStep(
        "Nothing was changed. Tell the other delegates in person: a seat sent an "
        "endorsement its cell never signed."
    ),
}

APP: Mapping[AppCode, NextStep] = {
    "unknown-cell": MY_CELLS,
    "ambiguous-cell": MY_CELLS,
    "unknown-member": MEMBERS,
    "not-on-trial": MEMBERS,
    "unknown-contact": UNCHANGED,
    "contact-exists": UNCHANGED,
    "too-many-contacts": UNCHANGED,
    "contact-notes-too-long": UNCHANGED,
    "bad-handover": UNCHANGED,
    "unknown-decision": DECISIONS,
    **{code: ACTIONS for code in ("unknown-action", "unknown-task", "no-turnout")},
    "no-relay": NextStep("Add a relay in Settings (an address your cell agreed on).", "/settings"),
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
    "card-unsupported-version": NextStep("Both of you should update hasteh; nothing was changed."),
    "card-bad-key-package": NEW_CARD,
    "card-expired": NEW_CARD,
    "not-a-member": NextStep("Nothing can be sent or read there any more.", "/home"),
    "nothing-to-join": NextStep("The cell has not admitted you yet. Press Join again later."),
    "join-refused": NextStep(
        "Tell the member who proposed you, in person. Your card stays valid; press Join "
        "again when they have sent a new welcome."
    ),
    "group-moved-on": FETCH,
    "group-unprocessable": FETCH_THEN_WORDS,
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
            "unknown-option",
        )
    },
    "unknown-thread": NextStep("Choose a thread on the cell's page."),
    "cap-above-hard-limit": NextStep(
        "Split the cell instead: two small cells are safer than one big one."
    ),
    "self-seizure": NextStep("Ask another member to do it, or use Panic on this device.", "/panic"),
    "no-seizure": NextStep("See the reports to review on the cell's page."),
    "no-relays": NextStep("Keep at least one relay that every member can reach."),
    "too-many-relays": UNCHANGED,
    "bad-relay": NextStep("Copy the address exactly as the relay's operator gave it."),
    "relay-twice": UNCHANGED,
    "warning-not-accepted": NextStep(
        "Tick the box once you have read the warning, then try again."
    ),
    "not-a-local-relay": UNCHANGED,
    "relay-in-use": UNCHANGED,
    "unknown-alliance": UNCHANGED,
    "unknown-cell-proposal": UNCHANGED,
    "bad-code-minutes": UNCHANGED,
    "spoken-bad-code": NextStep("Ask for the code again and type it as you hear it."),
    "spoken-wrong-code": NextStep("Make a new code and read it aloud again, in person."),
    "spoken-expired": NextStep("Make a new code and read it aloud again, in person."),
    "spoken-unknown-code": NextStep("Make a new code and read it aloud again, in person."),
    "spoken-taken": NextStep("Make a new code in person; if nobody else was near, tell your cell."),
    "spoken-malformed": NextStep("Make a new code and read it aloud again, in person."),
    "spoken-refused": NextStep("Ask the member what it said; nothing was changed on your device."),
    "spoken-no-rendezvous": NextStep(
        "Check the connection (or Tor), or set a rendezvous relay both devices can reach."
    ),
    "card-image-too-large": CHECK_CARD,
    "card-not-an-image": CHECK_CARD,
    "card-no-qr-code": CHECK_CARD,
    "join-not-the-cell": NextStep(
        "Tell the member who proposed you, in person. You stay out of that cell; press Join "
        "again when your cell has added you."
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
    "file-not-here": FETCH,
    "file-refused": FILES,
    "no-such-item": FILES,
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
    "drop-too-many-tries": NextStep("Wait an hour, then try again with the code on your slip."),
    "drop-no-key": NextStep("Ask the member who holds the cell's drop-box key to open it."),
    "drop-closed": NextStep("Try again later, when the member's hasteh is open."),
    "bad-key-code": UNCHANGED,
    "unknown-motion": UNCHANGED,
    "bad-file-cap": UNCHANGED,
    # federation
    "bad-demands": UNCHANGED,
    "bad-count": UNCHANGED,
    "unknown-joint-action": NextStep("See the programme's page; nothing was changed."),
    "unknown-fed-item": NextStep("See the programme's page; nothing was changed."),
    "unknown-group": NextStep("Check the name of the cell or alliance; nothing was changed."),
    "fed-not-editor": NextStep(
        "Ask an editor to compile it, or propose editors on the programme's page."
    ),
    "fed-key-rotating": NextStep("Sync, then compile again."),
    "bad-editors": UNCHANGED,
    # vouching codes
    "vouch-not-a-code": NextStep("Copy the whole code, from HV1: to its end; nothing was sent."),
    "vouch-mistyped": NextStep(
        "Copy the whole code again from where you got it; nothing was sent."
    ),
    "vouch-expired": NEW_VOUCH,
    "vouch-used": NEW_VOUCH,
    "vouch-bad-days": UNCHANGED,
    "vouch-too-many": NextStep(
        "Press Fetch now: codes that were used or expired are then forgotten."
    ),
    "vouch-unreachable": NextStep("Check your connection (or Tor) and try again."),
}

VAULT: Mapping[VaultCode, NextStep] = {
    "wrong-passphrase": NextStep("Check the keyboard layout and try again."),
    "weak-passphrase": NextStep("Use at least 8 characters; several unrelated words are best."),
    "bad-passphrase-file": NextStep("Type the passphrase in the form."),
    "same-passphrases": NextStep("Choose a different duress passphrase."),
    "profile-exists": NextStep("Unlock it instead.", "/unlock"),
    "no-profile": NextStep("Create a profile first.", "/setup"),
    "corrupt-profile": NextStep(
        "Nothing was changed. Restore it from a backup, or remove it with Panic.", "/panic"
    ),
    "newer-schema": NextStep(
        "Nothing was changed. Install the newer version of hasteh to open it."
    ),
    "migration-failed": NextStep(
        "Nothing was changed. Keep using the previous version and report this bug."
    ),
    "profile-not-writable": NextStep(
        "Check that the disk is not read-only and that you own the folder."
    ),
    "stale-epoch": BUG,
    "sequence-conflict": BUG,
    "setting-type-mismatch": NextStep("Set it again in Settings.", "/settings"),
}

TRANSPORT: Mapping[TransportCode, NextStep] = {
    "relay-unreachable": RETRY_LATER,
    "relay-unavailable": RETRY_LATER,
    "relay-refused": RELAY_TROUBLE,
    "epoch-conflict": FETCH,
    "relay-misbehaved": RELAY_TROUBLE,
    "bundle-refused": BUNDLE_CODE,
    "bundle-code-needed": NextStep("Type the bundle's code in the form."),
    "bundle-too-full": NextStep("Carry fewer cells in one bundle."),
    "bundle-too-large": BUNDLE_CODE,
    "bundle-too-many-entries": BUNDLE_CODE,
    "bundle-too-many-relays": BUNDLE_CODE,
}

RELAY: Mapping[RelayCode, NextStep] = {
    "bad-database-url": BUG,
    "sqlite-needs-path": BUG,
    "postgres-unreachable": BUG,
    "bad-embedded-key": BUG,
    "onion-key-exposed": BUG,
    "onion-key-unreadable": BUG,
    "lan-needs-address": BUG,
    "lan-cannot-listen": BUG,
    "fetch-limit-too-small": BUG,
    "write-refused": NextStep("Check the disk; the message is sent again later."),
    "embedded-database-closed": NextStep("Check the disk, then start hasteh again."),
}

ENVELOPE: Mapping[EnvelopeCode, NextStep] = {
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

WRITE_AUTH: Mapping[WriteAuthCode, NextStep] = {
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
    "bad-stored-auth": FETCH_THEN_WORDS,
    "no-auth": FETCH,
}

BRIDGE = NextStep(
    "Copy the whole line again from where you got it (Tor Browser, Orbot, or "
    "bridges.torproject.org)."
)
TOR_BLOCKED = NextStep(
    "Tor may be blocked where you are: add a bridge (Settings → Tor; snowflake often "
    "works during blocks), or use a Tor you already run (its SOCKS address)."
)

TOR: Mapping[TorCode, NextStep] = {
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
    "tor-missing": NextStep("Install it with: sudo apt install {program}"),
    **{code: TOR_BLOCKED for code in ("tor-exited", "tor-timeout", "tor-control", "tor-transport")},
    "onion-failed": NextStep("Check that Tor reaches the network, then try again."),
}

TIME: Mapping[TimeCode, NextStep] = {
    "unknown-zone": NextStep("Choose a time zone from the list."),
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

COURSE: Mapping[CourseCode, NextStep] = {
    "lesson-file": BUG,
    "no-such-item": NextStep("Tick only the checklist's own items."),
    "unknown-lesson": NextStep("Choose a lesson from the course.", "/course"),
    "unknown-question": NextStep("Answer each question of the quiz once."),
    "missing-answer": NextStep("Answer every question of the quiz."),
    "no-such-choice": NextStep("Choose one of the answers of each question."),
}

#: The press has no web face yet: its steps say what the command line would.
PUBLISH: Mapping[PublishCode, NextStep] = {
    "too-large": NextStep("Nothing was written. Fix the input and try again."),
    "too-many-pixels": NextStep("Nothing was written. Fix the input and try again."),
    "not-an-image": NextStep("Nothing was written. Fix the input and try again."),
    "no-header": NextStep("Nothing was written. Fix the input and try again."),
    "bad-date": NextStep("Nothing was written. Fix the input and try again."),
    "no-articles": NextStep("Nothing was written. Fix the input and try again."),
    "too-many-articles": NextStep("Nothing was written. Fix the input and try again."),
    "too-long": NextStep("Nothing was written. Fix the input and try again."),
    "not-text": NextStep("Nothing was written. Fix the input and try again."),
    "bidi-control": NextStep("Nothing was written. Fix the input and try again."),
    "bad-title": NextStep("Nothing was written. Fix the input and try again."),
    "bad-number": NextStep("Nothing was written. Fix the input and try again."),
    "bad-header": NextStep("Nothing was written. Fix the input and try again."),
    "title-too-long": NextStep("Nothing was written. Fix the input and try again."),
    "not-utf8": NextStep("Nothing was written. Fix the input and try again."),
    "no-article-title": NextStep("Nothing was written. Fix the input and try again."),
    "unreadable": NextStep("Check the key file and its passphrase."),
    "unknown-image": NextStep("Nothing was written. Fix the input and try again."),
    "too-deep": NextStep("Nothing was written. Fix the input and try again."),
    "table-too-large": NextStep("Nothing was written. Fix the input and try again."),
    "no-pdftoppm": NextStep("Run scripts/bootstrap.sh to install what the press needs."),
    "pdftoppm-failed": NextStep("Run scripts/bootstrap.sh to install what the press needs."),
    "fetch": NextStep("This is a bug; please report it (nothing was changed)."),
}

#: Every domain's table: code -> the step.
WEB_NEXT_STEPS: Mapping[Domain, Mapping[Any, NextStep]] = {
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


def next_step(err: HastehError) -> NextStep | None:
    """The step for `err` on this face (untranslated), or None for a code without one."""
    return WEB_NEXT_STEPS[err.domain].get(err.code)


class Line(str):
    """One line of a page's error box; a non-empty `href` shows it as a link to that
    page. A `str`, so every page's ``errors: list[str]`` carries it as it is and the
    template (`_errors.html`) escapes it like any other text."""

    href: str

    def __new__(cls, text: str, href: str = "") -> Line:
        line = super().__new__(cls, text)
        line.href = href
        return line


def explain(ui: Ui, exc: HastehError) -> list[str]:
    """A hasteh error as the lines of an error box in `ui`'s language: what happened
    (translated by code), then what to do next on this face. Nothing here reads the
    error's text."""
    lines: list[str] = [error_text(exc, ui.language)]
    step = next_step(exc)
    if step is not None:
        lines.append(Line(step_text(step.text, exc, ui.language), step.href))
    return lines
