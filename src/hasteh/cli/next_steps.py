"""What the command line suggests after each error: a command to run or an option to give.

Which kind of step follows each ``(domain, code)`` is shared with the web face
(`hasteh.next_step_kinds`); this module only says each kind in the command line's words
(`WORDS`), plus the steps of the codes whose advice here names a command of their own
(`OVERRIDES`). Every code of every domain has a step (`tests/test_error_contract.py`
enumerates the `Literal` codes); each step is a gettext msgid, translated when printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hasteh.errors import Domain, HastehError
from hasteh.next_step_kinds import KINDS, OWN_WORDS, StepKind

__all__ = ["CLI_NEXT_STEPS", "OVERRIDES", "WORDS", "next_step"]

#: Each kind of step (`hasteh.next_step_kinds.StepKind`) in the command line's words; a
#: step of its own ("own") has none: its words are in `OVERRIDES` or `OWN_WORDS`.
WORDS: Mapping[StepKind, str] = {
    "unchanged": "Nothing was changed.",
    "bug": "This is a bug; please report it (nothing was changed).",
    "fix-input": "Nothing was written. Fix the input and try again.",
    "sync": "Run `hasteh sync` and try again.",
    "sync-then-words": ("Run `hasteh sync`; if it persists, compare safety words in person."),
    "retry-fetch": "Run `hasteh sync` and try again; nothing was changed.",
    "relay-trouble": ("Run `hasteh sync` later; if it persists, tell your cell in person."),
    "retry-later": ("Your messages stay in the outbox and are sent when it is reachable."),
    "update": "Update hasteh; nothing was changed.",
    "check-card": "Check the code or scan the card again; nothing was changed.",
    "new-card": "Ask the newcomer to make a new card with `hasteh card`.",
    "name": "Type the name again, by hand; nothing was changed.",
    "members": "See the members with `hasteh cell members CELL`.",
    "my-cells": "See your cells with `hasteh cell list`.",
    "contacts": "See your contacts with `hasteh contact list`.",
    "threads": "See the threads with `hasteh read CELL`.",
    "seizures": "See the reports with `hasteh cell seizures CELL`.",
    "decisions": "See the decisions with `hasteh decide show CELL`.",
    "actions": "See the actions with `hasteh action show CELL`.",
    "study": "See the study circles with `hasteh study show CELL`.",
    "fund": ("See the fund with `hasteh fund show CELL`; nothing was changed."),
    "no-bank": (
        "Write the family's code name only: no card, account or real name. Nothing was changed."
    ),
    "files": ("See the files with `hasteh files list CELL`; nothing was changed."),
    "library": ("See the library with `hasteh library list CELL`; nothing was changed."),
    "newsroom": ("See the articles and issues with `hasteh bulletin show CELL`."),
    "editors": (
        "Only the editors the cell named hold the bulletin key; see `hasteh bulletin show CELL`."
    ),
    "approval": (
        "Open its approval with `hasteh bulletin approve CELL ISSUE` and wait for the decision."
    ),
    "rotation": ("Run `hasteh sync`: a remaining editor's device rotates the key by itself."),
    "person": ("Write the workplace's code only, never a person's name. Nothing was changed."),
    "keep-a-relay": "Keep at least one relay that every member can reach.",
    "relay-address": "Copy the address exactly as the relay's operator gave it.",
    "spoken-again": "Make a new code and read it aloud again, in person.",
    "new-vouch": ("Ask the delegate who vouches for you for a new code; nothing was sent."),
    "federation": (
        "See them with `hasteh federation show ALLIANCE` (or `reports` for report-backs)."
    ),
    "programme": (
        "See the current programme with `hasteh federation show ALLIANCE`; nothing was changed."
    ),
    "bundle-code": "Check the code with the person who gave you the bundle.",
    "bridge": (
        "Copy the whole line again from where you got it (Tor "
        "Browser, Orbot, or bridges.torproject.org)."
    ),
    "tor-blocked": (
        "Tor may be blocked where you are: add a bridge (Settings → "
        "Tor; snowflake often works during blocks), or use a Tor you "
        "already run (its SOCKS address)."
    ),
    "press-tools": "Run scripts/bootstrap.sh to install what the press needs.",
    "operator": "Fix the relay's setting and start it again.",
    "caller-bug": "This is a bug in the caller; please report it.",
}
#: Codes whose step on the command line is not their kind's words: a command of their own.
OVERRIDES: Mapping[tuple[Domain, str], str] = {
    ("app", "ambiguous-cell"): "Use the id shown by `hasteh cell list`.",
    ("app", "fed-key-rotating"): "Run `hasteh sync`, then compile again.",
    ("app", "fed-not-editor"): (
        "Ask an editor to compile it, or name editors with `hasteh federation editors`."
    ),
    ("app", "join-not-the-cell"): (
        "Tell the member who proposed you, in person. You stay out of "
        "that cell; run `hasteh join` again when your cell has added "
        "you."
    ),
    ("app", "join-refused"): (
        "Tell the member who proposed you, in person. Your card stays "
        "valid; run `hasteh join` again when they have sent a new "
        "welcome."
    ),
    ("app", "no-relay"): "Give one with --relay URL (an address your cell agreed on).",
    ("app", "no-seizure"): (
        "See the cell's page, or `hasteh cell seizures`, for the reports to review."
    ),
    ("app", "nothing-to-join"): (
        "The cell has not admitted you yet; try `hasteh join` again later."
    ),
    ("app", "self-seizure"): "Ask another member to do it, or use `hasteh panic`.",
    ("app", "vouch-too-many"): (
        "Run `hasteh sync`: codes that were used or expired are then forgotten."
    ),
    ("app", "vouch-unreachable"): (
        "Check your connection (or Tor) and run the same command again."
    ),
    ("app", "warning-not-accepted"): (
        "Say that you understand (--i-understand, or tick the box), then try again."
    ),
    ("course", "no-such-choice"): "Answer with the number of one of the choices.",
    ("course", "no-such-item"): ("See the checklist's items with `hasteh course checklist NAME`."),
    ("course", "unknown-lesson"): "See the lessons with `hasteh course list`.",
    ("org", "cap-reached"): (
        "Split the cell, or open a decision to raise the cap (`hasteh decide open`)."
    ),
    ("org", "fund-chain-broken"): (
        "Do not use the fund: compare its fingerprint (`hasteh fund "
        "show CELL`) with the other members in person."
    ),
    ("org", "fund-not-approved"): (
        "Another member approves it with `hasteh fund approve CELL ID`."
    ),
    ("org", "no-proposal"): "Propose the newcomer first with `hasteh propose CELL CARD`.",
    ("org", "no-voucher"): "A member vouches with `hasteh vouch CELL NAME`.",
    ("org", "not-a-member-cell"): "See the member cells with `hasteh federation show ALLIANCE`.",
    ("org", "not-approved"): ("Wait for the approvals; see them with `hasteh cell members CELL`."),
    ("relay", "embedded-database-closed"): "Check the disk, then start `hasteh up` again.",
    ("relay", "onion-key-exposed"): "Make it private: chmod 600 FILE.",
    ("relay", "onion-key-unreadable"): "Give another file name; hasteh makes a new key there.",
    ("relay", "postgres-unreachable"): (
        "Check that PostgreSQL runs and the URL is right, then start again."
    ),
    ("relay", "write-refused"): "Check the disk and the database; the sender will try again.",
    ("time", "unknown-zone"): "Give a time zone by its name, such as Asia/Tehran.",
    ("transport", "bundle-code-needed"): "Type the bundle's code when asked.",
    ("transport", "bundle-too-full"): "Export fewer mailboxes at a time (`hasteh courier export`).",
    ("vault", "bad-passphrase-file"): (
        "Save the passphrase file as UTF-8, or type the passphrase when asked."
    ),
    ("vault", "corrupt-profile"): (
        "Nothing was changed. Restore it from a backup, or remove it with 'hasteh panic'."
    ),
    ("vault", "no-profile"): (
        "Create one with 'hasteh init', or choose another folder with --home."
    ),
    ("vault", "profile-exists"): "Use it, or choose another folder with --home.",
    ("vault", "setting-type-mismatch"): "Set it again with the expected type.",
}


def _steps(domain: Domain) -> dict[Any, str]:
    """`domain`'s table, code -> step: the code's own words, else its kind's."""
    table: dict[Any, str] = {}
    for code, kind in KINDS[domain].items():
        own = OVERRIDES.get((domain, code)) or OWN_WORDS.get((domain, code))
        table[code] = own if own is not None else WORDS.get(kind, "")
    return table


#: Every domain's table: code -> the step (a msgid). The domains are `KINDS`'s, so a new
#: domain needs no row here.
CLI_NEXT_STEPS: Mapping[Domain, Mapping[Any, str]] = {d: _steps(d) for d in KINDS}


def next_step(err: HastehError) -> str:
    """The untranslated step for `err` (a msgid), or "" for a code without one."""
    return CLI_NEXT_STEPS[err.domain].get(err.code, "")
