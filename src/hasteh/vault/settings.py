"""Typed settings: a key and a JSON value (msgspec), read back into the type asked for."""

from __future__ import annotations

from typing import Any, TypeVar, overload

import msgspec

from hasteh.errors import json_decode
from hasteh.vault.db import Connection
from hasteh.vault.errors import SettingTypeMismatch

T = TypeVar("T")
MAX_KEY_LENGTH = 200


def _check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError("setting keys are 1..200 characters")


def set_setting(conn: Connection, key: str, value: Any) -> None:
    """Store `value` (anything msgspec can encode as JSON) under `key`."""
    _check_key(key)
    data = msgspec.json.encode(value)
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, data),
    )


@overload
def get_setting(conn: Connection, key: str, type_: type[T]) -> T | None: ...
@overload
def get_setting(conn: Connection, key: str, type_: type[T], default: T) -> T: ...
def get_setting(conn: Connection, key: str, type_: type[T], default: T | None = None) -> T | None:
    """The value under `key` decoded as `type_`, or `default` if unset."""
    _check_key(key)
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    if row is None:
        return default
    return json_decode(row[0], type_, lambda _detail: SettingTypeMismatch())


def delete_setting(conn: Connection, key: str) -> bool:
    _check_key(key)
    return bool(conn.execute("DELETE FROM settings WHERE key = ?", (key,)).rowcount)


def setting_keys(conn: Connection) -> list[str]:
    return [row[0] for row in conn.execute("SELECT key FROM settings ORDER BY key")]
