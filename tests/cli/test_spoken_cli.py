"""Spoken-code invitations across two processes, through a real relay on 127.0.0.1: the
newcomer's `hasteh code` runs in its own process and waits; the member types the code in
another process (`hasteh propose-code`); both show the same check words; the newcomer
joins. A wrong code fails once and burns the code on both sides."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hasteh.app.code_words import WORDS
from tests.cli.test_cells_cli import PASS, ok, profile, run
from tests.relay.harness import RelayProcess


@contextmanager
def newcomer_process(
    home: Path, relay: str, name: str, *extra: str
) -> Iterator[subprocess.Popen[str]]:
    """`hasteh code` in its own process (unbuffered, English); stopped by its PID."""
    env = dict(os.environ, HASTEH_LANG="en", HASTEH_PASSPHRASE=PASS, PYTHONUNBUFFERED="1")
    env["COLUMNS"] = "200"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from hasteh.cli.main import app; app()",
            "code",
            "--as",
            name,
            "--rendezvous",
            relay,
            "--home",
            str(home),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


def read_code(proc: subprocess.Popen[str]) -> str:
    """The code line the newcomer's process prints first (blocks on its output only)."""
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("Your code: "):
            return line.removeprefix("Your code: ").strip()
    raise AssertionError(proc.stderr.read() if proc.stderr else "no code printed")


def check_line(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("Check words"))


def test_spoken_code_invitation_across_two_processes(
    tmp_path: Path, cli_relay: RelayProcess
) -> None:
    url = cli_relay.url
    a, b = profile(tmp_path, "a"), profile(tmp_path, "b")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", url)
    with newcomer_process(b, url, "reza") as proc:
        code = read_code(proc)
        number, *words = [p.strip() for p in code.split(" - ")]
        assert number.isdigit() and len(words) == 3 and all(w in WORDS for w in words)
        member_out = ok(a, "propose-code", "bakery", *code.split(), "--rendezvous", url)
        newcomer_out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert "reza was proposed" in member_out
    assert "sepideh proposed you to the cell bakery" in newcomer_out
    assert check_line(member_out) == check_line(newcomer_out)
    ok(a, "sync")
    assert "You joined bakery" in ok(b, "join")
    assert "reza" in ok(a, "cell", "members", "bakery")


def test_a_wrong_code_fails_once_and_burns_the_code(
    tmp_path: Path, cli_relay: RelayProcess
) -> None:
    url = cli_relay.url
    a, b = profile(tmp_path, "a"), profile(tmp_path, "b")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", url)
    with newcomer_process(b, url, "reza") as proc:
        code = read_code(proc)
        number, *words = [p.strip() for p in code.split(" - ")]
        wrong = [w for w in WORDS if w not in words][:3]
        status, member_out = run(a, "propose-code", "bakery", number, *wrong, "--rendezvous", url)
        _out, newcomer_err = proc.communicate(timeout=120)
    assert status == 1 and "did not match" in member_out and "burned" in member_out
    assert proc.returncode == 1 and "did not match" in newcomer_err
    # The right code, now, is refused: the slot's answer was taken by the wrong guess.
    status, again = run(a, "propose-code", "bakery", code, "--rendezvous", url)
    assert status == 1 and "Someone else already answered this code" in again, again
    assert "reza" not in ok(a, "cell", "members", "bakery")
    # Nothing is left on the newcomer's device: the card made for the code is gone.
    assert "No welcome has arrived yet" in run(b, "join")[1]


def test_on_a_local_network_the_newcomer_serves_the_rendezvous_itself(
    tmp_path: Path, cli_relay: RelayProcess
) -> None:
    """`hasteh code --lan ADDRESS` (127.0.0.1 stands in for the local network's address):
    no rendezvous relay at all; the member's device puts the cell's relay on the card, so
    the welcome arrives although the newcomer's listener is gone."""
    url = cli_relay.url
    a, b = profile(tmp_path, "a"), profile(tmp_path, "b")
    ok(a, "cell", "create", "bakery", "--as", "sepideh", "--relay", url)
    with newcomer_process(b, "http://127.0.0.1:1", "reza", "--lan", "127.0.0.1") as proc:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("Your code: "):
                break
        assert any("listens on the local network" in line for line in lines), lines
        lan = next(line for line in lines if "--rendezvous" in line).split()[-1]
        assert lan.startswith("http://127.0.0.1:") and lan != url
        code = lines[-1].removeprefix("Your code: ").strip()
        member_out = ok(a, "propose-code", "bakery", *code.split(), "--rendezvous", lan)
        newcomer_out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert "reza was proposed" in member_out
    assert "sepideh proposed you to the cell bakery" in newcomer_out
    ok(a, "sync")
    assert "You joined bakery" in ok(b, "join")


def test_lan_refuses_a_name_or_a_foreign_address(tmp_path: Path) -> None:
    b = profile(tmp_path, "b")
    for address, message in (
        ("my-laptop", "needs this computer's IP address"),
        ("192.0.2.1", "cannot be listened on"),  # TEST-NET-1: never this computer's
    ):
        status, output = run(b, "code", "--as", "reza", "--lan", address)
        assert status != 0 and message in output, output
