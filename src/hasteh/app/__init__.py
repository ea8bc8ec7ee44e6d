"""`hasteh.app`: a profile's workspace, where MLS, org, the vault and transport meet.

    with workspace(home, passphrase) as ws:
        cells.create_cell(ws, "bakery", cover_name="sepideh", relays=[url])
        code = cards.create_card(ws, "reza", relays=[url])      # on the newcomer's device
        admission.propose(ws, "bakery", code)                     # a member, card in hand
        sync.sync(ws)                                             # deliver, fetch, commit
        talk.say(ws, "bakery", "hello")

One module per concept: `profile` (the `Workspace`), `cells`, `cards`, `admission`,
`join`, `talk`, `decisions`, `removal`, `sync`, `safety_words`, `courier`, `expiry`,
`mailboxes`; `runtime` is where a cell's MLS state and org state change together, and
`constants` what every module agrees on. They are layered without cycles
(docs/architecture.md, "Inside `hasteh.app`"; `tests/test_layers.py`). Every error derives from
`hasteh.app.errors.AppError` (a `HastehError`); MLS and org errors are mapped at this
boundary. The faces (CLI, web) call these functions and nothing below them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hasteh.app.errors import AppError
from hasteh.app.profile import Workspace, open_workspace, workspace

if TYPE_CHECKING:
    from hasteh.app import (
        admission,
        cards,
        cells,
        courier,
        decisions,
        join,
        reach,
        removal,
        safety_words,
        sync,
        talk,
    )

#: Feature modules, imported when first used (`hasteh.app.talk` does not load `sync`):
#: the CLI starts faster when a command needs only part of the app.
_FEATURES = frozenset(
    {
        "admission",
        "cards",
        "cells",
        "courier",
        "decisions",
        "join",
        "reach",
        "removal",
        "safety_words",
        "sync",
        "talk",
    }
)


def __getattr__(name: str) -> Any:
    """`hasteh.app.<feature>` on first use (PEP 562)."""
    if name in _FEATURES:
        return importlib.import_module(f"hasteh.app.{name}")
    raise AttributeError(f"module 'hasteh.app' has no attribute {name!r}")


__all__ = [
    "AppError",
    "Workspace",
    "admission",
    "cards",
    "cells",
    "courier",
    "decisions",
    "join",
    "open_workspace",
    "reach",
    "removal",
    "safety_words",
    "sync",
    "talk",
    "workspace",
]
