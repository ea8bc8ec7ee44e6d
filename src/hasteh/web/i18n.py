"""Language of the web face: per session, Persian by default, over `hasteh.i18n`'s catalogs.

`hasteh.i18n._` follows the process language (`HASTEH_LANG`); a page follows the person's
choice instead, so views translate with `Ui(language).gettext`. Message ids are the same
English strings, kept in the same `hasteh.po` catalog.

Display rules (DESIGN.md §3): Persian digits and Jalali dates in `fa`, Western digits and
Gregorian dates in `en`; any digits are accepted on input (`hasteh.i18n.parse_digits`).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from hasteh import jalali
from hasteh.i18n import DEFAULT_LANGUAGE, LANGUAGES, persian_digits, translations

#: Text direction of each UI language.
DIRECTIONS = {"fa": "rtl", "en": "ltr"}
#: How each language names itself in the language switch.
NATIVE_NAMES = {"fa": "فارسی", "en": "English"}


def normalize_language(value: str | None) -> str:
    """A supported language code, or the default (Persian)."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


@dataclass(frozen=True, slots=True)
class Ui:
    """Translation and display helpers for one language; handed to every template."""

    language: str
    #: The profile's time zone (`records.time_zone`): moments are shown, and deadlines
    #: offered, in it; None before unlock (the computer's own zone).
    zone: dt.tzinfo | None = None

    @property
    def direction(self) -> str:
        return DIRECTIONS[self.language]

    def gettext(self, message: str) -> str:
        return translations(self.language).gettext(message)

    def number(self, value: int | str) -> str:
        """`value` with Persian digits in `fa`, unchanged in `en`."""
        return persian_digits(value) if self.language == "fa" else str(value)

    def size(self, size: int) -> str:
        """A file's size for reading: whole MB from one MB up, else whole KB (rounded up)."""
        if size >= 2**20:
            return self.gettext("{n} MB").format(n=self.number(round(size / 2**20)))
        return self.gettext("{n} KB").format(n=self.number(max(1, -(-size // 1024))))

    def date(self, day: dt.date) -> str:
        """A date for reading: Jalali with Persian month names and digits in `fa`."""
        if self.language == "fa":
            return jalali.day_text(day)
        return f"{day.strftime('%A')} {day.day} {day.strftime('%B %Y')}"

    def moment(self, ts: int) -> str:
        """A unix time for reading (local time): Jalali date and Persian digits in `fa`."""
        at = dt.datetime.fromtimestamp(ts, self.zone)
        clock = f"{at.hour:02d}:{at.minute:02d}"
        if self.language == "fa":
            return jalali.moment_text(at)
        return f"{at.day} {at.strftime('%B %Y')}, {clock}"

    def day_of(self, ts: int) -> str:
        """The day of a unix time (local time), for the date separators of a conversation."""
        return self.date(dt.datetime.fromtimestamp(ts).date())

    def date_of(self, ts: int) -> str:
        """The date of a unix time in this profile's zone, without the clock: Jalali with
        Persian month names and digits in `fa` (a trial's end, a due date)."""
        return self.date(dt.datetime.fromtimestamp(ts, self.zone).date())

    def iso_day(self, ts: int) -> str:
        return dt.datetime.fromtimestamp(ts).date().isoformat()

    def clock(self, ts: int) -> str:
        """The time of day of a unix time (local time), e.g. ۱۸:۰۵ in `fa`."""
        at = dt.datetime.fromtimestamp(ts)
        return self.number(f"{at.hour:02d}:{at.minute:02d}")

    def iso_moment(self, ts: int) -> str:
        """The machine-readable form of a unix time for `<time datetime=…>`."""
        return dt.datetime.fromtimestamp(ts, self.zone).isoformat(timespec="minutes")

    def deadline_choices(self) -> list[tuple[str, str]]:
        """The deadline choices still open now (key, name in this language)."""
        zone = self.zone or jalali.zone_named(jalali.DEFAULT_ZONE)
        return [
            (key, self.gettext(jalali.CHOICE_NAMES[key]))
            for key in jalali.choices_open(int(time.time()), zone)
        ]

    def deadline_example(self) -> str:
        """A date as typed (``۲۰ آذر``), ten days ahead: never in the past."""
        zone = self.zone or jalali.zone_named(jalali.DEFAULT_ZONE)
        return jalali.example(int(time.time()), zone)

    def jalali_today(self) -> str:
        """Today as an issue date is typed (``۱۴۰۵/۰۹/۱۴``; Latin digits in English): the
        issue date's example and starting value, so it is never a date gone by."""
        zone = self.zone or jalali.zone_named(jalali.DEFAULT_ZONE)
        typed = jalali.jalali_date(dt.datetime.fromtimestamp(time.time(), zone).date())
        return self.number(typed) if self.language == "fa" else typed

    def iso_date(self, day: dt.date) -> str:
        """The machine-readable form for `<time datetime=…>`."""
        return day.isoformat()


def jalali_date(day: dt.date) -> str:
    """`day` in the Jalali calendar, e.g. 'سه‌شنبه ۱۲ اسفند ۱۴۰۴'."""
    return Ui("fa").date(day)
