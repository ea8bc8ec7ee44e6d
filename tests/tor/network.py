"""A private Tor network on 127.0.0.1 for the tests: 3 directory authorities (also relays)
and 3 relays, each a `tor` process of Debian's `tor` package, plus an obfs4 bridge on demand.

Recipe: reference/tor-private-network.md (10 s voting; `AssumeReachable 1` on every node,
without which relays never publish and onion services stall at 95%). Ports are chosen free
by the OS just before the nodes start (no fixed ports to collide with the other suites on
this machine); if a node still loses its port, the whole network is started again once.
Every node is a child process stopped by its pid, every wait is bounded, and each node
watches the test process (`__OwningControllerProcess`), so none outlives the session.

Clients (hasteh's own tor, `hasteh.tor.process`) join it through `defaults_file`: the
authorities and the testing options, passed to tor as `--defaults-torrc`.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

TOR = shutil.which("tor") or "/usr/sbin/tor"
GENCERT = shutil.which("tor-gencert") or "/usr/bin/tor-gencert"
READY_TIMEOUT = 180.0

COMMON = """TestingTorNetwork 1
AssumeReachable 1
PathsNeededToBuildCircuits 0.67
TestingDirAuthVoteExit *
TestingDirAuthVoteHSDir *
TestingDirAuthVoteGuard *
TestingMinExitFlagThreshold 0
V3AuthNIntervalsValid 2
SafeLogging 0
LogTimeGranularity 1
ShutdownWaitLength 0
Sandbox 0
"""
SERVER = """SocksPort 0
Address 127.0.0.1
ExitRelay 0
ServerDNSDetectHijacking 0
ServerDNSTestAddresses
ServerDNSResolvConfFile /dev/null
"""
AUTHORITY = """AuthoritativeDirectory 1
V3AuthoritativeDirectory 1
ContactInfo auth@test.test
TestingV3AuthInitialVotingInterval 10
TestingV3AuthInitialVoteDelay 2
TestingV3AuthInitialDistDelay 2
V3AuthVotingInterval 10
V3AuthVoteDelay 2
V3AuthDistDelay 2
"""


def free_ports(n: int) -> list[int]:
    """`n` distinct ports free right now (held together while chosen)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


@dataclass
class Node:
    name: str
    folder: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [TOR, "-f", str(self.folder / "torrc"), "--defaults-torrc", os.devnull],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return (self.folder / "notice.log").read_text(errors="replace")
        return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)


@dataclass
class TorNetwork:
    root: Path
    nodes: list[Node] = field(default_factory=list)
    dir_ports: list[int] = field(default_factory=list)
    authorities: list[str] = field(default_factory=list)

    @property
    def defaults_file(self) -> Path:
        return self.root / "client-defaults"

    def _authority_keys(self, index: int, dir_port: int) -> tuple[str, str]:
        folder = self.root / f"auth{index}"
        keys = folder / "keys"
        keys.mkdir(parents=True, mode=0o700)
        subprocess.run(
            [
                GENCERT,
                "--create-identity-key",
                "--passphrase-fd",
                "0",
                "-m",
                "12",
                "-a",
                f"127.0.0.1:{dir_port}",
                "-i",
                str(keys / "authority_identity_key"),
                "-s",
                str(keys / "authority_signing_key"),
                "-c",
                str(keys / "authority_certificate"),
            ],
            input=b"\n",
            capture_output=True,
            check=True,
            timeout=60,
        )
        cert = (keys / "authority_certificate").read_text()
        v3ident = re.search(r"^fingerprint (\S+)", cert, re.M)
        assert v3ident is not None
        listed = subprocess.run(
            [
                TOR,
                "--ignore-missing-torrc",
                "-f",
                os.devnull,
                "--defaults-torrc",
                os.devnull,
                "--datadirectory",
                str(folder),
                "--orport",
                "1",
                "--list-fingerprint",
            ],
            capture_output=True,
            check=True,
            timeout=60,
            text=True,
        )
        fingerprint = "".join(listed.stdout.strip().splitlines()[-1].split()[1:])
        return v3ident.group(1), fingerprint

    def _write(self, name: str, body: str) -> Node:
        folder = self.root / name
        folder.mkdir(mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)
        head = (
            f"DataDirectory {folder}\nNickname {name}\nLog notice file {folder}/notice.log\n"
            f"__OwningControllerProcess {os.getpid()}\n"
        )
        (folder / "torrc").write_text(head + COMMON + "".join(self.authorities) + body)
        return Node(name, folder)

    def start(self) -> TorNetwork:
        ports = free_ports(12)
        or_ports, self.dir_ports = ports[:6], ports[6:]
        for i in range(3):
            v3ident, fingerprint = self._authority_keys(i, self.dir_ports[i])
            self.authorities.append(
                f"DirAuthority auth{i} orport={or_ports[i]} no-v2 v3ident={v3ident} "
                f"127.0.0.1:{self.dir_ports[i]} {fingerprint}\n"
            )
        for i in range(6):
            name = f"auth{i}" if i < 3 else f"relay{i - 3}"
            body = (
                SERVER + f"ORPort 127.0.0.1:{or_ports[i]}\nDirPort 127.0.0.1:{self.dir_ports[i]}\n"
            )
            self.nodes.append(self._write(name, body + (AUTHORITY if i < 3 else "")))
        self.defaults_file.write_text(COMMON + "".join(self.authorities))
        for node in self.nodes:
            node.start()
        self._wait_consensus()
        return self

    def _wait_consensus(self) -> None:
        """Until an authority serves a consensus listing all six relays with HSDir."""
        deadline = time.monotonic() + READY_TIMEOUT
        url = f"http://127.0.0.1:{self.dir_ports[0]}/tor/status-vote/current/consensus"
        while time.monotonic() < deadline:
            for node in self.nodes:
                if node.proc is not None and node.proc.poll() is not None:
                    raise RuntimeError(f"tor node {node.name} exited:\n{node.log()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                text = httpx.get(url, timeout=5).text
                relays = text.count("\nr ")
                hsdirs = len(re.findall(r"^s .*HSDir", text, re.M))
                if relays >= 6 and hsdirs >= 6:
                    return
            time.sleep(0.5)
        raise RuntimeError("the private Tor network formed no consensus in time")

    def start_obfs4_bridge(self) -> tuple[Node, str]:
        """An obfs4 bridge in this network; returns it and its bridge line."""
        or_port, pt_port = free_ports(2)
        body = SERVER + (
            f"ORPort 127.0.0.1:{or_port}\nBridgeRelay 1\nPublishServerDescriptor 0\n"
            f"ServerTransportPlugin obfs4 exec {shutil.which('obfs4proxy')}\n"
            f"ServerTransportListenAddr obfs4 127.0.0.1:{pt_port}\nExtORPort auto\n"
        )
        node = self._write("bridge0", body)
        node.start()
        self.nodes.append(node)
        line_file = node.folder / "pt_state" / "obfs4_bridgeline.txt"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if node.proc is not None and node.proc.poll() is not None:
                raise RuntimeError(f"the bridge exited:\n{node.log()[-2000:]}")
            if line_file.exists() and (node.folder / "fingerprint").exists():
                cert = re.search(r"cert=(\S+) iat-mode=(\d)", line_file.read_text())
                if cert is not None:
                    fingerprint = (node.folder / "fingerprint").read_text().split()[1]
                    line = (
                        f"obfs4 127.0.0.1:{pt_port} {fingerprint} "
                        f"cert={cert.group(1)} iat-mode={cert.group(2)}"
                    )
                    return node, line
            time.sleep(0.2)
        raise RuntimeError("the obfs4 bridge wrote no bridge line in time")

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


def start_network(root: Path) -> TorNetwork:
    """Start the network; once more from scratch if a node lost its port to another."""
    first = TorNetwork(root / "try1")
    try:
        return first.start()
    except RuntimeError:
        first.stop()
    second = TorNetwork(root / "try2")
    try:
        return second.start()
    except BaseException:
        second.stop()
        raise
