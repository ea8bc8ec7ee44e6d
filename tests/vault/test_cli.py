"""The vault commands, in-process (CliRunner) and as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from hasteh import vault
from hasteh.cli.main import app
from hasteh.vault.schema import SCHEMA_VERSION

from .helpers import files_in

P1, P2, PD = "first cli passphrase", "second cli passphrase", "cli duress passphrase"


def run(args: list[str], input: str | None = None, **env: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, args, input=input, env={"HASTEH_LANG": "en", **env})
    return result.exit_code, result.stdout, result.stderr


def test_init_status_change_panic(tmp_path: Path) -> None:
    home = str(tmp_path / "p")
    code, out, _ = run(["init", "--home", home], HASTEH_PASSPHRASE=P1)
    assert code == 0 and "profile was created" in out
    assert len(files_in(Path(home))) == 3
    code, _, err = run(["init", "--home", home], HASTEH_PASSPHRASE=P1)
    assert code == 1 and "already exists" in err

    code, out, _ = run(["status", "--home", home], HASTEH_PASSPHRASE=P1)
    assert code == 0 and "events" in out and "schema version" in out
    code, out, err = run(["status", "--home", home], HASTEH_PASSPHRASE=P2)
    assert code == 1 and err.splitlines() == [
        "Wrong passphrase.",
        "Check the keyboard layout and try again.",
    ]

    code, out, _ = run(
        ["passphrase", "change", "--home", home], HASTEH_PASSPHRASE=P1, HASTEH_NEW_PASSPHRASE=P2
    )
    assert code == 0 and "changed" in out
    assert run(["status", "--home", home], HASTEH_PASSPHRASE=P1)[0] == 1
    assert run(["status", "--home", home], HASTEH_PASSPHRASE=P2)[0] == 0

    # Panic without confirmation refuses and changes nothing.
    before = {p.name: p.read_bytes() for p in files_in(Path(home))}
    code, _, err = run(["panic", "--home", home])
    assert code == 1 and "Nothing was changed." in err
    code, _, err = run(["panic", "--home", home], input="n\n")
    assert code == 1
    assert {p.name: p.read_bytes() for p in files_in(Path(home))} == before
    code, out, _ = run(["panic", "--home", home], input="y\n")
    assert code == 0 and "destroyed" in out
    assert files_in(Path(home)) == []
    code, _, err = run(["status", "--home", home], HASTEH_PASSPHRASE=P2)
    assert code == 1 and "There is no profile here." in err


def test_interactive_prompts_and_duress(tmp_path: Path) -> None:
    home = str(tmp_path / "p")
    code, out, _ = run(["init", "--home", home, "--duress"], input=f"{P1}\n{P1}\n{PD}\n{PD}\n")
    assert code == 0, out
    assert P1 not in out and PD not in out  # hidden input is not echoed
    code, out, _ = run(["status", "--home", home], input=f"{PD}\n")
    assert code == 0
    # The duress passphrase shredded the real profile.
    code, _, err = run(["status", "--home", home], input=f"{P1}\n")
    assert code == 1 and "Wrong passphrase." in err


def test_mismatched_confirmation_and_weak_passphrase(tmp_path: Path) -> None:
    home = str(tmp_path / "p")
    code, _, _ = run(["init", "--home", home], input=f"{P1}\n{P2}\n")
    assert code == 1 and files_in(Path(home)) == []
    code, _, err = run(["init", "--home", home], HASTEH_PASSPHRASE="short")
    assert code == 1 and "too short" in err


def test_passphrase_files_and_set_duress(tmp_path: Path) -> None:
    home = str(tmp_path / "p")
    pfile, dfile = tmp_path / "pass.txt", tmp_path / "duress.txt"
    pfile.write_text(P1 + "\n")
    dfile.write_text(PD + "\n")
    assert run(["init", "--home", home, "--passphrase-file", str(pfile)])[0] == 0
    code, out, _ = run(
        [
            "passphrase",
            "duress",
            "--home",
            home,
            "--passphrase-file",
            str(pfile),
            "--duress-passphrase-file",
            str(dfile),
        ]
    )
    assert code == 0 and "duress" in out
    assert run(["status", "--home", home, "--passphrase-file", str(pfile)])[0] == 0
    assert run(["status", "--home", home, "--passphrase-file", str(dfile)])[0] == 0
    assert run(["status", "--home", home, "--passphrase-file", str(pfile)])[0] == 1


def test_persian_messages(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["status", "--home", str(tmp_path / "none")],
        env={"HASTEH_LANG": "fa", "HASTEH_PASSPHRASE": P1},
    )
    assert result.exit_code == 1
    assert "پروفایلی" in result.stderr


def test_subprocess_with_hasteh_home(tmp_path: Path) -> None:
    hasteh = Path(sys.executable).parent / "hasteh"
    env = {
        **os.environ,
        "HASTEH_LANG": "en",
        "HASTEH_HOME": str(tmp_path / "p"),
        "HASTEH_PASSPHRASE": P1,
    }
    done = subprocess.run(
        [str(hasteh), "init"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    with vault.opened(tmp_path / "p", P1) as v:  # production parameters were used
        assert v.read(vault.collect).schema_version == SCHEMA_VERSION
    done = subprocess.run(
        [str(hasteh), "panic", "--yes"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and not (tmp_path / "p").exists()
