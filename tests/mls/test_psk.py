"""PSK secret (RFC 9420 §8.4): vectors, order and identity binding, resumption PSKs."""

from __future__ import annotations

import pytest

from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.errors import UsageError
from hasteh.mls.psk import PskInput, psk_label, psk_secret
from hasteh.mls.psk_id import PreSharedKeyID, ResumptionPSKUsage
from hasteh.mls.vectors import run_file

from ..conftest import vectors_dir

SUITE = get_suite(1)
A = PskInput.external(b"a", b"\x01" * 32, b"secret a")
B = PskInput.external(b"b", b"\x02" * 32, b"secret b")


def test_psk_secret_vectors() -> None:
    result = run_file(vectors_dir() / "psk_secret.json")
    assert result.failures == []
    assert result.passed > 0


def test_no_psks_is_the_zero_vector() -> None:
    assert psk_secret(SUITE, []) == bytes(32)
    assert psk_secret(get_suite(4), []) == bytes(64)


def test_order_matters() -> None:
    assert psk_secret(SUITE, [A, B]) != psk_secret(SUITE, [B, A])
    assert psk_secret(SUITE, [A]) != psk_secret(SUITE, [A, A])


def test_identity_and_nonce_are_bound() -> None:
    renamed = PskInput.external(b"c", A.psk_nonce, A.psk)
    renonced = PskInput.external(A.psk_id, b"\x03" * 32, A.psk)
    base = psk_secret(SUITE, [A])
    assert psk_secret(SUITE, [renamed]) != base
    assert psk_secret(SUITE, [renonced]) != base


def test_resumption_psk() -> None:
    res = PskInput.resumption(ResumptionPSKUsage.APPLICATION, b"cell", 7, b"\x04" * 32, A.psk)
    assert res.id == PreSharedKeyID.resumption(
        ResumptionPSKUsage.APPLICATION, b"cell", 7, b"\x04" * 32
    )
    assert len(psk_secret(SUITE, [res, A])) == 32
    assert psk_secret(SUITE, [res]) != psk_secret(SUITE, [A])


def test_psk_label_layout() -> None:
    # PSKLabel = PreSharedKeyID || uint16 index || uint16 count (§8.4).
    assert psk_label(A.id, 1, 2) == A.id.to_bytes() + b"\x00\x01\x00\x02"


def test_repr_hides_psk() -> None:
    assert "secret a" not in repr(A)


def test_too_many_psks() -> None:
    with pytest.raises(UsageError):
        psk_secret(SUITE, [A] * 0x10000)
