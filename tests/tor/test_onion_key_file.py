"""`hasteh relay serve --onion --onion-key FILE`: the key file is made private, and a file
that is not a key or that others may read is refused before tor starts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hasteh.relay.errors import OnionKeyUnusable
from hasteh.relay.onion import read_or_make_key_file, save_key
from hasteh.tor.onion import derive_key

KEY = derive_key(bytes(range(32)))


def test_a_new_key_file_is_private_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "relay.onion-key"
    assert read_or_make_key_file(path) is None
    save_key(path, KEY)
    assert path.stat().st_mode & 0o777 == 0o600
    assert read_or_make_key_file(path) == KEY
    with pytest.raises(FileExistsError):
        save_key(path, KEY)  # never overwrites a key (the address would change)


def test_a_key_file_others_may_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k"
    save_key(path, KEY)
    os.chmod(path, 0o640)
    with pytest.raises(OnionKeyUnusable) as caught:
        read_or_make_key_file(path)
    assert caught.value.why == "permissions" and KEY not in str(caught.value)


@pytest.mark.parametrize(
    "content", [b"", b"hello", KEY[:-3].encode(), b"\xff\xfe" * 40, b"RSA1024:" + b"A" * 80]
)
def test_a_file_that_is_not_a_key_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "k"
    path.write_bytes(content)
    os.chmod(path, 0o600)
    with pytest.raises(OnionKeyUnusable) as caught:
        read_or_make_key_file(path)
    assert caught.value.why == "unreadable"
