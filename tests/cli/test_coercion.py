"""Plain coercion (`hasteh.cli.coercion`) gives what Typer's own coercion gives, and a
command's run no longer imports pydantic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import typer
from hypothesis import given
from hypothesis import strategies as st
from typer._click.core import Context
from typer._coercion import build_runtime_param, resolve_type_descriptor
from typer.main import get_command
from typer.models import OptionInfo
from typer.testing import CliRunner

from hasteh.cli.coercion import NOT_PLAIN, PlainParam, lighten, plain_value
from hasteh.cli.main import app

ANNOTATIONS = (str, Path, int, bool)
PASSPHRASE = "a test passphrase, long"
WHERE = typer.Option(..., "--where")


def typer_coerce(annotation: Any, value: Any) -> Any:
    """What Typer's own (pydantic) coercion makes of `value`, or the exception type."""
    runtime = build_runtime_param(resolve_type_descriptor(annotation, OptionInfo()))
    try:
        return runtime._coerce_value(value, param=None, ctx=None)  # type: ignore[arg-type]
    except Exception as exc:
        return type(exc)


@given(
    annotation=st.sampled_from(ANNOTATIONS),
    value=st.one_of(
        st.text(),
        st.from_regex(r"\A[+-]?[0-9]{1,30}\Z"),
        st.from_regex(r"\A[ _+-]?[0-9٠-٩۰-۹_ ]{1,8}\Z"),
        st.booleans(),
        st.integers(),
    ),
)
def test_plain_coercion_agrees_with_typer(annotation: Any, value: Any) -> None:
    """Whatever `plain_value` converts, Typer converts to the same value of the same type;
    what it cannot (Persian digits, underscores, spaces, non-strings) it leaves to Typer."""
    plain = plain_value(annotation, value)
    if plain is not NOT_PLAIN:
        expected = typer_coerce(annotation, value)
        assert plain == expected
        assert type(plain) is type(expected)


def test_odd_values_are_left_to_typer() -> None:
    assert plain_value(int, "۱۲") is NOT_PLAIN
    assert plain_value(int, "1_000") is NOT_PLAIN
    assert plain_value(int, " 12") is NOT_PLAIN
    assert plain_value(bool, "yes") is NOT_PLAIN
    assert plain_value(str, b"bytes") is NOT_PLAIN


def test_bad_values_still_get_typers_precise_error(tmp_path: Path) -> None:
    """A value plain coercion leaves alone reaches Typer's check, which names the option
    and exits 2 before anything runs."""
    for bad in ("eighty", "۸۰", "8 0"):
        result = CliRunner().invoke(
            app, ["--home", str(tmp_path), "up", "--port", bad], env={"HASTEH_LANG": "en"}
        )
        assert result.exit_code == 2, result.output
        assert "--port" in result.output
    assert not any(tmp_path.iterdir())


def test_path_option_is_a_path(tmp_path: Path) -> None:
    """`--home` (a `Path` option of the root) arrives as a Path through plain coercion."""
    seen: list[Any] = []
    probe = typer.Typer()

    @probe.command()
    def show(where: Path = WHERE) -> None:
        seen.append(where)

    command = get_command(probe)
    lighten(command, Context(command))
    assert isinstance(command.params[0]._runtime_param, PlainParam)  # type: ignore[attr-defined]
    command.main(["--where", str(tmp_path)], standalone_mode=False)
    assert seen == [tmp_path]
    assert type(seen[0]) is type(tmp_path)


def test_reading_a_cell_does_not_import_pydantic(tmp_path: Path) -> None:
    """`hasteh read` runs without pydantic (a fifth of a second of start, docs/benchmarks.md
    "CLI start"), and still reads the cell."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from hasteh import vault\n"
        "from hasteh.app import cells, talk\n"
        "from hasteh.app.profile import workspace\n"
        "from hasteh.vault.keyfile import MIN_KDF\n"
        "home = Path(sys.argv[1])\n"
        "vault.create(home, 'a test passphrase, long', kdf=MIN_KDF)\n"
        "with workspace(home, 'a test passphrase, long') as ws:\n"
        "    cells.create_cell(ws, 'c', cover_name='c', relays=['http://127.0.0.1:9'])\n"
        "    talk.say(ws, 'c', 'hello')\n"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True)
    run = (
        "import sys\n"
        "from hasteh.cli.main import app\n"
        "sys.argv = ['hasteh', '--home', sys.argv[1], 'read', 'c']\n"
        "try:\n"
        "    app()\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "print(sorted(m for m in sys.modules if m.startswith('pydantic')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", run, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        env={"HASTEH_PASSPHRASE": PASSPHRASE, "HASTEH_LANG": "en", "PATH": "/usr/bin:/bin"},
    )
    assert "hello" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "[]"
