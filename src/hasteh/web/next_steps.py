"""What the web face offers after each error: a button on the same page, or a page to go to.

Which kind of step follows each ``(domain, code)`` is shared with the command line
(`hasteh.next_step_kinds`); this module only says each kind in the web face's words
(`WORDS`: a `NextStep` whose `href` is a page offered as a link), plus the steps of the
codes whose advice here names a page or button of their own (`OVERRIDES`). No step here
names a command. Every code of every domain has a step (`tests/test_error_contract.py`);
`text` is a gettext msgid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hasteh.errors import Domain, HastehError
from hasteh.i18n import error_text, step_text
from hasteh.next_step_kinds import KINDS, OWN_WORDS, StepKind
from hasteh.web.i18n import Ui

__all__ = ["OVERRIDES", "WEB_NEXT_STEPS", "WORDS", "Line", "NextStep", "explain", "next_step"]


@dataclass(frozen=True, slots=True)
class NextStep:
    """What to do next: `text` (a msgid), and `href`, a page of this face to offer as a
    link ("" when the step is a button on the page the person is on)."""

    text: str
    href: str = ""


#: Each kind of step (`hasteh.next_step_kinds.StepKind`) in the web face's words; a step
#: of its own ("own") has none: its words are in `OVERRIDES` or `OWN_WORDS`.
WORDS: Mapping[StepKind, NextStep] = {
    "unchanged": NextStep("Nothing was changed."),
    "bug": NextStep("This is a bug; please report it (nothing was changed)."),
    "fix-input": NextStep("Nothing was written. Fix the input and try again."),
    "sync": NextStep("Press Fetch now and try again."),
    "sync-then-words": NextStep(
        "Press Fetch now and try again. If it persists, compare safety words in person."
    ),
    "retry-fetch": NextStep("Press Fetch now and try again; nothing was changed."),
    "relay-trouble": NextStep("Press Fetch now later; if it persists, tell your cell in person."),
    "retry-later": NextStep("Your messages stay in the outbox and are sent when it is reachable."),
    "update": NextStep("Update hasteh; nothing was changed."),
    "check-card": NextStep("Check the code or scan the card again; nothing was changed."),
    "new-card": NextStep("Ask the newcomer to make a new card on their Join page."),
    "name": NextStep("Type the name again, by hand; nothing was changed."),
    "members": NextStep("Check the cover name in the list of members."),
    "my-cells": NextStep("Go back to My cells and choose the cell there.", "/home"),
    "contacts": NextStep("Nothing was changed."),
    "threads": NextStep("Choose a thread on the cell's page."),
    "seizures": NextStep("See the reports to review on the cell's page."),
    "decisions": NextStep("Go back to the list of decisions."),
    "actions": NextStep("Go back to the cell's actions."),
    "study": NextStep("Go back to the cell's study circles."),
    "fund": NextStep("See the fund's page; nothing was changed."),
    "no-bank": NextStep(
        "Write the family's code name only: no card, account or real name. Nothing was changed."
    ),
    "files": NextStep("Go back to the cell's files and library; nothing was changed."),
    "library": NextStep("Go back to the cell's files and library; nothing was changed."),
    "newsroom": NextStep("Go back to the cell's bulletin page."),
    "editors": NextStep(
        "Only the editors the cell named hold the bulletin key; see the bulletin page."
    ),
    "approval": NextStep("Open its approval on the issue's page and wait for the decision."),
    "rotation": NextStep("Press Fetch now: a remaining editor's device rotates the key by itself."),
    "person": NextStep(
        "Write the workplace's code only, never a person's name. Nothing was changed."
    ),
    "keep-a-relay": NextStep("Keep at least one relay that every member can reach."),
    "relay-address": NextStep("Copy the address exactly as the relay's operator gave it."),
    "spoken-again": NextStep("Make a new code and read it aloud again, in person."),
    "new-vouch": NextStep("Ask the delegate who vouches for you for a new code; nothing was sent."),
    "federation": NextStep("See the programme's page; nothing was changed."),
    "programme": NextStep("See the programme's page; nothing was changed."),
    "bundle-code": NextStep("Check the code with the person who gave you the bundle."),
    "bridge": NextStep(
        "Copy the whole line again from where you got it (Tor "
        "Browser, Orbot, or bridges.torproject.org)."
    ),
    "tor-blocked": NextStep(
        "Tor may be blocked where you are: add a bridge (Settings → "
        "Tor; snowflake often works during blocks), or use a Tor you "
        "already run (its SOCKS address)."
    ),
    "press-tools": NextStep("Run scripts/bootstrap.sh to install what the press needs."),
    "operator": NextStep("This is a bug; please report it (nothing was changed)."),
    "caller-bug": NextStep("This is a bug; please report it (nothing was changed)."),
}
#: Codes whose step on the web is not their kind's words: a page or a button of their own.
OVERRIDES: Mapping[tuple[Domain, str], NextStep] = {
    ("app", "fed-key-rotating"): NextStep("Sync, then compile again."),
    ("app", "fed-not-editor"): NextStep(
        "Ask an editor to compile it, or propose editors on the programme's page."
    ),
    ("app", "join-not-the-cell"): NextStep(
        "Tell the member who proposed you, in person. You stay out of "
        "that cell; press Join again when your cell has added you."
    ),
    ("app", "join-refused"): NextStep(
        "Tell the member who proposed you, in person. Your card stays "
        "valid; press Join again when they have sent a new welcome."
    ),
    ("app", "no-relay"): NextStep(
        "Add a relay in Settings (an address your cell agreed on).", "/settings"
    ),
    ("app", "not-a-member"): NextStep("Nothing can be sent or read there any more.", "/home"),
    ("app", "nothing-to-join"): NextStep(
        "The cell has not admitted you yet. Press Join again later."
    ),
    ("app", "self-seizure"): NextStep(
        "Ask another member to do it, or use Panic on this device.", "/panic"
    ),
    ("app", "unknown-option"): NextStep("Nothing was changed."),
    ("app", "vouch-too-many"): NextStep(
        "Press Fetch now: codes that were used or expired are then forgotten."
    ),
    ("app", "vouch-unreachable"): NextStep("Check your connection (or Tor) and try again."),
    ("app", "warning-not-accepted"): NextStep(
        "Tick the box once you have read the warning, then try again."
    ),
    ("course", "no-such-choice"): NextStep("Choose one of the answers of each question."),
    ("course", "no-such-item"): NextStep("Tick only the checklist's own items."),
    ("course", "unknown-lesson"): NextStep("Choose a lesson from the course.", "/course"),
    ("org", "cap-reached"): NextStep(
        "Split the cell, or open a decision to raise the cap (Settings of the cell)."
    ),
    ("org", "fund-chain-broken"): NextStep(
        "Do not use the fund: compare its fingerprint on the fund's "
        "page with the other members in person."
    ),
    ("org", "fund-not-approved"): NextStep("Another member approves it on the fund's page."),
    ("org", "no-proposal"): NextStep("Propose the newcomer first, on the cell's page."),
    ("org", "no-voucher"): NextStep("A member vouches for the newcomer on the cell's page."),
    ("org", "not-a-member-cell"): NextStep("See the member cells on the programme's page."),
    ("org", "not-approved"): NextStep("Wait for the approvals; the cell's page shows them."),
    ("org", "unknown-proposal"): NextStep("See the newcomers on the cell's page."),
    ("relay", "embedded-database-closed"): NextStep("Check the disk, then start hasteh again."),
    ("relay", "write-refused"): NextStep("Check the disk; the message is sent again later."),
    ("time", "unknown-zone"): NextStep("Choose a time zone from the list."),
    ("transport", "bundle-code-needed"): NextStep("Type the bundle's code in the form."),
    ("transport", "bundle-too-full"): NextStep("Carry fewer cells in one bundle."),
    ("vault", "bad-passphrase-file"): NextStep("Type the passphrase in the form."),
    ("vault", "corrupt-profile"): NextStep(
        ("Nothing was changed. Restore it from a backup, or remove it with Panic."), "/panic"
    ),
    ("vault", "no-profile"): NextStep("Create a profile first.", "/setup"),
    ("vault", "profile-exists"): NextStep("Unlock it instead.", "/unlock"),
    ("vault", "setting-type-mismatch"): NextStep("Set it again in Settings.", "/settings"),
}


def _step(domain: Domain, code: str, kind: StepKind) -> NextStep | None:
    """The step of one code: this face's own words for it, the words both faces share,
    or its kind's words."""
    if (domain, code) in OVERRIDES:
        return OVERRIDES[domain, code]
    if (domain, code) in OWN_WORDS:
        return NextStep(OWN_WORDS[domain, code])
    return WORDS.get(kind)


def _steps(domain: Domain) -> dict[Any, NextStep]:
    """`domain`'s table, code -> step (a code without words has no row)."""
    steps = {code: _step(domain, code, kind) for code, kind in KINDS[domain].items()}
    return {code: step for code, step in steps.items() if step is not None}


#: Every domain's table: code -> the step. The domains are `KINDS`'s, so a new domain needs
#: no row here. (The press has no web face yet: its steps say what the command line would.)
WEB_NEXT_STEPS: Mapping[Domain, Mapping[Any, NextStep]] = {
    domain: _steps(domain) for domain in KINDS
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
