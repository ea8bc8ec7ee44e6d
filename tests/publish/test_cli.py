"""`hasteh bulletin` end to end: key, render (booklet, page images), verify, check-image;
Persian first, exit codes, a refused issue leaves nothing behind."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from typer.testing import CliRunner

from hasteh.cli.main import app
from tests.publish.conftest import SOURCE

PASS = "a passphrase for the bulletin key"
ENV = {"HASTEH_BULLETIN_PASSPHRASE": PASS}


def run(*args: str, lang: str = "fa") -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={**ENV, "HASTEH_LANG": lang})
    return result.exit_code, result.output


def tree(folder: Path) -> str:
    """A hash of every file name and content under `folder`."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_render_sign_verify_round_trip(tmp_path: Path) -> None:
    code, out = run("bulletin", "key", "--out", str(tmp_path / "b.key"))
    assert code == 0, out
    fingerprint = re.search(r"([0-9A-F]{4}(?: [0-9A-F]{4}){7})", out)
    assert fingerprint is not None and "اثر انگشت" in out
    assert (tmp_path / "b.key").stat().st_mode & 0o077 == 0
    (tmp_path / "issue.md").write_text(SOURCE, encoding="utf-8")
    pdf = tmp_path / "issue.pdf"
    code, out = run(
        "bulletin", "render", str(tmp_path / "issue.md"), "--out", str(pdf), "--booklet",
        "--key", str(tmp_path / "b.key"), "--page-images", str(tmp_path / "pages"),
    )  # fmt: skip
    assert code == 0, out
    assert "نوشته شد" in out
    assert sorted(p.name for p in (tmp_path / "pages").iterdir())[0] == "page-01.png"

    code, out = run("bulletin", "verify", str(pdf), "--issuer", fingerprint.group(1))
    assert code == 0 and out.startswith("اصل"), out
    code, out = run("bulletin", "verify", str(pdf))
    assert code == 2 and "ناشر ناشناس" in out
    code, out = run("bulletin", "verify", str(pdf), "--issuer", fingerprint.group(1), lang="en")
    assert code == 0 and out.startswith("Genuine")

    altered = tmp_path / "altered.pdf"
    altered.write_bytes(pdf.read_bytes().replace(b"841.8898", b"841.8897", 1))
    code, out = run("bulletin", "verify", str(altered), "--issuer", fingerprint.group(1))
    assert code == 1 and "دستکاری" in out

    code, out = run("bulletin", "check-image", str(tmp_path / "pages" / "page-01.png"),
                    "--issuer", fingerprint.group(1))  # fmt: skip
    assert code == 0 and "۱۲" in out and "PDF" in out, out


def test_refused_issue_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "issue.md").write_text(SOURCE + "\n<script>\n" + "> " * 40 + "x", "utf-8")
    before = tree(tmp_path)
    code, out = run(
        "bulletin", "render", str(tmp_path / "issue.md"), "--out", str(tmp_path / "x.pdf")
    )
    assert code == 1 and "لایه" in out and "چیزی نوشته نشد" in out
    assert tree(tmp_path) == before


def test_wrong_key_passphrase(tmp_path: Path) -> None:
    assert run("bulletin", "key", "--out", str(tmp_path / "b.key"))[0] == 0
    (tmp_path / "issue.md").write_text(SOURCE, encoding="utf-8")
    before = tree(tmp_path)
    result = CliRunner().invoke(
        app,
        ["bulletin", "render", str(tmp_path / "issue.md"), "--out", str(tmp_path / "x.pdf"),
         "--key", str(tmp_path / "b.key")],
        env={"HASTEH_BULLETIN_PASSPHRASE": "wrong", "HASTEH_LANG": "fa"},
    )  # fmt: skip
    assert result.exit_code == 1 and "گذرواژه" in result.output and "wrong" not in result.output
    assert tree(tmp_path) == before


def test_verify_hostile_file(tmp_path: Path) -> None:
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.7\n" + b"\xff" * 5000)
    code, out = run("bulletin", "verify", str(tmp_path / "x.pdf"))
    assert code in (1, 2) and "Traceback" not in out
