"""The Jalali (Persian solar) calendar, in one place for the CLI, the web face and the
parsing of deadlines.

Persian readers see dates in the Jalali calendar with Persian month names and digits;
everything stored stays unix seconds. `jdatetime` is imported here only, so a change of
calendar library (or a fix to how it is called) is made once.
"""

from __future__ import annotations

import datetime as dt

import jdatetime

from hasteh.i18n import persian_digits

__all__ = ["day_text", "moment_text", "month_of", "month_text", "short_moment", "to_gregorian"]


def to_gregorian(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    """The local (naive) Gregorian time of a Jalali date and time; `ValueError` if that
    date does not exist."""
    result: dt.datetime = jdatetime.datetime(year, month, day, hour, minute).togregorian()
    return result


def short_moment(ts: int) -> str:
    """A unix time as ``YYYY/MM/DD HH:MM`` in the Jalali calendar, Persian digits (the CLI)."""
    return persian_digits(jdatetime.datetime.fromtimestamp(ts).strftime("%Y/%m/%d %H:%M"))


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


def month_of(ts: int) -> tuple[int, int]:
    """The Jalali ``(year, month)`` of a unix time, on this device's clock zone (the
    fund's monthly report groups its entries by it)."""
    jalali = jdatetime.date.fromtimestamp(ts)
    return jalali.year, jalali.month


def month_text(year: int, month: int) -> str:
    """A Jalali month for reading: its Persian name and year, Persian digits."""
    return persian_digits(f"{jdatetime.date.j_months_fa[month - 1]} {year}")
