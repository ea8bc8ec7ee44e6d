"""What kind of next step follows each error, by ``(domain, code)``, for every face.

An error carries a code, not advice (`hasteh.errors`). Which codes mean "nothing was
changed", "fetch and try again", "see the decisions" or "a bug" is one classification,
kept here once; each face (`hasteh.cli.next_steps`, `hasteh.web.next_steps`) only
chooses its words for a kind (a command to run, a page or a button), plus its own
words for the few codes where the faces genuinely differ. A new code therefore costs
one row here, and `tests/test_error_contract.py` checks that every code has a kind and
every kind has words on both faces.

The kind ``"own"`` is a step of that code alone: its words are in `OWN_WORDS` when they
suit both faces, or in each face's overrides. This module imports nothing of hasteh at
run time (the code `Literal`s only type the tables), so `hasteh --version` pays nothing
for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # the codes only type the tables: no face start pays for importing app
    from hasteh.app.errors import AppCode
    from hasteh.course.errors import CourseCode
    from hasteh.envelope import EnvelopeCode, WriteAuthCode
    from hasteh.errors import Domain
    from hasteh.jalali import TimeCode
    from hasteh.org.errors import OrgCode
    from hasteh.publish.errors import PublishCode
    from hasteh.relay.errors import RelayCode
    from hasteh.tor.errors import TorCode
    from hasteh.transport.errors import TransportCode
    from hasteh.vault.errors import VaultCode

__all__ = ["KINDS", "OWN_WORDS", "StepKind", "kind_of"]

#: The kinds of next step. Most say where to look or what to do again ("decisions",
#: "sync"); "own" is a step of one code alone (see the module's docstring).
StepKind = Literal[
    "unchanged",
    "bug",
    "fix-input",
    "sync",
    "sync-then-words",
    "retry-fetch",
    "relay-trouble",
    "retry-later",
    "update",
    "check-card",
    "new-card",
    "name",
    "members",
    "my-cells",
    "contacts",
    "threads",
    "seizures",
    "decisions",
    "actions",
    "study",
    "fund",
    "no-bank",
    "files",
    "library",
    "newsroom",
    "editors",
    "approval",
    "rotation",
    "person",
    "keep-a-relay",
    "relay-address",
    "spoken-again",
    "new-vouch",
    "federation",
    "programme",
    "bundle-code",
    "bridge",
    "tor-blocked",
    "press-tools",
    "operator",
    "caller-bug",
    "own",
]

ORG: Mapping[OrgCode, StepKind] = {
    **{
        code: "unchanged"
        for code in (
            "alliance-exists",
            "already-answered",
            "already-closed",
            "already-endorsed",
            "already-leaving",
            "already-linked",
            "already-reviewed",
            "bad-holders",
            "bad-link",
            "bad-motion",
            "bad-options",
            "bad-order",
            "bad-quorum",
            "bad-seats",
            "bad-setting",
            "bulletin-already-linked",
            "bulletin-already-published",
            "bulletin-bad-link",
            "bulletin-hidden-text",
            "bulletin-not-published",
            "bulletin-rotation-not-due",
            "cap-above-hard-limit",
            "cap-below-members",
            "card-pending",
            "cell-exists",
            "council-too-late",
            "date-out-of-range",
            "deadline-in-past",
            "deadline-too-far",
            "drop-bad-image",
            "drop-empty",
            "drop-not-yours",
            "duplicate-id",
            "duplicate-option",
            "expiry-in-past",
            "file-over-cap",
            "files-full",
            "issue-number",
            "joint-action-past",
            "key-registered",
            "key-reused",
            "motion-done",
            "motion-too-soon",
            "no-alternate",
            "no-delegates",
            "not-a-delegate",
            "not-elected",
            "not-the-convener",
            "not-your-message",
            "not-your-proposal",
            "on-trial",
            "reason-required",
            "relay-twice",
            "review-too-early",
            "self-approval",
            "self-seizure",
            "self-vouch",
            "session-over",
            "tally-unsigned",
            "too-many-choices",
            "too-many-items",
            "too-many-relays",
            "unknown-issue-article",
            "unknown-submission",
            "vote-after-close",
            "vote-twice",
            "wrong-motion",
            "wrong-stance",
        )
    },
    **{
        code: "update"
        for code in (
            "bad-chunk-list",
            "unknown-event",
            "unsupported-version",
        )
    },
    "bad-relay": "relay-address",
    **{
        code: "own"
        for code in (
            "bad-signature",
            "cap-reached",
            "cell-key-unknown",
            "forged-endorsement",
            "fund-chain-broken",
            "fund-not-approved",
            "no-cell-key",
            "no-proposal",
            "no-voucher",
            "not-a-member-cell",
            "not-approved",
        )
    },
    **{
        code: "retry-fetch"
        for code in (
            "bulletin-bad-chunk",
            "bulletin-bad-file",
            "bulletin-bad-rotation",
        )
    },
    **{
        code: "editors"
        for code in (
            "bulletin-bad-key",
            "bulletin-not-editor",
        )
    },
    "bulletin-not-approved": "approval",
    "bulletin-person-name": "person",
    "bulletin-rotation-due": "rotation",
    **{
        code: "sync-then-words"
        for code in (
            "committer-not-member",
            "committer-seized",
            "cover-name-mismatch",
            "field-too-large",
            "leaf-taken",
            "malformed",
            "malformed-event",
            "member-seized",
            "name-unclean",
            "not-in-this-group",
            "policy-refused",
            "stale-epoch",
            "too-large",
            "unknown-alliance",
            "unknown-cell",
            "wrong-outcome",
        )
    },
    **{
        code: "name"
        for code in (
            "cover-name-taken",
            "name-empty",
            "name-hidden-character",
            "name-marks",
            "name-mixed-script",
            "name-no-letter",
            "name-too-long",
            "name-zwnj",
        )
    },
    **{
        code: "new-card"
        for code in (
            "expired-card",
            "malformed-card",
            "proposal-lapsed",
        )
    },
    **{
        code: "fund"
        for code in (
            "fund-already-approved",
            "fund-insufficient",
            "fund-over-cap",
            "fund-over-pledge",
            "fund-over-request",
            "fund-unknown-pledge",
            "fund-unknown-request",
        )
    },
    **{
        code: "no-bank"
        for code in (
            "fund-card-number",
            "fund-iban",
        )
    },
    "fund-stale": "sync",
    **{
        code: "decisions"
        for code in (
            "motion-not-adopted",
            "no-decision",
            "not-due",
            "unknown-decision",
            "unknown-option",
        )
    },
    "no-relays": "keep-a-relay",
    **{
        code: "members"
        for code in (
            "not-a-member",
            "not-on-trial",
            "unknown-proposal",
        )
    },
    **{
        code: "files"
        for code in (
            "not-your-file",
            "unknown-file",
        )
    },
    **{
        code: "library"
        for code in (
            "not-your-item",
            "unknown-item",
        )
    },
    **{
        code: "actions"
        for code in (
            "not-your-task",
            "unknown-action",
            "unknown-task",
        )
    },
    **{
        code: "programme"
        for code in (
            "programme-changed",
            "unknown-amendment",
            "unknown-section",
            "unknown-version",
        )
    },
    **{
        code: "newsroom"
        for code in (
            "unknown-article",
            "unknown-issue",
        )
    },
    **{
        code: "study"
        for code in (
            "unknown-circle",
            "unknown-reading",
            "unknown-session",
        )
    },
    "unknown-seizure": "seizures",
    "unknown-thread": "threads",
}

APP: Mapping[AppCode, StepKind] = {
    **{
        code: "unchanged"
        for code in (
            "already-closed",
            "bad-action-kind",
            "bad-admission",
            "bad-alarm-kind",
            "bad-amount",
            "bad-article",
            "bad-cap",
            "bad-card-days",
            "bad-code-minutes",
            "bad-consent-position",
            "bad-copies",
            "bad-count",
            "bad-deadline",
            "bad-demands",
            "bad-editors",
            "bad-expiry",
            "bad-file-cap",
            "bad-file-kind",
            "bad-fund-choice",
            "bad-handover",
            "bad-issue-number",
            "bad-key-code",
            "bad-kind",
            "bad-library-item",
            "bad-library-kind",
            "bad-proposal-position",
            "bad-seats",
            "bad-session-hours",
            "bad-study-title",
            "bad-task-status",
            "bad-thread-title",
            "bad-trial",
            "cap-below-members",
            "choose-one",
            "contact-exists",
            "contact-notes-too-long",
            "deadline-in-past",
            "drop-bad-code",
            "drop-bad-days",
            "drop-bad-image",
            "drop-bad-key",
            "drop-bad-key-file",
            "drop-empty",
            "drop-not-sealed",
            "drop-other-key",
            "drop-text-too-long",
            "drop-too-many-images",
            "drop-unknown-item",
            "drop-unknown-receipt",
            "drop-weak-passphrase",
            "empty-alarm-note",
            "empty-message",
            "file-empty",
            "file-too-large",
            "files-full",
            "issue-too-large",
            "message-too-long",
            "needs-options",
            "no-such-date",
            "not-a-local-relay",
            "not-an-image",
            "objection-needs-reason",
            "rank-one",
            "relay-in-use",
            "relay-twice",
            "study-note-too-long",
            "takes-no-options",
            "too-few-demands",
            "too-many-contacts",
            "too-many-questions",
            "too-many-relays",
            "unknown-alliance",
            "unknown-cell-proposal",
            "unknown-motion",
            "vouch-bad-days",
        )
    },
    **{
        code: "my-cells"
        for code in (
            "ambiguous-cell",
            "unknown-cell",
        )
    },
    "bad-relay": "relay-address",
    **{
        code: "own"
        for code in (
            "cap-above-hard-limit",
            "card-unsupported-version",
            "drop-closed",
            "drop-no-key",
            "drop-too-many-tries",
            "fed-key-rotating",
            "fed-not-editor",
            "join-not-the-cell",
            "join-refused",
            "no-relay",
            "not-a-member",
            "nothing-to-join",
            "self-seizure",
            "spoken-bad-code",
            "spoken-no-rendezvous",
            "spoken-refused",
            "spoken-taken",
            "unknown-group",
            "vouch-mistyped",
            "vouch-not-a-code",
            "vouch-too-many",
            "vouch-unreachable",
            "warning-not-accepted",
        )
    },
    **{
        code: "check-card"
        for code in (
            "card-bad-characters",
            "card-bad-relay",
            "card-checksum",
            "card-image-too-large",
            "card-malformed",
            "card-no-qr-code",
            "card-not-a-card",
            "card-not-an-image",
            "card-too-large",
        )
    },
    **{
        code: "new-card"
        for code in (
            "card-bad-key-package",
            "card-expired",
        )
    },
    **{
        code: "sync"
        for code in (
            "file-not-here",
            "group-moved-on",
        )
    },
    **{
        code: "files"
        for code in (
            "file-refused",
            "no-such-file",
        )
    },
    "group-unprocessable": "sync-then-words",
    "issue-incomplete": "retry-fetch",
    "issue-before-joining": "newsroom",
    "no-bulletin-key": "editors",
    "no-bulletin-yet": "editors",
    "copy-unreadable": "fix-input",
    "no-relays": "keep-a-relay",
    "no-seizure": "seizures",
    "no-such-item": "library",
    **{
        code: "newsroom"
        for code in (
            "no-such-page",
            "unknown-article",
            "unknown-issue",
        )
    },
    **{
        code: "actions"
        for code in (
            "no-turnout",
            "unknown-action",
            "unknown-task",
        )
    },
    **{
        code: "members"
        for code in (
            "not-on-trial",
            "unknown-member",
        )
    },
    **{
        code: "spoken-again"
        for code in (
            "spoken-expired",
            "spoken-malformed",
            "spoken-unknown-code",
            "spoken-wrong-code",
        )
    },
    **{
        code: "study"
        for code in (
            "unknown-circle",
            "unknown-reading",
            "unknown-session",
        )
    },
    "unknown-contact": "contacts",
    **{
        code: "decisions"
        for code in (
            "unknown-decision",
            "unknown-option",
        )
    },
    **{
        code: "federation"
        for code in (
            "unknown-fed-item",
            "unknown-joint-action",
        )
    },
    "unknown-fund-item": "fund",
    "unknown-thread": "threads",
    **{
        code: "new-vouch"
        for code in (
            "vouch-expired",
            "vouch-used",
        )
    },
}

VAULT: Mapping[VaultCode, StepKind] = {
    **{
        code: "own"
        for code in (
            "bad-passphrase-file",
            "corrupt-profile",
            "migration-failed",
            "newer-schema",
            "no-profile",
            "profile-exists",
            "profile-not-writable",
            "same-passphrases",
            "setting-type-mismatch",
            "weak-passphrase",
            "wrong-passphrase",
        )
    },
    **{
        code: "caller-bug"
        for code in (
            "sequence-conflict",
            "stale-epoch",
        )
    },
}

TRANSPORT: Mapping[TransportCode, StepKind] = {
    **{
        code: "own"
        for code in (
            "bundle-code-needed",
            "bundle-too-full",
        )
    },
    **{
        code: "bundle-code"
        for code in (
            "bundle-refused",
            "bundle-too-large",
            "bundle-too-many-entries",
            "bundle-too-many-relays",
        )
    },
    "epoch-conflict": "sync",
    **{
        code: "relay-trouble"
        for code in (
            "relay-misbehaved",
            "relay-refused",
        )
    },
    **{
        code: "retry-later"
        for code in (
            "relay-unavailable",
            "relay-unreachable",
        )
    },
}

RELAY: Mapping[RelayCode, StepKind] = {
    **{
        code: "operator"
        for code in (
            "bad-database-url",
            "fetch-limit-too-small",
            "lan-cannot-listen",
            "lan-needs-address",
            "onion-key-exposed",
            "onion-key-unreadable",
            "postgres-unreachable",
            "sqlite-needs-path",
        )
    },
    "bad-embedded-key": "bug",
    **{
        code: "own"
        for code in (
            "embedded-database-closed",
            "write-refused",
        )
    },
}

ENVELOPE: Mapping[EnvelopeCode, StepKind] = {
    **{
        code: "bug"
        for code in (
            "bad-bucket",
            "bad-epoch",
            "bad-kind",
            "bad-length",
            "bad-mailbox",
            "bad-nonce",
            "bad-padding",
            "bad-reserved",
            "bad-type",
            "bad-version",
            "too-large",
            "truncated",
        )
    },
}

WRITE_AUTH: Mapping[WriteAuthCode, StepKind] = {
    **{
        code: "bug"
        for code in (
            "bad-claim",
            "bad-claim-epoch",
            "bad-key",
            "bad-next-key",
            "bad-retire",
            "bad-write",
            "incomplete-claim",
            "key-mismatch",
            "missing-write",
        )
    },
    "bad-stored-auth": "sync-then-words",
    "no-auth": "sync",
}

TIME: Mapping[TimeCode, StepKind] = {
    **{
        code: "unchanged"
        for code in (
            "empty",
            "evening-over",
            "no-such-date",
            "no-such-time",
            "not-a-date",
            "past",
            "too-far",
            "too-long",
            "unknown-choice",
        )
    },
    "unknown-zone": "own",
}

TOR: Mapping[TorCode, StepKind] = {
    **{
        code: "bridge"
        for code in (
            "bridge-bad-address",
            "bridge-bad-argument",
            "bridge-bad-fingerprint",
            "bridge-empty",
            "bridge-missing-cert",
            "bridge-missing-url",
            "bridge-too-long",
            "bridge-unknown-transport",
        )
    },
    **{
        code: "own"
        for code in (
            "onion-failed",
            "tor-missing",
        )
    },
    **{
        code: "tor-blocked"
        for code in (
            "tor-control",
            "tor-exited",
            "tor-timeout",
            "tor-transport",
        )
    },
}

COURSE: Mapping[CourseCode, StepKind] = {
    "lesson-file": "bug",
    **{
        code: "own"
        for code in (
            "missing-answer",
            "no-such-choice",
            "no-such-item",
            "unknown-lesson",
            "unknown-question",
        )
    },
}

PUBLISH: Mapping[PublishCode, StepKind] = {
    **{
        code: "fix-input"
        for code in (
            "bad-date",
            "bad-header",
            "bad-number",
            "bad-title",
            "bidi-control",
            "no-article-title",
            "no-articles",
            "no-header",
            "not-an-image",
            "not-text",
            "not-utf8",
            "table-too-large",
            "title-too-long",
            "too-deep",
            "too-large",
            "too-long",
            "too-many-articles",
            "too-many-pixels",
            "unknown-image",
        )
    },
    "fetch": "bug",
    **{
        code: "press-tools"
        for code in (
            "no-pdftoppm",
            "pdftoppm-failed",
        )
    },
    "unreadable": "own",
}

#: The words of an "own" step that suit every face (no command, no button).
OWN_WORDS: Mapping[tuple[Domain, str], str] = {
    ("app", "cap-above-hard-limit"): (
        "Split the cell instead: two small cells are safer than one big one."
    ),
    ("app", "card-unsupported-version"): "Both of you should update hasteh; nothing was changed.",
    ("app", "drop-closed"): "Try again later, when the member's hasteh is open.",
    ("app", "drop-no-key"): "Ask the member who holds the cell's drop-box key to open it.",
    ("app", "drop-too-many-tries"): "Wait an hour, then try again with the code on your slip.",
    ("app", "not-a-member"): "Nothing can be sent or read there any more.",
    ("app", "spoken-bad-code"): "Ask for the code again and type it as you hear it.",
    ("app", "spoken-no-rendezvous"): (
        "Check the connection (or Tor), or set a rendezvous relay both devices can reach."
    ),
    ("app", "spoken-refused"): ("Ask the member what it said; nothing was changed on your device."),
    ("app", "spoken-taken"): (
        "Make a new code in person; if nobody else was near, tell your cell."
    ),
    ("app", "unknown-group"): "Check the name of the cell or alliance; nothing was changed.",
    ("app", "vouch-mistyped"): (
        "Copy the whole code again from where you got it; nothing was sent."
    ),
    ("app", "vouch-not-a-code"): "Copy the whole code, from HV1: to its end; nothing was sent.",
    ("course", "missing-answer"): "Answer every question of the quiz.",
    ("course", "unknown-question"): "Answer each question of the quiz once.",
    ("org", "bad-signature"): (
        "Compare the cell's key fingerprint with its holders in person; nothing was changed."
    ),
    ("org", "cell-key-unknown"): (
        "The cell's key must reach the alliance first: the cell "
        "decides, then its delegate registers it."
    ),
    ("org", "forged-endorsement"): (
        "Nothing was changed. Tell the other delegates in person: a "
        "seat sent an endorsement its cell never signed."
    ),
    ("org", "no-cell-key"): ("The cell's delegate sets the cell's key first; nothing was changed."),
    ("publish", "unreadable"): "Check the key file and its passphrase.",
    ("tor", "onion-failed"): "Check that Tor reaches the network, then try again.",
    ("tor", "tor-missing"): "Install it with: sudo apt install {program}",
    ("vault", "migration-failed"): (
        "Nothing was changed. Keep using the previous version and report this bug."
    ),
    ("vault", "newer-schema"): (
        "Nothing was changed. Install the newer version of hasteh to open it."
    ),
    ("vault", "profile-not-writable"): (
        "Check that the disk is not read-only and that you own the folder."
    ),
    ("vault", "same-passphrases"): "Choose a different duress passphrase.",
    ("vault", "weak-passphrase"): "Use at least 8 characters; several unrelated words are best.",
    ("vault", "wrong-passphrase"): "Check the keyboard layout and try again.",
}

#: Every domain's table: code -> the kind of its next step.
KINDS: Mapping[Domain, Mapping[Any, StepKind]] = {
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


def kind_of(domain: Domain, code: str) -> StepKind | None:
    """The kind of next step after the error `code` of `domain`, or None for a code
    without a row (the contract test keeps every code in a row)."""
    return KINDS[domain].get(code)
