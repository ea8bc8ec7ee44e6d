"""The Jalali (Persian solar) calendar, in one place for the CLI, the web face and the
parsing of deadlines.

Persian readers see dates in the Jalali calendar with Persian month names and digits;
everything stored stays unix seconds. People also *type* dates this way (the second half:
Persian time input, `parse_moment`). `jdatetime` is imported here only, so a change of
calendar library (or a fix to how it is called) is made once.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Final, Literal

import jdatetime

from hasteh.errors import Domain, HastehError, Param
from hasteh.i18n import parse_digits, persian_digits

__all__ = [
    "CHOICES",
    "CHOICE_NAMES",
    "DEFAULT_ZONE",
    "TimeInputError",
    "choice_at",
    "choices_open",
    "day_text",
    "example",
    "jalali_date",
    "moment_text",
    "month_of",
    "month_text",
    "parse_moment",
    "short_moment",
    "to_gregorian",
    "zone_named",
]


def to_gregorian(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    """The local (naive) Gregorian time of a Jalali date and time; `ValueError` if that
    date does not exist."""
    result: dt.datetime = jdatetime.datetime(year, month, day, hour, minute).togregorian()
    return result


def short_moment(ts: int, zone: dt.tzinfo | None = None) -> str:
    """A unix time as ``YYYY/MM/DD HH:MM`` in the Jalali calendar, Persian digits (the CLI),
    in `zone` (None: this computer's)."""
    at = jdatetime.datetime.fromgregorian(datetime=dt.datetime.fromtimestamp(ts, zone))
    return persian_digits(at.strftime("%Y/%m/%d %H:%M"))


def day_text(day: dt.date) -> str:
    """A date for reading: weekday, day, month name and year, in Persian."""
    jalali = jdatetime.date.fromgregorian(date=day)
    weekday = jdatetime.date.j_weekdays_fa[jalali.weekday()]
    month = jdatetime.date.j_months_fa[jalali.month - 1]
    return persian_digits(f"{weekday} {jalali.day} {month} {jalali.year}")


def moment_text(at: dt.datetime) -> str:
    """A local time for reading: day, month name, year and clock, in Persian."""
    jalali = jdatetime.date.fromgregorian(date=at.date())
    month = jdatetime.date.j_months_fa[jalali.month - 1]
    return persian_digits(f"{jalali.day} {month} {jalali.year}، {at.hour:02d}:{at.minute:02d}")


# ---------------------------------------------------------------------------------------
# Persian time input: when a decision closes, chosen or typed.
#
# A person picks one of a few plain choices (this evening, tomorrow, three days, a week)
# or types a date as people write it: ``۲۰ آذر``, ``۲۰ آذر ۱۴۰۵ ۱۸:۰۰``, ``۱۴۰۵/۰۹/۲۰``,
# ``3 روز``, in Persian or Latin digits. Everything is read in the profile's time zone
# (Tehran unless the profile says otherwise: Tails runs in UTC), from `now` given by the
# caller, so this part stays free of clocks and is tested alone (`tests/test_when.py`).
# Errors carry a reason and parameters; the app translates them (`TimeInputError`).

#: The plain choices, in the order the faces offer them.
CHOICES: Final = ("evening", "tomorrow", "three-days", "week")
#: Their names (msgids): the faces translate them.
CHOICE_NAMES: Final = {
    "evening": "This evening",
    "tomorrow": "Tomorrow evening",
    "three-days": "In three days",
    "week": "In a week",
}
#: "The evening" of a day: when the choices close.
EVENING: Final = dt.time(21, 0)
#: A typed date without a clock time closes at the end of that day.
END_OF_DAY: Final = dt.time(23, 59)
#: "This evening" is not offered with less than this much of the day left before it.
EVENING_MARGIN: Final = dt.timedelta(hours=1)
#: Longest text read (a date with a clock time is far shorter): longer input is refused
#: before any parsing.
MAX_INPUT: Final = 64
#: The time zone of a profile that chose none.
DEFAULT_ZONE: Final = "Asia/Tehran"

#: Month names as typed: Persian (with the usual variants) and Latin transliterations.
_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        (
            ("فروردین", "farvardin"),
            ("اردیبهشت", "ordibehesht"),
            ("خرداد", "khordad"),
            ("تیر", "tir"),
            ("مرداد", "امرداد", "mordad", "amordad"),
            ("شهریور", "shahrivar"),
            ("مهر", "mehr"),
            ("آبان", "ابان", "aban"),
            ("آذر", "اذر", "azar"),
            ("دی", "dey", "dei"),
            ("بهمن", "bahman"),
            ("اسفند", "esfand"),
        ),
        start=1,
    )
    for name in names
}
#: Choices as people type them, Persian and English.
_CHOICE_WORDS: Final = {
    "evening": "evening",
    "three-days": "three-days",
    "سه روز": "three-days",
    "امشب": "evening",
    "امروز عصر": "evening",
    "امروز": "evening",
    "this evening": "evening",
    "tonight": "evening",
    "today": "evening",
    "فردا": "tomorrow",
    "فردا شب": "tomorrow",
    "tomorrow": "tomorrow",
    "یک هفته": "week",
    "یک هفته دیگر": "week",
    "هفته دیگر": "week",
    "a week": "week",
    "one week": "week",
    "week": "week",
}
_DAYS = re.compile(r"^\+?(\d{1,3}) ?(روز دیگر|روز|days|day|d)$")
#: Days named by a word, before a clock time ("فردا ۱۸:۰۰", "پس‌فردا ساعت ۹").
_RELATIVE_DAYS: Final = {
    "امروز": 0,
    "today": 0,
    "فردا": 1,
    "tomorrow": 1,
    "پس فردا": 2,
    "پسفردا": 2,
    "day after tomorrow": 2,
}
_CLOCK = re.compile(r"^(.*?)(?:[ ,،]+(?:ساعت ?)?(\d{1,2})(?::(\d{2}))?)?$")
_NUMERIC = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_NAMED = re.compile(r"^(\d{1,2}) ?([^\d ]+)(?: (\d{4}))?$")
_SPACES = re.compile(r"[\s\u200c\u200f\u200e]+")


TimeCode = Literal[
    "unknown-zone",
    "unknown-choice",
    "evening-over",
    "no-such-date",
    "no-such-time",
    "not-a-date",
    "too-long",
    "empty",
    "past",
    "too-far",
]

#: English templates of `TimeCode` (gettext msgids).
TIME_MESSAGES: Mapping[TimeCode, str] = {
    "unknown-zone": "There is no time zone by that name.",
    "unknown-choice": "Choose one of the choices offered.",
    "evening-over": "This evening is almost over: choose tomorrow.",
    "no-such-date": "That date does not exist.",
    "no-such-time": "That time of day does not exist.",
    "not-a-date": (
        "That is not a date: choose one of the choices, or type a date such as {example}."
    ),
    "too-long": "That is too long for a date.",
    "empty": "Choose when it closes, or type a date.",
    "past": "That moment has passed: choose a later one.",
    "too-far": "That is too far away: at most {days} days ahead.",
}


class TimeInputError(HastehError):
    """A typed moment that cannot be read, or that is already past or too far away.

    `code` (also `reason`) says which, with the contract of `hasteh.errors`; the message
    never repeats the input."""

    domain: ClassVar[Domain] = "time"
    templates: ClassVar[Mapping[Any, str]] = TIME_MESSAGES
    code: TimeCode

    def __init__(self, code: TimeCode, /, **params: Param) -> None:
        super().__init__(code, **params)

    @property
    def reason(self) -> TimeCode:
        return self.code


def zone_named(name: str) -> dt.tzinfo:
    """The time zone `name` (an IANA name such as ``Asia/Tehran`` or ``UTC``);
    `TimeInputError` ``unknown-zone`` if there is none by that name."""
    if not name or len(name) > 64 or not re.fullmatch(r"[A-Za-z0-9_+\-/]+", name):
        raise TimeInputError("unknown-zone")
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise TimeInputError("unknown-zone") from None


def _normalize(text: str) -> str:
    """ASCII digits, one space between words, Arabic letters as Persian, lower case."""
    value = parse_digits(text).replace("ي", "ی").replace("ك", "ک").replace("٫", ":")
    return _SPACES.sub(" ", value).strip().lower()


def _at(day: dt.date, clock: dt.time, zone: dt.tzinfo) -> int:
    return int(dt.datetime.combine(day, clock, tzinfo=zone).timestamp())


def choice_at(choice: str, now: int, zone: dt.tzinfo) -> int:
    """When a plain choice closes: the evening (`EVENING`) of today, tomorrow, three days
    or a week from today, in `zone`. "This evening" with less than `EVENING_MARGIN` left
    is refused (``evening-over``): choose tomorrow."""
    today = dt.datetime.fromtimestamp(now, zone).date()
    days = {"evening": 0, "tomorrow": 1, "three-days": 3, "week": 7}.get(choice)
    if days is None:
        raise TimeInputError("unknown-choice")
    at = _at(today + dt.timedelta(days=days), EVENING, zone)
    if at - now < EVENING_MARGIN.total_seconds():
        raise TimeInputError("evening-over")
    return at


def choices_open(now: int, zone: dt.tzinfo) -> tuple[str, ...]:
    """The choices that can still be taken at `now` (this evening drops out late in the
    day)."""
    found = []
    for choice in CHOICES:
        try:
            choice_at(choice, now, zone)
        except TimeInputError:
            continue
        found.append(choice)
    return tuple(found)


def _jalali_day(year: int, month: int, day: int) -> dt.date:
    try:
        result: dt.date = jdatetime.date(year, month, day).togregorian()
    except (ValueError, OverflowError):
        raise TimeInputError("no-such-date") from None
    return result


def _clock(hour: str | None, minute: str | None) -> dt.time:
    if hour is None:
        return END_OF_DAY
    h, m = int(hour), int(minute or 0)
    if h > 23 or m > 59:
        raise TimeInputError("no-such-time")
    return dt.time(h, m)


def _day_of(text: str, today: dt.date) -> dt.date:
    """The day a typed date names (without its clock time)."""
    if text in _RELATIVE_DAYS:
        return today + dt.timedelta(days=_RELATIVE_DAYS[text])
    if match := _NUMERIC.match(text):
        year, month, day = (int(g) for g in match.groups())
        if year < 1700:  # a Jalali year (the Gregorian calendar is far past 1700)
            return _jalali_day(year, month, day)
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise TimeInputError("no-such-date") from None
    if match := _NAMED.match(text):
        day, name, year_text = int(match.group(1)), match.group(2), match.group(3)
        if name not in _MONTHS:
            raise _not_a_date(today)
        month = _MONTHS[name]
        if year_text is not None:
            return _jalali_day(int(year_text), month, day)
        # No year: the next such day, today included.
        this_year = jdatetime.date.fromgregorian(date=today).year
        found = _jalali_day_or_none(this_year, month, day)
        if found is None or found < today:
            found = _jalali_day_or_none(this_year + 1, month, day)
        if found is None:
            raise TimeInputError("no-such-date")
        return found
    raise _not_a_date(today)


def _jalali_day_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        return _jalali_day(year, month, day)
    except TimeInputError:
        return None


def example(now: int, zone: dt.tzinfo) -> str:
    """A Jalali date ten days after `now`, as typed (``۲۰ آذر``): examples shown to
    people are never in the past."""
    day = dt.datetime.fromtimestamp(now, zone).date() + dt.timedelta(days=10)
    jalali = jdatetime.date.fromgregorian(date=day)
    return persian_digits(f"{jalali.day} {jdatetime.date.j_months_fa[jalali.month - 1]}")


def _not_a_date(today: dt.date) -> TimeInputError:
    jalali = jdatetime.date.fromgregorian(date=today + dt.timedelta(days=10))
    sample = persian_digits(f"{jalali.day} {jdatetime.date.j_months_fa[jalali.month - 1]}")
    return TimeInputError(
        "not-a-date",
        example=sample,
    )


def parse_moment(text: str, now: int, zone: dt.tzinfo, *, max_days: int = 365) -> int:
    """The unix time a person typed: a choice in words (``فردا``, ``یک هفته``), a number
    of days (``۳ روز``), a day word and a clock time (``فردا ۱۸:۰۰``, ``پس‌فردا ساعت ۹``),
    or a date (``۲۰ آذر``, ``۲۰ آذر ۱۴۰۵ ۱۸:۰۰``, ``۱۴۰۵/۰۹/۲۰``,
    ``2026-12-11 18:00``), in Persian or Latin digits, read in `zone`. A date without a
    clock time closes at the end of that day. Refused (`TimeInputError`): empty, too long,
    not a date, a date that does not exist, already past, or more than `max_days` ahead."""
    if len(text) > MAX_INPUT:
        raise TimeInputError("too-long")
    value = _normalize(text)
    if not value:
        raise TimeInputError("empty")
    today = dt.datetime.fromtimestamp(now, zone).date()
    if value in _CHOICE_WORDS:
        at = choice_at(_CHOICE_WORDS[value], now, zone)
    elif match := _DAYS.match(value):
        days = int(match.group(1))
        if days == 0:
            raise TimeInputError("past")
        if days > max_days:
            raise _too_far(max_days)
        at = _at(today + dt.timedelta(days=days), EVENING, zone)
    else:
        match = _CLOCK.match(value)
        assert match is not None  # the pattern matches every string
        day = _day_of(match.group(1), today)
        clock = _clock(match.group(2), match.group(3))
        at = _at(day, clock, zone)
    if at <= now:
        raise TimeInputError("past")
    if at - now > max_days * 86_400:
        raise _too_far(max_days)
    return at


def _too_far(max_days: int) -> TimeInputError:
    return TimeInputError("too-far", days=max_days)


def month_of(ts: int) -> tuple[int, int]:
    """The Jalali ``(year, month)`` of a unix time, on this device's clock zone (the
    fund's monthly report groups its entries by it)."""
    jalali = jdatetime.date.fromtimestamp(ts)
    return jalali.year, jalali.month


def month_reader() -> Callable[[int], tuple[int, int]]:
    """`month_of` for many times in a row (a fund's report reads every entry): each
    calendar day is converted once. jdatetime spends about 80 µs a call on locale
    lookups, which made a 2,750-entry fund's page take 300 ms; a day's local date costs
    about 1 µs. The memo lives as long as the function returned (one report)."""
    seen: dict[dt.date, tuple[int, int]] = {}

    def read(ts: int) -> tuple[int, int]:
        day = dt.date.fromtimestamp(ts)
        found = seen.get(day)
        if found is None:
            jalali = jdatetime.date.fromgregorian(date=day)
            found = seen[day] = (jalali.year, jalali.month)
        return found

    return read


def month_text(year: int, month: int) -> str:
    """A Jalali month for reading: its Persian name and year, Persian digits."""
    return persian_digits(f"{jdatetime.date.j_months_fa[month - 1]} {year}")


def jalali_date(day: dt.date) -> str:
    """A Gregorian day as the Jalali ``YYYY/MM/DD`` (Latin digits) an issue file's header
    takes (`hasteh.publish.issue`): the nationwide bulletin writes its issues' headers."""
    jalali = jdatetime.date.fromgregorian(date=day)
    return f"{jalali.year:04d}/{jalali.month:02d}/{jalali.day:02d}"
