"""What `hasteh selfcheck` runs: each part hasteh relies on, exercised once for real.

A check is a label and a function that raises on failure; `run` turns each into a
`CheckResult` and never raises itself. Every check works in memory or in a temporary
folder it removes, and touches no profile. The labels are gettext msgids.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CHECKS", "CheckResult", "run"]


@dataclass(frozen=True, slots=True)
class CheckResult:
    label: str
    ok: bool
    detail: str = ""


def _mls() -> None:
    """Two members: a group, an Add with a Welcome, a message each way."""
    from hasteh.mls.cipher_suite import get_suite
    from hasteh.mls.credential import BasicCredential
    from hasteh.mls.group import ApplicationData, create_group, join_from_welcome
    from hasteh.mls.key_package_ops import create_key_package
    from hasteh.mls.proposals import Add

    suite = get_suite(1)
    keys = []
    for name in (b"a", b"b"):
        private, _public = suite.generate_signature_key(os.urandom)
        keys.append(
            create_key_package(
                1, BasicCredential(name), private, rng=os.urandom, now=int(time.time())
            )
        )
    alice = create_group(1, os.urandom(16), keys[0], rng=os.urandom)
    out = alice.commit([Add(keys[1].key_package)], rng=os.urandom)
    alice = out.pending.new_state
    assert out.welcome is not None
    bob = join_from_welcome(out.welcome, keys[1])
    got = bob.process(alice.protect(b"selfcheck", rng=os.urandom))
    assert isinstance(got, ApplicationData) and got.data == b"selfcheck"


def _hpke() -> None:
    from hasteh.mls import hpke

    kem, kdf, aead = 0x0020, 0x0001, 0x0001
    sk, pk = hpke.generate_key_pair(kem, os.urandom)
    enc, ct = hpke.seal_base(kem, kdf, aead, pk, b"info", b"aad", b"pt", rng=os.urandom)
    assert hpke.open_base(kem, kdf, aead, enc, sk, b"info", b"aad", ct) == b"pt"


def _sqlcipher() -> None:
    """An encrypted database written, then unreadable without its key."""
    import sqlcipher3

    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "check.db")
        conn = sqlcipher3.connect(path)
        conn.execute(f"PRAGMA key = \"x'{os.urandom(32).hex()}'\"")
        conn.execute("CREATE TABLE t (v)")
        conn.execute("INSERT INTO t VALUES ('selfcheck')")
        conn.commit()
        conn.close()
        assert b"selfcheck" not in Path(path).read_bytes()


def _org() -> None:
    from hasteh import org

    created = org.EventEnvelope(
        org.VERSION, org.EventId(bytes(16)), org.LeafIndex(0), 1, org.CellCreated("c", "a")
    )
    state = org.apply(org.empty_state(), org.decode(org.encode(created)))
    assert state.created and state.name == "c"


def _relay() -> None:
    from starlette.testclient import TestClient

    from hasteh.relay.app import create_app
    from hasteh.relay.storage import open_storage

    with tempfile.TemporaryDirectory() as folder:
        storage = open_storage(f"sqlite:///{Path(folder) / 'relay.sqlite3'}")
        try:
            with TestClient(create_app(storage)) as client:
                assert client.get("/healthz").status_code == 200
        finally:
            storage.close()


def _web() -> None:
    """The web app renders a page (in a temporary, empty home: without the launch
    link it is the "closed" page, which still goes through templates and the catalog)."""
    from starlette.testclient import TestClient

    from hasteh.web.factory import create_web

    with tempfile.TemporaryDirectory() as folder:
        web = create_web(Path(folder), launch_token=os.urandom(16).hex(), port=8000)
        with TestClient(web, base_url="http://127.0.0.1:8000") as client:
            page = client.get("/")
            assert page.status_code < 500 and "<html" in page.text


def _course() -> None:
    """The security course shipped in the package reads and holds to its rules."""
    from hasteh.app.course import bundled_course

    course = bundled_course()
    assert course.lessons and course.checklists and course.guide.step


CHECKS: tuple[tuple[str, Callable[[], None]], ...] = (
    ("MLS (RFC 9420): a group of two, a Welcome, a message", _mls),
    ("HPKE (RFC 9180)", _hpke),
    ("encrypted database (SQLCipher)", _sqlcipher),
    ("organizing events (org)", _org),
    ("blind relay", _relay),
    ("local web app", _web),
    ("security course (its lessons checked)", _course),
)


def run(checks: Iterable[tuple[str, Callable[[], None]]]) -> Iterator[CheckResult]:
    for label, check in checks:
        try:
            check()
        except Exception as exc:  # a check reports any failure, it never crashes
            yield CheckResult(label, False, type(exc).__name__)
        else:
            yield CheckResult(label, True)
