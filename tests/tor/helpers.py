"""Processes for the Tor tests: the hasteh CLI and `hasteh relay serve --onion`, each a
separate process, with bounded waits."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from hasteh.tor.process import DEFAULTS_ENV
from tests.tor.network import TorNetwork

PASS = "correct horse battery staple"
HASTEH = str(Path(sys.executable).parent / "hasteh")


def env_for(network: TorNetwork, lang: str = "en") -> dict[str, str]:
    return dict(
        os.environ,
        HASTEH_LANG=lang,
        HASTEH_PASSPHRASE=PASS,
        **{DEFAULTS_ENV: str(network.defaults_file)},
    )


def hasteh(
    network: TorNetwork, home: Path, *args: str, lang: str = "en", check: bool = True
) -> subprocess.CompletedProcess[str]:
    """One `hasteh` command in its own process (a profile in real use)."""
    done = subprocess.run(
        [HASTEH, *args, "--home", str(home)],
        env=env_for(network, lang),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    if check:
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


class Lines:
    """A process's stdout lines, read by a thread into a queue (a bounded wait for one
    line works even when several arrive in one read)."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.queue: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        assert proc.stdout is not None
        stream = proc.stdout

        def pump() -> None:
            for line in stream:
                self.queue.put(line)
            self.queue.put(None)

        threading.Thread(target=pump, daemon=True).start()

    def wait_for(self, needle: str, timeout: float) -> str:
        """The next line containing `needle`."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
            if needle in line:
                return line.strip()
        raise AssertionError(f"no line with {needle!r} in time: {self.seen[-5:]}")


@dataclass
class OnionRelay:
    proc: subprocess.Popen[str]
    url: str

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                # Generous: stopping tor and removing its folder is slow on a loaded machine,
                # and a kill after the wait would leave the folders the tests look for.
                self.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        return self.proc.returncode


def start_onion_relay(network: TorNetwork, folder: Path) -> OnionRelay:
    """The relay's key and database in `folder`, its temporary folders in `folder/tmp`."""
    (folder / "tmp").mkdir(exist_ok=True)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hasteh.relay",
            "serve",
            "--onion",
            "--onion-key",
            str(folder / "onion.key"),
            "--db",
            f"sqlite:///{folder / 'relay.sqlite3'}",
            "--rate",
            "100000",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**env_for(network), "TMPDIR": str(folder / "tmp")},
        text=True,
    )
    try:
        url = Lines(proc).wait_for(".onion", 180)
    except BaseException:
        proc.kill()
        proc.wait(timeout=30)
        raise
    return OnionRelay(proc, url)


def tcp_listeners(pid: int) -> list[int]:
    """The TCP ports process `pid` listens on (its socket inodes in /proc/net/tcp{,6})."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.append(int(fields[1].rsplit(":", 1)[1], 16))
    return ports
