"""Fixtures: a fresh profile with fast (test-only) Argon2id parameters."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hasteh import vault

from .helpers import FAST, PASS


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HASTEH_LANG", "en")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "profile"
    vault.create(path, PASS, kdf=FAST, min_kdf=FAST)
    return path


@pytest.fixture
def opened(home: Path) -> Iterator[vault.Vault]:
    v = vault.unlock(home, PASS, min_kdf=FAST)
    try:
        yield v
    finally:
        v.close()
