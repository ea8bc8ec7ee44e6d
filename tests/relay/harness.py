"""Real components for relay and transport tests: a throwaway PostgreSQL cluster and a relay
process on 127.0.0.1. Every wait here is bounded in time."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from hasteh.envelope import Envelope, Kind, WriteAuth, claimed_mailbox, seal
from hasteh.relay.server import CLOCK_FILE_ENV

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_bin(name: str) -> str:
    """A PostgreSQL server binary from PATH or /usr/lib/postgresql/*/bin (newest first)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
        reverse=True,
    )
    if not candidates:
        raise RuntimeError(
            f"PostgreSQL binary {name!r} not found on PATH or in /usr/lib/postgresql/*/bin: "
            "install the Debian package 'postgresql' (scripts/bootstrap.sh does)"
        )
    return candidates[0]


@dataclass
class PgCluster:
    """A PostgreSQL cluster in a temp dir on 127.0.0.1; run as `postgres` when we are root."""

    directory: str
    port: int
    as_user: list[str]
    pg_ctl: str

    @classmethod
    def start(cls) -> PgCluster:
        initdb, pg_ctl = pg_bin("initdb"), pg_bin("pg_ctl")
        directory = tempfile.mkdtemp(prefix="hasteh-pg-")
        port = free_port()
        as_user: list[str] = []
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                raise RuntimeError("running as root needs runuser to start PostgreSQL as postgres")
            shutil.chown(directory, user="postgres", group="postgres")
            as_user = ["runuser", "-u", "postgres", "--"]
        data = os.path.join(directory, "data")
        try:
            subprocess.run(
                [*as_user, initdb, "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"],
                check=True,
                capture_output=True,
                timeout=120,
            )
            subprocess.run(
                [
                    *as_user,
                    pg_ctl,
                    "-D",
                    data,
                    "-l",
                    os.path.join(directory, "log"),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    f"-h 127.0.0.1 -p {port} -k {directory} -c max_connections=200",
                    "start",
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(
                f"could not start a PostgreSQL test cluster: {exc.stderr.decode(errors='replace')}"
            ) from exc
        return cls(directory, port, as_user, pg_ctl)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(
            [
                *self.as_user,
                self.pg_ctl,
                "-D",
                os.path.join(self.directory, "data"),
                "-m",
                "immediate",
                "-w",
                "-t",
                "30",
                "stop",
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(self.directory, ignore_errors=True)


class RelayProcess:
    """`python -m hasteh.relay serve` on 127.0.0.1, on a socket this process binds and
    hands over (`--fd`), so no other process can take the port in between. `clock_file`
    lets the test suite set the relay's clock (see `hasteh.relay.server.relay_clock`)."""

    def __init__(
        self,
        db: str,
        *,
        port: int | None = None,
        extra: list[str] | None = None,
        clock_file: Path | None = None,
    ) -> None:
        self.db = db
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port or 0))
        self.sock.listen(128)
        self.port = int(self.sock.getsockname()[1])
        self.extra = extra or []
        self.clock_file = clock_file
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> RelayProcess:
        cmd = [
            sys.executable,
            "-m",
            "hasteh.relay",
            "serve",
            "--fd",
            str(self.sock.fileno()),
            "--db",
            self.db,
            *self.extra,
        ]
        env = dict(os.environ)
        if self.clock_file is not None:
            env[CLOCK_FILE_ENV] = str(self.clock_file)
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            cmd,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            pass_fds=(self.sock.fileno(),),
            env=env,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.stderr()
                raise RuntimeError(f"relay exited early ({self.proc.returncode}): {err}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError("relay did not become healthy in time")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
        self.sock.close()

    def stderr(self) -> str:
        if self.proc is None:
            return ""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")


def envelope(
    mailbox: bytes, payload: bytes = b"x", *, kind: Kind = Kind.MESSAGE, epoch: int = 0
) -> Envelope:
    return seal(kind=kind, mailbox=mailbox, payload=payload, rng=os.urandom, epoch=epoch)


@dataclass
class Group:
    """What the members of one group know: the mailbox claim and a write key per epoch."""

    claim: bytes = field(default_factory=lambda: os.urandom(32))
    keys: dict[int, bytes] = field(default_factory=lambda: {0: os.urandom(32)})

    @property
    def mailbox(self) -> bytes:
        return claimed_mailbox(self.claim)

    def key(self, epoch: int) -> bytes:
        return self.keys.setdefault(epoch, os.urandom(32))

    def auth(self, epoch: int = 0, *, claim: bool = True, **kw: object) -> WriteAuth:
        """The write auth of a member at `epoch`; with the claim unless told otherwise (a
        claim is harmless once the key is registered)."""
        if claim:
            kw = {"claim": self.claim, "claim_epoch": epoch, **kw}
        return WriteAuth(self.key(epoch), **kw)  # type: ignore[arg-type]

    def headers(self, env: Envelope, epoch: int = 0, **kw: object) -> dict[str, str]:
        return self.auth(epoch, **kw).headers(env.id)

    def fetch_body(self, epoch: int = 0, **kw: object) -> dict[str, object]:
        auth = self.auth(epoch, claim=False)
        return {"mailbox": self.mailbox.hex(), **auth.fetch_fields(self.mailbox), **kw}
