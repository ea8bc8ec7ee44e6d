"""The console script answers --version and --help, and explains what hasteh is."""

from __future__ import annotations

from typer.testing import CliRunner

from hasteh import __version__
from hasteh.cli.main import app


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_help_explains_hasteh() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"HASTEH_LANG": "en"})
    assert result.exit_code == 0
    assert "MLS" in result.output
    assert "selfcheck" in result.output


def test_selfcheck_runs() -> None:
    result = CliRunner().invoke(app, ["selfcheck"])
    assert result.exit_code == 0
    assert "MLS codec" in result.output
