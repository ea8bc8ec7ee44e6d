"""The docs follow the code: the outbox table and every relay error slug are documented."""

from __future__ import annotations

import re
from pathlib import Path

from hasteh.relay.openapi import SCHEMA
from hasteh.transport.outbox import OUTBOX

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_outbox_table_is_documented_exactly() -> None:
    text = (DOCS / "protocol.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| (\w+) \| (\w+) \| (\w+) \|$", text, flags=re.M))
    rows.discard(("state", "event", "next"))
    table = {(s, e, t) for s, moves in OUTBOX.items() for e, t in moves.items()}
    assert {r for r in rows if r[0] in OUTBOX} == table


def test_every_relay_status_is_documented() -> None:
    text = (DOCS / "protocol.md").read_text(encoding="utf-8")
    for path in SCHEMA["paths"].values():
        for op in path.values():
            for status in op["responses"]:
                if status.startswith("4"):
                    assert f"| {status} " in text or f"/ {status} " in text, status
