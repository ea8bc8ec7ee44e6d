"""A second `hasteh up` for the same profile opens the running one (a fresh single-use
launch page and link; the old link dies), and the control socket answers nothing else."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
from pathlib import Path

import httpx
import pytest

from hasteh.cli.running import ask_running, control_path

from .test_browser import HASTEH, Up


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    return folder


def test_a_second_up_opens_the_running_one(tmp_path: Path, runtime: Path) -> None:
    home = tmp_path / "profile"
    first = Up(home)
    try:
        sock = control_path(home, runtime)
        assert sock is not None and sock.exists()
        assert stat.S_IMODE(sock.stat().st_mode) & 0o077 == 0  # this user's only
        assert home.name not in sock.name  # the socket names no folder
        second = subprocess.run(
            [HASTEH, "up", "--home", str(home), "--no-browser"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "HASTEH_LANG": "en"},
        )
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stdout
        link = next(line for line in second.stdout.splitlines() if "/launch?token=" in line)
        page = next(line for line in second.stdout.splitlines() if line.startswith("file://"))
        assert link.startswith(first.origin)
        assert Path(page.removeprefix("file://")).exists()
        with httpx.Client() as client:
            old = client.get(first.url)
            assert old.status_code == 403  # the first link is dead
            new = client.get(link)
            assert new.status_code == 303 and new.headers["location"] == "/setup"
        assert first.proc.poll() is None  # still the one server
    finally:
        first.stop()
    assert not sock.exists()  # removed at exit
    assert list(runtime.iterdir()) == []


def test_the_control_socket_answers_nothing_else(tmp_path: Path, runtime: Path) -> None:
    home = tmp_path / "profile"
    first = Up(home)
    try:
        path = control_path(home, runtime)
        assert path is not None
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(10)
            s.connect(os.fspath(path))
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            assert s.recv(100) == b""
        with httpx.Client() as client:  # the first link still works: nothing was renewed
            assert client.get(first.url).status_code == 303
    finally:
        first.stop()


def test_a_dead_socket_is_cleared(tmp_path: Path, runtime: Path) -> None:
    path = control_path(tmp_path / "gone", runtime)
    assert path is not None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.bind(os.fspath(path))  # bound, never listening: like one left by a crash
    assert ask_running(path) is None
    assert not path.exists()


def test_no_reopening_without_a_private_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "tmp"
    shared.mkdir()
    (shared / f"hasteh-{os.getuid()}").mkdir(mode=0o755)
    (shared / f"hasteh-{os.getuid()}").chmod(0o755)  # someone made it readable by others
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(shared))
    assert control_path(tmp_path / "home", None) is None
