"""Newcomers on trial through the real CLI against a real relay: the founder sets a
trial (`cell settings --trial-days`, a decision), a newcomer joins and `cell members`
says "on trial until <Jalali date>"; the newcomer's own commands that the trial forbids
fail with a precise Persian message and send nothing; `cell end-trial` ends it."""

from __future__ import annotations

from pathlib import Path

from hasteh.i18n import translations
from tests.cli.test_cells_cli import card, ok, profile, run
from tests.relay.harness import RelayProcess

fa = translations("fa").gettext


def test_trial_through_the_cli(tmp_path: Path, cli_relay: RelayProcess) -> None:
    url = cli_relay.url
    a, b, c = (profile(tmp_path, n) for n in "abc")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", url)
    assert "trial" not in ok(a, "cell", "settings", "bakery")

    # Bad input: a precise message, nothing opened.
    code, out = run(a, "cell", "settings", "bakery", "--trial-days", "999")
    assert code == 1 and "0 (no trial) to 365 days" in " ".join(out.split())
    code, out = run(a, "cell", "settings", "bakery", "--trial-days", "four")
    assert code == 2 and "--trial-days" in out  # a usage error, as for every number
    assert "Decision" not in ok(a, "decide", "show", "bakery")

    ok(a, "cell", "settings", "bakery", "--trial-days", "۲۸", "--deadline", "+2d")
    ok(a, "decide", "vote", "bakery", "1", "--position", "agree")
    ok(a, "decide", "close", "bakery", "1")
    ok(a, "sync")
    ok(a, "sync")
    assert "newcomers on trial for 28 days" in ok(a, "cell", "settings", "bakery")

    ok(a, "propose", "bakery", card(b, "reza", url, tmp_path))
    ok(a, "sync")
    assert "You joined bakery" in ok(b, "join")
    ok(a, "sync")
    listed = ok(a, "cell", "members", "bakery", lang="fa")
    line = next(x for x in listed.splitlines() if x.startswith("reza"))
    assert fa("(on trial until {date})").split("{date}")[0] in line
    assert "۱۴۰" in line  # a Jalali year, Persian digits

    # The newcomer: no proposal, no seizure report, no ending of its own trial.
    code_c = card(c, "maryam", url, tmp_path)
    refusal = fa(
        "A newcomer on trial takes part in talk and ordinary decisions, but not in "
        "admissions, removals, seizures of others or the cell's rules, until the cell "
        "ends the trial."
    )
    for args in (
        ("propose", "bakery", code_c),
        ("cell", "seized", "bakery", "sepideh"),
        ("cell", "end-trial", "bakery", "reza", "--deadline", "+2d"),
        ("cell", "remove", "bakery", "sepideh", "--deadline", "+2d"),
    ):
        code, out = run(b, *args, lang="fa")
        assert code == 1, (args, out)
        assert refusal in " ".join(out.split()), (args, out)
    ok(a, "sync")
    assert "seized" not in ok(a, "alarms", "bakery")

    # The founder ends the trial: a decision of the full members (here, one).
    out = ok(a, "cell", "end-trial", "bakery", "reza", "--deadline", "+2d")
    assert "reza" in out
    ok(a, "decide", "vote", "bakery", "2", "--position", "agree")
    ok(a, "decide", "close", "bakery", "2")
    ok(a, "sync")
    ok(b, "sync")
    assert "trial" not in ok(b, "cell", "members", "bakery")
    code, out = run(a, "cell", "end-trial", "bakery", "reza", "--deadline", "+2d")
    assert code == 1 and "reza is not on trial in this cell." in " ".join(out.split())
