"""`hasteh.app`: a profile's workspace, where MLS, org, the vault and transport meet.

    with workspace(home, passphrase) as ws:
        cells.create_cell(ws, "bakery", cover_name="sepideh", relays=[url])
        code = cards.create_card(ws, "reza", relays=[url])      # on the newcomer's device
        admission.propose(ws, "bakery", code)                     # a member, card in hand
        sync.sync(ws)                                             # deliver, fetch, commit
        talk.say(ws, "bakery", "hello")

One module per concept: `profile` (the `Workspace`), `cells`, `cards`, `admission`,
`join`, `talk`, `decisions`, `removal`, `sync`, `safety_words`, `courier`; `runtime` is
where a cell's MLS state and org state change together. Every error derives from
`hasteh.app.errors.AppError` (a `HastehError`); MLS and org errors are mapped at this
boundary. The faces (CLI, web) call these functions and nothing below them.
"""

from __future__ import annotations

from hasteh.app import (
    admission,
    cards,
    cells,
    courier,
    decisions,
    join,
    removal,
    safety_words,
    sync,
    talk,
)
from hasteh.app.errors import AppError
from hasteh.app.profile import Workspace, open_workspace, workspace

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
    "removal",
    "safety_words",
    "sync",
    "talk",
    "workspace",
]
