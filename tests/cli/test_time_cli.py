"""Deadlines through the CLI: the Persian choices and Jalali dates, read in the profile's
time zone (`hasteh time-zone`); a bad zone or date is refused and changes nothing."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import jdatetime

from hasteh.app import decisions, records
from hasteh.app.profile import workspace
from hasteh.i18n import persian_digits
from tests.relay.harness import RelayProcess

from .test_cells_cli import PASS, ok, profile, run


def deadlines(home: Path) -> dict[str, int]:
    with workspace(home, PASS) as ws:
        return {d.question: d.deadline for d in decisions.show(ws, "bakery")}


def test_time_zone_and_deadline_choices(tmp_path: Path, cli_relay: RelayProcess) -> None:
    a = profile(tmp_path, "a")
    assert "Asia/Tehran" in ok(a, "time-zone")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", cli_relay.url)

    def decide(question: str, deadline: str | None) -> None:
        extra = [] if deadline is None else ["--deadline", deadline]
        ok(a, "decide", "open", "bakery", "--kind", "consent", "--question", question, *extra)

    tehran = zoneinfo.ZoneInfo("Asia/Tehran")
    decide("default", None)  # three days, in the evening, Tehran time
    decide("tomorrow", "tomorrow")
    later = dt.datetime.now(tehran).date() + dt.timedelta(days=12)
    j = jdatetime.date.fromgregorian(date=later)
    decide("typed", persian_digits(f"{j.day} {jdatetime.date.j_months_fa[j.month - 1]} ۱۸:۰۰"))

    # Tails runs in UTC: the profile says so, and "tomorrow" follows.
    assert "UTC" in ok(a, "time-zone", "UTC")
    decide("tomorrow in UTC", "tomorrow")

    # Shown in the profile's zone too: Tehran's 21:00 is 17:30 in UTC.
    shown = ok(a, "decide", "show", "bakery")
    assert "17:30" in shown and "21:00" in shown

    found = deadlines(a)
    today = dt.datetime.now(tehran).date()
    at = {q: dt.datetime.fromtimestamp(ts, tehran) for q, ts in found.items()}
    assert (at["default"].date(), at["default"].hour) == (today + dt.timedelta(days=3), 21)
    assert (at["tomorrow"].date(), at["tomorrow"].hour) == (today + dt.timedelta(days=1), 21)
    assert (at["typed"].date(), at["typed"].hour, at["typed"].minute) == (later, 18, 0)
    utc = dt.datetime.fromtimestamp(found["tomorrow in UTC"], dt.UTC)
    assert (utc.hour, utc.minute) == (21, 0)

    # Refusals: no such zone, no such date, no seconds or "+3d" in the messages.
    code, out = run(a, "time-zone", "Mars/Olympus")
    assert code == 1 and "no time zone" in out
    code, out = run(
        a,
        "decide",
        "open",
        "bakery",
        "--kind",
        "consent",
        "--question",
        "q",
        "--deadline",
        "۳۱ اسفند ۱۴۰۴",
    )
    assert code == 1 and "does not exist" in out
    code, out = run(
        a,
        "decide",
        "open",
        "bakery",
        "--kind",
        "consent",
        "--question",
        "q",
        "--deadline",
        "۵۰۰ روز",
    )
    assert code == 1 and "365 days" in out and "seconds" not in out
    assert len(deadlines(a)) == 4
    with workspace(a, PASS) as ws:
        assert ws.vault.read(records.time_zone_name) == "UTC"
