"""MLS interop harness: relays messages between driver processes and runs the scenarios.

Drivers speak the JSON-lines protocol of the MLS interop driver spec (see `docs/interop.md`).
The harness starts one process per command line, places group members on them, relays every
MLSMessage between them and reports each step as passed, failed or skipped (skipped only when
a driver answered `unsupported`). Every read from a driver has a timeout, and every driver is
ended when the run ends.

    uv run python tests/interop/harness.py \\
        --driver "uv run python tests/interop/mlsrs_driver.py" \\
        --driver "uv run python -m hasteh.mls.interop"

Independent of hasteh: this file imports nothing from `hasteh` nor from any MLS library.
"""

from __future__ import annotations

import argparse
import base64
import json
import queue
import random
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any, Literal

Status = Literal["passed", "failed", "skipped"]
SCENARIOS = ("welcome", "application", "commit", "random", "removed")
SUITE = 1
EXPORT_LABEL = "hasteh-interop"
AAD = b"hasteh interop aad"
MESSAGE_SIZES = (0, 1, 1024, 65536)
WIRE_PUBLIC = 1
WIRE_PRIVATE = 2
LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


# --- errors ----------------------------------------------------------------------------------


class HarnessError(Exception):
    """Base of the harness's errors."""


class Unsupported(HarnessError):
    """A driver answered `ok:false` with an error starting `unsupported`: the step is skipped."""


class DriverRefused(HarnessError):
    """A driver answered `ok:false` for another reason (the driver, or the message, is at fault)."""


class DriverBroken(HarnessError):
    """A driver timed out, exited, or answered something that is not the protocol."""


class CheckFailed(HarnessError):
    """Drivers answered, but the answers are wrong (disagreement, wrong plaintext, ...)."""


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepResult:
    scenario: str
    step: str
    status: Status
    detail: str = ""

    def line(self) -> str:
        detail = f" — {self.detail}" if self.detail else ""
        return f"{self.status.upper():7} {self.scenario}: {self.step}{detail}"


def summarize(results: Sequence[StepResult]) -> str:
    counts = {status: sum(r.status == status for r in results) for status in ("passed", "failed")}
    skipped = sum(r.status == "skipped" for r in results)
    return f"{counts['passed']} passed, {counts['failed']} failed, {skipped} skipped"


# --- driver processes ------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(value: Any) -> bytes:
    if not isinstance(value, str):
        raise DriverBroken(f"expected base64 text, got {value!r:.60}")
    return base64.b64decode(value, validate=True)


class Driver:
    """One driver process; `call` sends a request and waits (with a timeout) for its answer."""

    def __init__(
        self,
        argv: Sequence[str],
        label: str,
        *,
        timeout: float = 30.0,
        cwd: str | Path | None = None,
    ) -> None:
        self.argv = list(argv)
        self.label = label
        self.timeout = timeout
        self.name = "?"
        self.broken: str | None = None
        self._next_id = 1
        self._stderr: IO[bytes] = tempfile.TemporaryFile()
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._proc = subprocess.Popen(
            self.argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            cwd=cwd,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def __str__(self) -> str:
        return f"{self.label}={self.name}"

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def stderr_tail(self, limit: int = 600) -> str:
        self._stderr.seek(0)
        text = self._stderr.read().decode("utf-8", "replace")
        return " ".join(text[-limit:].split())

    def call(self, op: str, **args: Any) -> dict[str, Any]:
        """Send one request; return the results, or raise Unsupported/DriverRefused/Broken."""
        if self.broken is not None:
            raise DriverBroken(f"{self.label} is unusable: {self.broken}")
        req_id = self._next_id
        self._next_id += 1
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(json.dumps({"id": req_id, "op": op, **args}) + "\n")
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            self.broken = f"cannot write to it ({exc}); stderr: {self.stderr_tail()}"
            raise DriverBroken(f"{self.label} {op}: {self.broken}") from exc
        try:
            line = self._lines.get(timeout=self.timeout)
        except queue.Empty:
            self.broken = f"no answer to {op} within {self.timeout:g} s"
            raise DriverBroken(f"{self.label}: {self.broken}") from None
        if line is None:
            self._lines.put(None)
            self.broken = f"exited (code {self._proc.poll()}); stderr: {self.stderr_tail()}"
            raise DriverBroken(f"{self.label} {op}: {self.broken}")
        try:
            resp = json.loads(line)
        except json.JSONDecodeError:
            self.broken = f"answered non-JSON {line[:80]!r}"
            raise DriverBroken(f"{self.label} {op}: {self.broken}") from None
        if not isinstance(resp, dict) or resp.get("id") != req_id:
            self.broken = f"answered out of order: {line[:80]!r} to request {req_id}"
            raise DriverBroken(f"{self.label} {op}: {self.broken}")
        if resp.get("ok") is not True:
            error = str(resp.get("error", ""))
            if error.startswith("unsupported"):
                raise Unsupported(f"{self.label} {op}: {error}")
            raise DriverRefused(f"{self.label} {op}: {error}")
        return resp

    def close(self) -> None:
        try:
            if self._proc.stdin is not None:
                self._proc.stdin.close()
        except OSError:
            pass
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=5)
        self._stderr.close()


# --- wire-format peeks (RFC 9420 §6) -----------------------------------------------------------


def wire_format(message: bytes) -> int:
    return int.from_bytes(message[2:4], "big") if len(message) >= 4 else -1


def _varint(buf: bytes, off: int) -> tuple[int, int]:
    first = buf[off]
    size = 1 << (first >> 6)
    if size > 4:
        raise CheckFailed("invalid variable-length integer")
    return int.from_bytes(buf[off : off + size], "big") & ((1 << (8 * size - 2)) - 1), off + size


def _skip_opaque(buf: bytes, off: int) -> int:
    length, off = _varint(buf, off)
    return off + length


def public_commit_has_path(message: bytes) -> bool:
    """Whether a PublicMessage Commit carries an UpdatePath."""
    off = _skip_opaque(message, 4) + 8  # group_id, epoch
    sender_type = message[off]
    off += 5 if sender_type in (1, 2) else 1
    off = _skip_opaque(message, off)  # authenticated_data
    if message[off] != 3:
        raise CheckFailed("commit is not a Commit")
    off = _skip_opaque(message, off + 1)  # proposals
    return message[off] == 1


# --- group model -----------------------------------------------------------------------------


@dataclass(eq=False)
class Member:
    name: str
    driver: Driver
    state: int

    @property
    def identity(self) -> bytes:
        return self.name.encode()

    def __str__(self) -> str:
        return f"{self.name}@{self.driver.label}"


@dataclass(eq=False)
class Joiner:
    name: str
    driver: Driver
    tx: int
    key_package: bytes

    def __str__(self) -> str:
        return f"{self.name}@{self.driver.label}"


@dataclass(eq=False)
class Proposal:
    sender: Member
    kind: Literal["add", "update", "remove"]
    message: bytes
    target: Joiner | Member | None = None


@dataclass
class Group:
    members: list[Member]
    encrypt_handshake: bool

    @property
    def mode(self) -> str:
        return "private" if self.encrypt_handshake else "public"


@dataclass
class Case:
    """The results of one case: a main step plus any sub-steps it records."""

    scenario: str
    name: str
    results: list[StepResult] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)

    def record(self, step: str, status: Status, detail: str = "") -> None:
        full = f"{self.name} / {step}"
        if not any(r.step == full for r in self.results):
            self.results.append(StepResult(self.scenario, full, status, detail))

    def sub(self, step: str, fn: Callable[[], None]) -> bool:
        status, detail = run_guarded(fn)
        self.record(step, status, detail)
        return status == "passed"


def run_guarded(fn: Callable[[], None]) -> tuple[Status, str]:
    try:
        fn()
    except Unsupported as exc:
        return "skipped", str(exc)
    except (DriverRefused, DriverBroken, CheckFailed) as exc:
        return "failed", str(exc)
    except Exception as exc:  # a harness bug, or a driver answer the harness cannot read
        return "failed", f"{type(exc).__name__}: {exc}"
    return "passed", ""


# --- the harness -----------------------------------------------------------------------------


class Harness:
    def __init__(
        self,
        commands: Sequence[Sequence[str]],
        *,
        seed: int = 1,
        epochs: int = 32,
        timeout: float = 30.0,
        cwd: str | Path | None = None,
    ) -> None:
        if not commands:
            raise HarnessError("at least one driver command is needed")
        self.commands = [list(c) for c in commands]
        self.rng = random.Random(seed)
        self.epochs = epochs
        self.timeout = timeout
        self.cwd = cwd
        self.drivers: list[Driver] = []
        self.results: list[StepResult] = []
        self._counter = 0

    # -- lifecycle --

    def start(self) -> None:
        for index, argv in enumerate(self.commands):
            driver = Driver(argv, LABELS[index], timeout=self.timeout, cwd=self.cwd)
            self.drivers.append(driver)
        for driver in self.drivers:
            try:
                driver.name = str(driver.call("name")["name"])
                suites = driver.call("supported_suites")["suites"]
            except HarnessError as exc:
                raise HarnessError(f"driver {driver.label} ({driver.argv}) failed: {exc}") from exc
            if SUITE not in suites:
                raise HarnessError(f"driver {driver} lacks cipher suite {SUITE}: {suites}")

    def close(self) -> None:
        for driver in self.drivers:
            driver.close()

    def __enter__(self) -> Harness:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, scenarios: Sequence[str] = SCENARIOS) -> list[StepResult]:
        runners: dict[str, Callable[[], None]] = {
            "welcome": self.scenario_welcome,
            "application": self.scenario_application,
            "commit": self.scenario_commit,
            "random": self.scenario_random,
            "removed": self.scenario_removed,
        }
        for scenario in scenarios:
            runners[scenario]()
        return self.results

    # -- cases --

    @contextmanager
    def case(self, scenario: str, name: str, *, free: bool = True) -> Iterator[Case]:
        """Run the body as one step; sub-steps recorded inside follow it in the results.

        With `free`, the states the case made are freed at its end.
        """
        case = Case(scenario, name)
        status: Status = "passed"
        detail = ""
        try:
            yield case
        except Unsupported as exc:
            status, detail = "skipped", str(exc)
        except (DriverRefused, DriverBroken, CheckFailed) as exc:
            status, detail = "failed", str(exc)
        except Exception as exc:
            status, detail = "failed", f"harness: {type(exc).__name__}: {exc}"
        finally:
            self.results.append(StepResult(scenario, name, status, detail))
            self.results.extend(case.results)
            if free:
                self.free(case)

    def free(self, case: Case) -> None:
        for member in case.members:
            if member.driver.broken is None:
                try:
                    member.driver.call("free", state=member.state)
                except HarnessError:
                    pass

    def _name(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter}"

    # -- protocol steps --

    def create_group(self, case: Case, driver: Driver, encrypt: bool) -> Group:
        name = self._name("creator")
        resp = driver.call(
            "create_group",
            group_id=b64(self.rng.randbytes(16)),
            suite=SUITE,
            identity=b64(name.encode()),
            encrypt_handshake=encrypt,
        )
        member = Member(name, driver, int(resp["state"]))
        case.members.append(member)
        return Group([member], encrypt)

    def key_package(self, driver: Driver, prefix: str = "m") -> Joiner:
        name = self._name(prefix)
        resp = driver.call("create_key_package", suite=SUITE, identity=b64(name.encode()))
        return Joiner(name, driver, int(resp["tx"]), unb64(resp["key_package"]))

    def _check_handshake(self, group: Group, message: bytes, what: str) -> None:
        expected = WIRE_PRIVATE if group.encrypt_handshake else WIRE_PUBLIC
        if wire_format(message) != expected:
            raise CheckFailed(
                f"{what} has wire_format {wire_format(message)}, expected {expected}"
                f" ({group.mode} handshakes)"
            )

    def propose(
        self,
        group: Group,
        proposer: Member,
        kind: Literal["add", "update", "remove"],
        target: Joiner | Member | None = None,
    ) -> Proposal:
        if kind == "add":
            assert isinstance(target, Joiner)
            resp = proposer.driver.call(
                "add_proposal", state=proposer.state, key_package=b64(target.key_package)
            )
        elif kind == "remove":
            assert isinstance(target, Member)
            resp = proposer.driver.call(
                "remove_proposal", state=proposer.state, removed_identity=b64(target.identity)
            )
        else:
            resp = proposer.driver.call("update_proposal", state=proposer.state)
        message = unb64(resp["proposal"])
        self._check_handshake(group, message, f"{kind} proposal from {proposer}")
        return Proposal(proposer, kind, message, target)

    def commit(
        self,
        case: Case,
        group: Group,
        committer: Member,
        *,
        by_reference: Sequence[Proposal] = (),
        add: Sequence[Joiner] = (),
        remove: Sequence[Member] = (),
        force_path: bool = False,
        external_tree: bool = False,
    ) -> list[Member]:
        """Commit, relay, merge, join and check agreement; return the removed members."""
        resp = committer.driver.call(
            "commit",
            state=committer.state,
            by_reference=[b64(p.message) for p in by_reference],
            add=[b64(j.key_package) for j in add],
            remove=[b64(m.identity) for m in remove],
            force_path=force_path,
            external_tree=external_tree,
        )
        commit = unb64(resp["commit"])
        self._check_handshake(group, commit, f"commit from {committer}")
        if force_path and wire_format(commit) == WIRE_PUBLIC and not public_commit_has_path(commit):
            raise CheckFailed(f"force_path commit from {committer} has no UpdatePath")
        joiners = [*add] + [
            p.target for p in by_reference if p.kind == "add" and isinstance(p.target, Joiner)
        ]
        removed = list(remove) + [
            p.target for p in by_reference if p.kind == "remove" and isinstance(p.target, Member)
        ]
        welcome = None if resp.get("welcome") is None else unb64(resp["welcome"])
        tree = None if resp.get("ratchet_tree") is None else unb64(resp["ratchet_tree"])
        if joiners and welcome is None:
            raise CheckFailed(f"commit from {committer} adds members but has no Welcome")
        if joiners and external_tree and tree is None:
            raise CheckFailed(f"external_tree commit from {committer} returned no ratchet_tree")

        returned: dict[str, bytes | None] = {}
        resp = committer.driver.call("handle_pending_commit", state=committer.state)
        returned[committer.name] = _opt(resp.get("epoch_authenticator"))
        for member in group.members:
            if member is committer:
                continue
            proposals = [b64(p.message) for p in by_reference if p.sender is not member]
            if member in removed:
                self._expect_removed(member, proposals, commit)
                continue
            resp = member.driver.call(
                "handle_commit", state=member.state, proposals=proposals, commit=b64(commit)
            )
            if resp.get("removed"):
                raise CheckFailed(f"{member} says it was removed, but it was not")
            returned[member.name] = _opt(resp.get("epoch_authenticator"))
        group.members = [m for m in group.members if m not in removed]
        for joiner in joiners:
            resp = joiner.driver.call(
                "join_group",
                tx=joiner.tx,
                welcome=b64(welcome or b""),
                ratchet_tree=b64(tree) if external_tree and tree is not None else None,
                encrypt_handshake=group.encrypt_handshake,
            )
            member = Member(joiner.name, joiner.driver, int(resp["state"]))
            case.members.append(member)
            group.members.append(member)
            returned[member.name] = _opt(resp.get("epoch_authenticator"))
        self.check_agreement(case, group, returned)
        return removed

    def _expect_removed(self, member: Member, proposals: list[str], commit: bytes) -> None:
        try:
            resp = member.driver.call(
                "handle_commit", state=member.state, proposals=proposals, commit=b64(commit)
            )
        except DriverRefused:
            return  # ok:false is one of the two allowed answers
        if resp.get("epoch_authenticator") is not None or not resp.get("removed"):
            raise CheckFailed(
                f"removed member {member} accepted the commit that removes it: {resp!r:.200}"
            )

    def check_agreement(
        self, case: Case, group: Group, returned: dict[str, bytes | None] | None = None
    ) -> None:
        """All members agree on export("hasteh-interop", "", 32) and on epoch_authenticator."""
        returned = returned or {}
        exports: dict[str, bytes] = {}
        for member in group.members:
            resp = member.driver.call(
                "export", state=member.state, label=EXPORT_LABEL, context="", length=32
            )
            exports[str(member)] = unb64(resp["secret"])
        if len(set(exports.values())) != 1:
            raise CheckFailed(f"members disagree on the exported secret: {_show(exports)}")
        auths: dict[str, bytes] = {}
        unsupported: list[str] = []
        for member in group.members:
            try:
                resp = member.driver.call("state_auth", state=member.state)
            except Unsupported:
                unsupported.append(str(member))
                value = returned.get(member.name)
                if value is not None:
                    auths[str(member)] = value
                continue
            auth = unb64(resp["epoch_authenticator"])
            ret = returned.get(member.name)
            if ret is not None and ret != auth:
                raise CheckFailed(f"{member}: returned epoch_authenticator != state_auth")
            auths[str(member)] = auth
        if len(set(auths.values())) > 1:
            raise CheckFailed(f"members disagree on epoch_authenticator: {_show(auths)}")
        if len(auths) >= 2:
            case.record("epoch_authenticator agreement", "passed")
        elif unsupported:
            case.record(
                "epoch_authenticator agreement",
                "skipped",
                f"unsupported: state_auth unsupported by {', '.join(unsupported)}",
            )

    def send(self, group: Group, sender: Member, plaintext: bytes, aad: bytes = b"") -> None:
        """`sender` protects; every other member unprotects and must get the same data."""
        resp = sender.driver.call(
            "protect", state=sender.state, authenticated_data=b64(aad), plaintext=b64(plaintext)
        )
        ciphertext = unb64(resp["ciphertext"])
        if wire_format(ciphertext) != WIRE_PRIVATE:
            raise CheckFailed(f"application message from {sender} is not a PrivateMessage")
        for member in group.members:
            if member is sender:
                continue
            resp = member.driver.call("unprotect", state=member.state, ciphertext=b64(ciphertext))
            if unb64(resp["plaintext"]) != plaintext:
                raise CheckFailed(f"{member} decrypted other plaintext than {sender} sent")
            if unb64(resp["authenticated_data"]) != aad:
                raise CheckFailed(f"{member} got other authenticated_data than {sender} sent")

    def check_removed_cannot_read(self, group: Group, removed: Sequence[Member]) -> None:
        """A remaining member protects in the new epoch; the removed members must fail."""
        sender = group.members[0]
        resp = sender.driver.call(
            "protect", state=sender.state, authenticated_data="", plaintext=b64(b"after removal")
        )
        ciphertext = resp["ciphertext"]
        for member in removed:
            try:
                member.driver.call("unprotect", state=member.state, ciphertext=ciphertext)
            except DriverRefused:
                continue
            raise CheckFailed(f"removed member {member} unprotected a next-epoch message")
        for member in group.members[1:]:
            resp = member.driver.call("unprotect", state=member.state, ciphertext=ciphertext)
            if unb64(resp["plaintext"]) != b"after removal":
                raise CheckFailed(f"{member} decrypted the wrong plaintext")

    def grow(self, case: Case, group: Group, drivers: Sequence[Driver]) -> list[Member]:
        """The creator adds one member per driver given, in one commit by value."""
        joiners = [self.key_package(d) for d in drivers]
        self.commit(case, group, group.members[0], add=joiners)
        return group.members[-len(joiners) :]

    def _other(self, index: int) -> Driver:
        return self.drivers[(index + 1) % len(self.drivers)]

    def _pairs(self) -> list[tuple[int, int]]:
        n = len(self.drivers)
        return [(i, j) for i in range(n) for j in range(n) if i != j] or [(0, 0)]

    # -- scenario 1 --

    def scenario_welcome(self) -> None:
        for i, j in self._pairs():
            a, b = self.drivers[i], self.drivers[j]
            for encrypt in (False, True):
                for external in (False, True):
                    mode = "private" if encrypt else "public"
                    tree = "external tree" if external else "tree in-band"
                    with self.case("welcome", f"{a.label} adds {b.label}, {tree}, {mode}") as c:
                        group = self.create_group(c, a, encrypt)
                        joiner = self.key_package(b)
                        self.commit(
                            c, group, group.members[0], add=[joiner], external_tree=external
                        )
                        creator, joined = group.members
                        self.send(group, creator, b"hello from the creator")
                        self.send(group, joined, b"hello from the joiner")

    # -- scenario 2 --

    def scenario_application(self) -> None:
        n = len(self.drivers)
        pairs = [(i, j) for i in range(n) for j in range(i + 1, n)] or [(0, 0)]
        for i, j in pairs:
            a, b = self.drivers[i], self.drivers[j]
            with self.case("application", f"group of {a.label} and {b.label}") as c:
                group = self.create_group(c, a, False)
                self.grow(c, group, [b])
                first, second = group.members
                for sender, receiver in ((first, second), (second, first)):
                    for size in MESSAGE_SIZES:
                        for aad in (b"", AAD):
                            plaintext = self.rng.randbytes(size)
                            with_aad = "with aad" if aad else "no aad"
                            step = (
                                f"{sender.driver.label}->{receiver.driver.label}"
                                f" {size} B {with_aad}"
                            )
                            c.sub(step, partial(self.send, group, sender, plaintext, aad))

    # -- scenario 3 --

    def scenario_commit(self) -> None:
        kinds: list[tuple[str, Callable[[Case, Group, Member, Member, Member, Driver], None]]] = [
            ("add by value, no path", self._commit_add_value(False, False)),
            ("add by value, with path", self._commit_add_value(True, False)),
            ("add by value, external tree", self._commit_add_value(False, True)),
            ("add by reference, no path", self._commit_add_ref(False)),
            ("add by reference, with path", self._commit_add_ref(True)),
            ("remove by value", self._commit_remove_value),
            ("remove by reference", self._commit_remove_ref),
            ("update by reference", self._commit_update_ref),
            ("self-update (empty commit with path)", self._commit_self_update),
            ("own proposals by reference", self._commit_own_refs),
            ("mixed: refs and add by value", self._commit_mixed),
        ]
        for index, committer_driver in enumerate(self.drivers):
            other = self._other(index)
            for encrypt in (False, True):
                mode = "private" if encrypt else "public"
                for kind, body in kinds:
                    name = f"committer {committer_driver.label}, {mode}: {kind}"
                    with self.case("commit", name) as c:
                        group = self.create_group(c, committer_driver, encrypt)
                        peer, third = self.grow(c, group, [other, other])
                        body(c, group, group.members[0], peer, third, other)
                        for sender in group.members:
                            self.send(group, sender, f"after {kind}".encode())

    def _commit_add_value(self, path: bool, external: bool) -> _CommitBody:
        def body(c: Case, g: Group, me: Member, peer: Member, third: Member, d: Driver) -> None:
            self.commit(
                c, g, me, add=[self.key_package(d)], force_path=path, external_tree=external
            )

        return body

    def _commit_add_ref(self, path: bool) -> _CommitBody:
        def body(c: Case, g: Group, me: Member, peer: Member, third: Member, d: Driver) -> None:
            proposal = self.propose(g, peer, "add", self.key_package(d))
            self.commit(c, g, me, by_reference=[proposal], force_path=path)

        return body

    def _commit_remove_value(
        self, c: Case, g: Group, me: Member, peer: Member, third: Member, d: Driver
    ) -> None:
        removed = self.commit(c, g, me, remove=[third])
        self.check_removed_cannot_read(g, removed)

    def _commit_remove_ref(
        self, c: Case, g: Group, me: Member, peer: Member, third: Member, d: Driver
    ) -> None:
        proposal = self.propose(g, peer, "remove", third)
        removed = self.commit(c, g, me, by_reference=[proposal])
        self.check_removed_cannot_read(g, removed)

    def _commit_update_ref(
        self, c: Case, g: Group, me: Member, peer: Member, third: Member, d: Driver
    ) -> None:
        proposal = self.propose(g, peer, "update")
        self.commit(c, g, me, by_reference=[proposal])

    def _commit_self_update(
        self, c: Case, g: Group, me: Member, peer: Member, third: Member, d: Driver
    ) -> None:
        self.commit(c, g, me, force_path=True)

    def _commit_own_refs(
        self, c: Case, g: Group, me: Member, peer: Member, third: Member, d: Driver
    ) -> None:
        add = self.propose(g, me, "add", self.key_package(d))
        remove = self.propose(g, me, "remove", third)
        removed = self.commit(c, g, me, by_reference=[add, remove])
        self.check_removed_cannot_read(g, removed)

    def _commit_mixed(
        self, c: Case, g: Group, me: Member, peer: Member, third: Member, d: Driver
    ) -> None:
        refs = [
            self.propose(g, peer, "add", self.key_package(d)),
            self.propose(g, third, "update"),
        ]
        self.commit(c, g, me, by_reference=refs, add=[self.key_package(d)], force_path=True)

    # -- scenario 4 --

    def scenario_random(self) -> None:
        for encrypt in (False, True):
            self._random_run(encrypt)

    def _random_run(self, encrypt: bool) -> None:
        mode = "private" if encrypt else "public"
        rng = self.rng
        state: dict[str, Any] = {}
        with self.case("random", f"{mode}: setup of 3 members", free=False) as c:
            order = list(range(len(self.drivers)))
            group: Group | None = None
            last: Exception | None = None
            for index in order:  # the first driver that can send this mode's handshakes
                try:
                    group = self.create_group(c, self.drivers[index], encrypt)
                    spread = [self.drivers[(index + k) % len(self.drivers)] for k in (1, 2)]
                    self.grow(c, group, spread)
                    break
                except Unsupported as exc:
                    last, group = exc, None
            if group is None:
                assert last is not None
                raise last
            state["group"] = group
            state["case"] = c
        if "group" not in state:
            return
        group = state["group"]
        case: Case = state["case"]
        learned: set[tuple[str, str]] = set()  # (driver label, feature) answered unsupported
        for epoch in range(1, self.epochs + 1):
            description: list[str] = []
            status, detail = run_guarded(
                partial(self._random_epoch, case, group, rng, learned, description)
            )
            step = f"{mode} epoch {epoch:02d}: {'; '.join(description)}"
            self.results.append(StepResult("random", step, status, detail))
            if status == "failed":
                break
        self.results.extend(r for r in case.results if r not in self.results)
        self.free(case)

    def _random_epoch(
        self,
        case: Case,
        group: Group,
        rng: random.Random,
        learned: set[tuple[str, str]],
        log: list[str],
    ) -> None:
        """One epoch: a few messages, then proposals and one commit, then the checks."""

        def can(member: Member, feature: str) -> bool:
            return (member.driver.label, feature) not in learned

        def attempt(member: Member, feature: str, fn: Callable[[], Any]) -> tuple[bool, Any]:
            try:
                return True, fn()
            except Unsupported as exc:
                learned.add((member.driver.label, feature))
                label = f"{group.mode}: {feature} by {member.driver.label}"
                case.record(label, "skipped", str(exc))
                return False, None

        members = list(group.members)
        for _ in range(rng.randint(0, 2)):
            sender = rng.choice(members)
            size = rng.choice((0, 1, 100, 1024, 4096))
            plaintext = rng.randbytes(size)
            aad = AAD if rng.random() < 0.3 and can(sender, "aad") else b""
            sent, _ = attempt(sender, "aad", partial(self.send, group, sender, plaintext, aad))
            if not sent:
                self.send(group, sender, plaintext)
            log.append(f"{sender} sent {size} B")

        count = len(members)
        kinds = ["self_update", "update_ref"]
        if count < 8:
            kinds += ["add_value", "add_ref"] * (2 if count < 5 else 1)
        if count > 3:
            kinds += ["remove_value", "remove_ref"]
        if 3 < count < 7:
            kinds.append("mixed")
        kind = rng.choice(kinds)
        committer = rng.choice(members)
        others = [m for m in members if m is not committer]
        refs: list[Proposal] = []
        add: list[Joiner] = []
        remove: list[Member] = []

        def new_joiner() -> Joiner:
            present = {d.label: 0 for d in self.drivers}
            for m in group.members:
                present[m.driver.label] += 1
            fewest = min(present.values())
            return self.key_package(
                rng.choice([d for d in self.drivers if present[d.label] == fewest])
            )

        def propose(
            proposer: Member, what: Literal["add", "update", "remove"], target: Any
        ) -> None:
            feature = f"{what}_proposal"
            if not can(proposer, feature):
                log.append(f"{proposer} cannot propose {what}")
                return
            made, proposal = attempt(
                proposer, feature, partial(self.propose, group, proposer, what, target)
            )
            if made:
                refs.append(proposal)
                log.append(f"{proposer} proposed {what}" + (f" of {target}" if target else ""))

        if kind == "add_value":
            add.append(new_joiner())
        elif kind == "add_ref":
            propose(rng.choice(members), "add", new_joiner())
        elif kind == "remove_value":
            remove.append(rng.choice(others))
        elif kind == "remove_ref":
            proposer = rng.choice(members)
            propose(proposer, "remove", rng.choice([m for m in others if m is not proposer]))
        elif kind == "update_ref":
            propose(rng.choice(others), "update", None)
        elif kind == "mixed":
            propose(rng.choice(members), "add", new_joiner())
            propose(rng.choice(others), "update", None)
            add.append(new_joiner())
        force_path = kind == "self_update" or rng.random() < 0.4
        adds_members = bool(add) or any(p.kind == "add" for p in refs)
        external_tree = adds_members and rng.random() < 0.3

        def eligible(member: Member) -> bool:
            # RFC 9420 §12.2: no committing one's own Update; nobody commits its own removal.
            own_update = any(p.kind == "update" and p.sender is member for p in refs)
            removed = member in remove or any(p.target is member for p in refs)
            return not own_update and not removed

        candidates = [m for m in [committer, *rng.sample(others, len(others))] if eligible(m)]
        # Should every candidate answer unsupported, try again without force_path/external_tree.
        for path, tree in ((force_path, external_tree), (False, False)):
            feature = _commit_feature(refs, add, remove, path)
            for candidate in candidates:
                if not can(candidate, feature):
                    continue
                commit = partial(
                    self.commit,
                    case,
                    group,
                    candidate,
                    by_reference=refs,
                    add=add,
                    remove=remove,
                    force_path=path,
                    external_tree=tree,
                )
                done, removed = attempt(candidate, feature, commit)
                if not done:
                    continue
                changes = [f"{j} added" for j in add] + [f"{m} removed" for m in remove]
                changes += [f"{p.target} removed" for p in refs if p.kind == "remove"]
                extra = f" ({', '.join(changes)})" if changes else ""
                flags = " with path" * path + " external tree" * tree
                log.append(f"{candidate} committed {kind}{flags}{extra}")
                if removed:
                    self.check_removed_cannot_read(group, removed)
                    log.append("removed cannot read")
                return
        raise CheckFailed(f"no member could commit {kind}: {'; '.join(log)}")

    # -- scenario 5 --

    def scenario_removed(self) -> None:
        for r, v in [(i, j) for i in range(len(self.drivers)) for j in range(len(self.drivers))]:
            remover, victim_driver = self.drivers[r], self.drivers[v]
            witness_driver = self._other(r)
            for by_ref in (False, True):
                how = "by reference" if by_ref else "by value"
                name = f"{remover.label} removes a member on {victim_driver.label}, {how}"
                with self.case("removed", name) as c:
                    group = self.create_group(c, remover, False)
                    witness, victim = self.grow(c, group, [witness_driver, victim_driver])
                    self.send(group, victim, b"before removal")
                    if by_ref:
                        proposal = self.propose(group, witness, "remove", victim)
                        removed = self.commit(c, group, group.members[0], by_reference=[proposal])
                    else:
                        removed = self.commit(c, group, group.members[0], remove=[victim])
                    if removed != [victim]:
                        raise CheckFailed(f"expected {victim} removed, got {removed}")
                    self.check_removed_cannot_read(group, removed)


_CommitBody = Callable[[Case, Group, Member, Member, Member, Driver], None]


def _commit_feature(
    refs: Sequence[Proposal], add: Sequence[Joiner], remove: Sequence[Member], force_path: bool
) -> str:
    parts = sorted({f"{p.kind}-ref" for p in refs})
    parts += ["add-value"] if add else []
    parts += ["remove-value"] if remove else []
    parts += ["path"] if force_path else []
    return "commit(" + ",".join(parts or ["empty"]) + ")"


def _opt(value: Any) -> bytes | None:
    return None if value is None else unb64(value)


def _show(values: dict[str, bytes]) -> str:
    return ", ".join(f"{k}={v[:6].hex()}" for k, v in values.items())


def run(
    commands: Sequence[Sequence[str]],
    *,
    scenarios: Sequence[str] = SCENARIOS,
    seed: int = 1,
    epochs: int = 32,
    timeout: float = 30.0,
    cwd: str | Path | None = None,
) -> list[StepResult]:
    """Start the drivers, run the scenarios, end the drivers; return every step's result."""
    with Harness(commands, seed=seed, epochs=epochs, timeout=timeout, cwd=cwd) as harness:
        return harness.run(scenarios)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--driver",
        action="append",
        required=True,
        help="a driver command line (repeat: members are spread over all drivers given)",
    )
    parser.add_argument("--scenario", action="append", choices=SCENARIOS, help="default: all")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=32, help="epochs of the random scenario")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per driver read")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("-v", "--verbose", action="store_true", help="print passed steps too")
    args = parser.parse_args(argv)
    commands = [shlex.split(d) for d in args.driver]
    started = time.monotonic()
    try:
        with Harness(commands, seed=args.seed, epochs=args.epochs, timeout=args.timeout) as h:
            print("drivers: " + ", ".join(str(d) for d in h.drivers))
            results = h.run(args.scenario or SCENARIOS)
    except HarnessError as exc:
        print(f"harness: {exc}", file=sys.stderr)
        return 2
    for result in results:
        if args.verbose or result.status != "passed":
            print(result.line())
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1))
    print(f"{summarize(results)} in {time.monotonic() - started:.1f} s")
    return 1 if any(r.status == "failed" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
