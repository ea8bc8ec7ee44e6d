"""Every vault message has a Persian translation; every error and command is documented."""

from __future__ import annotations

import re
from pathlib import Path

from hasteh import vault
from hasteh.cli.next_steps import CLI_NEXT_STEPS
from hasteh.i18n import translations

ROOT = Path(__file__).resolve().parents[2]


def vault_errors() -> list[type[vault.VaultError]]:
    return [
        getattr(vault, n)
        for n in vault.__all__
        if isinstance(getattr(vault, n), type) and issubclass(getattr(vault, n), vault.VaultError)
    ]


def test_every_message_is_translated() -> None:
    fa = translations("fa")
    raised = [e for e in vault_errors() if e is not vault.VaultError]
    msgids = {vault.errors.VAULT_MESSAGES[e.vault_code] for e in raised}
    msgids |= {CLI_NEXT_STEPS["vault"][e.vault_code] for e in raised}
    cli = "".join(
        (ROOT / "src/hasteh/cli" / name).read_text(encoding="utf-8")
        for name in ("vault.py", "options.py")
    )
    msgids |= set(re.findall(r'(?<!\w)_\(\s*"((?:[^"\\]|\\.)*)"\s*\)', cli))
    assert len(msgids) > 40
    missing = sorted(m for m in msgids if fa.gettext(m) == m)
    assert missing == []


def test_every_error_and_command_is_documented() -> None:
    doc = (ROOT / "docs/vault.md").read_text(encoding="utf-8")
    for name in (
        "WrongPassphrase",
        "CorruptProfile",
        "NoProfile",
        "NewerSchema",
        "ProfileNotWritable",
    ):
        assert name in doc
    for command in ("hasteh panic", "passphrase change", "passphrase duress", "status", "--yes"):
        assert command in doc
    for env in (
        "HASTEH_PASSPHRASE",
        "HASTEH_NEW_PASSPHRASE",
        "HASTEH_DURESS_PASSPHRASE",
        "HASTEH_HOME",
    ):
        assert env in doc
