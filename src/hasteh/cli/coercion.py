"""Plain coercion of command-line values, so a command's start does not import pydantic.

Typer 0.29 converts every parameter's value through a pydantic `TypeAdapter` built on
first use, and importing pydantic costs about 0.19 s, a third of `hasteh read`'s start
(docs/benchmarks.md, "CLI start"). Nearly every hasteh parameter is a `str`, a `Path`, a
flag or an `int` given as plain digits, whose conversion needs no schema. `lighten` gives each
parameter of a built command a `PlainParam`, which converts those cases itself and hands
every other value (enums, lists, ranges, parsers, anything odd) to Typer's own coercion,
built on demand: such a value is checked exactly as before, with Typer's messages.

This reaches into Typer's private `RuntimeParam` hook; the version is pinned in uv.lock,
and `tests/cli/test_coercion.py` pins the behaviour against Typer's own coercion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from typer._click.core import Command, Context
from typer._coercion import RuntimeParam, build_runtime_param, resolve_type_descriptor
from typer._param_types import coerce_cli_path, routes_to_path
from typer.core import _TyperParameter

__all__ = ["PlainParam", "lighten", "plain_value"]

#: `plain_value`'s answer when a value needs Typer's own coercion.
NOT_PLAIN: Final = object()


def _is_plain_int(text: str) -> bool:
    """Decimal digits with an optional sign, nothing else (no spaces, `_` or exponent):
    the only integer spellings converted here; the rest go to Typer."""
    digits = text[1:] if text[:1] in ("-", "+") else text
    return digits.isascii() and digits.isdigit()


def plain_value(annotation: Any, value: Any) -> Any:
    """`value` converted to `annotation` when that is trivially right, else `NOT_PLAIN`."""
    if annotation is bool and isinstance(value, bool):
        return value
    if not isinstance(value, str):
        return NOT_PLAIN
    if annotation is str:
        return value
    if annotation is Path:
        return Path(value)
    if annotation is int and _is_plain_int(value):
        return int(value)
    return NOT_PLAIN


@dataclass(frozen=True)
class PlainParam(RuntimeParam):
    """A parameter's coercion: plain cases here, the rest by Typer's (pydantic) coercion."""

    _typer: list[RuntimeParam] = field(default_factory=list, compare=False, repr=False)

    def _coerce_value(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        plain = plain_value(self.annotation, value)
        if plain is NOT_PLAIN:
            return self._typer_param()._coerce_value(value, param=param, ctx=ctx)
        if isinstance(plain, Path):
            # Typer's own path checks (exists, file_okay, resolve_path, ...), which
            # need no pydantic once the value is a Path.
            return coerce_cli_path(plain, self.parameter_info, path_type=Path, param=param, ctx=ctx)
        return plain

    def _typer_param(self) -> RuntimeParam:
        if not self._typer:
            descriptor = resolve_type_descriptor(self.annotation, self.parameter_info)
            self._typer.append(build_runtime_param(descriptor))
        return self._typer[0]


def _plain_candidate(param: _TyperParameter) -> bool:
    """Parameters `PlainParam` may take: a `str`, `Path` or `int` with no custom parser
    and not a file; path options other than a plain `Path` stay with Typer."""
    descriptor = param.type_descriptor
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None or info.parser is not None:
        return False
    if descriptor.annotation is Path:
        return info.path_type is None
    if descriptor.annotation is int:
        return info.min is None and info.max is None
    if descriptor.annotation is bool:
        return True
    return descriptor.annotation is str and not routes_to_path(str, info)


def _lighten_param(param: Any) -> None:
    if (
        isinstance(param, _TyperParameter)
        and param._runtime_param is None
        and _plain_candidate(param)
    ):
        param._runtime_param = PlainParam(
            annotation=param.type_descriptor.annotation,
            parameter_info=param.type_descriptor.parameter_info,
        )


def lighten(command: Command, ctx: Context) -> Command:
    """Give `command`'s parameters, its help option (made here, as Click would on first
    use, from `ctx`'s help option names) and its subcommands' parameters plain coercion
    where it applies. In place and idempotent; returns `command`."""
    for param in (*command.params, command.get_help_option(ctx)):
        _lighten_param(param)
    for sub in getattr(command, "commands", {}).values():
        lighten(sub, ctx)
    return command
