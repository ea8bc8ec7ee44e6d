"""deserialization.json: variable-length vector headers (RFC 9420 §2.1.2).

Verification (test-vectors.md): decode `vlbytes_header`; the decoded length equals
`length`. We also check the header is consumed exactly and re-encodes identically.
"""

from __future__ import annotations

from typing import Any

from hasteh.mls.codec import Reader, encode_varint
from hasteh.mls.vectors import expect, h


def check(case: dict[str, Any]) -> None:
    header = h(case["vlbytes_header"])
    r = Reader(header)
    length = r.varint()
    r.finish()
    expect("length", length, case["length"])
    expect("re-encoded header", encode_varint(length), header)
