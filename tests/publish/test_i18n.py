"""Every message of the press and `hasteh bulletin` has a Persian translation with the same
placeholders: the `_()` calls and the errors' templates (their next steps are held to
Persian by tests/test_error_contract.py)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from hasteh.i18n import translations
from hasteh.publish import errors

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    *sorted((ROOT / "src/hasteh/publish").glob("*.py")),
    ROOT / "src/hasteh/cli/bulletin.py",
    # the newsroom (issue 16)
    ROOT / "src/hasteh/cli/newsroom.py",
    ROOT / "src/hasteh/app/bulletin.py",
]


def _name(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")


def msgids() -> set[str]:
    found: set[str] = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            args = node.args
            if name == "_" and args and isinstance(args[0], ast.Constant):
                found.add(str(args[0].value))
    return found | set(errors.PUBLISH_MESSAGES.values())


def test_every_message_is_translated() -> None:
    fa = translations("fa")
    ids = msgids()
    assert len(ids) > 50
    missing = sorted(m for m in ids if fa.gettext(m) == m)
    assert missing == []


def test_placeholders_survive_translation() -> None:
    fa = translations("fa")
    for m in msgids():
        assert set(re.findall(r"\{\w+\}", m)) == set(re.findall(r"\{\w+\}", fa.gettext(m))), m


def test_every_command_and_module_is_documented() -> None:
    doc = (ROOT / "docs/bulletins.md").read_text(encoding="utf-8")
    for command in ("bulletin key", "bulletin render", "bulletin verify", "bulletin check-image"):
        assert f"hasteh {command}" in doc, command
    for module in sorted((ROOT / "src/hasteh/publish").glob("*.py")):
        if module.stem not in ("__init__", "errors", "issue", "keys", "claim", "press"):
            assert f"publish/{module.name}" in doc, module.name
    for guide, heading in (("fa", "## نشریه"), ("en", "## Bulletins")):
        text = (ROOT / f"docs/user/{guide}.md").read_text(encoding="utf-8")
        assert heading in text and "bulletin verify" in text


def test_every_verdict_reason_is_documented() -> None:
    source = (ROOT / "src/hasteh/publish/signing.py").read_text(encoding="utf-8")
    reasons = set(re.findall(r'Verdict\(Outcome\.[A-Z_]+, "([a-z-]+)"', source))
    assert len(reasons) >= 15
    doc = (ROOT / "docs/bulletins.md").read_text(encoding="utf-8")
    assert {r for r in reasons if f"`{r}`" not in doc} == set()
