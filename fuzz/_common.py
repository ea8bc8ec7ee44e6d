"""What every harness shares: the oracle and the atheris entry point.

The oracle, in every harness:

* only the package's own errors escape (a harness catches exactly those; anything else
  propagates and is a finding: atheris reports it with the input that caused it);
* state is unchanged after a rejection (each harness compares what it can);
* no input takes over `TIME_LIMIT` seconds (`harness` raises `TooSlow`).

Run a harness with ``scripts/fuzz.sh TARGET [SECONDS]`` (see fuzz/README.md).
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

#: No single input may take longer than this (seconds).
TIME_LIMIT = 2.0
#: Fixed "now" of every harness (no clock inside a harness: replays are exact).
NOW = 1_780_000_000
CORPUS = Path(__file__).resolve().parent / "corpus"


class TooSlow(AssertionError):
    """An input took more than `TIME_LIMIT` seconds."""


class Finding(AssertionError):
    """The oracle failed for this input (state changed after a rejection, a round trip
    that does not hold, ...)."""


#: HASTEH_FUZZ_STRICT=1: known findings (open, in code we may not edit) fail too.
STRICT = os.environ.get("HASTEH_FUZZ_STRICT") == "1"


def known(finding: str) -> None:
    """An open finding listed in docs/fuzzing.md: ignored unless HASTEH_FUZZ_STRICT=1, so
    the CI replay stays green while its owner fixes it."""
    if STRICT:
        raise Finding(f"known finding {finding}")


def harness(fn: Callable[[bytes], None]) -> Callable[[bytes], None]:
    """Wrap a harness body with the time limit."""

    @functools.wraps(fn)
    def test_one_input(data: bytes) -> None:
        start = time.perf_counter()
        fn(data)
        spent = time.perf_counter() - start
        if spent > TIME_LIMIT:
            raise TooSlow(f"{spent:.2f} s for {len(data)} bytes")

    return test_one_input


class DetRng:
    """Deterministic bytes (SHA-256 in counter mode): every run builds the same groups."""

    def __init__(self, seed: bytes = b"fuzz") -> None:
        self._seed = seed
        self._counter = 0

    def __call__(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            self._counter += 1
            out += hashlib.sha256(self._seed + self._counter.to_bytes(8, "big")).digest()
        return out[:n]


def main(test_one_input: Callable[[bytes], None]) -> None:
    """The atheris entry point: ``python -m fuzz.fuzz_X [libFuzzer flags] [corpus dirs]``."""
    import atheris

    instrument()
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


#: Coverage is collected in these packages only (HASTEH_FUZZ_INSTRUMENT=all: everything
#: loaded, which takes a minute or more to instrument at start).
INSTRUMENTED = ("hasteh", "fuzz")
#: Not instrumented: atheris 2.3.0 (the last release with CPython 3.11 wheels) rewrites
#: some 3.11 loops wrongly, and the instrumented `PMap.get` (`while True`) segfaults now
#: and then (google/atheris#57, #90). Coverage of these modules is not measured.
NOT_INSTRUMENTED = ("hasteh.org.pmap",)


def instrument() -> None:
    """Add atheris coverage instrumentation to every function of `INSTRUMENTED` already
    imported (harnesses import all they use at module level)."""
    import gc

    import atheris
    from atheris.instrument_bytecode import _is_instrumentable

    if os.environ.get("HASTEH_FUZZ_INSTRUMENT") == "all":
        atheris.instrument_all()
        return
    funcs = [
        obj
        for obj in gc.get_objects()
        if _is_instrumentable(obj)
        and str(obj.__module__).startswith(INSTRUMENTED)
        and not str(obj.__module__).startswith(NOT_INSTRUMENTED)
    ]
    for func in funcs:
        try:
            atheris.instrument_func(func)
        except Exception as exc:  # report and go on, as instrument_all does
            sys.stderr.write(f"WARNING: not instrumented: {func.__qualname__}: {exc}\n")
    sys.stderr.write(f"INFO: instrumented {len(funcs)} functions of {INSTRUMENTED}\n")
