"""`hasteh share-app`: the folder installs hasteh into a fresh virtual environment with no
package index, after checking the spoken check code and every file's SHA-256; a wrong
code, a changed file or a slipped-in wheel installs nothing."""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from hasteh.cli.main import app
from hasteh.cli.share import (
    INSTALLER,
    MANIFEST,
    Shared,
    check_words,
    is_editable,
    write_share,
)

pytestmark = pytest.mark.slow

HASTEH = str(Path(sys.executable).parent / "hasteh")


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Shared:
    return write_share(tmp_path_factory.mktemp("share") / "hasteh")


def copy_of(shared: Shared, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(shared.folder, target)
    return target


def install(folder: Path, code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            str(folder / INSTALLER),
            "--code",
            code,
            "--venv",
            str(tmp_path / "venv"),
            "--bin",
            str(tmp_path / "bin"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PIP_NO_INDEX": "1"},
    )


def test_the_folder_lists_every_file_and_the_code_follows_the_manifest(shared: Shared) -> None:
    names = {p.name for p in (shared.folder / "wheels").iterdir()}
    assert set(shared.wheels) == names
    for needed in ("hasteh-", "cryptography-", "sqlcipher3-", "starlette-", "uvicorn-"):
        assert any(n.startswith(needed) for n in names), needed
    manifest = (shared.folder / MANIFEST).read_bytes()
    assert len(manifest.splitlines()) == len(names) + 2  # the wheels, install.py, the list
    assert check_words(manifest) == (shared.words_fa, shared.words_en)
    assert check_words(manifest + b"x") != (shared.words_fa, shared.words_en)
    assert "tor" in (shared.folder / "debian-packages.txt").read_text().split()


def test_installs_offline_into_a_fresh_venv(shared: Shared, tmp_path: Path) -> None:
    done = install(shared.folder, " ".join(shared.words_fa), tmp_path)
    assert done.returncode == 0, done.stderr
    version = subprocess.run(
        [str(tmp_path / "bin" / "hasteh"), "--version"], capture_output=True, text=True
    )
    assert version.returncode == 0 and "0.1.0" in version.stdout
    # The installed app has its compiled parts and its web face.
    python = tmp_path / "venv" / "bin" / "python"
    check = subprocess.run(
        [str(python), "-c", "import sqlcipher3, cryptography, hasteh.web.factory, uvloop"],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr


def test_a_wrong_code_installs_nothing(shared: Shared, tmp_path: Path) -> None:
    wrong = " ".join(reversed(shared.words_en))
    done = install(shared.folder, wrong, tmp_path)
    assert done.returncode == 1
    assert "check code does not match" in done.stderr
    assert not (tmp_path / "venv").exists()


def test_a_changed_wheel_installs_nothing(shared: Shared, tmp_path: Path) -> None:
    folder = copy_of(shared, tmp_path)
    victim = folder / "wheels" / next(n for n in shared.wheels if n.startswith("hasteh-"))
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 1
    victim.write_bytes(bytes(data))
    done = install(folder, " ".join(shared.words_en), tmp_path)
    assert done.returncode == 1 and "a file was changed" in done.stderr
    assert not (tmp_path / "venv").exists()


def test_a_slipped_in_wheel_installs_nothing(shared: Shared, tmp_path: Path) -> None:
    folder = copy_of(shared, tmp_path)
    (folder / "wheels" / "evil-1.0-py3-none-any.whl").write_bytes(b"PK")
    done = install(folder, " ".join(shared.words_en), tmp_path)
    assert done.returncode == 1 and "not in the manifest" in done.stderr
    assert not (tmp_path / "venv").exists()


def test_the_command_prints_the_code(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["share-app", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    manifest = (tmp_path / "out" / MANIFEST).read_bytes()
    fa, en = check_words(manifest)
    assert " ".join(fa) in result.output and " ".join(en) in result.output


def test_serve_offers_the_folder_and_nothing_else(tmp_path: Path) -> None:
    """`--serve` (here on 127.0.0.1 only) offers the files of the folder, byte for byte,
    and nothing outside it; it logs nobody."""
    folder = tmp_path / "share"
    proc = subprocess.Popen(
        [HASTEH, "share-app", str(folder), "--serve", "--port", "0", "--address", "127.0.0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "HASTEH_LANG": "en"},
    )
    try:
        assert proc.stdout is not None
        url = ""
        lines = []
        for line in proc.stdout:  # bounded: the command prints the address, then serves
            lines.append(line)
            if match := re.search(r"http://127\.0\.0\.1:\d+/", line):
                url = match.group(0)
                break
        assert url, "".join(lines)
        with httpx.Client(timeout=30) as client:
            manifest = client.get(url + MANIFEST)
            assert manifest.content == (folder / MANIFEST).read_bytes()
            first = manifest.text.splitlines()[0].split("  ")[1]
            body = client.get(url + first).content
            assert hashlib.sha256(body).hexdigest() == manifest.text.split("  ")[0]
            for escape in ("../../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd", "..%2f..%2fetc"):
                response = client.get(url + escape)
                assert response.status_code == 404 or b"root:" not in response.content
    finally:
        proc.send_signal(signal.SIGINT)
        output = proc.communicate(timeout=30)[0]
    assert "GET" not in output  # no access log


def test_only_hasteh_is_taken_from_its_folder() -> None:
    """hasteh here is installed for development (its files are the checkout's); every
    other distribution is packed from its own RECORD, even when its import name differs
    from its name (python-multipart is `multipart`, argon2-cffi is `argon2`)."""
    assert is_editable(md.distribution("hasteh"))
    for name in ("python-multipart", "argon2-cffi", "cryptography", "jinja2"):
        assert not is_editable(md.distribution(name)), name
