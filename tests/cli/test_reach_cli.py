"""`hasteh reach`, `hasteh reach relays`, `hasteh reach local`, `hasteh status` and
`hasteh cell settings --relay` through the real CLI, against two real relays."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cells_cli import ok, profile, run
from tests.relay.harness import RelayProcess


def test_reach_and_the_relays_of_a_cell(tmp_path: Path, cli_relay: RelayProcess) -> None:
    second = RelayProcess(f"sqlite:///{tmp_path / 'second.sqlite3'}").start()
    try:
        a = profile(tmp_path, "a")
        first = cli_relay.url
        ok(
            a,
            "cell",
            "create",
            "bakery",
            "--as",
            "sepideh",
            "--relay",
            first,
            "--relay",
            second.url,
        )
        ok(a, "say", "bakery", "hello")
        ok(a, "sync")
        assert f"relays: {first}, {second.url}" in ok(a, "cell", "settings", "bakery")
        lines = ok(a, "reach", "relays", "bakery").splitlines()
        assert lines[0].startswith(first) and "orders the messages" in lines[0]
        assert all("answered" in line for line in lines)
        ladder = ok(a, "reach")
        assert "Onion relays (Tor): not set up" in ladder
        assert "reached directly" in ladder and "Courier bundles: always possible" in ladder
        second.kill()
        ok(a, "sync")
        assert "not answering since" in ok(a, "reach", "relays", "bakery").splitlines()[1]
        status = ok(a, "status")
        assert first in status and "not answering since" in status
    finally:
        second.kill()


def test_refusals_say_what_to_do(tmp_path: Path, cli_relay: RelayProcess) -> None:
    a = profile(tmp_path, "a")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", cli_relay.url)
    code, out = run(a, "cell", "settings", "bakery", "--relay", "javascript:alert(1)")
    assert code == 1 and "must start with http://" in out
    code, out = run(a, "reach", "local", "bakery", "http://127.0.0.1:9")
    assert code == 1 and "who talks with whom" in out
    out = ok(a, "reach", "local", "bakery", "http://127.0.0.1:9", "--i-understand")
    assert "reached directly" in out
    assert "local, reached directly" in ok(a, "reach", "relays", "bakery")
    ok(a, "reach", "local-off", "bakery", "http://127.0.0.1:9")
    assert "local" not in ok(a, "reach", "relays", "bakery")
    out = ok(a, "cell", "settings", "bakery", "--relay", cli_relay.url, "--deadline", "+2d")
    assert "Decision" in out


def test_sync_says_when_membership_waits(tmp_path: Path, cli_relay: RelayProcess) -> None:
    ordering = RelayProcess(f"sqlite:///{tmp_path / 'ordering.sqlite3'}").start()
    try:
        a = profile(tmp_path, "a")
        relays = ["--relay", ordering.url, "--relay", cli_relay.url]
        ok(a, "cell", "create", "bakery", "--as", "sepideh", *relays)
        assert "ordering relay is not answering" not in ok(a, "sync")
        ordering.kill()
        ok(a, "say", "bakery", "through the other relay")
        out = ok(a, "sync")
        assert "bakery: its ordering relay is not answering" in out
        assert "changes to the membership wait" in out
    finally:
        ordering.kill()
