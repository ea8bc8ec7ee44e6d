"""Key schedule (RFC 9420 §8): vectors, the Welcome and exporter derivations, and misuse."""

from __future__ import annotations

import pytest

from hasteh.mls import key_schedule as ks
from hasteh.mls.cipher_suite import SUITES, get_suite
from hasteh.mls.errors import UsageError
from hasteh.mls.group_context import GroupContext
from hasteh.mls.labels import derive_secret, expand_with_label
from hasteh.mls.vectors import run_file

from ..conftest import vectors_dir

SUITE = get_suite(1)
GC = GroupContext(1, b"cell", 1, bytes(32), bytes(32)).to_bytes()


def test_key_schedule_vectors() -> None:
    result = run_file(vectors_dir() / "key-schedule.json")
    assert result.failures == []
    assert result.passed > 0


def test_member_and_joiner_paths_agree() -> None:
    init, commit, psk = b"\x01" * 32, b"\x02" * 32, ks.zero_secret(SUITE)
    member = ks.derive_epoch_secrets(SUITE, init, commit, psk, GC)
    joiner = ks.joiner_secret(SUITE, init, commit, GC)
    assert ks.epoch_secrets_from_joiner(SUITE, joiner, psk, GC) == member
    assert ks.welcome_secret(SUITE, joiner, psk) == member.welcome_secret
    # The GroupContext is bound in: a different epoch gives different secrets.
    other = GroupContext(1, b"cell", 2, bytes(32), bytes(32)).to_bytes()
    assert ks.derive_epoch_secrets(SUITE, init, commit, psk, other) != member


def test_psk_secret_changes_everything_but_joiner() -> None:
    init, commit = b"\x01" * 32, b"\x02" * 32
    a = ks.derive_epoch_secrets(SUITE, init, commit, ks.zero_secret(SUITE), GC)
    b = ks.derive_epoch_secrets(SUITE, init, commit, b"\x03" * 32, GC)
    assert a.joiner_secret == b.joiner_secret
    assert a.welcome_secret != b.welcome_secret and a.epoch_secret != b.epoch_secret


@pytest.mark.parametrize("suite_id", sorted(SUITES))
def test_welcome_key_nonce(suite_id: int) -> None:
    suite = get_suite(suite_id)
    secret = bytes(range(suite.nh))
    key, nonce = ks.welcome_key_nonce(suite, secret)
    assert key == expand_with_label(suite, secret, "key", b"", suite.nk)
    assert nonce == expand_with_label(suite, secret, "nonce", b"", suite.nn)
    assert (len(key), len(nonce)) == (suite.nk, suite.nn)


def test_exporter_follows_section_8_5() -> None:
    secret = b"\x07" * 32
    out = ks.exporter(SUITE, secret, b"hasteh test", b"ctx", 42)
    inner = derive_secret(SUITE, secret, b"hasteh test")
    assert out == expand_with_label(SUITE, inner, "exported", SUITE.hash(b"ctx"), 42)
    assert len(out) == 42
    assert ks.exporter(SUITE, secret, "hasteh test", b"ctx", 42) == out
    assert ks.exporter(SUITE, secret, b"hasteh other", b"ctx", 42) != out
    assert ks.exporter(SUITE, secret, b"hasteh test", b"ctx2", 42) != out


def test_external_key_pair_is_deterministic() -> None:
    sk, pk = ks.external_key_pair(SUITE, b"\x09" * 32)
    assert ks.external_pub(SUITE, b"\x09" * 32) == pk
    assert len(pk) == 32 and sk != pk


@pytest.mark.parametrize(
    "call",
    [
        lambda: ks.derive_epoch_secrets(SUITE, b"short", bytes(32), bytes(32), GC),
        lambda: ks.derive_epoch_secrets(SUITE, bytes(32), bytes(48), bytes(32), GC),
        lambda: ks.derive_epoch_secrets(SUITE, bytes(32), bytes(32), b"", GC),
        lambda: ks.epoch_secrets_from_joiner(SUITE, bytes(31), bytes(32), GC),
        lambda: ks.welcome_key_nonce(SUITE, bytes(16)),
        lambda: ks.exporter(SUITE, bytes(32), b"x", b"", 1 << 16),
        lambda: ks.exporter(SUITE, bytes(32), b"x", b"", -1),
    ],
)
def test_wrong_lengths_are_usage_errors(call: object) -> None:
    with pytest.raises(UsageError):
        call()  # type: ignore[operator]


def test_repr_hides_secrets() -> None:
    secrets = ks.derive_epoch_secrets(SUITE, bytes(32), bytes(32), bytes(32), GC)
    text = repr(secrets)
    assert secrets.epoch_secret.hex() not in text and "b'" not in text
    assert ks.zero_secret(get_suite(7)) == bytes(48)
