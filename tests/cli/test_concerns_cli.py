"""When something is wrong, from the terminal: `hasteh object`, `hasteh alarm`,
`hasteh cell seizures`, `hasteh cell review-seizure` (CliRunner, real relay)."""

from __future__ import annotations

from pathlib import Path

from tests.relay.harness import RelayProcess

from .test_cells_cli import card, ok, profile, run


def three(tmp_path: Path, url: str) -> tuple[Path, Path, Path]:
    """A cell `bakery` of sepideh (a), reza (b) and maryam (c)."""
    a, b, c = (profile(tmp_path, n) for n in "abc")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", url)
    ok(a, "propose", "bakery", card(b, "reza", url, tmp_path))
    ok(a, "sync")
    ok(b, "join")
    ok(a, "propose", "bakery", card(c, "maryam", url, tmp_path))
    ok(a, "sync")
    ok(b, "sync")
    ok(b, "vouch", "bakery", "maryam")
    ok(b, "sync")
    ok(a, "sync")
    ok(c, "join")
    for home in (a, b):
        ok(home, "sync")
    return a, b, c


def test_object_alarm_and_review_from_the_terminal(tmp_path: Path, cli_relay: RelayProcess) -> None:
    a, b, c = three(tmp_path, cli_relay.url)

    # An objection: with the rule "all members", one refuses the newcomer.
    d = profile(tmp_path, "d")
    ok(a, "propose", "bakery", card(d, "kaveh", cli_relay.url, tmp_path))
    ok(a, "sync")
    ok(c, "sync")
    code, out = run(c, "object", "bakery", "kaveh", "--reason", "  ")
    assert code == 1 and "An objection needs a reason." in out
    ok(c, "object", "bakery", "kaveh", "--reason", "nobody knows him")
    ok(c, "sync")
    ok(b, "sync")
    ok(b, "vouch", "bakery", "kaveh")  # a voucher, and still refused: nobody adds him
    for home in (b, a, a):
        ok(home, "sync")
    members = ok(a, "cell", "members", "bakery")
    assert "proposed: kaveh, approvals 2/3, vouchers 1, refused" in members
    assert not any(line.startswith("kaveh") for line in members.splitlines())
    assert "No welcome has arrived" in run(d, "join")[1]

    # An alarm by hand: the safety words differ.
    code, out = run(b, "alarm", "bakery", "all-fine")
    assert code == 1 and "safety-words-differ" in out
    code, out = run(b, "alarm", "bakery", "other")
    assert code == 1 and "Say in a few words what is wrong." in out
    ok(b, "alarm", "bakery", "safety-words-differ", "--member", "sepideh", "--note", "at lunch")
    ok(b, "sync")
    ok(a, "sync")
    shown = ok(a, "alarms", "bakery")
    assert "reza raised an alarm: the safety words differ (about sepideh): at lunch" in shown
    shown = ok(a, "alarms", "bakery", lang="fa")
    assert "کلمه‌های امنیتی یکسان نیستند" in shown

    # A false seizure report (by the informer a), reviewed by c: not upheld.
    ok(a, "cell", "seized", "bakery", "reza")
    ok(c, "sync")
    assert "reza: reported seized by sepideh" in ok(c, "cell", "seizures", "bakery")
    code, out = run(a, "cell", "review-seizure", "bakery", "reza", "--upheld")
    assert code == 1 and "You cannot approve or vote on a matter about yourself." in out
    code, out = run(c, "cell", "review-seizure", "bakery", "nobody", "--upheld")
    assert code == 1 and "No report of a seized device waits for review" in out
    ok(c, "cell", "review-seizure", "bakery", "reza", "--not-upheld", "--note", "lies")
    assert "No seizure report waits for review." in ok(c, "cell", "seizures", "bakery")
    ok(c, "sync")
    ok(a, "sync")
    shown = ok(a, "alarms", "bakery")
    assert "The cell did not uphold sepideh's report that reza was seized." in shown
    # --read sets this device's notices aside; the log's alarms stay for everyone.
    shown = ok(a, "alarms", "bakery", "--read")
    assert "The cell did not uphold sepideh's report that reza was seized." in shown
    assert "reza raised an alarm: the safety words differ" in shown


def test_help_teaches(tmp_path: Path) -> None:
    """The help says when to use each (in Persian: help is translated when the command
    is looked up, in the run's language)."""
    for args, words in (
        (("object", "--help"), "یک مخالفت تازه‌وارد را رد می‌کند"),
        (("alarm", "--help"), "کلمه‌های امنیتی یکسان نیستند"),
        (("cell", "review-seizure", "--help"), "نفوذی"),
    ):
        code, out = run(tmp_path, *args, lang="fa")
        assert code == 0 and words in " ".join(out.split()), out
