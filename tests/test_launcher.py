"""Opening hasteh like an app: `scripts/install-launcher.sh` (run by `scripts/start.sh`)
puts `hasteh` on the PATH of new shells and writes a desktop launcher whose command starts
hasteh and opens the browser on its private launch page."""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "install-launcher.sh"


def run_script(home: Path) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
    return subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, env=env)


def desktop_entry(home: Path) -> dict[str, str]:
    text = (home / ".local/share/applications/hasteh.desktop").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if "=" in line)


def test_hasteh_is_on_the_path_of_a_new_shell(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    assert run_script(home).returncode == 0
    assert run_script(home).returncode == 0  # safe to run again
    for rc in (".profile", ".bashrc"):
        assert (home / rc).read_text().count("# hasteh: ~/.local/bin on the PATH") == 1
    found = subprocess.run(
        ["bash", "-lc", "hasteh --version"],
        capture_output=True,
        text=True,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
    )
    assert found.returncode == 0, found.stderr
    assert "hasteh" in found.stdout


def test_the_launcher_starts_hasteh_and_opens_the_browser(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    assert run_script(home).returncode == 0
    entry = desktop_entry(home)
    assert entry["Type"] == "Application" and entry["Terminal"] == "false"
    assert entry["Name[fa]"] == "هسته"
    command = shlex.split(entry["Exec"])
    assert command[1:] == ["up", "--open"]
    assert Path(command[0]).resolve() == (ROOT / ".venv/bin/hasteh").resolve()

    # A stand-in browser ($BROWSER) that writes down what it was asked to open.
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    browser.chmod(0o700)
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {
        "HOME": str(home),
        "PATH": "/usr/bin:/bin",
        "BROWSER": str(browser),
        "XDG_RUNTIME_DIR": str(runtime),
        "HASTEH_LANG": "en",
    }
    proc = subprocess.Popen(
        [*command, "--home", str(tmp_path / "profile"), "--relay-port", "0"],
        stdin=subprocess.DEVNULL,  # no terminal, as from the applications menu
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while not (opened.exists() and opened.read_text().strip()):
            if proc.poll() is not None:
                raise AssertionError(proc.communicate()[0])
            assert time.monotonic() < deadline
            time.sleep(0.1)
        url = opened.read_text().strip()
        assert url.startswith(f"file://{runtime}/hasteh-launch-")
        assert "token" not in url
    finally:
        proc.terminate()
        proc.wait(20)
    assert os.listdir(runtime) == []
