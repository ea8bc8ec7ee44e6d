"""Persian time input (`hasteh.jalali.parse_moment`, `choice_at`): chosen or typed
deadlines, in Persian or Latin digits, read in the profile's time zone."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import jdatetime
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.i18n import parse_digits, persian_digits
from hasteh.jalali import (
    CHOICES,
    TimeInputError,
    choice_at,
    choices_open,
    example,
    parse_moment,
    zone_named,
)

TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")
UTC = dt.UTC
#: 13 Azar 1404 (2025-12-04), 10:00 in Tehran.
NOW = int(dt.datetime(2025, 12, 4, 10, 0, tzinfo=TEHRAN).timestamp())


def tehran(*args: int) -> int:
    return int(dt.datetime(*args, tzinfo=TEHRAN).timestamp())  # type: ignore[misc]


def reason(text: str, now: int = NOW, zone: dt.tzinfo = TEHRAN) -> str:
    with pytest.raises(TimeInputError) as caught:
        parse_moment(text, now, zone)
    assert text.strip() == "" or text not in str(caught.value)  # the input is never echoed
    return caught.value.reason


def test_choices_close_in_the_evening_in_tehran() -> None:
    assert choice_at("evening", NOW, TEHRAN) == tehran(2025, 12, 4, 21, 0)
    assert choice_at("tomorrow", NOW, TEHRAN) == tehran(2025, 12, 5, 21, 0)
    assert choice_at("three-days", NOW, TEHRAN) == tehran(2025, 12, 7, 21, 0)
    assert choice_at("week", NOW, TEHRAN) == tehran(2025, 12, 11, 21, 0)
    assert choices_open(NOW, TEHRAN) == CHOICES


def test_this_evening_drops_out_late_in_the_day() -> None:
    late = tehran(2025, 12, 4, 20, 30)
    assert "evening" not in choices_open(late, TEHRAN)
    with pytest.raises(TimeInputError) as caught:
        choice_at("evening", late, TEHRAN)
    assert caught.value.reason == "evening-over"


def test_the_profile_zone_decides_the_evening() -> None:
    """Tails runs in UTC: a profile set to UTC closes at 21:00 UTC, not Tehran's."""
    assert choice_at("tomorrow", NOW, UTC) == int(
        dt.datetime(2025, 12, 5, 21, 0, tzinfo=UTC).timestamp()
    )
    assert choice_at("tomorrow", NOW, UTC) - choice_at("tomorrow", NOW, TEHRAN) == 3.5 * 3600


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("۲۰ آذر", tehran(2025, 12, 11, 23, 59)),
        ("20 آذر", tehran(2025, 12, 11, 23, 59)),
        ("20 azar", tehran(2025, 12, 11, 23, 59)),
        ("۲۰ آذر ۱۸:۰۰", tehran(2025, 12, 11, 18, 0)),
        ("۲۰ آذر ساعت ۱۸", tehran(2025, 12, 11, 18, 0)),
        ("۲۰ آذر ۱۴۰۴", tehran(2025, 12, 11, 23, 59)),
        ("۱۴۰۴/۰۹/۲۰", tehran(2025, 12, 11, 23, 59)),
        ("1404/9/20 7:30", tehran(2025, 12, 11, 7, 30)),
        ("۱۴۰۴-۰۹-۲۰", tehran(2025, 12, 11, 23, 59)),
        ("2025-12-11 18:00", tehran(2025, 12, 11, 18, 0)),
        ("۳ روز", tehran(2025, 12, 7, 21, 0)),
        ("3 days", tehran(2025, 12, 7, 21, 0)),
        ("فردا", tehran(2025, 12, 5, 21, 0)),
        ("يك هفته", tehran(2025, 12, 11, 21, 0)),  # Arabic yeh and kaf
        ("  ۲۰\u200c آذر ", tehran(2025, 12, 11, 23, 59)),
        ("فردا ۱۸:۰۰", tehran(2025, 12, 5, 18, 0)),
        ("فردا ساعت ۹", tehran(2025, 12, 5, 9, 0)),
        ("پس\u200cفردا ساعت ۹:۳۰", tehran(2025, 12, 6, 9, 30)),
        ("پس فردا", tehran(2025, 12, 6, 23, 59)),
        ("امروز ۱۸:۰۰", tehran(2025, 12, 4, 18, 0)),
        ("tomorrow 18:00", tehran(2025, 12, 5, 18, 0)),
    ],
)
def test_typed_dates(typed: str, expected: int) -> None:
    assert parse_moment(typed, NOW, TEHRAN) == expected


def test_a_day_without_a_year_is_the_next_one() -> None:
    """``۱۰ آذر`` typed on 13 Azar means next year's (this year's has passed)."""
    assert parse_moment("۱۰ آذر", NOW, TEHRAN) == tehran(2026, 12, 1, 23, 59)
    assert parse_moment("۱۳ آذر", NOW, TEHRAN) == tehran(2025, 12, 4, 23, 59)  # today


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("soon", "not-a-date"),
        ("۲۰ بلبل", "not-a-date"),
        ("۳۱ اسفند ۱۴۰۴", "no-such-date"),
        ("۳۲ آذر", "no-such-date"),
        ("1404/13/01", "no-such-date"),
        ("2025-02-30", "no-such-date"),
        ("۲۰ آذر ۲۵:۰۰", "no-such-time"),
        ("فردا ۲۵:۰۰", "no-such-time"),
        ("امروز ۹:۰۰", "past"),
        ("۱۴۰۴/۰۹/۱۰", "past"),
        ("0 روز", "past"),
        ("400 روز", "too-far"),
        ("۱۴۱۰/۰۱/۰۱", "too-far"),
        ("۲" * 65, "too-long"),
    ],
)
def test_refusals_say_why(typed: str, why: str) -> None:
    assert reason(typed) == why


def test_the_example_is_never_in_the_past() -> None:
    for days in range(0, 800, 37):
        now = NOW + days * 86_400
        text = example(now, TEHRAN)
        assert parse_moment(text, now, TEHRAN) > now


def test_the_not_a_date_message_gives_a_future_example() -> None:
    with pytest.raises(TimeInputError) as caught:
        parse_moment("soon", NOW, TEHRAN)
    assert caught.value.params["example"] == persian_digits("23 آذر")


def test_zones_by_name() -> None:
    assert choice_at("week", NOW, zone_named("UTC")) == choice_at("week", NOW, UTC)
    assert choice_at("week", NOW, zone_named("Asia/Tehran")) == tehran(2025, 12, 11, 21, 0)
    for bad in ("", "Mars/Olympus", "../../etc/passwd", "x" * 100):
        with pytest.raises(TimeInputError) as caught:
            zone_named(bad)
        assert caught.value.reason == "unknown-zone"


nows = st.integers(min_value=1_600_000_000, max_value=2_100_000_000)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=80), now=nows)
def test_any_text_is_a_future_moment_or_a_clear_refusal(text: str, now: int) -> None:
    try:
        at = parse_moment(text, now, TEHRAN)
    except TimeInputError as exc:
        assert exc.reason in {
            "empty",
            "too-long",
            "not-a-date",
            "no-such-date",
            "no-such-time",
            "past",
            "too-far",
            "evening-over",
        }
        return
    assert now < at <= now + 365 * 86_400


persian_or_latin = st.sampled_from(["latin", "persian"])


@settings(max_examples=200, deadline=None)
@given(
    now=nows,
    ahead=st.integers(min_value=1, max_value=360),
    hour=st.integers(min_value=0, max_value=23),
    minute=st.integers(min_value=0, max_value=59),
    digits=persian_or_latin,
    form=st.sampled_from(["slash", "dash", "named"]),
)
def test_a_written_jalali_date_reads_back(
    now: int, ahead: int, hour: int, minute: int, digits: str, form: str
) -> None:
    day = dt.datetime.fromtimestamp(now, TEHRAN).date() + dt.timedelta(days=ahead)
    j = jdatetime.date.fromgregorian(date=day)
    if form == "named":
        text = f"{j.day} {jdatetime.date.j_months_fa[j.month - 1]} {j.year} {hour}:{minute:02d}"
    else:
        sep = "/" if form == "slash" else "-"
        text = f"{j.year}{sep}{j.month:02d}{sep}{j.day:02d} {hour}:{minute:02d}"
    if digits == "persian":
        text = persian_digits(text)
    expected = int(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TEHRAN).timestamp())
    if not now < expected <= now + 365 * 86_400:
        return
    assert parse_moment(text, now, TEHRAN) == expected


@settings(max_examples=100, deadline=None)
@given(now=nows, choice=st.sampled_from(CHOICES))
def test_open_choices_are_in_the_future_and_in_the_evening(now: int, choice: str) -> None:
    if choice not in choices_open(now, TEHRAN):
        return
    at = choice_at(choice, now, TEHRAN)
    assert at > now
    local = dt.datetime.fromtimestamp(at, TEHRAN)
    assert (local.hour, local.minute) == (21, 0)


def test_guides_give_no_example_that_will_pass() -> None:
    """Examples in the user guides are never in the past: no Jalali date with a year
    (which would pass one day); `example()` makes the forms' example from today."""
    root = Path(__file__).resolve().parents[1]
    months = "|".join(jdatetime.date.j_months_fa)
    dated = re.compile(rf"(?:{months}) ?\d{{4}}|\b1[34]\d\d[/-]\d{{1,2}}[/-]\d{{1,2}}")
    for name in ("fa.md", "en.md"):
        text = parse_digits((root / "docs" / "user" / name).read_text(encoding="utf-8"))
        assert dated.findall(text) == [], name
