"""The console script answers --version and --help, and explains what hasteh is."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from hasteh import __version__, selfcheck
from hasteh.cli.main import COMMANDS, app, feature_app, registered_names
from hasteh.selfcheck import CHECKS


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_help_explains_hasteh() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"HASTEH_LANG": "en"})
    assert result.exit_code == 0
    assert "MLS" in result.output
    assert "selfcheck" in result.output


def test_selfcheck_runs_every_part() -> None:
    result = CliRunner().invoke(app, ["selfcheck"], env={"HASTEH_LANG": "en"})
    assert result.exit_code == 0, result.output
    for label, _check in CHECKS:
        assert label[:20] in result.output
    assert "failed" not in result.output


def test_selfcheck_fails_when_a_part_is_broken(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise OSError("no sqlcipher")

    monkeypatch.setattr(selfcheck, "CHECKS", ((CHECKS[2][0], broken), *CHECKS[3:4]))
    result = CliRunner().invoke(app, ["selfcheck"], env={"HASTEH_LANG": "en"})
    assert result.exit_code == 1
    assert "failed: OSError" in result.output
    assert "reinstall" in result.output


def test_lazy_commands_match_what_modules_register() -> None:
    """`COMMANDS` (what `hasteh --help` lists without loading modules) names exactly the
    commands each feature module registers, so help stays complete."""
    modules = set(COMMANDS.values())
    registered = {
        name: module for module in modules for name in registered_names(feature_app(module))
    }
    assert registered == COMMANDS


def test_version_loads_no_feature_module() -> None:
    """`hasteh --version` starts without the app, the web face or httpx (CLI start speed)."""
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from hasteh.cli.main import app\n"
        "CliRunner().invoke(app, ['--version'])\n"
        "heavy = ('hasteh.app', 'hasteh.web', 'httpx')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
