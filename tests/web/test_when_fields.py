"""Typed moments on the pages ("when the vote closes", "by when", a session's date): the
help under each field gives examples a worker can type as they are, in their language,
and never a command-line form (``--date``) or an internal choice key (``three-days``)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from hasteh import jalali
from hasteh.app.decisions import parse_deadline
from hasteh.i18n import translations

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "hasteh" / "web" / "templates"
HELP = "For example: tonight, tomorrow, 3 days, a week, {date} or {date} {time}."
#: What only the command line or the code knows: flags and choice keys.
CLI_ONLY = re.compile(r"--[a-z]|three-days|\bevening, tomorrow\b")


def _page_strings() -> list[str]:
    found = []
    for template in sorted(TEMPLATES.glob("*.html")):
        found += re.findall(r'_\("((?:[^"\\]|\\.)*)"\)', template.read_text(encoding="utf-8"))
    return found


def test_no_page_string_names_a_command_line_form() -> None:
    strings = _page_strings()
    assert len(strings) > 300  # the scan reads the templates
    offending = [s for s in strings if CLI_ONLY.search(s)]
    assert offending == []
    fa = translations("fa").gettext
    assert [s for s in strings if re.search(r"--[a-z]|three-days", fa(s))] == []


#: English a Persian page may show: names of programs, formats and bridges, and a time
#: zone's name as it is typed (Europe/Berlin).
_KEPT_LATIN = {
    "Tor",
    "Browser",
    "PDF",
    "QR",
    "USB",
    "Markdown",
    "HTML",
    "STV",
    "UTF",
    "Beancount",
    "onion",
    "Orbot",
    "obfs",
    "snowflake",
    "Europe",
    "Berlin",
}


def test_persian_pages_show_no_english_choice_words() -> None:
    """A label's Persian must be Persian: a worker reads «کاغذ، فایل یا عکس», never
    «paper، file یا image» (what the command line, not the page, takes)."""
    fa = translations("fa").gettext
    found = {}
    for s in _page_strings():
        shown = re.sub(r"\{[a-z_]+\}|`[^`]*`|hasteh[\w .-]*", "", fa(s))
        words = set(re.findall(r"[A-Za-z][A-Za-z-]{2,}", shown)) - _KEPT_LATIN
        if words:
            found[s] = sorted(words)
    assert found == {}


@pytest.mark.parametrize("language", ["fa", "en"])
def test_every_example_in_the_help_parses_as_it_is_shown(language: str) -> None:
    """Each example of the help, as the page shows it (Persian digits in Persian), typed
    into the field is accepted and lies ahead."""
    zone = jalali.zone_named(jalali.DEFAULT_ZONE)
    now = int(time.time())
    date = jalali.example(now, zone)
    clock = jalali.persian_digits("18:00") if language == "fa" else "18:00"
    shown = translations(language).gettext(HELP).format(date=date, time=clock)
    assert date in shown and "{" not in shown
    body = shown.split(":", 1)[1].strip().rstrip(".")
    examples = [e.strip() for e in re.split(r"[،,]| یا | or ", body) if e.strip()]
    assert len(examples) == 6, examples
    for example in examples:
        assert parse_deadline(example, now, zone) > now, example


def test_the_action_page_uses_the_help() -> None:
    for name in ("action.html", "actions.html", "study_circle.html", "alliance_programme.html"):
        text = (TEMPLATES / name).read_text(encoding="utf-8")
        assert "when_help(" in text or "when_text()" in text, name


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_issue_date_starts_at_today_and_parses_as_shown(language: str) -> None:
    """The newsroom's issue date field starts at today's Jalali date, in the page's digits,
    and the press reads it as today (an example that never goes by)."""
    from hasteh.publish.issue import parse_day
    from hasteh.web.i18n import Ui

    ui = Ui(language)
    shown = ui.jalali_today()
    zone = jalali.zone_named(jalali.DEFAULT_ZONE)
    import datetime as dt

    assert parse_day(shown) == dt.datetime.fromtimestamp(time.time(), zone).date()
    assert (shown[0] in "۰۱۲۳۴۵۶۷۸۹") == (language == "fa")
    template = (TEMPLATES / "bulletin.html").read_text(encoding="utf-8")
    assert 'value="{{ ui.jalali_today() }}"' in template
